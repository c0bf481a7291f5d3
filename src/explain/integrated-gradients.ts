// Integrated Gradients (Sundararajan et al. 2017):
//   IG_i(x) = (x_i − b_i) ∫₀¹ ∂f(b + α(x − b))/∂x_i dα ≈ (x_i − b_i) Σ_k w_k ∂f(b + α_k(x − b))/∂x_i
// with the quadrature rule's nodes α_k and weights w_k on [0, 1]. The interpolation points of a beat run
// as batches. Completeness says Σ_i IG_i = f(x) − f(b); the gap |Σ IG − (f(x) − f(b))| is reported per
// beat as `delta` (it shrinks as steps grow; exact for a linear model).
import { type ExplainedModel, ExplainError, resolveTargets } from './classifier.ts';
import { type Attribution, type CommonOptions, makeAttribution } from './gradient.ts';
import { type Baseline, type BaselineOptions, baselineFor } from './baselines.ts';

/**
 * How integratedGradients approximates the path integral: left, right, midpoint or trapezoid Riemann sums, or
 * Gauss-Legendre (default).
 */
export type QuadratureRule = 'riemann-left' | 'riemann-right' | 'riemann-midpoint' | 'riemann-trapezoid' | 'gauss-legendre';
/** The quadrature rules integratedGradients accepts. */
export const QUADRATURE_RULES: readonly QuadratureRule[] = ['riemann-left', 'riemann-right', 'riemann-midpoint', 'riemann-trapezoid', 'gauss-legendre'];

/** Nodes and weights on [0, 1] (weights sum to 1). The trapezoid rule uses steps + 1 nodes. */
export function quadrature(rule: QuadratureRule, steps: number): { alphas: Float64Array; weights: Float64Array } {
  if (!Number.isInteger(steps) || steps < 1) throw new ExplainError(`integrated gradients: steps must be a positive integer, got ${steps}`);
  const m = steps;
  switch (rule) {
    case 'riemann-left':
      return { alphas: Float64Array.from({ length: m }, (_, k) => k / m), weights: new Float64Array(m).fill(1 / m) };
    case 'riemann-right':
      return { alphas: Float64Array.from({ length: m }, (_, k) => (k + 1) / m), weights: new Float64Array(m).fill(1 / m) };
    case 'riemann-midpoint':
      return { alphas: Float64Array.from({ length: m }, (_, k) => (k + 0.5) / m), weights: new Float64Array(m).fill(1 / m) };
    case 'riemann-trapezoid': {
      const weights = new Float64Array(m + 1).fill(1 / m);
      weights[0] = weights[m] = 1 / (2 * m);
      return { alphas: Float64Array.from({ length: m + 1 }, (_, k) => k / m), weights };
    }
    case 'gauss-legendre':
      return gaussLegendre(m);
    default:
      throw new ExplainError(`integrated gradients: unknown rule "${String(rule)}"; choose one of ${QUADRATURE_RULES.join(', ')}`);
  }
}

/** Gauss-Legendre nodes and weights mapped to [0, 1] (Newton iteration on P_n; exact for degree 2n − 1). */
export function gaussLegendre(n: number): { alphas: Float64Array; weights: Float64Array } {
  const alphas = new Float64Array(n), weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let it = 0; it < 100; it++) {
      let p1 = 1, p2 = 0;
      for (let k = 1; k <= n; k++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * k - 1) * z * p2 - (k - 1) * p3) / k;
      }
      dp = (n * (z * p1 - p2)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-15) break;
    }
    alphas[n - 1 - i] = (1 + z) / 2;
    weights[n - 1 - i] = 1 / ((1 - z * z) * dp * dp);
  }
  return { alphas, weights };
}

/**
 * Options of integratedGradients: targets, RR features, the number of intervals, the quadrature rule and the
 * baseline.
 */
export interface IntegratedGradientsOptions extends CommonOptions, BaselineOptions {
  /** Number of intervals (default 32). */
  steps?: number;
  /** Quadrature rule (default 'gauss-legendre'). */
  rule?: QuadratureRule;
  /** Baseline (default 'zero'). */
  baseline?: Baseline;
}

/**
 * Integrated Gradients (Sundararajan et al. 2017) of beats x (n × channels × length): (x − b) times the mean
 * gradient along the straight path from the baseline b to x, by quadrature. The completeness gap |Σ IG −
 * (f(x) − f(b))| of each beat is returned as `delta`. Throws an ExplainError for a wrong beat shape or
 * option.
 */
export function integratedGradients(clf: ExplainedModel, x: Float32Array, opts: IntegratedGradientsOptions = {}): Attribution {
  const targets = resolveTargets(clf, x, opts.rr, opts.targets);
  const n = targets.length, S = clf.beatSize;
  const { alphas, weights } = quadrature(opts.rule ?? 'gauss-legendre', opts.steps ?? 32);
  const base = baselineFor(opts.baseline ?? 'zero', x, clf.channels, clf.length, opts);
  const m = alphas.length;
  const values = new Float32Array(n * S);
  for (let i = 0; i < n; i++) {
    const xi = x.subarray(i * S, (i + 1) * S), bi = base.subarray(i * S, (i + 1) * S);
    const pts = new Float32Array(m * S);
    for (let k = 0; k < m; k++) for (let j = 0; j < S; j++) pts[k * S + j] = bi[j]! + alphas[k]! * (xi[j]! - bi[j]!);
    const rows = new Int32Array(m).fill(i);
    const { grads } = clf.targetGradients(pts, clf.rrRows(opts.rr, rows), new Int32Array(m).fill(targets[i]!));
    for (let j = 0; j < S; j++) {
      let acc = 0;
      for (let k = 0; k < m; k++) acc += weights[k]! * grads[k * S + j]!;
      values[i * S + j] = (xi[j]! - bi[j]!) * acc;
    }
  }
  const scores = clf.targetScores(x, opts.rr, targets);
  const baselineScores = clf.targetScores(base, opts.rr, targets);
  const delta = completenessDelta(values, S, scores, baselineScores);
  return makeAttribution(clf, 'integrated-gradients', values, targets, { scores, baselineScores, delta });
}

/** |Σ attribution − (f(x) − f(b))| per beat. */
export function completenessDelta(values: Float32Array, size: number, scores: ArrayLike<number>, baselineScores: ArrayLike<number>): Float32Array {
  const n = values.length / size;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < size; j++) s += values[i * size + j]!;
    out[i] = Math.abs(s - (scores[i]! - baselineScores[i]!));
  }
  return out;
}
