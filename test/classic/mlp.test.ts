// The MLP classifier: deterministic for a seed (the same file bytes), another seed differs; a file round
// trip predicts the same logits; class balancing raises a rare overlapping class's recall; bad
// hyperparameters are refused by name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, MlpClassifier, encodeClassifier, decodeClassifier, matrix } from '../../src/all.ts';
import { Rng } from '../../src/core/random.ts';
import { blobs } from './helpers.ts';

initSync();

test('same seed → the same file; another seed → different weights; a round trip predicts the same logits', () => {
  const { X, y } = blobs(40, 3, 4, 7);
  const fit = (seed: number) => new MlpClassifier({ hidden: [8, 4], epochs: 3, batchSize: 16, seed }).fit(X, y);
  const a = encodeClassifier(fit(1), {}), b = encodeClassifier(fit(1), {}), c = encodeClassifier(fit(2), {});
  assert.equal(a, b);
  assert.not.equal(a, c);
  const m = fit(1), back = decodeClassifier(a).model as MlpClassifier;
  assert.equal(back.decisionFunction(X), m.decisionFunction(X));
  assert.equal(back.getParams(), m.getParams());
});

test("classWeight 'balanced' finds more of a rare class that overlaps a common one, 'sqrt' in between", () => {
  // class 1: 5% of the rows, centred 1.5 from class 0 on one axis
  const rng = new Rng(3), n = 2000, X = new Float32Array(n * 2), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 20 === 0 ? 1 : 0;
    X[2 * i] = rng.normal() + (y[i] ? 1.5 : 0);
    X[2 * i + 1] = rng.normal();
  }
  const M = matrix(X, n, 2);
  const recall = (m: MlpClassifier) => {
    const p = m.predict(M);
    let found = 0;
    for (let i = 0; i < n; i++) if (y[i] === 1 && p[i] === 1) found++;
    return found / 100;
  };
  const plain = recall(new MlpClassifier({ epochs: 5 }).fit(M, y));
  const balanced = recall(new MlpClassifier({ epochs: 5, classWeight: 'balanced' }).fit(M, y));
  const sqrt = recall(new MlpClassifier({ epochs: 5, classWeight: 'sqrt' }).fit(M, y));
  assert.ok(balanced > plain + 0.3, `balanced ${balanced} vs plain ${plain}`);
  // √-weights (here √10 ≈ 3.2 for the rare class) sit between none and balanced
  assert.ok(sqrt > plain && sqrt < balanced, `sqrt ${sqrt}: between ${plain} and ${balanced}`);
});

test('hyperparameters are checked by name; an unfitted model says so', () => {
  assert.throws(() => new MlpClassifier({ hidden: [0] }), /hidden must be an array of positive integers/);
  assert.throws(() => new MlpClassifier({ dropout: 1 }), /dropout must be in \[0, 1\)/);
  assert.throws(() => new MlpClassifier({ epochs: 0 }), /epochs/);
  assert.throws(() => new MlpClassifier({ classWeight: 'x' as 'none' }), /classWeight must be 'none', 'balanced' or 'sqrt'/);
  assert.throws(() => new MlpClassifier().predict(matrix(new Float32Array(4), 2, 2)), /not fitted/);
});

test.run();
