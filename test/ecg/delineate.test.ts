// The wave delineator (src/ecg/delineate): synthetic beats of Gaussian P, Q, R, S and T waves at known
// positions, robustness at the signal's edges and in noise, input validation, and real MIT-BIH records
// (100: normal sinus rhythm; 232: sinus bradycardia with many APCs; 201 and 203: atrial fibrillation),
// which are skipped when the database is absent.
// Truth for a Gaussian wave of centre mu and width sigma: onset mu - 2 sigma, offset mu + 2 sigma, where
// the tangent at its steepest point meets the baseline (the tangent method). Tolerances: the CSE working
// party's (2 s_CSE, Laguna et al. 1994 table): P on 10.2 ms, P off 12.7, QRS on 6.5, QRS off 11.6,
// T off 30.6; T peak and T onset 15 ms and 20 ms here (CSE gives none).
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { delineate, type Delineation } from '../../src/ecg/delineate/index.ts';
import { removeBaseline } from '../../src/ecg/dsp/baseline.ts';
import { butterworth, filtfilt } from '../../src/ecg/dsp/butterworth.ts';
import { isBeatSymbol } from '../../src/ecg/wfdb/annotation-codes.ts';
import { rdann, rdrecord } from '../../src/node/wfdb-files.ts';
import { mitdbDir } from './helpers.ts';

const FS = 360;
const TOL = { pOn: 10.2, pPeak: 10, pOff: 12.7, qrsOn: 6.5, qrsOff: 11.6, tOn: 20, tPeak: 15, tOff: 30.6 }; // ms

/** Wave centres (s from R), widths (s) and amplitudes (mV) of the synthetic beat. */
const WAVES = {
  p: { mu: -0.17, sigma: 0.025, a: 0.15 },
  q: { mu: -0.025, sigma: 0.008, a: -0.1 },
  r: { mu: 0, sigma: 0.01, a: 1.2 },
  s: { mu: 0.025, sigma: 0.008, a: -0.25 },
  t: { mu: 0.28, sigma: 0.045, a: 0.3 },
};
const TRUTH = {
  pOn: WAVES.p.mu - 2 * WAVES.p.sigma, pPeak: WAVES.p.mu, pOff: WAVES.p.mu + 2 * WAVES.p.sigma,
  qrsOn: WAVES.q.mu - 2 * WAVES.q.sigma, qrsOff: WAVES.s.mu + 2 * WAVES.s.sigma,
  tOn: WAVES.t.mu - 2 * WAVES.t.sigma, tPeak: WAVES.t.mu, tOff: WAVES.t.mu + 2 * WAVES.t.sigma,
};

/** T-wave scale of beat k: sqrt(RR / 0.8 s) (Bazett), RR to the next beat (the previous for the last). */
function tScale(peaks: number[], k: number): number {
  if (peaks.length < 2) return 1;
  const rr = k < peaks.length - 1 ? peaks[k + 1]! - peaks[k]! : peaks[k]! - peaks[k - 1]!;
  return Math.sqrt(rr / FS / 0.8);
}

/**
 * A signal of n samples with beats at `peaks`; beats listed in `noP` have no P wave. The T wave's centre
 * and width scale with tScale (so the truth does too: see checkBeat).
 */
function synthetic(n: number, peaks: number[], noP: number[] = []) {
  const x = new Float64Array(n);
  peaks.forEach((r, k) => {
    for (const [name, w] of Object.entries(WAVES)) {
      if (name === 'p' && noP.includes(k)) continue;
      const f = name === 't' ? tScale(peaks, k) : 1;
      const c = r + w.mu * f * FS, s = w.sigma * f * FS;
      for (let i = Math.max(0, Math.floor(c - 6 * s)); i <= Math.min(n - 1, Math.ceil(c + 6 * s)); i++) x[i]! += w.a * Math.exp(-((i - c) ** 2) / (2 * s * s));
    }
  });
  return x;
}

/** Seeded standard normal deviates (mulberry32 + Box-Muller). */
function gaussian(seed: number) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const FIELDS = { pOn: 'pOnset', pPeak: 'pPeak', pOff: 'pOffset', qrsOn: 'qrsOnset', qrsOff: 'qrsOffset', tOn: 'tOnset', tPeak: 'tPeak', tOff: 'tOffset' } as const;

