// QRS onset and offset of one beat from the 40 Hz low-pass derivative (Laguna et al. 1994 style).
//   1. The core slope: the largest |d| within ±80 ms of the given R position (inside the beat's search
//      window), Dmax.
//   2. The QRS's slopes are the samples with |d| >= significance * Dmax (0.1). Starting at the core,
//      they are chained backward (and forward) as long as no gap between two of them exceeds 25 ms: the
//      first (last) chained slope belongs to the first (last) wave of the complex (Q or R; R or S).
//   3. Its steepest point pk (the extremum of |d| in that slope), and the boundary: walking outward from
//      pk, the first sample where |d| < |d[pk]| / K (onset K = 4, offset K = 2), or where the slope
//      changes sign, within the search window.
//   4. A small q wave is below the chaining significance: when an opposite slope of at least 0.04 Dmax
//      (and 4 times the derivative's noise level, from the 10th percentile of |d| over the signal)
//      peaks within 20 ms before the onset, the onset moves to that slope's, by the same rule. (Not done
//      at the offset, where it mostly took up J-point wiggles and noise on MIT-BIH.)
import { boundaryFrom, slopePeakFrom } from './slope.ts';

/** How the delineator chains the QRS slopes around an R peak and places the onset and offset. */
export interface QrsSettings {
  /** Half-width of the core-slope search around R, in seconds (0.08). */
  core: number;
  /** A slope belongs to the QRS when |d| >= significance * Dmax (0.1). */
  significance: number;
  /** The longest gap between two chained QRS slopes, in seconds (0.025). */
  gap: number;
  /** A small q wave before the chain: an opposite slope >= adjacent * Dmax (0.04) whose steepest point
   *  is within adjacentGap (0.02 s) before the onset found so far. */
  adjacent: number;
  adjacentGap: number;
  /** ... and >= noiseK (4) times the derivative's noise level (from its 10th percentile of |d| over the signal). */
  noiseK: number;
  /** Onset threshold |d[pk]| / kOn (4). */
  kOn: number;
  /** Offset threshold |d[pk]| / kOff (2). */
  kOff: number;
}

/** [onset, offset] of the QRS around R = r, searched in [lo, hi] (inclusive sample bounds). */
export function qrsLimits(d: ArrayLike<number>, fs: number, r: number, lo: number, hi: number, s: QrsSettings, noise = 0): [number, number] {
  const c0 = Math.max(lo, r - Math.round(s.core * fs)), c1 = Math.min(hi, r + Math.round(s.core * fs));
  let core = c0, dmax = -1;
  for (let i = c0; i <= c1; i++) {
    const v = Math.abs(d[i]!);
    if (v > dmax) {
      dmax = v;
      core = i;
    }
  }
  if (!(dmax > 0)) return [-1, -1]; // a flat signal has no QRS
  const sig = s.significance * dmax, gap = Math.max(1, Math.round(s.gap * fs));
  // earliest chained slope sample, then the steepest point of its slope
  let first = core;
  for (let i = core; i >= lo && first - i <= gap; i--) if (Math.abs(d[i]!) >= sig) first = i;
  let pkOn = first;
  while (pkOn < core && Math.abs(d[pkOn + 1]!) >= Math.abs(d[pkOn]!) && Math.sign(d[pkOn + 1]!) === Math.sign(d[first]!)) pkOn++;
  let last = core;
  for (let i = core; i <= hi && i - last <= gap; i++) if (Math.abs(d[i]!) >= sig) last = i;
  let pkOff = last;
  while (pkOff > core && Math.abs(d[pkOff - 1]!) >= Math.abs(d[pkOff]!) && Math.sign(d[pkOff - 1]!) === Math.sign(d[last]!)) pkOff--;
  let on = boundaryFrom(d, pkOn, -1, Math.abs(d[pkOn]!) / s.kOn, lo);
  const off = boundaryFrom(d, pkOff, 1, Math.abs(d[pkOff]!) / s.kOff, hi);
  // a small q wave right before the chain: an opposite slope within `adjacentGap`
  const adj = Math.max(1, Math.round(s.adjacentGap * fs));
  const q = slopePeakFrom(d, on, -1, d[pkOn]! > 0 ? -1 : 1, Math.max(lo, on - adj));
  if (q >= 0 && Math.abs(d[q]!) >= Math.max(s.adjacent * dmax, s.noiseK * noise) && on - q <= adj) on = boundaryFrom(d, q, -1, Math.abs(d[q]!) / s.kOn, lo);
  return [on, off];
}
