// Elementwise kernels (assembly/elementwise.ts) on both builds against float64 references
// (test/reference/elementwise.ts): binary broadcasting in every position, unary/backward ops, vector
// math accuracy and special values, strided copy/add, fill/axpy/countNonFinite, SIMD == scalar, and an
// exact-tier finite-difference check of the references' derivatives.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend, BUILDS, putF32, putI32, getF32, randomArray, assertClose } from '../helpers/wasm.ts';
import type { Backend, BuildName } from '../../src/wasm/backend.ts';
import { BinaryOp as B, UnaryOp as U } from '../../src/wasm/opcodes.ts';
import {
  binaryRef, binaryGradRef, unaryRef, unaryGradRef, unaryBackwardRef, broadcastShapes, broadcastStrides, contiguousStrides,
  stridedBinaryRef, broadcastBinaryRef, broadcastBinaryBackwardRef, stridedCopyRef, axpyRef, countNonFiniteRef, sizeOf,
  numericGrad, gradError,
} from '../reference/elementwise.ts';
import { Rng } from '../../src/core/random.ts';

const f32 = Math.fround;

// ------------------------------------------------------------------ helpers

/** Runs `binary` with explicit strides; a/b are whole buffers, offsets in elements. */
function runBinary(
  b: Backend, op: number, A: ArrayLike<number>, Bv: ArrayLike<number>, shape: number[], as: number[], bs: number[], aOff = 0, bOff = 0,
): number[] {
  const n = sizeOf(shape);
  const pa = putF32(b, A), pb = putF32(b, Bv), po = b.alloc(Math.max(4, n * 4));
  const ps = putI32(b, shape.length ? shape : [0]), pas = putI32(b, as.length ? as : [0]), pbs = putI32(b, bs.length ? bs : [0]);
  b.k.binary(op, pa + aOff * 4, pb + bOff * 4, po, shape.length, ps, pas, pbs);
  const out = getF32(b, po, n);
  for (const p of [pa, pb, po, ps, pas, pbs]) b.free(p);
  return out;
}

function runBroadcast(b: Backend, op: number, A: ArrayLike<number>, aShape: number[], Bv: ArrayLike<number>, bShape: number[]): number[] {
  const out = broadcastShapes(aShape, bShape);
  return runBinary(b, op, A, Bv, out, broadcastStrides(aShape, out), broadcastStrides(bShape, out));
}

function runUnary(b: Backend, op: number, x: ArrayLike<number>, p: number): number[] {
  const px = putF32(b, x), po = b.alloc(Math.max(4, x.length * 4));
  b.k.unary(op, px, po, x.length, p);
  const out = getF32(b, po, x.length);
  b.free(px);
  b.free(po);
  return out;
}

function runUnaryBackward(b: Backend, op: number, x: ArrayLike<number>, y: ArrayLike<number>, dy: ArrayLike<number>, p: number): number[] {
  const px = putF32(b, x), py = putF32(b, y), pg = putF32(b, dy), pd = b.alloc(Math.max(4, x.length * 4));
  b.k.unaryBackward(op, px, py, pg, pd, x.length, p);
  const out = getF32(b, pd, x.length);
  for (const q of [px, py, pg, pd]) b.free(q);
  return out;
}

function runStrided(
  b: Backend, add: boolean, src: ArrayLike<number>, dst: ArrayLike<number>, shape: number[], ss: number[], ds: number[], sOff = 0, dOff = 0,
): number[] {
  const ps = putF32(b, src), pd = putF32(b, dst);
  const psh = putI32(b, shape.length ? shape : [0]), pss = putI32(b, ss.length ? ss : [0]), pds = putI32(b, ds.length ? ds : [0]);
  (add ? b.k.stridedAdd : b.k.stridedCopy)(ps + sOff * 4, pd + dOff * 4, shape.length, psh, pss, pds);
  const out = getF32(b, pd, dst.length);
  for (const q of [ps, pd, psh, pss, pds]) b.free(q);
  return out;
}

/** Values suited to each binary op (DIV away from 0, POW positive base, EQ with ties). */
function binaryInputs(op: number, n: number, seed: number): [Float32Array, Float32Array] {
  if (op === B.POW) return [randomArray(n, seed, 0.1, 3), randomArray(n, seed + 1, -3, 3)];
  if (op === B.EQ || op === B.GT || op === B.LT) {
    const r = new Rng(seed);
    const a = Float32Array.from({ length: n }, () => r.int(3) - 1);
    return [a, Float32Array.from({ length: n }, () => r.int(3) - 1)];
  }
  const a = randomArray(n, seed, -2, 2), b = randomArray(n, seed + 1, -2, 2);
  if (op === B.DIV) for (let i = 0; i < n; i++) b[i] = b[i]! >= 0 ? b[i]! + 0.25 : b[i]! - 0.25;
  return [a, b];
}

