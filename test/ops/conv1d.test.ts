// conv1d: the three kernels (assembly/conv1d.ts) on both builds against the float64 reference
// (test/reference/conv1d.ts), the reference backward against float64 finite differences, end-to-end
// float32 gradCheck of the op over a grid of configurations, PyTorch fixtures ('same' with even kernels),
// and the Conv1d / SeparableConv1d layers (init, shapes, errors, cost).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  initSync, conv1d, fromArray, randn, Conv1d, SeparableConv1d, Sequential, ReLU, grad, tensor, noGrad, type Tensor,
} from '../../src/all.ts';
import { backend as activeBackend } from '../../src/core/runtime.ts';
const rawBackendOf = (_t: Tensor) => activeBackend();
import { backend as rawBackend, BUILDS, randomArray } from '../helpers/wasm.ts';
import { gradCheck, uniform } from '../helpers/gradcheck.ts';
import {
  conv1dRef, conv1dBackwardDataRef, conv1dBackwardWeightRef, conv1dBackwardBiasRef, convOutLength, type ConvGeom,
} from '../reference/conv1d.ts';
import type { BuildName } from '../../src/wasm/backend.ts';
import { readFileSync } from 'node:fs';

initSync();

// ------------------------------------------------------------------------------------------------
// Raw kernels vs the float64 reference, both builds.

interface Spec {
  B: number; Cin: number; L: number; Cout: number; K: number;
  stride?: number; padL?: number; padR?: number; dil?: number; groups?: number;
}

function geom(s: Spec): ConvGeom {
  const stride = s.stride ?? 1, padL = s.padL ?? 0, padR = s.padR ?? padL, dil = s.dil ?? 1;
  return { B: s.B, Cin: s.Cin, L: s.L, Cout: s.Cout, K: s.K, stride, pad: padL, dil, groups: s.groups ?? 1, Lout: convOutLength(s.L, s.K, stride, padL, padR, dil) };
}

const describe = (g: ConvGeom) =>
  `B=${g.B} Cin=${g.Cin} L=${g.L} Cout=${g.Cout} K=${g.K} s=${g.stride} pad=${g.pad} d=${g.dil} groups=${g.groups} Lout=${g.Lout}`;

interface Outputs { y: Float32Array; yb: Float32Array; dx: Float32Array; dw: Float32Array }

function runKernels(build: BuildName, g: ConvGeom, x: Float32Array, w: Float32Array, bias: Float32Array, dy: Float32Array): Outputs {
  const b = rawBackend(build);
  const k = b.k;
  const nY = g.B * g.Cout * g.Lout;
  const ptrs: number[] = [];
  const put = (a: Float32Array) => { const p = b.alloc(Math.max(4, a.length * 4)); b.f32(p, a.length).set(a); ptrs.push(p); return p; };
  const buf = (n: number, fill = NaN) => put(new Float32Array(n).fill(fill));
  try {
    const px = put(x), pw = put(w), pb = put(bias), pdy = put(dy);
    const scratchBytes = k.conv1dScratchSize(g.B, g.Cin, g.L, g.Cout, g.K, g.stride, g.pad, g.dil, g.groups, g.Lout);
    const ps = buf(Math.ceil(scratchBytes / 4) + 1);
    const py = buf(nY), pyb = buf(nY), pdx = buf(x.length), pdw = buf(w.length);
    const args = [g.B, g.Cin, g.L, g.Cout, g.K, g.stride, g.pad, g.dil, g.groups, g.Lout, ps] as const;
    k.conv1dForward(px, pw, 0, py, ...args);
    k.conv1dForward(px, pw, pb, pyb, ...args);
    k.conv1dBackwardData(pdy, pw, pdx, ...args);
    k.conv1dBackwardWeight(px, pdy, pdw, ...args);
    const get = (p: number, n: number) => Float32Array.from(b.f32(p, n));
    return { y: get(py, nY), yb: get(pyb, nY), dx: get(pdx, x.length), dw: get(pdw, w.length) };
  } finally {
    for (const p of ptrs) b.free(p);
  }
}

const worst = { winograd: 0 };

/**
 * |got − ref| <= tol·scale, scale = Σ|terms| of that element, tol = 4 ulp·(sqrt(terms) + 2). The Winograd
 * path (rowLen given) rounds in the transformed domain, where values of the whole tile mix: its scale is
 * the largest Σ|terms| in the row, and its tolerance 2x wider (measured worst: 0.35 of that, in the weight gradient).
 */
