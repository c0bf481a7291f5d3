// 1-D pooling kernels (docs/kernels-layers.md, "pool.ts").
//
// Layout: x is contiguous row-major f32 [rows, L] with rows = B·C (PyTorch's [B, C, L]); outputs are
// [rows, Lout]. idx is an i32 [rows, Lout] array of positions within the row (0..L−1) written by the max
// forwards and read by their backwards. Windows: output j covers input positions j·stride − padding +
// 0..kernel−1, clipped to [0, L) (padding is implicit; the host checks Lout = ⌊(L + 2p − k)/s⌋ + 1 ≥ 1
// and p ≤ k/2, so every window holds at least one real element).
//
// maxPool1d:   out[j] = max over the window; idx[j] its position. Rule (PyTorch's CPU kernel): scan the
//              window in order, take a value when it is > the current max or NaN, so ties go to the first
//              maximum and a NaN wins (the last NaN). Backward: dx = 0, dx[idx[j]] += dy[j].
// avgPool1d:   out[j] = Σ window / d, d = kernel (countIncludePad = 1) or the number of real elements
//              (0). Backward: dx[i] += dy[j] / d over each window.
// adaptiveAvgPool1d: window j = [⌊j·L/Lout⌋, ⌈(j+1)·L/Lout⌉), out = Σ / size (PyTorch's
//              AdaptiveAvgPool1d); Lout = 1 is a whole-row mean (8-lane SIMD sum). Backward: dy/size
//              spread over the window.
// globalMaxPool1d: out[r] = max of row r (NaN if the row holds one), idx[r] = the first position equal
//              to it (the first NaN for NaN). Backward: dy to that position, 0 elsewhere.
// kernel = stride = 2, padding = 0 (the common CNN case) has f32x4 paths (deinterleaving shuffles) for
// max/avg forward and backward; the scalar build runs the generic loop, which gives identical results.

import { rowSum } from './row-sum';

// @ts-ignore: decorator
@inline function ldf(p: usize): f32 {
  return load<f32>(p);
}
// @ts-ignore: decorator
@inline function stf(p: usize, v: f32): void {
  store<f32>(p, v);
}

// @ts-ignore: decorator
@inline function fillRow(p: usize, n: i32, v: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vv = f32x4.splat(v);
    for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), vv);
  }
  for (; i < n; i++) stf(p + (<usize>i << 2), v);
}

// ================================ max pool ================================

/** Max pooling over windows of each row; writes out [rows, Lout] and idx [rows, Lout] (i32). */
export function maxPool1d(x: usize, out: usize, idx: usize, rows: i32, L: i32, Lout: i32, kernel: i32, stride: i32, padding: i32): void {
  const fast = ASC_FEATURE_SIMD && kernel == 2 && stride == 2 && padding == 0;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * L) << 2);
    const orow = out + (<usize>(r * Lout) << 2);
    const irow = idx + (<usize>(r * Lout) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      if (fast) {
        // 8 inputs -> 4 outputs: e = even positions, o = odd; take o when o > e or o is NaN.
        let base = i32x4(0, 2, 4, 6);
        const step = i32x4.splat(8);
        for (; j + 4 <= Lout; j += 4) {
          const p = xr + (<usize>j << 3);
          const a = v128.load(p), b = v128.load(p, 16);
          const e = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
          const o = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
          const sel = v128.or(f32x4.gt(o, e), f32x4.ne(o, o));
          v128.store(orow + (<usize>j << 2), v128.bitselect(o, e, sel));
          v128.store(irow + (<usize>j << 2), i32x4.sub(base, sel));
          base = i32x4.add(base, step);
        }
      }
    }
    for (; j < Lout; j++) {
      let s = j * stride - padding;
      let e = s + kernel;
      if (s < 0) s = 0;
      if (e > L) e = L;
      let m: f32 = -Infinity;
      let mi = s;
      for (let i = s; i < e; i++) {
        const v = ldf(xr + (<usize>i << 2));
        if (v > m || v != v) {
          m = v;
          mi = i;
        }
      }
      stf(orow + (<usize>j << 2), m);
      store<i32>(irow + (<usize>j << 2), mi);
    }
  }
}