const BIN_TOL: Record<number, number> = { [B.POW]: 3e-6 };
const BIN_OPS = [B.ADD, B.SUB, B.MUL, B.DIV, B.MAX, B.MIN, B.POW, B.GT, B.LT, B.EQ];

/** [aShape, bShape] pairs: equal, leading/middle/trailing broadcast, scalar-like, both broadcast, empty. */
const BROADCASTS: [number[], number[]][] = [
  [[1], [1]], [[7], [7]], [[33], [33]], [[2, 3, 5], [2, 3, 5]],
  [[4, 5], [5]], [[5], [4, 5]], // leading
  [[4, 5], [4, 1]], [[4, 1], [4, 6]], // trailing (b / a one value per row)
  [[3, 4, 5], [3, 1, 5]], [[2, 1, 9], [2, 3, 9]], // middle
  [[3, 7], [1]], [[1], [3, 7]], [[6, 5], []], [[], []], // scalar-like
  [[4, 1], [1, 5]], [[3, 1, 5], [1, 4, 1]], [[1, 6, 1], [2, 1, 3]], // both broadcast
  [[2, 1, 3, 1], [1, 4, 1, 5]], [[1, 1, 13], [2, 3, 1]],
  [[0, 3], [3]], [[2, 0], [2, 1]], [[0], [1]], // empty
];

// ------------------------------------------------------------------ binary

test('binary: every op, every broadcast position, both builds', () => {
  let seed = 1;
  for (const build of BUILDS) {
    const b = backend(build);
    for (const op of BIN_OPS) {
      for (const [as, bs] of BROADCASTS) {
        const [A] = binaryInputs(op, sizeOf(as), seed++);
        const [, Bv] = binaryInputs(op, sizeOf(bs), seed++);
        const [exp] = broadcastBinaryRef(op, A, as, Bv, bs);
        const got = runBroadcast(b, op, A, as, Bv, bs);
        assertClose(got, exp, BIN_TOL[op] ?? 2e-7, 0, `${build} op ${op} [${as}]x[${bs}]`);
      }
    }
  }
});

test('binary: contiguous lengths around the vector width, including 0 and 1', () => {
  for (const build of BUILDS) {
    const b = backend(build);
    for (const op of BIN_OPS)
      for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 100, 1003]) {
        const [A, Bv] = binaryInputs(op, n, 100 + n + op);
        assertClose(runBinary(b, op, A, Bv, [n], [1], [1]), stridedBinaryRef(op, A, Bv, [n], [1], [1]), BIN_TOL[op] ?? 2e-7, 0, `${build} op ${op} n=${n}`);
      }
  }
});

test('binary: non-contiguous operands (transposed, sliced with offset, negative stride)', () => {
  for (const build of BUILDS) {
    const b = backend(build);
    for (const op of [B.ADD, B.MUL, B.DIV, B.POW, B.MAX]) {
      // a is a [5,7] buffer read transposed as [7,5]; b is a column slice of a [7,9] buffer from column 2.
      const [A] = binaryInputs(op, 35, 7 + op), [, Bb] = binaryInputs(op, 63, 9 + op);
      const shape = [7, 5];
      assertClose(runBinary(b, op, A, Bb, shape, [1, 7], [9, 1], 0, 2), stridedBinaryRef(op, A, Bb, shape, [1, 7], [9, 1], 0, 2), BIN_TOL[op] ?? 2e-7, 0, `${build} op ${op} transposed/sliced`);
      // b flipped along the last axis: stride -1 starting at the row end; a broadcast along rows.
      assertClose(runBinary(b, op, A, Bb, [7, 9], [5, 0], [9, -1], 0, 8), stridedBinaryRef(op, A, Bb, [7, 9], [5, 0], [9, -1], 0, 8), BIN_TOL[op] ?? 2e-7, 0, `${build} op ${op} flipped`);
      // both operands constant along the row (stride pair (0,0)): one value per row, filled
      assertClose(runBinary(b, op, A, Bb, [3, 6], [1, 0], [2, 0]), stridedBinaryRef(op, A, Bb, [3, 6], [1, 0], [2, 0]), BIN_TOL[op] ?? 2e-7, 0, `${build} op ${op} (0,0) rows`);
      // 4-d with a gap in the middle (not collapsible) and an odometer over 3 outer dims.
      const sh = [2, 3, 2, 6];
      const [C] = binaryInputs(op, 2 * 3 * 2 * 8, 11 + op), [, D] = binaryInputs(op, 6 * 3, 12 + op);
      assertClose(runBinary(b, op, C, D, sh, [48, 16, 8, 1], [0, 6, 0, 1]), stridedBinaryRef(op, C, D, sh, [48, 16, 8, 1], [0, 6, 0, 1]), BIN_TOL[op] ?? 2e-7, 0, `${build} op ${op} padded rows`);
    }
  }
});

