// Classical classifiers: each separates synthetic data with a known answer (Gaussian blobs; XOR for
// trees, forests and boosting); logistic regression matches a float64 Newton solution; the linear SVM
// finds the hard-margin solution of a 1-D problem; a decision tree reproduces a hand-computed split;
// the kNN search equals a float64 brute force, ties included.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  initSync, LogisticRegression, LinearSVM, KNearestNeighbors, GaussianNaiveBayes, DecisionTree, RandomForest,
  GradientBoosting, MlpClassifier, matrix, classicModels, classicModelNames, createClassifier,
} from '../../src/all.ts';
import { Rng } from '../../src/core/random.ts';
import { accuracy, blobs, xor } from './helpers.ts';

initSync();

const FAST: Record<string, Record<string, unknown>> = {
  'random-forest': { nTrees: 20 },
  'gboost': { nRounds: 30, learningRate: 0.3, maxDepth: 3, subsample: 1, colsample: 1 },
};

test('every registry classifier separates Gaussian blobs (3 classes, 4-D)', () => {
  const train = blobs(100, 3, 4, 1), held = blobs(100, 3, 4, 2);
  assert.equal(classicModelNames(), ['logreg', 'linear-svm', 'knn', 'naive-bayes', 'decision-tree', 'random-forest', 'gboost', 'mlp', 'dechazal2004', 'mondejar2019']);
  for (const name of classicModelNames()) {
    const m = createClassifier(name, FAST[name] ?? {}).fit(train.X, train.y);
    const acc = accuracy(held.y, m.predict(held.X));
    assert.ok(acc >= 0.97, `${name}: held-out accuracy ${acc}`);
    assert.is(m.nClasses, 3);
    assert.is(m.nFeatures, 4);
    if (m.predictProba) {
      const p = m.predictProba(held.X);
      for (let i = 0; i < p.rows; i++) {
        const s = p.data[3 * i]! + p.data[3 * i + 1]! + p.data[3 * i + 2]!;
        assert.ok(Math.abs(s - 1) < 1e-5, `${name}: probabilities of row ${i} sum to ${s}`);
      }
    }
    assert.ok(classicModels[name].label.length > 0);
  }
});

test('trees, forests, boosting, kNN and the MLP learn XOR; a linear model cannot', () => {
  const train = xor(400, 3), held = xor(400, 4);
  for (const m of [
    new DecisionTree({ maxDepth: 4 }), new RandomForest({ nTrees: 30, maxFeatures: 'all' }),
    new GradientBoosting({ nRounds: 40, maxDepth: 2, learningRate: 0.3, subsample: 1, colsample: 1 }),
    new KNearestNeighbors({ k: 5 }), new MlpClassifier({ hidden: [16], epochs: 60, batchSize: 32, lr: 0.01, dropout: 0 }),
  ]) {
    const acc = accuracy(held.y, m.fit(train.X, train.y).predict(held.X));
    assert.ok(acc >= 0.95, `${m.kind}: XOR accuracy ${acc}`);
  }
  const lin = accuracy(held.y, new LogisticRegression().fit(train.X, train.y).predict(held.X));
  assert.ok(lin < 0.7, `logreg on XOR should be near chance, got ${lin}`);
});

