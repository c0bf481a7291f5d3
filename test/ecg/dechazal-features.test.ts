// The de Chazal 2004 feature set: RR intervals and averages, wave durations (with the record median where
// the delineator found no limit), the P flag, and both leads sampled at the paper's instants.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DECHAZAL_FEATURES, DECHAZAL_P_INSTANTS, DECHAZAL_QRS_INSTANTS, DECHAZAL_T_INSTANTS, dechazalFeatures, dechazalRelativeFeatures, dechazalRelativeNames, dechazalRelativeRows, dechazalRows, type BeatWaves } from '../../src/ecg/dataset/dechazal.ts';
import { beatFeatureRows, rrFeatureNames, rrSetOfWidth } from '../../src/ecg/dataset/beat-features.ts';
import { IRREGULARITY_FEATURES, irregularityFeatures } from '../../src/ecg/dataset/irregularity.ts';
import { recordBeats } from '../../src/ecg/dataset/record-beats.ts';
import { AAMI } from '../../src/ecg/dataset/labels.ts';
import type { WfdbRecord } from '../../src/ecg/wfdb/record.ts';
import type { Annotations } from '../../src/ecg/wfdb/annotations.ts';

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

test("the patient-relative sets: 44 and 60 named features, recognised by width", () => {
  assert.is(dechazalRelativeNames('dechazal-relative').length, 44);
  assert.is(dechazalRelativeNames('dechazal-relative-p').length, 60);
  assert.equal(rrFeatureNames('dechazal-relative'), dechazalRelativeNames('dechazal-relative'));
  assert.is(rrSetOfWidth(44), 'dechazal-relative');
  assert.is(rrSetOfWidth(60), 'dechazal-relative-p');
  assert.is(rrSetOfWidth(49), 'dechazal-relative-irregular');
  assert.equal(dechazalRelativeNames('dechazal-relative-irregular').slice(44), [...IRREGULARITY_FEATURES]);
  assert.equal(DECHAZAL_P_INSTANTS.map((t) => Math.round(t * 1000)), [-275, -250, -225, -200, -175, -150, -125, -100]);
});

test('relative RR ratios, intervals copied, morphology as deviation from the median beat over its QRS peak-to-peak', () => {
  const A = DECHAZAL_FEATURES.length;
  const absolute = dechazalFeatures(leadA, leadB, fs, beats, waves());
  const W = 60, out = dechazalRelativeFeatures(absolute, leadA, leadB, fs, beats, true);
  assert.is(out.length, beats.length * W);
  const near = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) < tol;
  for (let k = 0; k < beats.length; k++) {
    const a = absolute.subarray(k * A, (k + 1) * A), r = out.subarray(k * W, (k + 1) * W);
    assert.ok(near(r[0]!, a[0]! / a[2]!) && near(r[1]!, a[1]! / a[2]!) && near(r[2]!, a[3]! / a[2]!), `beat ${k} RR ratios`);
    assert.ok(near(r[3]!, a[0]! / a[3]!) && near(r[4]!, a[1]! / a[0]!));
    assert.equal(Array.from(r.subarray(5, 8)), Array.from(a.subarray(4, 7)));
  }
  // lead A is a ramp x(t) = t / 1000: at every instant the median over the 5 beats is the middle beat's (1000),
  // the median beat's QRS peak-to-peak is 150 ms of ramp, so a beat's deviation is (beat − 1000) / 1000 / pp
  const ppA = (Math.round(0.1 * fs) - Math.round(-0.05 * fs)) / 1000;
  const r0 = out.subarray(0, W);
  assert.ok(near(r0[8]!, (360 - 1000) / 1000 / ppA), `${r0[8]}`);
  // the P instants (after lead A's 18): R − 275 ms of beat 0 lies in the record
  assert.ok(near(r0[8 + 18]!, (360 - 1000) / 1000 / ppA));
  // lead B (−t) gives the same deviations scaled by its own peak-to-peak: the same values negated
  assert.ok(near(r0[8 + 26]!, -r0[8]!, 1e-4), `${r0[8 + 26]}`);
  // the middle beat is the patient's usual beat: zero deviation everywhere
  const r2 = out.subarray(2 * W, 3 * W);
  for (let j = 8; j < W; j++) assert.ok(near(r2[j]!, 0), `feature ${j}: ${r2[j]}`);
});

test('the relative rows need two leads; a mismatched absolute array is an error; beatFeatureRows refuses them', () => {
  assert.throws(() => dechazalRelativeRows(leadA, undefined, fs, beats, 'dechazal-relative'), /'dechazal-relative' beat features need two leads/);
  assert.is(dechazalRelativeRows(leadA, leadB, fs, beats, 'dechazal-relative').length, beats.length * 44);
  assert.throws(() => dechazalRelativeFeatures(new Float32Array(3), leadA, leadB, fs, beats, false), /3 absolute values for 5 beats x 43/);
  assert.throws(() => beatFeatureRows('dechazal-relative-p', leadA, fs, beats), /dechazalRelativeRows/);
  // the irregular variant: the 44 relative features, then the irregularity rows of the same beats
  const rel = dechazalRelativeRows(leadA, leadB, fs, beats, 'dechazal-relative');
  const withIrr = dechazalRelativeRows(leadA, leadB, fs, beats, 'dechazal-relative-irregular');
  const irr = irregularityFeatures(beats, fs);
  for (let k = 0; k < beats.length; k++) {
    assert.equal(Array.from(withIrr.subarray(k * 49, k * 49 + 44)), Array.from(rel.subarray(k * 44, (k + 1) * 44)));
    assert.equal(Array.from(withIrr.subarray(k * 49 + 44, (k + 1) * 49)), Array.from(irr.subarray(k * 5, (k + 1) * 5)));
  }
  // a flat record (no QRS amplitude) divides by 1, not 0
  const flat = new Float32Array(2400);
  const rows = dechazalRelativeRows(flat, flat, fs, beats, 'dechazal-relative-p');
  assert.ok(rows.every(Number.isFinite));
});

test('recordBeats builds the relative sets from MLII and the second lead, and names the record that has one lead', () => {
  // 20 s of a beat-like waveform every 0.8 s on two leads at 360 Hz
  const n = 360 * 20, peaks = Array.from({ length: 23 }, (_, k) => 400 + k * 288);
  const a = new Float32Array(n), b = new Float32Array(n);
  for (const p of peaks) for (let t = -20; t <= 20; t++) { a[p + t] = Math.exp(-(t * t) / 40); b[p + t] = -0.5 * Math.exp(-(t * t) / 60); }
  const two = { recordName: 'syn2', nSig: 2, fs: 360, sigLen: n, sigName: ['MLII', 'V1'], pSignal: [a, b] } as unknown as WfdbRecord;
  const ann = { sample: Int32Array.from(peaks), symbol: peaks.map(() => 'N') } as unknown as Annotations;
  for (const [set, width] of [['dechazal-relative', 44], ['dechazal-relative-p', 60], ['dechazal-relative-irregular', 49]] as const) {
    const rb = recordBeats(two, ann, AAMI, { rrSet: set });
    assert.is(rb.rrFeatures.length, width, set);
    assert.is(rb.rr.length, rb.y.length * width, set);
    assert.ok(rb.rr.every(Number.isFinite), set);
  }
  const one = { recordName: 'syn1', nSig: 1, fs: 360, sigLen: n, sigName: ['MLII'], pSignal: [a] } as unknown as WfdbRecord;
  assert.throws(() => recordBeats(one, ann, AAMI, { rrSet: 'dechazal-relative' }), /record syn1 has no lead besides its first; its signals are MLII/);
});

test.run();