test('binary: POW special cases follow Math.pow (negative base, zero base, zero exponent, NaN)', () => {
  const as = [-2, -2, -2, -0.5, 0, 0, 0, 2, 1, NaN, 3, -8, Infinity, Infinity, -Infinity, -Infinity, 4, 0.25];
  const bs = [3, 2, 0.5, -3, 2, -1, 0, 0, NaN, 0, NaN, 1 / 3, 2, -2, 3, 2, 0.5, -0.5];
  for (const build of BUILDS) {
    const got = runBinary(backend(build), B.POW, as, bs, [as.length], [1], [1]);
    const exp = as.map((a, i) => Math.pow(a, bs[i]!));
    assertClose(got, exp, 2e-6, 0, `${build} pow specials`);
  }
});

// ------------------------------------------------------------------ unary

/** Domain and parameter per unary op (kept away from kinks where it matters). */
const UNARY_CASES: { op: number; p: number; lo: number; hi: number; rtol: number; atol?: number; name: string }[] = [
  { op: U.NEG, p: 0, lo: -3, hi: 3, rtol: 0, name: 'neg' },
  { op: U.ABS, p: 0, lo: -3, hi: 3, rtol: 0, name: 'abs' },
  { op: U.RELU, p: 0, lo: -3, hi: 3, rtol: 0, name: 'relu' },
  { op: U.LEAKY_RELU, p: 0.01, lo: -3, hi: 3, rtol: 1e-7, name: 'leaky_relu' },
  { op: U.SIGMOID, p: 0, lo: -20, hi: 20, rtol: 2e-6, name: 'sigmoid' },
  { op: U.TANH, p: 0, lo: -10, hi: 10, rtol: 2e-6, name: 'tanh' },
  { op: U.EXP, p: 0, lo: -80, hi: 80, rtol: 2e-6, name: 'exp' },
  { op: U.LOG, p: 0, lo: 1e-3, hi: 1e3, rtol: 2e-6, atol: 1e-7, name: 'log' },
  { op: U.SQRT, p: 0, lo: 0, hi: 100, rtol: 1e-7, name: 'sqrt' },
  { op: U.POW, p: 1.7, lo: 0.01, hi: 5, rtol: 3e-6, name: 'pow 1.7' },
  { op: U.POW, p: -2.5, lo: 0.1, hi: 5, rtol: 3e-6, name: 'pow -2.5' },
  { op: U.POW, p: 0, lo: -5, hi: 5, rtol: 0, name: 'pow 0' },
  { op: U.POW, p: 1, lo: -5, hi: 5, rtol: 0, name: 'pow 1' },
  { op: U.POW, p: 2, lo: -5, hi: 5, rtol: 1e-7, name: 'pow 2' },
  { op: U.POW, p: 3, lo: -5, hi: 5, rtol: 2e-7, name: 'pow 3' },
  { op: U.POW, p: 0.5, lo: 0, hi: 5, rtol: 1e-7, name: 'pow 0.5' },
  { op: U.POW, p: -1, lo: 0.1, hi: 5, rtol: 1e-7, name: 'pow -1' },
  { op: U.SCALE, p: -1.75, lo: -3, hi: 3, rtol: 1e-7, name: 'scale' },
  { op: U.ADD_SCALAR, p: 0.375, lo: -3, hi: 3, rtol: 1e-7, atol: 1e-7, name: 'add_scalar' },
  { op: U.SQUARE, p: 0, lo: -3, hi: 3, rtol: 1e-7, name: 'square' },
  { op: U.RECIPROCAL, p: 0, lo: 0.1, hi: 3, rtol: 1e-7, name: 'reciprocal' },
  { op: U.ELU, p: 1.3, lo: -6, hi: 3, rtol: 2e-6, name: 'elu' },
  { op: U.SIGN, p: 0, lo: -3, hi: 3, rtol: 0, name: 'sign' },
  { op: U.CLAMP_MIN, p: 0.2, lo: -3, hi: 3, rtol: 0, name: 'clamp_min' },
  { op: U.CLAMP_MAX, p: -0.4, lo: -3, hi: 3, rtol: 0, name: 'clamp_max' },
];

