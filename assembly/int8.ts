// int8 inference kernels (docs/kernels-int8.md): symmetric quantisation, the int8 convolution (im2col into
// i16-pair panels + a GEMM whose lanes are output positions) and the int8 GEMM of Linear layers (dot
// products along K), both with a per-row dequantising epilogue.
//
// Layout. Quantised values are signed bytes in [-127, 127] (symmetric, zero point 0, so a zero-padded
// byte is an exact 0). The GEMM's operands are both "K-contiguous": A (weights) is M rows of Kp bytes,
// B (columns) is N rows of Kp bytes, Kp a multiple of 16 with zero bytes past the real depth.
//
// Math.
//   quantizeI8:  q[i] = clamp(nearest(x[i] · invScale), -127, 127)          (round half to even)
//   gemmI8:      y[(n / Lout)·ldb + m·Lout + n % Lout] = f32(Σ_k a[m,k]·b[n,k]) · (rowScale[m] · colScale) + bias[m]
// The dot products are exact in int32 (|a·b| ≤ 127² and Kp < 2^17), so the SIMD and scalar builds agree
// bit for bit: the epilogue is the same f32 operations in the same order. The SIMD build widens 16 bytes
// to two i16x8 vectors and uses i32x4.dot_i16x8_s (WebAssembly SIMD's integer dot product), a 4x2 tile
// of rows x columns per pass so each loaded vector is used 2 or 4 times.

// @ts-ignore: decorator
@inline function clampQ(v: f32): i32 {
  const r = nearest<f32>(v);
  return r > 127.0 ? 127 : r < -127.0 ? -127 : <i32>r;
}

/** q[i] = clamp(nearest(x[i]·invScale), ±127) for n floats (x f32, q i8). NaN quantises to 0. */
export function quantizeI8(x: usize, q: usize, n: i32, invScale: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(invScale), lo = f32x4.splat(-127.0), hi = f32x4.splat(127.0);
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2);
      // NaN: f32x4.max/min propagate it and trunc_sat maps it to 0, as the scalar path's casts do below.
      const a = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.mul(v128.load(p), s)), lo), hi));
      const b = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.mul(v128.load(p, 16), s)), lo), hi));
      const c = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.mul(v128.load(p, 32), s)), lo), hi));
      const d = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.mul(v128.load(p, 48), s)), lo), hi));
      v128.store(q + i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d)));
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2)) * invScale;
    store<i8>(q + i, v != v ? 0 : <i8>clampQ(v));
  }
}

/**
 * Rows of quantised values padded to Kp bytes: q[r·Kp + c] = quantise(x[r·cols + c]) for c < cols, 0 up
 * to Kp (the Linear layer's input as GEMM columns).
 */
export function quantizeRowsI8(x: usize, q: usize, rows: i32, cols: i32, Kp: i32, invScale: f32): void {
  for (let r = 0; r < rows; r++) {
    const dst = q + <usize>r * Kp;
    quantizeI8(x + (<usize>r * cols << 2), dst, cols, invScale);
    memory.fill(dst + cols, 0, Kp - cols);
  }
}

/**
 * im2col of a quantised input q [B, Cin, L] (bytes) into column panels of i16 pairs, the layout of
 * conv1dI8: for each batch b and panel p of 4 output positions (P = ceil(Lout / 4) panels per batch),
 * Kpair rows of 8 i16: row r holds, for the 4 positions l = 4p + j, the pair (X[2r, l], X[2r+1, l]) at
 * lanes 2j, 2j+1, where X[c·K + k, l] = q[b, c, l·stride - pad + k·dil] (0 outside [0, L), past
 * depth = Cin·K, and past Lout). Panel (b, p) starts at cols + ((b·P + p)·Kpair) · 16 bytes.
 */
