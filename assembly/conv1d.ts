// 1-D convolution (PyTorch Conv1d semantics: cross-correlation, NCL layout) forward and backward.
//
// Layout. x [B, Cin, L], w [Cout, Cin/groups, K], y/dy [B, Cout, Lout], all contiguous row-major f32.
// Channels split into `groups` groups of Cg = Cin/groups inputs and Og = Cout/groups outputs; output
// channel o = g*Og + j reads input channels g*Cg .. g*Cg+Cg-1. Padding is implicit: `pad` is the left
// padding and input positions outside [0, L) read as 0, so any right padding (asymmetric 'same') is
// expressed by Lout = floor((L + padLeft + padRight - dil*(K-1) - 1) / stride) + 1 alone.
//
// Math.
//   forward        y[b,o,l]  = bias[o] + Σ_{c<Cg} Σ_{k<K} w[o,c,k] · x[b, g*Cg+c, l*stride + k*dil - pad]
//   backward data  dx[b,i,p] = Σ_{o in group of i} Σ_k w[o,i-g*Cg,k] · dy[b,o,l]   over l*stride + k*dil - pad = p
//   backward weight dw[o,c,k] = Σ_b Σ_l dy[b,o,l] · x[b, g*Cg+c, l*stride + k*dil - pad]
// (The bias gradient Σ_{b,l} dy[b,o,l] is a plain reduction; the host uses reduce.ts.)
// `bias` = 0 means no bias (0 is never a tensor address: static data sits below heapBase).
//
// Algorithm per case (chosen by measurement, bench/conv1d.ts, batch 64; see docs/kernels-conv1d.md):
//   Cg = 1 (depthwise, channel multiplier, and Cin = 1 dense convs): direct loops, no GEMM. The GEMM
//     would have depth K (5) and spend its time packing; direct SIMD rows are 3-10x faster.
//     stride 1: forward and backward data are the same row correlation ("corrRow": backward data uses
//     the reversed taps and pad' = dil*(K-1) - pad), f32x4 over 16 then 4 outputs, scalar edges where taps
//     fall in the padding; weight gradient: per (o, b) one sweep over the dy row for all taps (tapsRow;
//     K > 16: one dot (reduce.ts `dot`) per (b, o, k) over the valid range).
//     stride > 1: scalar loops (gather forward, scatter backward data, strided dots).
//   K = 1, stride 1, pad 0 (pointwise): per sample and group one GEMM straight on x/dy, no im2col:
//     y_b = W·x_b (NN), dx_b = Wᵀ·dy_b (TN), dW += dy_b·x_bᵀ (NT).
//   K = 3 or 5, stride 1, dilation 1, groups 1, >= 16 channels in and out (the dense layers of the ECG
//     models), and at least 384 output columns (B·Lout; below that, e.g. batch-1 training, im2col wins
//     because of Winograd's fixed cost; the cached inference forward below has none and always qualifies):
//     Winograd, F(6, 3) for K = 3 and F(4, 5) for K = 5 (below), all three passes. Forward / backward data
//     are the same correlation (backward data: dy with the transposed, reversed weights and pad' = K-1-pad);
//     the weight gradient is F(K, m) with the same points. Measured (interleaved, batch 64) about 2x faster
//     than im2col + GEMM (e.g. [64,32,93] k5 fwd 1.6 vs 5.6 ms). Accuracy: within 0.53 (measured worst) of
//     2 x 4 ulp·(sqrt(terms)+2) of the largest Σ|terms| in the row (test/ops/conv1d.test.ts).
//     conv1dForwardCached (inference) keeps the transformed weights between calls (see there).
//   otherwise (dense): per sample and group im2col into a [Cg*K, Lout] scratch then the packed GEMM of
//     gemm.ts: y_b = W_g·col (NN, bias pre-filled with beta = 1); dW_g += dy_b·colᵀ (NT, beta = 0 for
//     b = 0, else 1); dcol = W_gᵀ·dy_b (TN) then col2im (scatter-add into zeroed dx). Per-sample GEMMs
//     (N = Lout ≈ 50-190) measured faster than one fused GEMM over N = B*Lout (41 vs 27 GFLOP/s for
//     [64,160]x[160,93]): every operand stays in L1/L2 and no batch transpose is needed.
//
// Scratch (`scratch`, 64-byte aligned, conv1dScratchSize(B, ...) bytes): im2col path [col: Cg*K*Lout f32
// rounded to 64 B][GEMM work: max gemmWorkSize over the three passes]; Winograd path [transformed weights
// or P][padded row][transformed inputs][transformed outputs / dy][GEMM work] per chunk of samples (the
// size is the maximum over all paths of the shape). Unused (may be 0) for the Cg = 1 paths.
// `conv1dSetWinograd(mode)`: 1 = automatic (default), 0 = never, 2 = whenever the shape allows (tests use 0
// and 2 to check both paths on every eligible shape).
//
// Summation order: every output element follows the same order in both builds (the SIMD lanes hold
// independent outputs; dot() keeps the same 16 partial sums in the scalar build), so they agree bit for bit.
// The relaxed-SIMD build (assembly/fma.ts) keeps the order but fuses the multiply-adds of the GEMMs and of
// the SIMD lanes of corrRow / tapsRow (the scalar edge outputs keep mul then add): it differs by rounding.
import { gemm, gemmWorkSize, gemmPackASize, gemmPackA, gemmPrepackedA } from './gemm';
import { dot } from './reduce';
import { madd, maddf } from './fma';
import { tls } from './threads';
import {
  WINO_G3, WINO_G5, WINO_G63, winoIn3, winoIn5, winoIn63, winoOut3, winoOut5, winoOut63, winoDy3, winoDy5, winoDy63,
} from './conv1d-winograd';

// @ts-ignore: decorator
@inline function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}
// @ts-ignore: decorator
@inline function imax(a: i32, b: i32): i32 {
  return a > b ? a : b;
}
// @ts-ignore: decorator
@inline function align64(x: i32): i32 {
  return (x + 63) & ~63;
}
// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** First l >= 0 with l*s + off >= 0. */
// @ts-ignore: decorator
@inline function loL(off: i32, s: i32): i32 {
  return off >= 0 ? 0 : (s - 1 - off) / s;
}
/** One past the last l < Lout with l*s + off < L (may be <= loL: empty range). */
// @ts-ignore: decorator
@inline function hiL(off: i32, s: i32, L: i32, Lout: i32): i32 {
  const r = L - 1 - off;
  return r < 0 ? 0 : imin(r / s + 1, Lout);
}

function isPointwise(K: i32, stride: i32, pad: i32): bool {
  return K == 1 && stride == 1 && pad == 0;
}

/** Scratch bytes for the pointwise path's packed weights (W for the forward, Wᵀ for the backward data): the
 * same A operand multiplies every sample, so it is packed once per call (gemmPackA) instead of per sample. */
function pwPackBytes(Og: i32, Cg: i32): i32 {
  return align64(imax(gemmPackASize(Og, Cg), gemmPackASize(Cg, Og)));
}

/** Bytes of scratch the three conv1d passes need for this shape. */
export function conv1dScratchSize(B: i32, Cin: i32, L: i32, Cout: i32, K: i32, stride: i32, pad: i32, dil: i32, groups: i32, Lout: i32): i32 {
  const Cg = Cin / groups, Og = Cout / groups;
  if (Cg == 1) return groups == 1 && stride == 1 ? cin1Bytes(K, dil, Lout) : 0;
  let wino = 0;
  if (winoShape(Cin, Cout, K, stride, dil, groups))
    wino = imax(imax(winoScratch(Cin, Cout, K, L, Lout, B), winoScratch(Cout, Cin, K, Lout, L, B)), winoWeightScratch(Cin, Cout, K, Lout, B));
  if (isPointwise(K, stride, pad)) {
    return pwPackBytes(Og, Cg) + imax(gemmWorkSize(Og, L, Cg), imax(gemmWorkSize(Cg, L, Og), gemmWorkSize(Og, Cg, L)));
  }
  const CK = Cg * K;
  const g = imax(gemmWorkSize(Og, Lout, CK), imax(gemmWorkSize(CK, Lout, Og), gemmWorkSize(Og, CK, Lout)));
  return imax(wino, align64(CK * Lout * 4) + g);
}

