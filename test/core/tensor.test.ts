// Tensor creation, reads, seeded randomness, and the errors bad input gets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import {
  initSync, backendInfo, tensor, fromArray, zeros, ones, full, arange, rand, randn, manualSeed, Rng, memoryStats,
} from '../../src/all.ts';

const info = initSync();

test('initSync picks the SIMD build here and is idempotent', () => {
  assert.is(info.build, 'simd');
  assert.is(info.simdSupported, true);
  assert.equal(initSync(), info);
  assert.is(backendInfo().build, 'simd');
  assert.throws(() => initSync({ build: 'scalar' }), /already initialised with the simd build/);
});

test('using ecgrad before init raises a clear error', () => {
  const code = `import('./src/all.ts').then((m) => { try { m.zeros([2]); } catch (e) { console.log(e.message); } })`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
  assert.match(out, /not initialised: call initSync\(\) \(or await init\(\)\)/);
});

test('tensor() infers the shape of nested arrays', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(t.shape, [2, 3]);
  assert.equal(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(Array.from(t.data()), [1, 2, 3, 4, 5, 6]);
  assert.is(tensor(3.5).item(), 3.5);
  assert.equal(tensor(3.5).shape, []);
  assert.equal(tensor([]).shape, [0]);
});

test('fromArray takes flat data with an explicit shape', () => {
  const t = fromArray(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
  assert.equal(t.toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.equal(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray(), [[1, 2], [3, 4]]);
});

test('constants and ranges', () => {
  assert.equal(Array.from(zeros([2, 2]).data()), [0, 0, 0, 0]);
  assert.equal(Array.from(ones([3]).data()), [1, 1, 1]);
  assert.equal(Array.from(full([2], -2.5).data()), [-2.5, -2.5]);
  assert.equal(Array.from(arange(5).data()), [0, 1, 2, 3, 4]);
  assert.equal(Array.from(arange(1, 2, 0.25).data()), [1, 1.25, 1.5, 1.75]);
  assert.equal(arange(3, 1).shape, [0]);
  assert.equal(zeros([0, 3]).size, 0);
});

test('seeded random tensors are reproducible and have the right moments', () => {
  assert.equal(Array.from(randn([5], { seed: 3 }).data()), Array.from(randn([5], { seed: 3 }).data()));
  assert.not.equal(Array.from(randn([5], { seed: 3 }).data()), Array.from(randn([5], { seed: 4 }).data()));
  manualSeed(11);
  const a = Array.from(rand([4]).data());
  manualSeed(11);
  assert.equal(Array.from(rand([4]).data()), a);
  const big = randn([20000], { seed: 1, mean: 2, std: 3 }).data();
  const mean = big.reduce((s, v) => s + v, 0) / big.length;
  const sd = Math.sqrt(big.reduce((s, v) => s + (v - mean) ** 2, 0) / big.length);
  assert.ok(Math.abs(mean - 2) < 0.1 && Math.abs(sd - 3) < 0.1, `mean ${mean} sd ${sd}`);
  const r = rand([20000], { seed: 2, low: -1, high: 3 }).data();
  assert.ok(r.every((v) => v >= -1 && v < 3));
});

test('the PRNG is xoshiro128** seeded by splitmix32 (pinned values)', () => {
  const rng = new Rng(42);
  const first = [rng.nextU32(), rng.nextU32(), rng.nextU32()];
  const again = new Rng(42);
  assert.equal([again.nextU32(), again.nextU32(), again.nextU32()], first);
  assert.ok(first.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32));
});

test('bad input raises errors that name the op, the shapes and what was expected', () => {
  assert.throws(() => fromArray([1, 2, 3], [2, 2]), /fromArray: got 3 values for shape \[2, 2\], which needs 4/);
  assert.throws(() => tensor([[1, 2], [3]]), /tensor: data\[1\] has length 1; expected an array of length 2/);
  assert.throws(() => zeros([2, -1]), /invalid dimension -1/);
  assert.throws(() => zeros([2.5]), /invalid dimension 2.5/);
  assert.throws(() => arange(0, NaN), /arange: stop must be finite/);
  assert.throws(() => randn([2], { std: Infinity }), /randn: need finite mean and std/);
  assert.throws(() => full([2], NaN as unknown as number).add(Infinity), /add: scalar must be a finite number/);
  assert.throws(() => tensor([1, 2]).item(), /item: tensor has shape \[2\]/);
});

test('assign_ copies a Float32Array into the tensor in place and returns the tensor', () => {
  const t = zeros([2, 3]);
  const ptr = t.ptr;
  const src = new Float32Array([1, 2, 3, 4, 5, 6]);
  assert.is(t.assign_(src), t);
  assert.is(t.ptr, ptr);
  assert.equal(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  src[0] = 99;
  assert.is(t.data()[0], 1, 'the values are copied, not shared');
});

test('assign_ takes a number array, rounded to float32 like Float32Array.set', () => {
  const t = zeros([3]).assign_([0.1, -2, 1e-3]);
  assert.equal(Array.from(t.data()), Array.from(new Float32Array([0.1, -2, 1e-3])));
});

test('assign_ copies another tensor of the same size (the shapes may differ)', () => {
  const src = tensor([[1, 2], [3, 4]]);
  const t = zeros([4]).assign_(src);
  assert.equal(Array.from(t.data()), [1, 2, 3, 4]);
  t.assign_(tensor([9, 8, 7, 6]));
  assert.equal(src.toArray(), [[1, 2], [3, 4]], 'the source is left alone');
  assert.is(t.assign_(t.detach()), t, 'assigning a tensor to itself (shared memory) is a no-op');
  assert.equal(Array.from(t.data()), [9, 8, 7, 6]);
});

test('assign_ with the wrong number of values names both shapes and sizes', () => {
  const t = zeros([2, 3]);
  assert.throws(() => t.assign_([1, 2, 3]), (e: unknown) => e instanceof RangeError && /assign_: tensor has shape \[2, 3\] \(6 values\), got 3 values/.test(e.message));
  assert.throws(() => t.assign_(zeros([3, 3])), /assign_: tensor has shape \[2, 3\] \(6 values\), got a tensor of shape \[3, 3\] \(9 values\)/);
  assert.equal(Array.from(t.data()), [0, 0, 0, 0, 0, 0], 'nothing is written on error');
});

test('assign_ writes the right memory after wasm memory has grown', () => {
  const t = zeros([5]);
  const src = tensor([1, 2, 3, 4, 5]);
  const before = memoryStats().wasmBytes;
  const big = zeros([16 * 1024 * 1024]).keep(); // 64 MiB forces memory.grow
  assert.ok(memoryStats().wasmBytes > before, 'memory should have grown');
  t.assign_(new Float32Array([5, 4, 3, 2, 1]));
  assert.equal(Array.from(t.data()), [5, 4, 3, 2, 1]);
  t.assign_(src);
  assert.equal(Array.from(t.data()), [1, 2, 3, 4, 5]);
  big.assign_(full([16 * 1024 * 1024], 2));
  assert.is(big.sum().item(), 2 * 16 * 1024 * 1024);
  assert.equal(Array.from(t.data()), [1, 2, 3, 4, 5], 'neighbours are not touched');
});

test('assign_ leaves the gradient, requiresGrad and the graph alone', () => {
  const p = tensor([1, 2, 3], { requiresGrad: true });
  p.mul(p).sum().backward();
  const g = p.grad!;
  p.assign_([7, 8, 9]);
  assert.is(p.grad, g);
  assert.equal(Array.from(g.data()), [2, 4, 6]);
  assert.ok(p.requiresGrad);
  assert.is(p.node, null);
  assert.equal(Array.from(p.data()), [7, 8, 9]);
});

test.run();
