// Baselines ("absence of signal") for Integrated Gradients, KernelSHAP and the deletion / insertion
// curves. Each is a beat of the same shape as the explained one:
//   'zero'  all zeros;
//   'mean'  the mean training beat (pass `meanBeat`, e.g. meanBeat(ds.x, ds.split.train, 187));
//   'blur'  the beat convolved with a Gaussian of `blurSigma` samples (default 10, 80 ms at 125 Hz) per
//           lead, edges clamped: the morphology (P, QRS, T) is smeared away, the baseline level stays;
//   'noise' uniform noise between the beat's minimum and maximum (seeded per beat), the "uniform noise"
//           baseline of Sturmfels et al. (2020);
//   a Float32Array of one beat (used for every beat) or of n beats (one per beat).
import { Rng } from '../core/random.ts';
import { ExplainError } from './classifier.ts';

/**
 * A named baseline: 'zero' (all zeros), 'mean' (the mean training beat, given as meanBeat), 'blur' (the beat
 * smoothed by a Gaussian of blurSigma samples per lead) or 'noise' (uniform noise between the beat's minimum
 * and maximum, seeded per beat).
 */
export type BaselineKind = 'zero' | 'mean' | 'blur' | 'noise';
/**
 * A baseline ("absence of signal") for Integrated Gradients, KernelSHAP and the deletion / insertion curves:
 * a named kind, or a Float32Array of one beat (used for every beat) or of n beats (one each).
 */
export type Baseline = BaselineKind | Float32Array;

/**
 * What the named baselines need: the mean beat for 'mean', the Gaussian σ for 'blur' and the seed for 'noise'
 * (exported from ecgrad/explain as ExplainBaselineOptions).
 */
export interface BaselineOptions {
  /** Mean training beat (channels x length) for 'mean'. */
  meanBeat?: Float32Array;
  /** Gaussian sigma in samples for 'blur' (default 10). */
  blurSigma?: number;
  /** Seed of the 'noise' baseline (default 0); beat i uses seed + i. */
  seed?: number;
}

/** The named baselines: 'zero', 'mean', 'blur' and 'noise'. */
export const BASELINES: readonly BaselineKind[] = ['zero', 'mean', 'blur', 'noise'];

/** Mean of the rows `rows` (all rows when omitted) of x (rows of `size` values). */
export function meanBeat(x: Float32Array, size: number, rows?: ArrayLike<number>): Float32Array {
  const n = rows ? rows.length : x.length / size;
  const acc = new Float64Array(size);
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i]! : i;
    for (let j = 0; j < size; j++) acc[j]! += x[r * size + j]!;
  }
  return Float32Array.from(acc, (v) => v / Math.max(1, n));
}

/** Gaussian blur of each lead of one beat (channels x length), edges clamped. */
export function gaussianBlur(beat: Float32Array, channels: number, length: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return beat.slice();
  const r = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  const out = new Float32Array(beat.length);
  for (let c = 0; c < channels; c++)
    for (let t = 0; t < length; t++) {
      let acc = 0;
      for (let i = -r; i <= r; i++) acc += k[i + r]! * beat[c * length + Math.min(length - 1, Math.max(0, t + i))]!;
      out[c * length + t] = acc;
    }
  return out;
}

/** The baseline of every beat of x (n x size). */
export function baselineFor(baseline: Baseline, x: Float32Array, channels: number, length: number, opts: BaselineOptions = {}): Float32Array {
  const size = channels * length, n = x.length / size;
  const out = new Float32Array(x.length);
  if (baseline instanceof Float32Array) {
    if (baseline.length === size) for (let i = 0; i < n; i++) out.set(baseline, i * size);
    else if (baseline.length === x.length) out.set(baseline);
    else throw new ExplainError(`baseline: got ${baseline.length} values; expected one beat (${size}) or one per beat (${x.length})`);
    return out;
  }
  switch (baseline) {
    case 'zero':
      return out;
    case 'mean': {
      if (!opts.meanBeat) throw new ExplainError("baseline 'mean' needs meanBeat (the mean training beat, e.g. meanBeat(ds.x, size, ds.split.train))");
      if (opts.meanBeat.length !== size) throw new ExplainError(`baseline 'mean': meanBeat has ${opts.meanBeat.length} values, expected ${size}`);
      for (let i = 0; i < n; i++) out.set(opts.meanBeat, i * size);
      return out;
    }
    case 'blur':
      for (let i = 0; i < n; i++) out.set(gaussianBlur(x.subarray(i * size, (i + 1) * size), channels, length, opts.blurSigma ?? 10), i * size);
      return out;
    case 'noise':
      for (let i = 0; i < n; i++) {
        const beat = x.subarray(i * size, (i + 1) * size);
        let lo = Infinity, hi = -Infinity;
        for (const v of beat) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        const rng = new Rng((opts.seed ?? 0) + i);
        for (let j = 0; j < size; j++) out[i * size + j] = lo + (hi - lo) * rng.uniform();
      }
      return out;
    default:
      throw new ExplainError(`unknown baseline "${String(baseline)}"; choose one of ${BASELINES.join(', ')} or pass a Float32Array`);
  }
}