test('unary: every op against float64, lengths 0..1003, both builds', () => {
  let seed = 500;
  for (const build of BUILDS) {
    const b = backend(build);
    for (const c of UNARY_CASES)
      for (const n of [0, 1, 3, 4, 7, 8, 13, 64, 1003]) {
        const x = randomArray(n, seed++, c.lo, c.hi);
        const exp = Array.from(x, (v) => unaryRef(c.op, v, f32(c.p)));
        assertClose(runUnary(b, c.op, x, c.p), exp, c.rtol, c.atol ?? 0, `${build} ${c.name} n=${n}`);
      }
  }
});

test('unary: out may alias x', () => {
  for (const build of BUILDS) {
    const b = backend(build);
    const x = randomArray(37, 9, -3, 3);
    const px = putF32(b, x);
    b.k.unary(U.TANH, px, px, x.length, 0);
    assertClose(getF32(b, px, x.length), Array.from(x, Math.tanh), 2e-6, 0, `${build} tanh in place`);
    b.free(px);
  }
});

/** Max relative error of the unary op over points xs vs the float64 function (and the worst x). */
function maxRelError(b: Backend, op: number, xs: Float32Array, f: (x: number) => number): [number, number] {
  const got = runUnary(b, op, xs, 0);
  let worst = 0, at = NaN;
  for (let i = 0; i < xs.length; i++) {
    const e = f(xs[i]!);
    const r = e === 0 ? Math.abs(got[i]!) : Math.abs(got[i]! - e) / Math.abs(e);
    if (r > worst || Number.isNaN(r)) {
      worst = Number.isNaN(r) ? Infinity : r;
      at = xs[i]!;
    }
  }
  return [worst, at];
}

const ACCURACY: Record<string, number> = {};

test('vector math accuracy: exp, log, tanh, sigmoid within 2e-6 relative over wide ranges', () => {
  const N = 100000;
  const lin = (lo: number, hi: number) => Float32Array.from({ length: N + 1 }, (_, i) => lo + ((hi - lo) * i) / N);
  const logspace = (lo: number, hi: number) => Float32Array.from({ length: N + 1 }, (_, i) => Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / N));
  const sigmoid = (x: number) => unaryRef(U.SIGMOID, x);
  const cases: [string, number, Float32Array, (x: number) => number][] = [
    ['exp', U.EXP, lin(-87, 88), Math.exp],
    ['exp small', U.EXP, lin(-1e-3, 1e-3), Math.exp],
    ['log', U.LOG, logspace(1e-30, 1e30), Math.log],
    ['log near 1', U.LOG, lin(0.5, 2).filter((v) => v !== 1), Math.log],
    ['tanh', U.TANH, lin(-20, 20).filter((v) => v !== 0), Math.tanh],
    ['tanh small', U.TANH, logspace(1e-8, 1), Math.tanh],
    ['sigmoid', U.SIGMOID, lin(-20, 20), sigmoid],
  ];
  for (const build of BUILDS) {
    const b = backend(build);
    for (const [name, op, xs, f] of cases) {
      const [err, at] = maxRelError(b, op, xs, f);
      ACCURACY[`${build} ${name}`] = err;
      assert.ok(err <= 2e-6, `${build} ${name}: max relative error ${err} at x = ${at}`);
    }
  }
  if (process.env.ECGRAD_ACCURACY) console.log(ACCURACY);
});

