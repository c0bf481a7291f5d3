// Batch normalisation kernels (docs/kernels-layers.md, "batchnorm.ts").
//
// Layout: x, out, dy, dx are contiguous row-major f32 [B, C, L] (PyTorch's BatchNorm1d layout; a [B, C]
// input is passed as L = 1). Channel c owns the B rows x[b, c, 0..L) at element offsets (b·C + c)·L.
// Per-channel vectors (gamma, beta, runMean, runVar, saveMean, saveInvstd, dgamma, dbeta) are f32 [C].
// A pointer argument of 0 means "absent" (gamma/beta: no affine transform; runMean/runVar: no running
// statistics; dx/dgamma/dbeta: not wanted). N = B·L values per channel.
//
// Forward (sample-major for C <= 2048, see bnForwardRows; channel by channel otherwise):
//   training: pass 1 μ = Σx / N; pass 2 (corrected two-pass) d = Σ(x − m), q = Σ(x − m)² with m = f32(μ),
//             var = (q − d²/N) / N (biased, used for normalising); invstd = 1/sqrt(var + eps);
//             running stats (when given): rm = (1 − momentum)·rm + momentum·μ,
//             rv = (1 − momentum)·rv + momentum·var·N/(N − 1) (unbiased, as PyTorch);
//   eval:     m = rm, invstd = 1/sqrt(rv + eps).
//   pass 3:   out = (x − m)·(γ·invstd) + β.   saveMean = m, saveInvstd = invstd (for the backward).
// Backward (fused; x̂ = (x − m)·invstd):
//   pass 1: Σdy and Σdy·(x − m) per channel  →  dβ = Σdy, dγ = invstd·Σdy·(x − m);
//   pass 2: training: dx = a·dy + b·(x − m) + c with a = γ·invstd, b = −a·invstd²·Σdy(x − m)/N,
//           c = −a·Σdy/N, i.e. dx = (γ/σ)(dy − mean(dy) − x̂·mean(dy·x̂)); eval: dx = a·dy.
// Row sums use 8 lanes (two f32x4 accumulators over blocks of 8, combined, then one block of 4, then
// lanes (l0+l1)+(l2+l3), then the tail in order); each row's f32 sum is added into an f64 channel
// total. The scalar build keeps the same 8 accumulators, so both builds are bit-identical. The
// per-channel scalars (μ, var, invstd, coefficients) are computed in f64 and rounded once.

import { hsum } from './simd-math';
import { rowSum } from './row-sum';
import { tls } from './threads';

// @ts-ignore: decorator
@inline function ldf(p: usize): f32 {
  return load<f32>(p);
}

// Results of the two-sum row helpers (kernels are single-threaded; no allocation).
let rowA: f32 = 0;
let rowB: f32 = 0;