function close(what: string, got: Float32Array, ref: Float64Array, scale: Float64Array, terms: number, rowLen = 0): void {
  const tol = (rowLen ? 2 : 1) * 4 * 2 ** -24 * (Math.sqrt(terms) + 2);
  assert.is(got.length, ref.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    let sc = scale[i]!;
    if (rowLen) {
      const r0 = i - (i % rowLen);
      for (let j = r0; j < r0 + rowLen; j++) sc = Math.max(sc, scale[j]!);
      worst.winograd = Math.max(worst.winograd, Math.abs(got[i]! - ref[i]!) / (tol * sc));
    }
    if (!(Math.abs(got[i]! - ref[i]!) <= tol * sc + 1e-30))
      throw new Error(`${what}: [${i}] = ${got[i]}, expected ${ref[i]} (scale ${sc})`);
  }
}

function checkKernels(s: Spec, seed = 1): void {
  const g = geom(s);
  const Cg = g.Cin / g.groups;
  const x = randomArray(g.B * g.Cin * g.L, seed * 4 + 1);
  const w = randomArray(g.Cout * Cg * g.K, seed * 4 + 2);
  const bias = randomArray(g.Cout, seed * 4 + 3);
  const dy = randomArray(g.B * g.Cout * g.Lout, seed * 4 + 4);
  const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);
  const ref = {
    y: conv1dRef(g, x, w, null), yb: conv1dRef(g, x, w, bias),
    dx: conv1dBackwardDataRef(g, dy, w), dw: conv1dBackwardWeightRef(g, x, dy),
  };
  const scale = {
    y: conv1dRef(g, abs(x), abs(w), null), yb: conv1dRef(g, abs(x), abs(w), abs(bias)),
    dx: conv1dBackwardDataRef(g, abs(dy), abs(w)), dw: conv1dBackwardWeightRef(g, abs(x), abs(dy)),
  };
  const out: Partial<Record<string, Outputs>> = {};
  // Winograd-eligible shapes (stride 1, dilation 1, groups 1, K = 3 or 5, >= 16 channels) run both paths
  const wino = g.stride === 1 && g.dil === 1 && g.groups === 1 && (g.K === 3 || g.K === 5) && g.Cin >= 16 && g.Cout >= 16;
  for (const [build, path] of BUILDS.flatMap((b) => (wino ? [[b, 'winograd'], [b, 'im2col']] : [[b, '']]) as [BuildName, string][])) {
    rawBackend(build).k.conv1dSetWinograd(path === 'im2col' ? 0 : path === 'winograd' ? 2 : 1);
    const o = (out[`${build}${path}`] = runKernels(build, g, x, w, bias, dy));
    rawBackend(build).k.conv1dSetWinograd(1);
    const name = `${build} ${path} ${describe(g)}`;
    const wRow = (n: number) => (path === 'winograd' ? n : 0);
    close(`${name} forward`, o.y, ref.y, scale.y, Cg * g.K, wRow(g.Lout));
    close(`${name} forward+bias`, o.yb, ref.yb, scale.yb, Cg * g.K + 1, wRow(g.Lout));
    close(`${name} backward data`, o.dx, ref.dx, scale.dx, (g.Cout / g.groups) * g.K, wRow(g.L));
    close(`${name} backward weight`, o.dw, ref.dw, scale.dw, g.B * g.Lout, wRow(Cg * g.K));
  }
  for (const path of wino ? ['winograd', 'im2col'] : ['']) {
    for (const key of ['y', 'yb', 'dx', 'dw'] as const) {
      const a = out[`simd${path}`]![key], c = out[`scalar${path}`]![key];
      for (let i = 0; i < a.length; i++)
        if (!Object.is(a[i], c[i])) throw new Error(`simd and scalar differ (${path}): ${describe(g)} ${key}[${i}] ${a[i]} vs ${c[i]}`);
    }
  }
}

