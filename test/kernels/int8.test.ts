// int8 kernels (assembly/int8.ts, docs/kernels-int8.md) on both builds against plain TypeScript
// references: quantizeI8 (rounding half to even, clamping, NaN -> 0, lengths not divisible by 16),
// quantizeRowsI8 (zero padding), the int8 convolution im2colI8Panels + conv1dI8 (stride, padding,
// dilation, kernel longer than the input, batch 1, sizes not divisible by the tiles) and gemmI8 (exact int32 dot products, per-row scales, bias, the
// conv and linear output layouts, M and N not divisible by the 4x2 tile). SIMD and scalar agree bit for bit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend, BUILDS, putF32, randomArray } from '../helpers/wasm.ts';
import type { Backend, BuildName } from '../../src/wasm/backend.ts';
import { Rng } from '../../src/core/random.ts';

function putI8(b: Backend, data: ArrayLike<number>): number {
  const p = b.alloc(Math.max(16, data.length));
  new Int8Array(b.memory.buffer, p, data.length).set(Array.from(data));
  return p;
}
function getI8(b: Backend, p: number, n: number): number[] {
  return Array.from(new Int8Array(b.memory.buffer, p, n));
}
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
function refQuant(v: number, inv: number): number {
  const x = Math.fround(Math.fround(v) * Math.fround(inv));
  if (Number.isNaN(x)) return 0;
  return Math.max(-127, Math.min(127, roundHalfEven(x)));
}

test('quantizeI8: round half to even, clamp to ±127, NaN to 0, all lengths', () => {
  const special = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5, 127.5, 1e9, -1e9, NaN, Infinity, -Infinity, 0, -0, 3.49999];
  for (const build of BUILDS) {
    const b = backend(build);
    for (const n of [0, 1, 15, 16, 17, 33, 100]) {
      const x = n === 16 ? Float32Array.from(special) : randomArray(n, n + 3, -3, 3);
      const inv = n === 16 ? 1 : 40;
      const px = putF32(b, x), pq = b.alloc(128);
      b.k.quantizeI8(px, pq, n, inv);
      const got = getI8(b, pq, n);
      assert.equal(got, Array.from(x, (v) => refQuant(v, inv)), `${build} n=${n}`);
      b.free(px); b.free(pq);
    }
  }
});

test('quantizeRowsI8 pads each row with zeros to Kp', () => {
  for (const build of BUILDS) {
    const b = backend(build);
    const rows = 3, cols = 5, Kp = 16;
    const x = randomArray(rows * cols, 9, -1, 1);
    const px = putF32(b, x), pq = putI8(b, new Array(rows * Kp).fill(99));
    b.k.quantizeRowsI8(px, pq, rows, cols, Kp, 100);
    const got = getI8(b, pq, rows * Kp);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < Kp; c++) assert.is(got[r * Kp + c], c < cols ? refQuant(x[r * cols + c]!, 100) : 0, `${build} r${r} c${c}`);
    b.free(px); b.free(pq);
  }
});

interface ConvCase { B: number; Cin: number; L: number; Cout: number; K: number; stride: number; pad: number; dil: number; bias: boolean }

