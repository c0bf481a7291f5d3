// CART classification trees (Gini impurity, depth / leaf-size limits) and random forests (bootstrap,
// feature subsampling at every split), grown on binned features (bins.ts): at a node, one pass over its
// rows fills a (bin x class) weight histogram per candidate feature, and a scan over the bins evaluates
// every split "x ≤ t_b" of that feature. A split must lower the weighted Gini impurity; ties keep the
// first feature, then the lowest threshold, so trees are deterministic for a given seed.
import { Rng } from '../core/random.ts';
import { type Bins, binMatrix } from './bins.ts';
import { type ClassifierState, stateArray } from './format.ts';
import { type Matrix, argmaxRows, checkFit, checkInt, checkPredict } from './matrix.ts';
import type { Classifier, FitOptions } from './types.ts';
import { classifierSpec } from './spec.ts';

/** A fitted tree as flat arrays. Leaves have feature −1; value holds `outputs` numbers per node. */
export interface TreeArrays {
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  value: Float32Array;
  outputs: number;
}

/** Leaf index of row i of X. */
export function leafOf(t: TreeArrays, x: Float32Array, o: number): number {
  let n = 0;
  while (t.feature[n]! >= 0) n = x[o + t.feature[n]!]! <= t.threshold[n]! ? t.left[n]! : t.right[n]!;
  return n;
}

/** Trees packed into shared arrays with absolute child indices, for fast prediction. */
export interface FlatTrees {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
}

export function flattenTrees(trees: TreeArrays[]): FlatTrees {
  const total = trees.reduce((a, t) => a + t.feature.length, 0);
  const f: FlatTrees = {
    roots: new Int32Array(trees.length), feature: new Int32Array(total), threshold: new Float32Array(total),
    left: new Int32Array(total), right: new Int32Array(total),
  };
  let o = 0;
  trees.forEach((t, i) => {
    f.roots[i] = o;
    for (let n = 0; n < t.feature.length; n++) {
      f.feature[o + n] = t.feature[n]!;
      f.threshold[o + n] = t.threshold[n]!;
      f.left[o + n] = t.left[n]! + o;
      f.right[o + n] = t.right[n]! + o;
    }
    o += t.feature.length;
  });
  return f;
}

/** Absolute leaf index (into the flat arrays) of tree `t` for the row at x[o ..]. */
export function flatLeaf(f: FlatTrees, t: number, x: Float32Array, o: number): number {
  const feature = f.feature, threshold = f.threshold, left = f.left, right = f.right;
  let n = f.roots[t]!;
  let j = feature[n]!;
  while (j >= 0) {
    n = x[o + j]! <= threshold[n]! ? left[n]! : right[n]!;
    j = feature[n]!;
  }
  return n;
}

class TreeBuilder {
  feature: number[] = [];
  threshold: number[] = [];
  left: number[] = [];
  right: number[] = [];
  value: number[] = [];
  constructor(readonly outputs: number) {}
  add(value: ArrayLike<number>): number {
    const id = this.feature.length;
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    for (let k = 0; k < this.outputs; k++) this.value.push(value[k]!);
    return id;
  }
  finish(): TreeArrays {
    return {
      feature: Int32Array.from(this.feature), threshold: Float32Array.from(this.threshold),
      left: Int32Array.from(this.left), right: Int32Array.from(this.right), value: Float32Array.from(this.value),
      outputs: this.outputs,
    };
  }
}
export { TreeBuilder };

export interface TreeGrowth {
  /** Maximum depth (the root has depth 0); 0 means unlimited. */
  maxDepth: number;
  /** A node needs at least this much weight (samples) to be split. */
  minSamplesSplit: number;
  /** Each child needs at least this much weight (samples). */
  minSamplesLeaf: number;
  /** Features tried per split (≤ number of features). */
  maxFeatures: number;
}

/**
 * Grows a Gini classification tree on bins. `weight` (bootstrap multiplicities, or null for 1) selects
 * and weighs the rows; leaf values are class proportions.
 */