test('kernels: dense im2col + GEMM path (stride, padding, dilation, odd lengths, batch 1)', () => {
  checkKernels({ B: 1, Cin: 3, L: 13, Cout: 5, K: 3, padL: 1 });
  checkKernels({ B: 2, Cin: 4, L: 23, Cout: 6, K: 5, padL: 2 }, 2);
  checkKernels({ B: 3, Cin: 2, L: 17, Cout: 3, K: 4, padL: 1, padR: 2 }, 3); // 'same' with an even kernel
  checkKernels({ B: 2, Cin: 3, L: 19, Cout: 4, K: 3, stride: 2, padL: 1 }, 4);
  checkKernels({ B: 2, Cin: 3, L: 22, Cout: 4, K: 3, stride: 3, dil: 2, padL: 2 }, 5);
  checkKernels({ B: 1, Cin: 5, L: 9, Cout: 7, K: 3, dil: 3, padL: 3 }, 6);
  checkKernels({ B: 2, Cin: 2, L: 3, Cout: 3, K: 7, padL: 3 }, 7); // kernel longer than the input
  checkKernels({ B: 2, Cin: 3, L: 10, Cout: 2, K: 1, stride: 2 }, 8); // K = 1 strided: im2col path
  checkKernels({ B: 2, Cin: 3, L: 10, Cout: 2, K: 1, padL: 1 }, 9); // K = 1 padded
  checkKernels({ B: 3, Cin: 32, L: 37, Cout: 20, K: 5, padL: 2 }, 10); // multiple GEMM tiles and edges
});

test('kernels: Winograd F(4,3) / F(4,5) path and its im2col twin (odd lengths, chunks, padding)', () => {
  checkKernels({ B: 1, Cin: 16, L: 5, Cout: 16, K: 3, padL: 1 }, 51); // one partial tile group
  checkKernels({ B: 3, Cin: 17, L: 29, Cout: 19, K: 5, padL: 2 }, 52);
  checkKernels({ B: 2, Cin: 16, L: 30, Cout: 24, K: 5, padL: 1, padR: 3 }, 53); // asymmetric padding
  checkKernels({ B: 2, Cin: 20, L: 33, Cout: 16, K: 3 }, 54); // valid
  checkKernels({ B: 2, Cin: 16, L: 12, Cout: 16, K: 5, padL: 6 }, 55); // padding beyond the kernel span
  checkKernels({ B: 40, Cin: 16, L: 41, Cout: 16, K: 3, padL: 1 }, 56); // several chunks of samples
  checkKernels({ B: 2, Cin: 16, L: 3, Cout: 18, K: 5, padL: 2 }, 57); // kernel longer than the input
  if (process.env.CONV_VERBOSE) console.log('worst Winograd error / tolerance', worst.winograd);
});

test('kernels: groups (dense per group), pointwise GEMM path', () => {
  checkKernels({ B: 2, Cin: 4, L: 15, Cout: 6, K: 3, padL: 1, groups: 2 }, 11);
  checkKernels({ B: 2, Cin: 6, L: 14, Cout: 3, K: 2, stride: 2, dil: 2, padL: 1, groups: 3 }, 12);
  checkKernels({ B: 2, Cin: 8, L: 21, Cout: 12, K: 1 }, 13); // pointwise
  checkKernels({ B: 1, Cin: 8, L: 7, Cout: 4, K: 1, groups: 2 }, 14); // grouped pointwise
  checkKernels({ B: 3, Cin: 33, L: 46, Cout: 17, K: 1 }, 15);
  checkKernels({ B: 2, Cin: 8, L: 3, Cout: 6, K: 1 }, 16); // pointwise, L < 4: weights not prepacked
});