// rowA = Σ(x − m), rowB = Σ(x − m)² over p[0..n).
// @ts-ignore: decorator
@inline function rowCentered(p: usize, n: i32, m: f32): void {
  let i = 0;
  let sa: f32 = 0, sb: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(m);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 2);
      const d0 = f32x4.sub(v128.load(q), vm), d1 = f32x4.sub(v128.load(q, 16), vm);
      a0 = f32x4.add(a0, d0);
      a1 = f32x4.add(a1, d1);
      b0 = f32x4.add(b0, f32x4.mul(d0, d0));
      b1 = f32x4.add(b1, f32x4.mul(d1, d1));
    }
    a0 = f32x4.add(a0, a1);
    b0 = f32x4.add(b0, b1);
    if (i + 4 <= n) {
      const d0 = f32x4.sub(v128.load(p + (<usize>i << 2)), vm);
      a0 = f32x4.add(a0, d0);
      b0 = f32x4.add(b0, f32x4.mul(d0, d0));
      i += 4;
    }
    sa = hsum(a0);
    sb = hsum(b0);
  } else {
    let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0, a4: f32 = 0, a5: f32 = 0, a6: f32 = 0, a7: f32 = 0;
    let b0: f32 = 0, b1: f32 = 0, b2: f32 = 0, b3: f32 = 0, b4: f32 = 0, b5: f32 = 0, b6: f32 = 0, b7: f32 = 0;
    for (; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 2);
      const d0 = load<f32>(q, 0) - m;
      const d1 = load<f32>(q, 4) - m;
      const d2 = load<f32>(q, 8) - m;
      const d3 = load<f32>(q, 12) - m;
      const d4 = load<f32>(q, 16) - m;
      const d5 = load<f32>(q, 20) - m;
      const d6 = load<f32>(q, 24) - m;
      const d7 = load<f32>(q, 28) - m;
      a0 += d0;
      b0 += d0 * d0;
      a1 += d1;
      b1 += d1 * d1;
      a2 += d2;
      b2 += d2 * d2;
      a3 += d3;
      b3 += d3 * d3;
      a4 += d4;
      b4 += d4 * d4;
      a5 += d5;
      b5 += d5 * d5;
      a6 += d6;
      b6 += d6 * d6;
      a7 += d7;
      b7 += d7 * d7;
    }
    a0 += a4; a1 += a5; a2 += a6; a3 += a7;
    b0 += b4; b1 += b5; b2 += b6; b3 += b7;
    if (i + 4 <= n) {
      const q = p + (<usize>i << 2);
      const d0 = load<f32>(q, 0) - m;
      const d1 = load<f32>(q, 4) - m;
      const d2 = load<f32>(q, 8) - m;
      const d3 = load<f32>(q, 12) - m;
      a0 += d0;
      b0 += d0 * d0;
      a1 += d1;
      b1 += d1 * d1;
      a2 += d2;
      b2 += d2 * d2;
      a3 += d3;
      b3 += d3 * d3;
      i += 4;
    }
    sa = (a0 + a1) + (a2 + a3);
    sb = (b0 + b1) + (b2 + b3);
  }
  for (; i < n; i++) {
    const d = ldf(p + (<usize>i << 2)) - m;
    sa += d;
    sb += d * d;
  }
  rowA = sa;
  rowB = sb;
}

// rowA = Σ g, rowB = Σ g·(x − m) over g = dy[0..n), x[0..n).
// @ts-ignore: decorator
@inline function rowGradSums(x: usize, g: usize, n: i32, m: f32): void {
  let i = 0;
  let sa: f32 = 0, sb: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(m);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const g0 = v128.load(g + o), g1 = v128.load(g + o, 16);
      a0 = f32x4.add(a0, g0);
      a1 = f32x4.add(a1, g1);
      b0 = f32x4.add(b0, f32x4.mul(g0, f32x4.sub(v128.load(x + o), vm)));
      b1 = f32x4.add(b1, f32x4.mul(g1, f32x4.sub(v128.load(x + o, 16), vm)));
    }
    a0 = f32x4.add(a0, a1);
    b0 = f32x4.add(b0, b1);
    if (i + 4 <= n) {
      const o = <usize>i << 2;
      const g0 = v128.load(g + o);
      a0 = f32x4.add(a0, g0);
      b0 = f32x4.add(b0, f32x4.mul(g0, f32x4.sub(v128.load(x + o), vm)));
      i += 4;
    }
    sa = hsum(a0);
    sb = hsum(b0);
  } else {
    let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0, a4: f32 = 0, a5: f32 = 0, a6: f32 = 0, a7: f32 = 0;
    let b0: f32 = 0, b1: f32 = 0, b2: f32 = 0, b3: f32 = 0, b4: f32 = 0, b5: f32 = 0, b6: f32 = 0, b7: f32 = 0;
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const g0 = load<f32>(g + o, 0);
      const g1 = load<f32>(g + o, 4);
      const g2 = load<f32>(g + o, 8);
      const g3 = load<f32>(g + o, 12);
      const g4 = load<f32>(g + o, 16);
      const g5 = load<f32>(g + o, 20);
      const g6 = load<f32>(g + o, 24);
      const g7 = load<f32>(g + o, 28);
      a0 += g0;
      b0 += g0 * (load<f32>(x + o, 0) - m);
      a1 += g1;
      b1 += g1 * (load<f32>(x + o, 4) - m);
      a2 += g2;
      b2 += g2 * (load<f32>(x + o, 8) - m);
      a3 += g3;
      b3 += g3 * (load<f32>(x + o, 12) - m);
      a4 += g4;
      b4 += g4 * (load<f32>(x + o, 16) - m);
      a5 += g5;
      b5 += g5 * (load<f32>(x + o, 20) - m);
      a6 += g6;
      b6 += g6 * (load<f32>(x + o, 24) - m);
      a7 += g7;
      b7 += g7 * (load<f32>(x + o, 28) - m);
    }
    a0 += a4; a1 += a5; a2 += a6; a3 += a7;
    b0 += b4; b1 += b5; b2 += b6; b3 += b7;
    if (i + 4 <= n) {
      const o = <usize>i << 2;
      const g0 = load<f32>(g + o, 0);
      const g1 = load<f32>(g + o, 4);
      const g2 = load<f32>(g + o, 8);
      const g3 = load<f32>(g + o, 12);
      a0 += g0;
      b0 += g0 * (load<f32>(x + o, 0) - m);
      a1 += g1;
      b1 += g1 * (load<f32>(x + o, 4) - m);
      a2 += g2;
      b2 += g2 * (load<f32>(x + o, 8) - m);
      a3 += g3;
      b3 += g3 * (load<f32>(x + o, 12) - m);
      i += 4;
    }
    sa = (a0 + a1) + (a2 + a3);
    sb = (b0 + b1) + (b2 + b3);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gv = ldf(g + o);
    sa += gv;
    sb += gv * (ldf(x + o) - m);
  }
  rowA = sa;
  rowB = sb;
}

