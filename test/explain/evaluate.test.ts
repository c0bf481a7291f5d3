// Evaluation of explanations: faithfulness curves, cascading randomisation, robustness, physiology, Spearman.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  initSync, ExplainedModel, attribute, integratedGradients, saliency, makeAttribution, spearman, ranks, trapezoidAuc, meanAbsSpearman,
  faithfulness, linearImpute, cascadingRandomization, parametrisedLayers, robustness, regionMask, physiology, Rng,
} from '../../src/all.ts';
import { linearModel, bumpCnn, bump, smallCnn, randomBeats, setParams } from './helpers.ts';
import { assertClose } from '../helpers/wasm.ts';

initSync();

test('Spearman against hand-computed values, ties averaged', () => {
  assert.equal(Array.from(ranks([5, 6, 7, 8, 7])), [1, 2, 3.5, 5, 3.5]);
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 8 / Math.sqrt(95)) < 1e-12);
  assert.is(spearman([1, 2, 3], [30, 20, 10]), -1);
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
  assert.is(meanAbsSpearman(Float32Array.from([0, 0, 0]), Float32Array.from([1, 2, 3]), 3).mean, 0);
  assert.is(meanAbsSpearman(Float32Array.from([1, -2, 3, 1, 2, 3]), Float32Array.from([1, 2, -3, 0, 0, 0]), 3).mean, 0.5);
  assert.ok(Math.abs(trapezoidAuc([0, 1]) - 0.5) < 1e-12);
  assert.ok(Math.abs(trapezoidAuc([1, 1, 1]) - 1) < 1e-12);
});

test('noisy linear imputation interpolates removed runs between kept samples', () => {
  const x = Float32Array.from([0, 1, 2, 3, 4, 9, 9, 7]);
  const keep = Uint8Array.from([1, 0, 0, 1, 1, 0, 0, 0]);
  const out = linearImpute(x, keep, 1, 8, new Float32Array(8), 0, new Rng(1));
  assertClose(out, [0, 1, 2, 3, 4, 4, 4, 4], 1e-6, 1e-6, 'impute');
  const all = linearImpute(x, new Uint8Array(8), 1, 8, Float32Array.from({ length: 8 }, () => 5), 0, new Rng(1));
  assert.ok(all.every((v) => v === 5));
});

test('deletion / insertion: the exact attribution of a linear model beats the random control', () => {
  const L = 40;
  const { model } = linearModel(L, 2, 3);
  // Class 1 scores nothing, so p(class 0) = sigmoid(w·x).
  setParams(model, { '1.weight': [...Array.from({ length: L }, (_, t) => (t < 20 ? 1 : -0.2)), ...new Array(L).fill(0)] });
  const clf = new ExplainedModel(model, { length: L });
  const rng = new Rng(2);
  const x = Float32Array.from({ length: 6 * L }, () => (rng.uniform() < 0.3 ? 0.5 + 0.5 * rng.uniform() : 0));
  const attr = saliency(clf, x, { targets: 0, variant: 'gradient-x-input' });
  for (const replacement of ['baseline', 'linear'] as const) {
    const f = faithfulness(clf, x, attr, { replacement, steps: 10 });
    assert.is(f.deletion.curve.length, 11);
    assert.ok(f.deletion.auc < f.randomDeletion!.auc, `${replacement}: deletion ${f.deletion.auc} < random ${f.randomDeletion!.auc}`);
    assert.ok(f.insertion.auc > f.randomInsertion!.auc, `${replacement}: insertion ${f.insertion.auc} > random ${f.randomInsertion!.auc}`);
    // Nothing removed at fraction 0: the model's own probability.
    const p0 = clf.probabilities(x).filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0) / 6;
    if (replacement === 'baseline') assert.ok(Math.abs(f.deletion.curve[0]! - p0) < 1e-5);
  }
  // The inverted attribution is worse than random.
  const inv = makeAttribution(clf, 'inverted', attr.values.map((v) => -v), attr.targets);
  const g = faithfulness(clf, x, inv, { steps: 10 });
  assert.ok(g.deletion.auc > g.randomDeletion!.auc);
  assert.throws(() => faithfulness(clf, x, attr, { replacement: 'blur' as never }), /replacement must be 'baseline' or 'linear'/);
});

