// Attribution methods on models whose explanation is known.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  initSync, ExplainedModel, attribute, saliency, smoothGrad, integratedGradients, gradientShap, kernelShap, kernelShapModel, gradCam,
  quadrature, gaussLegendre, defaultCamLayer, upsampleLinear, baselineFor, meanBeat, QUADRATURE_RULES, METHODS, Linear, Sequential, Flatten,
} from '../../src/all.ts';
import { linearModel, mlp, bump, bumpCnn, smallCnn, SepCnn, ResNetForTest, randomBeats } from './helpers.ts';
import { assertClose } from '../helpers/wasm.ts';

initSync();

const L = 12, K = 3;
const { model: lin, w } = linearModel(L, K);
const linClf = new ExplainedModel(lin, { length: L });
const x = randomBeats(4, L, 7);
const target = 1;
const expected = new Float32Array(4 * L);
for (let i = 0; i < 4; i++) for (let t = 0; t < L; t++) expected[i * L + t] = w[target * L + t]! * x[i * L + t]!;

test('linear model: gradient, gradient x input, saliency', () => {
  const g = saliency(linClf, x, { targets: target, variant: 'gradient' });
  for (let i = 0; i < 4; i++) assertClose(g.values.subarray(i * L, (i + 1) * L), w.subarray(L, 2 * L), 1e-5, 1e-6, 'gradient');
  assertClose(saliency(linClf, x, { targets: target, variant: 'gradient-x-input' }).values, expected, 1e-5, 1e-6, 'gxi');
  const s = attribute(linClf, x, 'saliency', { targets: target });
  assertClose(s.values, g.values.map(Math.abs), 1e-6, 1e-7, 'saliency');
  // SmoothGrad of a linear model is its gradient (noise does not change a constant gradient).
  assertClose(smoothGrad(linClf, x, { targets: target, samples: 5 }).values, g.values, 1e-5, 1e-6, 'smoothgrad');
});

test('linear model: IG (zero baseline, every rule) and both SHAPs equal w ⊙ x', () => {
  for (const rule of QUADRATURE_RULES) {
    const ig = integratedGradients(linClf, x, { targets: target, rule, steps: 3 });
    assertClose(ig.values, expected, 1e-4, 1e-6, `IG ${rule}`);
    assert.ok(Math.max(...ig.delta!) < 1e-5, `${rule} completeness ${Math.max(...ig.delta!)}`);
  }
  const gs = gradientShap(linClf, x, { targets: target, background: new Float32Array(L), samples: 8 });
  assertClose(gs.values, expected, 1e-4, 1e-6, 'GradientSHAP');
  const ks = kernelShapModel(linClf, x, { targets: target, segments: L, samples: 200 });
  assertClose(ks.values, expected, 1e-3, 1e-5, 'KernelSHAP');
});

test('quadrature rules: weights sum to 1; Gauss-Legendre is exact for degree 2n − 1', () => {
  for (const rule of QUADRATURE_RULES) {
    const { weights } = quadrature(rule, 7);
    assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-12, rule);
  }
  const { alphas, weights } = gaussLegendre(5);
  let s = 0;
  for (let k = 0; k < 5; k++) s += weights[k]! * alphas[k]! ** 9;
  assert.ok(Math.abs(s - 0.1) < 1e-12, `∫x^9 = ${s}`);
  assert.ok(alphas.every((a, i) => a > 0 && a < 1 && (i === 0 || a > alphas[i - 1]!)));
  assert.throws(() => quadrature('simpson' as never, 4), /unknown rule "simpson"/);
  assert.throws(() => quadrature('gauss-legendre', 0), /steps must be a positive integer/);
});