// ---------------------------------------------------------------------------------------------
// im2col / col2im for one sample and group: col[(c*K + k), l] = x[c, l*s + k*d - pad] (0 outside).

function im2col(x: usize, L: i32, Cg: i32, K: i32, s: i32, pad: i32, d: i32, Lout: i32, col: usize): void {
  let row = col;
  const rowBytes = <usize>Lout << 2;
  for (let c = 0; c < Cg; c++) {
    const xr = x + (<usize>(c * L) << 2);
    for (let k = 0; k < K; k++) {
      const off = k * d - pad;
      const lo = imin(loL(off, s), Lout);
      const hi = imax(hiL(off, s, L, Lout), lo);
      if (lo > 0) memory.fill(row, 0, <usize>lo << 2);
      if (s == 1) memory.copy(at(row, lo), at(xr, lo + off), <usize>(hi - lo) << 2);
      else for (let l = lo; l < hi; l++) store<f32>(at(row, l), load<f32>(at(xr, l * s + off)));
      if (hi < Lout) memory.fill(at(row, hi), 0, <usize>(Lout - hi) << 2);
      row += rowBytes;
    }
  }
}

/** dx[c, l*s + k*d - pad] += col[(c*K + k), l] over the valid positions, in (c, k, l) order. */
function col2im(col: usize, L: i32, Cg: i32, K: i32, s: i32, pad: i32, d: i32, Lout: i32, dx: usize): void {
  let row = col;
  const rowBytes = <usize>Lout << 2;
  for (let c = 0; c < Cg; c++) {
    const xr = dx + (<usize>(c * L) << 2);
    for (let k = 0; k < K; k++) {
      const off = k * d - pad;
      const lo = imin(loL(off, s), Lout);
      const hi = imax(hiL(off, s, L, Lout), lo);
      let l = lo;
      if (s == 1) {
        if (ASC_FEATURE_SIMD) {
          for (; l + 4 <= hi; l += 4) {
            const p = at(xr, l + off);
            v128.store(p, f32x4.add(v128.load(p), v128.load(at(row, l))));
          }
        }
        for (; l < hi; l++) {
          const p = at(xr, l + off);
          store<f32>(p, load<f32>(p) + load<f32>(at(row, l)));
        }
      } else {
        for (; l < hi; l++) {
          const p = at(xr, l * s + off);
          store<f32>(p, load<f32>(p) + load<f32>(at(row, l)));
        }
      }
      row += rowBytes;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Direct row kernels (Cg = 1).

/**
 * Stride-1 row correlation: y[l] = y0 + Σ_{k<K} w[k] · x[l + k*d - pad] for l < Ly, x read as 0 outside
 * [0, Lx). w[k] is at w + k*ws (ws = 4, or -4 for reversed taps). y0 = b0 when init, else the current y[l].
 * Each output adds its taps in increasing k.
 */
function corrRow(x: usize, Lx: i32, y: usize, Ly: i32, w: usize, ws: isize, K: i32, d: i32, pad: i32, init: bool, b0: f32): void {
  // interior: every tap inside x: l - pad >= 0 and l - pad + (K-1)*d <= Lx - 1
  const lA = imin(imax(pad, 0), Ly);
  const lB = imax(imin(Lx - (K - 1) * d + pad, Ly), lA);
  edgeRow(x, Lx, y, 0, lA, w, ws, K, d, pad, init, b0);
  let l = lA;
  const dB = <usize>d << 2;
  if (ASC_FEATURE_SIMD) {
    const vb = f32x4.splat(b0);
    for (; l + 16 <= lB; l += 16) {
      const yp = at(y, l);
      let a0 = vb, a1 = vb, a2 = vb, a3 = vb;
      if (!init) {
        a0 = v128.load(yp); a1 = v128.load(yp, 16); a2 = v128.load(yp, 32); a3 = v128.load(yp, 48);
      }
      let xp = at(x, l - pad);
      let wp = w;
      for (let k = 0; k < K; k++) {
        const wv = v128.load32_splat(wp);
        a0 = madd(wv, v128.load(xp), a0);
        a1 = madd(wv, v128.load(xp, 16), a1);
        a2 = madd(wv, v128.load(xp, 32), a2);
        a3 = madd(wv, v128.load(xp, 48), a3);
        xp += dB;
        wp += <usize>ws;
      }
      v128.store(yp, a0); v128.store(yp, a1, 16); v128.store(yp, a2, 32); v128.store(yp, a3, 48);
    }
    for (; l + 4 <= lB; l += 4) {
      const yp = at(y, l);
      let a0 = init ? vb : v128.load(yp);
      let xp = at(x, l - pad);
      let wp = w;
      for (let k = 0; k < K; k++) {
        a0 = madd(v128.load32_splat(wp), v128.load(xp), a0);
        xp += dB;
        wp += <usize>ws;
      }
      v128.store(yp, a0);
    }
  } else {
    for (; l + 4 <= lB; l += 4) {
      const yp = at(y, l);
      let a0 = b0, a1 = b0, a2 = b0, a3 = b0;
      if (!init) {
        a0 = load<f32>(yp); a1 = load<f32>(yp, 4); a2 = load<f32>(yp, 8); a3 = load<f32>(yp, 12);
      }
      let xp = at(x, l - pad);
      let wp = w;
      for (let k = 0; k < K; k++) {
        const wv = load<f32>(wp);
        a0 += wv * load<f32>(xp); a1 += wv * load<f32>(xp, 4); a2 += wv * load<f32>(xp, 8); a3 += wv * load<f32>(xp, 12);
        xp += dB;
        wp += <usize>ws;
      }
      store<f32>(yp, a0); store<f32>(yp, a1, 4); store<f32>(yp, a2, 8); store<f32>(yp, a3, 12);
    }
  }
  edgeRow(x, Lx, y, l, lB, w, ws, K, d, pad, init, b0);
  edgeRow(x, Lx, y, lB, Ly, w, ws, K, d, pad, init, b0);
}

/** corrRow for l in [l0, l1) with bounds checks (scalar, same order). */
function edgeRow(x: usize, Lx: i32, y: usize, l0: i32, l1: i32, w: usize, ws: isize, K: i32, d: i32, pad: i32, init: bool, b0: f32): void {
  for (let l = l0; l < l1; l++) {
    const yp = at(y, l);
    let a: f32 = init ? b0 : load<f32>(yp);
    let wp = w;
    for (let k = 0; k < K; k++) {
      const j = l + k * d - pad;
      if (j >= 0 && j < Lx) a += load<f32>(wp) * load<f32>(at(x, j));
      wp += <usize>ws;
    }
    store<f32>(yp, a);
  }
}

// One input channel, one group, stride 1 (the first layer of every zoo model; forward only):
//   y[b, o, l] = bias[o] + Σ_{k<K} w[o, k]·xp[l + k·d],   xp = the sample's row with `pad` zeros before it
// and zeros after it, built once per sample in the scratch (cin1Bytes), so every output, edges included, is
// the same sum in increasing k (a tap outside the row adds w·0). SIMD: four output channels at a time share
// each pair of xp loads (4 channels x 8 outputs in 8 accumulators); the other channels 4 outputs at a time;
// outputs past the last full group through CIN1_TMP. Scalar tails use maddf, so every build rounds each
// term as its vector lanes do (the SIMD and scalar builds agree bit for bit).
const CIN1_TMP: usize = memory.data(128, 16);

function cin1Bytes(K: i32, d: i32, Lout: i32): i32 {
  return align64((Lout + (K - 1) * d + 8) * 4);
}

// @ts-ignore: decorator
@inline function cin1Block4(xp: usize, w0: usize, ws: usize, K: i32, dB: usize, bias: usize, o: i32, y0: usize, ys: usize): void {
  const vb0 = f32x4.splat(bias ? load<f32>(at(bias, o)) : 0), vb1 = f32x4.splat(bias ? load<f32>(at(bias, o + 1)) : 0);
  const vb2 = f32x4.splat(bias ? load<f32>(at(bias, o + 2)) : 0), vb3 = f32x4.splat(bias ? load<f32>(at(bias, o + 3)) : 0);
  let a00 = vb0, a01 = vb0, a10 = vb1, a11 = vb1, a20 = vb2, a21 = vb2, a30 = vb3, a31 = vb3;
  let p = xp, wp = w0;
  for (let k = 0; k < K; k++) {
    const x0 = v128.load(p), x1 = v128.load(p, 16);
    let wv = v128.load32_splat(wp);
    a00 = madd(wv, x0, a00); a01 = madd(wv, x1, a01);
    wv = v128.load32_splat(wp + ws);
    a10 = madd(wv, x0, a10); a11 = madd(wv, x1, a11);
    wv = v128.load32_splat(wp + 2 * ws);
    a20 = madd(wv, x0, a20); a21 = madd(wv, x1, a21);
    wv = v128.load32_splat(wp + 3 * ws);
    a30 = madd(wv, x0, a30); a31 = madd(wv, x1, a31);
    p += dB;
    wp += 4;
  }
  v128.store(y0, a00); v128.store(y0, a01, 16);
  v128.store(y0 + ys, a10); v128.store(y0 + ys, a11, 16);
  v128.store(y0 + 2 * ys, a20); v128.store(y0 + 2 * ys, a21, 16);
  v128.store(y0 + 3 * ys, a30); v128.store(y0 + 3 * ys, a31, 16);
}

function conv1Cin1(x: usize, w: usize, bias: usize, y: usize, B: i32, L: i32, Cout: i32, K: i32, d: i32, pad: i32, Lout: i32, xpad: usize): void {
  const P = Lout + (K - 1) * d + 8;
  const dB = <usize>d << 2, ws = <usize>K << 2, ys = <usize>Lout << 2;
  const n = imax(0, imin(L, P - pad));
  for (let b = 0; b < B; b++) {
    memory.fill(xpad, 0, <usize>P << 2);
    if (n > 0) memory.copy(at(xpad, pad), at(x, b * L), <usize>n << 2);
    const yb = at(y, b * Cout * Lout);
    let o = 0;
    if (ASC_FEATURE_SIMD) {
      for (; o + 4 <= Cout; o += 4) {
        const w0 = at(w, o * K), y0 = at(yb, o * Lout);
        let l = 0;
        for (; l + 8 <= Lout; l += 8) cin1Block4(at(xpad, l), w0, ws, K, dB, bias, o, at(y0, l), ys);
        if (l < Lout) {
          const t = tls(CIN1_TMP);
          cin1Block4(at(xpad, l), w0, ws, K, dB, bias, o, t, 32);
          for (let c = 0; c < 4; c++) memory.copy(at(y0, c * Lout + l), t + (<usize>c << 5), <usize>(Lout - l) << 2);
        }
      }
    }
    for (; o < Cout; o++) {
      const wr = at(w, o * K), yr = at(yb, o * Lout);
      const b0: f32 = bias ? load<f32>(at(bias, o)) : 0;
      let l = 0;
      if (ASC_FEATURE_SIMD) {
        const vb = f32x4.splat(b0);
        for (; l + 4 <= Lout; l += 4) {
          let a = vb, p = at(xpad, l), wp = wr;
          for (let k = 0; k < K; k++) {
            a = madd(v128.load32_splat(wp), v128.load(p), a);
            p += dB;
            wp += 4;
          }
          v128.store(at(yr, l), a);
        }
      }
      for (; l < Lout; l++) {
        let a = b0, p = at(xpad, l), wp = wr;
        for (let k = 0; k < K; k++) {
          a = maddf(load<f32>(wp), load<f32>(p), a);
          p += dB;
          wp += 4;
        }
        store<f32>(at(yr, l), a);
      }
    }
  }
}

// Weight gradient of one (sample, output channel) row pair for the direct path (stride 1):
// TAPS[k] += s_k, s_k = Σ_l dy[l]·x[l + k·d − pad] over the valid l (lo_k <= l < hi_k). All taps in one sweep
// over dy (instead of one dot per tap): l in [A, Bq) (valid for every tap, a multiple of 4 long) in four
// lanes (lane j: l ≡ A + j mod 4, in increasing l; up to five taps per sweep, one dy load for all), lanes
// combined as (l0 + l1) + (l2 + l3); then the remaining l of each tap in increasing order ([lo_k, A) then
// [Bq, hi_k)). The scalar build keeps the same four lanes, so both builds agree bit for bit.
const MAXTAPS: i32 = 16;
const TAPS: usize = memory.data(MAXTAPS * 4, 16); // this row's interior sums
const TAPSUM: usize = memory.data(MAXTAPS * 4, 16); // Σ over samples
const TAPV: usize = memory.data(80, 16); // five f32x4 lane sums

function tapsRow(dy: usize, Lout: i32, x: usize, L: i32, K: i32, d: i32, pad: i32): void {
  // common range: l - pad >= 0 and l - pad + (K-1)·d <= L - 1, within [0, Lout)
  const A = imin(imax(pad, 0), Lout);
  const Bc = imax(imin(L - (K - 1) * d + pad, Lout), A);
  const Bq = A + ((Bc - A) & ~3);
  const dB = <usize>d << 2;
  // interior: up to five taps per sweep (one dy load, independent accumulators), taps k0 .. k0+4
  for (let k0 = 0; k0 < K; k0 += 5) {
    const nk = imin(5, K - k0);
    const xo = at(x, k0 * d - pad);
    if (ASC_FEATURE_SIMD) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0), c4 = f32x4.splat(0);
      for (let l = A; l < Bq; l += 4) {
        const g = v128.load(at(dy, l));
        const p = at(xo, l);
        c0 = madd(g, v128.load(p), c0);
        if (nk > 1) c1 = madd(g, v128.load(p + dB), c1);
        if (nk > 2) c2 = madd(g, v128.load(p + 2 * dB), c2);
        if (nk > 3) c3 = madd(g, v128.load(p + 3 * dB), c3);
        if (nk > 4) c4 = madd(g, v128.load(p + 4 * dB), c4);
      }
      v128.store(tls(TAPV), c0); v128.store(tls(TAPV), c1, 16); v128.store(tls(TAPV), c2, 32); v128.store(tls(TAPV), c3, 48); v128.store(tls(TAPV), c4, 64);
    } else {
      memory.fill(tls(TAPV), 0, 80);
      for (let l = A; l < Bq; l += 4) {
        for (let j = 0; j < 4; j++) {
          const g = load<f32>(at(dy, l + j));
          const p = at(xo, l + j);
          for (let kk = 0; kk < nk; kk++) {
            const q = at(tls(TAPV), kk * 4 + j);
            store<f32>(q, load<f32>(q) + g * load<f32>(p + <usize>kk * dB));
          }
        }
      }
    }
    for (let kk = 0; kk < nk; kk++) {
      const v = at(tls(TAPV), kk * 4);
      store<f32>(at(tls(TAPS), k0 + kk), (load<f32>(v) + load<f32>(v, 4)) + (load<f32>(v, 8) + load<f32>(v, 12)));
    }
  }
  // TAPSUM[k] += interior + the remaining l of the tap in increasing order
  for (let k = 0; k < K; k++) {
    const off = k * d - pad;
    let s = load<f32>(at(tls(TAPS), k));
    const lo = imin(loL(off, 1), Lout);
    const hi = imax(hiL(off, 1, L, Lout), lo);
    for (let l = lo; l < imin(A, hi); l++) s += load<f32>(at(dy, l)) * load<f32>(at(x, l + off));
    for (let l = imax(Bq, lo); l < hi; l++) s += load<f32>(at(dy, l)) * load<f32>(at(x, l + off));
    const t = at(tls(TAPSUM), k);
    store<f32>(t, load<f32>(t) + s);
  }
}

/** Strided forward row: y[l] = b0 + Σ_k w[k]·x[l*s + k*d - pad] (scalar). */
function stridedRow(x: usize, L: i32, y: usize, Lout: i32, w: usize, K: i32, s: i32, d: i32, pad: i32, b0: f32): void {
  for (let l = 0; l < Lout; l++) {
    let a = b0;
    for (let k = 0; k < K; k++) {
      const j = l * s + k * d - pad;
      if (j >= 0 && j < L) a += load<f32>(at(w, k)) * load<f32>(at(x, j));
    }
    store<f32>(at(y, l), a);
  }
}

// ---------------------------------------------------------------------------------------------
// Exports.

export function conv1dForward(
  x: usize, w: usize, bias: usize, y: usize,
  B: i32, Cin: i32, L: i32, Cout: i32, K: i32, stride: i32, pad: i32, dil: i32, groups: i32, Lout: i32,
  scratch: usize,
): void {
  const Cg = Cin / groups, Og = Cout / groups;
  const xs = <usize>(Cin * L) << 2, ys = <usize>(Cout * Lout) << 2;
  if (Cg == 1) {
    if (groups == 1 && stride == 1 && scratch != 0) {
      conv1Cin1(x, w, bias, y, B, L, Cout, K, dil, pad, Lout, scratch);
      return;
    }
    for (let b = 0; b < B; b++) {
      const xb = x + <usize>b * xs, yb = y + <usize>b * ys;
      for (let o = 0; o < Cout; o++) {
        const xr = at(xb, (o / Og) * L), yr = at(yb, o * Lout), wr = at(w, o * K);
        const b0: f32 = bias ? load<f32>(at(bias, o)) : 0;
        if (stride == 1) corrRow(xr, L, yr, Lout, wr, 4, K, dil, pad, true, b0);
        else stridedRow(xr, L, yr, Lout, wr, K, stride, dil, pad, b0);
      }
    }
    return;
  }
  if (useWinograd(Cin, Cout, K, stride, dil, groups, B * Lout)) {
    winoCorr(x, w, false, bias, y, B, Cin, L, Cout, Lout, K, pad, scratch, 0, 0);
    return;
  }
  const pw = isPointwise(K, stride, pad);
  const CK = Cg * K;
  const col = scratch;
  const work = pw ? scratch + <usize>pwPackBytes(Og, Cg) : scratch + <usize>align64(CK * Lout * 4);
  const beta: f32 = bias ? 1 : 0;
  // pointwise, one group, L >= 4: W packed once (gemmPrepackedA: the same bits as gemm)
  const packed = pw && groups == 1 && L >= 4 && gemmPackASize(Og, Cg) > 0 && B > 1;
  if (packed) gemmPackA(0, Og, Cg, w, Cg, scratch);
  for (let b = 0; b < B; b++) {
    const xb = x + <usize>b * xs, yb = y + <usize>b * ys;
    if (bias) {
      for (let o = 0; o < Cout; o++) {
        const v = load<f32>(at(bias, o));
        const yr = at(yb, o * Lout);
        for (let l = 0; l < Lout; l++) store<f32>(at(yr, l), v);
      }
    }
    for (let g = 0; g < groups; g++) {
      const xg = at(xb, g * Cg * L), yg = at(yb, g * Og * Lout), wg = at(w, g * Og * CK);
      if (packed) {
        gemmPrepackedA(Og, L, Cg, 1, scratch, xg, L, beta, yg, L, work);
      } else if (pw) {
        gemm(0, 0, Og, L, Cg, 1, wg, Cg, xg, L, beta, yg, L, work);
      } else {
        im2col(xg, L, Cg, K, stride, pad, dil, Lout, col);
        gemm(0, 0, Og, Lout, CK, 1, wg, CK, col, Lout, beta, yg, Lout, work);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Forward with a weight cache (inference): the Winograd filter transform U = G·w is kept in `cache`
// together with a bit copy of the weights it came from, and recomputed only when the weights differ
// (bit for bit) from that copy, so no caller has to report in-place weight updates. Without the
// transform's fixed cost Winograd already wins at batch 1 (WINO_MIN_COLUMNS_CACHED).
// cache layout: [state: 64 B (i32 1 = valid)][copy of w: Cout·Cin·K f32, 64-B rounded][U: α·Cout·Cin f32, 64-B
// rounded][U_i packed as GEMM A operands (gemmPackA), when gemmPackASize allows].
// The caller zero-fills a new cache. Results are bit-identical to conv1dForward's Winograd path.

/** Bytes of the weight cache conv1dForwardCached uses for this shape; 0 when it never uses one. */
export function conv1dWeightCacheSize(Cin: i32, Cout: i32, K: i32, stride: i32, dil: i32, groups: i32): i32 {
  if (!winoShape(Cin, Cout, K, stride, dil, groups)) return 0;
  return 64 + align64(Cout * Cin * K * 4) + align64(wa(K) * Cout * Cin * 4) + align64(wa(K) * gemmPackASize(Cout, Cin));
}

/** Whether the n words at a and b hold the same bits. */
function sameBits(a: usize, b: usize, n: i32): bool {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      if (v128.any_true(v128.xor(v128.load(a + o), v128.load(b + o)))) return false;
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    if (load<u32>(a + o) != load<u32>(b + o)) return false;
  }
  return true;
}

// measured (batch 1, bench/conv1d.ts style): with U cached, Winograd beats im2col + GEMM from B = 1 on
// [B,32,93] k5 and [B,64,46] k3
const WINO_MIN_COLUMNS_CACHED = 0;

/** Whether conv1dForwardCached takes its cached Winograd path for B > 0 samples of this shape. */
function cachedPath(cache: usize, Cin: i32, Cout: i32, K: i32, stride: i32, dil: i32, groups: i32, B: i32, Lout: i32): bool {
  return cache != 0 && winoShape(Cin, Cout, K, stride, dil, groups) && B > 0 &&
    (winogradMode == 2 || (winogradMode == 1 && B * Lout >= WINO_MIN_COLUMNS_CACHED));
}

/** Brings the cache up to date with w (U = G·w and its packed panels recomputed when w's bits differ from the copy). */
function refreshCache(w: usize, Cout: i32, Cin: i32, K: i32, cache: usize): void {
  const n = Cout * Cin * K;
  const wc = cache + 64;
  if (load<i32>(cache) == 1 && sameBits(w, wc, n)) return;
  const U = cacheU(cache, Cout, Cin, K), UP = cacheUP(cache, Cout, Cin, K);
  const a = wa(K), ps = gemmPackASize(Cout, Cin);
  winoFilter(w, Cout, Cin, K, false, U);
  for (let i = 0; i < a && ps; i++) gemmPackA(0, Cout, Cin, at(U, i * Cout * Cin), Cin, UP + <usize>(i * ps));
  memory.copy(wc, w, <usize>n << 2);
  store<i32>(cache, 1);
}

@inline function cacheU(cache: usize, Cout: i32, Cin: i32, K: i32): usize {
  return cache + 64 + <usize>align64(Cout * Cin * K * 4);
}

@inline function cacheUP(cache: usize, Cout: i32, Cin: i32, K: i32): usize {
  return gemmPackASize(Cout, Cin) ? cacheU(cache, Cout, Cin, K) + <usize>align64(wa(K) * Cout * Cin * 4) : 0;
}

/** conv1dForward (same arguments) plus `cache` (conv1dWeightCacheSize bytes, zero-filled when new; 0 = none). */
export function conv1dForwardCached(
  x: usize, w: usize, bias: usize, y: usize,
  B: i32, Cin: i32, L: i32, Cout: i32, K: i32, stride: i32, pad: i32, dil: i32, groups: i32, Lout: i32,
  scratch: usize, cache: usize,
): void {
  if (cachedPath(cache, Cin, Cout, K, stride, dil, groups, B, Lout)) {
    refreshCache(w, Cout, Cin, K, cache);
    winoCorr(x, w, false, bias, y, B, Cin, L, Cout, Lout, K, pad, scratch, cacheU(cache, Cout, Cin, K), cacheUP(cache, Cout, Cin, K));
    return;
  }
  conv1dForward(x, w, bias, y, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch);
}

/**
 * Kernel threads (src/wasm/threaded.ts): 1 when conv1dForwardCached of B samples takes its cached Winograd
 * path on this instance, after bringing the cache up to date (the calling thread does this once; the parts,
 * conv1dForwardCachedRange on other instances, then only read the cache); 0 when it does not (the caller
 * splits conv1dForward instead, which is what conv1dForwardCached would run).
 */
export function conv1dCacheRefresh(w: usize, B: i32, Cin: i32, Cout: i32, K: i32, stride: i32, dil: i32, groups: i32, Lout: i32, cache: usize): i32 {
  if (!cachedPath(cache, Cin, Cout, K, stride, dil, groups, B, Lout)) return 0;
  refreshCache(w, Cout, Cin, K, cache);
  return 1;
}

/**
 * conv1dForwardCached of samples [b0, b1) on its cached Winograd path, with a cache made current by
 * conv1dCacheRefresh (read only; scratch: conv1dScratchSize for b1 - b0 samples). A sample's outputs do
 * not depend on the batch (see the Range functions below), so any split gives the whole call's bits.
 */
export function conv1dForwardCachedRange(
  x: usize, w: usize, bias: usize, y: usize, Cin: i32, L: i32, Cout: i32, K: i32, pad: i32, Lout: i32,
  scratch: usize, cache: usize, b0: i32, b1: i32,
): void {
  const xs = <usize>(Cin * L) << 2, ys = <usize>(Cout * Lout) << 2;
  winoCorr(x + <usize>b0 * xs, w, false, bias, y + <usize>b0 * ys, b1 - b0, Cin, L, Cout, Lout, K, pad, scratch,
    cacheU(cache, Cout, Cin, K), cacheUP(cache, Cout, Cin, K));
}

export function conv1dBackwardData(
  dy: usize, w: usize, dx: usize,
  B: i32, Cin: i32, L: i32, Cout: i32, K: i32, stride: i32, pad: i32, dil: i32, groups: i32, Lout: i32,
  scratch: usize,
): void {
  const Cg = Cin / groups, Og = Cout / groups;
  const xs = <usize>(Cin * L) << 2, ys = <usize>(Cout * Lout) << 2;
  if (Cg == 1) {
    const padR = (K - 1) * dil - pad;
    for (let b = 0; b < B; b++) {
      const dxb = dx + <usize>b * xs, dyb = dy + <usize>b * ys;
      for (let i = 0; i < Cin; i++) {
        const dxr = at(dxb, i * L);
        if (stride == 1) {
          for (let j = 0; j < Og; j++) {
            const o = i * Og + j;
            corrRow(at(dyb, o * Lout), Lout, dxr, L, at(w, o * K + K - 1), -4, K, dil, padR, j == 0, 0);
          }
        } else {
          memory.fill(dxr, 0, <usize>L << 2);
          for (let j = 0; j < Og; j++) {
            const o = i * Og + j;
            const dyr = at(dyb, o * Lout);
            for (let k = 0; k < K; k++) {
              const wk = load<f32>(at(w, o * K + k));
              const off = k * dil - pad;
              const lo = imin(loL(off, stride), Lout);
              const hi = imax(hiL(off, stride, L, Lout), lo);
              for (let l = lo; l < hi; l++) {
                const p = at(dxr, l * stride + off);
                store<f32>(p, load<f32>(p) + wk * load<f32>(at(dyr, l)));
              }
            }
          }
        }
      }
    }
    return;
  }
  if (useWinograd(Cin, Cout, K, stride, dil, groups, B * L)) {
    winoCorr(dy, w, true, 0, dx, B, Cout, Lout, Cin, L, K, K - 1 - pad, scratch, 0, 0);
    return;
  }
  const pw = isPointwise(K, stride, pad);
  const CK = Cg * K;
  const col = scratch;
  const work = pw ? scratch + <usize>pwPackBytes(Og, Cg) : scratch + <usize>align64(CK * Lout * 4);
  const packed = pw && groups == 1 && L >= 4 && gemmPackASize(Cg, Og) > 0 && B > 1;
  if (packed) gemmPackA(1, Cg, Og, w, Cg, scratch);
  for (let b = 0; b < B; b++) {
    const dxb = dx + <usize>b * xs, dyb = dy + <usize>b * ys;
    if (!pw) memory.fill(dxb, 0, xs);
    for (let g = 0; g < groups; g++) {
      const dxg = at(dxb, g * Cg * L), dyg = at(dyb, g * Og * Lout), wg = at(w, g * Og * CK);
      if (packed) {
        gemmPrepackedA(Cg, L, Og, 1, scratch, dyg, L, 0, dxg, L, work);
      } else if (pw) {
        gemm(1, 0, Cg, L, Og, 1, wg, Cg, dyg, L, 0, dxg, L, work);
      } else {
        gemm(1, 0, CK, Lout, Og, 1, wg, CK, dyg, Lout, 0, col, Lout, work);
        col2im(col, L, Cg, K, stride, pad, dil, Lout, dxg);
      }
    }
  }
}

export function conv1dBackwardWeight(
  x: usize, dy: usize, dw: usize,
  B: i32, Cin: i32, L: i32, Cout: i32, K: i32, stride: i32, pad: i32, dil: i32, groups: i32, Lout: i32,
  scratch: usize,
): void {
  const wino = B > 0 && Cin / groups > 1 && useWinograd(Cin, Cout, K, stride, dil, groups, B * Lout);
  weightRows(x, dy, dw, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch, 0, Cout, wino);
}

/** conv1dBackwardWeight for the rows o0 <= o < o1 of dw (each row's sums exactly as in the whole pass). */
function weightRows(
  x: usize, dy: usize, dw: usize,
  B: i32, Cin: i32, L: i32, Cout: i32, K: i32, stride: i32, pad: i32, dil: i32, groups: i32, Lout: i32,
  scratch: usize, o0: i32, o1: i32, wino: bool,
): void {
  const Cg = Cin / groups, Og = Cout / groups;
  const xs = <usize>(Cin * L) << 2, ys = <usize>(Cout * Lout) << 2;
  if (Cg == 1) {
    if (stride == 1 && K <= MAXTAPS) {
      for (let o = o0; o < o1; o++) {
        const i = o / Og;
        for (let k = 0; k < K; k++) store<f32>(at(tls(TAPSUM), k), 0);
        for (let b = 0; b < B; b++)
          tapsRow(at(dy + <usize>b * ys, o * Lout), Lout, x + <usize>b * xs + (<usize>(i * L) << 2), L, K, dil, pad);
        for (let k = 0; k < K; k++) store<f32>(at(dw, o * K + k), load<f32>(at(tls(TAPSUM), k)));
      }
      return;
    }
    for (let o = o0; o < o1; o++) {
      const i = o / Og;
      for (let k = 0; k < K; k++) {
        const off = k * dil - pad;
        const lo = imin(loL(off, stride), Lout);
        const hi = imax(hiL(off, stride, L, Lout), lo);
        let acc: f32 = 0;
        for (let b = 0; b < B; b++) {
          const xr = x + <usize>b * xs + (<usize>(i * L) << 2);
          const dyr = dy + <usize>b * ys + (<usize>(o * Lout) << 2);
          if (stride == 1) {
            acc += dot(at(dyr, lo), at(xr, lo + off), hi - lo);
          } else {
            let s: f32 = 0;
            for (let l = lo; l < hi; l++) s += load<f32>(at(dyr, l)) * load<f32>(at(xr, l * stride + off));
            acc += s;
          }
        }
        store<f32>(at(dw, o * K + k), acc);
      }
    }
    return;
  }
  if (wino) {
    winoWeight(x, dy, dw, B, Cin, L, Cout, Lout, K, pad, scratch, o0, o1);
    return;
  }
  const pw = isPointwise(K, stride, pad);
  const CK = Cg * K;
  if (B == 0) {
    if (o1 > o0) memory.fill(at(dw, o0 * CK), 0, <usize>((o1 - o0) * CK) << 2);
    return;
  }
  const col = scratch;
  const work = pw ? scratch + <usize>pwPackBytes(Og, Cg) : scratch + <usize>align64(CK * Lout * 4);
  for (let b = 0; b < B; b++) {
    const xb = x + <usize>b * xs, dyb = dy + <usize>b * ys;
    const beta: f32 = b == 0 ? 0 : 1;
    for (let g = 0; g < groups; g++) {
      // the rows of this group within [o0, o1)
      const r0 = imax(o0, g * Og), r1 = imin(o1, g * Og + Og);
      if (r0 >= r1) continue;
      const xg = at(xb, g * Cg * L), dyg = at(dyb, r0 * Lout), dwg = at(dw, r0 * CK);
      if (pw) {
        gemm(0, 1, r1 - r0, Cg, L, 1, dyg, L, xg, L, beta, dwg, Cg, work);
      } else {
        im2col(xg, L, Cg, K, stride, pad, dil, Lout, col);
        gemm(0, 1, r1 - r0, CK, Lout, 1, dyg, Lout, col, Lout, beta, dwg, CK, work);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Range entry points for the kernel thread pool (src/wasm/threaded.ts, docs/kernels.md "Threads"): one
// part of a pass, so that instances sharing one memory compute disjoint outputs of the same call. `wino`
// is the path of the whole call (conv1dWinogradChoice on the full shape, on the calling instance), forced
// here so that a part never changes path because its batch is smaller. Each output element is computed
// by the code and in the summation order of the whole pass, so results are bit-identical for any split:
//   forward, backward data: samples [b0, b1) (a sample's outputs do not depend on the batch: Winograd's
//     chunks only regroup GEMM columns, and the GEMM's depth, the channels, is the same);
//   backward weight: output channels [o0, o1) (rows of dw; the sum over samples keeps its order).

/** 1 when a pass with `columns` output columns (B·Lout forward and weight, B·L backward data) takes Winograd. */
export function conv1dWinogradChoice(Cin: i32, Cout: i32, K: i32, stride: i32, dil: i32, groups: i32, columns: i32): i32 {
  return Cin / groups > 1 && useWinograd(Cin, Cout, K, stride, dil, groups, columns) ? 1 : 0;
}

/** conv1dForward of samples [b0, b1) (scratch: conv1dScratchSize for b1 - b0 samples) on the path `wino`. */
export function conv1dForwardRange(
  x: usize, w: usize, bias: usize, y: usize,
  Cin: i32, L: i32, Cout: i32, K: i32, stride: i32, pad: i32, dil: i32, groups: i32, Lout: i32,
  scratch: usize, b0: i32, b1: i32, wino: i32,
): void {
  const saved = winogradMode;
  winogradMode = wino ? 2 : 0;
  const xs = <usize>(Cin * L) << 2, ys = <usize>(Cout * Lout) << 2;
  conv1dForward(x + <usize>b0 * xs, w, bias, y + <usize>b0 * ys, b1 - b0, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch);
  winogradMode = saved;
}

/**
 * Kernel threads (src/wasm/threaded.ts): the Winograd filter of a split call, computed once by the calling
 * thread instead of once per part. Bytes of the block: U = G·w (a x O x C) and, when the shape allows, its
 * panels packed as GEMM A operands, in winoCorr's layout. Threads builds only (stubs elsewhere: 0, no-ops).
 */
export function conv1dWinoFilterSize(O: i32, C: i32, K: i32): i32 {
  if (!ASC_FEATURE_THREADS) return 0;
  return align64(wa(K) * O * C * 4) + align64(wa(K) * gemmPackASize(O, C));
}

/**
 * Fills a conv1dWinoFilterSize(O, C, K) block at dst from the weights w: the forward filter (flip 0: w is
 * O x C x K, O = Cout, C = Cin) or the backward-data filter (flip 1: w is the forward C x O x K weight,
 * O = Cin, C = Cout), exactly as winoCorr computes it for itself.
 */
export function conv1dWinoFilter(w: usize, O: i32, C: i32, K: i32, flip: i32, dst: usize): void {
  if (!ASC_FEATURE_THREADS) return;
  winoFilter(w, O, C, K, flip != 0, dst);
  const a = wa(K), ps = gemmPackASize(O, C), UP = dst + <usize>align64(a * O * C * 4);
  for (let i = 0; i < a && ps; i++) gemmPackA(0, O, C, at(dst, i * O * C), C, UP + <usize>(i * ps));
}

/**
 * The Winograd correlation of samples [b0, b1) with a filter block of conv1dWinoFilter: the forward pass
 * (x, bias, y; C = Cin, O = Cout, pad) or the backward-data pass (dy, 0, dx; C = Cout, Lx = Lout, O = Cin,
 * Ly = L, pad = K - 1 - pad). Scratch: conv1dScratchSize for b1 - b0 samples. The same bits as the whole
 * call on its Winograd path (a sample's outputs do not depend on the batch).
 */
export function conv1dWinoRange(
  x: usize, bias: usize, y: usize, C: i32, Lx: i32, O: i32, Ly: i32, K: i32, pad: i32,
  scratch: usize, filt: usize, b0: i32, b1: i32,
): void {
  if (!ASC_FEATURE_THREADS) return;
  const xs = <usize>(C * Lx) << 2, ys = <usize>(O * Ly) << 2;
  const UP = gemmPackASize(O, C) ? filt + <usize>align64(wa(K) * O * C * 4) : 0;
  winoCorr(x + <usize>b0 * xs, 0, false, bias, y + <usize>b0 * ys, b1 - b0, C, Lx, O, Ly, K, pad, scratch, filt, UP);
}

/** conv1dBackwardData of samples [b0, b1) (scratch: conv1dScratchSize for b1 - b0 samples) on the path `wino`. */
export function conv1dBackwardDataRange(
  dy: usize, w: usize, dx: usize,
  Cin: i32, L: i32, Cout: i32, K: i32, stride: i32, pad: i32, dil: i32, groups: i32, Lout: i32,
  scratch: usize, b0: i32, b1: i32, wino: i32,
): void {
  const saved = winogradMode;
  winogradMode = wino ? 2 : 0;
  const xs = <usize>(Cin * L) << 2, ys = <usize>(Cout * Lout) << 2;
  conv1dBackwardData(dy + <usize>b0 * ys, w, dx + <usize>b0 * xs, b1 - b0, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch);
  winogradMode = saved;
}

/** conv1dBackwardWeight of the rows [o0, o1) of dw (scratch: conv1dScratchSize for all B samples) on the path `wino`. */
export function conv1dBackwardWeightRange(
  x: usize, dy: usize, dw: usize,
  B: i32, Cin: i32, L: i32, Cout: i32, K: i32, stride: i32, pad: i32, dil: i32, groups: i32, Lout: i32,
  scratch: usize, o0: i32, o1: i32, wino: i32,
): void {
  weightRows(x, dy, dw, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch, o0, o1, wino != 0 && B > 0);
}

// ---------------------------------------------------------------------------------------------
// Winograd F(m, K): F(6, 3) for K = 3, F(4, 5) for K = 5 (stride 1, dilation 1, groups 1).
// Per tile of m outputs, α = m + K - 1 = 8 transformed points: y_tile = Aᵀ[(G·w) ⊙ (Bᵀ·d_tile)], d_tile
// the α inputs under the tile (transforms generated as straight-line code: conv1d-winograd.ts).
// F(6, 3) instead of F(4, 3): 1.33 instead of 1.5 multiplications per output and cheaper transforms per
// output; measured 2-4% faster per conv3 pass at batch 64 and 52 -> 43 us for the cached batch-1 forward
// (N = 8 tiles fill one 8-wide GEMM strip where F(4, 3)'s 12 needed two); same points as F(4, 5).
// Tiles of one sample are padded to a multiple of 4 (Tq) so f32x4 lanes hold 4 neighbouring tiles:
// the input transform reads contiguous vectors and transposes them into d_0..d_7; the output
// transform transposes back. Per point i one GEMM over channels, M_i [O, N] = U_i [O, C] · V_i [C, N],
// with N = (samples in a chunk)·Tq; chunks of ~WCHUNK tiles keep V and M in cache.

// Target tiles (GEMM columns; GEMM depth for the weight gradient) per chunk. Measured in whole StdCNN
// training steps (batch 64, passes interleaved with the other layers, so operands arrive cache-cold):
// 96 beats 384 by about 10% of the step (e.g. 17.8 vs 20.1 ms best-of, 19.5 vs 21.8 median; 128 and 192
// close behind, 768 worse). The transformed chunk (α·(C + O)·N floats) then stays in L1/L2 between the
// transform and the GEMMs; isolated single-layer loops (everything L2-resident) hide this.
const WCHUNK: i32 = 96;

let winogradMode: i32 = 1;

/** Winograd mode: 1 = automatic (default), 0 = never, 2 = whenever the shape allows (tests compare paths). */
export function conv1dSetWinograd(mode: i32): void {
  winogradMode = mode;
}

/** The Winograd mode conv1dSetWinograd set (kernel threads pass the calling instance's mode to the parts). */
export function conv1dGetWinograd(): i32 {
  return winogradMode;
}

/** Shapes where Winograd applies (conv1dScratchSize ignores the switch, so its size covers both). */
function winoShape(Cin: i32, Cout: i32, K: i32, stride: i32, dil: i32, groups: i32): bool {
  return stride == 1 && dil == 1 && groups == 1 && (K == 3 || K == 5) && Cin >= 16 && Cout >= 16;
}

// Winograd's fixed cost (weight transform and per-point packing) only pays off with enough columns:
// measured crossovers (bench/conv1d.ts style, forward): [B,32,93] k5 at B ≈ 4, [B,64,46] k3 at B ≈ 8,
// i.e. B·Lout ≈ 370 in both; below that im2col + GEMM is up to 3.4x faster (B = 1: 52 vs 120 us, 59 vs 203 us).
const WINO_MIN_COLUMNS = 384;

function useWinograd(Cin: i32, Cout: i32, K: i32, stride: i32, dil: i32, groups: i32, columns: i32): bool {
  return (winogradMode == 2 || (winogradMode == 1 && columns >= WINO_MIN_COLUMNS)) && winoShape(Cin, Cout, K, stride, dil, groups);
}

/** Tap kk of the four consecutive K-tap rows at src, one per lane. */
// @ts-ignore: decorator
@inline function tapVector(src: usize, K: i32, kk: i32): v128 {
  let t = f32x4.splat(load<f32>(at(src, kk)));
  t = f32x4.replace_lane(t, 1, load<f32>(at(src, K + kk)));
  t = f32x4.replace_lane(t, 2, load<f32>(at(src, 2 * K + kk)));
  return f32x4.replace_lane(t, 3, load<f32>(at(src, 3 * K + kk)));
}

/**
 * U[i][o][c] = Σ_k G[i][k]·w(o, c, k), w(o,c,k) = w[o,c,k] (flip = 0) or w[c,o,K-1-k] (flip = 1, O/C swapped).
 * Each element is ((0 + G[i][0]·w0) + G[i][1]·w1) + ... in increasing k in both builds; the SIMD build
 * computes four consecutive source weights [j..j+4) of w (flat [rows][K]) per f32x4.
 */
function winoFilter(w: usize, O: i32, C: i32, K: i32, flip: bool, U: usize): void {
  const a = wa(K);
  const G = wG(K);
  const n = O * C; // source weights (rows of K taps); for flip the source row is (o, c) of the forward weight
  const plane = <usize>n << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const src = at(w, j * K);
      // destination of source row j + lane: j + lane (flip = 0) or c*O + o with (o, c) = divmod(j + lane, C)
      // (flip = 1: the source is the forward weight [C][O][K] seen from the backward, O = its inputs)
      let d0 = j, d1 = j + 1, d2 = j + 2, d3 = j + 3;
      if (flip) {
        d0 = (d0 % O) * C + d0 / O; d1 = (d1 % O) * C + d1 / O; d2 = (d2 % O) * C + d2 / O; d3 = (d3 % O) * C + d3 / O;
      }
      // the K tap vectors (tap k of the four rows), gathered once for all α points
      const t0 = tapVector(src, K, flip ? K - 1 : 0), t1 = tapVector(src, K, flip ? K - 2 : 1), t2 = tapVector(src, K, flip ? K - 3 : 2);
      const t3 = K == 5 ? tapVector(src, K, flip ? 1 : 3) : t0, t4 = K == 5 ? tapVector(src, K, flip ? 0 : 4) : t0;
      for (let i = 0; i < a; i++) {
        const g = at(G, i * K);
        let acc = f32x4.add(f32x4.splat(0), f32x4.mul(v128.load32_splat(g), t0));
        acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(g + 4), t1));
        acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(g + 8), t2));
        if (K == 5) {
          acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(g + 12), t3));
          acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(g + 16), t4));
        }
        const Ui = U + <usize>i * plane;
        if (!flip) v128.store(at(Ui, j), acc);
        else {
          store<f32>(at(Ui, d0), f32x4.extract_lane(acc, 0));
          store<f32>(at(Ui, d1), f32x4.extract_lane(acc, 1));
          store<f32>(at(Ui, d2), f32x4.extract_lane(acc, 2));
          store<f32>(at(Ui, d3), f32x4.extract_lane(acc, 3));
        }
      }
    }
  }
  for (; j < n; j++) {
    const src = at(w, j * K);
    const d = flip ? (j % O) * C + j / O : j;
    for (let i = 0; i < a; i++) {
      let s: f32 = 0;
      for (let k = 0; k < K; k++) s += load<f32>(at(G, i * K + k)) * load<f32>(at(src, flip ? K - 1 - k : k));
      store<f32>(at(U + <usize>i * plane, d), s);
    }
  }
}

