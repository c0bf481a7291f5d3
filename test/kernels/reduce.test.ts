// Reduction kernels (assembly/reduce.ts) on both builds against float64 references
// (test/reference/reduce.ts): reduce/argReduce/extreme backward, softmax/logSoftmax and their
// backward for inner == 1 and inner > 1, sumSquares/dot, SIMD == scalar, and an exact-tier
// finite-difference check of the reference backward functions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend, BUILDS, putF32, getF32, randomArray, assertClose } from '../helpers/wasm.ts';
import type { Backend } from '../../src/wasm/backend.ts';
import { ReduceOp as R, ArgReduceOp as A } from '../../src/wasm/opcodes.ts';
import {
  reduceRef, reduceSumBackwardRef, argReduceRef, reduceExtremeBackwardRef, softmaxRef, logSoftmaxRef, softmaxBackwardRef,
  logSoftmaxBackwardRef, sumSquaresRef, sumSquaresBackwardRef, dotRef, dotBackwardRef, absSum,
} from '../reference/reduce.ts';
import { numericGrad, gradError } from '../reference/elementwise.ts';
import { Rng } from '../../src/core/random.ts';

/** [outer, n, inner]: inner == 1 (contiguous rows) and inner > 1 (axis not last), n = 1, odd sizes. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 2, 1], [1, 7, 1], [3, 16, 1], [2, 33, 1], [1, 1000, 1], [5, 1, 1],
  [2, 5, 3], [3, 4, 4], [2, 3, 17], [1, 9, 33], [4, 1, 5], [1, 2, 2], [2, 64, 20], [1, 1, 1000],
];

function alloc(b: Backend, n: number): number {
  return b.alloc(Math.max(4, n * 4));
}

function run(b: Backend, f: (...ptrs: number[]) => void, inputs: ArrayLike<number>[], outLen: number): number[] {
  const ptrs = inputs.map((x) => putF32(b, x));
  const out = alloc(b, outLen);
  f(...ptrs, out);
  const r = getF32(b, out, outLen);
  for (const p of [...ptrs, out]) b.free(p);
  return r;
}

const reduceK = (b: Backend, op: number, x: ArrayLike<number>, o: number, n: number, i: number) =>
  run(b, (px, po) => b.k.reduce(op, px!, po!, o, n, i), [x], o * i);
const argK = (b: Backend, op: number, x: ArrayLike<number>, o: number, n: number, i: number) =>
  run(b, (px, po) => b.k.argReduce(op, px!, po!, o, n, i), [x], o * i);
const extremeBackK = (b: Backend, op: number, x: ArrayLike<number>, y: ArrayLike<number>, dy: ArrayLike<number>, o: number, n: number, i: number) =>
  run(b, (px, py, pg, pd) => b.k.reduceExtremeBackward(op, px!, py!, pg!, pd!, o, n, i), [x, y, dy], o * n * i);
const softmaxK = (b: Backend, log: boolean, x: ArrayLike<number>, o: number, n: number, i: number) =>
  run(b, (px, po) => (log ? b.k.logSoftmax : b.k.softmax)(px!, po!, o, n, i), [x], o * n * i);
const softmaxBackK = (b: Backend, log: boolean, y: ArrayLike<number>, dy: ArrayLike<number>, o: number, n: number, i: number) =>
  run(b, (py, pg, pd) => (log ? b.k.logSoftmaxBackward : b.k.softmaxBackward)(py!, pg!, pd!, o, n, i), [y, dy], o * n * i);

function scalarK(b: Backend, f: (x: number, y: number) => number, x: ArrayLike<number>, y: ArrayLike<number>): number {
  const px = putF32(b, x), py = putF32(b, y);
  const r = f(px, py);
  b.free(px);
  b.free(py);
  return r;
}

/** Small integers (many ties) for arg/extreme tests. */
function ints(len: number, seed: number, k = 5): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: len }, () => r.int(k) - 2);
}

// ------------------------------------------------------------------ reduce