test('IG completeness: small delta on a nonlinear model, shrinking with steps; Gauss-Legendre beats left Riemann', () => {
  const clf = new ExplainedModel(mlp(L, K), { length: L });
  const xs = randomBeats(3, L, 9);
  const coarse = integratedGradients(clf, xs, { targets: 0, rule: 'riemann-left', steps: 4, baseline: 'blur' });
  const fine = integratedGradients(clf, xs, { targets: 0, rule: 'gauss-legendre', steps: 32, baseline: 'blur' });
  const mc = Math.max(...coarse.delta!), mf = Math.max(...fine.delta!);
  assert.ok(mf < 1e-4, `GL delta ${mf}`);
  assert.ok(mf < mc, `GL ${mf} < left ${mc}`);
  for (let i = 0; i < 3; i++) {
    const s = fine.values.subarray(i * L, (i + 1) * L).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(s - (fine.scores![i]! - fine.baselineScores![i]!)) < 1e-4);
  }
  // Probability output and each baseline kind work.
  const pclf = new ExplainedModel(mlp(L, K), { length: L, output: 'probability' });
  for (const baseline of ['zero', 'blur', 'noise', 'mean'] as const) {
    const r = integratedGradients(pclf, xs, { baseline, meanBeat: meanBeat(xs, L), steps: 16 });
    assert.ok(Math.max(...r.delta!) < 1e-3, `${baseline}: ${Math.max(...r.delta!)}`);
  }
});

test('baselines: shapes, blur keeps the mean level, mean needs a mean beat', () => {
  const b = baselineFor('blur', bump(40, 20, 1), 1, 40, { blurSigma: 4 });
  assert.ok(Math.max(...b) < 0.5 && Math.max(...b) > 0.05);
  const nz = baselineFor('noise', x, 1, L, { seed: 3 });
  assert.is(nz.length, x.length);
  assert.throws(() => baselineFor('mean', x, 1, L), /needs meanBeat/);
  assert.throws(() => baselineFor('nope' as never, x, 1, L), /unknown baseline "nope"/);
});

test('KernelSHAP: efficiency holds exactly when coalitions are sampled', () => {
  const clf = new ExplainedModel(mlp(40, K), { length: 40, output: 'probability' });
  const xs = randomBeats(2, 40, 5);
  const r = kernelShapModel(clf, xs, { segments: 10, samples: 60, seed: 1 });
  assert.is(r.segmentValues.length, 2 * 10);
  assert.ok(Math.max(...r.delta!) < 1e-5, `efficiency gap ${Math.max(...r.delta!)}`);
});

test('KernelSHAP explains a non-differentiable black box: an additive step function gets exact segment values', () => {
  // f = Σ_segments [max of the segment > 0.5] for class 0, nothing for class 1. Shapley values of an additive game are its terms.
  const Lb = 24, M = 6, seg = Lb / M;
  const predict = (batch: Float32Array) => {
    const n = batch.length / Lb;
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < M; j++) {
        let m = -Infinity;
        for (let t = j * seg; t < (j + 1) * seg; t++) m = Math.max(m, batch[i * Lb + t]!);
        out[i * 2]! += m > 0.5 ? 1 : 0;
      }
    return out;
  };
  const xb = new Float32Array(Lb);
  xb.set(bump(Lb, 6, 1), 0);
  xb[20] = 0.9;
  const r = kernelShap(predict, xb, { length: Lb, segments: M, targets: 0, samples: 100 });
  assertClose(r.segmentValues, [0, 1, 0, 0, 0, 1], 1e-6, 1e-6, 'segment values');
  assert.ok(Math.abs(r.values.reduce((a, b) => a + b, 0) - 2) < 1e-6);
});

test('Grad-CAM peaks at the bump the filters respond to (through pooling and upsampling)', () => {
  const Lc = 64;
  const clf = new ExplainedModel(bumpCnn(), { length: Lc });
  for (const at of [20, 41]) {
    const xb = bump(Lc, at, 2);
    const r = gradCam(clf, xb, { targets: 0 });
    assert.is(r.layer, '3');
    assert.is(r.coarseLength, 32);
    let best = 0;
    for (let t = 1; t < Lc; t++) if (r.values[t]! > r.values[best]!) best = t;
    assert.ok(Math.abs(best - at) <= 2, `peak at ${best}, bump at ${at}`);
    // Class 1 is scored by minus the response: its map vanishes under the ReLU.
    assert.ok(Math.max(...gradCam(clf, xb, { targets: 1 }).values) === 0);
  }
  assert.is(clf.model.forward.name === 'forward' || !Object.prototype.hasOwnProperty.call(clf.model, 'forward'), true);
});