export function growClassificationTree(bins: Bins, y: Int32Array, K: number, weight: Float64Array | null, g: TreeGrowth, rng: Rng): TreeArrays {
  const { rows: N, cols: d, codes, thresholds } = bins;
  const idxList: number[] = [];
  for (let i = 0; i < N; i++) if (!weight || weight[i]! > 0) idxList.push(i);
  const idx = Int32Array.from(idxList);
  const w = (i: number) => (weight ? weight[i]! : 1);
  const tb = new TreeBuilder(K);
  const hist = new Float64Array(256 * K);
  const feats = Int32Array.from({ length: d }, (_, i) => i);
  const counts = new Float64Array(K), lc = new Float64Array(K);
  const maxDepth = g.maxDepth > 0 ? g.maxDepth : Infinity;
  type Job = { start: number; end: number; depth: number; id: number };
  const classCounts = (start: number, end: number): Float64Array => {
    const c = new Float64Array(K);
    for (let t = start; t < end; t++) c[y[idx[t]!]!]! += w(idx[t]!);
    return c;
  };
  const rootCounts = classCounts(0, idx.length);
  const norm = (c: Float64Array) => { const s = c.reduce((a, b) => a + b, 0); return c.map((v) => v / s); };
  const stack: Job[] = [{ start: 0, end: idx.length, depth: 0, id: tb.add(norm(rootCounts)) }];
  const nodeCounts = new Map<number, Float64Array>([[0, rootCounts]]);
  while (stack.length) {
    const { start, end, depth, id } = stack.pop()!;
    counts.set(nodeCounts.get(id)!);
    nodeCounts.delete(id);
    let W = 0, sq = 0, nonzero = 0;
    for (let k = 0; k < K; k++) { W += counts[k]!; sq += counts[k]! * counts[k]!; if (counts[k]! > 0) nonzero++; }
    if (depth >= maxDepth || W < g.minSamplesSplit || W < 2 * g.minSamplesLeaf || nonzero <= 1) continue;
    const parentScore = sq / W;
    let bestScore = parentScore * (1 + 1e-12) + 1e-12, bestF = -1, bestB = -1;
    // Candidate features: a seeded partial Fisher-Yates draw, tried in increasing order.
    let nf = d;
    if (g.maxFeatures < d) {
      for (let i = 0; i < g.maxFeatures; i++) {
        const j = i + rng.int(d - i);
        const t = feats[i]!; feats[i] = feats[j]!; feats[j] = t;
      }
      nf = g.maxFeatures;
    }
    const cand = feats.slice(0, nf).sort();
    for (let fi = 0; fi < nf; fi++) {
      const f = cand[fi]!, nb = thresholds[f]!.length + 1;
      if (nb < 2) continue;
      hist.fill(0, 0, nb * K);
      const o = f * N;
      for (let t = start; t < end; t++) {
        const i = idx[t]!;
        hist[codes[o + i]! * K + y[i]!]! += w(i);
      }
      lc.fill(0);
      let wl = 0;
      for (let b = 0; b < nb - 1; b++) {
        let binW = 0;
        for (let k = 0; k < K; k++) { const h = hist[b * K + k]!; lc[k]! += h; binW += h; }
        if (binW === 0) continue;
        wl += binW;
        const wr = W - wl;
        if (wl < g.minSamplesLeaf) continue;
        if (wr < g.minSamplesLeaf || wr <= 0) break;
        let sl = 0, sr = 0;
        for (let k = 0; k < K; k++) { const l = lc[k]!, r = counts[k]! - l; sl += l * l; sr += r * r; }
        const score = sl / wl + sr / wr;
        if (score > bestScore) { bestScore = score; bestF = f; bestB = b; }
      }
    }
    if (bestF < 0) continue;
    // Partition rows: bin ≤ bestB to the left.
    const o = bestF * N;
    let lo = start, hi = end - 1;
    while (lo <= hi) {
      if (codes[o + idx[lo]!]! <= bestB) lo++;
      else { const t = idx[lo]!; idx[lo] = idx[hi]!; idx[hi] = t; hi--; }
    }
    const leftCounts = classCounts(start, lo), rightCounts = counts.map((c, k) => c - leftCounts[k]!);
    const l = tb.add(norm(leftCounts)), r = tb.add(norm(rightCounts));
    tb.feature[id] = bestF;
    tb.threshold[id] = thresholds[bestF]![bestB]!;
    tb.left[id] = l;
    tb.right[id] = r;
    nodeCounts.set(l, leftCounts);
    nodeCounts.set(r, rightCounts);
    stack.push({ start: lo, end, depth: depth + 1, id: r }, { start, end: lo, depth: depth + 1, id: l });
  }
  return tb.finish();
}

