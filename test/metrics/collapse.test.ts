// A collapsed model is named: (nearly) all beats predicted as one class while others are present.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collapsedClass, collapseWarning } from '../../src/metrics/collapse.ts';
import { collapseNotes } from '../../src/report/rows.ts';

const classes = ['N', 'S', 'V'];

test('collapsedClass: all or 99.5% of predictions in one class with >= 1% other beats; not a healthy or one-class set', () => {
  assert.equal(collapsedClass([[900, 0, 1], [50, 0, 0], [49, 0, 0]], classes), { cls: 'N', count: 999, total: 1000 });
  assert.is(collapsedClass([[900, 0, 0], [10, 40, 0], [5, 0, 45]], classes), null);
  assert.is(collapsedClass([[995, 0, 0], [3, 0, 0], [2, 0, 0]], classes), null); // 99.5% truly N
  assert.is(collapsedClass([[0, 0, 0], [0, 0, 0], [0, 0, 0]], classes), null);
  assert.match(collapseWarning('ann', { cls: 'N', count: 999, total: 1000 }), /ann predicts N for 999 of the 1000 test beats: the run collapsed .* lower --lr/);
});

test('collapseNotes: one warning per collapsed row of a report', () => {
  const row = (name: string, confusion: number[][]) => ({ name, metrics: { confusion, classes } }) as never;
  const notes = collapseNotes([row('a', [[90, 0, 0], [10, 0, 0], [5, 0, 0]]), row('b', [[90, 0, 0], [1, 9, 0], [0, 0, 5]])]);
  assert.is(notes.length, 1);
  assert.match(notes[0]!, /^Warning: a predicts N for 105 of the 105 test beats/);
});

test.run();
