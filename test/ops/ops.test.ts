// Forward values of the tensor ops against plain JS computations, and their shape errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  initSync, tensor, fromArray, arange, randn, concat, stack, maximum, minimum, type Tensor,
} from '../../src/all.ts';

initSync();

function close(t: Tensor, expected: number[], tol = 1e-5, what = ''): void {
  const got = Array.from(t.data());
  assert.is(got.length, expected.length, `${what}: length`);
  got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)), `${what}[${i}]: ${v} vs ${expected[i]}`));
}

test('broadcast arithmetic', () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  const b = tensor([10, 20, 30]);
  close(a.add(b), [11, 22, 33, 14, 25, 36]);
  close(a.sub(tensor([[1], [2]])), [0, 1, 2, 2, 3, 4]);
  close(a.mul(b), [10, 40, 90, 40, 100, 180]);
  close(a.div(tensor([[2], [4]])), [0.5, 1, 1.5, 1, 1.25, 1.5]);
  close(tensor([[1], [2]]).add(tensor([10, 20, 30])), [11, 21, 31, 12, 22, 32]);
  close(a.pow(2), [1, 4, 9, 16, 25, 36]);
  close(a.pow(tensor([1, 0.5, 2])), [1, Math.SQRT2, 9, 4, Math.sqrt(5), 36]);
  close(maximum(a, tensor([2, 2, 7])), [2, 2, 7, 4, 5, 7]);
  close(minimum(a, tensor([2, 2, 7])), [1, 2, 3, 2, 2, 6]);
  close(a.add(1).mul(2).sub(3).div(4), [0.25, 0.75, 1.25, 1.75, 2.25, 2.75]);
});

test('unary math', () => {
  const x = tensor([-2, -0.5, 0.5, 2]);
  close(x.relu(), [0, 0, 0.5, 2]);
  close(x.leakyRelu(0.1), [-0.2, -0.05, 0.5, 2]);
  close(x.abs(), [2, 0.5, 0.5, 2]);
  close(x.neg(), [2, 0.5, -0.5, -2]);
  close(x.sigmoid(), [-2, -0.5, 0.5, 2].map((v) => 1 / (1 + Math.exp(-v))));
  close(x.tanh(), [-2, -0.5, 0.5, 2].map(Math.tanh));
  close(x.exp(), [-2, -0.5, 0.5, 2].map(Math.exp));
  close(x.elu(1), [Math.expm1(-2), Math.expm1(-0.5), 0.5, 2]);
  close(x.abs().log(), [2, 0.5, 0.5, 2].map(Math.log));
  close(x.abs().sqrt(), [2, 0.5, 0.5, 2].map(Math.sqrt));
  close(x.square(), [4, 0.25, 0.25, 4]);
  close(x.reciprocal(), [-0.5, -2, 2, 0.5]);
  close(x.clamp(-1, 1), [-1, -0.5, 0.5, 1]);
  close(x.clamp(0), [0, 0, 0.5, 2]);
});

test('matmul shapes and values', () => {
  const a = tensor([[1, 2], [3, 4], [5, 6]]);
  const b = tensor([[1, 0, 2], [0, 1, 3]]);
  const c = a.matmul(b);
  assert.equal(c.shape, [3, 3]);
  close(c, [1, 2, 8, 3, 4, 18, 5, 6, 28]);
  close(tensor([1, 1]).matmul(b), [1, 1, 5]);
  close(a.matmul(tensor([1, -1])), [-1, -1, -1]);
  const batch = randn([2, 3, 4], { seed: 1 });
  const w = randn([4, 5], { seed: 2 });
  const out = batch.matmul(w);
  assert.equal(out.shape, [2, 3, 5]);
  const bd = batch.data(), wd = w.data();
  const ref: number[] = [];
  for (let i = 0; i < 6; i++) for (let j = 0; j < 5; j++) { let s = 0; for (let k = 0; k < 4; k++) s += bd[i * 4 + k]! * wd[k * 5 + j]!; ref.push(s); }
  close(out, ref, 1e-5);
  const bb = randn([2, 4, 3], { seed: 3 });
  assert.equal(batch.matmul(bb).shape, [2, 3, 3]);
  assert.throws(() => a.matmul(a), /matmul: cannot multiply shapes \[3, 2\] and \[3, 2\]: inner dimensions 2 and 3 differ/);
  assert.throws(() => batch.matmul(randn([3, 4, 3])), /batch sizes 2 and 3 differ/);
});