/** dx [rows, L] = 0 except dx[idx[j]] += dy[j] (per row). */
export function maxPool1dBackward(dy: usize, idx: usize, dx: usize, rows: i32, L: i32, Lout: i32, kernel: i32, stride: i32, padding: i32): void {
  const fast = ASC_FEATURE_SIMD && kernel == 2 && stride == 2 && padding == 0;
  for (let r = 0; r < rows; r++) {
    const dxr = dx + (<usize>(r * L) << 2);
    const grow = dy + (<usize>(r * Lout) << 2);
    const irow = idx + (<usize>(r * Lout) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      if (fast) {
        // each window writes both of its positions: (g, 0) or (0, g) by the low bit of idx.
        const one = i32x4.splat(1);
        for (; j + 4 <= Lout; j += 4) {
          const g = v128.load(grow + (<usize>j << 2));
          const odd = i32x4.eq(v128.and(v128.load(irow + (<usize>j << 2)), one), one);
          const ev = v128.andnot(g, odd);
          const od = v128.and(g, odd);
          const p = dxr + (<usize>j << 3);
          v128.store(p, v128.shuffle<f32>(ev, od, 0, 4, 1, 5));
          v128.store(p, v128.shuffle<f32>(ev, od, 2, 6, 3, 7), 16);
        }
        fillRow(dxr + (<usize>j << 3), L - 2 * j, 0);
      } else fillRow(dxr, L, 0);
    } else fillRow(dxr, L, 0);
    for (; j < Lout; j++) {
      const p = dxr + (<usize>load<i32>(irow + (<usize>j << 2)) << 2);
      stf(p, ldf(p) + ldf(grow + (<usize>j << 2)));
    }
  }
}

// ================================ average pool ================================

// @ts-ignore: decorator
@inline function avgDivisor(s: i32, e: i32, L: i32, kernel: i32, countIncludePad: i32): i32 {
  if (countIncludePad) return kernel;
  const a = s < 0 ? 0 : s;
  const b = e > L ? L : e;
  return b - a;
}

/** Average pooling over windows of each row (divisor: see header). */
export function avgPool1d(x: usize, out: usize, rows: i32, L: i32, Lout: i32, kernel: i32, stride: i32, padding: i32, countIncludePad: i32): void {
  const fast = ASC_FEATURE_SIMD && kernel == 2 && stride == 2 && padding == 0;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * L) << 2);
    const orow = out + (<usize>(r * Lout) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      if (fast) {
        const half = f32x4.splat(2);
        for (; j + 4 <= Lout; j += 4) {
          const p = xr + (<usize>j << 3);
          const a = v128.load(p), b = v128.load(p, 16);
          const s = f32x4.add(v128.shuffle<f32>(a, b, 0, 2, 4, 6), v128.shuffle<f32>(a, b, 1, 3, 5, 7));
          v128.store(orow + (<usize>j << 2), f32x4.div(s, half));
        }
      }
    }
    for (; j < Lout; j++) {
      const s0 = j * stride - padding;
      const e0 = s0 + kernel;
      const s = s0 < 0 ? 0 : s0;
      const e = e0 > L ? L : e0;
      let acc: f32 = 0;
      for (let i = s; i < e; i++) acc += ldf(xr + (<usize>i << 2));
      stf(orow + (<usize>j << 2), acc / <f32>avgDivisor(s0, e0, L, kernel, countIncludePad));
    }
  }
}

/** dx [rows, L] = Σ over the windows containing i of dy[j] / divisor. */
export function avgPool1dBackward(dy: usize, dx: usize, rows: i32, L: i32, Lout: i32, kernel: i32, stride: i32, padding: i32, countIncludePad: i32): void {
  const fast = ASC_FEATURE_SIMD && kernel == 2 && stride == 2 && padding == 0;
  for (let r = 0; r < rows; r++) {
    const dxr = dx + (<usize>(r * L) << 2);
    const grow = dy + (<usize>(r * Lout) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      if (fast) {
        const two = f32x4.splat(2);
        for (; j + 4 <= Lout; j += 4) {
          const g = f32x4.div(v128.load(grow + (<usize>j << 2)), two);
          const p = dxr + (<usize>j << 3);
          v128.store(p, v128.shuffle<f32>(g, g, 0, 0, 1, 1));
          v128.store(p, v128.shuffle<f32>(g, g, 2, 2, 3, 3), 16);
        }
        fillRow(dxr + (<usize>j << 3), L - 2 * j, 0);
      } else fillRow(dxr, L, 0);
    } else fillRow(dxr, L, 0);
    for (; j < Lout; j++) {
      const s0 = j * stride - padding;
      const e0 = s0 + kernel;
      const s = s0 < 0 ? 0 : s0;
      const e = e0 > L ? L : e0;
      const g = ldf(grow + (<usize>j << 2)) / <f32>avgDivisor(s0, e0, L, kernel, countIncludePad);
      for (let i = s; i < e; i++) {
        const p = dxr + (<usize>i << 2);
        stf(p, ldf(p) + g);
      }
    }
  }
}

