// Decision weights (src/classic/decision.ts): parsing by class name, the weighted argmax against a
// plain reference, and models without probabilities.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decisionWeightsOf, predictWeighted, weightedArgmax } from '../../src/classic/decision.ts';
import { LinearSVM, LogisticRegression } from '../../src/classic/linear.ts';
import { Rng } from '../../src/core/random.ts';
import { initSync } from '../../src/all.ts';

initSync();

const CLASSES = ['N', 'S', 'V', 'F', 'Q'];

test('decisionWeightsOf: weights by class name, 1 for the rest; clear errors', () => {
  assert.equal(Array.from(decisionWeightsOf({ S: 4, Q: 0.5 }, CLASSES)), [1, 4, 1, 1, 0.5]);
  assert.equal(Array.from(decisionWeightsOf({}, CLASSES)), [1, 1, 1, 1, 1]);
  assert.throws(() => decisionWeightsOf({ A: 2 }, CLASSES), /unknown class "A" \(classes: N, S, V, F, Q\)/);
  assert.throws(() => decisionWeightsOf({ S: 0 }, CLASSES), /decision weight of class S must be a positive number, got 0/);
  assert.throws(() => decisionWeightsOf({ S: '2' }, CLASSES), /must be a positive number, got "2"/);
  assert.throws(() => decisionWeightsOf([1, 2], CLASSES), /must be an object by class name/);
  assert.throws(() => decisionWeightsOf(null, CLASSES), /must be an object by class name/);
});

test('weightedArgmax matches a reference; weight 1 everywhere is the plain argmax', () => {
  const rng = new Rng(5), rows = 203, K = 5;
  const data = Float32Array.from({ length: rows * K }, () => rng.uniform());
  const w = [1, 3, 0.5, 1, 2];
  const got = weightedArgmax({ data, rows, cols: K }, w);
  for (let i = 0; i < rows; i++) {
    const scores = w.map((wk, k) => data[i * K + k]! * wk);
    assert.is(got[i], scores.indexOf(Math.max(...scores)));
  }
  const plain = weightedArgmax({ data, rows, cols: K }, [1, 1, 1, 1, 1]);
  for (let i = 0; i < rows; i++) { const p = Array.from(data.subarray(i * K, i * K + K)); assert.is(plain[i], p.indexOf(Math.max(...p))); }
  assert.throws(() => weightedArgmax({ data, rows, cols: K }, [1, 2]), /2 weights for 5 classes/);
});

test('predictWeighted: a larger weight calls the class more often; models without probabilities are refused', () => {
  const rng = new Rng(1), n = 300, d = 3;
  const X = { data: Float32Array.from({ length: n * d }, () => rng.normal()), rows: n, cols: d };
  const y = Int32Array.from({ length: n }, (_, i) => (X.data[i * d]! > 0.8 ? 1 : 0));
  const m = new LogisticRegression().fit(X, y);
  const count = (p: Int32Array) => p.reduce((a, v) => a + (v === 1 ? 1 : 0), 0);
  assert.equal(predictWeighted(m, X), m.predict(X));
  const base = count(m.predict(X)), more = count(predictWeighted(m, X, [1, 5]));
  assert.ok(more > base, `${more} vs ${base}`);
  assert.throws(() => predictWeighted(new LinearSVM().fit(X, y), X, [1, 2]), /need class probabilities, which a linear-svm classifier does not give/);
});

test.run();