test('special values: exp, log, sqrt, tanh, sigmoid, pow, elu', () => {
  const cases: [number, number, number[], number[]][] = [
    [U.EXP, 0, [-Infinity, Infinity, NaN, 0, -200, 200, 88.72, -103.9], [0, Infinity, NaN, 1, 0, Infinity, Math.exp(f32(88.72)), Math.exp(f32(-103.9))]],
    [U.LOG, 0, [0, -0, -1, -Infinity, Infinity, NaN, 1, 1e-40, 1.4e-45], [-Infinity, -Infinity, NaN, NaN, Infinity, NaN, 0, Math.log(f32(1e-40)), Math.log(f32(1.4e-45))]],
    [U.SQRT, 0, [-1, -Infinity, 0, Infinity, NaN, 4], [NaN, NaN, 0, Infinity, NaN, 2]],
    [U.TANH, 0, [Infinity, -Infinity, NaN, 0, 1e-4, -1e-4, 1e-30, 50, -50], [1, -1, NaN, 0, Math.tanh(f32(1e-4)), Math.tanh(f32(-1e-4)), f32(1e-30), 1, -1]],
    [U.SIGMOID, 0, [Infinity, -Infinity, NaN, 0, 100, -100], [1, 0, NaN, 0.5, 1, unaryRef(U.SIGMOID, -100)]],
    [U.POW, 2.5, [0, -1, Infinity, NaN, 4], [0, NaN, Infinity, NaN, 32]],
    [U.POW, -1.5, [0, Infinity, 4], [Infinity, 0, 0.125]],
    [U.ELU, 1, [-Infinity, NaN, 0, -1e-5], [-1, NaN, 0, Math.expm1(f32(-1e-5))]],
    [U.SIGN, 0, [NaN, -0, 0, -Infinity, Infinity, 1e-30], [NaN, 0, 0, -1, 1, 1]],
  ];
  for (const build of BUILDS) {
    const b = backend(build);
    for (const [op, p, xs, exp] of cases) assertClose(runUnary(b, op, xs, p), exp.map(f32), 2e-6, 0, `${build} op ${op} specials`);
  }
});

// ------------------------------------------------------------------ unary backward

test('unaryBackward: every op against dy·f\'(x) (y from the forward kernel), both builds', () => {
  let seed = 900;
  for (const build of BUILDS) {
    const b = backend(build);
    for (const c of UNARY_CASES)
      for (const n of [0, 1, 5, 8, 67]) {
        const x = randomArray(n, seed++, c.lo, c.hi);
        // keep away from the kinks (0 for relu/abs/leaky/elu, p for clamps)
        for (let i = 0; i < n; i++) {
          const kink = c.op === U.CLAMP_MIN || c.op === U.CLAMP_MAX ? f32(c.p) : 0;
          if (Math.abs(x[i]! - kink) < 1e-3) x[i] = kink + 0.01;
          if ((c.op === U.SQRT || c.op === U.POW) && x[i]! < 0.01 && c.lo >= 0) x[i] = 0.01 + x[i]!;
        }
        const y = runUnary(b, c.op, x, c.p);
        const dy = randomArray(n, seed++, -1, 1);
        const exp = unaryBackwardRef(c.op, x, dy, f32(c.p));
        assertClose(runUnaryBackward(b, c.op, x, y, dy, c.p), exp, 1e-5, 1e-6, `${build} ${c.name} backward n=${n}`);
      }
  }
});

test('unaryBackward: kink conventions (relu/clamp/abs 0, leaky slope)', () => {
  for (const build of BUILDS) {
    const b = backend(build);
    const one = [1];
    assert.equal(runUnaryBackward(b, U.RELU, [0], [0], one, 0), [0]);
    assert.equal(runUnaryBackward(b, U.ABS, [0], [0], one, 0), [0]);
    assert.equal(runUnaryBackward(b, U.LEAKY_RELU, [0], [0], one, 0.25), [0.25]);
    assert.equal(runUnaryBackward(b, U.CLAMP_MIN, [0.5], [0.5], one, 0.5), [0]);
    assert.equal(runUnaryBackward(b, U.CLAMP_MAX, [0.5], [0.5], one, 0.5), [0]);
  }
});

// ------------------------------------------------------------------ strided copy / add