test('kernels: direct path (one input channel per group: depthwise, multiplier, Cin = 1)', () => {
  checkKernels({ B: 2, Cin: 1, L: 37, Cout: 4, K: 5, padL: 2 }, 21); // Cin = 1
  checkKernels({ B: 1, Cin: 1, L: 3, Cout: 2, K: 5, padL: 2 }, 22); // kernel > input
  checkKernels({ B: 2, Cin: 4, L: 45, Cout: 4, K: 5, padL: 2, groups: 4 }, 23); // depthwise
  checkKernels({ B: 2, Cin: 3, L: 31, Cout: 6, K: 3, padL: 1, groups: 3 }, 24); // multiplier 2
  checkKernels({ B: 2, Cin: 3, L: 30, Cout: 3, K: 4, padL: 1, padR: 2, groups: 3 }, 25); // even 'same'
  checkKernels({ B: 2, Cin: 3, L: 29, Cout: 3, K: 3, dil: 2, padL: 2, groups: 3 }, 26);
  checkKernels({ B: 2, Cin: 2, L: 29, Cout: 4, K: 3, stride: 2, padL: 1, groups: 2 }, 27);
  checkKernels({ B: 2, Cin: 1, L: 31, Cout: 3, K: 4, stride: 3, dil: 2, padL: 3 }, 28);
  // Cin = 1, stride 1 (the zero-padded row path: 4-channel blocks, the remaining channels, tails under 8)
  checkKernels({ B: 3, Cin: 1, L: 29, Cout: 7, K: 5, padL: 2 }, 32); // a block of 4 and 3 more channels
  checkKernels({ B: 2, Cin: 1, L: 40, Cout: 9, K: 3, dil: 2, padL: 2 }, 33); // dilation
  checkKernels({ B: 2, Cin: 1, L: 21, Cout: 8, K: 4, padL: 1, padR: 2 }, 34); // even 'same' (extra on the right)
  checkKernels({ B: 1, Cin: 1, L: 6, Cout: 5, K: 3, padL: 0 }, 35); // no padding, 4 outputs
  checkKernels({ B: 2, Cin: 1, L: 5, Cout: 4, K: 3, padL: 7 }, 36); // padding beyond the span
  checkKernels({ B: 1, Cin: 1, L: 1, Cout: 6, K: 1, padL: 0 }, 37); // a single sample point
  checkKernels({ B: 2, Cin: 2, L: 9, Cout: 2, K: 1, groups: 2 }, 29); // pointwise depthwise
  checkKernels({ B: 1, Cin: 2, L: 8, Cout: 2, K: 2, padL: 4, groups: 2 }, 30); // pad larger than the span
  checkKernels({ B: 2, Cin: 3, L: 70, Cout: 3, K: 9, padL: 0, groups: 3 }, 31);
});

test('kernels: the benchmark model shapes (reduced batch)', () => {
  checkKernels({ B: 2, Cin: 1, L: 187, Cout: 32, K: 5, padL: 2 }, 41);
  checkKernels({ B: 2, Cin: 32, L: 93, Cout: 64, K: 5, padL: 2 }, 42);
  checkKernels({ B: 2, Cin: 64, L: 46, Cout: 128, K: 3, padL: 1 }, 43);
  checkKernels({ B: 2, Cin: 32, L: 93, Cout: 32, K: 5, padL: 2, groups: 32 }, 44);
  checkKernels({ B: 2, Cin: 64, L: 46, Cout: 128, K: 1 }, 45);
});

// ------------------------------------------------------------------------------------------------
// The reference backward against float64 central differences of the reference forward. The objective
// Σ r·y is linear in x and in w, so central differences are exact up to rounding: tight tolerance.

test('kernels: cached forward (Winograd weights kept between calls) = the Winograd forward, bit for bit; recomputed when w changes', () => {
  const specs: Spec[] = [
    { B: 1, Cin: 32, L: 93, Cout: 64, K: 5, padL: 2 }, { B: 1, Cin: 64, L: 46, Cout: 128, K: 3, padL: 1 },
    { B: 3, Cin: 16, L: 23, Cout: 20, K: 3, padL: 0 }, { B: 2, Cin: 17, L: 40, Cout: 16, K: 5, padL: 4, padR: 0 },
  ];
  const byBuild: Float32Array[][] = [];
  for (const build of BUILDS) {
    const b = rawBackend(build);
    const k = b.k;
    const outs: Float32Array[] = [];
    for (const s of specs) {
      const g = geom(s);
      const x = randomArray(g.B * g.Cin * g.L, 1), w = randomArray(g.Cout * g.Cin * g.K, 2), w2 = randomArray(w.length, 3), bias = randomArray(g.Cout, 4);
      const nY = g.B * g.Cout * g.Lout;
      const ptrs: number[] = [];
      const put = (a: Float32Array) => { const p = b.alloc(Math.max(4, a.length * 4)); b.f32(p, a.length).set(a); ptrs.push(p); return p; };
      try {
        const px = put(x), pw = put(w), pb = put(bias);
        const ps = put(new Float32Array(Math.ceil(k.conv1dScratchSize(g.B, g.Cin, g.L, g.Cout, g.K, 1, g.pad, 1, 1, g.Lout) / 4) + 1));
        const cacheBytes = k.conv1dWeightCacheSize(g.Cin, g.Cout, g.K, 1, 1, 1);
        assert.ok(cacheBytes > 0, describe(g));
        const pc = put(new Float32Array(Math.ceil(cacheBytes / 4)));
        const py = put(new Float32Array(nY)), pyc = put(new Float32Array(nY));
        const args = [g.B, g.Cin, g.L, g.Cout, g.K, 1, g.pad, 1, 1, g.Lout, ps] as const;
        const get = (p: number) => Float32Array.from(b.f32(p, nY));
        for (const weights of [w, w, w2, w]) {
          b.f32(pw, w.length).set(weights);
          k.conv1dSetWinograd(2);
          k.conv1dForward(px, pw, pb, py, ...args);
          k.conv1dSetWinograd(1);
          k.conv1dForwardCached(px, pw, pb, pyc, ...args, pc);
          assert.equal(Array.from(get(pyc)), Array.from(get(py)), `${build} ${describe(g)}`);
          outs.push(get(pyc));
        }
        // mode 0 (never Winograd) also applies to the cached entry
        k.conv1dSetWinograd(0);
        k.conv1dForward(px, pw, pb, py, ...args);
        k.conv1dForwardCached(px, pw, pb, pyc, ...args, pc);
        assert.equal(Array.from(get(pyc)), Array.from(get(py)), `${build} ${describe(g)} mode 0`);
      } finally {
        k.conv1dSetWinograd(1);
        for (const p of ptrs) b.free(p);
      }
    }
    byBuild.push(outs);
  }
  for (let i = 0; i < byBuild[0]!.length; i++) assert.equal(Array.from(byBuild[0]![i]!), Array.from(byBuild[1]![i]!), `SIMD = scalar, output ${i}`);
});