test('reduce: SUM, MEAN, MAX, MIN over the middle axis, both builds', () => {
  let seed = 1;
  for (const build of BUILDS) {
    const b = backend(build);
    for (const op of [R.SUM, R.MEAN, R.MAX, R.MIN])
      for (const [o, n, i] of SHAPES) {
        const x = randomArray(o * n * i, seed++);
        const exp = reduceRef(op, x, o, n, i);
        const atol = op === R.SUM ? 2e-7 * n : op === R.MEAN ? 2e-7 : 0;
        assertClose(reduceK(b, op, x, o, n, i), exp, 1e-6, atol, `${build} reduce ${op} [${o},${n},${i}]`);
      }
  }
});

test('reduce: empty outer/inner writes nothing; n = 0 writes the identity; NaN propagates in MAX/MIN', () => {
  for (const build of BUILDS) {
    const b = backend(build);
    assert.equal(reduceK(b, R.SUM, [], 0, 3, 2), []);
    assert.equal(reduceK(b, R.MAX, [], 2, 3, 0), []);
    assert.equal(reduceK(b, R.SUM, [], 2, 0, 1), [0, 0]);
    assert.equal(reduceK(b, R.MAX, [], 1, 0, 2), [-Infinity, -Infinity]);
    assert.equal(reduceK(b, R.MIN, [], 1, 0, 1), [Infinity]);
    assert.ok(Number.isNaN(reduceK(b, R.MEAN, [], 1, 0, 1)[0]));
    const x = Array.from(randomArray(40, 3));
    x[17] = NaN;
    for (const op of [R.MAX, R.MIN, R.SUM]) {
      assertClose(reduceK(b, op, x, 1, 40, 1), reduceRef(op, x, 1, 40, 1), 1e-6, 1e-5, `${build} NaN row ${op}`);
      assertClose(reduceK(b, op, x, 2, 4, 5), reduceRef(op, x, 2, 4, 5), 1e-6, 1e-5, `${build} NaN cols ${op}`);
    }
  }
});

test('argReduce: first extreme with ties, NaN counts as the extreme', () => {
  let seed = 100;
  for (const build of BUILDS) {
    const b = backend(build);
    for (const op of [A.ARGMAX, A.ARGMIN])
      for (const [o, n, i] of SHAPES) {
        for (const x of [ints(o * n * i, seed++), randomArray(o * n * i, seed++)])
          assert.equal(argK(b, op, x, o, n, i), argReduceRef(op, x, o, n, i), `${build} arg ${op} [${o},${n},${i}]`);
      }
    for (const op of [A.ARGMAX, A.ARGMIN]) {
      const x = Array.from(randomArray(60, 7));
      x[13] = NaN;
      x[41] = NaN;
      assert.equal(argK(b, op, x, 1, 60, 1), [13], `${build} NaN row`);
      assert.equal(argK(b, op, x, 1, 15, 4), argReduceRef(op, x, 1, 15, 4), `${build} NaN cols`);
      // the extreme sits in the last lane of a later vector block and ties earlier in the scalar tail
      const y = new Array(23).fill(0);
      y[7] = 5;
      y[22] = 5;
      y[3] = -5;
      y[19] = -5;
      assert.equal(argK(b, op, y, 1, 23, 1), [op === A.ARGMAX ? 7 : 3]);
    }
  }
});

test('reduceExtremeBackward: dy routed to the first extreme, zeros elsewhere', () => {
  let seed = 200;
  for (const build of BUILDS) {
    const b = backend(build);
    for (const op of [R.MAX, R.MIN])
      for (const [o, n, i] of SHAPES) {
        const x = ints(o * n * i, seed++, 3);
        const y = reduceRef(op, x, o, n, i), dy = randomArray(o * i, seed++);
        const exp = reduceExtremeBackwardRef(op, x, dy, o, n, i);
        assert.equal(extremeBackK(b, op, x, y, dy, o, n, i), Array.from(exp, Math.fround), `${build} extreme backward ${op} [${o},${n},${i}]`);
      }
    const x = [1, NaN, 2, NaN, 0, 3, 1, 1];
    const got = extremeBackK(b, R.MAX, x, [NaN, 3], [0.5, 0.25], 2, 4, 1);
    assert.equal(got, [0, 0.5, 0, 0, 0, 0.25, 0, 0], `${build} NaN routing`);
  }
});

// ------------------------------------------------------------------ softmax