test('im2colI8Panels + conv1dI8 = exact int convolution, over stride, padding, dilation, odd sizes; SIMD == scalar', () => {
  const cases: ConvCase[] = [
    { B: 1, Cin: 1, L: 7, Cout: 1, K: 3, stride: 1, pad: 0, dil: 1, bias: false },
    { B: 2, Cin: 3, L: 10, Cout: 5, K: 5, stride: 2, pad: 2, dil: 1, bias: true },
    { B: 2, Cin: 4, L: 9, Cout: 8, K: 3, stride: 1, pad: 3, dil: 2, bias: true },
    { B: 1, Cin: 2, L: 3, Cout: 6, K: 5, stride: 1, pad: 2, dil: 1, bias: true }, // kernel longer than the input
    { B: 3, Cin: 17, L: 13, Cout: 9, K: 1, stride: 1, pad: 0, dil: 1, bias: true }, // pointwise, Lout not /4
    { B: 2, Cin: 48, L: 37, Cout: 12, K: 7, stride: 1, pad: 3, dil: 1, bias: false },
    { B: 1, Cin: 5, L: 40, Cout: 4, K: 4, stride: 3, pad: 1, dil: 2, bias: true },
  ];
  const rng = new Rng(5);
  const q8 = () => Math.floor(rng.uniform() * 255) - 127;
  for (const c of cases) {
    const Lout = Math.floor((c.L + 2 * c.pad - c.dil * (c.K - 1) - 1) / c.stride) + 1;
    const depth = c.Cin * c.K, Kpair = Math.ceil(depth / 2), P = Math.ceil(Lout / 4);
    const q = Array.from({ length: c.B * c.Cin * c.L }, q8);
    const w = Array.from({ length: c.Cout * depth }, q8);
    if (c.Cout > 1) for (let k = 0; k < depth; k++) w[k] = 127; // extremes
    const rowScale = randomArray(c.Cout, 3, 0.001, 0.02), bias = randomArray(c.Cout, 4, -1, 1), colScale = 0.0173;
    const want: number[] = [];
    for (let b = 0; b < c.B; b++)
      for (let m = 0; m < c.Cout; m++)
        for (let l = 0; l < Lout; l++) {
          let acc = 0;
          for (let ch = 0; ch < c.Cin; ch++)
            for (let k = 0; k < c.K; k++) {
              const t = l * c.stride - c.pad + k * c.dil;
              if (t >= 0 && t < c.L) acc += w[m * depth + ch * c.K + k]! * q[(b * c.Cin + ch) * c.L + t]!;
            }
          let v = Math.fround(Math.fround(acc) * Math.fround(rowScale[m]! * Math.fround(colScale)));
          if (c.bias) v = Math.fround(v + bias[m]!);
          want.push(v);
        }
    const pairs = new Int16Array(c.Cout * Kpair * 2);
    for (let m = 0; m < c.Cout; m++) for (let k = 0; k < depth; k++) pairs[m * Kpair * 2 + k] = w[m * depth + k]!;
    const outs: number[][] = [];
    for (const build of BUILDS) {
      const b = backend(build);
      const pq = putI8(b, q), pc = putI8(b, new Array(c.B * P * Kpair * 16).fill(55));
      const pa = b.alloc(pairs.byteLength);
      new Int16Array(b.memory.buffer, pa, pairs.length).set(pairs);
      const ps = putF32(b, rowScale), pb = putF32(b, bias), py = putF32(b, new Array(want.length + 4).fill(NaN));
      b.k.im2colI8Panels(pq, pc, c.B, c.Cin, c.L, c.K, c.stride, c.pad, c.dil, Lout, Kpair);
      b.k.conv1dI8(c.Cout, c.B, Lout, Kpair, pa, pc, ps, colScale, c.bias ? pb : 0, py);
      const got = Array.from(b.f32(py, want.length + 4));
      assert.equal(got.slice(0, want.length), want, `${build} ${JSON.stringify(c)}`);
      assert.ok(got.slice(want.length).every(Number.isNaN), `${build}: wrote past the output`);
      outs.push(got);
      for (const p of [pq, pc, pa, ps, pb, py]) b.free(p);
    }
  }
});

function gemmCase(build: BuildName, M: number, N: number, depth: number, Lout: number, withBias: boolean, seed: number) {
  const b = backend(build);
  const rng = new Rng(seed);
  const Kp = Math.ceil(depth / 16) * 16;
  const rand = () => Math.floor(rng.uniform() * 255) - 127;
  const A = new Array(M * Kp).fill(0), Bm = new Array(N * Kp).fill(0);
  for (let m = 0; m < M; m++) for (let k = 0; k < depth; k++) A[m * Kp + k] = rand();
  for (let n = 0; n < N; n++) for (let k = 0; k < depth; k++) Bm[n * Kp + k] = rand();
  // extremes: every product ±127² in one row/column
  if (M > 0 && N > 0) for (let k = 0; k < depth; k++) { A[k] = 127; Bm[k] = -127; }
  const rowScale = randomArray(M, seed + 1, 0.001, 0.02), bias = randomArray(M, seed + 2, -1, 1);
  const colScale = 0.0123;
  const batches = N / Lout, ldb = M * Lout;
  const y = new Array(batches * ldb).fill(0);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < Kp; k++) acc += A[m * Kp + k]! * Bm[n * Kp + k]!;
      let v = Math.fround(Math.fround(acc) * Math.fround(rowScale[m]! * Math.fround(colScale)));
      if (withBias) v = Math.fround(v + bias[m]!);
      y[Math.floor(n / Lout) * ldb + m * Lout + (n % Lout)] = v;
    }
  const pa = putI8(b, A), pb = putI8(b, Bm), ps = putF32(b, rowScale), pbias = putF32(b, bias), py = putF32(b, new Array(y.length).fill(NaN));
  b.k.gemmI8(M, N, Kp, pa, pb, ps, colScale, withBias ? pbias : 0, py, Lout, ldb);
  const got = Array.from(b.f32(py, y.length));
  for (const p of [pa, pb, ps, pbias, py]) b.free(p);
  return { got, want: y };
}

test('gemmI8: exact int32 dots, scales, bias, conv and linear layouts, edge tiles; SIMD == scalar', () => {
  const shapes: [number, number, number, number, boolean][] = [
    [1, 1, 1, 1, false], [4, 2, 16, 1, true], [5, 3, 17, 3, true], [7, 9, 40, 9, false], [8, 12, 48, 4, true],
    [3, 7, 300, 7, true], [16, 22, 5, 11, true], [6, 10, 1152, 5, true],
  ];
  for (const [M, N, depth, Lout, withBias] of shapes) {
    const outs: number[][] = [];
    for (const build of BUILDS) {
      const { got, want } = gemmCase(build, M, N, depth, Lout, withBias, M * 31 + N);
      assert.equal(got, want, `${build} M${M} N${N} depth${depth}`);
      outs.push(got);
    }
    assert.equal(outs[0], outs[1]);
  }
});

test.run();
