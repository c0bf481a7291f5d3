// ResidualBlock1d (src/nn/residual.ts): shapes, children, the identity path, and finite-difference
// gradient checks with respect to the input through both kinds of shortcut, with and without BatchNorm.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, fromArray, randn, noGrad, type Tensor } from '../../src/all.ts';
import { ResidualBlock1d } from '../../src/nn/residual.ts';
import { gradCheck, awayFromZero } from '../helpers/gradcheck.ts';

initSync();

test('identity shortcut when the shape is kept; 1x1 projection when channels or stride change', () => {
  const id = new ResidualBlock1d(4, 4, 5, { seed: 1 });
  assert.is(id.shortcut, null);
  assert.equal(id.namedParameters().map(([n]) => n), ['conv1.weight', 'bn1.weight', 'bn1.bias', 'conv2.weight', 'bn2.weight', 'bn2.bias']);
  assert.equal(id.forward(randn([2, 4, 11], { seed: 2 })).shape, [2, 4, 11]);
  const proj = new ResidualBlock1d(3, 6, 3, { stride: 2, seed: 1 });
  assert.ok(proj.shortcut);
  assert.equal(proj.forward(randn([2, 3, 11], { seed: 2 })).shape, [2, 6, 6]);
  assert.is(proj.parameterCount(), 3 * 6 * 3 + 6 * 6 * 3 + 3 * 6 + 3 * (2 * 6));
  const noBn = new ResidualBlock1d(32, 32, 5, { batchNorm: false, seed: 1 });
  assert.is(noBn.parameterCount(), 2 * (32 * 32 * 5 + 32)); // Kachuee's block: biases, no BN
  assert.ok(new ResidualBlock1d(4, 4, 3, { projection: 'always' }).shortcut);
  assert.throws(() => new ResidualBlock1d(4, 4, 4), /kernelSize must be an odd/);
  assert.throws(() => id.forward(randn([2, 3, 11])), /expected input \[batch, 4, length\]/);
});

test('with conv2 zeroed (no BN, no biases) the block is relu(x)', () => {
  const b = new ResidualBlock1d(2, 2, 3, { batchNorm: false, seed: 4 });
  b.loadStateDict(new Map(b.namedParameters().map(([n, p]) => [n, n.startsWith('conv2') ? new Float32Array(p.size) : p.data()])));
  const x = randn([2, 2, 7], { seed: 5 });
  const y = noGrad(() => Array.from(b.forward(x).data()));
  assert.equal(y, Array.from(x.data()).map((v) => Math.max(v, 0)));
});

const cases: [string, number, number, number, boolean][] = [
  ['identity, BN', 3, 3, 1, true],
  ['identity, no BN', 3, 3, 1, false],
  ['projection (channels 2 → 3, stride 2), BN', 2, 3, 2, true],
  ['projection (channels 2 → 3, stride 2), no BN', 2, 3, 2, false],
];
for (const [label, cin, cout, stride, batchNorm] of cases)
  test(`gradient check: ${label}`, () => {
    const block = new ResidualBlock1d(cin, cout, 3, { stride, batchNorm, seed: 7 });
    const shape = [2, cin, 6];
    gradCheck(`ResidualBlock1d ${label}`, (x: Tensor) => block.forward(x), [{ data: awayFromZero(2 * cin * 6, 11), shape }], { atol: 5e-3 });
  });

test('parameter gradients of a projection block match finite differences of the loss', () => {
  // Perturb a few weights of conv1, conv2 and the projection and compare with p.grad.
  const block = new ResidualBlock1d(2, 3, 3, { stride: 2, batchNorm: false, seed: 8 });
  const x = fromArray(awayFromZero(2 * 2 * 6, 13), [2, 2, 6]).keep();
  const w = randn([2, 3, 3], { seed: 14 }).keep();
  const loss = () => block.forward(x).mul(w).sum();
  loss().backward();
  const state = new Map(block.namedParameters().map(([n, p]) => [n, Float64Array.from(p.data())]));
  const grads = new Map(block.namedParameters().map(([n, p]) => [n, p.grad!.data()]));
  const set = () => block.loadStateDict(new Map([...state].map(([n, v]) => [n, Float32Array.from(v)])));
  for (const name of ['conv1.weight', 'conv2.weight', 'conv2.bias', 'shortcut.weight']) {
    const v = state.get(name)!;
    for (const i of [0, Math.floor(v.length / 2), v.length - 1]) {
      const orig = v[i]!, eps = 1e-2;
      v[i] = orig + eps;
      set();
      const up = noGrad(() => loss().item());
      v[i] = orig - eps;
      set();
      const down = noGrad(() => loss().item());
      v[i] = orig;
      const h = Math.fround(orig + eps) - Math.fround(orig - eps);
      const num = (up - down) / h, a = grads.get(name)![i]!;
      assert.ok(Math.abs(a - num) <= 2e-2 * Math.max(Math.abs(a), Math.abs(num)) + 5e-3, `${name}[${i}]: analytic ${a} vs numeric ${num}`);
    }
  }
  set();
});

test.run();