/** Checks beat k (R at peaks[k]) against the truth, within `scale` times the tolerances (`qrsOnScale` for the QRS onset). */
function checkBeat(d: Delineation, k: number, peaks: number[], withP: boolean, scale = 1, what = '', qrsOnScale = scale) {
  const r = peaks[k]!, f = tScale(peaks, k);
  assert.is(d.pPresent[k], withP ? 1 : 0, `${what} beat ${k}: P present`);
  for (const [key, field] of Object.entries(FIELDS) as [keyof typeof FIELDS, (typeof FIELDS)[keyof typeof FIELDS]][]) {
    const got = d[field][k]!;
    if (key.startsWith('p') && !withP) {
      assert.is(got, -1, `${what} beat ${k}: ${field} without a P wave`);
      continue;
    }
    const err = ((got - r) / FS - TRUTH[key] * (key.startsWith('t') ? f : 1)) * 1000;
    const tol = TOL[key] * (key === 'qrsOn' ? qrsOnScale : scale);
    assert.ok(got >= 0 && Math.abs(err) <= tol, `${what} beat ${k}: ${field} off by ${err.toFixed(1)} ms (tolerance ${tol} ms)`);
  }
}

function assertOrdered(d: Delineation, peaks: ArrayLike<number>, n: number) {
  for (let k = 0; k < peaks.length; k++) {
    const pts = [d.pOnset[k]!, d.pPeak[k]!, d.pOffset[k]!, d.qrsOnset[k]!, peaks[k]!, d.qrsOffset[k]!, d.tOnset[k]!, d.tPeak[k]!, d.tOffset[k]!].filter((v) => v >= 0);
    for (let i = 1; i < pts.length; i++) assert.ok(pts[i]! >= pts[i - 1]!, `beat ${k}: points out of order ${pts}`);
    for (const v of pts) assert.ok(v < n, `beat ${k}: ${v} outside the signal`);
    if (k > 0 && d.tOffset[k - 1]! >= 0 && d.pOnset[k]! >= 0) assert.ok(d.pOnset[k]! > d.tOffset[k - 1]!, `beat ${k}: P starts before the previous T ends`);
  }
}

test('synthetic beats at 360 Hz: every point within the CSE tolerances, P absent where omitted', () => {
  const peaks = Array.from({ length: 10 }, (_, k) => 400 + 288 * k); // RR 0.8 s
  const noP = [3, 7];
  const x = synthetic(3600, peaks, noP);
  const d = delineate(x, FS, peaks);
  peaks.forEach((_, k) => checkBeat(d, k, peaks, !noP.includes(k)));
  assertOrdered(d, peaks, x.length);
  // Float32Array input: the same positions within a sample
  const d32 = delineate(Float32Array.from(x), FS, Int32Array.from(peaks));
  for (const f of Object.values(FIELDS)) for (let k = 0; k < peaks.length; k++) assert.ok(Math.abs(d32[f][k]! - d[f][k]!) <= 1, `${f}[${k}] Float32 vs Float64`);
  assert.equal(d32.pPresent, d.pPresent);
});

test('heart rate changes: RR from 0.55 s to 1.3 s (T wave scaled by Bazett) keeps every point within tolerance', () => {
  const rrs = [0.55, 0.6, 0.8, 1.0, 1.3, 1.3, 0.7];
  const peaks = [300];
  for (const rr of rrs) peaks.push(peaks[peaks.length - 1]! + Math.round(rr * FS));
  const x = synthetic(peaks[peaks.length - 1]! + 400, peaks);
  const d = delineate(x, FS, peaks);
  peaks.forEach((_, k) => checkBeat(d, k, peaks, true, 1, 'rr'));
});

