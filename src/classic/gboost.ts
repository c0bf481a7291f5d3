// Gradient-boosted trees for multiclass classification (softmax / cross-entropy), second order as in
// XGBoost / LightGBM: every round computes p = softmax(F) and fits one regression tree per class to
// g = p_k − [y = k], h = max(p_k·(1 − p_k), 1e-6) on binned features, with gain
//   G_L²/(H_L + λ) + G_R²/(H_R + λ) − G²/(H + λ)
// and leaf weights −G/(H + λ), scaled by the learning rate. Histograms of (g, h) per (feature, bin) are
// built for the smaller child only; the larger child's is the parent's minus the smaller's. Row
// subsampling (per round) and feature subsampling (per tree) are seeded.
import { Rng } from '../core/random.ts';
import { type Bins, binMatrix } from './bins.ts';
import { type ClassifierState, stateArray } from './format.ts';
import { type Matrix, argmaxRows, checkFit, checkInt, checkPositive, checkPredict, requireEveryClass, softmaxRows } from './matrix.ts';
import { type TreeArrays, TreeBuilder, flatLeaf, flattenTrees, packTrees, unpackTrees } from './tree.ts';
import type { Classifier, FitOptions } from './types.ts';
import { classifierSpec } from './spec.ts';

/** Hyperparameters of GradientBoosting (every one optional in its constructor). */
export interface GradientBoostingParams {
  /** Boosting rounds (each adds one tree per class). Default 200. */
  nRounds: number;
  /** Shrinkage of every tree (default 0.2). */
  learningRate: number;
  /** Depth of each tree (default 6). */
  maxDepth: number;
  /** L2 penalty λ on leaf weights (default 1). */
  lambda: number;
  /** Minimum hessian sum in a child (default 1). */
  minChildWeight: number;
  /** Minimum gain to split (default 0). */
  minSplitGain: number;
  /** Fraction of rows drawn (without replacement) per round (default 0.8). */
  subsample: number;
  /** Fraction of features drawn per tree (default 0.5). */
  colsample: number;
  /** Bins per feature (2..256, default 256). */
  maxBins: number;
  seed: number;
  /**
   * 'balanced' weighs each row's gradient and hessian by n / (K·n_c) of its class (and starts from equal
   * class scores, the weighted priors); default 'none'.
   */
  classWeight: 'none' | 'balanced';
}

const HIST = 256 * 2; // per feature: (g, h) for up to 256 bins

/**
 * Gradient-boosted regression trees on the softmax loss, second order as XGBoost / LightGBM: each round fits
 * one tree per class to the gradients and hessians on binned features; row and feature subsampling are
 * seeded. The constructor throws a RangeError for an invalid hyperparameter.
 */
export class GradientBoosting implements Classifier {
  readonly kind = 'gboost';
  readonly params: GradientBoostingParams;
  nClasses = -1;
  nFeatures = -1;
  /** Trees in round-major order: trees[r * K + k] is round r's tree for class k. */
  trees: TreeArrays[] = [];
  /** Initial scores (log class priors). */
  base = new Float64Array(0);

  constructor(params: Partial<GradientBoostingParams> = {}) {
    this.params = {
      nRounds: 200, learningRate: 0.2, maxDepth: 6, lambda: 1, minChildWeight: 1, minSplitGain: 0, subsample: 0.8,
      colsample: 0.5, maxBins: 256, seed: 0, classWeight: 'none', ...params,
    };
    const p = this.params, who = 'GradientBoosting';
    if (p.classWeight !== 'none' && p.classWeight !== 'balanced')
      throw new RangeError(`${who}: classWeight must be 'none' or 'balanced', got ${String(p.classWeight)}`);
    checkInt(p.nRounds, 'nRounds', who);
    checkPositive(p.learningRate, 'learningRate', who);
    checkInt(p.maxDepth, 'maxDepth', who);
    checkPositive(p.lambda, 'lambda', who, true);
    checkPositive(p.minChildWeight, 'minChildWeight', who, true);
    checkPositive(p.minSplitGain, 'minSplitGain', who, true);
    for (const k of ['subsample', 'colsample'] as const)
      if (!(p[k] > 0 && p[k] <= 1)) throw new RangeError(`${who}: ${k} must be in (0, 1], got ${p[k]}`);
    checkInt(p.maxBins, 'maxBins', who, 2);
  }

  getParams(): Record<string, unknown> {
    return { ...this.params };
  }