test('stridedCopy: permutation, slice with offset, padding, broadcastTo, flip, empty', () => {
  const rng = new Rng(77);
  for (const build of BUILDS) {
    const b = backend(build);
    // permute [2,3,4,5] by (2,0,3,1): dst contiguous [4,2,5,3]
    const shape = [2, 3, 4, 5], src = randomArray(120, 1);
    const cs = contiguousStrides(shape);
    const perm = [2, 0, 3, 1];
    const pShape = perm.map((p) => shape[p]!), pSrcStrides = perm.map((p) => cs[p]!);
    const exp = stridedCopyRef(src, new Array(120).fill(0), pShape, pSrcStrides, contiguousStrides(pShape));
    assertClose(runStrided(b, false, src, new Array(120).fill(0), pShape, pSrcStrides, contiguousStrides(pShape)), exp, 0, 0, `${build} permute`);
    // slice x[1:3, 2:5, ::2] of a [4,6,7] tensor (offset 1·42 + 2·7)
    const big = randomArray(168, 2);
    const sl = [2, 3, 4], slStr = [42, 7, 2];
    assertClose(runStrided(b, false, big, new Array(24).fill(0), sl, slStr, contiguousStrides(sl), 56), stridedCopyRef(big, new Array(24).fill(0), sl, slStr, contiguousStrides(sl), 56), 0, 0, `${build} slice`);
    // pad a [3,5] into [5,9] at (1,2): dst strides [9,1], offset 11; rest of dst untouched
    const small = randomArray(15, 3), dst0 = Array.from({ length: 45 }, () => rng.uniform());
    assertClose(runStrided(b, false, small, dst0, [3, 5], [5, 1], [9, 1], 0, 11), stridedCopyRef(small, dst0.slice(), [3, 5], [5, 1], [9, 1], 0, 11), 0, 0, `${build} pad`);
    // broadcastTo: [3,1] -> [3,6] and [6] -> [4,6]
    const col = randomArray(3, 4);
    assertClose(runStrided(b, false, col, new Array(18).fill(0), [3, 6], [1, 0], [6, 1]), stridedCopyRef(col, new Array(18).fill(0), [3, 6], [1, 0], [6, 1]), 0, 0, `${build} broadcast col`);
    const row = randomArray(6, 5);
    assertClose(runStrided(b, false, row, new Array(24).fill(0), [4, 6], [0, 1], [6, 1]), stridedCopyRef(row, new Array(24).fill(0), [4, 6], [0, 1], [6, 1]), 0, 0, `${build} broadcast row`);
    // flip the last axis of [3,7] (negative stride) and a concat-style write into column block 3..7 of [3,10]
    const m = randomArray(21, 6);
    assertClose(runStrided(b, false, m, new Array(21).fill(0), [3, 7], [7, -1], [7, 1], 6), stridedCopyRef(m, new Array(21).fill(0), [3, 7], [7, -1], [7, 1], 6), 0, 0, `${build} flip`);
    assertClose(runStrided(b, false, m, new Array(30).fill(-1), [3, 7], [7, 1], [10, 1], 0, 3), stridedCopyRef(m, new Array(30).fill(-1), [3, 7], [7, 1], [10, 1], 0, 3), 0, 0, `${build} concat`);
    // contiguous lengths and empty shapes
    for (const n of [1, 3, 4, 9, 1001]) {
      const s = randomArray(n, 10 + n);
      assertClose(runStrided(b, false, s, new Array(n).fill(0), [n], [1], [1]), Array.from(s), 0, 0, `${build} contiguous ${n}`);
    }
    assertClose(runStrided(b, false, [1, 2], [7, 7], [0, 2], [2, 1], [2, 1]), [7, 7], 0, 0, `${build} empty`);
    assertClose(runStrided(b, false, [5], [7], [], [], []), [5], 0, 0, `${build} 0-d`);
  }
});

test('stridedAdd: backward of broadcasting (sum over 0-stride axes), accumulating into dst', () => {
  let seed = 40;
  for (const build of BUILDS) {
    const b = backend(build);
    const outShape = [3, 4, 5];
    for (const shape of [[3, 4, 5], [4, 5], [1, 4, 1], [3, 1, 5], [5], [1], [3, 4, 1], [3, 1, 1]]) {
      const g = randomArray(60, seed++), dst0 = Array.from(randomArray(sizeOf(shape), seed++));
      const ds = broadcastStrides(shape, outShape);
      const exp = stridedCopyRef(g, dst0.slice(), outShape, contiguousStrides(outShape), ds, 0, 0, true);
      assertClose(runStrided(b, true, g, dst0, outShape, contiguousStrides(outShape), ds), exp, 1e-6, 1e-6, `${build} sum to [${shape}]`);
    }
    for (const n of [1, 3, 4, 17, 1000]) {
      const x = randomArray(n, seed++), d0 = Array.from(randomArray(n, seed++));
      assertClose(runStrided(b, true, x, d0, [n], [1], [1]), d0.map((v, i) => v + x[i]!), 1e-7, 0, `${build} add ${n}`);
      assertClose(runStrided(b, true, x, [0.5], [n], [1], [0]), [0.5 + Array.from(x).reduce((s, v) => s + v, 0)], 1e-5, 1e-6, `${build} sum ${n}`);
      assertClose(runStrided(b, true, [0.25], d0, [n], [0], [1]), d0.map((v) => v + 0.25), 1e-7, 0, `${build} add scalar ${n}`);
    }
    // transposed source into contiguous dst
    const t = randomArray(12, seed++), d1 = Array.from(randomArray(12, seed++));
    assertClose(runStrided(b, true, t, d1, [4, 3], [1, 4], [3, 1]), stridedCopyRef(t, d1.slice(), [4, 3], [1, 4], [3, 1], 0, 0, true), 1e-7, 0, `${build} transposed add`);
  }
});