test('edges: odd lengths, first and last beats near the ends, a single beat, no beat', () => {
  for (const n of [1001, 1447, 3599]) {
    const m = Math.round((n - 70) / 300); // beats about 300 samples apart, the first at 30, the last at n - 40
    const peaks = Array.from({ length: m + 1 }, (_, k) => Math.round(30 + (k * (n - 70)) / m));
    const x = synthetic(n, peaks);
    const d = delineate(x, FS, peaks);
    assertOrdered(d, peaks, n);
    // the first beat has no room for a P wave; the last beat's T wave lies beyond the end
    assert.is(d.pPresent[0], 0, `n=${n}: first beat P`);
    assert.ok(d.qrsOffset[0]! > 30, `n=${n}: first beat QRS offset`);
    const last = peaks.length - 1;
    assert.ok(d.qrsOnset[last]! >= 0 && d.qrsOffset[last]! >= 0, `n=${n}: last beat QRS`);
    assert.is(d.tOffset[last], -1, `n=${n}: the last T wave is cut off`);
    for (let k = 1; k < last; k++) checkBeat(d, k, peaks, true, 1, `n=${n}`);
  }
  const one = synthetic(701, [350]);
  checkBeat(delineate(one, FS, [350]), 0, [350], true, 1, 'single');
  const empty = delineate(one, FS, []);
  assert.is(empty.qrsOnset.length, 0);
  assert.is(empty.pPresent.length, 0);
  // a flat signal: nothing found, nothing thrown
  const flat = delineate(new Float64Array(1000), FS, [500]);
  assert.equal([flat.qrsOnset[0], flat.qrsOffset[0], flat.tPeak[0], flat.pPresent[0]], [-1, -1, -1, 0]);
});

// In noise the 0.1 mV q wave is missed (its slope is below 4 times the noise level), which puts the QRS
// onset on the R upstroke, 13-16 ms late, and the P onset, already ~10 ms early on clean beats, moves
// up to 27 ms early: the tolerances are 3 times CSE's.
test('noise: 10 µV RMS white noise low-passed at 35 Hz (as after the filtering the input expects); points within 3 times the tolerances, P found where present', () => {
  const peaks = Array.from({ length: 20 }, (_, k) => 400 + 300 * k);
  const noP = [5, 12];
  const x = synthetic(6500, peaks, noP);
  const g = gaussian(7);
  const noise = filtfilt(butterworth(4, 35, FS, 'lowpass'), Float64Array.from(x, () => g()));
  let rms = 0;
  for (const v of noise) rms += v * v;
  rms = Math.sqrt(rms / noise.length);
  const level = 0.01; // mV
  for (let i = 0; i < x.length; i++) x[i]! += (level / rms) * noise[i]!;
  const d = delineate(x, FS, peaks);
  assertOrdered(d, peaks, x.length);
  peaks.forEach((_, k) => checkBeat(d, k, peaks, !noP.includes(k), 3, 'noise'));
});

test('scale invariance: the same positions in mV and in ADC units (gain 200, offset 1024)', () => {
  const peaks = [400, 700, 1000];
  const x = synthetic(1400, peaks);
  const a = delineate(x, FS, peaks);
  const b = delineate(x.map((v) => v * 200 + 1024), FS, peaks);
  for (const f of Object.values(FIELDS)) assert.equal(Array.from(b[f]), Array.from(a[f]), f);
});

test('bad input: clear errors for fs, R peaks and samples', () => {
  const x = synthetic(1000, [500]);
  const throws = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error) => e instanceof RangeError && re.test(e.message));
  throws(() => delineate(x, 0, [500]), /fs must be a positive finite number of Hz, got 0/);
  throws(() => delineate(x, -360, [500]), /fs must be a positive/);
  throws(() => delineate(x, NaN, [500]), /fs must be a positive/);
  throws(() => delineate(x, FS, [500, 400]), /strictly increasing, but peak 1 \(400\) follows peak 0 \(500\)/);
  throws(() => delineate(x, FS, [500, 500]), /strictly increasing/);
  throws(() => delineate(x, FS, [-1]), /R peak 0 at sample -1 lies outside the signal \(0\.\.999\)/);
  throws(() => delineate(x, FS, [200, 1000]), /R peak 1 at sample 1000 lies outside/);
  throws(() => delineate(x, FS, [200.5]), /R peak 0 is 200\.5, not an integer/);
  const bad = Float32Array.from(x);
  bad[17] = NaN;
  throws(() => delineate(bad, FS, [500]), /signal sample 17 is NaN/);
});

// ---- real records -------------------------------------------------------------------------------

let dir: string | null = null;
try {
  dir = mitdbDir();
} catch {
  dir = null;
}
const real = dir ? test : test.skip;

