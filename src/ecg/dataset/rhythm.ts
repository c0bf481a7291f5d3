// Rhythm features that do not depend on the record's majority beat: the RR averages of de Chazal,
// O'Dwyer & Reilly (2004) (an average over the surrounding 5 minutes and a local average over the
// surrounding beats), the RR intervals over those averages and over the record's mean RR interval
// (cf. Mondéjar-Guerra et al. 2019), and the size of the beat's own P wave against its own QRS.
// Computed from each record alone, without labels; the 5-minute and record averages use the whole
// record (offline statistics, like patient.ts).
//
// From the sorted R-peak positions of all beats of a record (intervals rr[i] = beats[i+1] − beats[i],
// in seconds) and one lead (baseline removed with the 200/600 ms median filters):
//   avgRR               mean of the intervals lying within ±150 s of the beat (de Chazal's "average RR")
//   centredRR           mean of the 10 intervals around the beat (5 before it, 5 from it on)
//   preRR/avgRR, postRR/avgRR, centredRR/avgRR
//   preRR/recMeanRR, postRR/recMeanRR    over the mean of all the record's intervals
//   pRatio              peak-to-peak of the beat over R − 0.25 .. R − 0.08 s (P wave) / its peak-to-peak
//                       over R ± 0.08 s (QRS); 0 for beats whose window does not fit in the record
// A record with one beat has no interval: every feature is 0.
import { removeBaseline } from '../dsp/baseline.ts';
import { PATIENT_WINDOW } from './patient.ts';

/**
 * The names of the 8 rhythm features (the 'rhythm' set adds them to 'patient'): de Chazal's 5-minute and
 * centred RR averages, RR intervals over them and over the record's mean RR, and the beat's P/QRS size ratio.
 */
export const RHYTHM_FEATURES: readonly string[] = [
  'avgRR', 'centredRR', 'preRR/avgRR', 'postRR/avgRR', 'centredRR/avgRR', 'preRR/recMeanRR', 'postRR/recMeanRR', 'pRatio',
];

/** Half-width of the average-RR window in seconds (de Chazal et al. 2004: a 5-minute window). */
export const AVERAGE_RR_HALF_WINDOW = 150;

/**
 * Rhythm features of every beat of a record: beats.length x RHYTHM_FEATURES.length values. `filtered`, if
 * given, is `signal` with its baseline already removed (removeBaseline).
 */
export function rhythmFeatures(signal: ArrayLike<number>, fs: number, beats: ArrayLike<number>, filtered?: Float32Array): Float32Array {
  const n = beats.length, F = RHYTHM_FEATURES.length;
  const out = new Float32Array(n * F);
  if (n < 2) return out;
  const m = n - 1;
  const rr = new Float64Array(m), prefix = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) {
    rr[i] = (beats[i + 1]! - beats[i]!) / fs;
    prefix[i + 1] = prefix[i]! + rr[i]!;
  }
  const recMean = prefix[m]! / m;
  const mean = (from: number, to: number) => (prefix[to]! - prefix[from]!) / (to - from); // intervals from..to−1
  const half = AVERAGE_RR_HALF_WINDOW * fs;
  const x = filtered ?? removeBaseline(signal, fs);
  const before = Math.round(PATIENT_WINDOW.before * fs), after = Math.round(PATIENT_WINDOW.after * fs);
  const q = Math.round(PATIENT_WINDOW.qrsHalf * fs);
  let lo = 0, hi = 0; // intervals lo..hi−1 lie within ±150 s of the current beat
  for (let k = 0; k < n; k++) {
    const t = beats[k]!;
    while (lo < m && beats[lo]! < t - half) lo++;
    if (hi < lo) hi = lo;
    while (hi < m && beats[hi + 1]! <= t + half) hi++;
    const pre = k > 0 ? rr[k - 1]! : rr[0]!;
    const post = k < m ? rr[k]! : rr[m - 1]!;
    const avg = hi > lo ? mean(lo, hi) : pre;
    const c0 = Math.max(0, k - 5), c1 = Math.min(m, k + 5);
    const centred = mean(c0, c1);
    const o = k * F;
    out[o] = avg;
    out[o + 1] = centred;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
    out[o + 2] = ratio(pre, avg);
    out[o + 3] = ratio(post, avg);
    out[o + 4] = ratio(centred, avg);
    out[o + 5] = ratio(pre, recMean);
    out[o + 6] = ratio(post, recMean);
    if (t - before >= 0 && t + after <= x.length) {
      let pMax = -Infinity, pMin = Infinity, qMax = -Infinity, qMin = Infinity;
      for (let s = t - before; s < t - q; s++) { pMax = Math.max(pMax, x[s]!); pMin = Math.min(pMin, x[s]!); }
      for (let s = t - q; s < t + q; s++) { qMax = Math.max(qMax, x[s]!); qMin = Math.min(qMin, x[s]!); }
      out[o + 7] = qMax > qMin ? (pMax - pMin) / (qMax - qMin) : 0;
    }
  }
  return out;
}