// out = (x − m)·s + b over a row.
// @ts-ignore: decorator
@inline function rowAffine(x: usize, out: usize, n: i32, m: f32, s: f32, b: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(m), vs = f32x4.splat(s), vb = f32x4.splat(b);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + o), vm), vs), vb));
      v128.store(out + o, f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + o, 16), vm), vs), vb), 16);
    }
    if (i + 4 <= n) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + o), vm), vs), vb));
      i += 4;
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, (ldf(x + o) - m) * s + b);
  }
}

// dx = a·dy + b·(x − m) + c over a row (training backward).
// @ts-ignore: decorator
@inline function rowDx(x: usize, g: usize, dx: usize, n: i32, m: f32, a: f32, b: f32, c: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(m), va = f32x4.splat(a), vb = f32x4.splat(b), vc = f32x4.splat(c);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const t = f32x4.add(f32x4.mul(va, v128.load(g + o)), f32x4.mul(vb, f32x4.sub(v128.load(x + o), vm)));
      v128.store(dx + o, f32x4.add(t, vc));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, (a * ldf(g + o) + b * (ldf(x + o) - m)) + c);
  }
}

// dx = a·dy over a row (eval backward).
// @ts-ignore: decorator
@inline function rowScale(g: usize, dx: usize, n: i32, a: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dx + o, f32x4.mul(va, v128.load(g + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, a * ldf(g + o));
  }
}


// Sample-major traversal (C <= BN_MAXC): each pass walks the rows in memory order (for b: for c) with
// per-channel f64 accumulators in static memory. Every channel's sums take the same rows in the same
// order (over b) as the channel-major loops below, so the results are identical; but memory is streamed
// sequentially instead of as B short rows C·L·4 bytes apart per channel. Measured in whole StdCNN
// training steps (interleaved, one process): about 0.5-1.5 ms per step faster (e.g. median 20.3 -> 18.6
// ms), because layer outputs arrive from L2/L3 and strided short rows defeat the prefetcher (isolated
// loops, with everything in L1/L2, do not show it). Wider inputs use the channel-major loops.
const BN_MAXC: i32 = 2048;
// (static scratch: through tls, per instance in the threads build; assembly/threads.ts)
const ACC_A0: usize = memory.data(BN_MAXC * 8, 16);
const ACC_B0: usize = memory.data(BN_MAXC * 8, 16);
const COEF0: usize = memory.data(BN_MAXC * 16, 16); // per channel f32 [m, s, b, c]