test('upsampleLinear matches align_corners = false', () => {
  assertClose(upsampleLinear([0, 1], 4), [0, 0.25, 0.75, 1], 1e-7, 1e-7, 'up');
  assertClose(upsampleLinear([2], 3), [2, 2, 2], 0, 0, 'constant');
});

test('Grad-CAM on separable and residual models (with RR features); default layers; forward restored', () => {
  const sep = new SepCnn();
  assert.is(defaultCamLayer(sep), 'sep');
  const xs = randomBeats(3, 30, 2);
  const r = gradCam(new ExplainedModel(sep, { length: 30 }), xs);
  assert.is(r.values.length, 90);
  assert.ok(!Object.prototype.hasOwnProperty.call(sep.sep, 'forward'), 'forward restored');
  const res = new ResNetForTest();
  assert.is(defaultCamLayer(res), 'block');
  const rr = Float32Array.from({ length: 6 }, (_, i) => 0.8 + 0.01 * i);
  const clf = new ExplainedModel(res, { length: 30, rrFeatures: 2 });
  const rc = gradCam(clf, xs, { rr, targets: 2 });
  assert.is(rc.layer, 'block');
  assert.ok(rc.values.every(Number.isFinite));
  const rc2 = gradCam(clf, xs, { rr, targets: 2, layer: 'block.conv2' });
  assert.is(rc2.layer, 'block.conv2');
  // Every method runs on the RR model.
  for (const m of METHODS) {
    const a = attribute(clf, xs, m, { rr, steps: 4, samples: 8, segments: 5 });
    assert.is(a.values.length, 90, m);
    assert.ok(a.values.every(Number.isFinite), m);
  }
});

test('BatchNorm models are explained in eval mode and their training flag is restored', () => {
  const m = smallCnn();
  m.train();
  const clf = new ExplainedModel(m, { length: 32 });
  const xs = randomBeats(2, 32, 4);
  const one = integratedGradients(clf, xs.subarray(0, 32), { targets: 0, steps: 8 }).values;
  const two = integratedGradients(clf, xs, { targets: 0, steps: 8 }).values.subarray(0, 32);
  assertClose(two, one, 1e-4, 1e-6, 'batch independence');
  assert.ok([...m.namedModules()].every(([, c]) => c.training));
});

test('bad input gives clear errors', () => {
  // A method name is a literal union (MethodName): a typo does not compile; at run time it is an ExplainError.
  // @ts-expect-error 'lime' is not a method
  assert.throws(() => attribute(linClf, x, 'lime'), /unknown method "lime"; choose one of saliency/);
  assert.throws(() => attribute(linClf, new Float32Array(13), 'saliency'), /got 13 values, which is not a whole number of beats of 1 x 12/);
  assert.throws(() => attribute(linClf, x, 'saliency', { targets: 7 }), /target class 7 is out of range \(the model has 3 classes\)/);
  const cnn = new ExplainedModel(bumpCnn(), { length: 64 });
  assert.throws(() => gradCam(cnn, bump(64, 20), { layer: '6' }), /layer "6" \(Linear\) is not convolutional; convolutional layers: 0, 3/);
  assert.throws(() => gradCam(cnn, bump(64, 20), { layer: 'nope' }), /no layer named "nope"/);
  assert.throws(() => gradCam(linClf, x), /has no Conv1d or SeparableConv1d layer/);
  const rrModel = new ExplainedModel(new ResNetForTest(), { length: 30, rrFeatures: 2 });
  assert.throws(() => attribute(rrModel, randomBeats(1, 30, 1), 'saliency'), /takes 2 RR features per beat; pass rr/);
  // A model whose own input check fires is reported with the beat shape.
  const mlpFixed = new ExplainedModel(new Sequential(new Flatten(), new Linear(10, 2)), { length: 12 });
  assert.throws(() => attribute(mlpFixed, x, 'saliency', { targets: 0 }), /Sequential rejected beats of shape \[\d+, 1, 12\]: /);
});

test.run();
