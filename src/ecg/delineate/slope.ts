// The two tools of a Laguna-style delineator (Laguna, Jané & Caminal 1994, Comput. Biomed. Res. 27:45-60,
// the method of PhysioNet's ecgpuwave): a band-limited derivative, and the slope-threshold boundary rule.
//   lowpassDerivative  zero-phase 2nd-order Butterworth low-pass (forward-backward), then the central
//                      difference (x[i+1] - x[i-1]) * fs / 2, in signal units per second. The cut-off is
//                      40 Hz for the QRS and 12 Hz for the P and T waves (Laguna's two differentiators).
//   slopePeakFrom      from a wave's peak, the first extremum of the derivative in one direction: the
//                      steepest point of the wave's flank (its inflection).
//   boundaryFrom       from that steepest point, walk outwards until |derivative| falls below a threshold
//                      (a fraction 1/K of the steepest slope), or the slope reverses sign (a new wave
//                      starts), or a limit is reached.
import { butterworth, filtfilt } from '../dsp/butterworth.ts';

/** The low-passed signal and its derivative (units per second). */
export interface LowpassDerivative {
  lp: Float32Array;
  d: Float32Array;
}

/**
 * Low-pass (zero-phase, order 2, `cutoff` Hz) then central difference. The low-pass is skipped when the
 * cut-off is not below 0.45 fs (the signal is already that band-limited).
 */
export function lowpassDerivative(x: ArrayLike<number>, fs: number, cutoff: number): LowpassDerivative {
  const n = x.length;
  const lp = cutoff < 0.45 * fs && n > 1 ? filtfilt(butterworth(2, cutoff, fs, 'lowpass'), x) : Float32Array.from(x);
  const d = new Float32Array(n);
  for (let i = 1; i < n - 1; i++) d[i] = (lp[i + 1]! - lp[i - 1]!) * fs * 0.5;
  if (n > 1) {
    d[0] = (lp[1]! - lp[0]!) * fs;
    d[n - 1] = (lp[n - 1]! - lp[n - 2]!) * fs;
  }
  return { lp, d };
}

/**
 * From `from`, stepping by `dir` (+1 forward, -1 back) up to `limit` (inclusive), the first local
 * extremum of `d` with the sign `sign` (+1: a maximum of a rising flank, -1: a minimum of a falling one).
 * Samples of the other sign before the flank starts are skipped. Returns -1 when there is none.
 */
export function slopePeakFrom(d: ArrayLike<number>, from: number, dir: 1 | -1, sign: 1 | -1, limit: number): number {
  let best = -1, bestV = 0;
  for (let i = from; dir > 0 ? i <= limit : i >= limit; i += dir) {
    const v = d[i]! * sign;
    if (v > bestV) {
      best = i;
      bestV = v;
    } else if (best >= 0 && v < bestV) return best; // past the extremum
  }
  return best;
}

/**
 * The boundary reached from the steepest point `pk` stepping by `dir`: the first sample where
 * |d| < threshold, or where d changes sign relative to d[pk], or `limit` if neither happens before it.
 */
export function boundaryFrom(d: ArrayLike<number>, pk: number, dir: 1 | -1, threshold: number, limit: number): number {
  const s = Math.sign(d[pk]!);
  for (let i = pk; dir > 0 ? i <= limit : i >= limit; i += dir) {
    const v = d[i]! * s;
    if (v < threshold) return i;
  }
  return limit;
}
