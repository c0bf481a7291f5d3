// Synthetic premature beats (src/train/premature.ts and personalize()'s `premature` option): the feature
// names of a model file, the plan (which columns are intervals, which ratios), the row arithmetic, the
// errors of personalize() when the option cannot work, determinism, and a real effect: a copy personalised
// on a wearer's N beats only keeps finding that wearer's premature S beats when the option is on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync } from '../../src/all.ts';
import { Rng } from '../../src/core/random.ts';
import { encodeModel, modelFromBytes } from '../../src/nn/model-file.ts';
import type { Module } from '../../src/nn/index.ts';
import { modelSpec } from '../../src/models/index.ts';
import { train } from '../../src/train/trainer.ts';
import { personalize, PersonalizeError, type LabelledBeats } from '../../src/train/personalize.ts';
import { beatFeatureNamesOf, prematurePlan, prematureRow, withPrematureBeats, type PrematurePlan } from '../../src/train/premature.ts';
import { runSettings } from '../../src/train/run-settings.ts';
import { RR_FEATURES } from '../../src/ecg/dataset/rr.ts';
import { rrFeatureNames } from '../../src/ecg/dataset/beat-features.ts';
import { causalFeatureNames } from '../../src/ecg/dataset/causal-features.ts';
import { stratifiedSplit } from '../../src/ecg/dataset/split.ts';
import type { BeatDataset } from '../../src/ecg/dataset/dataset.ts';
import { argmax, forwardInBatches, forwardOf, inEvalMode, sliceBatches } from '../../src/nn/forward.ts';
import { throwsNamed, TINY, tinyInput } from './helpers.ts';

initSync();

test('beatFeatureNamesOf: the names of the model\'s set, by window and rrSet; null when unknown or of another width', () => {
  assert.equal(beatFeatureNamesOf({}, 6), RR_FEATURES.slice());
  assert.equal(beatFeatureNamesOf({ rrSet: 'local' }, 6), RR_FEATURES.slice());
  assert.equal(beatFeatureNamesOf({ window: 'causal' }, 6), causalFeatureNames('local'));
  assert.equal(beatFeatureNamesOf({ rrSet: 'patient' }, 15), rrFeatureNames('patient'));
  assert.is(beatFeatureNamesOf({}, 0), null);
  assert.is(beatFeatureNamesOf({}, 7), null);
  assert.is(beatFeatureNamesOf({ rrSet: 'bogus' }, 6), null);
});

test('prematurePlan: intervals rescaled, ratios copied; sets with other features refused with the feature named', () => {
  const plan = prematurePlan(RR_FEATURES) as PrematurePlan;
  assert.type(plan, 'object');
  assert.is(plan.local, RR_FEATURES.indexOf('localRR'));
  assert.equal(plan.interval, RR_FEATURES.map((n) => !n.includes('/')));
  const causal = prematurePlan(causalFeatureNames('local'));
  assert.type(causal, 'object');
  const patient = prematurePlan(rrFeatureNames('patient'));
  assert.type(patient, 'string');
  assert.match(patient as string, /the beat feature preRR\/recRR is neither an RR interval nor a ratio of two/);
  assert.match(prematurePlan(['preRR', 'postRR']) as string, /have no localRR/);
});

test('prematureRow: the S beat\'s intervals at the wearer\'s local RR, its ratios unchanged', () => {
  const plan = prematurePlan(RR_FEATURES) as PrematurePlan;
  const row = (pre: number, post: number, local: number) => Float32Array.from([pre, post, local, pre / local, post / local, pre / post]);
  const w = new Float32Array([9, 9, 9, 9, 9, 9, ...row(1.1, 1.0, 1.2)]); // the wearer row at offset 6
  const s = row(0.45, 1.05, 0.75);
  const out = new Float32Array(8).fill(-1);
  prematureRow(plan, w, 6, s, 0, out, 1);
  const k = 1.2 / 0.75;
  const expect = [0.45 * k, 1.05 * k, 1.2, 0.45 / 0.75, 1.05 / 0.75, 0.45 / 1.05];
  for (let j = 0; j < 6; j++) assert.ok(Math.abs(out[1 + j]! - expect[j]!) < 1e-6, `column ${RR_FEATURES[j]}: ${out[1 + j]} vs ${expect[j]}`);
  assert.is(out[0], -1);
  assert.is(out[7], -1);
  // Consistent: every ratio column equals the ratio of the synthetic intervals.
  assert.ok(Math.abs(out[1]! / out[3]! - out[4]!) < 1e-6 && Math.abs(out[2]! / out[3]! - out[5]!) < 1e-6 && Math.abs(out[1]! / out[2]! - out[6]!) < 1e-6);
  // An S row without a positive localRR lends its values unscaled.
  const z = row(0.5, 1, 0.8);
  z[2] = 0;
  prematureRow(plan, w, 6, z, 0, out, 0);
  assert.equal(Array.from(out.subarray(0, 6)), Array.from(z));
});

