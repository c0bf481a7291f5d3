// The causal beat window (BeatOptions.window 'causal', `--window causal`): an R-centred window that needs
// the signal only up to a short, fixed look-ahead after the R peak, so a stream can classify a beat
// about 0.4 s after it (the Kachuee window waits for the end of its 10 s normalisation block).
//
// Layout: `length` samples (default 187) at `fs` (default 125 Hz; the record is resampled first, as for
// Kachuee windows, no filtering). With A = round(LOOKAHEAD_SECONDS * fs) (30 samples at 125 Hz) and
// B = length - A (157), the window of the beat whose R peak is at sample p (model rate) holds
//   y[p - B], ..., y[p - 1], y[p] (at index B), ..., y[p + A - 1]
// i.e. 1.256 s before R and 0.232 s from R on. Its amplitude is min-max normalised by the range of the
// signal over the 10 s that end where the window ends (NORM_SECONDS; W = 1250 samples at 125 Hz):
//   e = min(p + A, N)   (N = samples of the signal; p + A > N only for a beat in the last 0.24 s)
//   lo = min y[max(0, e - W) .. e - 1],  hi = max of the same samples
//   w[j] = (y[p - B + j] - lo) / (hi - lo)   for 0 <= p - B + j < e, else 0 (before the start, after the end)
// and w = 0 when hi = lo (a flat signal). Every w[j] lies in [0, 1], as in the Kachuee window, whose
// range is that of the 10 s block holding the beat. Warm-up: in the first 10 s the range is that of the
// signal so far (at least the window itself). Nothing later than y[p + A - 1] is read: changing the
// signal after it leaves the window unchanged (test/ecg/causal-window.test.ts). At a record's own rate
// the resampler reads its filter's half-width further (52 samples, 0.144 s, from 360 to 125 Hz).
//
// One function, causalWindow, cuts every window, offline (causalBeats: the dataset's windows) and online
// (BeatStream, src/stream/, as soon as p + A samples have arrived), so the two give the same windows bit
// for bit. The look-ahead was fixed a priori from the stream's delays, not from any score: the streaming
// Pan-Tompkins detector reports a QRS ~0.34 s after it (p99 0.36 s on records 100, 208, 232) and the
// 360 -> 125 Hz resampler lags by 0.144 s, so with 0.24 s the window is complete by ~0.38 s, when the
// beat is detected; more look-ahead would delay every beat, less would only drop signal.
import { resample, resampleIndex } from '../dsp/resample.ts';

/** Look-ahead after the R peak in seconds (the window holds round(LOOKAHEAD_SECONDS * fs) samples from R on). */
export const LOOKAHEAD_SECONDS = 0.24;
/** Length of the trailing normalisation range in seconds. */
export const NORM_SECONDS = 10;

export interface CausalWindowSpec {
  /** Window length in samples. */
  length: number;
  /** Samples from the R peak on (the R peak included): the look-ahead. */
  after: number;
  /** Samples before the R peak (length - after). */
  before: number;
  /** Normalisation range length in samples. */
  norm: number;
}

/** The window's layout at a rate and length (default 125 Hz, 187 samples). */
export function causalWindowSpec(fs = 125, length = 187): CausalWindowSpec {
  if (!(fs > 0) || !Number.isInteger(length) || length < 1) throw new RangeError(`causal window: fs must be positive and length a positive integer, got ${fs} Hz, ${length} samples`);
  const after = Math.min(length, Math.max(1, Math.round(LOOKAHEAD_SECONDS * fs)));
  return { length, after, before: length - after, norm: Math.max(length, Math.round(NORM_SECONDS * fs)) };
}

/**
 * Writes the window of the beat at p (model rate) into out[o .. o + length). `y` holds samples from
 * absolute index `offset` on (y[i - offset] is sample i) and at least up to min(p + after, n); `n` is
 * the signal's length so far (the record's length offline; at the end of a stream, its final length).
 * It must hold every sample from max(0, p + after - norm) on.
 */
export function causalWindow(y: Float32Array, offset: number, n: number, p: number, spec: CausalWindowSpec, out: Float32Array, o = 0): void {
  const e = Math.min(p + spec.after, n);
  const from = Math.max(0, e - spec.norm);
  if (from < offset || e - offset > y.length) throw new RangeError(`causal window: samples ${from}..${e} of beat ${p} are not held (held: ${offset}..${offset + y.length})`);
  let lo = Infinity, hi = -Infinity;
  for (let i = from - offset; i < e - offset; i++) {
    const v = y[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const r = hi - lo;
  const s0 = p - spec.before;
  for (let j = 0; j < spec.length; j++) {
    const s = s0 + j;
    out[o + j] = r > 0 && s >= 0 && s < e ? (y[s - offset]! - lo) / r : 0;
  }
}

/** Causal windows of one lead: peaks (at fsIn) to a Float32Array of peaks.length x length values. */
export function causalBeats(x: ArrayLike<number>, fsIn: number, peaks: ArrayLike<number>, options: { fs?: number; length?: number } = {}): Float32Array {
  const fs = options.fs ?? 125;
  const spec = causalWindowSpec(fs, options.length ?? 187);
  const y = fsIn === fs ? Float32Array.from(x) : resample(x, fsIn, fs);
  const out = new Float32Array(peaks.length * spec.length);
  for (let k = 0; k < peaks.length; k++) {
    const p = Math.min(y.length - 1, resampleIndex(peaks[k]!, fsIn, fs));
    causalWindow(y, 0, y.length, p, spec, out, k * spec.length);
  }
  return out;
}