test('softmax / logSoftmax: inner == 1 and inner > 1, n = 1, large logits', () => {
  let seed = 300;
  for (const build of BUILDS) {
    const b = backend(build);
    for (const [o, n, i] of SHAPES) {
      const x = randomArray(o * n * i, seed++, -8, 8);
      assertClose(softmaxK(b, false, x, o, n, i), softmaxRef(x, o, n, i), 1e-5, 1e-8, `${build} softmax [${o},${n},${i}]`);
      assertClose(softmaxK(b, true, x, o, n, i), logSoftmaxRef(x, o, n, i), 1e-5, 2e-6, `${build} logSoftmax [${o},${n},${i}]`);
    }
    const big = [1000, 999, -1000, 50, 1e4 - 1, 1e4];
    assertClose(softmaxK(b, false, big, 2, 3, 1), softmaxRef(big, 2, 3, 1), 1e-5, 1e-30, `${build} softmax large`);
    assertClose(softmaxK(b, true, big, 1, 3, 2), logSoftmaxRef(big, 1, 3, 2), 1e-5, 1e-5, `${build} logSoftmax large`);
    assert.equal(softmaxK(b, false, [], 0, 3, 1), []);
  }
});

test('softmaxBackward / logSoftmaxBackward against the references', () => {
  let seed = 400;
  for (const build of BUILDS) {
    const b = backend(build);
    for (const [o, n, i] of SHAPES) {
      const x = randomArray(o * n * i, seed++, -4, 4), dy = randomArray(o * n * i, seed++);
      const y = softmaxK(b, false, x, o, n, i), ly = softmaxK(b, true, x, o, n, i);
      const scale = 1e-6 * Math.sqrt(n);
      assertClose(softmaxBackK(b, false, y, dy, o, n, i), softmaxBackwardRef(y, dy, o, n, i), 1e-5, scale, `${build} softmaxBackward [${o},${n},${i}]`);
      assertClose(softmaxBackK(b, true, ly, dy, o, n, i), logSoftmaxBackwardRef(ly, dy, o, n, i), 1e-5, scale, `${build} logSoftmaxBackward [${o},${n},${i}]`);
    }
  }
});

// ------------------------------------------------------------------ sumSquares / dot

test('sumSquares and dot: lengths 0..4099', () => {
  let seed = 500;
  for (const build of BUILDS) {
    const b = backend(build);
    for (const n of [0, 1, 2, 3, 4, 5, 15, 16, 17, 20, 31, 64, 1001, 4099]) {
      const x = randomArray(n, seed++), y = randomArray(n, seed++);
      const ss = scalarK(b, (px) => b.k.sumSquares(px, n), x, x);
      const d = scalarK(b, (px, py) => b.k.dot(px, py, n), x, y);
      assertClose([ss], [sumSquaresRef(x)], 1e-6, 1e-7, `${build} sumSquares ${n}`);
      assertClose([d], [dotRef(x, y)], 0, 2e-7 * Math.max(1, sumSquaresRef(x) + sumSquaresRef(y)), `${build} dot ${n}`);
    }
  }
});

// ------------------------------------------------------------------ SIMD == scalar

function ulpDiff(a: number, b: number): number {
  if ((Number.isNaN(a) && Number.isNaN(b)) || a === b) return 0;
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat32(0, a);
  v.setFloat32(4, b);
  const ia = v.getInt32(0), ib = v.getInt32(4);
  return Math.abs((ia < 0 ? -0x80000000 - ia : ia) - (ib < 0 ? -0x80000000 - ib : ib));
}