/** Concatenates trees into flat arrays (offsets[t] = first node of tree t) for the file format. */
export function packTrees(trees: TreeArrays[]): Record<string, Int32Array | Float32Array> {
  const total = trees.reduce((a, t) => a + t.feature.length, 0);
  const outputs = trees[0]?.outputs ?? 1;
  const feature = new Int32Array(total), left = new Int32Array(total), right = new Int32Array(total);
  const threshold = new Float32Array(total), value = new Float32Array(total * outputs), offsets = new Int32Array(trees.length + 1);
  let o = 0;
  trees.forEach((t, i) => {
    offsets[i] = o;
    feature.set(t.feature, o); left.set(t.left, o); right.set(t.right, o); threshold.set(t.threshold, o);
    value.set(t.value, o * outputs);
    o += t.feature.length;
  });
  offsets[trees.length] = o;
  return { offsets, feature, threshold, left, right, value };
}

export function unpackTrees(s: ClassifierState, outputs: number): TreeArrays[] {
  const offsets = stateArray(s, 'offsets', Int32Array);
  const total = offsets[offsets.length - 1] ?? 0;
  for (let t = 0; t < offsets.length; t++)
    if (offsets[t]! < (t === 0 ? 0 : offsets[t - 1]!) || (t === 0 && offsets[0] !== 0))
      throw new Error(`${s.kind}: tree offsets must start at 0 and never decrease (offset ${t} is ${offsets[t]})`);
  const feature = stateArray(s, 'feature', Int32Array, total), left = stateArray(s, 'left', Int32Array, total);
  const right = stateArray(s, 'right', Int32Array, total), threshold = stateArray(s, 'threshold', Float32Array, total);
  const value = stateArray(s, 'value', Float32Array, total * outputs);
  const trees: TreeArrays[] = [];
  for (let t = 0; t + 1 < offsets.length; t++) {
    const a = offsets[t]!, b = offsets[t + 1]!;
    const tree: TreeArrays = {
      feature: feature.slice(a, b), threshold: threshold.slice(a, b), left: left.slice(a, b), right: right.slice(a, b),
      value: value.slice(a * outputs, b * outputs), outputs,
    };
    for (let n = 0; n < b - a; n++)
      if (tree.feature[n]! >= s.nFeatures || (tree.feature[n]! >= 0 && !(tree.left[n]! > n && tree.left[n]! < b - a && tree.right[n]! > n && tree.right[n]! < b - a)))
        throw new Error(`${s.kind}: tree ${t} node ${n} is malformed`);
    trees.push(tree);
  }
  return trees;
}

/** Hyperparameters of DecisionTree (every one optional in its constructor). */
export interface DecisionTreeParams {
  /** Maximum depth (0 = unlimited). Default 20. */
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Features tried per split: 'all', 'sqrt', 'log2' or a count. Default 'all'. */
  maxFeatures: 'all' | 'sqrt' | 'log2' | number;
  /** Bins per feature for the split search (2..256, default 256). */
  maxBins: number;
  seed: number;
}

function resolveMaxFeatures(m: DecisionTreeParams['maxFeatures'], d: number, who: string): number {
  if (m === 'all') return d;
  if (m === 'sqrt') return Math.max(1, Math.round(Math.sqrt(d)));
  if (m === 'log2') return Math.max(1, Math.round(Math.log2(d)));
  if (typeof m === 'number' && Number.isInteger(m) && m >= 1) return Math.min(m, d);
  throw new RangeError(`${who}: maxFeatures must be 'all', 'sqrt', 'log2' or a positive integer, got ${String(m)}`);
}

