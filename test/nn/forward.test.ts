// The shared batched no-grad forward: batch size never changes the outputs, shapes are checked, eval
// mode is entered and every module's own training flag restored, wasm memory does not grow per batch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, backend } from '../../src/core/runtime.ts';
import '../../src/wasm/full-kernels.ts';
import { Conv1d } from '../../src/nn/conv.ts';
import { Linear } from '../../src/nn/linear.ts';
import { ReLU } from '../../src/nn/activations.ts';
import { Dropout } from '../../src/nn/dropout.ts';
import { GlobalAvgPool1d } from '../../src/nn/pool.ts';
import { Sequential } from '../../src/nn/sequential.ts';
import { argmax, forwardInBatches, forwardOf, inEvalMode, sliceBatches, softmaxRows } from '../../src/nn/forward.ts';

initSync();
const model = new Sequential(new Conv1d(2, 4, 3, { seed: 1 }), new ReLU(), new Dropout(0.5), new GlobalAvgPool1d(), new Linear(4, 3, { seed: 2 }));
const shape = { channels: 2, length: 11, rrFeatures: 0 };
const n = 37;
const x = Float32Array.from({ length: n * 22 }, (_, i) => Math.sin(i * 0.37));

test('outputs do not depend on the batch size (odd sizes, batch 1, one batch), in eval mode', () => {
  const run = (bs: number) => inEvalMode(model, () => forwardInBatches(n, sliceBatches(x, null, shape, bs), shape, forwardOf(model)));
  const whole = run(64);
  assert.is(whole.width, 3);
  assert.is(whole.out.length, n * 3);
  for (const bs of [1, 5, 36]) assert.equal(Array.from(run(bs).out), Array.from(whole.out), `batch ${bs}`);
});

test('inEvalMode restores each module its own flag; the model forward is checked for [batch, classes]', () => {
  const modules = () => [...model.namedModules()].map(([, m]) => m);
  model.train(true);
  modules()[3]!.training = false; // the Dropout (0 is the Sequential itself)
  inEvalMode(model, () => assert.ok(modules().every((m) => !m.training)));
  assert.equal(modules().map((m) => m.training), [true, true, true, false, true, true]);
  assert.throws(() => forwardInBatches(n, sliceBatches(x, null, shape, 8), shape, (t) => t, 'probe'), /probe: the model returned shape \[8, 2, 11\] for 8 beats/);
  assert.throws(() => [...sliceBatches(x, null, shape, 0)], /batchSize must be a positive integer/);
});

test('memory stays flat over many batches; softmaxRows and argmax take the first of ties', () => {
  const run = () => inEvalMode(model, () => forwardInBatches(n, sliceBatches(x, null, shape, 2), shape, forwardOf(model)));
  run();
  const before = backend().memory.buffer.byteLength;
  for (let r = 0; r < 20; r++) run();
  assert.is(backend().memory.buffer.byteLength, before);
  const probs = new Float32Array(6), pred = new Int32Array(2);
  softmaxRows([1, 1, 0, 0, 2, 2], 2, 3, probs, 0, pred, 0);
  assert.equal(Array.from(pred), [0, 1]);
  assert.ok(Math.abs(probs[0]! + probs[1]! + probs[2]! - 1) < 1e-6);
  assert.is(argmax([NaN, 3, 3], 0, 3), 1);
});

test.run();
