// Beat windows. Centred: `before` samples before and `after` samples after each R peak (the peak is
// sample `before` of the window); peaks whose window leaves the signal are reported as not fitting.
// Kachuee: the construction of Kachuee, Fazeli & Sarrafzadeh, "ECG Heartbeat Classification: A Deep
// Transferable Representation" (ICHI 2018), behind the Kaggle MIT-BIH heartbeat CSVs: resample to
// 125 Hz, split into 10 s windows, min-max normalise each window to [0, 1], take the median RR interval
// T of the window's beats, and for each beat keep 1.2 T samples starting at its R peak (not past the
// window's end), zero-padded or cut to 187 samples. We take the R peaks from the annotations (or a
// detector) instead of the paper's thresholded local maxima.
import { minMax } from '../dsp/normalize.ts';
import { resample, resampleIndex } from '../dsp/resample.ts';

/** Copies centred windows into out (peaks.length x (before + after)); returns which peaks fit. */
export function centredWindows(x: ArrayLike<number>, peaks: ArrayLike<number>, before: number, after: number): { windows: Float32Array; fits: Uint8Array } {
  const len = before + after;
  const windows = new Float32Array(peaks.length * len);
  const fits = new Uint8Array(peaks.length);
  for (let k = 0; k < peaks.length; k++) {
    const s = peaks[k]! - before;
    if (s < 0 || s + len > x.length) continue;
    fits[k] = 1;
    for (let i = 0; i < len; i++) windows[k * len + i] = x[s + i]!;
  }
  return { windows, fits };
}

/**
 * Options of the Kachuee et al. (2018) beat segmentation: output rate (125 Hz) and length (187 samples),
 * normalisation window and segment length in median RR intervals.
 */
export interface KachueeOptions {
  /** Output rate in Hz (default 125). */
  fs?: number;
  /** Output length in samples (default 187). */
  length?: number;
  /** Normalisation window in seconds (default 10). */
  windowSeconds?: number;
  /** Segment length in median RR intervals (default 1.2). */
  factor?: number;
}

/** Kachuee beats of one lead: peaks (at fsIn) to a Float32Array of peaks.length x length values. */
export function kachueeBeats(x: ArrayLike<number>, fsIn: number, peaks: ArrayLike<number>, options: KachueeOptions = {}): Float32Array {
  const fs = options.fs ?? 125, len = options.length ?? 187, factor = options.factor ?? 1.2;
  const y = fsIn === fs ? Float32Array.from(x as ArrayLike<number>) : resample(x, fsIn, fs);
  const win = Math.round((options.windowSeconds ?? 10) * fs);
  const out = new Float32Array(peaks.length * len);
  const p = Array.from(peaks, (s) => Math.min(y.length - 1, resampleIndex(s, fsIn, fs)));
  const median = (a: number[]) => {
    const s = a.slice().sort((u, v) => u - v);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const allRr: number[] = [];
  for (let k = 1; k < p.length; k++) allRr.push(p[k]! - p[k - 1]!);
  const recordT = allRr.length ? median(allRr) : fs;
  const norm = new Float32Array(win);
  let k = 0;
  for (let w0 = 0; w0 < y.length && k < p.length; w0 += win) {
    const w1 = Math.min(y.length, w0 + win);
    let k1 = k;
    while (k1 < p.length && p[k1]! < w1) k1++;
    if (k1 === k) continue;
    const seg = minMax(y.subarray(w0, w1), norm.subarray(0, w1 - w0));
    const rr: number[] = [];
    for (let j = k + 1; j < k1; j++) rr.push(p[j]! - p[j - 1]!);
    const T = rr.length ? median(rr) : recordT;
    const take = Math.min(len, Math.round(factor * T));
    for (let j = k; j < k1; j++) {
      const start = p[j]! - w0;
      const n = Math.min(take, seg.length - start);
      out.set(seg.subarray(start, start + n), j * len);
    }
    k = k1;
  }
  return out;
}