// K = 3 uses F(6, 3) (α = 8, 1.33 multiplications per output instead of F(4, 3)'s 1.5), K = 5 F(4, 5).
const F63: bool = true;

/** Outputs per Winograd tile for kernel size K. */
// @ts-ignore: decorator
@inline function wm(K: i32): i32 {
  return K == 3 && F63 ? 6 : 4;
}
/** Transformed points α = m + K - 1. */
// @ts-ignore: decorator
@inline function wa(K: i32): i32 {
  return wm(K) + K - 1;
}
/** G [α][K] of kernel size K. */
// @ts-ignore: decorator
@inline function wG(K: i32): usize {
  return K == 3 ? (F63 ? WINO_G63 : WINO_G3) : WINO_G5;
}
/** Tiles of one sample rounded up to a multiple of 4 (one f32x4 holds four neighbouring tiles). */
// @ts-ignore: decorator
@inline function wTq(Ly: i32, K: i32): i32 {
  const m = wm(K);
  return (((Ly + m - 1) / m) + 3) & ~3;
}

function winoScratch(C: i32, O: i32, K: i32, Lx: i32, Ly: i32, B: i32): i32 {
  const a = wa(K);
  const Tq = wTq(Ly, K);
  const nb = imax(1, imin(B, WCHUNK / Tq));
  const N = nb * Tq;
  return align64(a * O * C * 4) + align64(a * gemmPackASize(O, C)) + align64((Tq * wm(K) + 8) * 4) + align64(a * C * N * 4) + align64(a * O * N * 4) + gemmWorkSize(O, N, C);
}

