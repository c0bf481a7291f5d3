// The causal window (src/ecg/dataset/causal-window.ts) and its RR features (causal-rr.ts): the layout and
// normalisation against a float64 reference written from the file's header, causality (samples and beats
// after the look-ahead change nothing), the warm-up, edges, and the way through recordBeats and model-file
// metadata.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { causalBeats, causalWindow, causalWindowSpec } from '../../src/ecg/dataset/causal-window.ts';
import { CAUSAL_RR_FEATURES, causalRrFeatures } from '../../src/ecg/dataset/causal-rr.ts';
import { causalFeatureNames, causalFeatureRows } from '../../src/ecg/dataset/causal-features.ts';
import { CAUSAL_PATIENT_FEATURES } from '../../src/ecg/dataset/causal-patient.ts';
import { recordBeats } from '../../src/ecg/dataset/record-beats.ts';
import { datasetMeta, datasetOptionsOf } from '../../src/ecg/dataset/dataset-meta.ts';
import { AAMI } from '../../src/ecg/dataset/labels.ts';
import { Rng } from '../../src/core/random.ts';
import type { WfdbRecord } from '../../src/ecg/wfdb/record.ts';
import type { Annotations } from '../../src/ecg/wfdb/annotations.ts';

const spec = causalWindowSpec();

function noise(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i / 7) + 0.5 * rng.normal());
}

/** The header's definition in float64: the slice around p, min-max over the 10 s ending at the window's end. */
function reference(y: ArrayLike<number>, p: number): Float64Array {
  const { length, before, after, norm } = spec;
  const e = Math.min(p + after, y.length);
  let lo = Infinity, hi = -Infinity;
  for (let i = Math.max(0, e - norm); i < e; i++) { lo = Math.min(lo, y[i]!); hi = Math.max(hi, y[i]!); }
  const w = new Float64Array(length);
  for (let j = 0; j < length; j++) {
    const s = p - before + j;
    w[j] = s >= 0 && s < e && hi > lo ? (y[s]! - lo) / (hi - lo) : 0;
  }
  return w;
}

test('layout at 125 Hz: 187 samples, 157 before the R peak and 30 from it on, normalised over 1250 samples', () => {
  assert.equal(spec, { length: 187, after: 30, before: 157, norm: 1250 });
  assert.equal(causalWindowSpec(360, 540), { length: 540, after: 86, before: 454, norm: 3600 });
  assert.throws(() => causalWindowSpec(0), /fs must be positive/);
});

test('windows equal the float64 reference: interior beats, beats in the warm-up, at the start and at the end', () => {
  const y = noise(125 * 40, 1);
  const peaks = [3, 60, 157, 400, 1249, 1250, 2600, 4000, y.length - 20, y.length - 1];
  const w = causalBeats(y, 125, peaks);
  let worst = 0;
  peaks.forEach((p, k) => {
    const ref = reference(y, p);
    for (let j = 0; j < 187; j++) worst = Math.max(worst, Math.abs(w[k * 187 + j]! - ref[j]!));
  });
  assert.ok(worst < 1e-6, `max |causal - reference| ${worst}`);
  // The R peak sits at index 157; before the signal starts and after it ends the window is 0.
  assert.is(w[0 * 187 + 0], 0);
  for (let j = 157 + 1; j < 187; j++) assert.is(w[9 * 187 + j], 0, 'after the end');
  for (const v of w) assert.ok(v >= 0 && v <= 1);
});

test('causality: changing any sample after the look-ahead leaves the window unchanged; the last one read changes it', () => {
  const y = noise(125 * 30, 2);
  const p = 2000;
  const base = causalBeats(y, 125, [p]);
  const later = y.slice();
  for (let i = p + spec.after; i < later.length; i++) later[i] = 100 * Math.cos(i); // huge: it would set the range
  assert.equal(Array.from(causalBeats(later, 125, [p])), Array.from(base));
  const last = y.slice();
  last[p + spec.after - 1] = 50;
  assert.not.equal(Array.from(causalBeats(last, 125, [p])), Array.from(base));
  // A sample 10 s before the window's end is still in the range; one just older is not.
  const old = y.slice();
  old[p + spec.after - spec.norm - 1] = 100;
  assert.equal(Array.from(causalBeats(old, 125, [p])), Array.from(base));
  old[p + spec.after - spec.norm] = 100;
  assert.not.equal(Array.from(causalBeats(old, 125, [p])), Array.from(base));
});

