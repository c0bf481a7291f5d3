// Classifier files (round trips of predictions, corrupt files), bad input with clear errors, beat
// features and standardisation, and runClassic on a small synthetic beat dataset.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  initSync, classicModelNames, createClassifier, encodeClassifier, decodeClassifier, StandardScaler, matrix,
  KNearestNeighbors, GaussianNaiveBayes, LogisticRegression, LinearSVM, GradientBoosting, DecisionTree, buildFeatures, featureNames,
  morphology, runClassic, classicScores, MORPHOLOGY_FEATURES, encodeClassifierState, type BeatDataset,
} from '../../src/all.ts';
import { Rng } from '../../src/core/random.ts';
import { blobs } from './helpers.ts';

initSync();

const FAST: Record<string, Record<string, unknown>> = {
  'random-forest': { nTrees: 10 },
  'gboost': { nRounds: 10, maxDepth: 3 },
};

test('save / load round-trips every classifier: identical predictions and probabilities, identical bytes', () => {
  const train = blobs(60, 3, 5, 1), held = blobs(60, 3, 5, 9);
  const scaler = new StandardScaler().fit(train.X);
  const Xtr = scaler.transform(train.X), Xte = scaler.transform(held.X);
  for (const name of classicModelNames()) {
    const m = createClassifier(name, FAST[name] ?? {}).fit(Xtr, train.y);
    const bytes = encodeClassifier(m, { scaler, meta: { note: name } });
    const { model, scaler: s2, meta } = decodeClassifier(bytes, `${name}.ecgc`);
    assert.is(model.kind, name);
    assert.equal(meta, { note: name });
    assert.equal(model.getParams(), m.getParams());
    assert.equal(Array.from(s2!.mean), Array.from(scaler.mean));
    const X2 = s2!.transform(held.X);
    assert.equal(Array.from(X2.data), Array.from(Xte.data));
    assert.equal(Array.from(model.predict(X2)), Array.from(m.predict(Xte)), `${name}: predictions`);
    if (m.predictProba) assert.equal(Array.from(model.predictProba!(X2).data), Array.from(m.predictProba(Xte).data), `${name}: probabilities`);
    assert.equal(encodeClassifier(model, { scaler: s2, meta }), bytes, `${name}: re-encoding`);
  }
});

test('corrupt, truncated and foreign files fail with the file name and the reason', () => {
  const { X, y } = blobs(20, 2, 2, 3);
  const bytes = encodeClassifier(new LogisticRegression().fit(X, y));
  const flipped = bytes.slice();
  flipped[bytes.length - 10]! ^= 1;
  assert.throws(() => decodeClassifier(flipped, 'm.ecgc'), /classifier file m\.ecgc: checksum mismatch/);
  assert.throws(() => decodeClassifier(bytes.slice(0, bytes.length - 3), 'm.ecgc'), /m\.ecgc: truncated/);
  assert.throws(() => decodeClassifier(new TextEncoder().encode('ECGRADM1 not a classifier....'), 'x'), /not an ecgrad classifier file/);
  // A well-formed file whose arrays do not fit its header, and a kind this version does not know.
  const st = new LogisticRegression().fit(X, y).toState();
  const short = encodeClassifierState({ ...st, arrays: { ...st.arrays, weights: new Float64Array(3) } });
  assert.throws(() => decodeClassifier(short, 'w.ecgc'), /classifier file w\.ecgc: does not describe a valid logreg classifier: logreg: array "weights" has 3 values, expected 4/);
  assert.throws(() => decodeClassifier(encodeClassifierState({ ...st, kind: 'svm-rbf' }), 'r.ecgc'), /r\.ecgc: holds a "svm-rbf" classifier/);
});