/** Multinomial logistic regression by Newton's method in float64 (reference). */
function newtonLogreg(X: number[][], y: number[], K: number, l2: number): { W: number[][]; b: number[] } {
  const n = X.length, d = X[0]!.length, P = K * (d + 1);
  const theta = new Array<number>(P).fill(0); // [W (K x d), b (K)]
  const probs = (x: number[]) => {
    const z = Array.from({ length: K }, (_, k) => theta[K * d + k]! + x.reduce((s, v, j) => s + v * theta[k * d + j]!, 0));
    const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  for (let it = 0; it < 50; it++) {
    const g = new Array<number>(P).fill(0);
    const H = Array.from({ length: P }, () => new Array<number>(P).fill(0));
    for (let i = 0; i < n; i++) {
      const p = probs(X[i]!), xt = [...X[i]!];
      const idx = (k: number, j: number) => (j < d ? k * d + j : K * d + k); // j = d is the bias
      for (let k = 0; k < K; k++) {
        const r = p[k]! - (y[i] === k ? 1 : 0);
        for (let j = 0; j <= d; j++) g[idx(k, j)]! += (r * (j < d ? xt[j]! : 1)) / n;
        for (let l = 0; l < K; l++) {
          const w = (p[k]! * ((k === l ? 1 : 0) - p[l]!)) / n;
          for (let j = 0; j <= d; j++) for (let m = 0; m <= d; m++)
            H[idx(k, j)]![idx(l, m)]! += w * (j < d ? xt[j]! : 1) * (m < d ? xt[m]! : 1);
        }
      }
    }
    for (let k = 0; k < K * d; k++) { g[k]! += l2 * theta[k]!; H[k]![k]! += l2; }
    for (let k = 0; k < P; k++) H[k]![k]! += 1e-12; // the biases are defined up to a common shift
    // Solve H·step = g (Gaussian elimination with partial pivoting).
    const A = H.map((r, i) => [...r, g[i]!]);
    for (let c = 0; c < P; c++) {
      let piv = c;
      for (let r = c + 1; r < P; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
      [A[c], A[piv]] = [A[piv]!, A[c]!];
      for (let r = 0; r < P; r++) if (r !== c) {
        const f = A[r]![c]! / A[c]![c]!;
        for (let q = c; q <= P; q++) A[r]![q]! -= f * A[c]![q]!;
      }
    }
    for (let k = 0; k < P; k++) theta[k]! -= A[k]![P]! / A[k]![k]!;
  }
  return { W: Array.from({ length: K }, (_, k) => theta.slice(k * d, k * d + d)), b: theta.slice(K * d) };
}

test('logistic regression reaches the float64 Newton optimum (3 classes, overlapping, L2)', () => {
  const rng = new Rng(7);
  const X: number[][] = [], y: number[] = [];
  for (let i = 0; i < 60; i++) {
    const c = i % 3;
    X.push([rng.normal() + c, rng.normal() - 0.5 * c]);
    y.push(c);
  }
  const l2 = 0.05;
  const ref = newtonLogreg(X, y, 3, l2);
  const m = new LogisticRegression({ l2, tol: 1e-7, maxIter: 1000 }).fit(matrix(X.flat(), 60, 2), Int32Array.from(y));
  // The scores and gradients come from the float32 GEMM: the gradient reaches ~1e-6, not 0.
  assert.ok(m.info!.gradMax < 1e-5, `gradient at the optimum: ${m.info!.gradMax}`);
  for (let k = 0; k < 3; k++) for (let j = 0; j < 2; j++)
    assert.ok(Math.abs(m.weights[k * 2 + j]! - ref.W[k]![j]!) < 2e-4, `W[${k}][${j}] ${m.weights[k * 2 + j]} vs ${ref.W[k]![j]}`);
  // Biases are defined up to a common shift: compare them centred.
  const centre = (b: ArrayLike<number>) => { const a = Array.from(b), mu = a.reduce((s, v) => s + v, 0) / a.length; return a.map((v) => v - mu); };
  const b1 = centre(m.bias), b2 = centre(ref.b);
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(b1[k]! - b2[k]!) < 2e-4, `b[${k}] ${b1[k]} vs ${b2[k]}`);
});

test('logistic regression on separable 1-D data puts the boundary at the midpoint', () => {
  // Symmetric classes at ±1, ±2: by symmetry the optimum has b = 0 and p = 0.5 at x = 0.
  const X = matrix([-2, -1, 1, 2], 4, 1), y = Int32Array.from([0, 0, 1, 1]);
  const m = new LogisticRegression({ l2: 0.01 }).fit(X, y);
  const p = m.predictProba(matrix([0], 1, 1)).data;
  assert.ok(Math.abs(p[0]! - 0.5) < 1e-5, `p(0) = ${p[0]}`);
  assert.equal(Array.from(m.predict(matrix([-0.1, 0.1], 2, 1))), [0, 1]);
});

test('linear SVM finds the hard-margin solution of a symmetric 1-D problem (w = 1, b = 0)', () => {
  const X = matrix([-2, -1, 1, 2], 4, 1), y = Int32Array.from([0, 0, 1, 1]);
  const m = new LinearSVM({ C: 1e3, tol: 1e-6, maxIter: 10000 }).fit(X, y);
  // One-vs-rest with 2 classes: class 1's scorer is x, class 0's is −x (bias regularised, so 0 by symmetry).
  assert.ok(Math.abs(m.weights[1]! - 1) < 1e-4 && Math.abs(m.bias[1]!) < 1e-4, `class 1: w ${m.weights[1]}, b ${m.bias[1]}`);
  assert.ok(Math.abs(m.weights[0]! + 1) < 1e-4 && Math.abs(m.bias[0]!) < 1e-4, `class 0: w ${m.weights[0]}, b ${m.bias[0]}`);
});

test('a decision tree reproduces a hand-computed Gini split', () => {
  // Feature 0: 1..8 with labels 0 0 0 0 1 0 1 1. Gini scores Σ n_c²/n per side: t = 4.5 gives
  // 16/4 + (1 + 9)/4 = 6.5, the best (t = 6.5: 26/6 + 2 = 6.33, t = 3.5: 3 + 13/5 = 5.6).
  // Feature 1 alternates 1, 2 and is useless.
  const X = matrix([1, 1, 2, 2, 3, 1, 4, 2, 5, 1, 6, 2, 7, 1, 8, 2], 8, 2);
  const y = Int32Array.from([0, 0, 0, 0, 1, 0, 1, 1]);
  const t = new DecisionTree({ maxDepth: 1 }).fit(X, y).tree!;
  assert.is(t.feature[0], 0);
  assert.is(t.threshold[0], 4.5);
  assert.equal(Array.from(t.value.subarray(2 * t.left[0]!, 2 * t.left[0]! + 2)), [1, 0]);
  assert.equal(Array.from(t.value.subarray(2 * t.right[0]!, 2 * t.right[0]! + 2)), [0.25, 0.75]);
  // Grown fully, the right side splits at 5.5 then 6.5 and the tree fits the data exactly.
  const full = new DecisionTree().fit(X, y);
  assert.equal(Array.from(full.predict(X)), Array.from(y));
  // minSamplesLeaf = 5 forbids every split of 8 rows except none: a single leaf.
  assert.is(new DecisionTree({ minSamplesLeaf: 5 }).fit(X, y).nodeCount, 1);
});

/** Float64 brute force: k nearest (distance, then index). */
function bruteForce(T: Float32Array, Q: Float32Array, d: number, k: number): number[][] {
  const n = T.length / d, out: number[][] = [];
  for (let q = 0; q < Q.length / d; q++) {
    const ds: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) { const t = Q[q * d + j]! - T[i * d + j]!; s += t * t; }
      ds.push([s, i]);
    }
    ds.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    out.push(ds.slice(0, k).map((e) => e[1]));
  }
  return out;
}