// A population whose S beats share the N beats' morphology and differ in timing (premature: the previous
// interval 0.55 of the local RR, the next 1.35), and V beats of another shape. Patients differ in morphology
// (a phase) and heart rate.
const L = 48, CLASSES = ['N', 'S', 'V'];
function beats(n: number, seed: number, o: { phase: number; local: number; probs: [number, number, number] }): LabelledBeats & { y: Int32Array; rr: Float32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * L), rr = new Float32Array(n * 6), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    const c = u < o.probs[0] ? 0 : u < o.probs[0] + o.probs[1] ? 1 : 2;
    y[i] = c;
    const periods = c === 2 ? 3 : 1;
    for (let t = 0; t < L; t++) x[i * L + t] = Math.sin(2 * Math.PI * periods * (t / L) + o.phase) * (c === 2 ? 1.8 : 1) + 0.15 * rng.normal();
    const local = o.local * (1 + 0.03 * rng.normal());
    const pre = local * (c === 1 ? 0.55 : 1) * (1 + 0.04 * rng.normal()), post = local * (c === 1 ? 1.35 : 1) * (1 + 0.04 * rng.normal());
    rr.set([pre, post, local, pre / local, post / local, pre / post], i * 6);
  }
  return { x, y, rr };
}
function population(): BeatDataset {
  const parts = [0, 1, 2, 3].map((p) => beats(150, 100 + p, { phase: 0.25 * p, local: 0.7 + 0.06 * p, probs: [0.6, 0.25, 0.15] }));
  const n = parts.reduce((s, b) => s + b.y.length, 0);
  const x = new Float32Array(n * L), rr = new Float32Array(n * 6), y = new Int32Array(n), record = new Int32Array(n);
  let at = 0;
  parts.forEach((b, p) => {
    x.set(b.x, at * L);
    rr.set(b.rr, at * 6);
    y.set(b.y, at);
    record.fill(p, at, at + b.y.length);
    at += b.y.length;
  });
  return {
    protocol: 'intra', seed: 0, classes: CLASSES, x, channels: 1, length: L, fs: 125, rr, rrFeatures: RR_FEATURES.slice(), y,
    records: ['p0', 'p1', 'p2', 'p3'], record, sample: Int32Array.from({ length: n }, (_, i) => i * 300),
    symbol: Array.from(y, (c) => 'NSV'[c]!), split: stratifiedSplit(y, 5, 0), options: {},
  };
}

const ds = population();
const input = tinyInput(ds, 0, true);
const trained = train({ model: TINY, input, recipe: { ...modelSpec(TINY).recipe, epochs: 8, lr: 1e-2 }, seed: 0, patience: 0 },
  { dataset: ds, trainRows: ds.split.train, valRows: ds.split.val });
const globalBytes = encodeModel(trained.model, { arch: TINY, config: input as unknown as Record<string, unknown>, meta: { protocol: 'intra', classes: CLASSES } });
const replay: LabelledBeats = { x: ds.x, rr: ds.rr, y: ds.y };
// The wearer: another morphology, a slower heart; its labelled minutes hold N beats only.
const wearerOf = { phase: 1.4, local: 1.05 };
const fit = beats(150, 7, { ...wearerOf, probs: [1, 0, 0] });
const held = beats(600, 8, { ...wearerOf, probs: [0.6, 0.3, 0.1] });

function recall(model: Module, b: typeof held): number[] {
  const shape = { channels: 1, length: L, rrFeatures: 6 };
  const n = b.y.length;
  const { out } = inEvalMode(model, () => forwardInBatches(n, sliceBatches(b.x, b.rr, shape, 128), shape, forwardOf(model)));
  const hit = [0, 0, 0], all = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    all[b.y[i]!]!++;
    if (argmax(out, i * 3, 3) === b.y[i]) hit[b.y[i]!]!++;
  }
  return hit.map((h, k) => h / Math.max(all[k]!, 1));
}

