// Rhythm features (src/ecg/dataset/rhythm.ts) against a plain float64 reference on synthetic records
// built in code, and the 'rhythm' feature set through beatFeatureRows and recordBeats.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AVERAGE_RR_HALF_WINDOW, RHYTHM_FEATURES, rhythmFeatures } from '../../src/ecg/dataset/rhythm.ts';
import { beatFeatureRows, rrFeatureNames, rrSetOfWidth } from '../../src/ecg/dataset/beat-features.ts';
import { PATIENT_FEATURES } from '../../src/ecg/dataset/patient.ts';
import { RR_FEATURES } from '../../src/ecg/dataset/rr.ts';
import { recordBeats } from '../../src/ecg/dataset/record-beats.ts';
import { AAMI } from '../../src/ecg/dataset/labels.ts';
import { Rng } from '../../src/core/random.ts';
import type { WfdbRecord } from '../../src/ecg/wfdb/record.ts';
import type { Annotations } from '../../src/ecg/wfdb/annotations.ts';

const FS = 100; // a low rate keeps the 10-minute records small

/** The RR part of the features, straight from the definitions (float64, brute force). */
function reference(beats: number[], fs: number): number[][] {
  const m = beats.length - 1;
  const rr = Array.from({ length: m }, (_, i) => (beats[i + 1]! - beats[i]!) / fs);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const recMean = mean(rr);
  return beats.map((t, k) => {
    const inWindow = rr.filter((_, i) => beats[i]! >= t - AVERAGE_RR_HALF_WINDOW * fs && beats[i + 1]! <= t + AVERAGE_RR_HALF_WINDOW * fs);
    const pre = k > 0 ? rr[k - 1]! : rr[0]!, post = k < m ? rr[k]! : rr[m - 1]!;
    const avg = inWindow.length ? mean(inWindow) : pre;
    const centred = mean(rr.slice(Math.max(0, k - 5), Math.min(m, k + 5)));
    return [avg, centred, pre / avg, post / avg, centred / avg, pre / recMean, post / recMean];
  });
}

/** Beats over 10 minutes: RR 1.0 s (± 5%) for the first 4 minutes, then 0.6 s (± 5%), a premature beat now and then. */
function rhythm(seed: number): number[] {
  const rng = new Rng(seed), beats: number[] = [];
  let t = 50;
  while (t < 600 * FS) {
    beats.push(t);
    const base = t < 240 * FS ? 1.0 : 0.6;
    const early = rng.uniform() < 0.05 ? 0.6 : 1;
    t += Math.round(base * early * (0.95 + 0.1 * rng.uniform()) * FS);
  }
  return beats;
}

test('rhythm features: the RR averages and ratios match a float64 brute-force reference', () => {
  for (const seed of [1, 2]) {
    const beats = rhythm(seed);
    const x = new Float32Array(beats[beats.length - 1]! + 100);
    const f = rhythmFeatures(x, FS, beats), ref = reference(beats, FS), F = RHYTHM_FEATURES.length;
    assert.is(f.length, beats.length * F);
    for (let k = 0; k < beats.length; k++)
      for (let j = 0; j < 7; j++) {
        const got = f[k * F + j]!, want = ref[k]![j]!;
        if (Math.abs(got - want) > 1e-5 * Math.max(1, Math.abs(want))) assert.unreachable(`beat ${k}, ${RHYTHM_FEATURES[j]}: ${got} vs ${want}`);
      }
    // The 5-minute average follows the rhythm: about 1 s at the start, 0.6 s at the end.
    assert.ok(Math.abs(f[0]! - 1.0 * 0.99) < 0.05, `avgRR at the start ${f[0]}`);
    assert.ok(Math.abs(f[(beats.length - 1) * F]! - 0.6 * 0.99) < 0.05, `avgRR at the end ${f[(beats.length - 1) * F]}`);
  }
});

test('rhythm features: a premature beat is short against both averages; pRatio is the P wave over the QRS', () => {
  const fs = 360, beats: number[] = [];
  let t = 400;
  for (let k = 0; k < 60; k++) { t += Math.round((k === 30 ? 0.5 : 0.8) * fs); beats.push(t); }
  const x = new Float32Array(t + 400);
  beats.forEach((b, k) => {
    for (let s = -150; s <= 250; s++) {
      const u = s / fs;
      const p = k === 40 ? 0 : 0.25 * Math.exp(-0.5 * ((u + 0.16) / 0.02) ** 2); // beat 40 has no P wave
      x[b + s]! += p + Math.exp(-0.5 * (u / 0.01) ** 2);
    }
  });
  const f = rhythmFeatures(x, fs, beats), F = RHYTHM_FEATURES.length, at = (k: number, name: string) => f[k * F + RHYTHM_FEATURES.indexOf(name)]!;
  assert.ok(at(30, 'preRR/avgRR') < 0.7 && at(30, 'preRR/recMeanRR') < 0.7);
  assert.ok(Math.abs(at(10, 'preRR/avgRR') - 1) < 0.02);
  assert.ok(at(10, 'pRatio') > 0.15 && at(10, 'pRatio') < 0.35, `pRatio with a P wave ${at(10, 'pRatio')}`);
  assert.ok(at(40, 'pRatio') < 0.05, `pRatio without a P wave ${at(40, 'pRatio')}`);
  // Edges: a beat whose window does not fit has pRatio 0; one beat has no interval at all.
  assert.is(rhythmFeatures(x, fs, [10, ...beats.slice(1)])[RHYTHM_FEATURES.indexOf('pRatio')], 0);
  assert.equal(Array.from(rhythmFeatures(x, fs, [beats[5]!])), new Array(F).fill(0));
  assert.is(rhythmFeatures(x, fs, []).length, 0);
});

test('the rhythm set: 23 named features per beat, the first 15 as with the patient set', () => {
  const beats = rhythm(3), x = new Float32Array(beats[beats.length - 1]! + 100);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i / 7);
  assert.equal(rrFeatureNames('rhythm'), [...RR_FEATURES, ...PATIENT_FEATURES, ...RHYTHM_FEATURES]);
  assert.is(rrSetOfWidth(23), 'rhythm');
  assert.is(rrSetOfWidth(15), 'patient');
  assert.is(rrSetOfWidth(7), undefined);
  const p = beatFeatureRows('patient', x, FS, beats), r = beatFeatureRows('rhythm', x, FS, beats);
  const standalone = rhythmFeatures(x, FS, beats);
  for (let k = 0; k < beats.length; k++) {
    assert.equal(Array.from(r.subarray(k * 23, k * 23 + 15)), Array.from(p.subarray(k * 15, k * 15 + 15)));
    assert.equal(Array.from(r.subarray(k * 23 + 15, k * 23 + 23)), Array.from(standalone.subarray(k * 8, k * 8 + 8)));
  }
  const record = { recordName: 'syn', nSig: 1, fs: FS, sigLen: x.length, sigName: ['MLII'], pSignal: [x] } as unknown as WfdbRecord;
  const ann = { sample: Int32Array.from(beats), symbol: beats.map(() => 'N') } as unknown as Annotations;
  const rb = recordBeats(record, ann, AAMI, { window: { before: 20, after: 30 }, rrSet: 'rhythm' });
  assert.is(rb.rrFeatures.length, 23);
  assert.is(rb.rr.length, rb.y.length * 23);
});

test.run();