test('cascading randomisation lowers the rank correlation, and the model is restored', () => {
  const model = bumpCnn();
  const clf = new ExplainedModel(model, { length: 64 });
  const x = new Float32Array(3 * 64);
  [15, 30, 47].forEach((at, i) => x.set(bump(64, at, 2), i * 64));
  const before = clf.scores(x);
  const explain = (c: ExplainedModel) => integratedGradients(c, x, { targets: 0, steps: 8 }).values;
  assert.equal(parametrisedLayers(model).map(([n]) => n), ['0', '3', '6']);
  const steps = cascadingRandomization(clf, explain, { seed: 3 });
  assert.equal(steps.map((s) => s.layer), ['', '6', '3', '0']);
  assert.is(steps[0]!.spearman, 1);
  const last = steps[steps.length - 1]!.spearman;
  assert.ok(last < 0.8, `fully randomised: ${last}`);
  assertClose(clf.scores(x), before, 0, 0, 'model restored');
  // On a copy: the original is never touched.
  const copySteps = cascadingRandomization(clf, explain, { seed: 3, copy: bumpCnn });
  assertClose(copySteps.map((s) => s.spearman), steps.map((s) => s.spearman), 1e-6, 1e-6, 'copy gives the same steps');
});

test('robustness: a constant gradient is perfectly stable; noise lowers gradient x input correlation less at 20 dB than at 10 dB', () => {
  const L = 50;
  const { model } = linearModel(L, 2, 5);
  const clf = new ExplainedModel(model, { length: L });
  const x = randomBeats(4, L, 6);
  const targets = clf.predict(x);
  const grad = robustness(x, L, (xx) => saliency(clf, xx, { targets, variant: 'gradient' }).values, { seed: 1 });
  assert.ok(grad.maxSensitivity < 1e-6);
  assert.ok(Math.abs(grad.noiseSpearman['20']! - 1) < 1e-6);
  const gxi = robustness(x, L, (xx) => saliency(clf, xx, { targets, variant: 'gradient-x-input' }).values, { seed: 1, snrs: [40, 20, 10, 0] });
  assert.ok(gxi.maxSensitivity > 0 && gxi.maxSensitivity < 1);
  assert.ok(gxi.noiseSpearman['40']! > gxi.noiseSpearman['10']!);
  assert.ok(gxi.noiseSpearman['20']! > gxi.noiseSpearman['0']!);
});

test('physiology: region masks from the R peak and RR; shares per class', () => {
  const g = { fs: 125, rIndex: 0, length: 187 };
  const mask = regionMask(g, 0.8, 0.8);
  const span = (code: number) => {
    const idx = [...mask].map((m, i) => (m === code ? i : -1)).filter((i) => i >= 0);
    return [idx[0], idx[idx.length - 1]];
  };
  assert.equal(span(0), [0, 6]);
  assert.equal(span(2), [13, 46]);
  assert.equal(span(1), [69, 93]);
  // An R-centred window at 360 Hz (R at sample 90) holds this beat's P wave.
  const c = regionMask({ fs: 360, rIndex: 90, length: 256 }, 1, 1);
  assert.is(c[90], 0);
  assert.is(c[90 - 60], 1);
  assert.is(c[90 + 100], 2);
  const values = new Float32Array(2 * 187);
  for (let t = 0; t <= 6; t++) values[t] = 1;
  for (let t = 13; t <= 46; t++) values[187 + t] = -1;
  values[187 + 0] = 34;
  const rows = physiology(values, { ...g, channels: 1, rr: Float32Array.from([0.8, 0.8, 0.8, 0.8]), rrFeatures: 2, labels: [0, 1], classes: ['N', 'V', 'S'] });
  assert.equal(rows.map((r) => r.className), ['N', 'V', 'all']);
  assert.ok(Math.abs(rows[0]!.share.qrs - 1) < 1e-9);
  assert.ok(Math.abs(rows[1]!.share.qrs - 0.5) < 1e-9 && Math.abs(rows[1]!.share.t - 0.5) < 1e-9);
  assert.ok(Math.abs(rows[0]!.chance.qrs - 7 / 187) < 1e-9);
  assert.throws(() => physiology(values, { ...g, channels: 1, rr: new Float32Array(0), rrFeatures: 0, labels: [0, 1], classes: ['N', 'V'] }), /needs RR features/);
});

test('every method runs through the evaluation on a BatchNorm CNN', () => {
  const clf = new ExplainedModel(smallCnn(), { length: 32 });
  const x = randomBeats(2, 32, 8);
  const a = attribute(clf, x, 'grad-cam');
  const f = faithfulness(clf, x, a, { replacement: 'linear', steps: 4 });
  assert.ok(Number.isFinite(f.deletion.auc) && Number.isFinite(f.insertion.auc));
});

test.run();
