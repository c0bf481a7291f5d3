// Autograd behaviour: backward, accumulation, zeroGrad, detach, noGrad, grad(fn, inputs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, tensor, randn, noGrad, grad, valueAndGrad, gradients, isGradEnabled } from '../../src/all.ts';

initSync();

test('the README example: w.grad after backward', () => {
  const w = randn([3, 4], { seed: 1, requiresGrad: true });
  const x = tensor([[1, 2, 3]]);
  const y = x.matmul(w).relu().sum();
  y.backward();
  const z = x.matmul(w).data();
  const g = w.grad!.toArray() as number[][];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) assert.is(g[i]![j], z[j]! > 0 ? i + 1 : 0);
});

test('gradients accumulate across backward calls until zeroGrad', () => {
  const w = tensor([1, 2, 3], { requiresGrad: true });
  w.mul(w).sum().backward();
  assert.equal(Array.from(w.grad!.data()), [2, 4, 6]);
  w.mul(w).sum().backward();
  assert.equal(Array.from(w.grad!.data()), [4, 8, 12]);
  w.zeroGrad();
  assert.equal(Array.from(w.grad!.data()), [0, 0, 0]);
});

test('a tensor used twice gets the sum of both gradients', () => {
  const x = tensor([2], { requiresGrad: true });
  x.mul(x).add(x.mul(3)).sum().backward(); // d/dx (x² + 3x) = 2x + 3
  assert.is(x.grad!.item(), 7);
});

test('detach cuts the graph; noGrad records nothing', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const d = x.detach();
  assert.is(d.requiresGrad, false);
  const y = noGrad(() => {
    assert.is(isGradEnabled(), false);
    return x.mul(2).sum();
  });
  assert.is(isGradEnabled(), true);
  assert.is(y.requiresGrad, false);
  assert.throws(() => y.backward(), /does not require gradients/);
});

test('backward twice needs retainGraph', () => {
  const x = tensor([3], { requiresGrad: true });
  const z = x.mul(x).sum();
  z.backward(undefined, { retainGraph: true });
  z.backward();
  assert.is(x.grad!.item(), 12);
  assert.throws(() => z.backward(), /already used by a backward\(\) and freed/);
});

test('backward of a non-scalar needs a gradOutput of its shape', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  assert.throws(() => x.mul(2).backward(), /need a scalar/);
  x.mul(2).backward(tensor([1, 10]));
  assert.equal(Array.from(x.grad!.data()), [2, 20]);
  assert.throws(() => x.mul(2).backward(tensor([1])), /gradOutput has shape \[1\] but the output has shape \[2\]/);
});

test('grad(fn, inputs) returns input gradients and leaves parameter .grad untouched', () => {
  const w = randn([4, 2], { seed: 5, requiresGrad: true });
  const x = randn([3, 4], { seed: 6 });
  const [gx] = grad((xi) => xi.matmul(w).tanh().sum(), [x]);
  assert.equal(gx!.shape, [3, 4]);
  assert.is(w.grad, null);
  // Check one entry by finite differences.
  const f = (dx: number) => noGrad(() => {
    const xd = x.data();
    xd[5] = xd[5]! + dx;
    return tensor(xd, { shape: [3, 4] }).matmul(w).tanh().sum().item();
  });
  const numeric = (f(1e-2) - f(-1e-2)) / 2e-2;
  assert.ok(Math.abs(gx!.data()[5]! - numeric) < 1e-3, `${gx!.data()[5]} vs ${numeric}`);
  const { value, grads } = valueAndGrad((a, b) => a.mul(b).sum(), [tensor([1, 2]), tensor([3, 4])]);
  assert.is(value.item(), 11);
  assert.equal(grads.map((g) => Array.from(g.data())), [[3, 4], [1, 2]]);
  const [none] = grad(() => tensor([1]).sum(), [tensor([1, 2])]);
  assert.equal(Array.from(none!.data()), [0, 0]);
});

test('gradients() reaches intermediate tensors and keeps the graph for several calls', () => {
  const w = tensor([[1, -2], [3, 0.5]], { requiresGrad: true });
  const x = tensor([[2, 1]]);
  const h = x.matmul(w); // [[5, -3.5]]
  const y = h.relu().sum();
  const [gh] = gradients(y, [h]);
  assert.equal(Array.from(gh!.data()), [1, 0]);
  const [gw, gh2] = gradients(y, [w, h]);
  assert.equal(Array.from(gw!.data()), [2, 0, 1, 0]);
  assert.equal(Array.from(gh2!.data()), [1, 0]);
  assert.is(w.grad, null);
  const [unrelated] = gradients(y, [tensor([1, 2])]);
  assert.equal(Array.from(unrelated!.data()), [0, 0]);
});

test.run();