function checkTreeParams(p: DecisionTreeParams, who: string): void {
  checkInt(p.maxDepth, 'maxDepth', who, 0);
  checkInt(p.minSamplesSplit, 'minSamplesSplit', who, 2);
  checkInt(p.minSamplesLeaf, 'minSamplesLeaf', who, 1);
  checkInt(p.maxBins, 'maxBins', who, 2);
  if (p.maxBins > 256) throw new RangeError(`${who}: maxBins must be at most 256, got ${p.maxBins}`);
  resolveMaxFeatures(p.maxFeatures, 1, who);
}

function probaOfTrees(trees: TreeArrays[], X: Matrix, K: number): Float32Array {
  const out = new Float32Array(X.rows * K), acc = new Float64Array(K), d = X.cols;
  const flat = flattenTrees(trees);
  const value = new Float32Array(flat.feature.length * K);
  trees.forEach((t, i) => value.set(t.value, flat.roots[i]! * K));
  for (let i = 0; i < X.rows; i++) {
    acc.fill(0);
    for (let t = 0; t < trees.length; t++) {
      const leaf = flatLeaf(flat, t, X.data, i * d);
      for (let k = 0; k < K; k++) acc[k]! += value[leaf * K + k]!;
    }
    for (let k = 0; k < K; k++) out[i * K + k] = acc[k]! / trees.length;
  }
  return out;
}

/**
 * One CART classification tree (Gini impurity, depth and leaf-size limits) grown on binned features;
 * deterministic for a given seed. The constructor throws a RangeError for an invalid hyperparameter.
 */
export class DecisionTree implements Classifier {
  readonly kind = 'decision-tree';
  readonly params: DecisionTreeParams;
  nClasses = -1;
  nFeatures = -1;
  tree: TreeArrays | null = null;

  constructor(params: Partial<DecisionTreeParams> = {}) {
    this.params = { maxDepth: 20, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 'all', maxBins: 256, seed: 0, ...params };
    checkTreeParams(this.params, 'DecisionTree');
  }

  getParams(): Record<string, unknown> {
    return { ...this.params };
  }

  fit(X: Matrix, y: Int32Array, opts: FitOptions = {}): this {
    const K = checkFit(X, y, 'DecisionTree.fit', opts.nClasses);
    const p = this.params;
    const bins = binMatrix(X, p.maxBins);
    this.tree = growClassificationTree(bins, y, K, null, {
      maxDepth: p.maxDepth, minSamplesSplit: p.minSamplesSplit, minSamplesLeaf: p.minSamplesLeaf,
      maxFeatures: resolveMaxFeatures(p.maxFeatures, X.cols, 'DecisionTree'),
    }, new Rng(p.seed));
    this.nClasses = K;
    this.nFeatures = X.cols;
    return this;
  }

  get nodeCount(): number {
    return this.tree?.feature.length ?? 0;
  }

  predictProba(X: Matrix): Matrix {
    checkPredict(X, 'DecisionTree.predictProba', this.nFeatures);
    return { data: probaOfTrees([this.tree!], X, this.nClasses), rows: X.rows, cols: this.nClasses };
  }

  predict(X: Matrix): Int32Array {
    const p = this.predictProba(X);
    return argmaxRows(p.data, X.rows, this.nClasses);
  }

  toState(): ClassifierState {
    if (!this.tree) throw new Error('DecisionTree.toState: the classifier is not fitted');
    return { kind: this.kind, nClasses: this.nClasses, nFeatures: this.nFeatures, params: this.getParams(), arrays: packTrees([this.tree]) };
  }

  static fromState(s: ClassifierState): DecisionTree {
    const m = new DecisionTree(s.params as Partial<DecisionTreeParams>);
    m.nClasses = s.nClasses;
    m.nFeatures = s.nFeatures;
    const trees = unpackTrees(s, s.nClasses);
    if (trees.length !== 1) throw new Error(`${s.kind}: expected 1 tree, found ${trees.length}`);
    m.tree = trees[0]!;
    return m;
  }
}

