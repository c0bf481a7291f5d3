// Linear discriminant analysis with class-weighted training (de Chazal, O'Dwyer & Reilly 2004): every
// class is modelled as a Gaussian with its own mean μ_k and one covariance Σ shared by all classes, so
// the discriminant of class k is linear in x:
//   g_k(x) = μ_kᵀ Σ⁻¹ x − ½ μ_kᵀ Σ⁻¹ μ_k + log π_k,      P(k | x) = softmax_k g_k(x).
// With classWeight 'balanced' (the paper's choice) every training beat of class k weighs N / (K·n_k), so
// each class contributes equally to Σ, and the priors π_k are equal (1/K): a rare class (S, F) is not
// outvoted by N. With 'none', beats weigh 1 and π_k are the training frequencies.
// Σ = Σ_i w_i (x_i − μ_{y_i})(x_i − μ_{y_i})ᵀ / Σ_i w_i (+ shrinkage·mean variance on the diagonal, so
// a singular Σ, e.g. of strongly correlated morphology samples, still inverts), solved by Cholesky in
// float64. Stored: W = Σ⁻¹ μ (K x d) and the bias b_k = −½ μ_kᵀ Σ⁻¹ μ_k + log π_k.
import { type ClassifierState, stateArray } from './format.ts';
import { type Matrix, argmaxRows, checkFit, checkPositive, checkPredict, requireEveryClass } from './matrix.ts';
import type { Classifier, FitOptions } from './types.ts';
import { classifierSpec } from './spec.ts';

export interface LdaParams {
  /** 'balanced' (default: equal class weights and priors) or 'none' (training frequencies). */
  classWeight: 'balanced' | 'none';
  /** Added to Σ's diagonal as a fraction of its mean diagonal (default 1e-6). */
  shrinkage: number;
}

export class LinearDiscriminant implements Classifier {
  readonly kind: string = 'lda';
  readonly params: LdaParams;
  nClasses = -1;
  nFeatures = -1;
  /** K x d discriminant weights Σ⁻¹μ_k and K biases. */
  weights = new Float64Array(0);
  bias = new Float64Array(0);

  constructor(params: Partial<LdaParams> = {}) {
    this.params = { classWeight: 'balanced', shrinkage: 1e-6, ...params };
    if (this.params.classWeight !== 'balanced' && this.params.classWeight !== 'none')
      throw new RangeError(`LinearDiscriminant: classWeight must be 'balanced' or 'none', got ${String(this.params.classWeight)}`);
    checkPositive(this.params.shrinkage, 'shrinkage', 'LinearDiscriminant', true);
  }

  getParams(): Record<string, unknown> {
    return { ...this.params };
  }

