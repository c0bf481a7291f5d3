// A small MLP learns a non-linear task (two spirals) with the tensor API and Adam.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, fromArray, noGrad, Adam } from '../../src/all.ts';
import { TinyMLP, crossEntropy, twoSpirals } from '../helpers/mlp.ts';

initSync();

test('an MLP reaches at least 99% training accuracy on two spirals', () => {
  const n = 200;
  const data = twoSpirals(n);
  const x = fromArray(data.x, [2 * n, 2]).keep();
  const t = fromArray(data.onehot, [2 * n, 2]).keep();
  const model = new TinyMLP([2, 64, 64, 2], 1);
  const opt = new Adam(model.params, { lr: 0.01 });
  let acc = 0;
  for (let step = 1; step <= 3000; step++) {
    const loss = crossEntropy(model.forward(x), t);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (step % 250 === 0) {
      acc = noGrad(() => {
        const pred = model.forward(x).argmax(1).data();
        return pred.reduce((s, p, i) => s + (p === data.y[i] ? 1 : 0), 0) / (2 * n);
      });
      if (acc >= 0.995) break;
    }
  }
  assert.ok(acc >= 0.99, `training accuracy ${acc}`);
});

test.run();