/** Input transform of samples b0 .. b0+nbc-1: V[i][c][bb*Tq + t] = (Bᵀ d)_i, d = x[b0+bb, c, 4t - pad ...]. */
function winoInput(x: usize, C: i32, Lx: i32, pad: i32, K: i32, b0: i32, nbc: i32, Tq: i32, N: i32, xp: usize, V: usize): void {
  const m = wm(K);
  const xpLen = Tq * m + 8;
  const vstep = <usize>(C * N) << 2;
  for (let bb = 0; bb < nbc; bb++) {
    const xb = x + (<usize>((b0 + bb) * C * Lx) << 2);
    for (let c = 0; c < C; c++) {
      // padded row: xp[j] = x[j - pad]
      const xr = at(xb, c * Lx);
      const lo = imin(imax(pad, 0), xpLen);
      const hi = imax(imin(Lx + pad, xpLen), lo);
      if (lo > 0) memory.fill(xp, 0, <usize>lo << 2);
      memory.copy(at(xp, lo), at(xr, lo - pad), <usize>(hi - lo) << 2);
      if (hi < xpLen) memory.fill(at(xp, hi), 0, <usize>(xpLen - hi) << 2);
      const vrow = at(V, c * N + bb * Tq);
      for (let q = 0; q < Tq; q += 4) {
        if (K != 3) winoIn5(at(xp, q * 4), at(vrow, q), vstep);
        else if (F63) winoIn63(at(xp, q * 6), at(vrow, q), vstep);
        else winoIn3(at(xp, q * 4), at(vrow, q), vstep);
      }
    }
  }
}