test('warm-up: in the first 10 s the range is that of the signal so far; a flat signal gives zeros', () => {
  const y = new Float32Array(125 * 20).fill(1);
  y[100] = 3; // a peak early on
  y[1600] = 5; // later, out of every early window's reach
  const [w] = [causalBeats(y, 125, [300])];
  // Range [1, 3]: the flat part maps to 0 (the peak at 100 is outside this window, 143..329, but inside its range).
  assert.is(w[0], 0);
  assert.is(Math.max(...w), 0);
  const at = causalBeats(y, 125, [150]); // window -7..179 holds the peak at 100 -> index 107
  assert.is(at[107], 1);
  assert.is(at[106], 0);
  assert.equal(Array.from(causalBeats(new Float32Array(3000), 125, [500, 1000])), new Array(374).fill(0));
});

test('the same function cuts a window from a partial buffer (absolute offsets), as the stream does', () => {
  const y = noise(5000, 3);
  const p = 3100, from = p + spec.after - spec.norm;
  const a = new Float32Array(187), b = new Float32Array(187);
  causalWindow(y, 0, y.length, p, spec, a);
  causalWindow(y.subarray(from, p + spec.after), from, p + spec.after + 500, p, spec, b);
  assert.equal(Array.from(b), Array.from(a));
  assert.throws(() => causalWindow(y.subarray(from + 1, p + spec.after), from + 1, y.length, p, spec, b), /not held/);
});

test('resampling first: a 360 Hz signal gives the windows of its 125 Hz resampling', () => {
  const x = noise(360 * 20, 4);
  const w = causalBeats(x, 360, [3600, 5000]);
  assert.is(w.length, 374);
  for (const v of w) assert.ok(v >= 0 && v <= 1);
  assert.ok(w.some((v) => v > 0));
});

test('causal RR features: previous interval, the one before, mean of up to 10 previous; no future beat read', () => {
  const fs = 100;
  const beats = [0, 100, 180, 300, 380, 500];
  const f = causalRrFeatures(beats, fs);
  const row = (k: number) => Array.from(f.subarray(k * 6, k * 6 + 6), (v) => Math.round(v * 1e4) / 1e4);
  assert.equal(CAUSAL_RR_FEATURES, ['preRR', 'prePreRR', 'localRR', 'preRR/localRR', 'prePreRR/localRR', 'preRR/prePreRR']);
  assert.equal(row(0), [0, 0, 0, 0, 0, 0]);
  assert.equal(row(1), [1, 1, 1, 1, 1, 1]);
  assert.equal(row(2), [0.8, 1, 0.9, Math.round((0.8 / 0.9) * 1e4) / 1e4, Math.round((1 / 0.9) * 1e4) / 1e4, 0.8]);
  assert.equal(row(3), [1.2, 0.8, 1, 1.2, 0.8, 1.5]);
  // Row k reads beats[0..k] only: later beats moved anywhere change nothing before them.
  const moved = causalRrFeatures([0, 100, 180, 300, 390, 700], fs);
  assert.equal(Array.from(moved.subarray(0, 24)), Array.from(f.subarray(0, 24)));
  // localRR averages the 10 previous intervals only.
  const many = Array.from({ length: 30 }, (_, i) => i * 100 + (i > 15 ? 50 : 0));
  const g = causalRrFeatures(many, fs);
  assert.ok(Math.abs(g[28 * 6 + 2]! - 1) < 1e-6 && Math.abs(g[16 * 6 + 2]! - 1.05) < 1e-6);
});

/** A synthetic record: narrow beats every 0.8 s, one V-like wide beat. */
function syntheticRecord(): { record: WfdbRecord; ann: Annotations } {
  const fs = 360, n = fs * 40;
  const x = new Float32Array(n);
  const beats: number[] = [], symbols: string[] = [];
  for (let at = 200, k = 0; at < n - 200; at += 288, k++) {
    beats.push(at);
    symbols.push(k === 20 ? 'V' : 'N');
    for (let t = -40; t <= 120; t++) if (at + t < n) x[at + t]! += (k === 20 ? -1 : 1.5) * Math.exp(-0.5 * (t / (k === 20 ? 14 : 4)) ** 2) + 0.3 * Math.exp(-0.5 * ((t - 100) / 18) ** 2);
  }
  const record = { recordName: 'syn', nSig: 1, fs, sigLen: n, sigName: ['MLII'], pSignal: [x] } as unknown as WfdbRecord;
  return { record, ann: { sample: Int32Array.from(beats), symbol: symbols } as unknown as Annotations };
}

