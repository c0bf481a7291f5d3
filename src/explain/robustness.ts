// Robustness of an explanation to small input changes.
//   max-sensitivity (Yeh et al. 2019): max over `samples` perturbations δ ~ U(−r, r)^d (r = 0.02 in the
//     input's units, 2% of a Kachuee beat's [0, 1] range) of ‖Φ(x + δ) − Φ(x)‖₂ / ‖Φ(x)‖₂, per beat, then
//     averaged over beats (normalised by ‖Φ(x)‖ so methods of different scales compare; Quantus's default);
//   noise correlation: the Spearman correlation of |Φ(x)| and |Φ(x + ε)| with Gaussian ε at a given SNR,
//     σ² = var(x) / 10^(SNR/10) per beat (the beat's variance is its AC power), averaged over beats.
// The explained class is fixed to the clean beat's target, so only the explanation can change.
import { Rng } from '../core/random.ts';
import { ExplainError } from './classifier.ts';
import { finiteMean, meanAbsSpearman } from './stats.ts';

/**
 * Options of robustness: the perturbation radius and count of max-sensitivity, the SNRs of the noise
 * correlation, and the seed.
 */
export interface RobustnessOptions {
  /** Radius of the uniform perturbation (default 0.02). */
  radius?: number;
  /** Perturbations for max-sensitivity (default 10). */
  samples?: number;
  /** SNRs in dB for the noise correlation (default [20, 10]). */
  snrs?: number[];
  seed?: number;
}

/**
 * Max-sensitivity (mean and per beat) and the mean Spearman correlation of clean and noisy attributions at
 * each SNR.
 */
export interface RobustnessResult {
  maxSensitivity: number;
  maxSensitivityPerBeat: Float32Array;
  /** Mean Spearman correlation of clean and noisy |attributions| per SNR (dB). */
  noiseSpearman: Record<string, number>;
}

/** explain(x) returns attributions of beats x with the clean beats' targets. */
export function robustness(x: Float32Array, size: number, explain: (x: Float32Array) => Float32Array, opts: RobustnessOptions = {}): RobustnessResult {
  const radius = opts.radius ?? 0.02, samples = opts.samples ?? 10, snrs = opts.snrs ?? [20, 10];
  if (!(radius > 0) || !Number.isInteger(samples) || samples < 1) throw new ExplainError('robustness: radius must be > 0 and samples a positive integer');
  const n = x.length / size;
  const rng = new Rng(opts.seed ?? 0);
  const clean = explain(x);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < size; j++) s += clean[i * size + j]! ** 2;
    norms[i] = Math.sqrt(s);
  }
  const sens = new Float32Array(n);
  for (let s = 0; s < samples; s++) {
    const xp = Float32Array.from(x, (v) => v + radius * (2 * rng.uniform() - 1));
    const a = explain(xp);
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < size; j++) d += (a[i * size + j]! - clean[i * size + j]!) ** 2;
      const v = norms[i]! > 0 ? Math.sqrt(d) / norms[i]! : Math.sqrt(d) > 0 ? Infinity : 0;
      if (v > sens[i]!) sens[i] = v;
    }
  }
  const noiseSpearman: Record<string, number> = {};
  for (const snr of snrs) {
    const xn = addNoiseAtSnr(x, size, snr, rng);
    noiseSpearman[String(snr)] = meanAbsSpearman(clean, explain(xn), size).mean;
  }
  return { maxSensitivity: finiteMean(sens), maxSensitivityPerBeat: sens, noiseSpearman };
}

/** x plus Gaussian noise at `snr` dB relative to each beat's variance. */
export function addNoiseAtSnr(x: Float32Array, size: number, snr: number, rng: Rng): Float32Array {
  const n = x.length / size, out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    let m = 0, v = 0;
    for (let j = 0; j < size; j++) m += x[i * size + j]!;
    m /= size;
    for (let j = 0; j < size; j++) v += (x[i * size + j]! - m) ** 2;
    const sigma = Math.sqrt(v / size / 10 ** (snr / 10));
    for (let j = 0; j < size; j++) out[i * size + j] = x[i * size + j]! + sigma * rng.normal();
  }
  return out;
}