test('gemm with prepacked A (the Winograd GEMMs) = gemm, bit for bit, both builds', () => {
  for (const build of BUILDS) {
    const b = rawBackend(build);
    const k = b.k;
    for (const [M, N, K] of [[64, 96, 32], [128, 8, 64], [18, 20, 17], [4, 4, 1], [256, 300, 512]] as const) {
      const bytes = k.gemmPackASize(M, K);
      assert.ok(bytes > 0, `${M}x${K}`);
      const ptrs: number[] = [];
      const put = (a: Float32Array) => { const p = b.alloc(Math.max(4, a.length * 4)); b.f32(p, a.length).set(a); ptrs.push(p); return p; };
      try {
        const pa = put(randomArray(M * K, 1)), pb = put(randomArray(K * N, 2)), c0 = randomArray(M * N, 3);
        const pc1 = put(c0), pc2 = put(c0);
        const work = put(new Float32Array(Math.ceil(k.gemmWorkSize(M, N, K) / 4) + 1));
        const ap = put(new Float32Array(bytes / 4));
        k.gemmPackA(0, M, K, pa, K, ap);
        for (const beta of [0, 1]) {
          k.gemm(0, 0, M, N, K, 1, pa, K, pb, N, beta, pc1, N, work);
          k.gemmPrepackedA(M, N, K, 1, ap, pb, N, beta, pc2, N, work);
          const c1 = Array.from(b.f32(pc1, M * N)), c2 = Array.from(b.f32(pc2, M * N));
          assert.equal(c2, c1, `${build} ${M}x${N}x${K} beta ${beta}`);
        }
      } finally {
        for (const p of ptrs) b.free(p);
      }
    }
    assert.is(k.gemmPackASize(3, 8), 0);
    assert.is(k.gemmPackASize(300, 8), 0);
    assert.is(k.gemmPackASize(8, 600), 0);
  }
});

test('conv1d op: inference (no graph) uses the weight cache; in-place weight updates are seen', () => {
  const x = randn([1, 32, 93], { seed: 1 }), w = randn([64, 32, 5], { seed: 2 }), b = randn([64], { seed: 3 });
  const want = () => conv1dRef({ B: 1, Cin: 32, L: 93, Cout: 64, K: 5, stride: 1, pad: 2, dil: 1, groups: 1, Lout: 93 }, x.data(), w.data(), b.data());
  const check = () => {
    const ref = want();
    const y = noGrad(() => conv1d(x, w, b, { padding: 2 }).data());
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(y[i]! - ref[i]!) < 1e-4, `y[${i}] ${y[i]} vs ${ref[i]}`);
  };
  check();
  check();
  // change the weights in place (as an optimizer step would)
  const k = rawBackendOf(w);
  const v = k.f32(w.ptr, w.size);
  for (let i = 0; i < v.length; i++) v[i] = -v[i]! * 0.5;
  check();
});

