// The heartbeat features of de Chazal, O'Dwyer & Reilly (2004), "Automatic classification of heartbeats
// using ECG morphology and heartbeat interval features", IEEE TBME 51(7):1196-1206, section II-C, from
// both leads of a record. The fiducial point (FP) of a beat is its annotated R position.
//   RR intervals (4)       preRR, postRR (s); avgRR: mean of the intervals within ±150 s (their 5-minute
//                          average); localRR: mean of the 10 intervals around the beat
//   heartbeat intervals (3) QRS duration (QRS onset to offset, s), T-wave duration (QRS offset to T-wave
//                          offset, s), P-wave flag (1 when a P wave precedes the QRS)
//   morphology, per lead (2 x 18) the filtered ECG at 10 instants from FP − 50 ms to FP + 100 ms (60 Hz:
//                          every 16.7 ms) and at 8 instants from FP + 150 ms to FP + 500 ms (20 Hz: every
//                          50 ms), lead A (MLII) then lead B (V1, or the record's other precordial lead)
// Filtering as the paper: baseline removed by the 200 ms + 600 ms median filters, then a low-pass at
// 35 Hz (the paper: a 12-tap FIR with its 3 dB point at 35 Hz; here a zero-phase 4th-order Butterworth).
// The QRS and T-wave limits and the P-wave flag come from the wave delineator (src/ecg/delineate, the
// counterpart of the ecgpuwave the paper used) on lead A. A beat whose limit was not found takes the
// record's median of that duration; a morphology instant outside the record reads 0.
// Choices where the description leaves room (the paper was not at hand): the T window's 8 samples include
// both ends (150 and 500 ms); the local average takes 5 intervals before the beat and 5 from it on.
import { removeBaseline } from '../dsp/baseline.ts';
import { butterworth, filtfilt } from '../dsp/butterworth.ts';
import { AVERAGE_RR_HALF_WINDOW } from './rhythm.ts';
import { delineate } from '../delineate/delineate.ts';
import { IRREGULARITY_FEATURES, irregularityFeatures } from './irregularity.ts';

/** The per-beat wave limits the features need (sample positions at the record's rate; −1: not found). */
export interface BeatWaves {
  qrsOnset: Int32Array;
  qrsOffset: Int32Array;
  tOffset: Int32Array;
  pPresent: Uint8Array;
}

export const DECHAZAL_QRS_INSTANTS: readonly number[] = Array.from({ length: 10 }, (_, k) => -0.05 + k / 60);
export const DECHAZAL_T_INSTANTS: readonly number[] = Array.from({ length: 8 }, (_, k) => 0.15 + k * 0.05);

const morphologyNames = (lead: string) => [
  ...DECHAZAL_QRS_INSTANTS.map((_, k) => `${lead}.qrs${k}`),
  ...DECHAZAL_T_INSTANTS.map((_, k) => `${lead}.t${k}`),
];

export const DECHAZAL_FEATURES: readonly string[] = [
  'dcPreRR', 'dcPostRR', 'dcAvgRR', 'dcLocalRR', 'qrsDuration', 'tDuration', 'pWave', ...morphologyNames('A'), ...morphologyNames('B'),
];

/** The paper's filtering: median-filter baseline removal, then a zero-phase 35 Hz low-pass. */
export function dechazalFilter(signal: ArrayLike<number>, fs: number): Float32Array {
  const x = removeBaseline(signal, fs);
  return fs > 70 ? filtfilt(butterworth(4, 35, fs, 'lowpass'), x) : x;
}

