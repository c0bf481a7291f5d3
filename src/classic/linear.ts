// Linear classifiers: multinomial logistic regression with an L2 penalty (L-BFGS on the whole batch, the
// scores X·Wᵀ and the gradient Gᵀ·X on the SIMD GEMM), and a one-vs-rest linear SVM with the hinge loss
// (dual coordinate descent, Hsieh et al. 2008, the LIBLINEAR L1-loss solver).
import { Rng } from '../core/random.ts';
import { type ClassifierState, stateArray } from './format.ts';
import { lbfgs } from './lbfgs.ts';
import {
  type Matrix, argmaxRows, checkFit, checkInt, checkPositive, checkPredict, requireEveryClass,
} from './matrix.ts';
import type { Classifier, FitOptions } from './types.ts';
import { classifierSpec } from './spec.ts';
import { WasmMatrix, productNT, productTN } from './wasm.ts';

/** Scores X·Wᵀ + b in float64 (rows x K), W row-major K x d. */
function linearScores(X: Matrix, W: Float64Array, b: Float64Array, K: number): Float64Array {
  const d = X.cols, out = new Float64Array(X.rows * K);
  for (let i = 0; i < X.rows; i++) {
    const o = i * d;
    for (let k = 0; k < K; k++) {
      let s = b[k]!;
      const wo = k * d;
      for (let j = 0; j < d; j++) s += X.data[o + j]! * W[wo + j]!;
      out[i * K + k] = s;
    }
  }
  return out;
}

function softmaxRowsInPlace(z: Float64Array, rows: number, K: number): void {
  for (let i = 0; i < rows; i++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, z[i * K + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) s += (z[i * K + k] = Math.exp(z[i * K + k]! - m));
    for (let k = 0; k < K; k++) z[i * K + k]! /= s;
  }
}

/** Hyperparameters of LogisticRegression (every one optional in its constructor). */
export interface LogisticRegressionParams {
  /** L2 penalty λ on the weights (not the biases): loss = mean cross-entropy + λ/2·‖W‖². Default 1e-4. */
  l2: number;
  /** L-BFGS iterations (default 300). */
  maxIter: number;
  /** Gradient tolerance (largest component, default 1e-5). */
  tol: number;
  /** 'balanced' weighs each class by n / (K·n_c); default 'none'. */
  classWeight: 'none' | 'balanced';
}

/**
 * Multinomial logistic regression with an L2 penalty on the weights, fitted by L-BFGS on the whole batch
 * (scores and gradients on the SIMD GEMM). The constructor throws a RangeError for an invalid hyperparameter.
 */
export class LogisticRegression implements Classifier {
  readonly kind = 'logreg';
  readonly params: LogisticRegressionParams;
  nClasses = -1;
  nFeatures = -1;
  /** K x d weights and K biases (float64). */
  weights = new Float64Array(0);
  bias = new Float64Array(0);
  /** L-BFGS report of the last fit. */
  info: { iterations: number; converged: boolean; loss: number; gradMax: number } | null = null;

  constructor(params: Partial<LogisticRegressionParams> = {}) {
    this.params = { l2: 1e-4, maxIter: 300, tol: 1e-5, classWeight: 'none', ...params };
    checkPositive(this.params.l2, 'l2', 'LogisticRegression', true);
    checkInt(this.params.maxIter, 'maxIter', 'LogisticRegression');
    if (this.params.classWeight !== 'none' && this.params.classWeight !== 'balanced')
      throw new RangeError(`LogisticRegression: classWeight must be 'none' or 'balanced', got ${String(this.params.classWeight)}`);
  }

  getParams(): Record<string, unknown> {
    return { ...this.params };
  }