  fit(X: Matrix, y: Int32Array, opts: FitOptions = {}): this {
    const K = checkFit(X, y, 'GradientBoosting.fit', opts.nClasses);
    const counts = requireEveryClass(y, K, 'GradientBoosting.fit');
    const p = this.params, N = X.rows, d = X.cols;
    const bins = binMatrix(X, p.maxBins);
    const rng = new Rng(p.seed);
    const balanced = p.classWeight === 'balanced';
    const classW = Float64Array.from(counts, (c) => (balanced ? N / (K * c) : 1));
    this.base = Float64Array.from(counts, (c) => (balanced ? Math.log(1 / K) : Math.log(c / N)));
    const F = new Float64Array(N * K);
    for (let i = 0; i < N; i++) F.set(this.base, i * K);
    const prob = new Float64Array(N * K);
    const g = new Float64Array(N), h = new Float64Array(N);
    const perm = Int32Array.from({ length: N }, (_, i) => i);
    const featPerm = Int32Array.from({ length: d }, (_, i) => i);
    const nRows = Math.max(1, Math.round(p.subsample * N)), nFeat = Math.max(1, Math.round(p.colsample * d));
    this.trees = [];
    for (let r = 0; r < p.nRounds; r++) {
      for (let i = 0; i < N; i++) {
        let m = -Infinity, s = 0;
        for (let k = 0; k < K; k++) m = Math.max(m, F[i * K + k]!);
        for (let k = 0; k < K; k++) s += (prob[i * K + k] = Math.exp(F[i * K + k]! - m));
        for (let k = 0; k < K; k++) prob[i * K + k]! /= s;
      }
      let rows: Int32Array;
      if (nRows < N) {
        for (let i = 0; i < nRows; i++) {
          const j = i + rng.int(N - i);
          const t = perm[i]!; perm[i] = perm[j]!; perm[j] = t;
        }
        rows = perm.slice(0, nRows).sort();
      } else rows = perm.slice().sort();
      for (let k = 0; k < K; k++) {
        for (let i = 0; i < N; i++) {
          const pk = prob[i * K + k]!;
          const w = classW[y[i]!]!;
          g[i] = w * (pk - (y[i] === k ? 1 : 0));
          h[i] = w * Math.max(pk * (1 - pk), 1e-6);
        }
        for (let i = 0; i < nFeat; i++) {
          const j = i + rng.int(d - i);
          const t = featPerm[i]!; featPerm[i] = featPerm[j]!; featPerm[j] = t;
        }
        const feats = featPerm.slice(0, nFeat).sort();
        const tree = growGradientTree(bins, g, h, rows.slice(), feats, p);
        this.trees.push(tree);
        // Update the scores of every row (also the ones left out of this round).
        for (let i = 0; i < N; i++) F[i * K + k]! += tree.value[leafOfBinned(tree, bins, i)]!;
      }
    }
    this.nClasses = K;
    this.nFeatures = d;
    return this;
  }

  /** Raw scores F (rows x K). */
  decisionFunction(X: Matrix): Float64Array {
    checkPredict(X, 'GradientBoosting', this.nFeatures);
    const K = this.nClasses, d = this.nFeatures, out = new Float64Array(X.rows * K);
    const flat = flattenTrees(this.trees), T = this.trees.length;
    const value = new Float32Array(flat.feature.length);
    this.trees.forEach((t, i) => value.set(t.value, flat.roots[i]!));
    for (let i = 0; i < X.rows; i++) {
      out.set(this.base, i * K);
      for (let t = 0; t < T; t++) out[i * K + (t % K)]! += value[flatLeaf(flat, t, X.data, i * d)]!;
    }
    return out;
  }

  predictProba(X: Matrix): Matrix {
    return softmaxRows(this.decisionFunction(X), X.rows, this.nClasses);
  }

  predict(X: Matrix): Int32Array {
    return argmaxRows(this.decisionFunction(X), X.rows, this.nClasses);
  }

  toState(): ClassifierState {
    if (!this.trees.length) throw new Error('GradientBoosting.toState: the classifier is not fitted');
    return {
      kind: this.kind, nClasses: this.nClasses, nFeatures: this.nFeatures, params: this.getParams(),
      arrays: { base: this.base, ...packTrees(this.trees) },
    };
  }

  static fromState(s: ClassifierState): GradientBoosting {
    const m = new GradientBoosting(s.params as Partial<GradientBoostingParams>);
    m.nClasses = s.nClasses;
    m.nFeatures = s.nFeatures;
    m.base = stateArray(s, 'base', Float64Array, s.nClasses);
    m.trees = unpackTrees(s, 1);
    if (m.trees.length % s.nClasses) throw new Error(`${s.kind}: ${m.trees.length} trees is not a multiple of ${s.nClasses} classes`);
    return m;
  }
}

