// Pooling: the kernels (assembly/pool.ts) on both builds against float64 references
// (test/reference/pool.ts) incl. the kernel = stride = 2 SIMD path, SIMD == scalar, exact-tier finite
// differences of the reference backwards, end-to-end gradCheck, PyTorch values, layers and bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend as kb, BUILDS, putF32, getF32, randomArray, assertClose } from '../helpers/wasm.ts';
import type { Backend } from '../../src/wasm/backend.ts';
import {
  poolLen, maxPoolRef, maxPoolBackwardRef, avgPoolRef, avgPoolBackwardRef, adaptiveAvgRef, adaptiveAvgBackwardRef, globalMaxRef,
} from '../reference/pool.ts';
import { numericGrad, gradError } from '../reference/elementwise.ts';
import { gradCheck, uniform } from '../helpers/gradcheck.ts';
import {
  initSync, tensor, fromArray, maxPool1d, avgPool1d, adaptiveAvgPool1d, globalAvgPool1d, globalMaxPool1d,
  MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, GlobalAvgPool1d, GlobalMaxPool1d,
} from '../../src/all.ts';

initSync();

/** [rows, L, kernel, stride, padding] */
const GEOMS: [number, number, number, number, number][] = [
  [1, 1, 1, 1, 0], [3, 7, 2, 2, 0], [2, 187, 2, 2, 0], [4, 93, 2, 2, 0], [1, 16, 2, 2, 0], [2, 9, 2, 2, 1], [2, 10, 3, 1, 1],
  [3, 11, 3, 2, 0], [1, 5, 5, 5, 2], [2, 13, 4, 3, 2], [5, 6, 2, 1, 0], [1, 2, 2, 2, 0], [2, 33, 5, 2, 2], [1, 4, 3, 3, 1],
];

function call(b: Backend, f: (ptrs: number[]) => void, inputs: ArrayLike<number>[], outLens: number[], intOut: number[] = []): number[][] {
  const ins = inputs.map((x) => putF32(b, x));
  const outs = outLens.map((n) => b.alloc(Math.max(4, n * 4)));
  f([...ins, ...outs]);
  const r = outs.map((p, i) => (intOut.includes(i) ? Array.from(b.i32(p, outLens[i]!)) : getF32(b, p, outLens[i]!)));
  for (const p of [...ins, ...outs]) b.free(p);
  return r;
}

test('maxPool1d / avgPool1d kernels match the references on both builds; SIMD == scalar', () => {
  let seed = 1;
  for (const [rows, L, k, s, p] of GEOMS) {
    const Lout = poolLen(L, k, s, p);
    const x = randomArray(rows * L, seed++), dy = randomArray(rows * Lout, seed++);
    const ties = Float32Array.from(x, (v) => Math.round(v * 2)); // many ties: first maximum wins
    const got: number[][][] = [];
    for (const build of BUILDS) {
      const b = kb(build);
      const what = `${build} [${rows},${L}] k${k} s${s} p${p}`;
      for (const xs of [x, ties]) {
        const ref = maxPoolRef(xs, rows, L, k, s, p);
        const [out, idx] = call(b, ([px, po, pi]) => b.k.maxPool1d(px!, po!, pi!, rows, L, Lout, k, s, p), [xs], [rows * Lout, rows * Lout], [1]);
        assert.equal(out, ref.out.map(Math.fround), `max ${what}`);
        assert.equal(idx, ref.idx, `argmax ${what}`);
        const [dx] = call(b, ([pg, pi, pd]) => b.k.maxPool1dBackward(pg!, pi!, pd!, rows, L, Lout, k, s, p), [dy, new Float32Array(new Int32Array(idx!).buffer)], [rows * L]);
        assertClose(dx!, maxPoolBackwardRef(dy, idx!, rows, L, Lout), 1e-6, 1e-7, `max backward ${what}`);
        got.push([out!, idx!, dx!]);
      }
      for (const cip of [true, false]) {
        const [out] = call(b, ([px, po]) => b.k.avgPool1d(px!, po!, rows, L, Lout, k, s, p, cip ? 1 : 0), [x], [rows * Lout]);
        assertClose(out!, avgPoolRef(x, rows, L, k, s, p, cip), 1e-6, 1e-7, `avg ${what} cip=${cip}`);
        const [dx] = call(b, ([pg, pd]) => b.k.avgPool1dBackward(pg!, pd!, rows, L, Lout, k, s, p, cip ? 1 : 0), [dy], [rows * L]);
        assertClose(dx!, avgPoolBackwardRef(dy, rows, L, k, s, p, cip), 1e-6, 1e-7, `avg backward ${what} cip=${cip}`);
        got.push([out!, dx!]);
      }
    }
    const half = got.length / 2;
    for (let i = 0; i < half; i++) assert.equal(got[i + half], got[i], `SIMD != scalar [${rows},${L}] k${k} s${s} p${p}`);
  }
});