test('kNN search returns exactly the float64 brute-force neighbours, ties by lower index', () => {
  const rng = new Rng(11);
  const d = 24, n = 400;
  // Half the training rows on an integer lattice (many exactly tied distances), plus duplicates.
  const T = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) T[i * d + j] = i < n / 2 ? Math.round(rng.normal()) : rng.normal() * 3 + 100;
  for (let i = 0; i < 20; i++) T.copyWithin((n - 1 - i) * d, i * 7 * d, (i * 7 + 1) * d);
  const nq = 120, Q = new Float32Array(nq * d);
  for (let q = 0; q < nq; q++) for (let j = 0; j < d; j++) Q[q * d + j] = q % 3 === 0 ? T[(q * 3) * d + j]! : Math.round(rng.normal());
  const y = Int32Array.from({ length: n }, (_, i) => i % 4);
  for (const k of [1, 7, 25]) {
    const m = new KNearestNeighbors({ k, blockSize: 32 }).fit(matrix(T, n, d), y);
    const got = m.kneighbors(matrix(Q, nq, d));
    const want = bruteForce(T, Q, d, k);
    for (let q = 0; q < nq; q++)
      assert.equal(Array.from(got.indices.subarray(q * k, (q + 1) * k)), want[q], `k = ${k}, query ${q}`);
  }
});