// ================================ adaptive / global pools ================================

/** Adaptive average pooling of each row to Lout outputs (PyTorch's window bounds; see header). */
export function adaptiveAvgPool1d(x: usize, out: usize, rows: i32, L: i32, Lout: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * L) << 2);
    const orow = out + (<usize>(r * Lout) << 2);
    if (Lout == 1) {
      stf(orow, rowSum(xr, L) / <f32>L);
      continue;
    }
    for (let j = 0; j < Lout; j++) {
      const s = <i32>((<i64>j * L) / Lout);
      const e = <i32>((<i64>(j + 1) * L + Lout - 1) / Lout);
      let acc: f32 = 0;
      for (let i = s; i < e; i++) acc += ldf(xr + (<usize>i << 2));
      stf(orow + (<usize>j << 2), acc / <f32>(e - s));
    }
  }
}

/** Backward of adaptiveAvgPool1d: dx [rows, L]. */
export function adaptiveAvgPool1dBackward(dy: usize, dx: usize, rows: i32, L: i32, Lout: i32): void {
  for (let r = 0; r < rows; r++) {
    const dxr = dx + (<usize>(r * L) << 2);
    const grow = dy + (<usize>(r * Lout) << 2);
    if (Lout == 1) {
      fillRow(dxr, L, ldf(grow) / <f32>L);
      continue;
    }
    fillRow(dxr, L, 0);
    for (let j = 0; j < Lout; j++) {
      const s = <i32>((<i64>j * L) / Lout);
      const e = <i32>((<i64>(j + 1) * L + Lout - 1) / Lout);
      const g = ldf(grow + (<usize>j << 2)) / <f32>(e - s);
      for (let i = s; i < e; i++) {
        const p = dxr + (<usize>i << 2);
        stf(p, ldf(p) + g);
      }
    }
  }
}

/** Row maximum (NaN-propagating) and the first position holding it; out [rows], idx [rows] (i32). */
export function globalMaxPool1d(x: usize, out: usize, idx: usize, rows: i32, L: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * L) << 2);
    let i = 0;
    let m: f32 = -Infinity;
    if (ASC_FEATURE_SIMD) {
      let a0 = f32x4.splat(-Infinity), a1 = f32x4.splat(-Infinity);
      for (; i + 8 <= L; i += 8) {
        const q = xr + (<usize>i << 2);
        a0 = f32x4.max(a0, v128.load(q));
        a1 = f32x4.max(a1, v128.load(q, 16));
      }
      a0 = f32x4.max(a0, a1);
      if (i + 4 <= L) {
        a0 = f32x4.max(a0, v128.load(xr + (<usize>i << 2)));
        i += 4;
      }
      m = max<f32>(max<f32>(f32x4.extract_lane(a0, 0), f32x4.extract_lane(a0, 1)), max<f32>(f32x4.extract_lane(a0, 2), f32x4.extract_lane(a0, 3)));
    }
    for (; i < L; i++) m = max<f32>(m, ldf(xr + (<usize>i << 2)));
    // max is exact, so the first equal (or first NaN) position is the argmax.
    let k = 0;
    if (m == m) {
      while (k < L - 1 && ldf(xr + (<usize>k << 2)) != m) k++;
    } else {
      while (k < L - 1 && ldf(xr + (<usize>k << 2)) == ldf(xr + (<usize>k << 2))) k++;
    }
    stf(out + (<usize>r << 2), m);
    store<i32>(idx + (<usize>r << 2), k);
  }
}

/** dx [rows, L] = dy[r] at idx[r], 0 elsewhere. */
export function globalMaxPool1dBackward(dy: usize, idx: usize, dx: usize, rows: i32, L: i32): void {
  for (let r = 0; r < rows; r++) {
    const dxr = dx + (<usize>(r * L) << 2);
    fillRow(dxr, L, 0);
    stf(dxr + (<usize>load<i32>(idx + (<usize>r << 2)) << 2), ldf(dy + (<usize>r << 2)));
  }
}