/** Lead 0 filtered as de Chazal 2004 (200 + 600 ms medians, 35 Hz low-pass), its beats and their labels. */
function record(name: string) {
  const rec = rdrecord(join(dir!, name));
  const ann = rdann(join(dir!, name), 'atr');
  const x = filtfilt(butterworth(4, 35, rec.fs, 'lowpass'), removeBaseline(rec.pSignal[0]!, rec.fs));
  const keep = ann.symbol.map((s, i) => (isBeatSymbol(s) ? i : -1)).filter((i) => i >= 0);
  const rhythm: string[] = [];
  let current = '(N';
  ann.symbol.forEach((s, i) => {
    if (s === '+' && ann.auxNote[i]) current = ann.auxNote[i]!.replace(/\0/g, '');
    if (isBeatSymbol(s)) rhythm.push(current);
  });
  return { fs: rec.fs, x, peaks: Int32Array.from(keep, (i) => ann.sample[i]!), labels: keep.map((i) => ann.symbol[i]!), rhythm };
}

const median = (a: number[]) => a.slice().sort((u, v) => u - v)[a.length >> 1]!;

const delineated = new Map<string, { d: Delineation; fs: number; labels: string[]; rhythm: string[] }>();

/** The share of beats (of one label, or all; within one rhythm, or all) with a P wave; each record is delineated once. */
function pRate(name: string, label?: string, rhythmLabel?: string) {
  if (!delineated.has(name)) {
    const { fs, x, peaks, labels, rhythm } = record(name);
    delineated.set(name, { d: delineate(x, fs, peaks), fs, labels, rhythm });
  }
  const { d, fs, labels, rhythm } = delineated.get(name)!;
  let n = 0, p = 0;
  labels.forEach((l, k) => {
    if ((label && l !== label) || (rhythmLabel && rhythm[k] !== rhythmLabel)) return;
    n++;
    p += d.pPresent[k]!;
  });
  return { rate: p / n, d, fs, labels };
}

real('MIT-BIH 100 (MLII): median QRS 60-120 ms, median QT 300-500 ms, P present for > 90% of N beats', () => {
  const { rate, d, fs, labels } = pRate('100', 'N');
  const nN = labels.filter((l) => l === 'N').length;
  const qrs: number[] = [], qt: number[] = [];
  labels.forEach((l, k) => {
    if (l !== 'N') return;
    if (d.qrsOnset[k]! >= 0 && d.qrsOffset[k]! >= 0) qrs.push((d.qrsOffset[k]! - d.qrsOnset[k]!) / fs);
    if (d.qrsOnset[k]! >= 0 && d.tOffset[k]! >= 0) qt.push((d.tOffset[k]! - d.qrsOnset[k]!) / fs);
  });
  assert.ok(qrs.length > 0.99 * nN, `QRS limits found for ${qrs.length} of ${nN} N beats`);
  const mq = median(qrs), mqt = median(qt);
  assert.ok(mq >= 0.06 && mq <= 0.12, `median QRS ${(mq * 1000).toFixed(0)} ms`);
  assert.ok(mqt >= 0.3 && mqt <= 0.5, `median QT ${(mqt * 1000).toFixed(0)} ms`);
  assert.ok(rate > 0.9, `P present for ${(rate * 100).toFixed(1)}% of N beats`);
});

real('MIT-BIH 232 (sinus bradycardia, many APCs) and 201, 203 (atrial fibrillation): P far rarer in AF than in 100', () => {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const r100 = pRate('100').rate, r232 = pRate('232').rate, r203 = pRate('203').rate;
  const af201 = pRate('201', undefined, '(AFIB').rate, af203 = pRate('203', undefined, '(AFIB').rate;
  const all201 = pRate('201').rate; // 201 is in sinus rhythm for much of the record
  const msg = `P present: 100 ${pct(r100)}; 203 ${pct(r203)}, its AF beats ${pct(af203)}; 201 ${pct(all201)}, its AF beats ${pct(af201)}; 232 ${pct(r232)}`;
  assert.ok(af201 < r100 / 4 && af203 < r100 / 4 && r203 < r100 / 4, msg);
  assert.ok(r232 < r100, msg);
});

test.run();