test('max pool NaN rule (PyTorch CPU: a NaN wins) and -Inf windows', () => {
  // PyTorch 1.13: x.requires_grad_(); nn.MaxPool1d(2)(x).sum().backward() routes to positions 1, 2, 5, 6, 8.
  const x = [1, NaN, 3, 2, NaN, NaN, -Infinity, -Infinity, 5, 4];
  for (const build of BUILDS) {
    const b = kb(build);
    const ref = maxPoolRef(x, 1, 10, 2, 2, 0);
    const [out, idx] = call(b, ([px, po, pi]) => b.k.maxPool1d(px!, po!, pi!, 1, 10, 5, 2, 2, 0), [x], [5, 5], [1]);
    assertClose(out!, ref.out, 0, 0, `${build} NaN values`);
    assert.equal(idx, ref.idx, `${build} NaN positions`);
    assert.equal(idx, [1, 2, 5, 6, 8]);
  }
});

test('adaptive / global pools match the references on both builds', () => {
  let seed = 100;
  for (const [rows, L] of [[1, 1], [3, 7], [2, 46], [5, 187], [1, 4], [2, 9]] as const)
    for (const build of BUILDS) {
      const b = kb(build);
      for (const Lout of [1, 2, 3, 5].filter((n) => n <= L + 2)) {
        const x = randomArray(rows * L, seed++), dy = randomArray(rows * Lout, seed++);
        const [out] = call(b, ([px, po]) => b.k.adaptiveAvgPool1d(px!, po!, rows, L, Lout), [x], [rows * Lout]);
        assertClose(out!, adaptiveAvgRef(x, rows, L, Lout), 1e-6, 1e-7, `${build} adaptive [${rows},${L}]→${Lout}`);
        const [dx] = call(b, ([pg, pd]) => b.k.adaptiveAvgPool1dBackward(pg!, pd!, rows, L, Lout), [dy], [rows * L]);
        assertClose(dx!, adaptiveAvgBackwardRef(dy, rows, L, Lout), 1e-6, 1e-7, `${build} adaptive backward [${rows},${L}]→${Lout}`);
      }
      const x = Float32Array.from(randomArray(rows * L, seed++), (v) => Math.round(v * 3));
      const ref = globalMaxRef(x, rows, L);
      const [out, idx] = call(b, ([px, po, pi]) => b.k.globalMaxPool1d(px!, po!, pi!, rows, L), [x], [rows, rows], [1]);
      assert.equal(out, ref.out, `${build} global max [${rows},${L}]`);
      assert.equal(idx, ref.idx, `${build} global argmax [${rows},${L}]`);
    }
  const x = [1, 2, NaN, 3, NaN, 0, 0, 0, 0, 0, 9];
  for (const build of BUILDS) {
    const b = kb(build);
    const [out, idx] = call(b, ([px, po, pi]) => b.k.globalMaxPool1d(px!, po!, pi!, 1, 11), [x], [1, 1], [1]);
    assert.ok(Number.isNaN(out![0]) && idx![0] === 2, `${build} global max NaN`);
  }
});

test('reference backwards = float64 finite differences (exact tier)', () => {
  const [rows, L] = [2, 11];
  const x = Array.from(uniform(rows * L, 7, -3, 3)); // distinct values: no ties
  for (const [k, s, p] of [[2, 2, 0], [3, 2, 1], [4, 1, 2]] as const) {
    const Lout = poolLen(L, k, s, p);
    const w = Array.from(uniform(rows * Lout, 8 + k));
    const dot = (o: number[]) => o.reduce((acc, v, i) => acc + v * w[i]!, 0);
    const ref = maxPoolRef(x, rows, L, k, s, p);
    assert.ok(gradError(numericGrad((v) => dot(maxPoolRef(v, rows, L, k, s, p).out), x), maxPoolBackwardRef(w, ref.idx, rows, L, Lout)) < 1e-6, `max k${k}`);
    for (const cip of [true, false])
      assert.ok(gradError(numericGrad((v) => dot(avgPoolRef(v, rows, L, k, s, p, cip)), x), avgPoolBackwardRef(w, rows, L, k, s, p, cip)) < 1e-6, `avg k${k}`);
  }
  for (const Lout of [1, 3, 4]) {
    const w = Array.from(uniform(rows * Lout, 20 + Lout));
    const dot = (o: number[]) => o.reduce((acc, v, i) => acc + v * w[i]!, 0);
    assert.ok(gradError(numericGrad((v) => dot(adaptiveAvgRef(v, rows, L, Lout)), x), adaptiveAvgBackwardRef(w, rows, L, Lout)) < 1e-6, `adaptive ${Lout}`);
  }
});