  fit(X: Matrix, y: Int32Array, opts: FitOptions = {}): this {
    const K = checkFit(X, y, 'LogisticRegression.fit', opts.nClasses);
    const counts = requireEveryClass(y, K, 'LogisticRegression.fit');
    const N = X.rows, d = X.cols, { l2 } = this.params;
    const sw = new Float64Array(N).fill(1);
    if (this.params.classWeight === 'balanced') for (let i = 0; i < N; i++) sw[i] = N / (K * counts[y[i]!]!);
    let swSum = 0;
    for (let i = 0; i < N; i++) swSum += sw[i]!;
    const Xw = new WasmMatrix(X);
    const w32 = new Float32Array(K * d), G = new Float32Array(N * K);
    const fg = (theta: Float64Array, grad: Float64Array): number => {
      for (let i = 0; i < K * d; i++) w32[i] = theta[i]!;
      const z = productNT(Xw, w32, K);
      let loss = 0;
      const gb = new Float64Array(K), e = new Float64Array(K);
      for (let i = 0; i < N; i++) {
        let m = -Infinity;
        for (let k = 0; k < K; k++) m = Math.max(m, z[i * K + k]! + theta[K * d + k]!);
        let s = 0;
        for (let k = 0; k < K; k++) s += (e[k] = Math.exp(z[i * K + k]! + theta[K * d + k]! - m));
        const yi = y[i]!, wi = sw[i]! / swSum;
        loss -= wi * (z[i * K + yi]! + theta[K * d + yi]! - m - Math.log(s));
        for (let k = 0; k < K; k++) {
          const gik = wi * (e[k]! / s - (k === yi ? 1 : 0));
          G[i * K + k] = gik;
          gb[k]! += gik;
        }
      }
      const gw = productTN(G, K, Xw);
      let reg = 0;
      for (let i = 0; i < K * d; i++) {
        reg += theta[i]! * theta[i]!;
        grad[i] = gw[i]! + l2 * theta[i]!;
      }
      for (let k = 0; k < K; k++) grad[K * d + k] = gb[k]!;
      return loss + 0.5 * l2 * reg;
    };
    const theta0 = new Float64Array(K * d + K);
    // Start from the log class priors (weighted), which is the optimum of the bias-only model.
    for (let k = 0; k < K; k++) theta0[K * d + k] = Math.log(Math.max(counts[k]!, 1e-300) / N);
    const r = lbfgs(fg, theta0, { maxIter: this.params.maxIter, gradTol: this.params.tol });
    this.nClasses = K;
    this.nFeatures = d;
    this.weights = r.x.slice(0, K * d);
    this.bias = r.x.slice(K * d);
    this.info = { iterations: r.iterations, converged: r.converged, loss: r.f, gradMax: r.gradMax };
    return this;
  }

  /** Raw scores X·Wᵀ + b (rows x K). */
  decisionFunction(X: Matrix): Matrix {
    checkPredict(X, 'LogisticRegression.decisionFunction', this.nFeatures);
    return { data: Float32Array.from(linearScores(X, this.weights, this.bias, this.nClasses)), rows: X.rows, cols: this.nClasses };
  }

  predictProba(X: Matrix): Matrix {
    checkPredict(X, 'LogisticRegression.predictProba', this.nFeatures);
    const z = linearScores(X, this.weights, this.bias, this.nClasses);
    softmaxRowsInPlace(z, X.rows, this.nClasses);
    return { data: Float32Array.from(z), rows: X.rows, cols: this.nClasses };
  }

  predict(X: Matrix): Int32Array {
    checkPredict(X, 'LogisticRegression.predict', this.nFeatures);
    return argmaxRows(linearScores(X, this.weights, this.bias, this.nClasses), X.rows, this.nClasses);
  }

  toState(): ClassifierState {
    return { kind: this.kind, nClasses: this.nClasses, nFeatures: this.nFeatures, params: this.getParams(), arrays: { weights: this.weights, bias: this.bias } };
  }

  static fromState(s: ClassifierState): LogisticRegression {
    const m = new LogisticRegression(s.params as Partial<LogisticRegressionParams>);
    m.nClasses = s.nClasses;
    m.nFeatures = s.nFeatures;
    m.weights = stateArray(s, 'weights', Float64Array, s.nClasses * s.nFeatures);
    m.bias = stateArray(s, 'bias', Float64Array, s.nClasses);
    return m;
  }
}

/** Hyperparameters of LinearSVM (every one optional in its constructor). */
export interface LinearSvmParams {
  /** Hinge-loss weight C in ½‖w‖² + C·Σ max(0, 1 − yᵢ·f(xᵢ)) (default 0.1). */
  C: number;
  /** Maximum epochs of dual coordinate descent per class (default 100). */
  maxIter: number;
  /** Stop when the projected-gradient spread falls below this (LIBLINEAR's eps, default 0.1). */
  tol: number;
  /** Value of the constant feature that carries the (regularised) bias (default 1). */
  biasScale: number;
  /** 'balanced' scales C per sample by n / (2·n_side) for each one-vs-rest problem; default 'none'. */
  classWeight: 'none' | 'balanced';
  seed: number;
}

/**
 * One-vs-rest linear support vector machines with the hinge loss, fitted by dual coordinate descent (Hsieh et
 * al. 2008, LIBLINEAR's L1-loss solver); the bias is a regularised constant feature. No probabilities. The
 * constructor throws a RangeError for an invalid hyperparameter.
 */
export class LinearSVM implements Classifier {
  readonly kind = 'linear-svm';
  readonly params: LinearSvmParams;
  nClasses = -1;
  nFeatures = -1;
  weights = new Float64Array(0);
  bias = new Float64Array(0);
  /** Epochs used per class in the last fit. */
  epochs: number[] = [];