test('reference backward = float64 finite differences of the reference forward', () => {
  const specs: Spec[] = [
    { B: 2, Cin: 2, L: 7, Cout: 3, K: 3, padL: 1 },
    { B: 1, Cin: 4, L: 9, Cout: 2, K: 2, stride: 2, dil: 2, padL: 1, padR: 2, groups: 2 },
    { B: 2, Cin: 3, L: 5, Cout: 3, K: 4, stride: 3, padL: 2, groups: 3 },
  ];
  for (const s of specs) {
    const g = geom(s);
    const x = Array.from(uniform(g.B * g.Cin * g.L, 1));
    const w = Array.from(uniform(g.Cout * (g.Cin / g.groups) * g.K, 2));
    const bias = Array.from(uniform(g.Cout, 3));
    const r = uniform(g.B * g.Cout * g.Lout, 4);
    const f = () => conv1dRef(g, x, w, bias).reduce((acc, v, i) => acc + v * r[i]!, 0);
    const fd = (arr: number[]) => arr.map((_, i) => {
      const h = 1e-3, o = arr[i]!;
      arr[i] = o + h; const up = f();
      arr[i] = o - h; const down = f();
      arr[i] = o;
      return (up - down) / (2 * h);
    });
    const want = [conv1dBackwardDataRef(g, r, w), conv1dBackwardWeightRef(g, x, r), conv1dBackwardBiasRef(g, r)];
    const got = [fd(x), fd(w), fd(bias)];
    got.forEach((arr, j) => arr.forEach((v, i) => {
      if (!(Math.abs(v - want[j]![i]!) <= 1e-9 * (1 + Math.abs(v)))) throw new Error(`${describe(g)} input ${j}[${i}]: fd ${v} vs ${want[j]![i]}`);
    }));
  }
});

// ------------------------------------------------------------------------------------------------
// End-to-end float32 gradient check of the op (autograd wiring, bias reduction, every kernel path).

test('gradCheck over stride 1/2/3, dilation 1/2, padding 0/same/explicit, groups 1/2/depthwise, Cin = 1', () => {
  let seed = 100;
  let n = 0;
  for (const stride of [1, 2, 3])
    for (const dilation of [1, 2])
      for (const padding of [0, 'same', 2] as const)
        for (const groups of ['1', '2', 'dw', 'cin1'] as const) {
          if (padding === 'same' && stride !== 1) continue;
          const Cin = groups === 'cin1' ? 1 : 4;
          const Cout = groups === 'dw' ? 4 : groups === 'cin1' ? 3 : 4;
          const G = groups === 'dw' ? 4 : groups === '2' ? 2 : 1;
          const K = (seed % 2) + 2; // 2 or 3 (even kernels exercise asymmetric 'same')
          const B = seed % 3 === 0 ? 1 : 2, L = 7 + (seed % 3);
          const opts = { stride, dilation, padding, groups: G };
          const shapes = [[B, Cin, L], [Cout, Cin / G, K], [Cout]];
          gradCheck(`conv1d ${JSON.stringify(opts)} Cin=${Cin} K=${K}`, (x, w, b) => conv1d(x, w, b!, opts),
            shapes.map((shape, i) => ({ shape, data: uniform(shape.reduce((a, b) => a * b, 1), seed * 3 + i) })));
          seed++;
          n++;
        }
  assert.ok(n >= 40, `${n} configurations`);
  // without bias, and gradients for the weight only
  gradCheck('conv1d no bias', (x, w) => conv1d(x, w, null, { padding: 1 }),
    [{ shape: [2, 3, 6], data: uniform(36, 1) }, { shape: [2, 3, 3], data: uniform(18, 2) }]);
});

// ------------------------------------------------------------------------------------------------
// PyTorch 1.13 fixtures (scripts/fixtures/conv1d.py): forward and all gradients.

interface Fixture {
  name: string; x: number[]; xShape: number[]; w: number[]; wShape: number[]; b: number[] | null;
  stride: number; padding: number | 'same' | 'valid'; dilation: number; groups: number;
  y: number[]; yShape: number[]; r: number[]; dx: number[]; dw: number[]; db: number[] | null;
}

