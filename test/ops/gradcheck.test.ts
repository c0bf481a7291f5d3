// Finite-difference gradient checks (float32, end to end) for every differentiable tensor op.
import { test } from 'uvu';
import {
  initSync, concat, stack, maximum, minimum, tensor, type Tensor,
} from '../../src/all.ts';
import { awayFromZero, gradCheck, uniform } from '../helpers/gradcheck.ts';

initSync();

const u = (shape: number[], seed: number, lo = -1, hi = 1) => ({ data: uniform(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape });
const nz = (shape: number[], seed: number) => ({ data: awayFromZero(shape.reduce((a, b) => a * b, 1), seed), shape });

test('add, sub, mul, div with broadcasting in every position', () => {
  const pairs: [number[], number[]][] = [[[2, 3], [2, 3]], [[2, 3], [3]], [[4, 1], [1, 5]], [[2, 1, 4], [3, 1]], [[3], [2, 3]], [[], [2, 2]]];
  pairs.forEach(([sa, sb], i) => {
    gradCheck(`add ${sa}+${sb}`, (a, b) => a.add(b), [u(sa, i), u(sb, i + 50)]);
    gradCheck(`sub ${sa}-${sb}`, (a, b) => a.sub(b), [u(sa, i), u(sb, i + 50)]);
    gradCheck(`mul ${sa}*${sb}`, (a, b) => a.mul(b), [u(sa, i), u(sb, i + 50)]);
    gradCheck(`div ${sa}/${sb}`, (a, b) => a.div(b), [u(sa, i), nz(sb, i + 50)]);
  });
});

test('scalar add, sub, mul, div', () => {
  gradCheck('add scalar', (a) => a.add(0.7), [u([5], 1)]);
  gradCheck('sub scalar', (a) => a.sub(0.7), [u([5], 2)]);
  gradCheck('mul scalar', (a) => a.mul(-1.3), [u([5], 3)]);
  gradCheck('div scalar', (a) => a.div(2.5), [u([5], 4)]);
});

test('pow with a tensor exponent and with scalar exponents', () => {
  gradCheck('pow tensor', (a, b) => a.pow(b), [u([2, 3], 1, 0.5, 2), u([3], 2, -1.5, 2)]);
  for (const p of [2, 3, 0.5, -1, -1.5, 1.7]) gradCheck(`pow ${p}`, (a) => a.pow(p), [u([7], 3, 0.5, 2)]);
});

test('maximum and minimum (distinct values)', () => {
  // Values at least 0.05 apart so the finite differences never cross a tie.
  const a = { data: [-0.9, 0.2, 0.75, -0.3, 0.5, -0.6, 0.05, 0.9, -0.15, 0.35, -0.8, 0.6], shape: [3, 4] };
  gradCheck('maximum', (x, y) => maximum(x, y), [a, { data: [0.1, -0.2, 0.4, 0.7], shape: [4] }]);
  gradCheck('minimum', (x, y) => minimum(x, y), [a, { data: [0.0, 0.45, -0.4], shape: [3, 1] }]);
  gradCheck('maximum tie splits the gradient', (x, y) => maximum(x, y).mul(0).add(maximum(x, y)), [a, a]);
});

test('unary ops off their kinks', () => {
  const cases: [string, (x: Tensor) => Tensor, { data: ArrayLike<number>; shape: number[] }][] = [
    ['neg', (x) => x.neg(), u([9], 1)],
    ['abs', (x) => x.abs(), nz([9], 2)],
    ['relu', (x) => x.relu(), nz([9], 3)],
    ['leakyRelu', (x) => x.leakyRelu(0.1), nz([9], 4)],
    ['elu', (x) => x.elu(0.8), nz([9], 5)],
    ['sigmoid', (x) => x.sigmoid(), u([9], 6, -4, 4)],
    ['tanh', (x) => x.tanh(), u([9], 7, -2, 2)],
    ['exp', (x) => x.exp(), u([9], 8, -2, 2)],
    ['log', (x) => x.log(), u([9], 9, 0.3, 3)],
    ['sqrt', (x) => x.sqrt(), u([9], 10, 0.3, 3)],
    ['square', (x) => x.square(), u([9], 11)],
    ['reciprocal', (x) => x.reciprocal(), nz([9], 12)],
    ['clamp', (x) => x.clamp(-0.5, 0.5), { data: [-0.9, -0.3, 0.1, 0.4, 0.8, -0.7], shape: [6] }],
  ];
  for (const [name, f, x] of cases) gradCheck(name, f, [x]);
});

test('matmul: 2-D, vector, folded batch and batched', () => {
  gradCheck('matmul 2d', (a, b) => a.matmul(b), [u([5, 7], 1), u([7, 3], 2)]);
  gradCheck('matmul 1d@2d', (a, b) => a.matmul(b), [u([6], 3), u([6, 5], 4)]);
  gradCheck('matmul 2d@1d', (a, b) => a.matmul(b), [u([4, 6], 5), u([6], 6)]);
  gradCheck('matmul 3d@2d', (a, b) => a.matmul(b), [u([2, 3, 5], 7), u([5, 9], 8)]);
  gradCheck('matmul 3d@3d', (a, b) => a.matmul(b), [u([2, 3, 5], 9), u([2, 5, 2], 10)]);
  gradCheck('matmul odd', (a, b) => a.matmul(b), [u([9, 13], 11), u([13, 10], 12)]);
});

test('reductions: sum, mean, max, min', () => {
  gradCheck('sum all', (x) => x.sum(), [u([3, 4], 1)]);
  gradCheck('sum axis 1', (x) => x.sum(1), [u([3, 4, 2], 2)]);
  gradCheck('sum axes [0,2] keepdim', (x) => x.sum([0, 2], true), [u([3, 4, 2], 3)]);
  gradCheck('mean axis -1', (x) => x.mean(-1), [u([3, 5], 4)]);
  gradCheck('mean all', (x) => x.mean(), [u([3, 5], 5)]);
  gradCheck('max axis 1', (x) => x.max(1), [u([4, 6], 6)]);
  gradCheck('max axis 0 keepdim', (x) => x.max(0, true), [u([4, 6], 7)]);
  gradCheck('max all', (x) => x.max(), [u([4, 6], 8)]);
  gradCheck('min axis 2', (x) => x.min(2), [u([2, 3, 5], 9)]);
});

test('softmax and logSoftmax along the last, first and a middle axis', () => {
  for (const axis of [-1, 0, 1]) {
    gradCheck(`softmax ${axis}`, (x) => x.softmax(axis), [u([3, 4, 5], 10 + axis, -2, 2)]);
    gradCheck(`logSoftmax ${axis}`, (x) => x.logSoftmax(axis), [u([3, 4, 5], 20 + axis, -2, 2)]);
  }
});

test('shape ops: reshape, flatten, squeeze, unsqueeze, permute, transpose, expand, clone', () => {
  gradCheck('reshape', (x) => x.reshape([4, -1]), [u([2, 6], 1)]);
  gradCheck('flatten', (x) => x.flatten(1), [u([2, 3, 2], 2)]);
  gradCheck('squeeze', (x) => x.squeeze(1), [u([3, 1, 2], 3)]);
  gradCheck('unsqueeze', (x) => x.unsqueeze(0), [u([3, 2], 4)]);
  gradCheck('permute', (x) => x.permute([2, 0, 1]), [u([2, 3, 4], 5)]);
  gradCheck('transpose', (x) => x.transpose(0, 2), [u([2, 3, 4], 6)]);
  gradCheck('expand', (x) => x.expand([3, 4, 5]), [u([4, 1], 7)]);
  gradCheck('clone', (x) => x.clone(), [u([5], 8)]);
});

test('slice (with steps and negative indices), narrow, pad', () => {
  gradCheck('slice', (x) => x.slice([[1, 3], null, [0, -1, 2]]), [u([4, 3, 7], 1)]);
  gradCheck('narrow', (x) => x.narrow(1, 2, 3), [u([2, 6], 2)]);
  gradCheck('pad', (x) => x.pad([[1, 2], [0, 3]], 0.5), [u([2, 3, 4], 3)]);
});

test('concat and stack', () => {
  gradCheck('concat axis 1', (a, b) => concat([a, b], 1), [u([2, 3, 2], 1), u([2, 1, 2], 2)]);
  gradCheck('concat axis 0', (a, b, c) => concat([a, b, c], 0), [u([1, 3], 3), u([2, 3], 4), u([1, 3], 5)]);
  gradCheck('stack axis 1', (a, b) => stack([a, b], 1), [u([2, 3], 6), u([2, 3], 7)]);
});

test('a composite: cross-entropy built from primitives', () => {
  const onehot = tensor([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]).keep();
  gradCheck('cross-entropy', (logits) => logits.logSoftmax(-1).mul(onehot).sum(-1).neg().mean(), [u([4, 3], 1, -2, 2)]);
});

test.run();
