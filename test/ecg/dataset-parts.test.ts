// Specification of the dataset building blocks on small generated inputs: labels, RR features,
// windows (centred and Kachuee), splits, class weights, oversampling, batches, the binary form and the
// Kaggle CSV reader.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { batches } from '../../src/ecg/dataset/batches.ts';
import type { BeatDataset } from '../../src/ecg/dataset/dataset.ts';
import { classWeights, oversample } from '../../src/ecg/dataset/imbalance.ts';
import { parseKaggleCsv } from '../../src/ecg/dataset/kaggle-csv.ts';
import { AAMI, ARRHYTHMINET } from '../../src/ecg/dataset/labels.ts';
import { rrFeatures } from '../../src/ecg/dataset/rr.ts';
import { deserializeDataset, serializeDataset } from '../../src/ecg/dataset/serialize.ts';
import { stratifiedSplit } from '../../src/ecg/dataset/split.ts';
import { centredWindows, kachueeBeats } from '../../src/ecg/dataset/windows.ts';

test('AAMI classes group the beat symbols as EC57 does; ArrhythmiNet keeps N, L, R, A, V', () => {
  const groups: Record<string, string> = { N: 'N', L: 'N', R: 'N', e: 'N', j: 'N', A: 'S', a: 'S', J: 'S', S: 'S', V: 'V', E: 'V', F: 'F', '/': 'Q', f: 'Q', Q: 'Q' };
  for (const [sym, cls] of Object.entries(groups)) assert.is(AAMI.classes[AAMI.classOf(sym)], cls, sym);
  assert.is(AAMI.classOf('+'), -1);
  assert.equal(['N', 'L', 'R', 'A', 'V'].map(ARRHYTHMINET.classOf), [0, 1, 2, 3, 4]);
  assert.equal(['F', '/', 'E', 'a'].map(ARRHYTHMINET.classOf), [-1, -1, -1, -1]);
});

test('RR features: previous, next, local mean (up to 10 previous) and their ratios, in seconds', () => {
  const f = rrFeatures([0, 100, 300, 400], 100);
  const row = (i: number) => Array.from(f.subarray(i * 6, i * 6 + 6)).map((v) => Math.round(v * 1000) / 1000);
  assert.equal(row(0), [1, 1, 1, 1, 1, 1]); // the first beat borrows its next interval
  assert.equal(row(1), [1, 2, 1, 1, 2, 0.5]);
  assert.equal(row(2), [2, 1, 1.5, 1.333, 0.667, 2]);
  assert.equal(row(3), [1, 1, 1.333, 0.75, 0.75, 1]); // the last beat borrows its previous interval
});

test('centred windows put the R peak at sample `before` and report peaks too close to the edges', () => {
  const x = Float32Array.from({ length: 20 }, (_, i) => i);
  const { windows, fits } = centredWindows(x, [1, 10, 18], 2, 3);
  assert.equal(Array.from(fits), [0, 1, 0]);
  assert.equal(Array.from(windows.subarray(5, 10)), [8, 9, 10, 11, 12]);
});

test('Kachuee beats start at the R peak, span 1.2 median RR, are normalised to [0, 1] per 10 s and zero padded to 187', () => {
  // 125 Hz input (no resampling): beats every 100 samples, a spike of 10 at each, a small ripple.
  const fs = 125, n = 2500;
  const x = Float32Array.from({ length: n }, (_, i) => (i % 100 === 50 ? 10 : 0.01 * (i % 2)));
  const peaks = Array.from({ length: 25 }, (_, k) => 50 + 100 * k);
  const b = kachueeBeats(x, fs, peaks, { fs: 125 });
  assert.is(b.length, 25 * 187);
  const first = b.subarray(0, 187);
  assert.is(first[0], 1); // the spike is the window maximum
  assert.ok(Math.abs(first[1]! - 0.001) < 1e-6); // ripple 0.01 of a 0..10 range
  assert.ok(first[119]! > 0 && first.subarray(120).every((v) => v === 0)); // 1.2 x 100 = 120 samples, then zeros
  // A beat near the end of a 10 s window is cut at the window's end.
  const last = b.subarray(12 * 187, 13 * 187); // peak 1250 opens the second window: full length
  assert.ok(last[119]! > 0);
  const before = b.subarray(11 * 187, 12 * 187); // peak 1150: only 100 samples left in window 1
  assert.ok(before[99]! > 0 && before[100] === 0);
});

test('stratified split: 70/10/20 of each class, disjoint, covering every row, reproducible from the seed', () => {
  const y = Int32Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : i % 50 === 1 ? 2 : 0));
  const s = stratifiedSplit(y, 3, 42);
  const count = (rows: Int32Array, c: number) => rows.filter((i) => y[i] === c).length;
  assert.equal([count(s.train, 1), count(s.val, 1), count(s.test, 1)], [70, 10, 20]);
  const all = [...s.train, ...s.val, ...s.test].sort((a, b) => a - b);
  assert.equal(all, Array.from({ length: 1000 }, (_, i) => i));
  assert.equal(stratifiedSplit(y, 3, 42), s);
  assert.not.equal(Array.from(stratifiedSplit(y, 3, 43).test), Array.from(s.test));
});

