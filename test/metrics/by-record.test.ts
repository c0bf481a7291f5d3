// Per-record S / V counts and the gross figures with records left out, on a hand-counted case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recordCounts, grossWithout } from '../../src/metrics/by-record.ts';

const classes = ['N', 'S', 'V', 'F', 'Q'];
// record a: N N S S V (pred N S S N N); record b: S V N (pred S V S); record c: no rows.
const yTrue = [0, 0, 1, 1, 2, 1, 2, 0];
const yPred = [0, 1, 1, 0, 0, 1, 2, 1];
const record = [0, 0, 0, 0, 0, 1, 1, 1];

test('found, total and false calls of S and V by record; records without rows are left out', () => {
  const r = recordCounts(yTrue, yPred, record, ['a', 'b', 'c'], classes);
  assert.equal(r, [
    { record: 'a', beats: 5, found: { S: 1, V: 0 }, total: { S: 2, V: 1 }, falsePositive: { S: 1, V: 0 } },
    { record: 'b', beats: 3, found: { S: 1, V: 1 }, total: { S: 1, V: 1 }, falsePositive: { S: 1, V: 0 } },
  ]);
});

test('gross Se / +P without a record: only the other records count', () => {
  const g = grossWithout(yTrue, yPred, record, ['a', 'b', 'c'], classes, ['a']);
  assert.equal([g.S!.se, g.S!.ppv, g.V!.se, g.V!.ppv], [1, 0.5, 1, 1]);
  const all = grossWithout(yTrue, yPred, record, ['a', 'b', 'c'], classes, []);
  assert.equal([all.S!.se, all.S!.ppv], [2 / 3, 2 / 4]);
});

test('mismatched lengths, unknown classes and record indices are named errors', () => {
  assert.throws(() => recordCounts([0], [0, 1], [0], ['a'], classes), /1 labels, 2 predictions and 1 record indices/);
  assert.throws(() => recordCounts([0], [0], [0], ['a'], ['N', 'V'], ['S']), /class S is not among N, V/);
  assert.throws(() => recordCounts([0], [0], [3], ['a'], classes), /row 0 names record index 3, but there are 1 records/);
});

test.run();