// ------------------------------------------------------------------ fill / axpy / countNonFinite

test('fill, axpy, countNonFinite', () => {
  for (const build of BUILDS) {
    const b = backend(build);
    for (const n of [0, 1, 3, 4, 5, 8, 33, 1000]) {
      const p = putF32(b, new Array(n + 1).fill(9));
      b.k.fill(p, n, -2.5);
      assert.equal(getF32(b, p, n + 1), [...new Array(n).fill(-2.5), 9], `${build} fill ${n}`);
      b.free(p);
      const x = randomArray(n, n + 1), y = randomArray(n, n + 2);
      const px = putF32(b, x), py = putF32(b, y);
      b.k.axpy(n, -0.75, px, py);
      assertClose(getF32(b, py, n), axpyRef(f32(-0.75), x, y), 2e-7, 1e-7, `${build} axpy ${n}`);
      b.free(px);
      b.free(py);
      const z: number[] = Array.from(randomArray(n, n + 3));
      for (let i = 0; i < n; i += 3) z[i] = [NaN, Infinity, -Infinity, 3.4e38][(i / 3) % 4]!;
      const pz = putF32(b, z);
      assert.is(b.k.countNonFinite(pz, n), countNonFiniteRef(Float32Array.from(z)), `${build} countNonFinite ${n}`);
      b.free(pz);
    }
    const pz = putF32(b, [NaN, Infinity, -Infinity, 1, -0, 1e-45, -3.4e38]);
    assert.is(b.k.countNonFinite(pz, 7), 3);
    b.free(pz);
  }
});

// ------------------------------------------------------------------ SIMD == scalar

function ulpDiff(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat32(0, a);
  buf.setFloat32(4, b);
  const ia = buf.getInt32(0), ib = buf.getInt32(4);
  const oa = ia < 0 ? -0x80000000 - ia : ia, ob = ib < 0 ? -0x80000000 - ib : ib;
  return Math.abs(oa - ob);
}

function assertSameBuilds(s: ArrayLike<number>, c: ArrayLike<number>, what: string, maxUlp = 4): void {
  assert.is(s.length, c.length, what);
  for (let i = 0; i < s.length; i++)
    if (ulpDiff(s[i]!, c[i]!) > maxUlp) assert.unreachable(`${what}: index ${i}: simd ${s[i]} vs scalar ${c[i]}`);
}

test('SIMD and scalar builds agree on every elementwise export', () => {
  const both = <T>(f: (b: Backend, build: BuildName) => T): [T, T] => [f(backend('simd'), 'simd'), f(backend('scalar'), 'scalar')];
  for (const op of BIN_OPS)
    for (const [as, bs] of BROADCASTS.slice(0, 20)) {
      const A = binaryInputs(op, sizeOf(as), 3000 + op)[0], Bv = binaryInputs(op, sizeOf(bs), 3100 + op)[1];
      const [s, c] = both((b) => runBroadcast(b, op, A, as, Bv, bs));
      assertSameBuilds(s, c, `binary ${op} [${as}]x[${bs}]`);
    }
  for (const cs of UNARY_CASES) {
    const x = randomArray(259, 4000 + cs.op, cs.lo, cs.hi);
    const [s, c] = both((b) => runUnary(b, cs.op, x, cs.p));
    assertSameBuilds(s, c, `unary ${cs.name}`);
    const dy = randomArray(259, 4100 + cs.op);
    const [sb, cb] = both((b) => runUnaryBackward(b, cs.op, x, s, dy, cs.p));
    assertSameBuilds(sb, cb, `unaryBackward ${cs.name}`);
  }
  const wide = Float32Array.from({ length: 4001 }, (_, i) => -100 + i * 0.05);
  for (const op of [U.EXP, U.LOG, U.TANH, U.SIGMOID, U.ELU]) {
    const [s, c] = both((b) => runUnary(b, op, wide, 1));
    assertSameBuilds(s, c, `unary ${op} wide`, 0);
  }
  const src = randomArray(120, 5000);
  const [s1, c1] = both((b) => runStrided(b, false, src, new Array(120).fill(0), [4, 2, 5, 3], [5, 60, 1, 20], [30, 15, 3, 1]));
  assertSameBuilds(s1, c1, 'stridedCopy');
  const [s2, c2] = both((b) => runStrided(b, true, src, [1, 2, 3, 4, 5], [4, 6, 5], [30, 5, 1], [0, 0, 1]));
  assertSameBuilds(s2, c2, 'stridedAdd');
  const [s3, c3] = both((b) => runStrided(b, true, src, [1], [120], [1], [0]));
  assertSameBuilds(s3, c3, 'stridedAdd row sum', 0);
  const [s4, c4] = both((b) => {
    const px = putF32(b, src), py = putF32(b, src.map((v) => v * 3));
    b.k.axpy(119, 0.3, px, py);
    const r = getF32(b, py, 120);
    b.free(px);
    b.free(py);
    return r;
  });
  assertSameBuilds(s4, c4, 'axpy', 0);
});