/**
 * y[b, o, l] = bias[o] (or 0) + Σ_c Σ_k w(o,c,k)·x[b, c, l + k - pad] for l < Ly (x zero outside [0, Lx)),
 * x [B, C, Lx], y [B, O, Ly], via F(m, K). `flip`: w is the forward weight [C, O, K] read transposed and
 * reversed (backward data).
 */
function winoCorr(x: usize, w: usize, flip: bool, bias: usize, y: usize, B: i32, C: i32, Lx: i32, O: i32, Ly: i32, K: i32, pad: i32, scratch: usize, Upre: usize, UPpre: usize): void {
  const a = wa(K), m = wm(K);
  const Tq = wTq(Ly, K);
  const nb = imax(1, imin(B, WCHUNK / Tq));
  const Nmax = nb * Tq;
  // U_i packed once as the GEMM's A operand (gemmPackA) when the shape allows, instead of once per chunk
  const ps = gemmPackASize(O, C);
  const UPs = scratch + <usize>align64(a * O * C * 4);
  const xp = UPs + <usize>align64(a * ps);
  const V = xp + <usize>align64((Tq * m + 8) * 4);
  const Mo = V + <usize>align64(a * C * Nmax * 4);
  const work = Mo + <usize>align64(a * O * Nmax * 4);
  let U = Upre;
  if (!U) {
    U = scratch;
    winoFilter(w, O, C, K, flip, U);
  }
  let UP = UPpre;
  if (!UP && ps) {
    UP = UPs;
    for (let i = 0; i < a; i++) gemmPackA(0, O, C, at(U, i * O * C), C, UP + <usize>(i * ps));
  }
  for (let b0 = 0; b0 < B; b0 += nb) {
    const nbc = imin(nb, B - b0);
    const N = nbc * Tq;
    winoInput(x, C, Lx, pad, K, b0, nbc, Tq, N, xp, V);
    // one GEMM per point
    for (let i = 0; i < a; i++) {
      if (UP) gemmPrepackedA(O, N, C, 1, UP + <usize>(i * ps), at(V, i * C * N), N, 0, at(Mo, i * O * N), N, work);
      else gemm(0, 0, O, N, C, 1, at(U, i * O * C), C, at(V, i * C * N), N, 0, at(Mo, i * O * N), N, work);
    }
    // output transform
    const mstep = <usize>(O * N) << 2;
    for (let bb = 0; bb < nbc; bb++) {
      const yb = y + (<usize>((b0 + bb) * O * Ly) << 2);
      for (let o = 0; o < O; o++) {
        const yr = at(yb, o * Ly);
        const b0v: f32 = bias ? load<f32>(at(bias, o)) : 0;
        const mrow = at(Mo, o * N + bb * Tq);
        for (let q = 0; q < Tq; q += 4) {
          const base = q * m;
          if (base >= Ly) break;
          const n = imin(4 * m, Ly - base);
          if (K != 3) winoOut5(at(mrow, q), mstep, b0v, at(yr, base), n);
          else if (F63) winoOut63(at(mrow, q), mstep, b0v, at(yr, base), n);
          else winoOut3(at(mrow, q), mstep, b0v, at(yr, base), n);
        }
      }
    }
  }
}

