// The P wave of one beat from the 12 Hz low-passed signal and its derivative (Laguna et al. 1994 style).
//   window   from 300 ms before the QRS onset (not before the previous beat's T offset) to 20 ms before it
//   peak     the local extremum of the low-passed signal in the window farthest from the baseline (the
//            level just before QRS onset); its sign is the P wave's polarity
//   limits   from the peak, the steepest point of each flank, then outward until |d| < |d[flank]| / 2
//            or the slope reverses (offset at most at the QRS onset, onset at most at the window start)
//   present  when the wave is a single dominant deflection above the noise:
//              its steepest flank slope >= slopeRatio * the RMS of the derivative over the window outside
//                the wave (3): the rest of the window is the T-P and P-R segments, flat in sinus rhythm
//                and full of fibrillatory waves (as steep as the chosen one) in atrial fibrillation,
//              amplitude >= hfRatio * the RMS of (signal - low-passed) over the window (4): above the
//                high-frequency noise,
//              amplitude >= minAmplitude * the QRS amplitude (0.01),
//              both limits found strictly inside the window, duration between 40 and 200 ms.
//            (A ratio on amplitudes instead, amplitude >= 2 RMS of the rest of the window, separated
//            sinus from AF beats less well on MIT-BIH: P found for 71% of the N beats in sinus rhythm
//            and 16% of those in AF, against 69% and 6% with the slope ratio, in the same development run.)
import { boundaryFrom, slopePeakFrom } from './slope.ts';

/**
 * How the delineator finds a P wave and its boundaries before a QRS: the search window, the boundary
 * thresholds and the presence tests.
 */
export interface PSettings {
  /** Window start before the QRS onset, in seconds (0.3). */
  before: number;
  /** Window end before the QRS onset, in seconds (0.02). */
  gap: number;
  /** Boundary thresholds |d[flank]| / k (2 and 2). */
  kOn: number;
  kOff: number;
  /** Presence tests (see the header): 3, 4, 0.01, 0.04 s, 0.2 s. */
  slopeRatio: number;
  minAmplitude: number;
  hfRatio: number;
  minDuration: number;
  maxDuration: number;
}

export interface PWave {
  present: boolean;
  on: number;
  peak: number;
  off: number;
}

/**
 * The P wave before a QRS starting at `qrsOn`, not before sample `lo`. `x` is the signal, `lp` and `d`
 * its 12 Hz low-pass and derivative, `b` the baseline level, `qrsAmp` the QRS amplitude (same units).
 */
export function pWave(x: ArrayLike<number>, lp: ArrayLike<number>, d: ArrayLike<number>, fs: number, qrsOn: number, lo: number, b: number, qrsAmp: number, s: PSettings): PWave {
  const none = { present: false, on: -1, peak: -1, off: -1 };
  const w0 = Math.max(lo, qrsOn - Math.round(s.before * fs), 0);
  const w1 = qrsOn - Math.round(s.gap * fs);
  let peak = -1, amp = 0;
  for (let i = w0 + 1; i < w1; i++) {
    const a = Math.abs(lp[i]! - b);
    const extremum = (d[i - 1]! > 0 && d[i + 1]! <= 0) || (d[i - 1]! < 0 && d[i + 1]! >= 0);
    if (extremum && a > amp && a >= Math.abs(lp[i - 1]! - b) && a >= Math.abs(lp[i + 1]! - b)) {
      amp = a;
      peak = i;
    }
  }
  if (peak < 0) return none;
  const sign = lp[peak]! >= b ? 1 : -1;
  const fOff = slopePeakFrom(d, peak, 1, sign > 0 ? -1 : 1, qrsOn);
  const off = fOff < 0 ? -1 : boundaryFrom(d, fOff, 1, Math.abs(d[fOff]!) / s.kOff, qrsOn);
  const fOn = slopePeakFrom(d, peak, -1, sign > 0 ? 1 : -1, w0);
  const on = fOn < 0 ? -1 : boundaryFrom(d, fOn, -1, Math.abs(d[fOn]!) / s.kOn, w0);
  if (on < 0 || off < 0) return { ...none, peak };
  // presence
  let hf = 0, dOut = 0, nOut = 0;
  for (let i = w0; i <= w1; i++) {
    const e = x[i]! - lp[i]!;
    hf += e * e;
    if (i < on || i > off) {
      dOut += d[i]! * d[i]!;
      nOut++;
    }
  }
  const slope = Math.max(Math.abs(d[fOn]!), Math.abs(d[fOff]!));
  const slopeNoise = nOut ? Math.sqrt(dOut / nOut) : 0;
  const hfNoise = Math.sqrt(hf / (w1 - w0 + 1));
  const dur = (off - on) / fs;
  const present = on > w0 && off < qrsOn && dur >= s.minDuration && dur <= s.maxDuration
    && slope >= s.slopeRatio * slopeNoise && amp >= s.hfRatio * hfNoise && amp >= s.minAmplitude * qrsAmp;
  return { present, on, peak, off };
}