/** Leaf of training row i using its bin codes (the tree's thresholds are bin edges). */
function leafOfBinned(t: TreeArrays & { bin?: Int32Array }, bins: Bins, i: number): number {
  let n = 0;
  const b = t.bin!;
  while (t.feature[n]! >= 0) n = bins.codes[t.feature[n]! * bins.rows + i]! <= b[n]! ? t.left[n]! : t.right[n]!;
  return n;
}

/** One second-order regression tree on the rows `rows` (modified in place) and features `feats`. */
function growGradientTree(
  bins: Bins, g: Float64Array, h: Float64Array, rows: Int32Array, feats: Int32Array, p: GradientBoostingParams,
): TreeArrays & { bin: Int32Array } {
  const { rows: N, codes, thresholds } = bins;
  const tb = new TreeBuilder(1);
  const binOf: number[] = [];
  const nf = feats.length;
  const { lambda, minChildWeight, minSplitGain, learningRate, maxDepth } = p;
  const gs = new Float64Array(rows.length), hs = new Float64Array(rows.length);
  const build = (hist: Float64Array, start: number, end: number): void => {
    hist.fill(0);
    // Gather the node's gradients once, so the per-feature passes read them sequentially.
    for (let t = start; t < end; t++) {
      gs[t] = g[rows[t]!]!;
      hs[t] = h[rows[t]!]!;
    }
    for (let fi = 0; fi < nf; fi++) {
      const o = feats[fi]! * N, ho = fi * HIST;
      for (let t = start; t < end; t++) {
        const c = ho + 2 * codes[o + rows[t]!]!;
        hist[c]! += gs[t]!;
        hist[c + 1]! += hs[t]!;
      }
    }
  };
  const rootHist = new Float64Array(nf * HIST);
  build(rootHist, 0, rows.length);
  let G0 = 0, H0 = 0;
  for (let t = 0; t < rows.length; t++) { G0 += g[rows[t]!]!; H0 += h[rows[t]!]!; }
  const node = (start: number, end: number, depth: number, hist: Float64Array, G: number, H: number): number => {
    const id = tb.add([(-G / (H + lambda)) * learningRate]);
    binOf.push(-1);
    if (depth >= maxDepth || end - start < 2) return id;
    const parent = (G * G) / (H + lambda);
    let best = minSplitGain, bf = -1, bb = -1, bGL = 0, bHL = 0;
    for (let fi = 0; fi < nf; fi++) {
      const f = feats[fi]!, nb = thresholds[f]!.length + 1, ho = fi * HIST;
      let GL = 0, HL = 0;
      for (let b = 0; b < nb - 1; b++) {
        const hb = hist[ho + 2 * b + 1]!;
        if (hb === 0) continue;
        GL += hist[ho + 2 * b]!;
        HL += hb;
        if (HL < minChildWeight) continue;
        const HR = H - HL;
        if (HR < minChildWeight) break;
        const GR = G - GL;
        const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parent;
        if (gain > best) { best = gain; bf = fi; bb = b; bGL = GL; bHL = HL; }
      }
    }
    if (bf < 0) return id;
    const f = feats[bf]!, o = f * N;
    let lo = start, hi = end - 1;
    while (lo <= hi) {
      if (codes[o + rows[lo]!]! <= bb) lo++;
      else { const t = rows[lo]!; rows[lo] = rows[hi]!; rows[hi] = t; hi--; }
    }
    if (lo === start || lo === end) return id;
    const small = new Float64Array(nf * HIST);
    const leftSmaller = lo - start <= end - lo;
    if (leftSmaller) build(small, start, lo);
    else build(small, lo, end);
    for (let i = 0; i < hist.length; i++) hist[i]! -= small[i]!; // hist becomes the larger child's
    const [lh, rh] = leftSmaller ? [small, hist] : [hist, small];
    tb.feature[id] = f;
    tb.threshold[id] = thresholds[f]![bb]!;
    binOf[id] = bb;
    tb.left[id] = node(start, lo, depth + 1, lh, bGL, bHL);
    tb.right[id] = node(lo, end, depth + 1, rh, G - bGL, H - bHL);
    return id;
  };
  node(0, rows.length, 0, rootHist, G0, H0);
  return { ...tb.finish(), bin: Int32Array.from(binOf) };
}

/** The registry entry of 'gboost' (GradientBoosting). */
export const gboostSpec = classifierSpec({
  name: 'gboost', label: 'Gradient-boosted trees (softmax)', classifier: GradientBoosting,
  description: 'gradient-boosted regression trees on the softmax loss',
});
