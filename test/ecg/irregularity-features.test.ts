// RR-irregularity features (src/ecg/dataset/irregularity.ts) against a plain reference written from the
// definitions, on synthetic rhythms: regular with isolated premature beats, and irregular (AF-like).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IRREGULARITY_FEATURES, irregularityFeatures } from '../../src/ecg/dataset/irregularity.ts';
import { beatFeatureRows, rrFeatureNames, rrSetOfWidth } from '../../src/ecg/dataset/beat-features.ts';
import { PATIENT_FEATURES } from '../../src/ecg/dataset/patient.ts';
import { RR_FEATURES } from '../../src/ecg/dataset/rr.ts';
import { Rng } from '../../src/core/random.ts';

const FS = 360;

function med(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The definitions, beat by beat (float64). */
function reference(beats: number[]): number[][] {
  const rr = beats.slice(1).map((b, i) => (b - beats[i]!) / FS);
  const stats = (k: number, C: number) => {
    const before = rr.slice(Math.max(0, k - 1 - C), Math.max(0, k - 1));
    const after = rr.slice(k + 1, k + 1 + C);
    const d = [before, after].flatMap((s) => s.slice(1).map((v, i) => Math.abs(v - s[i]!)));
    const m = med([...before, ...after]);
    return [d.length ? med(d) / m : 0, d.length ? d.filter((x) => x > 0.1 * m).length / d.length : 0, m];
  };
  return beats.map((_, k) => {
    const [d10, f10, m] = stats(k, 10), [d30, f30] = stats(k, 30);
    return [d10!, f10!, (k > 0 ? rr[k - 1]! : rr[0]!) / m!, d30!, f30!];
  });
}

function rhythm(irregular: boolean, seed: number): number[] {
  const rng = new Rng(seed), beats: number[] = [];
  let t = 100;
  for (let k = 0; k < 200; k++) {
    beats.push(t);
    const rr = irregular ? 0.4 + 0.6 * rng.uniform() : (k % 25 === 12 ? 0.5 : 0.8) * (0.98 + 0.04 * rng.uniform());
    t += Math.round(rr * FS);
  }
  return beats;
}

test('irregularity features match the reference; regular rhythms score low, irregular ones high', () => {
  const F = IRREGULARITY_FEATURES.length;
  const mean = (f: Float32Array, j: number) => { let s = 0; for (let k = 0; k < f.length / F; k++) s += f[k * F + j]!; return s / (f.length / F); };
  for (const irregular of [false, true]) {
    const beats = rhythm(irregular, 3), f = irregularityFeatures(beats, FS), ref = reference(beats);
    for (let k = 0; k < beats.length; k++)
      for (let j = 0; j < F; j++)
        if (Math.abs(f[k * F + j]! - ref[k]![j]!) > 1e-5) assert.unreachable(`beat ${k} ${IRREGULARITY_FEATURES[j]}: ${f[k * F + j]} vs ${ref[k]![j]}`);
    for (const [d, fr] of [[0, 1], [3, 4]]) {
      if (irregular) assert.ok(mean(f, d!) > 0.2 && mean(f, fr!) > 0.6, `AF-like: ${mean(f, d!)}, ${mean(f, fr!)}`);
      else assert.ok(mean(f, d!) < 0.05 && mean(f, fr!) < 0.2, `regular: ${mean(f, d!)}, ${mean(f, fr!)}`);
    }
  }
  // A premature beat in the regular rhythm: short against its context.
  const beats = rhythm(false, 3), f = irregularityFeatures(beats, FS);
  assert.ok(f[13 * F + 2]! < 0.7, `preRR/ctxRR of the premature beat ${f[13 * F + 2]}`);
  assert.ok(Math.abs(f[40 * F + 2]! - 1) < 0.05);
});

test('irregularity features: tiny records', () => {
  assert.is(irregularityFeatures([], FS).length, 0);
  assert.equal(Array.from(irregularityFeatures([100], FS)), [0, 0, 1, 0, 0]);
  const three = irregularityFeatures([100, 400, 700], FS);
  assert.ok(Array.from(three).every(Number.isFinite));
});

test('the irregular set: 20 named features, the first 15 as with the patient set', () => {
  const beats = rhythm(true, 4), x = new Float32Array(beats[beats.length - 1]! + 400);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i / 9);
  assert.equal(rrFeatureNames('irregular'), [...RR_FEATURES, ...PATIENT_FEATURES, ...IRREGULARITY_FEATURES]);
  assert.is(rrSetOfWidth(20), 'irregular');
  const p = beatFeatureRows('patient', x, FS, beats), r = beatFeatureRows('irregular', x, FS, beats), g = irregularityFeatures(beats, FS);
  for (let k = 0; k < beats.length; k++) {
    assert.equal(Array.from(r.subarray(k * 20, k * 20 + 15)), Array.from(p.subarray(k * 15, k * 15 + 15)));
    assert.equal(Array.from(r.subarray(k * 20 + 15, k * 20 + 20)), Array.from(g.subarray(k * 5, k * 5 + 5)));
  }
});

test.run();