function median(values: number[]): number {
  if (!values.length) return 0;
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The de Chazal features of every beat of a record: beats.length x DECHAZAL_FEATURES.length values, from
 * the two leads (already filtered with dechazalFilter), the sorted R positions of all beats and their
 * waves (from lead A).
 */
export function dechazalFeatures(leadA: ArrayLike<number>, leadB: ArrayLike<number>, fs: number, beats: ArrayLike<number>, waves: BeatWaves): Float32Array {
  const n = beats.length, F = DECHAZAL_FEATURES.length;
  for (const [name, a] of [['qrsOnset', waves.qrsOnset], ['qrsOffset', waves.qrsOffset], ['tOffset', waves.tOffset], ['pPresent', waves.pPresent]] as const)
    if (a.length !== n) throw new RangeError(`dechazalFeatures: waves.${name} has ${a.length} entries for ${n} beats`);
  const out = new Float32Array(n * F);
  if (n === 0) return out;
  const m = n - 1;
  const prefix = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) prefix[i + 1] = prefix[i]! + (beats[i + 1]! - beats[i]!) / fs;
  const rr = (i: number) => prefix[i + 1]! - prefix[i]!;
  const mean = (from: number, to: number) => (to > from ? (prefix[to]! - prefix[from]!) / (to - from) : 0);
  const qrsDur: number[] = [], tDur: number[] = [];
  for (let k = 0; k < n; k++) {
    if (waves.qrsOnset[k]! >= 0 && waves.qrsOffset[k]! > waves.qrsOnset[k]!) qrsDur.push((waves.qrsOffset[k]! - waves.qrsOnset[k]!) / fs);
    if (waves.qrsOffset[k]! >= 0 && waves.tOffset[k]! > waves.qrsOffset[k]!) tDur.push((waves.tOffset[k]! - waves.qrsOffset[k]!) / fs);
  }
  const qrsMedian = median(qrsDur), tMedian = median(tDur);
  const half = AVERAGE_RR_HALF_WINDOW * fs;
  const sample = (x: ArrayLike<number>, t: number) => (t >= 0 && t < x.length ? x[t]! : 0);
  let lo = 0, hi = 0; // intervals lo..hi−1 lie within ±150 s of the beat
  for (let k = 0; k < n; k++) {
    const t = beats[k]!, o = k * F;
    while (lo < m && beats[lo]! < t - half) lo++;
    if (hi < lo) hi = lo;
    while (hi < m && beats[hi + 1]! <= t + half) hi++;
    const pre = m === 0 ? 0 : k > 0 ? rr(k - 1) : rr(0);
    const post = m === 0 ? 0 : k < m ? rr(k) : rr(m - 1);
    out[o] = pre;
    out[o + 1] = post;
    out[o + 2] = hi > lo ? mean(lo, hi) : pre;
    out[o + 3] = mean(Math.max(0, k - 5), Math.min(m, k + 5));
    const on = waves.qrsOnset[k]!, off = waves.qrsOffset[k]!, tOff = waves.tOffset[k]!;
    out[o + 4] = on >= 0 && off > on ? (off - on) / fs : qrsMedian;
    out[o + 5] = off >= 0 && tOff > off ? (tOff - off) / fs : tMedian;
    out[o + 6] = waves.pPresent[k] ? 1 : 0;
    let j = o + 7;
    for (const lead of [leadA, leadB]) {
      for (const d of DECHAZAL_QRS_INSTANTS) out[j++] = sample(lead, t + Math.round(d * fs));
      for (const d of DECHAZAL_T_INSTANTS) out[j++] = sample(lead, t + Math.round(d * fs));
    }
  }
  return out;
}

/**
 * The 43 de Chazal features of one record's beats: both leads filtered as the paper does, delineated
 * on MLII (src/ecg/delineate), sampled at the paper's instants. `leadA` is MLII, `leadB` the second lead.
 */
export function dechazalRows(leadA: ArrayLike<number>, leadB: ArrayLike<number> | undefined, fs: number, beats: ArrayLike<number>): Float32Array {
  if (!leadB) throw new RangeError("the 'dechazal' beat features need two leads (MLII and the record's second lead); this signal has one");
  const a = dechazalFilter(leadA, fs), b = dechazalFilter(leadB, fs);
  return dechazalFeatures(a, b, fs, beats, delineate(a, fs, beats));
}

// The patient-relative variant (docs/inter-patient.md, attempt 11): de Chazal's groups, each made relative to
// the record's own rhythm and usual beat, from the record alone and without labels.
//   RR (5)            preRR / avgRR, postRR / avgRR, localRR / avgRR, preRR / localRR, postRR / preRR
//   intervals (3)     QRS duration, T-wave duration, P-wave flag, as de Chazal's
//   morphology        per lead, (sample − the record's median beat at that instant) / that median beat's
//                     peak-to-peak over its 10 QRS instants, at de Chazal's 18 instants (2 x 18) and, for
//                     'dechazal-relative-p', also at the 8 P-wave instants R − 275 .. R − 100 ms (2 x 8)
//   irregularity (5)  'dechazal-relative-irregular' only: the RR-irregularity features (irregularity.ts)
export const DECHAZAL_P_INSTANTS: readonly number[] = Array.from({ length: 8 }, (_, k) => -0.275 + k * 0.025);

const relativeNames = (lead: string, withP: boolean) => [
  ...morphologyNames(lead).map((n) => `${n}/rel`),
  ...(withP ? DECHAZAL_P_INSTANTS.map((_, k) => `${lead}.p${k}/rel`) : []),
];

/** The three patient-relative variants: plain (44), with the P-wave instants (60), with RR irregularity (49). */
export type DechazalRelativeSet = 'dechazal-relative' | 'dechazal-relative-p' | 'dechazal-relative-irregular';

/** The feature names of a patient-relative variant, in column order. */
export function dechazalRelativeNames(set: DechazalRelativeSet): string[] {
  const withP = set === 'dechazal-relative-p';
  return [
    'preRR/avgRR', 'postRR/avgRR', 'localRR/avgRR', 'preRR/localRR', 'postRR/preRR', 'qrsDuration', 'tDuration', 'pWave',
    ...relativeNames('A', withP), ...relativeNames('B', withP),
    ...(set === 'dechazal-relative-irregular' ? IRREGULARITY_FEATURES : []),
  ];
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 1);

