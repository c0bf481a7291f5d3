// Gradient attributions: saliency (|∂f/∂x|, Simonyan et al. 2014), the signed gradient, gradient x input
// (Shrikumar et al. 2016) and SmoothGrad (Smilkov et al. 2017: the gradient averaged over n noisy copies
// x + N(0, σ²), σ = noiseLevel x (max − min) of the beat).
import { Rng } from '../core/random.ts';
import { type ExplainedModel, ExplainError, resolveTargets } from './classifier.ts';

/** Attributions of n beats: values n x channels x length, explaining class targets[i] of beat i. */
export interface Attribution {
  method: string;
  values: Float32Array;
  n: number;
  channels: number;
  length: number;
  targets: Int32Array;
  /** The explained score f(x) of each beat's target (logit or probability, see ExplainedModel.output). */
  scores?: Float32Array;
  /** Completeness gap per beat |Σ attribution − (f(x) − f(baseline))| (IG, SHAP). */
  delta?: Float32Array;
  /** f(baseline) per beat (IG, SHAP: the expected value over the background). */
  baselineScores?: Float32Array;
}

/** Options every attribution method takes: the classes to explain and the RR features. */
export interface CommonOptions {
  /** Class to explain: one for all beats, one per beat, or (default) each beat's predicted class. */
  targets?: number | ArrayLike<number>;
  /** RR features (n x rrFeatures) for models that take them. */
  rr?: Float32Array | null;
}

/**
 * Builds an Attribution of the explained model's beat shape from a method name, values (n × channels ×
 * length), targets and extra fields; for new attribution methods.
 */
export function makeAttribution(clf: ExplainedModel, method: string, values: Float32Array, targets: Int32Array, extra: Partial<Attribution> = {}): Attribution {
  return { method, values, n: targets.length, channels: clf.channels, length: clf.length, targets, ...extra };
}

/**
 * Options of saliency: targets, RR features and the variant (signed gradient, absolute gradient or gradient ×
 * input).
 */
export interface GradientOptions extends CommonOptions {
  /** 'gradient' (signed), 'saliency' (absolute gradient) or 'gradient-x-input'. Default 'saliency'. */
  variant?: 'gradient' | 'saliency' | 'gradient-x-input';
}

/**
 * Gradient attributions of beats x (n × channels × length): the gradient of the explained output with respect
 * to each input sample, its absolute value (default) or gradient × input. Throws an ExplainError for a wrong
 * beat shape or an unknown variant.
 */
export function saliency(clf: ExplainedModel, x: Float32Array, opts: GradientOptions = {}): Attribution {
  const targets = resolveTargets(clf, x, opts.rr, opts.targets);
  const variant = opts.variant ?? 'saliency';
  const { grads, scores } = clf.targetGradients(x, opts.rr, targets);
  if (variant === 'saliency') for (let i = 0; i < grads.length; i++) grads[i] = Math.abs(grads[i]!);
  else if (variant === 'gradient-x-input') for (let i = 0; i < grads.length; i++) grads[i]! *= x[i]!;
  else if (variant !== 'gradient') throw new ExplainError(`saliency: unknown variant "${String(variant)}" (gradient, saliency, gradient-x-input)`);
  return makeAttribution(clf, variant, grads, targets, { scores });
}

/** Options of smoothGrad: noisy copies per beat, noise level, what is averaged, and the seed. */
export interface SmoothGradOptions extends CommonOptions {
  /** Noisy copies per beat (default 25). */
  samples?: number;
  /** Noise σ as a fraction of each beat's range (default 0.1). */
  noiseLevel?: number;
  /** What is averaged: 'gradient' (default), 'gradient-x-input', or 'squared' (SmoothGrad-Squared). */
  variant?: 'gradient' | 'gradient-x-input' | 'squared';
  seed?: number;
}

/**
 * SmoothGrad (Smilkov et al. 2017): gradients averaged over `samples` noisy copies of each beat (Gaussian
 * noise of noiseLevel × the beat's range), seeded. Throws an ExplainError for a wrong beat shape or option.
 */
export function smoothGrad(clf: ExplainedModel, x: Float32Array, opts: SmoothGradOptions = {}): Attribution {
  const targets = resolveTargets(clf, x, opts.rr, opts.targets);
  const n = targets.length, S = clf.beatSize;
  const samples = opts.samples ?? 25, level = opts.noiseLevel ?? 0.1, variant = opts.variant ?? 'gradient';
  if (!Number.isInteger(samples) || samples < 1) throw new ExplainError(`smoothgrad: samples must be a positive integer, got ${samples}`);
  if (!['gradient', 'gradient-x-input', 'squared'].includes(variant)) throw new ExplainError(`smoothgrad: unknown variant "${variant}"`);
  const rng = new Rng(opts.seed ?? 0);
  const out = new Float32Array(n * S);
  for (let i = 0; i < n; i++) {
    const beat = x.subarray(i * S, (i + 1) * S);
    let lo = Infinity, hi = -Infinity;
    for (const v of beat) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const sigma = level * (hi - lo || 1);
    const pts = new Float32Array(samples * S);
    for (let s = 0; s < samples; s++) for (let j = 0; j < S; j++) pts[s * S + j] = beat[j]! + sigma * rng.normal();
    const rows = new Int32Array(samples).fill(i);
    const { grads } = clf.targetGradients(pts, clf.rrRows(opts.rr, rows), new Int32Array(samples).fill(targets[i]!));
    for (let s = 0; s < samples; s++)
      for (let j = 0; j < S; j++) {
        const g = grads[s * S + j]!;
        out[i * S + j]! += (variant === 'squared' ? g * g : variant === 'gradient-x-input' ? g * pts[s * S + j]! : g) / samples;
      }
  }
  return makeAttribution(clf, 'smoothgrad', out, targets);
}
