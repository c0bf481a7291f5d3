// Classification metrics against hand-computed values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classificationReport, confusionMatrix, aamiGross } from '../../src/all.ts';

test('confusion matrix, accuracy, per-class and averaged F1 (hand-computed)', () => {
  const yTrue = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
  const yPred = [0, 0, 1, 1, 2, 2, 2, 2, 0, 2];
  const r = classificationReport(yTrue, yPred, ['N', 'S', 'V']);
  assert.equal(r.confusion, [[2, 1, 0], [0, 1, 1], [1, 0, 4]]);
  assert.is(r.accuracy, 0.7);
  const n = r.perClass.N!, s = r.perClass.S!, v = r.perClass.V!;
  assert.is(n.precision, 2 / 3); assert.is(n.recall, 2 / 3); assert.is(n.specificity, 6 / 7);
  assert.is(s.precision, 0.5); assert.is(s.recall, 0.5);
  assert.is(v.precision, 0.8); assert.is(v.recall, 0.8); assert.is(v.specificity, 4 / 5);
  assert.ok(Math.abs(r.macroF1 - (2 / 3 + 0.5 + 0.8) / 3) < 1e-12);
  assert.ok(Math.abs(r.weightedF1 - ((2 / 3) * 3 + 0.5 * 2 + 0.8 * 5) / 10) < 1e-12);
  assert.equal(aamiGross(r).S, { se: 0.5, ppv: 0.5 });
});

test('a class never predicted has precision and F1 0', () => {
  const r = classificationReport([0, 1, 1], [0, 0, 0], ['a', 'b']);
  assert.is(r.perClass.b!.precision, 0);
  assert.is(r.perClass.b!.f1, 0);
});

test('bad input', () => {
  assert.throws(() => confusionMatrix([0, 1], [0], 2), /2 true labels but 1 predictions/);
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 2), /index 1 has true 3/);
});

test.run();
