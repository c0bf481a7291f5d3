// Gaussian naive Bayes: per-class feature means and variances (float64), class priors from the training
// frequencies, and a variance floor of varSmoothing x the largest feature variance (as scikit-learn).
import { type ClassifierState, stateArray } from './format.ts';
import { type Matrix, argmaxRows, checkFit, checkPositive, checkPredict, requireEveryClass } from './matrix.ts';
import type { Classifier, FitOptions } from './types.ts';
import { classifierSpec } from './spec.ts';

/** Hyperparameters of GaussianNaiveBayes (optional in its constructor). */
export interface NaiveBayesParams {
  /** Added to every variance, as a fraction of the largest feature variance (default 1e-9). */
  varSmoothing: number;
}

/**
 * Gaussian naive Bayes: per-class feature means and variances (float64), priors from the training
 * frequencies, and a variance floor of varSmoothing × the largest feature variance (as scikit-learn). The
 * constructor throws a RangeError for an invalid hyperparameter.
 */
export class GaussianNaiveBayes implements Classifier {
  readonly kind = 'naive-bayes';
  readonly params: NaiveBayesParams;
  nClasses = -1;
  nFeatures = -1;
  /** K x d means and variances; K log priors. */
  means = new Float64Array(0);
  variances = new Float64Array(0);
  logPriors = new Float64Array(0);

  constructor(params: Partial<NaiveBayesParams> = {}) {
    this.params = { varSmoothing: 1e-9, ...params };
    checkPositive(this.params.varSmoothing, 'varSmoothing', 'GaussianNaiveBayes', true);
  }

  getParams(): Record<string, unknown> {
    return { ...this.params };
  }

  fit(X: Matrix, y: Int32Array, opts: FitOptions = {}): this {
    const K = checkFit(X, y, 'GaussianNaiveBayes.fit', opts.nClasses);
    const counts = requireEveryClass(y, K, 'GaussianNaiveBayes.fit');
    const N = X.rows, d = X.cols, x = X.data;
    const mu = new Float64Array(K * d), v = new Float64Array(K * d);
    for (let i = 0; i < N; i++) {
      const o = y[i]! * d;
      for (let j = 0; j < d; j++) mu[o + j]! += x[i * d + j]!;
    }
    for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) mu[k * d + j]! /= counts[k]!;
    for (let i = 0; i < N; i++) {
      const o = y[i]! * d;
      for (let j = 0; j < d; j++) {
        const t = x[i * d + j]! - mu[o + j]!;
        v[o + j]! += t * t;
      }
    }
    for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) v[k * d + j]! /= counts[k]!;
    // Overall per-feature variance, for the floor.
    let maxVar = 0;
    for (let j = 0; j < d; j++) {
      let m = 0, s = 0;
      for (let i = 0; i < N; i++) m += x[i * d + j]!;
      m /= N;
      for (let i = 0; i < N; i++) s += (x[i * d + j]! - m) ** 2;
      maxVar = Math.max(maxVar, s / N);
    }
    const eps = this.params.varSmoothing * maxVar || 1e-300;
    for (let i = 0; i < v.length; i++) v[i]! += eps;
    this.means = mu;
    this.variances = v;
    this.logPriors = Float64Array.from(counts, (c) => Math.log(c / N));
    this.nClasses = K;
    this.nFeatures = d;
    return this;
  }

  /** Joint log-likelihoods log P(c) + Σ log N(xⱼ; μ_cj, σ²_cj), rows x K. */
  jointLogLikelihood(X: Matrix): Float64Array {
    checkPredict(X, 'GaussianNaiveBayes', this.nFeatures);
    const K = this.nClasses, d = this.nFeatures, out = new Float64Array(X.rows * K);
    const c0 = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      let s = this.logPriors[k]!;
      for (let j = 0; j < d; j++) s -= 0.5 * Math.log(2 * Math.PI * this.variances[k * d + j]!);
      c0[k] = s;
    }
    const inv = this.variances.map((x) => 1 / x);
    for (let i = 0; i < X.rows; i++)
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const t = X.data[i * d + j]! - this.means[k * d + j]!;
          s += t * t * inv[k * d + j]!;
        }
        out[i * K + k] = c0[k]! - 0.5 * s;
      }
    return out;
  }

  predictProba(X: Matrix): Matrix {
    const K = this.nClasses, j = this.jointLogLikelihood(X), out = new Float32Array(X.rows * K);
    for (let i = 0; i < X.rows; i++) {
      let m = -Infinity, s = 0;
      for (let k = 0; k < K; k++) m = Math.max(m, j[i * K + k]!);
      for (let k = 0; k < K; k++) s += Math.exp(j[i * K + k]! - m);
      for (let k = 0; k < K; k++) out[i * K + k] = Math.exp(j[i * K + k]! - m) / s;
    }
    return { data: out, rows: X.rows, cols: K };
  }

  predict(X: Matrix): Int32Array {
    return argmaxRows(this.jointLogLikelihood(X), X.rows, this.nClasses);
  }

  toState(): ClassifierState {
    return {
      kind: this.kind, nClasses: this.nClasses, nFeatures: this.nFeatures, params: this.getParams(),
      arrays: { means: this.means, variances: this.variances, logPriors: this.logPriors },
    };
  }

  static fromState(s: ClassifierState): GaussianNaiveBayes {
    const m = new GaussianNaiveBayes(s.params as Partial<NaiveBayesParams>);
    m.nClasses = s.nClasses;
    m.nFeatures = s.nFeatures;
    m.means = stateArray(s, 'means', Float64Array, s.nClasses * s.nFeatures);
    m.variances = stateArray(s, 'variances', Float64Array, s.nClasses * s.nFeatures);
    m.logPriors = stateArray(s, 'logPriors', Float64Array, s.nClasses);
    return m;
  }
}

/** The registry entry of 'naive-bayes' (GaussianNaiveBayes, varSmoothing 1e-3). */
export const naiveBayesSpec = classifierSpec({
  name: 'naive-bayes', label: 'Gaussian naive Bayes', classifier: GaussianNaiveBayes, defaults: { varSmoothing: 1e-3 },
  description: 'Gaussian naive Bayes, variances floored at 1e-3 x the largest feature variance',
});
