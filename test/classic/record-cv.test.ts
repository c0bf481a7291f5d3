// Leave-one-record-out cross-validation (src/classic/record-cv.ts) on a small dataset built in code:
// each fold equals a fit on the other records, skipped folds are named, and decision weights act on
// the pooled predictions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recordCrossValidation, cvPredictions } from '../../src/classic/record-cv.ts';
import { classificationReport } from '../../src/metrics/classification.ts';
import { buildFeatures, StandardScaler } from '../../src/classic/features.ts';
import { createClassifier } from '../../src/classic/registry.ts';
import { Rng } from '../../src/core/random.ts';
import { initSync } from '../../src/all.ts';

initSync();

/** 4 records of 60 beats, 3 classes told apart by the first RR feature (plus noise); record d has no class 2. */
function dataset() {
  const rng = new Rng(7), L = 8, R = 2, records = ['a', 'b', 'c', 'd'];
  const y: number[] = [], record: number[] = [], x: number[] = [], rr: number[] = [];
  records.forEach((_, r) => {
    for (let i = 0; i < 60; i++) {
      const c = r === 3 ? i % 2 : i % 3;
      y.push(c); record.push(r);
      for (let t = 0; t < L; t++) x.push(rng.normal());
      rr.push(c + 0.3 * rng.normal(), rng.normal());
    }
  });
  return {
    x: Float32Array.from(x), rr: Float32Array.from(rr), rrFeatures: ['f0', 'f1'], channels: 1, length: L, fs: 125,
    y: Int32Array.from(y), classes: ['A', 'B', 'C'], records, record: Int32Array.from(record),
  };
}

test('every fold is a fit on the other records; the pool holds each held-out beat once', () => {
  const ds = dataset(), features = { beat: false, rr: true, morphology: false };
  const folds: string[] = [];
  const cv = recordCrossValidation(ds, ['a', 'b', 'c', 'd'], 'logreg', { features, onFold: (r, s) => folds.push(`${r}${s ? '!' : ''}`) });
  assert.equal(folds, ['a', 'b', 'c', 'd']);
  assert.is(cv.rows.length, 240);
  assert.equal(cv.skipped, []);
  // Fold b by hand.
  const train = Array.from(ds.y.keys()).filter((i) => ds.record[i] !== 1), test = Array.from(ds.y.keys()).filter((i) => ds.record[i] === 1);
  const sc = new StandardScaler();
  const m = createClassifier('logreg').fit(sc.fitTransform(buildFeatures(ds, train, features)), Int32Array.from(train, (i) => ds.y[i]!), { nClasses: 3 });
  const p = m.predictProba!(sc.transform(buildFeatures(ds, test, features)));
  const at = cv.heldOut.indexOf('b');
  assert.equal(Array.from(cv.proba.data.subarray(at * 3, (at + 60) * 3)), Array.from(p.data));
  assert.equal(Array.from(cv.rows.subarray(at, at + 60)), test);
  // The feature separates the classes: the pooled predictions are mostly right.
  const pred = cvPredictions(cv, [1, 1, 1]);
  assert.ok(classificationReport(cv.y, pred, ds.classes).perClass.B!.recall > 0.8);
});

test('a fold whose training records lack a class is skipped and named; bad arguments are refused', () => {
  const ds = dataset();
  // Over records c and d only: holding out c leaves d, which has no class C.
  const cv = recordCrossValidation(ds, ['c', 'd'], 'decision-tree', { features: { beat: false } });
  assert.equal(cv.skipped, ['c']);
  assert.is(cv.rows.length, 60);
  assert.throws(() => recordCrossValidation(ds, ['a', 'zz'], 'logreg'), /record zz is not in the dataset \(records: a, b, c, d\)/);
  assert.throws(() => recordCrossValidation(ds, ['a'], 'logreg'), /at least 2 records/);
  assert.throws(() => recordCrossValidation(ds, ['a', 'b', 'c'], 'linear-svm'), /linear-svm classifier gives no class probabilities/);
});

test('the pooled predictions under decision weights: a larger weight calls the class more often', () => {
  const ds = dataset();
  const cv = recordCrossValidation(ds, ['a', 'b', 'c', 'd'], 'logreg', { features: { beat: false } });
  const called = (w: number) => cvPredictions(cv, [1, w, 1]).reduce((a, v) => a + (v === 1 ? 1 : 0), 0);
  assert.ok(called(20) > called(1), `${called(20)} vs ${called(1)}`);
});

test.run();