function bnForwardRows(
  x: usize, out: usize, gamma: usize, beta: usize, runMean: usize, runVar: usize, saveMean: usize, saveInvstd: usize,
  B: i32, C: i32, L: i32, eps: f32, momentum: f32, training: i32, c0: i32, c1: i32,
): void {
  const N = B * L;
  const rowBytes = <usize>L << 2;
  const sampleBytes = <usize>(C * L) << 2, skip = sampleBytes - <usize>((c1 - c0) * L << 2);
  const ACC_A = tls(ACC_A0), ACC_B = tls(ACC_B0), COEF = tls(COEF0);
  if (training) {
    for (let c = c0; c < c1; c++) store<f64>(ACC_A + (<usize>c << 3), 0);
    let p = x + <usize>(c0 * L << 2);
    for (let b = 0; b < B; b++, p += skip)
      for (let c = c0; c < c1; c++) {
        const q = ACC_A + (<usize>c << 3);
        store<f64>(q, load<f64>(q) + <f64>rowSum(p, L));
        p += rowBytes;
      }
    for (let c = c0; c < c1; c++) {
      const mean = load<f64>(ACC_A + (<usize>c << 3)) / <f64>N;
      store<f32>(saveMean + (<usize>c << 2), <f32>mean);
      store<f64>(ACC_A + (<usize>c << 3), 0);
      store<f64>(ACC_B + (<usize>c << 3), 0);
      if (runMean) {
        const co = <usize>c << 2;
        const mo = <f64>momentum;
        store<f32>(runMean + co, <f32>((1.0 - mo) * <f64>load<f32>(runMean + co) + mo * mean));
      }
    }
    p = x + <usize>(c0 * L << 2);
    for (let b = 0; b < B; b++, p += skip)
      for (let c = c0; c < c1; c++) {
        rowCentered(p, L, load<f32>(saveMean + (<usize>c << 2)));
        const qa = ACC_A + (<usize>c << 3), qb = ACC_B + (<usize>c << 3);
        store<f64>(qa, load<f64>(qa) + <f64>rowA);
        store<f64>(qb, load<f64>(qb) + <f64>rowB);
        p += rowBytes;
      }
  }
  for (let c = c0; c < c1; c++) {
    const co = <usize>c << 2;
    let m: f32;
    let invstd: f64;
    if (training) {
      m = load<f32>(saveMean + co);
      const d = load<f64>(ACC_A + (<usize>c << 3)), q = load<f64>(ACC_B + (<usize>c << 3));
      let v = (q - d * d / <f64>N) / <f64>N;
      if (v < 0) v = 0;
      invstd = 1.0 / Math.sqrt(v + <f64>eps);
      if (runMean) {
        const mo = <f64>momentum;
        store<f32>(runVar + co, <f32>((1.0 - mo) * <f64>load<f32>(runVar + co) + mo * v * <f64>N / <f64>(N - 1)));
      }
    } else {
      m = load<f32>(runMean + co);
      invstd = 1.0 / Math.sqrt(<f64>load<f32>(runVar + co) + <f64>eps);
    }
    store<f32>(saveMean + co, m);
    store<f32>(saveInvstd + co, <f32>invstd);
    const g: f64 = gamma ? <f64>load<f32>(gamma + co) : 1.0;
    const cf = COEF + (<usize>c << 4);
    store<f32>(cf, m);
    store<f32>(cf, <f32>(g * invstd), 4);
    store<f32>(cf, beta ? load<f32>(beta + co) : 0, 8);
  }
  let p = <usize>(c0 * L << 2);
  for (let b = 0; b < B; b++, p += skip)
    for (let c = c0; c < c1; c++) {
      const cf = COEF + (<usize>c << 4);
      rowAffine(x + p, out + p, L, load<f32>(cf), load<f32>(cf, 4), load<f32>(cf, 8));
      p += rowBytes;
    }
}