test('matches PyTorch conv1d forward and gradients (fixtures)', () => {
  const fixtures = JSON.parse(readFileSync(new URL('../fixtures/conv1d.json', import.meta.url), 'utf8')) as Fixture[];
  assert.ok(fixtures.length >= 4);
  for (const f of fixtures) {
    const x = fromArray(f.x, f.xShape), w = fromArray(f.w, f.wShape), b = f.b ? fromArray(f.b, [f.b.length]) : null;
    const opts = { stride: f.stride, padding: f.padding, dilation: f.dilation, groups: f.groups };
    const y = conv1d(x, w, b, opts);
    assert.equal(y.shape, f.yShape, `${f.name}: shape`);
    const near = (what: string, got: ArrayLike<number>, want: number[]) => {
      for (let i = 0; i < want.length; i++)
        if (!(Math.abs(got[i]! - want[i]!) <= 1e-5 + 1e-5 * Math.abs(want[i]!))) throw new Error(`${f.name} ${what}[${i}]: ${got[i]} vs ${want[i]}`);
    };
    near('y', y.data(), f.y);
    const r = fromArray(f.r, f.yShape);
    const inputs = b ? [x, w, b] : [x, w];
    const gs = grad((...ts: Tensor[]) => conv1d(ts[0]!, ts[1]!, ts[2] ?? null, opts).mul(r).sum(), inputs);
    near('dx', gs[0]!.data(), f.dx);
    near('dw', gs[1]!.data(), f.dw);
    if (f.db) near('db', gs[2]!.data(), f.db);
  }
});

// ------------------------------------------------------------------------------------------------
// Layers.

test('Conv1d layer: PyTorch default init bounds, shapes, options', () => {
  const c = new Conv1d(4, 6, 3, { padding: 1, seed: 3 });
  assert.equal(c.weight.shape, [6, 4, 3]);
  assert.equal(c.bias!.shape, [6]);
  const bound = 1 / Math.sqrt(12); // kaiming_uniform(a = sqrt 5) and the bias bound are both 1/sqrt(fan_in)
  for (const v of c.weight.data()) assert.ok(Math.abs(v) <= bound + 1e-7);
  for (const v of c.bias!.data()) assert.ok(Math.abs(v) <= bound + 1e-7);
  const spread = Math.max(...c.weight.data()) - Math.min(...c.weight.data());
  assert.ok(spread > bound, 'weights fill the range');
  assert.equal(c.forward(randn([2, 4, 10], { seed: 1 })).shape, [2, 6, 10]);
  assert.equal(new Conv1d(4, 6, 4, { padding: 'same', seed: 1 }).forward(randn([1, 4, 9])).shape, [1, 6, 9]);
  assert.equal(new Conv1d(4, 6, 3, { stride: 2, seed: 1 }).forward(randn([1, 4, 9])).shape, [1, 6, 4]);
  assert.equal(new Conv1d(4, 8, 3, { groups: 4, dilation: 2, padding: 'valid' }).forward(randn([1, 4, 9])).shape, [1, 8, 5]);
  const g = new Conv1d(4, 8, 3, { groups: 2, bias: false, seed: 2 });
  assert.is(g.bias, null);
  assert.equal(g.weight.shape, [8, 2, 3]);
  assert.equal(g.parameters().length, 1);
  for (const v of g.weight.data()) assert.ok(Math.abs(v) <= 1 / Math.sqrt(6) + 1e-7);
  // same seed, same weights
  assert.equal(Array.from(new Conv1d(4, 6, 3, { seed: 3 }).weight.data()), Array.from(c.weight.data()));
});

test('SeparableConv1d: depthwise + pointwise, equals the two convolutions, parameters', () => {
  const s = new SeparableConv1d(4, 6, 5, { padding: 2, seed: 9 });
  assert.equal(s.namedParameters().map(([n, t]) => `${n}:${t.shape.join('x')}`),
    ['depthwise.weight:4x1x5', 'depthwise.bias:4', 'pointwise.weight:6x4x1', 'pointwise.bias:6']);
  const x = randn([2, 4, 11], { seed: 4 });
  const y = s.forward(x);
  const manual = conv1d(conv1d(x, s.depthwise.weight, s.depthwise.bias, { padding: 2, groups: 4 }), s.pointwise.weight, s.pointwise.bias);
  assert.equal(Array.from(y.data()), Array.from(manual.data()));
  const nb = new SeparableConv1d(4, 6, 3, { bias: false, pointwiseBias: true, depthMultiplier: 2, padding: 'same' });
  assert.equal(nb.namedParameters().map(([n, t]) => `${n}:${t.shape.join('x')}`), ['depthwise.weight:8x1x3', 'pointwise.weight:6x8x1', 'pointwise.bias:6']);
  assert.equal(nb.forward(randn([1, 4, 10])).shape, [1, 6, 10]);
  assert.ok(s.parameterCount() < new Conv1d(4, 6, 5).parameterCount());
});

