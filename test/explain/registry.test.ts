// The method registry: one MethodSpec per method file, listed in METHOD_SPECS and looked up by name
// (src/core/registry.ts); what used to be special cases (Grad-CAM's applicability, the random control)
// are fields of the spec.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  initSync, ExplainedModel, ExplainError, METHOD_SPECS, METHODS, METHOD_DESCRIPTIONS, getMethod, isMethod, attribute, methodSpec,
  makeAttribution, type MethodName,
} from '../../src/all.ts';
import { mlp, bumpCnn, bump } from './helpers.ts';

initSync();

// MethodName stays the union of the listed names.
const listed: MethodName = 'grad-cam';
// @ts-expect-error not a listed method
const unlisted: MethodName = 'lime';
void listed, void unlisted;

test('METHODS, METHOD_DESCRIPTIONS and the lookup all come from the list', () => {
  assert.equal(METHODS, ['saliency', 'gradient', 'gradient-x-input', 'smoothgrad', 'integrated-gradients', 'gradient-shap', 'kernel-shap', 'grad-cam', 'random']);
  for (const s of METHOD_SPECS) {
    assert.is(getMethod(s.name), s);
    assert.ok(isMethod(s.name));
    assert.is(METHOD_DESCRIPTIONS[s.name], s.description);
    assert.ok(s.description.length > 0);
  }
  assert.not.ok(isMethod('lime'));
});

test('an unknown method is an ExplainError naming the methods', () => {
  // @ts-expect-error 'lime' is not a MethodName (a typo does not compile)
  assert.throws(() => getMethod('lime'), (e: Error) => e instanceof ExplainError && /unknown method "lime"; choose one of saliency, gradient, /.test(e.message));
});

test('grad-cam says why it cannot explain a model without convolutions; the others explain any model', () => {
  const dense = new ExplainedModel(mlp(64, 2), { length: 64 });
  const conv = new ExplainedModel(bumpCnn(), { length: 64 });
  assert.is(getMethod('grad-cam').unavailable?.(dense), 'no convolutional layer');
  assert.is(getMethod('grad-cam').unavailable?.(conv), undefined);
  for (const s of METHOD_SPECS) if (s.name !== 'grad-cam') assert.is(s.unavailable?.(dense), undefined, s.name);
});

test('only the random attribution is a control', () => {
  assert.equal(METHOD_SPECS.filter((s) => s.control).map((s) => s.name), ['random']);
});

test('attribute runs the spec of the name; gradient-shap without a background uses the mean beat', () => {
  const clf = new ExplainedModel(bumpCnn(), { length: 64 });
  const x = bump(64, 20), meanBeat = bump(64, 40, 3, 0.5);
  const viaName = attribute(clf, x, 'gradient-shap', { meanBeat, samples: 4, seed: 1 });
  const withBackground = attribute(clf, x, 'gradient-shap', { background: meanBeat, samples: 4, seed: 1 });
  assert.equal(Array.from(viaName.values), Array.from(withBackground.values));
});

test('methodSpec keeps the literal name of a new method', () => {
  const ones = methodSpec({
    name: 'ones', description: 'all ones (test)',
    attribute: (clf, x) => makeAttribution(clf, 'ones', new Float32Array(x.length).fill(1), new Int32Array(x.length / clf.beatSize)),
  });
  const n: 'ones' = ones.name;
  assert.is(n, 'ones');
});

test.run();