function bnBackwardRows(
  x: usize, dy: usize, dx: usize, gamma: usize, saveMean: usize, saveInvstd: usize, dgamma: usize, dbeta: usize,
  B: i32, C: i32, L: i32, training: i32, c0: i32, c1: i32,
): void {
  const N = B * L;
  const rowBytes = <usize>L << 2;
  const sampleBytes = <usize>(C * L) << 2, skip = sampleBytes - <usize>((c1 - c0) * L << 2);
  const ACC_A = tls(ACC_A0), ACC_B = tls(ACC_B0), COEF = tls(COEF0);
  const needSums = training != 0 || dgamma != 0 || dbeta != 0;
  if (needSums) {
    for (let c = c0; c < c1; c++) {
      store<f64>(ACC_A + (<usize>c << 3), 0);
      store<f64>(ACC_B + (<usize>c << 3), 0);
    }
    let p = <usize>(c0 * L << 2);
    for (let b = 0; b < B; b++, p += skip)
      for (let c = c0; c < c1; c++) {
        rowGradSums(x + p, dy + p, L, load<f32>(saveMean + (<usize>c << 2)));
        const qa = ACC_A + (<usize>c << 3), qb = ACC_B + (<usize>c << 3);
        store<f64>(qa, load<f64>(qa) + <f64>rowA);
        store<f64>(qb, load<f64>(qb) + <f64>rowB);
        p += rowBytes;
      }
  }
  for (let c = c0; c < c1; c++) {
    const co = <usize>c << 2;
    const invstd = <f64>load<f32>(saveInvstd + co);
    const sdy = needSums ? load<f64>(ACC_A + (<usize>c << 3)) : 0;
    const sdyx = needSums ? load<f64>(ACC_B + (<usize>c << 3)) : 0;
    if (needSums) {
      if (dbeta) store<f32>(dbeta + co, <f32>sdy);
      if (dgamma) store<f32>(dgamma + co, <f32>(sdyx * invstd));
    }
    const g: f64 = gamma ? <f64>load<f32>(gamma + co) : 1.0;
    const a = g * invstd;
    const cf = COEF + (<usize>c << 4);
    store<f32>(cf, load<f32>(saveMean + co));
    store<f32>(cf, <f32>a, 4);
    store<f32>(cf, training ? <f32>(-a * invstd * invstd * sdyx / <f64>N) : 0, 8);
    store<f32>(cf, training ? <f32>(-a * sdy / <f64>N) : 0, 12);
  }
  if (!dx) return;
  let p = <usize>(c0 * L << 2);
  for (let b = 0; b < B; b++, p += skip)
    for (let c = c0; c < c1; c++) {
      const cf = COEF + (<usize>c << 4);
      if (training) rowDx(x + p, dy + p, dx + p, L, load<f32>(cf), load<f32>(cf, 4), load<f32>(cf, 8), load<f32>(cf, 12));
      else rowScale(dy + p, dx + p, L, load<f32>(cf, 4));
      p += rowBytes;
    }
}

/**
 * Batch-norm forward over [B, C, L] (see the header). training = 1 uses batch statistics (and updates
 * runMean/runVar in place when given; needs N = B·L ≥ 2), 0 uses runMean/runVar. Always writes
 * saveMean/saveInvstd [C] (the mean and 1/sqrt(var + eps) used). out may alias x.
 */
export function batchNormForward(
  x: usize, out: usize, gamma: usize, beta: usize, runMean: usize, runVar: usize, saveMean: usize, saveInvstd: usize,
  B: i32, C: i32, L: i32, eps: f32, momentum: f32, training: i32,
): void {
  bnForward(x, out, gamma, beta, runMean, runVar, saveMean, saveInvstd, B, C, L, eps, momentum, training, 0, C);
}

function bnForward(
  x: usize, out: usize, gamma: usize, beta: usize, runMean: usize, runVar: usize, saveMean: usize, saveInvstd: usize,
  B: i32, C: i32, L: i32, eps: f32, momentum: f32, training: i32, c0: i32, c1: i32,
): void {
  if (C <= BN_MAXC) {
    bnForwardRows(x, out, gamma, beta, runMean, runVar, saveMean, saveInvstd, B, C, L, eps, momentum, training, c0, c1);
    return;
  }
  const N = B * L;
  const rowStride = <usize>(C * L) << 2;
  for (let c = c0; c < c1; c++) {
    const co = <usize>c << 2;
    const base = <usize>(c * L) << 2;
    let m: f32;
    let invstd: f64;
    if (training) {
      let s: f64 = 0;
      for (let b = 0; b < B; b++) s += <f64>rowSum(x + base + <usize>b * rowStride, L);
      const mean = s / <f64>N;
      m = <f32>mean;
      let d: f64 = 0, q: f64 = 0;
      for (let b = 0; b < B; b++) {
        rowCentered(x + base + <usize>b * rowStride, L, m);
        d += <f64>rowA;
        q += <f64>rowB;
      }
      let v = (q - d * d / <f64>N) / <f64>N;
      if (v < 0) v = 0;
      invstd = 1.0 / Math.sqrt(v + <f64>eps);
      if (runMean) {
        const mo = <f64>momentum;
        store<f32>(runMean + co, <f32>((1.0 - mo) * <f64>load<f32>(runMean + co) + mo * mean));
        store<f32>(runVar + co, <f32>((1.0 - mo) * <f64>load<f32>(runVar + co) + mo * v * <f64>N / <f64>(N - 1)));
      }
    } else {
      m = load<f32>(runMean + co);
      invstd = 1.0 / Math.sqrt(<f64>load<f32>(runVar + co) + <f64>eps);
    }
    store<f32>(saveMean + co, m);
    store<f32>(saveInvstd + co, <f32>invstd);
    const g: f64 = gamma ? <f64>load<f32>(gamma + co) : 1.0;
    const sc = <f32>(g * invstd);
    const bt: f32 = beta ? load<f32>(beta + co) : 0;
    for (let b = 0; b < B; b++) {
      const off = base + <usize>b * rowStride;
      rowAffine(x + off, out + off, L, m, sc, bt);
    }
  }
}