test('kNN votes: uniform majority, ties to the nearest neighbour\'s class, distance weighting', () => {
  const X = matrix([0, 1, 2, 10, 11], 5, 1), y = Int32Array.from([0, 0, 1, 1, 1]);
  const m = new KNearestNeighbors({ k: 4 }).fit(X, y);
  // Query 0.9: neighbours 1 (0), 0 (0), 2 (1), 10 (1): a 2-2 tie goes to class 0 (the nearest).
  assert.equal(Array.from(m.predict(matrix([0.9], 1, 1))), [0]);
  assert.equal(Array.from(m.predictProba(matrix([0.9], 1, 1)).data), [0.5, 0.5]);
  const w = new KNearestNeighbors({ k: 3, weights: 'distance' }).fit(X, y);
  // Query 1.6: distances 0.4 (1→class 1 at x=2), 0.6 (x=1, class 0), 1.6 (x=0, class 0): 2.5 vs 1/0.6 + 1/1.6.
  assert.equal(Array.from(w.predict(matrix([1.6], 1, 1))), [1]);
});

test('Gaussian naive Bayes estimates the class means, variances and priors', () => {
  const X = matrix([1, 3, 5, 10, 12], 5, 1), y = Int32Array.from([0, 0, 0, 1, 1]);
  const m = new GaussianNaiveBayes({ varSmoothing: 0 }).fit(X, y);
  assert.equal(Array.from(m.means), [3, 11]);
  assert.equal(Array.from(m.variances), [8 / 3, 1]);
  assert.ok(Math.abs(m.logPriors[0]! - Math.log(0.6)) < 1e-12);
});

test('fits are deterministic for a seed and differ across seeds (forest)', () => {
  const { X, y } = xor(200, 5);
  const a = new RandomForest({ nTrees: 5, seed: 1 }).fit(X, y).predictProba(X).data;
  const b = new RandomForest({ nTrees: 5, seed: 1 }).fit(X, y).predictProba(X).data;
  const c = new RandomForest({ nTrees: 5, seed: 2 }).fit(X, y).predictProba(X).data;
  assert.equal(Array.from(a), Array.from(b));
  assert.not.equal(Array.from(a), Array.from(c));
});

test('class-balanced gradient boosting: equal starting scores, and a rare overlapping class recalled far more often', () => {
  // Two overlapping 1-D Gaussians (means 0 and 1.5, unit spread), 95% class 0: the unweighted model
  // mostly predicts class 0; 'balanced' weighs class 1 by 19 and moves the boundary towards class 0.
  const rng = new Rng(11), n = 2000, X: number[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 20 === 0 ? 1 : 0;
    X.push(rng.normal() + 1.5 * c);
    y.push(c);
  }
  const M = matrix(X, n, 1), Y = Int32Array.from(y);
  const params = { nRounds: 20, learningRate: 0.3, maxDepth: 2, subsample: 1, colsample: 1 };
  const recall1 = (m: GradientBoosting) => { const p = m.predict(M); let hit = 0, all = 0; Y.forEach((c, i) => { if (c === 1) { all++; if (p[i] === 1) hit++; } }); return hit / all; };
  const plain = new GradientBoosting(params).fit(M, Y);
  const balanced = new GradientBoosting({ ...params, classWeight: 'balanced' }).fit(M, Y);
  assert.equal(Array.from(balanced.base), [Math.log(0.5), Math.log(0.5)]);
  assert.ok(recall1(plain) < 0.3, `unweighted recall ${recall1(plain)}`);
  assert.ok(recall1(balanced) > 0.7, `balanced recall ${recall1(balanced)}`);
  assert.throws(() => new GradientBoosting({ classWeight: 'inverse' as 'none' }), /classWeight must be 'none' or 'balanced'/);
});

test.run();