test('recordBeats with window "causal": 187 samples at 125 Hz, every beat kept, causal RR features', () => {
  const { record, ann } = syntheticRecord();
  const b = recordBeats(record, ann, AAMI, { window: 'causal' });
  assert.is(b.length, 187);
  assert.is(b.fs, 125);
  assert.is(b.y.length, ann.sample.length);
  assert.equal(b.rrFeatures, CAUSAL_RR_FEATURES.slice());
  assert.equal(Array.from(b.x.subarray(5 * 187, 6 * 187)), Array.from(causalBeats(record.pSignal[0]!, 360, [ann.sample[5]!])));
  assert.equal(Array.from(b.rr), Array.from(causalRrFeatures(ann.sample, 360)));
  // The R peak is at index 157 (the previous one 0.8 s earlier, at 57): the narrow beats' maxima.
  const w = b.x.subarray(10 * 187, 11 * 187);
  assert.is(w[157], Math.max(...w));
  assert.is(w[57], Math.max(...w));
  assert.ok(w[107]! < 0.5 * w[157]!);
});

test('causal patient features: RR over the recent median, the wide beat unlike the recent median beat, past only', () => {
  const { record, ann } = syntheticRecord();
  const x = record.pSignal[0]!, fs = 360;
  const b = recordBeats(record, ann, AAMI, { window: 'causal', rrSet: 'patient' });
  assert.equal(b.rrFeatures, [...CAUSAL_RR_FEATURES, ...CAUSAL_PATIENT_FEATURES]);
  assert.is(b.rr.length, ann.sample.length * 15);
  const col = (f: Float32Array, k: number, name: string) => f[k * 15 + 6 + CAUSAL_PATIENT_FEATURES.indexOf(name)]!;
  // The first beat is its own template; regular beats match the recent median beat; beat 20 (wide, inverted) does not.
  assert.equal(Array.from(b.rr.subarray(6, 15)), [1, 1, 1, 1, 1, 1, 0, 1, 1]);
  assert.ok(Math.abs(col(b.rr, 10, 'preRR/recRR') - 1) < 1e-6);
  for (const name of ['qrsCorr', 'stCorr']) assert.ok(col(b.rr, 19, name) > 0.99, `${name} ${col(b.rr, 19, name)}`);
  assert.ok(col(b.rr, 19, 'rmsDiff') < 0.05, `rmsDiff ${col(b.rr, 19, 'rmsDiff')}`);
  assert.ok(col(b.rr, 20, 'qrsCorr') < 0, `wide beat qrsCorr ${col(b.rr, 20, 'qrsCorr')}`);
  assert.ok(col(b.rr, 20, 'rmsDiff') > 1, `wide beat rmsDiff ${col(b.rr, 20, 'rmsDiff')}`);
  for (const v of b.rr) assert.ok(Number.isFinite(v));
  // Causal: a different signal and other beats after beat 25's window leave beats 0..25 unchanged (at
  // 360 Hz the window's last sample needs input up to the resampler's half-width, 52 samples, later).
  const rows = causalFeatureRows('patient', x, fs, ann.sample);
  const y = x.slice();
  const cut = ann.sample[25]! + Math.ceil(0.232 * fs) + 53;
  for (let i = cut; i < y.length; i++) y[i] = Math.sin(i);
  const other = causalFeatureRows('patient', y, fs, [...Array.from(ann.sample.subarray(0, 26)), cut + 500, cut + 900]);
  assert.equal(Array.from(other.subarray(0, 26 * 15)), Array.from(rows.subarray(0, 26 * 15)));
  assert.not.equal(Array.from(other.subarray(26 * 15, 27 * 15)), Array.from(rows.subarray(26 * 15, 27 * 15)));
});

test('refusals: whole-record feature sets with the causal window, unknown window kinds in model files', () => {
  const { record, ann } = syntheticRecord();
  for (const set of ['rhythm', 'irregular', 'dechazal'] as const)
    assert.throws(() => recordBeats(record, ann, AAMI, { window: 'causal', rrSet: set }), new RegExp(`'${set}' uses statistics of the whole record: use the Kachuee window`));
  assert.throws(() => causalFeatureNames('bogus' as never), /rrSet must be one of/);
  assert.equal(datasetMeta({ window: 'causal' }), { window: 'causal' });
  assert.equal(datasetMeta({ window: 'kachuee' }), {});
  assert.equal(datasetOptionsOf({ window: 'causal' }), { window: 'causal' });
  assert.equal(datasetOptionsOf({ window: 'kachuee' }), {});
  assert.throws(() => datasetOptionsOf({ window: 'centred' }), /unknown window "centred" \(known: kachuee, causal\); it needs a newer ecgrad/);
});

test.run();