  fit(X: Matrix, y: Int32Array, opts: FitOptions = {}): this {
    const K = checkFit(X, y, 'LinearDiscriminant.fit', opts.nClasses);
    const counts = requireEveryClass(y, K, 'LinearDiscriminant.fit');
    const N = X.rows, d = X.cols, x = X.data;
    const balanced = this.params.classWeight === 'balanced';
    const w = Float64Array.from(y, (c) => (balanced ? N / (K * counts[c]!) : 1));
    const classWeight = new Float64Array(K);
    for (let i = 0; i < N; i++) classWeight[y[i]!]! += w[i]!;
    const mu = new Float64Array(K * d);
    for (let i = 0; i < N; i++) for (let j = 0; j < d; j++) mu[y[i]! * d + j]! += w[i]! * x[i * d + j]!;
    for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) mu[k * d + j]! /= classWeight[k]!;
    // Pooled weighted within-class covariance (upper triangle, then mirrored).
    const S = new Float64Array(d * d), r = new Float64Array(d);
    let total = 0;
    for (let i = 0; i < N; i++) {
      const o = y[i]! * d, wi = w[i]!;
      total += wi;
      for (let j = 0; j < d; j++) r[j] = x[i * d + j]! - mu[o + j]!;
      for (let a = 0; a < d; a++) {
        const ra = wi * r[a]!;
        for (let b = a; b < d; b++) S[a * d + b]! += ra * r[b]!;
      }
    }
    let trace = 0;
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) S[b * d + a] = S[a * d + b]! /= total;
      trace += S[a * d + a]!;
    }
    const ridge = this.params.shrinkage * (trace / d) || 1e-12;
    for (let a = 0; a < d; a++) S[a * d + a]! += ridge;
    const L = cholesky(S, d);
    const W = new Float64Array(K * d), bias = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      const wk = cholSolve(L, d, mu.subarray(k * d, (k + 1) * d));
      W.set(wk, k * d);
      let q = 0;
      for (let j = 0; j < d; j++) q += mu[k * d + j]! * wk[j]!;
      bias[k] = -0.5 * q + Math.log(balanced ? 1 / K : counts[k]! / N);
    }
    this.weights = W;
    this.bias = bias;
    this.nClasses = K;
    this.nFeatures = d;
    return this;
  }

  /** The discriminants g_k(x), rows x K. */
  decision(X: Matrix): Float64Array {
    checkPredict(X, 'LinearDiscriminant', this.nFeatures);
    const K = this.nClasses, d = this.nFeatures, out = new Float64Array(X.rows * K);
    for (let i = 0; i < X.rows; i++)
      for (let k = 0; k < K; k++) {
        let s = this.bias[k]!;
        for (let j = 0; j < d; j++) s += this.weights[k * d + j]! * X.data[i * d + j]!;
        out[i * K + k] = s;
      }
    return out;
  }

  predictProba(X: Matrix): Matrix {
    const K = this.nClasses, g = this.decision(X), out = new Float32Array(X.rows * K);
    for (let i = 0; i < X.rows; i++) {
      let m = -Infinity, s = 0;
      for (let k = 0; k < K; k++) m = Math.max(m, g[i * K + k]!);
      for (let k = 0; k < K; k++) s += Math.exp(g[i * K + k]! - m);
      for (let k = 0; k < K; k++) out[i * K + k] = Math.exp(g[i * K + k]! - m) / s;
    }
    return { data: out, rows: X.rows, cols: K };
  }

  predict(X: Matrix): Int32Array {
    return argmaxRows(this.decision(X), X.rows, this.nClasses);
  }

  toState(): ClassifierState {
    return { kind: this.kind, nClasses: this.nClasses, nFeatures: this.nFeatures, params: this.getParams(), arrays: { weights: this.weights, bias: this.bias } };
  }

  static fromState(s: ClassifierState): LinearDiscriminant {
    const m = new LinearDiscriminant(s.params as Partial<LdaParams>);
    m.nClasses = s.nClasses;
    m.nFeatures = s.nFeatures;
    m.weights = stateArray(s, 'weights', Float64Array, s.nClasses * s.nFeatures);
    m.bias = stateArray(s, 'bias', Float64Array, s.nClasses);
    return m;
  }
}

/** Lower-triangular L with L Lᵀ = A (A symmetric positive definite, d x d row-major). */
function cholesky(A: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j]!;
      for (let k = 0; k < j; k++) s -= L[i * d + k]! * L[j * d + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`LinearDiscriminant.fit: the pooled covariance is not positive definite at feature ${i} (a constant or duplicated feature? raise shrinkage)`);
        L[i * d + i] = Math.sqrt(s);
      } else L[i * d + j] = s / L[j * d + j]!;
    }
  return L;
}

/** Solves L Lᵀ z = b. */
function cholSolve(L: Float64Array, d: number, b: ArrayLike<number>): Float64Array {
  const z = Float64Array.from(b);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < i; k++) z[i]! -= L[i * d + k]! * z[k]!;
    z[i]! /= L[i * d + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    for (let k = i + 1; k < d; k++) z[i]! -= L[k * d + i]! * z[k]!;
    z[i]! /= L[i * d + i]!;
  }
  return z;
}

/**
 * The classifier of de Chazal, O'Dwyer & Reilly (2004): the class-weighted linear discriminant above,
 * under its own registry name; its features are the 'dechazal' beat-feature set (RR intervals, heartbeat
 * intervals and both leads' QRS and T-wave morphology, src/ecg/dataset/dechazal.ts).
 */
export class DeChazal2004 extends LinearDiscriminant {
  override readonly kind: string = 'dechazal2004';

  static override fromState(s: ClassifierState): DeChazal2004 {
    return Object.assign(new DeChazal2004(s.params as Partial<LdaParams>), LinearDiscriminant.fromState(s), { kind: 'dechazal2004' });
  }
}

export const dechazal2004Spec = classifierSpec({
  name: 'dechazal2004',
  label: 'de Chazal 2004 (class-weighted linear discriminant)',
  description: "de Chazal, O'Dwyer & Reilly (2004): linear discriminant, training beats weighted inversely to their class frequency; pair it with --rr-set dechazal --features rr",
  classifier: DeChazal2004,
  inComparison: false,
});