export function im2colI8Panels(
  q: usize, cols: usize, B: i32, Cin: i32, L: i32, K: i32, stride: i32, pad: i32, dil: i32, Lout: i32, Kpair: i32,
): void {
  const P = (Lout + 3) >> 2;
  memory.fill(cols, 0, <usize>B * P * Kpair * 16);
  for (let b = 0; b < B; b++) {
    const base = cols + <usize>(b * P) * Kpair * 16;
    for (let c = 0; c < Cin; c++) {
      const src = q + <usize>(b * Cin + c) * L;
      for (let k = 0; k < K; k++) {
        const d = c * K + k;
        const off = k * dil - pad;
        // l·stride + off in [0, L)  <=>  lo <= l < hi
        let lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
        let hi = L - off <= 0 ? 0 : (L - off + stride - 1) / stride;
        if (hi > Lout) hi = Lout;
        const row = base + <usize>(d >> 1) * 16 + ((d & 1) << 1);
        const step = <usize>Kpair * 16;
        let s = src + (lo * stride + off);
        let l = lo;
        for (; l < hi && (l & 3) != 0; l++) {
          store<i16>(row + <usize>(l >> 2) * step + ((l & 3) << 2), <i16>load<i8>(s));
          s += stride;
        }
        // whole panels: 4 positions per panel row, 4 bytes apart
        let dst = row + <usize>(l >> 2) * step;
        for (; l + 4 <= hi; l += 4) {
          store<i16>(dst, <i16>load<i8>(s));
          store<i16>(dst, <i16>load<i8>(s + stride), 4);
          store<i16>(dst, <i16>load<i8>(s + 2 * stride), 8);
          store<i16>(dst, <i16>load<i8>(s + 3 * stride), 12);
          s += 4 * stride;
          dst += step;
        }
        for (; l < hi; l++) {
          store<i16>(row + <usize>(l >> 2) * step + ((l & 3) << 2), <i16>load<i8>(s));
          s += stride;
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function storeOut(y: usize, v: v128, n: i32): void {
  if (n >= 4) v128.store(y, v);
  else {
    store<f32>(y, f32x4.extract_lane(v, 0));
    if (n > 1) store<f32>(y, f32x4.extract_lane(v, 1), 4);
    if (n > 2) store<f32>(y, f32x4.extract_lane(v, 2), 8);
  }
}

/**
 * The int8 convolution's GEMM with a dequantising epilogue:
 *   y[b, m, l] = f32(Σ_r Σ_{t∈{0,1}} a[m, 2r+t] · X_b[2r+t, l]) · (rowScale[m] · colScale) + bias[m]
 * a: M rows of Kpair i32, each the i16 pair (a[m, 2r], a[m, 2r+1]) (the weights, packed once at load);
 * cols: the panels of im2colI8Panels; y [B, M, Lout] f32; bias [M] or 0.
 * SIMD: a 4-row x 8-position tile keeps 8 i32x4 accumulators; per pair row it loads two panel rows and
 * four weight pairs (load32_splat), and i32x4.dot_i16x8_s adds both products of a pair in each lane, so
 * every lane is one output position and the epilogue stores whole vectors (no horizontal sums).
 */
export function conv1dI8(
  M: i32, B: i32, Lout: i32, Kpair: i32, a: usize, cols: usize, rowScale: usize, colScale: f32, bias: usize, y: usize,
): void {
  const P = (Lout + 3) >> 2;
  const panel = <usize>Kpair * 16;
  for (let b = 0; b < B; b++) {
    const pb = cols + <usize>(b * P) * panel;
    const yb = y + (<usize>(b * M) * Lout << 2);
    if (ASC_FEATURE_SIMD) {
      let m = 0;
      for (; m + 4 <= M; m += 4) {
        const a0 = a + <usize>m * Kpair * 4, a1 = a0 + Kpair * 4, a2 = a1 + Kpair * 4, a3 = a2 + Kpair * 4;
        for (let p = 0; p < P; p += 2) {
          const two = p + 1 < P;
          const x0 = pb + <usize>p * panel, x1 = two ? x0 + panel : x0;
          let c00 = i32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
          for (let r = 0; r < Kpair; r++) {
            const o = <usize>r << 4, ow = <usize>r << 2;
            const v0 = v128.load(x0 + o), v1 = v128.load(x1 + o);
            let w = v128.load32_splat(a0 + ow);
            c00 = i32x4.add(c00, i32x4.dot_i16x8_s(w, v0));
            c01 = i32x4.add(c01, i32x4.dot_i16x8_s(w, v1));
            w = v128.load32_splat(a1 + ow);
            c10 = i32x4.add(c10, i32x4.dot_i16x8_s(w, v0));
            c11 = i32x4.add(c11, i32x4.dot_i16x8_s(w, v1));
            w = v128.load32_splat(a2 + ow);
            c20 = i32x4.add(c20, i32x4.dot_i16x8_s(w, v0));
            c21 = i32x4.add(c21, i32x4.dot_i16x8_s(w, v1));
            w = v128.load32_splat(a3 + ow);
            c30 = i32x4.add(c30, i32x4.dot_i16x8_s(w, v0));
            c31 = i32x4.add(c31, i32x4.dot_i16x8_s(w, v1));
          }
          const l = p << 2, n0 = min(4, Lout - l), n1 = two ? min(4, Lout - l - 4) : 0;
          epilogue(yb, m, Lout, l, c00, c01, n0, n1, rowScale, colScale, bias);
          epilogue(yb, m + 1, Lout, l, c10, c11, n0, n1, rowScale, colScale, bias);
          epilogue(yb, m + 2, Lout, l, c20, c21, n0, n1, rowScale, colScale, bias);
          epilogue(yb, m + 3, Lout, l, c30, c31, n0, n1, rowScale, colScale, bias);
        }
      }
      for (; m < M; m++) {
        const am = a + <usize>m * Kpair * 4;
        for (let p = 0; p < P; p++) {
          const x0 = pb + <usize>p * panel;
          let c = i32x4.splat(0);
          for (let r = 0; r < Kpair; r++) c = i32x4.add(c, i32x4.dot_i16x8_s(v128.load32_splat(am + (<usize>r << 2)), v128.load(x0 + (<usize>r << 4))));
          const l = p << 2;
          epilogue(yb, m, Lout, l, c, c, min(4, Lout - l), 0, rowScale, colScale, bias);
        }
      }
    } else {
      for (let m = 0; m < M; m++) {
        const am = a + <usize>m * Kpair * 4;
        const sc = load<f32>(rowScale + (<usize>m << 2)) * colScale;
        const bm = bias ? load<f32>(bias + (<usize>m << 2)) : <f32>0;
        for (let l = 0; l < Lout; l++) {
          const x = pb + <usize>(l >> 2) * panel + ((l & 3) << 2);
          let acc = 0;
          for (let r = 0; r < Kpair; r++) {
            const o = <usize>r << 4, ow = <usize>r << 2;
            acc += <i32>load<i16>(am + ow) * <i32>load<i16>(x + o) + <i32>load<i16>(am + ow, 2) * <i32>load<i16>(x + o, 2);
          }
          let v = <f32>acc * sc;
          if (bias) v += bm;
          store<f32>(yb + (<usize>(m * Lout + l) << 2), v);
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function epilogue(
  yb: usize, m: i32, Lout: i32, l: i32, c0: v128, c1: v128, n0: i32, n1: i32, rowScale: usize, colScale: f32, bias: usize,
): void {
  const s = f32x4.splat(load<f32>(rowScale + (<usize>m << 2)) * colScale);
  const row = yb + (<usize>(m * Lout + l) << 2);
  let v0 = f32x4.mul(f32x4.convert_i32x4_s(c0), s);
  let v1 = f32x4.mul(f32x4.convert_i32x4_s(c1), s);
  if (bias) {
    const bv = f32x4.splat(load<f32>(bias + (<usize>m << 2)));
    v0 = f32x4.add(v0, bv);
    v1 = f32x4.add(v1, bv);
  }
  storeOut(row, v0, n0);
  if (n1 > 0) storeOut(row + 16, v1, n1);
}

// @ts-ignore: decorator
@inline function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

// @ts-ignore: decorator
@inline function dot16(a: v128, b: v128): v128 {
  return i32x4.add(
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(a), i16x8.extend_low_i8x16_s(b)),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(a), i16x8.extend_high_i8x16_s(b)),
  );
}

/** Σ_k a[k]·b[k] over Kp bytes (Kp a multiple of 16). */
function dotI8(a: usize, b: usize, Kp: i32): i32 {
  if (ASC_FEATURE_SIMD) {
    let acc = i32x4.splat(0);
    for (let k = 0; k < Kp; k += 16) acc = i32x4.add(acc, dot16(v128.load(a + k), v128.load(b + k)));
    return hsum(acc);
  } else {
    let s = 0;
    for (let k = 0; k < Kp; k++) s += <i32>load<i8>(a + k) * <i32>load<i8>(b + k);
    return s;
  }
}

// @ts-ignore: decorator
@inline function emit(y: usize, m: i32, n: i32, Lout: i32, ldb: i32, acc: i32, rowScale: usize, colScale: f32, bias: usize): void {
  let v = <f32>acc * (load<f32>(rowScale + (<usize>m << 2)) * colScale);
  if (bias) v += load<f32>(bias + (<usize>m << 2));
  const nb = n / Lout;
  store<f32>(y + ((<usize>nb * ldb + <usize>m * Lout + (n - nb * Lout)) << 2), v);
}

/**
 * y = dequantise(A · Bᵀ): A is M x Kp bytes (rows = output channels), B is N x Kp bytes (rows = output
 * positions), rowScale [M] f32, colScale the activations' scale, bias [M] f32 or 0. Output element
 * (m, n) goes to y[(n / Lout)·ldb + m·Lout + n % Lout] (conv: ldb = Cout·Lout; linear: Lout = 1, ldb = M).
 */
export function gemmI8(
  M: i32, N: i32, Kp: i32, a: usize, b: usize, rowScale: usize, colScale: f32, bias: usize, y: usize, Lout: i32, ldb: i32,
): void {
  // Column blocks of at most 32 KiB of B, so each block stays in cache while every row tile passes over it.
  const NB = max(2, (32768 / Kp) & ~1);
  for (let n0 = 0; n0 < N; n0 += NB) gemmI8Block(M, min(NB, N - n0), n0, Kp, a, b, rowScale, colScale, bias, y, Lout, ldb);
}

function gemmI8Block(
  M: i32, N1: i32, n0: i32, Kp: i32, a: usize, b: usize, rowScale: usize, colScale: f32, bias: usize, y: usize, Lout: i32, ldb: i32,
): void {
  const N = n0 + N1;
  let m = 0;
  if (ASC_FEATURE_SIMD) {
    for (; m + 4 <= M; m += 4) {
      const a0 = a + <usize>m * Kp, a1 = a0 + Kp, a2 = a1 + Kp, a3 = a2 + Kp;
      let n = n0;
      for (; n + 2 <= N; n += 2) {
        const b0 = b + <usize>n * Kp, b1 = b0 + Kp;
        let c00 = i32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (let k = 0; k < Kp; k += 16) {
          const x0 = v128.load(b0 + k), x1 = v128.load(b1 + k);
          const x0l = i16x8.extend_low_i8x16_s(x0), x0h = i16x8.extend_high_i8x16_s(x0);
          const x1l = i16x8.extend_low_i8x16_s(x1), x1h = i16x8.extend_high_i8x16_s(x1);
          let w = v128.load(a0 + k);
          let wl = i16x8.extend_low_i8x16_s(w), wh = i16x8.extend_high_i8x16_s(w);
          c00 = i32x4.add(c00, i32x4.add(i32x4.dot_i16x8_s(wl, x0l), i32x4.dot_i16x8_s(wh, x0h)));
          c01 = i32x4.add(c01, i32x4.add(i32x4.dot_i16x8_s(wl, x1l), i32x4.dot_i16x8_s(wh, x1h)));
          w = v128.load(a1 + k);
          wl = i16x8.extend_low_i8x16_s(w); wh = i16x8.extend_high_i8x16_s(w);
          c10 = i32x4.add(c10, i32x4.add(i32x4.dot_i16x8_s(wl, x0l), i32x4.dot_i16x8_s(wh, x0h)));
          c11 = i32x4.add(c11, i32x4.add(i32x4.dot_i16x8_s(wl, x1l), i32x4.dot_i16x8_s(wh, x1h)));
          w = v128.load(a2 + k);
          wl = i16x8.extend_low_i8x16_s(w); wh = i16x8.extend_high_i8x16_s(w);
          c20 = i32x4.add(c20, i32x4.add(i32x4.dot_i16x8_s(wl, x0l), i32x4.dot_i16x8_s(wh, x0h)));
          c21 = i32x4.add(c21, i32x4.add(i32x4.dot_i16x8_s(wl, x1l), i32x4.dot_i16x8_s(wh, x1h)));
          w = v128.load(a3 + k);
          wl = i16x8.extend_low_i8x16_s(w); wh = i16x8.extend_high_i8x16_s(w);
          c30 = i32x4.add(c30, i32x4.add(i32x4.dot_i16x8_s(wl, x0l), i32x4.dot_i16x8_s(wh, x0h)));
          c31 = i32x4.add(c31, i32x4.add(i32x4.dot_i16x8_s(wl, x1l), i32x4.dot_i16x8_s(wh, x1h)));
        }
        emit(y, m, n, Lout, ldb, hsum(c00), rowScale, colScale, bias);
        emit(y, m, n + 1, Lout, ldb, hsum(c01), rowScale, colScale, bias);
        emit(y, m + 1, n, Lout, ldb, hsum(c10), rowScale, colScale, bias);
        emit(y, m + 1, n + 1, Lout, ldb, hsum(c11), rowScale, colScale, bias);
        emit(y, m + 2, n, Lout, ldb, hsum(c20), rowScale, colScale, bias);
        emit(y, m + 2, n + 1, Lout, ldb, hsum(c21), rowScale, colScale, bias);
        emit(y, m + 3, n, Lout, ldb, hsum(c30), rowScale, colScale, bias);
        emit(y, m + 3, n + 1, Lout, ldb, hsum(c31), rowScale, colScale, bias);
      }
      for (; n < N; n++) {
        const bn = b + <usize>n * Kp;
        emit(y, m, n, Lout, ldb, dotI8(a0, bn, Kp), rowScale, colScale, bias);
        emit(y, m + 1, n, Lout, ldb, dotI8(a1, bn, Kp), rowScale, colScale, bias);
        emit(y, m + 2, n, Lout, ldb, dotI8(a2, bn, Kp), rowScale, colScale, bias);
        emit(y, m + 3, n, Lout, ldb, dotI8(a3, bn, Kp), rowScale, colScale, bias);
      }
    }
  }
  for (; m < M; m++) {
    const am = a + <usize>m * Kp;
    for (let n = n0; n < N; n++) emit(y, m, n, Lout, ldb, dotI8(am, b + <usize>n * Kp, Kp), rowScale, colScale, bias);
  }
}