const opts = { steps: 80, batchSize: 32, lr: 1e-2, l2sp: 0, replay, replayBatch: 8, seed: 1 } as const;
test('synthetic premature beats keep the wearer\'s S beats found when the labelled minutes hold none (a real check that can fail)', () => {
  const plain = recall(personalize(globalBytes, fit, opts).model, held);
  const synth = recall(personalize(globalBytes, fit, { ...opts, premature: 16 }).model, held);
  const fmt = (r: number[]) => r.map((v) => v.toFixed(2)).join(' / ');
  assert.ok(synth[1]! >= 0.8 && synth[1]! >= plain[1]! + 0.2, `S recall without ${fmt(plain)}, with ${fmt(synth)} (N / S / V)`);
  assert.ok(synth[0]! >= 0.85, `N recall with premature beats ${fmt(synth)}`);
});

test('premature: deterministic for a seed, and it changes the result', () => {
  const a = personalize(globalBytes, fit, { ...opts, steps: 6, premature: 4 });
  const b = personalize(globalBytes, fit, { ...opts, steps: 6, premature: 4 });
  const c = personalize(globalBytes, fit, { ...opts, steps: 6 });
  assert.equal(a.bytes, b.bytes);
  assert.not.equal(a.bytes, c.bytes);
  assert.is((a.header.meta.personalized as { options: { premature: number } }).options.premature, 4);
});