test('bad input: clear errors naming the layer and the shapes', () => {
  const c = new Conv1d(4, 6, 3, { padding: 1 });
  const throws = (fn: () => unknown, re: RegExp) => {
    try {
      fn();
    } catch (e) {
      assert.match((e as Error).message, re);
      return;
    }
    assert.unreachable(`expected an error matching ${re}`);
  };
  throws(() => c.forward(randn([4, 10])), /Conv1d\(4, 6, kernel_size=3, padding=1\).*\[batch, 4, length\].*\[4, 10\]/);
  throws(() => c.forward(randn([2, 3, 10])), /Conv1d\(4, 6, kernel_size=3, padding=1\).*\[2, 3, 10\]/);
  throws(() => new Conv1d(4, 6, 7).forward(randn([1, 4, 5])), /Conv1d\(4, 6, kernel_size=7\).*larger than the padded input.*\[1, 4, 5\]/);
  throws(() => new Conv1d(4, 6, 3, { stride: 0 }), /stride must be an integer >= 1, got 0/);
  throws(() => new Conv1d(4, 6, 3, { dilation: 1.5 }), /dilation must be an integer >= 1, got 1.5/);
  throws(() => new Conv1d(4, 6, 3, { groups: 3 }), /groups = 3 must divide both inChannels \(4\) and outChannels \(6\)/);
  throws(() => new Conv1d(4, 6, 3, { stride: 2, padding: 'same' }), /padding 'same' needs stride 1/);
  throws(() => new Conv1d(4, 6, 3, { padding: -1 }), /padding/);
  throws(() => new Conv1d(0, 6, 3), /inChannels must be a positive integer/);
  const x = randn([2, 4, 8]);
  throws(() => conv1d(x, randn([6, 3, 3])), /conv1d: input \[2, 4, 8\] has 4 channels but weight \[6, 3, 3\]/);
  throws(() => conv1d(x, randn([6, 2, 3]), null, { groups: 3 }), /groups = 3 must divide/);
  throws(() => conv1d(x, randn([6, 4, 3]), randn([5])), /bias must be \[6\], got \[5\]/);
  throws(() => conv1d(x, randn([6, 4, 3, 1])), /weight must be/);
  throws(() => conv1d(x, randn([6, 4, 3]), null, { padding: 'same', stride: 2 }), /conv1d: padding 'same' needs stride 1/);
  throws(() => conv1d(x, randn([6, 4, 5]), null, { dilation: 2 }), /span 9\) is larger than the padded input \(length 8 \+ padding 0 = 8\)/);
  // legal once padded
  assert.equal(conv1d(x, randn([6, 4, 5]), null, { dilation: 2, padding: 1 }).shape, [2, 6, 2]);
});

// ------------------------------------------------------------------------------------------------
// A depthwise-separable block must be cheaper than the dense block it replaces (forward + backward).

test('depthwise-separable block trains faster than the dense block', () => {
  const x = randn([32, 32, 93], { seed: 1, requiresGrad: true });
  const dense = new Sequential(new Conv1d(32, 64, 5, { padding: 2, seed: 1 }), new ReLU());
  const sep = new Sequential(new SeparableConv1d(32, 64, 5, { padding: 2, seed: 2 }), new ReLU());
  // best of 9 interleaved steps each: on a shared machine interference only ever adds time
  const step = (m: Sequential) => {
    const t0 = performance.now();
    m.forward(x).sum().backward();
    return performance.now() - t0;
  };
  for (let i = 0; i < 2; i++) step(dense), step(sep);
  let td = Infinity, ts = Infinity;
  for (let r = 0; r < 9; r++) {
    td = Math.min(td, step(dense));
    ts = Math.min(ts, step(sep));
  }
  assert.ok(ts < td, `separable ${ts.toFixed(2)} ms vs dense ${td.toFixed(2)} ms`);
});

test('batch 0 and gradient shapes', () => {
  const w = randn([3, 2, 3], { requiresGrad: true });
  const b = tensor([0.1, 0.2, 0.3], { requiresGrad: true });
  const x = randn([0, 2, 5]);
  const y = conv1d(x, w, b, { padding: 1 });
  assert.equal(y.shape, [0, 3, 5]);
  const [gw, gb] = grad(() => conv1d(x, w, b, { padding: 1 }).sum(), [w, b]);
  assert.equal(Array.from(gw!.data()), new Array(18).fill(0));
  assert.equal(Array.from(gb!.data()), [0, 0, 0]);
});

test.run();
