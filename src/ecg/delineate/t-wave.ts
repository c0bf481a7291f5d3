// The T wave of one beat from the 12 Hz low-passed signal and its derivative (Laguna et al. 1994 style).
//   window  from max(R + 100 ms, QRS offset) to R + min(0.6 RR, 700 ms), RR being the interval to the
//           next beat (the previous one for the last beat, 1 s for a lone beat), and before the next QRS
//   peak    the local extremum of the low-passed signal in the window farthest from the beat's baseline
//           (the level just before QRS onset); its sign is the T wave's polarity
//   offset  from the peak, the steepest point of the descending flank (the first extremum of the
//           derivative of the opposite sign), then forward until |d| < |d[flank]| / 2 or the slope
//           reverses; at most 250 ms past that point and before the next QRS onset
//   onset   the same backward from the peak on the rising flank, not before the QRS offset
import { boundaryFrom, slopePeakFrom } from './slope.ts';

/** How the delineator finds the T wave after a QRS: the search window and the boundary thresholds. */
export interface TSettings {
  /** The window starts this long after R, in seconds (0.1), and never before the QRS offset. */
  start: number;
  /** The window ends at R + min(rrFraction * RR, maxEnd) (0.6 and 0.7 s). */
  rrFraction: number;
  maxEnd: number;
  /** Boundary thresholds |d[flank]| / k (2 and 2). */
  kOn: number;
  kOff: number;
  /** The longest a flank (peak to boundary) may be, in seconds (0.25). */
  maxFlank: number;
}

export interface TWave {
  on: number;
  peak: number;
  off: number;
}

/**
 * The T wave after R = r. `end` is the last sample the T wave may reach (before the next QRS), `b` the
 * baseline level. Fields are -1 when not found.
 */
export function tWave(lp: ArrayLike<number>, d: ArrayLike<number>, fs: number, r: number, qrsOff: number, rr: number, end: number, b: number, s: TSettings): TWave {
  const none = { on: -1, peak: -1, off: -1 };
  const w0 = Math.max(r + Math.round(s.start * fs), qrsOff);
  const w1 = Math.min(r + Math.round(Math.min(s.rrFraction * rr, s.maxEnd * fs)), end);
  let peak = -1, amp = 0;
  for (let i = Math.max(1, w0 + 1); i < w1; i++) {
    const a = Math.abs(lp[i]! - b);
    const extremum = (d[i - 1]! > 0 && d[i + 1]! <= 0) || (d[i - 1]! < 0 && d[i + 1]! >= 0);
    if (extremum && a > amp && Math.abs(lp[i]! - b) >= Math.abs(lp[i - 1]! - b) && Math.abs(lp[i]! - b) >= Math.abs(lp[i + 1]! - b)) {
      amp = a;
      peak = i;
    }
  }
  if (peak < 0) return none;
  const sign = lp[peak]! >= b ? 1 : -1;
  const flank = Math.round(s.maxFlank * fs);
  const fOff = slopePeakFrom(d, peak, 1, sign > 0 ? -1 : 1, Math.min(end, peak + flank));
  const off = fOff < 0 ? -1 : boundaryFrom(d, fOff, 1, Math.abs(d[fOff]!) / s.kOff, Math.min(end, fOff + flank));
  const onLimit = Math.max(qrsOff, peak - flank, 0);
  const fOn = slopePeakFrom(d, peak, -1, sign > 0 ? 1 : -1, onLimit);
  const on = fOn < 0 ? -1 : boundaryFrom(d, fOn, -1, Math.abs(d[fOn]!) / s.kOn, onLimit);
  return { on, peak, off };
}