test('bad input: mismatched lengths, NaN (row and column named), k too large, empty class, unfitted', () => {
  const { X, y } = blobs(10, 2, 3, 4);
  assert.throws(() => new LogisticRegression().fit(X, y.subarray(0, 19)), /X has 20 rows but y has 19 labels/);
  const bad = { ...X, data: X.data.slice(), names: ['a', 'b', 'c'] };
  bad.data[7 * 3 + 2] = NaN;
  for (const m of [new LogisticRegression(), new KNearestNeighbors(), new DecisionTree(), new GaussianNaiveBayes()])
    assert.throws(() => m.fit(bad, y), /X row 7, column 2 \(c\) is NaN/, m.kind);
  const knn = new KNearestNeighbors({ k: 5 }).fit(X, y);
  const q = matrix([1, 2, NaN, 0, 0, 0], 2, 3);
  assert.throws(() => knn.predict(q), /X row 0, column 2 is NaN/);
  assert.throws(() => new KNearestNeighbors({ k: 21 }).fit(X, y), /k = 21 is larger than the training set \(20 rows\)/);
  assert.throws(() => knn.kneighbors(X, 30), /k = 30 is larger than the training set/);
  assert.throws(() => knn.predict(matrix([1, 2], 1, 2)), /X has 2 columns but the classifier was fitted on 3/);
  // Class 1 of 3 has no examples: classifiers that model every class refuse, naming it.
  const y2 = Int32Array.from(y, (c) => (c === 1 ? 2 : c));
  for (const m of [new GaussianNaiveBayes(), new LogisticRegression(), new LinearSVM(), new GradientBoosting({ nRounds: 2 })])
    assert.throws(() => m.fit(X, y2, { nClasses: 3 }), /class 1 of 3 has no training examples/, m.kind);
  // ... while kNN and trees accept it (they simply never predict it).
  assert.is(new DecisionTree().fit(X, y2, { nClasses: 3 }).predictProba(X).cols, 3);
  assert.throws(() => new GaussianNaiveBayes().fit(X, y, { nClasses: 1 }), /y holds class 1 but nClasses is 1/);
  assert.throws(() => new GaussianNaiveBayes().fit(X, Int32Array.from(y, (c, i) => (i === 3 ? -1 : c))), /y\[3\] = -1/);
  assert.throws(() => new GaussianNaiveBayes().predict(X), /not fitted/);
  assert.throws(() => new KNearestNeighbors({ k: 0 }), /k must be an integer >= 1, got 0/);
  assert.throws(() => createClassifier('svm-rbf'), /unknown classical classifier "svm-rbf" \(known: logreg, /);
});

test('morphology features of a hand-made beat', () => {
  const x = new Float32Array(10);
  x.set([0.2, 0.2, 1.0, 0.9, 0.2, 0.1, 0.2, 0.2]); // the last two samples are zero padding
  const out = new Float64Array(MORPHOLOGY_FEATURES.length);
  morphology(x, 100, out);
  const f = Object.fromEntries(MORPHOLOGY_FEATURES.map((n, i) => [n, out[i]!]));
  assert.ok(Math.abs(f.max! - 1) < 1e-7 && Math.abs(f.min! - 0.1) < 1e-7);
  assert.is(f.argmax, 0.2);
  assert.is(f.argmin, 0.5);
  assert.is(f.validLength, 0.8);
  // Median of the valid part 0.2; peak deviation 0.8 at t = 2; |x − 0.2| ≥ 0.4 at t = 2, 3: 2 samples = 0.02 s.
  assert.ok(Math.abs(f.qrsWidth! - 0.02) < 1e-12, `qrsWidth ${f.qrsWidth}`);
  assert.ok(Math.abs(f.maxSlope! - 80) < 1e-4, `maxSlope ${f.maxSlope}`);
  assert.ok(Math.abs(f.mean! - 3 / 8) < 1e-7);
});

/** A small synthetic BeatDataset: 3 classes of beats (different peak positions) with RR features. */
function toyDataset(n: number, seed: number): BeatDataset {
  const rng = new Rng(seed), L = 40, R = 6;
  const x = new Float32Array(n * L), rr = new Float32Array(n * R), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    for (let t = 0; t < L; t++) x[i * L + t] = Math.exp(-(((t - 10 - 8 * c) / 2) ** 2)) + 0.05 * rng.normal();
    for (let r = 0; r < R; r++) rr[i * R + r] = 0.8 + 0.1 * rng.normal() + (c === 2 && r === 0 ? -0.3 : 0);
  }
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  return {
    protocol: 'toy', seed, classes: ['A', 'B', 'C'], x, channels: 1, length: L, fs: 125, rr,
    rrFeatures: ['preRR', 'postRR', 'localRR', 'preRR/localRR', 'postRR/localRR', 'preRR/postRR'], y,
    records: ['r'], record: new Int32Array(n), sample: idx.slice(), symbol: Array.from({ length: n }, () => 'N'),
    split: { train: idx.filter((i) => i % 10 < 7), val: idx.filter((i) => i % 10 === 7), test: idx.filter((i) => i % 10 >= 8) },
    options: {},
  } as BeatDataset;
}

test('buildFeatures: beat + RR + morphology columns with names; the scaler is fitted on train only', () => {
  const ds = toyDataset(90, 1);
  const names = featureNames(ds);
  assert.is(names.length, 40 + 6 + MORPHOLOGY_FEATURES.length);
  assert.is(names[0], 'beat[0]');
  assert.is(names[40], 'rr.preRR');
  assert.is(names[46], 'morph.max');
  const X = buildFeatures(ds, ds.split.val);
  assert.is(X.rows, ds.split.val.length);
  assert.equal(Array.from(X.data.subarray(0, 40)), Array.from(ds.x.subarray(7 * 40, 8 * 40)));
  assert.is(buildFeatures(ds, undefined, { beat: false, morphology: false }).cols, 6);
  const run = runClassic('logreg', ds);
  const train = buildFeatures(ds, ds.split.train);
  const mean0 = ds.split.train.reduce((s, i) => s + ds.x[i * 40]!, 0) / ds.split.train.length;
  assert.ok(Math.abs(run.scaler.mean[0]! - mean0) < 1e-9, 'scaler mean from the training rows');
  assert.is(run.scaler.mean.length, train.cols);
});

test('runClassic: predictions, scores and timings on val and test for every registry classifier', () => {
  const ds = toyDataset(150, 2);
  for (const name of classicModelNames()) {
    const r = runClassic(name, ds, { params: FAST[name], proba: true });
    assert.is(r.name, name);
    for (const s of ['val', 'test'] as const) {
      const res = r[s]!;
      assert.is(res.pred.length, ds.split[s].length);
      assert.ok(res.scores.accuracy >= 0.9, `${name} ${s}: accuracy ${res.scores.accuracy}`);
      assert.ok(res.seconds >= 0 && res.msPerBeat >= 0);
      if (r.model.predictProba) assert.is(res.proba!.rows, ds.split[s].length);
    }
    assert.ok(r.trainSeconds >= 0);
  }
  assert.throws(() => runClassic('nope', ds), /unknown classical classifier/);
});

test('classicScores: accuracy, macro-F1 over present classes, confusion matrix', () => {
  const s = classicScores([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], 4);
  assert.is(s.accuracy, 0.6);
  assert.equal(s.confusion[0], [1, 1, 0, 0]);
  // F1: class 0 = 2·1/(2+1+1) = 0.5, class 1 = 2·2/(4+0+1) = 0.8, class 2 = 0, class 3 absent (NaN).
  assert.ok(Math.abs(s.macroF1 - (0.5 + 0.8 + 0) / 3) < 1e-12);
  assert.ok(Number.isNaN(s.f1[3]!));
});

test.run();