// ------------------------------------------------------------------ exact tier: reference derivatives

test('exact tier: float64 finite differences confirm every reference derivative', () => {
  const rng = new Rng(4242);
  const awayFrom = (lo: number, hi: number, kinks: number[]) => {
    for (;;) {
      const v = lo + (hi - lo) * rng.uniform();
      if (kinks.every((k) => Math.abs(v - k) > 0.05)) return v;
    }
  };
  for (const c of UNARY_CASES) {
    if (c.op === U.SIGN) continue; // piecewise constant: derivative 0 checked below
    const kinks = [0, c.p];
    const lo = c.op === U.LOG || c.op === U.SQRT || c.op === U.POW || c.op === U.RECIPROCAL ? Math.max(c.lo, 0.05) : c.lo;
    const x = Array.from({ length: 12 }, () => awayFrom(lo, Math.min(c.hi, 8), kinks));
    const w = Array.from({ length: 12 }, () => rng.uniform() * 2 - 1);
    const L = (v: number[]) => v.reduce((s, xi, i) => s + w[i]! * unaryRef(c.op, xi, c.p), 0);
    const ana = unaryBackwardRef(c.op, x, w, c.p);
    const err = gradError(numericGrad(L, x), ana);
    assert.ok(err < 1e-6, `${c.name}: finite-difference error ${err}`);
  }
  assert.equal(unaryBackwardRef(U.SIGN, [-2, 3], [1, 1]), [0, 0]);
  // binary ops through broadcasting: d(Σ w·f(a,b))/da, /db
  const pairs: [number[], number[]][] = [[[3, 4], [3, 4]], [[3, 4], [4]], [[3, 1], [1, 4]], [[2, 3, 1], [3, 2]]];
  for (const op of [B.ADD, B.SUB, B.MUL, B.DIV, B.MAX, B.MIN, B.POW]) {
    for (const [as, bs] of pairs) {
      const na = sizeOf(as), nb = sizeOf(bs);
      let a: number[], bb: number[];
      for (;;) {
        a = Array.from({ length: na }, () => (op === B.POW ? awayFrom(0.2, 3, []) : awayFrom(-2, 2, [0])));
        bb = Array.from({ length: nb }, () => (op === B.POW ? awayFrom(-2, 2, []) : awayFrom(-2, 2, [0])));
        // no MAX/MIN ties anywhere in the broadcast
        const [, outShape] = broadcastBinaryRef(B.SUB, a, as, bb, bs);
        const d = stridedBinaryRef(B.SUB, a, bb, outShape, broadcastStrides(as, outShape), broadcastStrides(bs, outShape));
        if (d.every((v) => Math.abs(v) > 0.05)) break;
      }
      const outShape = broadcastShapes(as, bs);
      const w = Array.from({ length: sizeOf(outShape) }, () => rng.uniform() * 2 - 1);
      const La = (v: number[]) => broadcastBinaryRef(op, v, as, bb, bs)[0].reduce((s, o, i) => s + w[i]! * o, 0);
      const Lb = (v: number[]) => broadcastBinaryRef(op, a, as, v, bs)[0].reduce((s, o, i) => s + w[i]! * o, 0);
      const [da, db] = broadcastBinaryBackwardRef(op, a, as, bb, bs, w);
      const ea = gradError(numericGrad(La, a), da), eb = gradError(numericGrad(Lb, bb), db);
      assert.ok(ea < 1e-6 && eb < 1e-6, `binary ${op} [${as}]x[${bs}]: finite-difference errors ${ea}, ${eb}`);
    }
  }
  // binaryGradRef of the comparisons is 0; POW's ∂/∂b is 0 where a ≤ 0 is not differentiable
  assert.equal(binaryGradRef(B.GT, 1, 2), [0, 0]);
  assert.is(unaryGradRef(U.ADD_SCALAR, 3, 1), 1);
});

test.run();