test('class weights: inverse frequency n / (K n_c) and effective number (1 - b) / (1 - b^n_c), mean 1', () => {
  const y = Int32Array.from([0, 0, 0, 1]);
  assert.equal(Array.from(classWeights(y, 2)), [4 / 6, 2].map(Math.fround));
  const e = classWeights(y, 3, { method: 'effective', beta: 0.5 });
  const raw = [0.5 / (1 - 0.125), 0.5 / 0.5];
  assert.ok(Math.abs(e[0]! - (2 * raw[0]!) / (raw[0]! + raw[1]!)) < 1e-6 && e[2] === 0);
});

test('oversampling repeats minority rows of the given split until each class matches the largest', () => {
  const y = Int32Array.from([0, 0, 0, 0, 1, 2, 2, 1]);
  const rows = Int32Array.from([0, 1, 2, 3, 4, 5]); // row 7 is outside the split
  const o = oversample(y, rows, 1);
  assert.equal([0, 1, 2].map((c) => o.filter((i) => y[i] === c).length), [4, 4, 4]);
  assert.ok(!o.includes(7) && !o.includes(6));
  assert.equal(oversample(y, rows, 1), o);
});

function tinyDataset(): BeatDataset {
  const n = 10;
  return {
    protocol: 'intra', seed: 0, classes: ['N', 'S'], channels: 2, length: 3, fs: 125,
    x: Float32Array.from({ length: n * 6 }, (_, i) => i), rr: Float32Array.from({ length: n * 6 }, (_, i) => -i),
    rrFeatures: ['a', 'b', 'c', 'd', 'e', 'f'], y: Int32Array.from({ length: n }, (_, i) => i % 2),
    records: ['100', '101'], record: Int32Array.from({ length: n }, (_, i) => (i < 5 ? 0 : 1)),
    sample: Int32Array.from({ length: n }, (_, i) => 100 * i), symbol: 'NANANANANA'.split(''),
    split: { train: Int32Array.from([0, 1, 2, 3, 4, 5, 6]), val: Int32Array.from([7]), test: Int32Array.from([8, 9]) },
    options: { window: 'kachuee' },
  };
}

test('batches: every row of the split once, rows copied intact, shuffled reproducibly by the seed', () => {
  const ds = tinyDataset();
  const got = [...batches(ds, ds.split.train, 3, 5)];
  assert.equal(got.map((b) => b.y.length), [3, 3, 1]);
  const seen = got.flatMap((b) => Array.from(b.index));
  assert.equal(seen.slice().sort(), [0, 1, 2, 3, 4, 5, 6]);
  assert.not.equal(seen, [0, 1, 2, 3, 4, 5, 6]);
  const b = got[0]!, i = b.index[1]!;
  assert.equal(Array.from(b.x.subarray(6, 12)), Array.from(ds.x.subarray(i * 6, i * 6 + 6)));
  assert.equal(Array.from(b.rr.subarray(6, 12)), Array.from(ds.rr.subarray(i * 6, i * 6 + 6)));
  assert.is(b.y[1], ds.y[i]);
  assert.equal([...batches(ds, ds.split.train, 3, 5)].flatMap((b) => Array.from(b.index)), seen);
});

test('the binary form round-trips a dataset exactly', () => {
  const ds = tinyDataset();
  assert.equal(deserializeDataset(serializeDataset(ds)), ds);
  assert.throws(() => deserializeDataset(new Uint8Array(16)), /not an ecgrad dataset file/);
});

test('Kaggle CSV rows (187 values and a label) parse; malformed rows name the line and column', () => {
  const row = (label: string, v = 0.5) => [...new Array(187).fill(v.toExponential(18)), label].join(',');
  const csv = `${row('0.000000000000000000e+00')}\n${row('4.000000000000000000e+00', 0.25)}\n`;
  const k = parseKaggleCsv(csv, 'mitbih_test.csv');
  assert.equal(Array.from(k.y), [0, 4]);
  assert.is(k.x.length, 374);
  assert.equal([k.x[0], k.x[187]], [0.5, 0.25]);
  assert.throws(() => parseKaggleCsv(`${row('0')}\n1,2,3\n`, 'm.csv'), /m\.csv line 2: expected 188 comma-separated values/);
  assert.throws(() => parseKaggleCsv(row('7'), 'm.csv'), /line 1: the label \(column 188\) must be an integer 0-4, got "7"/);
  assert.throws(() => parseKaggleCsv(row('1').replace(/^[^,]+/, 'x'), 'm.csv'), /line 1, column 1: expected a number, got "x"/);
});

test.run();