  constructor(params: Partial<LinearSvmParams> = {}) {
    this.params = { C: 0.1, maxIter: 100, tol: 0.1, biasScale: 1, classWeight: 'none', seed: 0, ...params };
    checkPositive(this.params.C, 'C', 'LinearSVM');
    checkInt(this.params.maxIter, 'maxIter', 'LinearSVM');
    checkPositive(this.params.tol, 'tol', 'LinearSVM');
  }

  getParams(): Record<string, unknown> {
    return { ...this.params };
  }

  fit(X: Matrix, y: Int32Array, opts: FitOptions = {}): this {
    const K = checkFit(X, y, 'LinearSVM.fit', opts.nClasses);
    const counts = requireEveryClass(y, K, 'LinearSVM.fit');
    const N = X.rows, d = X.cols, x = X.data, { maxIter, tol, biasScale } = this.params;
    const qii = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let s = biasScale * biasScale;
      for (let j = 0; j < d; j++) s += x[i * d + j]! * x[i * d + j]!;
      qii[i] = s;
    }
    const W = new Float64Array(K * d), B = new Float64Array(K);
    const rng = new Rng(this.params.seed);
    const order = new Int32Array(N);
    const alpha = new Float64Array(N);
    this.epochs = [];
    for (let k = 0; k < K; k++) {
      const w = new Float64Array(d);
      let wb = 0;
      alpha.fill(0);
      const pos = counts[k]!, neg = N - pos;
      const cPos = this.params.classWeight === 'balanced' ? (this.params.C * N) / (2 * pos) : this.params.C;
      const cNeg = this.params.classWeight === 'balanced' ? (this.params.C * N) / (2 * Math.max(neg, 1)) : this.params.C;
      let epoch = 0;
      for (; epoch < maxIter; epoch++) {
        for (let i = 0; i < N; i++) order[i] = i;
        rng.shuffle(order);
        let pgMax = -Infinity, pgMin = Infinity;
        for (let t = 0; t < N; t++) {
          const i = order[t]!;
          const yi = y[i] === k ? 1 : -1;
          const C = yi > 0 ? cPos : cNeg;
          const o = i * d;
          let s = wb * biasScale;
          for (let j = 0; j < d; j++) s += w[j]! * x[o + j]!;
          const G = yi * s - 1;
          const a = alpha[i]!;
          const pg = a === 0 ? Math.min(G, 0) : a >= C ? Math.max(G, 0) : G;
          if (pg > pgMax) pgMax = pg;
          if (pg < pgMin) pgMin = pg;
          if (pg !== 0) {
            const an = Math.min(Math.max(a - G / qii[i]!, 0), C);
            const delta = (an - a) * yi;
            alpha[i] = an;
            for (let j = 0; j < d; j++) w[j]! += delta * x[o + j]!;
            wb += delta * biasScale;
          }
        }
        if (pgMax - pgMin < tol) { epoch++; break; }
      }
      this.epochs.push(epoch);
      W.set(w, k * d);
      B[k] = wb * biasScale;
    }
    this.nClasses = K;
    this.nFeatures = d;
    this.weights = W;
    this.bias = B;
    return this;
  }

  /** One-vs-rest scores w_k·x + b_k (rows x K). */
  decisionFunction(X: Matrix): Matrix {
    checkPredict(X, 'LinearSVM.decisionFunction', this.nFeatures);
    return { data: Float32Array.from(linearScores(X, this.weights, this.bias, this.nClasses)), rows: X.rows, cols: this.nClasses };
  }

  predict(X: Matrix): Int32Array {
    checkPredict(X, 'LinearSVM.predict', this.nFeatures);
    return argmaxRows(linearScores(X, this.weights, this.bias, this.nClasses), X.rows, this.nClasses);
  }

  toState(): ClassifierState {
    return { kind: this.kind, nClasses: this.nClasses, nFeatures: this.nFeatures, params: this.getParams(), arrays: { weights: this.weights, bias: this.bias } };
  }

  static fromState(s: ClassifierState): LinearSVM {
    const m = new LinearSVM(s.params as Partial<LinearSvmParams>);
    m.nClasses = s.nClasses;
    m.nFeatures = s.nFeatures;
    m.weights = stateArray(s, 'weights', Float64Array, s.nClasses * s.nFeatures);
    m.bias = stateArray(s, 'bias', Float64Array, s.nClasses);
    return m;
  }
}

/** The registry entry of 'logreg' (LogisticRegression, l2 1e-4). */
export const logregSpec = classifierSpec({
  name: 'logreg', label: 'Logistic regression (L2)', classifier: LogisticRegression, defaults: { l2: 1e-4 },
  description: 'multinomial logistic regression, L2 penalty, fitted by L-BFGS',
});

/** The registry entry of 'linear-svm' (LinearSVM). */
export const linearSvmSpec = classifierSpec({
  name: 'linear-svm', label: 'Linear SVM (one-vs-rest, hinge)', classifier: LinearSVM,
  description: 'linear support vector machines, one per class against the rest, hinge loss',
});