test('reductions', () => {
  const x = tensor([[1, 5, 3], [4, 2, 6]]);
  close(x.sum(), [21]);
  assert.equal(x.sum().shape, []);
  close(x.sum(0), [5, 7, 9]);
  close(x.sum(1, true), [9, 12]);
  assert.equal(x.sum(1, true).shape, [2, 1]);
  close(x.mean(1), [3, 4]);
  close(x.max(1), [5, 6]);
  close(x.min(0), [1, 2, 3]);
  close(x.max(), [6]);
  close(x.argmax(1), [1, 2]);
  close(x.argmin(1), [0, 1]);
  close(x.argmax(), [5]);
  close(tensor([[3, 3, 1]]).argmax(1), [0]);
  assert.throws(() => x.sum(2), /sum: axis 2 is out of range for a tensor of shape \[2, 3\]/);
});

test('softmax and logSoftmax', () => {
  const x = tensor([[1, 2, 3], [1000, 1000, 1000]]);
  const e = [1, 2, 3].map(Math.exp);
  const z = e.reduce((a, b) => a + b);
  close(x.softmax(), [...e.map((v) => v / z), 1 / 3, 1 / 3, 1 / 3]);
  close(x.logSoftmax(), [...e.map((v) => Math.log(v / z)), -Math.log(3), -Math.log(3), -Math.log(3)]);
  close(tensor([[1, 2], [3, 4]]).softmax(0), [1 / (1 + Math.E ** 2), 1 / (1 + Math.E ** 2), 1 / (1 + Math.E ** -2), 1 / (1 + Math.E ** -2)]);
});

test('shape ops', () => {
  const x = arange(24).reshape([2, 3, 4]);
  assert.equal(x.reshape([-1, 4]).shape, [6, 4]);
  assert.equal(x.flatten(1).shape, [2, 12]);
  assert.equal(x.unsqueeze(1).shape, [2, 1, 3, 4]);
  assert.equal(x.unsqueeze(1).squeeze().shape, [2, 3, 4]);
  const p = x.permute([2, 0, 1]);
  assert.equal(p.shape, [4, 2, 3]);
  assert.is((p.toArray() as number[][][])[3]![1]![2], 23);
  assert.equal(tensor([[1, 2, 3], [4, 5, 6]]).T.toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.equal(x.slice([[1, 2], [0, 3, 2], [-2, 4]]).toArray(), [[[14, 15], [22, 23]]]);
  assert.equal(arange(6).narrow(0, 2, 3).toArray(), [2, 3, 4]);
  assert.equal(tensor([[1, 2]]).pad([[1, 0]], 9).toArray(), [[9, 1, 2]]);
  assert.equal(tensor([[1, 2]]).pad([[1, 1], [2, 0]]).toArray(), [[0, 0, 0, 0], [0, 0, 1, 2], [0, 0, 0, 0]]);
  assert.equal(concat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])], 0).toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.equal(concat([tensor([[1], [2]]), tensor([[3, 4], [5, 6]])], 1).toArray(), [[1, 3, 4], [2, 5, 6]]);
  assert.equal(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray(), [[1, 3], [2, 4]]);
  assert.equal(tensor([[1], [2]]).expand([2, 3]).toArray(), [[1, 1, 1], [2, 2, 2]]);
  assert.throws(() => x.reshape([5, -1]), /reshape: cannot reshape \[2, 3, 4\] \(24 values\) into \[5, -1\]/);
  assert.throws(() => x.permute([0, 0, 1]), /repeat an axis/);
  assert.throws(() => concat([tensor([[1, 2]]), tensor([[1, 2, 3]])], 0), /concat: tensor 1 has shape \[1, 3\], which does not match \[1, 2\] outside axis 0/);
  assert.throws(() => tensor([1, 2]).add(tensor([1, 2, 3])), /add: shapes \[2\] and \[3\] are not broadcastable/);
});

test('lengths not divisible by 4, size 1 and empty tensors', () => {
  for (const n of [0, 1, 3, 5, 7, 13, 1027]) {
    const v = Array.from({ length: n }, (_, i) => (i % 7) - 3);
    const t = fromArray(v, [n]);
    close(t.mul(t).add(1), v.map((x) => x * x + 1));
    if (n > 0) close(t.sum(), [v.reduce((a, b) => a + b, 0)]);
  }
});

test('hostile sizes and scalars: arange past 2^30 elements is a named RangeError; x / 0 gives IEEE values, reported as div', () => {
  assert.throws(() => arange(0, 1e10), /arange: 10000000000 elements .* exceed the largest tensor/);
  assert.equal(Array.from(tensor([1, -2, 0]).div(0).data()), [Infinity, -Infinity, NaN]);
  assert.equal(Array.from(tensor([1, -2]).div(-0).data()), [-Infinity, Infinity]);
  assert.throws(() => tensor([1]).div(NaN), /div: divisor/);
});

test.run();
