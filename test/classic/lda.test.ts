// The class-weighted linear discriminant: exact on a hand-solvable case, class weighting moves the
// boundary towards the common class, saved state predicts the same, bad input is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LinearDiscriminant, DeChazal2004 } from '../../src/classic/lda.ts';
import { matrix } from '../../src/classic/matrix.ts';
import { Rng } from '../../src/core/random.ts';

function gaussians(n: number[], means: number[][], seed = 1): { X: ReturnType<typeof matrix>; y: Int32Array } {
  const rng = new Rng(seed), d = means[0]!.length, rows: number[] = [], y: number[] = [];
  n.forEach((count, k) => {
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < d; j++) rows.push(means[k]![j]! + rng.normal());
      y.push(k);
    }
  });
  return { X: matrix(rows, y.length, d), y: Int32Array.from(y) };
}

test('two classes, one feature, equal counts: the boundary is the midpoint of the class means', () => {
  // x = 0, 2 (class 0) and 4, 6 (class 1): means 1 and 5, pooled variance 1; g1 - g0 = (5-1)x - (25-1)/2.
  const m = new LinearDiscriminant().fit(matrix([0, 2, 4, 6], 4, 1), Int32Array.from([0, 0, 1, 1]));
  const g = m.decision(matrix([3, 2.9, 3.1], 3, 1));
  assert.ok(Math.abs(g[1]! - g[0]!) < 1e-6, `at the midpoint: ${g[1]! - g[0]!}`);
  assert.ok(Math.abs((g[1]! - g[0]!) - 4 * 3 + 12) < 1e-5);
  assert.equal(Array.from(m.predict(matrix([2.9, 3.1], 2, 1))), [0, 1]);
  // Σ = 1 (+1e-6 shrinkage): w1 - w0 = (5 - 1) / Σ.
  assert.ok(Math.abs(m.weights[1]! - m.weights[0]! - 4 / (1 + 1e-6)) < 1e-9);
});

test("balanced weighting: a rare class keeps an equal prior; 'none' favours the common class", () => {
  const { X, y } = gaussians([2000, 100], [[0, 0], [2, 1]]);
  const bal = new LinearDiscriminant().fit(X, y), raw = new LinearDiscriminant({ classWeight: 'none' }).fit(X, y);
  const recall = (m: LinearDiscriminant) => {
    const p = m.predict(X);
    let hit = 0;
    for (let i = 0; i < y.length; i++) if (y[i] === 1 && p[i] === 1) hit++;
    return hit / 100;
  };
  assert.ok(recall(bal) > recall(raw) + 0.2, `balanced ${recall(bal)} vs none ${recall(raw)}`);
  const p = bal.predictProba(X);
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(p.data[2 * i]! + p.data[2 * i + 1]! - 1) < 1e-6);
});

test('three classes in five dimensions: the saved state predicts identically; de Chazal is the same discriminant', () => {
  const { X, y } = gaussians([300, 80, 120], [[0, 0, 0, 0, 0], [1, 2, 0, 0, 1], [-1, 0, 2, 1, 0]], 3);
  const m = new LinearDiscriminant().fit(X, y);
  const back = LinearDiscriminant.fromState(m.toState());
  assert.equal(Array.from(back.predict(X)), Array.from(m.predict(X)));
  const dc = new DeChazal2004().fit(X, y);
  assert.is(dc.kind, 'dechazal2004');
  assert.equal(Array.from(dc.predict(X)), Array.from(m.predict(X)));
  const dcBack = DeChazal2004.fromState(dc.toState());
  assert.is(dcBack.kind, 'dechazal2004');
  assert.equal(Array.from(dcBack.predict(X)), Array.from(m.predict(X)));
  const acc = Array.from(m.predict(X)).filter((p, i) => p === y[i]).length / y.length;
  assert.ok(acc > 0.8, `accuracy ${acc}`);
});

test('duplicated features still fit (shrinkage); bad parameters and inputs are named errors', () => {
  const { X, y } = gaussians([50, 50], [[0], [3]]);
  const dup = matrix(Array.from(X.data).flatMap((v) => [v, v]), X.rows, 2);
  assert.equal(Array.from(new LinearDiscriminant().fit(dup, y).predict(dup)), Array.from(new LinearDiscriminant().fit(X, y).predict(X)));
  assert.throws(() => new LinearDiscriminant({ classWeight: 'equal' as never }), /classWeight must be 'balanced' or 'none'/);
  assert.throws(() => new LinearDiscriminant().fit(X, Int32Array.from(y, () => 0), { nClasses: 2 }), /class/);
  assert.throws(() => new LinearDiscriminant().fit(X, y).predict(matrix([1, 2], 1, 2)), /X has 2 columns but the classifier was fitted on 1/);
});

test.run();