test('SIMD and scalar builds agree on every reduce export', () => {
  const s = backend('simd'), c = backend('scalar');
  const same = (f: (b: Backend) => ArrayLike<number>, what: string) => {
    const a = f(s), z = f(c);
    assert.is(a.length, z.length, what);
    for (let i = 0; i < a.length; i++) if (ulpDiff(a[i]!, z[i]!) > 4) assert.unreachable(`${what}: index ${i}: simd ${a[i]} vs scalar ${z[i]}`);
  };
  let seed = 600;
  for (const [o, n, i] of SHAPES) {
    const x = randomArray(o * n * i, seed++, -5, 5), dy = randomArray(o * n * i, seed++), g = randomArray(o * i, seed++);
    const sh = `[${o},${n},${i}]`;
    for (const op of [R.SUM, R.MEAN, R.MAX, R.MIN]) same((b) => reduceK(b, op, x, o, n, i), `reduce ${op} ${sh}`);
    for (const op of [A.ARGMAX, A.ARGMIN]) same((b) => argK(b, op, x, o, n, i), `argReduce ${op} ${sh}`);
    const y = reduceRef(R.MAX, x, o, n, i);
    same((b) => extremeBackK(b, R.MAX, x, y, g, o, n, i), `reduceExtremeBackward ${sh}`);
    same((b) => softmaxK(b, false, x, o, n, i), `softmax ${sh}`);
    same((b) => softmaxK(b, true, x, o, n, i), `logSoftmax ${sh}`);
    const sy = softmaxK(s, false, x, o, n, i), ly = softmaxK(s, true, x, o, n, i);
    same((b) => softmaxBackK(b, false, sy, dy, o, n, i), `softmaxBackward ${sh}`);
    same((b) => softmaxBackK(b, true, ly, dy, o, n, i), `logSoftmaxBackward ${sh}`);
  }
  for (const n of [0, 3, 17, 1001]) {
    const x = randomArray(n, seed++), y = randomArray(n, seed++);
    same((b) => [scalarK(b, (px) => b.k.sumSquares(px, n), x, x)], `sumSquares ${n}`);
    same((b) => [scalarK(b, (px, py) => b.k.dot(px, py, n), x, y)], `dot ${n}`);
  }
});

// ------------------------------------------------------------------ exact tier

test('exact tier: float64 finite differences confirm every reference backward', () => {
  const rng = new Rng(77);
  const rand = (len: number, lo = -2, hi = 2) => Array.from({ length: len }, () => lo + (hi - lo) * rng.uniform());
  const wsum = (v: number[], w: number[]) => v.reduce((s, o, i) => s + w[i]! * o, 0);
  for (const [o, n, i] of [[1, 5, 1], [2, 3, 4], [3, 1, 2]] as [number, number, number][]) {
    const x = rand(o * n * i), w = rand(o * n * i), wr = rand(o * i);
    const check = (name: string, L: (v: number[]) => number, ana: number[]) => {
      const err = gradError(numericGrad(L, x), ana);
      assert.ok(err < 1e-6, `${name} [${o},${n},${i}]: finite-difference error ${err}`);
    };
    check('softmax', (v) => wsum(softmaxRef(v, o, n, i), w), softmaxBackwardRef(softmaxRef(x, o, n, i), w, o, n, i));
    check('logSoftmax', (v) => wsum(logSoftmaxRef(v, o, n, i), w), logSoftmaxBackwardRef(logSoftmaxRef(x, o, n, i), w, o, n, i));
    for (const op of [R.SUM, R.MEAN]) check(`reduce ${op}`, (v) => wsum(reduceRef(op, v, o, n, i), wr), reduceSumBackwardRef(op, wr, o, n, i));
    // MAX/MIN away from ties: distinct values spaced ≥ 0.1 apart
    const xd = Array.from({ length: o * n * i }, (_, j) => 0.1 * ((j * 7) % (o * n * i)) - 1);
    for (const op of [R.MAX, R.MIN]) {
      const err = gradError(numericGrad((v) => wsum(reduceRef(op, v, o, n, i), wr), xd), reduceExtremeBackwardRef(op, xd, wr, o, n, i));
      assert.ok(err < 1e-6, `reduce ${op}: finite-difference error ${err}`);
    }
  }
  const x = rand(9), y = rand(9);
  assert.ok(gradError(numericGrad((v) => sumSquaresRef(v), x), sumSquaresBackwardRef(x)) < 1e-6, 'sumSquares');
  const [dx, dyv] = dotBackwardRef(x, y);
  assert.ok(gradError(numericGrad((v) => dotRef(v, y), x), dx) < 1e-6, 'dot dx');
  assert.ok(gradError(numericGrad((v) => dotRef(x, v), y), dyv) < 1e-6, 'dot dy');
  assert.ok(absSum([1, -2]) === 3);
});

test.run();