test('premature: a PersonalizeError when the model, the wearer or the replay cannot give synthetic S beats', () => {
  const throwsWith = (f: () => unknown, re: RegExp) => throwsNamed(f, PersonalizeError, re);
  const p = { ...opts, steps: 2, premature: 4 };
  throwsWith(() => personalize(globalBytes, fit, { ...p, replay: null }), /takes the timing of real S beats from the replay beats; none were given/);
  const noS = { x: replay.x, rr: replay.rr, y: Int32Array.from(ds.y, (v) => (v === 1 ? 0 : v)) };
  throwsWith(() => personalize(globalBytes, fit, { ...p, replay: noS }), /they hold no S beat/);
  const onlyV = { ...fit, y: new Int32Array(fit.y.length).fill(2) };
  throwsWith(() => personalize(globalBytes, onlyV, p), /makes S beats from the wearer's N beats; the wearer's beats hold none/);
  throwsWith(() => personalize(globalBytes, fit, { ...p, premature: -1 }), /premature/);
  // A model without beat features, one whose features are of an unknown set, one of the patient set.
  const plainInput = { ...input, rrFeatures: 0 };
  const plain = encodeModel(modelSpec(TINY).build(plainInput), { arch: TINY, config: plainInput as unknown as Record<string, unknown>, meta: { classes: CLASSES } });
  throwsWith(() => personalize(plain, { x: fit.x, y: fit.y }, { ...p, replay: { x: replay.x, y: replay.y } }), /needs a model that takes RR beat features/);
  const odd = { ...input, rrFeatures: 7 };
  const oddBytes = encodeModel(modelSpec(TINY).build(odd), { arch: TINY, config: odd as unknown as Record<string, unknown>, meta: { classes: CLASSES } });
  const rr7 = (b: { y: ArrayLike<number> }) => new Float32Array(b.y.length * 7).fill(0.8);
  throwsWith(() => personalize(oddBytes, { ...fit, rr: rr7(fit) }, { ...p, replay: { ...replay, rr: rr7(ds) } }), /the model's 7 beat features are not a known set/);
  const pat = { ...input, rrFeatures: 15 };
  const patBytes = encodeModel(modelSpec(TINY).build(pat), { arch: TINY, config: pat as unknown as Record<string, unknown>, meta: { classes: CLASSES, rrSet: 'patient' } });
  const rr15 = (b: { y: ArrayLike<number> }) => new Float32Array(b.y.length * 15).fill(0.8);
  throwsWith(() => personalize(patBytes, { ...fit, rr: rr15(fit) }, { ...p, replay: { ...replay, rr: rr15(ds) } }), /preRR\/recRR is neither an RR interval/);
  // Classes without S.
  const nv = { ...input, classes: 2 };
  const nvBytes = encodeModel(modelSpec(TINY).build(nv), { arch: TINY, config: nv as unknown as Record<string, unknown>, meta: { classes: ['N', 'V'] } });
  const nvY = (b: { y: Int32Array }) => Int32Array.from(b.y, (v) => (v === 2 ? 1 : 0));
  throwsWith(() => personalize(nvBytes, fit, { ...p, replay: { ...replay, y: nvY(ds) } }), /needs classes N and S; the model's are N, V/);
});

test('withPrematureBeats: K synthetic S beats per training record, each a real N window of the record with an S beat\'s timing', () => {
  const train = ds.split.train;
  const a = withPrematureBeats(ds, train, 25, 3);
  const n0 = ds.y.length, records = [...new Set(Array.from(train, (i) => ds.record[i]!))];
  assert.is(a.dataset.y.length, n0 + 25 * records.length);
  assert.equal(a.added, Object.fromEntries(records.sort().map((r) => [ds.records[r]!, 25])));
  assert.equal(Array.from(a.trainRows.subarray(0, train.length)), Array.from(train));
  assert.equal(Array.from(a.trainRows.subarray(train.length)), Array.from({ length: 25 * records.length }, (_, j) => n0 + j));
  // The real beats are untouched, and so are the splits.
  assert.equal(a.dataset.x.subarray(0, n0 * L), ds.x);
  assert.equal(a.dataset.rr.subarray(0, n0 * 6), ds.rr);
  assert.is(a.dataset.split, ds.split);
  const trainSet = new Set(train);
  const sRatios = new Set(Array.from(train).filter((i) => ds.y[i] === 1).map((i) => Array.from(ds.rr.subarray(i * 6 + 3, i * 6 + 6)).join()));
  for (let k = n0; k < a.dataset.y.length; k++) {
    assert.is(a.dataset.y[k], 1);
    assert.is(a.dataset.symbol[k], 'S');
    // Its window is an N training beat of its record, at that beat's R peak, with that beat's local RR.
    const src = Array.from(train).find((i) => ds.record[i] === a.dataset.record[k] && ds.sample[i] === a.dataset.sample[k])!;
    assert.ok(trainSet.has(src) && ds.y[src] === 0);
    assert.equal(a.dataset.x.subarray(k * L, (k + 1) * L), ds.x.subarray(src * L, (src + 1) * L));
    assert.ok(Math.abs(a.dataset.rr[k * 6 + 2]! - ds.rr[src * 6 + 2]!) < 1e-6);
    // Its ratios are those of a real S training beat.
    assert.ok(sRatios.has(Array.from(a.dataset.rr.subarray(k * 6 + 3, k * 6 + 6)).join()), `row ${k}: ratios of no S beat`);
  }
  // Seeded: the same seed, the same rows; another seed, other pairs; 0 per record adds nothing.
  assert.equal(withPrematureBeats(ds, train, 25, 3).dataset.rr, a.dataset.rr);
  assert.not.equal(withPrematureBeats(ds, train, 25, 4).dataset.rr, a.dataset.rr);
  assert.is(withPrematureBeats(ds, train, 0, 3).dataset.y.length, n0);
});

test('training on an augmented split: the synthetic beats are trained on, and the model file says how (meta)', () => {
  const a = withPrematureBeats(ds, ds.split.train, 10, 0);
  let best: Uint8Array | null = null;
  const r = train({ model: TINY, input, recipe: { ...modelSpec(TINY).recipe, epochs: 1 }, seed: 0, patience: 0, meta: { synthPremature: 10 } },
    { dataset: a.dataset, trainRows: a.trainRows, valRows: ds.split.val }, { writeBest: (b) => (best = b) });
  assert.is(r.steps, Math.ceil(a.trainRows.length / modelSpec(TINY).recipe.batchSize));
  assert.ok(best, 'no model file written');
  assert.is(modelFromBytes(best!).header.meta.synthPremature, 10);
});

test('withPrematureBeats and --synth-premature: clear errors when the data cannot give synthetic S beats', () => {
  const train = ds.split.train;
  assert.throws(() => withPrematureBeats(ds, Int32Array.from(train).filter((i) => ds.y[i] !== 1), 5, 0), /takes the timing of real S beats of the training split; it holds none/);
  assert.throws(() => withPrematureBeats({ ...ds, rrFeatures: rrFeatureNames('patient') }, train, 5, 0), /preRR\/recRR is neither an RR interval/);
  assert.throws(() => withPrematureBeats({ ...ds, classes: ['N', 'A', 'V'] }, train, 5, 0), /needs classes N and S; the dataset's are N, A, V/);
  assert.throws(() => withPrematureBeats(ds, train, 1.5, 0), /must be an integer >= 0, got 1.5/);
  assert.throws(() => runSettings({ synthPremature: 10 }), /synth-premature.*needs the RR beat features beside the window \(--rr\)/);
  assert.is(runSettings({ synthPremature: 10, rr: true }).synthPremature, 10);
});

test.run();