/** Hyperparameters of RandomForest: those of DecisionTree and the number of trees and bootstrap. */
export interface RandomForestParams extends DecisionTreeParams {
  /** Number of trees (default 100). */
  nTrees: number;
  /** Bootstrap samples (default true); without it every tree sees every row. */
  bootstrap: boolean;
}

/**
 * A random forest: CART trees on bootstrap samples with features subsampled at every split, seeded. The
 * constructor throws a RangeError for an invalid hyperparameter.
 */
export class RandomForest implements Classifier {
  readonly kind = 'random-forest';
  readonly params: RandomForestParams;
  nClasses = -1;
  nFeatures = -1;
  trees: TreeArrays[] = [];

  constructor(params: Partial<RandomForestParams> = {}) {
    this.params = {
      nTrees: 100, bootstrap: true, maxDepth: 0, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 'sqrt', maxBins: 256, seed: 0,
      ...params,
    };
    checkTreeParams(this.params, 'RandomForest');
    checkInt(this.params.nTrees, 'nTrees', 'RandomForest');
  }

  getParams(): Record<string, unknown> {
    return { ...this.params };
  }

  fit(X: Matrix, y: Int32Array, opts: FitOptions = {}): this {
    const K = checkFit(X, y, 'RandomForest.fit', opts.nClasses);
    const p = this.params, N = X.rows;
    const bins = binMatrix(X, p.maxBins);
    const growth: TreeGrowth = {
      maxDepth: p.maxDepth, minSamplesSplit: p.minSamplesSplit, minSamplesLeaf: p.minSamplesLeaf,
      maxFeatures: resolveMaxFeatures(p.maxFeatures, X.cols, 'RandomForest'),
    };
    const master = new Rng(p.seed);
    this.trees = [];
    const weight = new Float64Array(N);
    for (let t = 0; t < p.nTrees; t++) {
      const rng = new Rng(master.nextU32());
      if (p.bootstrap) {
        weight.fill(0);
        for (let i = 0; i < N; i++) weight[rng.int(N)]!++;
      }
      this.trees.push(growClassificationTree(bins, y, K, p.bootstrap ? weight : null, growth, rng));
    }
    this.nClasses = K;
    this.nFeatures = X.cols;
    return this;
  }

  /** Mean of the trees' leaf class proportions. */
  predictProba(X: Matrix): Matrix {
    checkPredict(X, 'RandomForest.predictProba', this.nFeatures);
    return { data: probaOfTrees(this.trees, X, this.nClasses), rows: X.rows, cols: this.nClasses };
  }

  predict(X: Matrix): Int32Array {
    return argmaxRows(this.predictProba(X).data, X.rows, this.nClasses);
  }

  toState(): ClassifierState {
    if (!this.trees.length) throw new Error('RandomForest.toState: the classifier is not fitted');
    return { kind: this.kind, nClasses: this.nClasses, nFeatures: this.nFeatures, params: this.getParams(), arrays: packTrees(this.trees) };
  }

  static fromState(s: ClassifierState): RandomForest {
    const m = new RandomForest(s.params as Partial<RandomForestParams>);
    m.nClasses = s.nClasses;
    m.nFeatures = s.nFeatures;
    m.trees = unpackTrees(s, s.nClasses);
    return m;
  }
}

/** The registry entry of 'decision-tree' (DecisionTree, unlimited depth, at least 5 beats a leaf). */
export const decisionTreeSpec = classifierSpec({
  name: 'decision-tree', label: 'Decision tree (CART, Gini)', classifier: DecisionTree, defaults: { maxDepth: 0, minSamplesLeaf: 5 },
  description: 'one CART tree (Gini impurity), unlimited depth, at least 5 beats a leaf',
});

/** The registry entry of 'random-forest' (RandomForest, 200 trees, 30 features tried per split). */
export const randomForestSpec = classifierSpec({
  name: 'random-forest', label: 'Random forest', classifier: RandomForest, defaults: { nTrees: 200, maxFeatures: 30 },
  description: '200 CART trees on bootstrap samples, 30 features tried per split',
});