/**
 * Batch-norm backward over [B, C, L] from the forward's x, saveMean, saveInvstd and dy (see header).
 * Writes dx (when nonzero), dgamma and dbeta (when nonzero). training selects the batch-statistics
 * formula (1) or the fixed-statistics one (0).
 */
export function batchNormBackward(
  x: usize, dy: usize, dx: usize, gamma: usize, saveMean: usize, saveInvstd: usize, dgamma: usize, dbeta: usize,
  B: i32, C: i32, L: i32, training: i32,
): void {
  bnBackward(x, dy, dx, gamma, saveMean, saveInvstd, dgamma, dbeta, B, C, L, training, 0, C);
}

function bnBackward(
  x: usize, dy: usize, dx: usize, gamma: usize, saveMean: usize, saveInvstd: usize, dgamma: usize, dbeta: usize,
  B: i32, C: i32, L: i32, training: i32, c0: i32, c1: i32,
): void {
  if (C <= BN_MAXC) {
    bnBackwardRows(x, dy, dx, gamma, saveMean, saveInvstd, dgamma, dbeta, B, C, L, training, c0, c1);
    return;
  }
  const N = B * L;
  const rowStride = <usize>(C * L) << 2;
  const needSums = training != 0 || dgamma != 0 || dbeta != 0;
  for (let c = c0; c < c1; c++) {
    const co = <usize>c << 2;
    const base = <usize>(c * L) << 2;
    const m = load<f32>(saveMean + co);
    const invstd = <f64>load<f32>(saveInvstd + co);
    let sdy: f64 = 0, sdyx: f64 = 0;
    if (needSums) {
      for (let b = 0; b < B; b++) {
        const off = base + <usize>b * rowStride;
        rowGradSums(x + off, dy + off, L, m);
        sdy += <f64>rowA;
        sdyx += <f64>rowB;
      }
      if (dbeta) store<f32>(dbeta + co, <f32>sdy);
      if (dgamma) store<f32>(dgamma + co, <f32>(sdyx * invstd));
    }
    if (!dx) continue;
    const g: f64 = gamma ? <f64>load<f32>(gamma + co) : 1.0;
    const a = g * invstd;
    if (training) {
      const bc = <f32>(-a * invstd * invstd * sdyx / <f64>N);
      const cc = <f32>(-a * sdy / <f64>N);
      const af = <f32>a;
      for (let b = 0; b < B; b++) {
        const off = base + <usize>b * rowStride;
        rowDx(x + off, dy + off, dx + off, L, m, af, bc, cc);
      }
    } else {
      const af = <f32>a;
      for (let b = 0; b < B; b++) {
        const off = base + <usize>b * rowStride;
        rowScale(dy + off, dx + off, L, af);
      }
    }
  }
}

// Range entry points for the kernel thread pool (src/wasm/threaded.ts, docs/kernels.md "Threads"): the
// channels [c0, c1) of the pass (every per-channel vector and the rows of those channels). A channel's
// sums run over the same rows in the same order (over b) as in the whole pass, so results are
// bit-identical for any split; the static accumulators are per instance (tls).

/** batchNormForward of the channels [c0, c1). */
export function batchNormForwardRange(
  x: usize, out: usize, gamma: usize, beta: usize, runMean: usize, runVar: usize, saveMean: usize, saveInvstd: usize,
  B: i32, C: i32, L: i32, eps: f32, momentum: f32, training: i32, c0: i32, c1: i32,
): void {
  bnForward(x, out, gamma, beta, runMean, runVar, saveMean, saveInvstd, B, C, L, eps, momentum, training, c0, c1);
}

/** batchNormBackward of the channels [c0, c1). */
export function batchNormBackwardRange(
  x: usize, dy: usize, dx: usize, gamma: usize, saveMean: usize, saveInvstd: usize, dgamma: usize, dbeta: usize,
  B: i32, C: i32, L: i32, training: i32, c0: i32, c1: i32,
): void {
  bnBackward(x, dy, dx, gamma, saveMean, saveInvstd, dgamma, dbeta, B, C, L, training, c0, c1);
}