function winoWeightScratch(C: i32, O: i32, K: i32, Lout: i32, B: i32): i32 {
  const a = wa(K), m = wm(K);
  const Tq = wTq(Lout, K);
  const nb = imax(1, imin(B, WCHUNK / Tq));
  const N = nb * Tq;
  return align64(a * O * C * 4) + align64((Tq * m + 8) * 4) + align64((Tq * m + 8) * 4) + align64(a * C * N * 4) + align64(a * O * N * 4) + gemmWorkSize(O, C, N);
}

/**
 * Weight gradient by Winograd F(K, 4) (the same points): per tile of 4 outputs, dy_tile (4 values) is the
 * filter and the α inputs under the tile the data: P_i [O, C] = Σ_tiles (A·dy_tile)_i (Bᵀ·d_tile)_iᵀ, one
 * NT GEMM per point with depth = all tiles of the batch, then dw[o, c, k] = Σ_i G[i][k]·P_i[o][c]; for the rows
 * o0 <= o < o1 of dw only (the input transform is computed whole, the dy transform for those rows).
 */
function winoWeight(x: usize, dy: usize, dw: usize, B: i32, C: i32, L: i32, O: i32, Lout: i32, K: i32, pad: i32, scratch: usize, o0: i32, o1: i32): void {
  const a = wa(K), m = wm(K);
  const Tq = wTq(Lout, K);
  const nb = imax(1, imin(B, WCHUNK / Tq));
  const Nmax = nb * Tq;
  const P = scratch;
  const xp = P + <usize>align64(a * O * C * 4);
  const dyp = xp + <usize>align64((Tq * m + 8) * 4);
  const X = dyp + <usize>align64((Tq * m + 8) * 4);
  const D = X + <usize>align64(a * C * Nmax * 4);
  const work = D + <usize>align64(a * O * Nmax * 4);
  for (let b0 = 0; b0 < B; b0 += nb) {
    const nbc = imin(nb, B - b0);
    const N = nbc * Tq;
    winoInput(x, C, L, pad, K, b0, nbc, Tq, N, xp, X);
    const dstep = <usize>(O * N) << 2;
    for (let bb = 0; bb < nbc; bb++) {
      const dyb = dy + (<usize>((b0 + bb) * O * Lout) << 2);
      for (let o = o0; o < o1; o++) {
        memory.copy(dyp, at(dyb, o * Lout), <usize>Lout << 2);
        memory.fill(at(dyp, Lout), 0, <usize>(Tq * m + 8 - Lout) << 2);
        const drow = at(D, o * N + bb * Tq);
        for (let q = 0; q < Tq; q += 4) {
          if (K != 3) winoDy5(at(dyp, q * 4), at(drow, q), dstep);
          else if (F63) winoDy63(at(dyp, q * 6), at(drow, q), dstep);
          else winoDy3(at(dyp, q * 4), at(drow, q), dstep);
        }
      }
    }
    const beta: f32 = b0 == 0 ? 0 : 1;
    for (let i = 0; i < a; i++)
      gemm(0, 1, o1 - o0, C, N, 1, at(D, i * O * N + o0 * N), N, at(X, i * C * N), N, beta, at(P, i * O * C + o0 * C), C, work);
  }
  // dw[oc, k] = ((0 + G[0][k]·P_0[oc]) + G[1][k]·P_1[oc]) + ... in increasing i (SIMD: four oc per f32x4)
  const G = wG(K);
  const OC = O * C, oc1 = o1 * C;
  let oc = o0 * C;
  if (ASC_FEATURE_SIMD) {
    for (; oc + 4 <= oc1; oc += 4) {
      const d = at(dw, oc * K);
      for (let k = 0; k < K; k++) {
        let acc = f32x4.splat(0);
        for (let i = 0; i < a; i++) acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(at(G, i * K + k)), v128.load(at(P, i * OC + oc))));
        store<f32>(at(d, k), f32x4.extract_lane(acc, 0));
        store<f32>(at(d, K + k), f32x4.extract_lane(acc, 1));
        store<f32>(at(d, 2 * K + k), f32x4.extract_lane(acc, 2));
        store<f32>(at(d, 3 * K + k), f32x4.extract_lane(acc, 3));
      }
    }
  }
  for (; oc < oc1; oc++)
    for (let k = 0; k < K; k++) {
      let s: f32 = 0;
      for (let i = 0; i < a; i++) s += load<f32>(at(G, i * K + k)) * load<f32>(at(P, i * OC + oc));
      store<f32>(at(dw, oc * K + k), s);
    }
}
