// BatchNorm1d with momentum: null keeps a cumulative average: after n batches the running mean is the
// mean of the n batch means, and numBatchesTracked counts the batches (written with Tensor.assign_).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, BatchNorm1d, fromArray } from '../../src/all.ts';

initSync();

test('momentum: null averages the batch statistics over all batches seen', () => {
  const bn = new BatchNorm1d(2, { momentum: null });
  const batches = [
    [1, 2, 3, 4], // [batch 2, channels 2]: channel means 2, 3
    [5, 0, 7, 2], // 6, 1
    [0, 8, 2, 4], // 1, 6
  ];
  for (const b of batches) bn.forward(fromArray(b, [2, 2]));
  assert.is(bn.numBatchesTracked!.item(), 3);
  const mean = Array.from(bn.runningMean!.data());
  assert.ok(Math.abs(mean[0]! - 3) < 1e-6 && Math.abs(mean[1]! - 10 / 3) < 1e-6, `running mean ${mean}`);
  bn.eval();
  bn.forward(fromArray([1, 1, 1, 1], [2, 2]));
  assert.is(bn.numBatchesTracked!.item(), 3, 'evaluation does not count batches');
});

test.run();