/**
 * The patient-relative de Chazal features of one record's beats, from its absolute rows (dechazalFeatures:
 * beats.length x 43) and the two filtered leads (for the P-wave instants).
 */
export function dechazalRelativeFeatures(absolute: Float32Array, leadA: ArrayLike<number>, leadB: ArrayLike<number>, fs: number, beats: ArrayLike<number>, withP: boolean): Float32Array {
  const n = beats.length, A = DECHAZAL_FEATURES.length, W = dechazalRelativeNames(withP ? 'dechazal-relative-p' : 'dechazal-relative').length;
  if (absolute.length !== n * A) throw new RangeError(`dechazalRelativeFeatures: ${absolute.length} absolute values for ${n} beats x ${A} features`);
  const out = new Float32Array(n * W);
  if (n === 0) return out;
  const sample = (x: ArrayLike<number>, t: number) => (t >= 0 && t < x.length ? x[t]! : 0);
  // Per lead: the columns to make relative (de Chazal's 18, then the 8 P instants sampled here).
  const M = DECHAZAL_QRS_INSTANTS.length + DECHAZAL_T_INSTANTS.length, Pn = withP ? DECHAZAL_P_INSTANTS.length : 0;
  const leads = [leadA, leadB];
  const raw = leads.map((lead, l) => {
    const cols = new Float32Array(n * (M + Pn));
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < M; j++) cols[k * (M + Pn) + j] = absolute[k * A + 7 + l * M + j]!;
      for (let j = 0; j < Pn; j++) cols[k * (M + Pn) + M + j] = sample(lead, beats[k]! + Math.round(DECHAZAL_P_INSTANTS[j]! * fs));
    }
    return cols;
  });
  const column = new Array<number>(n);
  const templates = raw.map((cols) => {
    const t = new Float64Array(M + Pn);
    for (let j = 0; j < M + Pn; j++) {
      for (let k = 0; k < n; k++) column[k] = cols[k * (M + Pn) + j]!;
      t[j] = median(column);
    }
    return t;
  });
  const scales = templates.map((t) => {
    let lo = Infinity, hi = -Infinity;
    for (let j = 0; j < DECHAZAL_QRS_INSTANTS.length; j++) { lo = Math.min(lo, t[j]!); hi = Math.max(hi, t[j]!); }
    return hi - lo > 1e-9 ? hi - lo : 1;
  });
  for (let k = 0; k < n; k++) {
    const a = k * A, o = k * W;
    const pre = absolute[a]!, post = absolute[a + 1]!, avg = absolute[a + 2]!, local = absolute[a + 3]!;
    out[o] = ratio(pre, avg);
    out[o + 1] = ratio(post, avg);
    out[o + 2] = ratio(local, avg);
    out[o + 3] = ratio(pre, local);
    out[o + 4] = ratio(post, pre);
    out[o + 5] = absolute[a + 4]!;
    out[o + 6] = absolute[a + 5]!;
    out[o + 7] = absolute[a + 6]!;
    let j = o + 8;
    for (let l = 0; l < 2; l++) {
      const cols = raw[l]!, t = templates[l]!, s = scales[l]!;
      for (let c = 0; c < M + Pn; c++) out[j++] = (cols[k * (M + Pn) + c]! - t[c]!) / s;
    }
  }
  return out;
}

/** dechazalRows made patient-relative: the rows of one of the three variants (dechazalRelativeNames). */
export function dechazalRelativeRows(leadA: ArrayLike<number>, leadB: ArrayLike<number> | undefined, fs: number, beats: ArrayLike<number>, set: DechazalRelativeSet): Float32Array {
  if (!leadB) throw new RangeError(`the '${set}' beat features need two leads (MLII and the record's second lead); this signal has one`);
  const a = dechazalFilter(leadA, fs), b = dechazalFilter(leadB, fs);
  const rel = dechazalRelativeFeatures(dechazalFeatures(a, b, fs, beats, delineate(a, fs, beats)), a, b, fs, beats, set === 'dechazal-relative-p');
  if (set !== 'dechazal-relative-irregular') return rel;
  const n = beats.length, R = rel.length / Math.max(n, 1), E = IRREGULARITY_FEATURES.length, irr = irregularityFeatures(beats, fs);
  const out = new Float32Array(n * (R + E));
  for (let k = 0; k < n; k++) {
    out.set(rel.subarray(k * R, (k + 1) * R), k * (R + E));
    out.set(irr.subarray(k * E, (k + 1) * E), k * (R + E) + R);
  }
  return out;
}
