// Baseline-wander removal with two cascaded median filters (200 ms then 600 ms), the estimate being
// subtracted from the signal. Reference: de Chazal, O'Dwyer & Reilly (2004), IEEE TBME 51(7):1196-1206,
// section II-B. Window lengths are rounded to the nearest odd number of samples (73 and 217 at 360 Hz).
import { medianFilter } from './median.ts';

/** Options of removeBaseline: the two median filters' windows in seconds (0.2 and 0.6). */
export interface BaselineOptions {
  /** First median window in seconds (default 0.2). */
  first?: number;
  /** Second median window in seconds (default 0.6). */
  second?: number;
}

/** Odd window length (samples) for a duration in seconds. */
export function oddWindow(seconds: number, fs: number): number {
  return Math.round(seconds * fs) | 1;
}

/** The baseline estimate: median(median(x, 200 ms), 600 ms). */
export function estimateBaseline(x: ArrayLike<number>, fs: number, options: BaselineOptions = {}): Float32Array {
  const a = medianFilter(x, oddWindow(options.first ?? 0.2, fs));
  return medianFilter(a, oddWindow(options.second ?? 0.6, fs));
}

/** x minus its baseline estimate. */
export function removeBaseline(x: ArrayLike<number>, fs: number, options: BaselineOptions = {}): Float32Array {
  const b = estimateBaseline(x, fs, options);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! - b[i]!;
  return out;
}
