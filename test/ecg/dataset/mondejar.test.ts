// The Mondéjar-Guerra (2019) beat features (src/ecg/dataset/mondejar.ts) against their code: wavelets by
// pywt, HOS by scipy.stats and their uniform-LBP and morphology descriptors ported line by line to Python 3
// (fixtures: scripts/make-mondejar-fixtures.py, made once), the RR intervals as their compute_RR_intervals,
// the R-peak realignment, and the feature layout of the 'mondejar' set.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { MONDEJAR_FEATURES, MONDEJAR_GROUPS, describeBeat, mondejarIntervals, mondejarRows, realignPeaks } from '../../../src/ecg/dataset/mondejar.ts';
import { removeBaseline } from '../../../src/ecg/dsp/baseline.ts';
import { rrFeatureNames } from '../../../src/ecg/dataset/beat-features.ts';

interface Beat { beat: number[]; wavelets: number[]; hos: number[]; lbp: number[]; morph: number[] }
const { beats } = JSON.parse(readFileSync(new URL('../../fixtures/mondejar/features.json', import.meta.url), 'utf8')) as { beats: Beat[] };

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.is(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

test("the beat descriptors equal their code's on synthetic beats (wavelets, HOS, LBP, morphology)", () => {
  for (const [k, b] of beats.entries()) {
    const row = new Float32Array(96);
    describeBeat(Float64Array.from(b.beat), row, 0);
    close(row.subarray(0, 23), b.wavelets, 1e-5, `beat ${k} wavelets`);
    close(row.subarray(23, 33), b.hos, 1e-4, `beat ${k} HOS`);
    close(row.subarray(33, 92), b.lbp, 0, `beat ${k} LBP`);
    close(row.subarray(92, 96), b.morph, 1e-5, `beat ${k} morphology`);
  }
});

test('RR intervals as their compute_RR_intervals: pre, post, local (own + 9 previous), global (past 5 minutes)', () => {
  const fs = 10, r = [0, 10, 30, 40, 60, 3100, 3110, 3125];
  const rr = mondejarIntervals(r, fs);
  const pre = [1, 1, 2, 1, 2, 304, 1, 1.5], post = [1, 2, 1, 2, 304, 1, 1.5, 1.5];
  const rows = Array.from({ length: r.length }, (_, i) => Array.from(rr.subarray(i * 4, i * 4 + 4)));
  rows.forEach((row, i) => {
    assert.ok(Math.abs(row[0]! - pre[i]!) < 1e-12 && Math.abs(row[1]! - post[i]!) < 1e-12, `beat ${i}: ${row}`);
    const from = Math.max(0, i - 9), own = pre.slice(from, i + 1);
    assert.ok(Math.abs(row[2]! - own.reduce((a, b) => a + b, 0) / own.length) < 1e-12, `local ${i}`);
  });
  // global: beat 0 its own pre-RR; beat 5 (t = 310 s) sees beats 1..4 within 300 s before it? t − t_j < 300:
  // beats at 1, 3, 4, 6 s are 304..309 s before: none; so its own pre-RR. Beat 6 (311 s) sees beat 5 only.
  assert.is(rows[0]![3], 1);
  assert.is(rows[4]![3], (1 + 1 + 2 + 1) / 4);
  assert.is(rows[5]![3], 304);
  assert.is(rows[6]![3], 304);
  assert.is(rows[7]![3], (304 + 1) / 2);
  assert.equal(Array.from(mondejarIntervals([5], 360)), [0, 0, 0, 0]);
});

test('R peaks move to the first maximum within ±20 samples (360 Hz); the layout of the set', () => {
  const x = new Float32Array(200);
  x[100] = 1;
  x[115] = 2;
  x[130] = 3;
  assert.equal(Array.from(realignPeaks(x, 360, [100, 5, 199])), [115, 5, 199]);
  assert.is(MONDEJAR_FEATURES.length, MONDEJAR_GROUPS.reduce((a, b) => a + b, 0));
  assert.equal(rrFeatureNames('mondejar'), MONDEJAR_FEATURES.slice());
  // mondejarRows = baseline removal, realignment, the window, describeBeat: a beat on a flat line.
  const sig = new Float32Array(2000);
  beats[0]!.beat.forEach((v, i) => (sig[700 + i] = v));
  const one = mondejarRows(sig, 360, [790]);
  const flat = removeBaseline(sig, 360, { first: 71 / 360, second: 215 / 360 });
  const w = new Float64Array(180), at = realignPeaks(flat, 360, [790])[0]!;
  for (let i = 0; i < 180; i++) w[i] = flat[at - 90 + i]!;
  const expect = new Float32Array(96);
  describeBeat(w, expect, 0);
  close(one.subarray(8, 104), expect, 1e-6, 'rows = describeBeat of the window');
  const rows = mondejarRows(new Float32Array(1000), 360, [100, 400, 700]);
  assert.is(rows.length, 3 * 104);
  assert.ok(rows.every(Number.isFinite), 'a flat signal gives finite features');
  assert.is(mondejarRows(new Float32Array(10), 360, []).length, 0);
});

test.run();
