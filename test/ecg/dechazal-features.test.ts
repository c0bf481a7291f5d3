// The de Chazal 2004 feature set: RR intervals and averages, wave durations (with the record median where
// the delineator found no limit), the P flag, and both leads sampled at the paper's instants.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DECHAZAL_FEATURES, DECHAZAL_QRS_INSTANTS, DECHAZAL_T_INSTANTS, dechazalFeatures, dechazalRows, type BeatWaves } from '../../src/ecg/dataset/dechazal.ts';
import { beatFeatureRows, rrFeatureNames, rrSetOfWidth } from '../../src/ecg/dataset/beat-features.ts';

const fs = 360;
const beats = [360, 720, 1000, 1400, 1800];
const leadA = Float32Array.from({ length: 2400 }, (_, i) => i / 1000); // a ramp: the sample at t reads t / 1000
const leadB = Float32Array.from({ length: 2400 }, (_, i) => -i);
const waves = (): BeatWaves => ({
  qrsOnset: Int32Array.from(beats, (b) => b - 18), qrsOffset: Int32Array.from(beats, (b, k) => (k === 2 ? -1 : b + 18)),
  tOffset: Int32Array.from(beats, (b, k) => (k === 3 ? -1 : b + 144)), pPresent: Uint8Array.from([1, 1, 0, 1, 0]),
});

test('43 named features: 4 RR, 3 heartbeat intervals, 10 + 8 samples per lead', () => {
  assert.is(DECHAZAL_FEATURES.length, 43);
  assert.equal(rrFeatureNames('dechazal'), DECHAZAL_FEATURES);
  assert.is(rrSetOfWidth(43), 'dechazal');
  assert.equal(DECHAZAL_QRS_INSTANTS.map((t) => Math.round(t * 1000)), [-50, -33, -17, 0, 17, 33, 50, 67, 83, 100]);
  assert.equal(DECHAZAL_T_INSTANTS.map((t) => Math.round(t * 1000)), [150, 200, 250, 300, 350, 400, 450, 500]);
});

test('RR features, durations with median fallback, P flag and morphology samples', () => {
  const F = DECHAZAL_FEATURES.length;
  const out = dechazalFeatures(leadA, leadB, fs, beats, waves());
  const row = (k: number) => Array.from(out.subarray(k * F, (k + 1) * F));
  const rr = [1, 280 / 360, 400 / 360, 400 / 360];
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  // beat 2: pre 280/360 s, post 400/360 s, avg over all 4 intervals, local = mean of intervals 0..3
  const r2 = row(2);
  assert.ok(near(r2[0]!, rr[1]!) && near(r2[1]!, rr[2]!), `${r2.slice(0, 2)}`);
  assert.ok(near(r2[2]!, rr.reduce((a, b) => a + b) / 4) && near(r2[3]!, rr.reduce((a, b) => a + b) / 4));
  // the first beat's previous interval is its next one
  assert.ok(near(row(0)[0]!, 1) && near(row(0)[1]!, 1));
  // QRS 36 samples = 0.1 s; beat 2 has no offset: the median (0.1 s) and the T duration median
  assert.ok(near(row(0)[4]!, 0.1) && near(r2[4]!, 0.1));
  assert.ok(near(row(0)[5]!, 126 / 360) && near(r2[5]!, 126 / 360) && near(row(3)[5]!, 126 / 360));
  assert.equal(Array.from({ length: 5 }, (_, k) => row(k)[6]), [1, 1, 0, 1, 0]);
  // morphology: lead A at beat + round(t * fs), lead B likewise (negated ramp)
  const t0 = 1000 + Math.round(-0.05 * fs);
  assert.ok(near(r2[7]!, t0 / 1000), `${r2[7]}`);
  assert.ok(near(r2[7 + 10]!, (1000 + Math.round(0.15 * fs)) / 1000));
  assert.is(r2[7 + 18]!, -t0);
});

test('instants outside the record read 0; one beat has no interval; a mismatched waves array is an error', () => {
  const F = DECHAZAL_FEATURES.length;
  const one = dechazalFeatures(leadA, leadB, fs, [5], { qrsOnset: Int32Array.of(-1), qrsOffset: Int32Array.of(-1), tOffset: Int32Array.of(-1), pPresent: Uint8Array.of(0) });
  assert.is(one.length, F);
  assert.equal(Array.from(one.subarray(0, 7)), [0, 0, 0, 0, 0, 0, 0]);
  assert.is(one[7], 0, 'FP - 50 ms lies before the record');
  assert.throws(() => dechazalFeatures(leadA, leadB, fs, beats, { ...waves(), pPresent: new Uint8Array(2) }), /waves.pPresent has 2 entries for 5 beats/);
});

test("the 'dechazal' rows need the second lead; beatFeatureRows (the streaming path) points to dechazalRows", () => {
  assert.throws(() => dechazalRows(leadA, undefined, fs, beats), /need two leads/);
  const rows = dechazalRows(leadA, leadB, fs, beats);
  assert.is(rows.length, beats.length * 43);
  assert.throws(() => beatFeatureRows('dechazal', leadA, fs, beats), /use dechazalRows/);
});

test.run();
