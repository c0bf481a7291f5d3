// The decision-weight sweep over pooled probabilities: weight 1 is the plain argmax, a larger weight on a
// class moves beats to it (sensitivity up, precision down), figures hand-checked on a tiny case; parsing errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decisionSweep, decisionSweepMarkdown, parseDecisionSweep } from '../../src/train/decision-sweep.ts';

const classes = ['N', 'S', 'V', 'F', 'Q'];
// 4 beats: true N, S, S, V; S probabilities 0.1, 0.4, 0.2, 0.05
const yTrue = [0, 1, 1, 2];
const proba = Float32Array.from([
  0.9, 0.1, 0, 0, 0,
  0.6, 0.4, 0, 0, 0,
  0.8, 0.2, 0, 0, 0,
  0.05, 0.05, 0.9, 0, 0,
]);

test('weight 1: the argmax; weight 2: the 0.4 beat turns S; weight 10: every beat with S evidence above N/10', () => {
  const rows = decisionSweep(yTrue, proba, classes, { className: 'S', weights: [1, 2, 10] });
  assert.equal(rows.map((r) => r.weight), [1, 2, 10]);
  assert.is(rows[0]!.aami.S!.se, 0); // nothing predicted S
  assert.is(rows[0]!.accuracy, 0.5);
  assert.is(rows[1]!.aami.S!.se, 0.5); // 0.4·2 > 0.6
  assert.is(rows[1]!.aami.S!.ppv, 1);
  assert.is(rows[1]!.accuracy, 0.75);
  // ×10: beat 0 (1.0 > 0.9) and beats 1, 2 become S; beat 3's V (0.9) still beats S (0.5)
  assert.is(rows[2]!.aami.S!.se, 1);
  assert.ok(Math.abs(rows[2]!.aami.S!.ppv - 2 / 3) < 1e-12);
  assert.is(rows[2]!.aami.V!.se, 1);
  const md = decisionSweepMarkdown({ className: 'S', weights: [1, 2, 10] }, rows);
  assert.match(md, /\| S decision weight \| accuracy % \| S Se % \| S \+P % \| V Se % \| V \+P % \|/);
  assert.match(md, /\| 2 \| 75\.0 \| 50\.0 \| 100\.0 \| 100\.0 \| 100\.0 \|/);
});

test('parse: CLASS:w,w; errors name the class or value; a size mismatch is an error', () => {
  assert.equal(parseDecisionSweep('S:1,1.414,2e1', classes), { className: 'S', weights: [1, 1.414, 20] });
  assert.throws(() => parseDecisionSweep('S', classes), /must be CLASS:w1,w2/);
  assert.throws(() => parseDecisionSweep('X:1,2', classes), /names the class "X", not one of N, S, V, F, Q/);
  assert.throws(() => parseDecisionSweep('S:1,0', classes), /positive numbers, got "0"/);
  assert.throws(() => parseDecisionSweep('S:1,-2', classes), /positive numbers, got "-2"/);
  assert.throws(() => parseDecisionSweep('S:1,,2', classes), /positive numbers, got ""/);
  assert.throws(() => decisionSweep(yTrue, proba.subarray(0, 10), classes, { className: 'S', weights: [1] }), /10 probabilities for 4 beats x 5 classes/);
});

test.run();