test('gradCheck: pools end to end (distinct values)', () => {
  const data = (n: number, seed: number) => {
    const v = uniform(n, seed, -2, 2);
    return v.map((a, i) => a + i * 1e-2); // spread: no near-ties within eps
  };
  gradCheck('maxPool1d k2', (x) => maxPool1d(x!, 2), [{ data: data(2 * 3 * 9, 1), shape: [2, 3, 9] }]);
  gradCheck('maxPool1d k3 s2 p1', (x) => maxPool1d(x!, 3, { stride: 2, padding: 1 }), [{ data: data(2 * 2 * 10, 2), shape: [2, 2, 10] }]);
  gradCheck('avgPool1d k3 s1 p1', (x) => avgPool1d(x!, 3, { stride: 1, padding: 1, countIncludePad: false }), [{ data: data(2 * 2 * 7, 3), shape: [2, 2, 7] }]);
  gradCheck('avgPool1d k2', (x) => avgPool1d(x!, 2), [{ data: data(1 * 3 * 9, 4), shape: [1, 3, 9] }]);
  gradCheck('adaptiveAvgPool1d 3', (x) => adaptiveAvgPool1d(x!, 3), [{ data: data(2 * 2 * 8, 5), shape: [2, 2, 8] }]);
  gradCheck('globalAvgPool1d', (x) => globalAvgPool1d(x!), [{ data: data(2 * 3 * 5, 6), shape: [2, 3, 5] }]);
  gradCheck('globalMaxPool1d', (x) => globalMaxPool1d(x!, true), [{ data: data(2 * 3 * 5, 7), shape: [2, 3, 5] }]);
});

test('layers: shapes, PyTorch values, keepDim', () => {
  // Computed once with PyTorch 1.13:
  //   x = torch.tensor([[[1., 5, 2, 8, 3, 3, 0]]]); nn.MaxPool1d(3, stride=2, padding=1)(x); nn.AvgPool1d(3, 2, 1)(x);
  //   nn.AvgPool1d(3, 2, 1, count_include_pad=False)(x); nn.AdaptiveAvgPool1d(3)(x)
  //   -> [5, 8, 8, 3], [2, 5, 4.6667, 1], [3, 5, 4.6667, 1.5], [2.6667, 4.3333, 2]
  const x = tensor([[[1, 5, 2, 8, 3, 3, 0]]]);
  assert.equal(Array.from(new MaxPool1d(3, { stride: 2, padding: 1 }).forward(x).data()), [5, 8, 8, 3]);
  assertClose(new AvgPool1d(3, { stride: 2, padding: 1 }).forward(x).data(), [2, 5, 14 / 3, 1], 1e-6, 1e-6, 'avg');
  assertClose(new AvgPool1d(3, { stride: 2, padding: 1, countIncludePad: false }).forward(x).data(), [3, 5, 14 / 3, 1.5], 1e-6, 1e-6, 'avg no pad');
  assertClose(new AdaptiveAvgPool1d(3).forward(x).data(), [8 / 3, 13 / 3, 2], 1e-6, 1e-6, 'adaptive');
  const y = fromArray(randomArray(2 * 3 * 5, 9), [2, 3, 5]);
  assert.equal(new GlobalAvgPool1d().forward(y).shape, [2, 3]);
  assert.equal(new GlobalAvgPool1d({ keepDim: true }).forward(y).shape, [2, 3, 1]);
  assert.equal(new GlobalMaxPool1d().forward(y).shape, [2, 3]);
  assertClose(new GlobalAvgPool1d({ keepDim: true }).forward(y).data(), new AdaptiveAvgPool1d(1).forward(y).data(), 0, 0, 'global = adaptive(1)');
  assert.equal(new MaxPool1d(2).forward(y).shape, [2, 3, 2]);
  assert.equal(new MaxPool1d(2).forward(fromArray(randomArray(15, 3), [3, 5])).shape, [3, 2]);
});

test('bad input: rank, kernel larger than the padded input, stride/padding', () => {
  const x = fromArray(randomArray(2 * 3 * 3, 1), [2, 3, 3]);
  assert.throws(() => new MaxPool1d(5).forward(x), /MaxPool1d\(5\): kernel size 5 is larger than the padded input length 3 \(input \[2, 3, 3\]/);
  assert.throws(() => new MaxPool1d(2).forward(fromArray([1, 2], [2])), /MaxPool1d\(2\).*3-D.*got shape \[2\]/);
  assert.throws(() => new MaxPool1d(2, { padding: 2 }), /padding should be at most half/);
  assert.throws(() => new AvgPool1d(2, { stride: 0 }), /stride must be an integer >= 1/);
  assert.throws(() => new AvgPool1d(1.5), /kernel size must be an integer/);
  assert.throws(() => avgPool1d(x, 3, { padding: -1 }), /padding must be an integer >= 0/);
  assert.throws(() => new AdaptiveAvgPool1d(0), /output size/);
  assert.throws(() => globalMaxPool1d(fromArray(new Float32Array(0), [2, 0]), false), /length 0/);
});

test.run();
