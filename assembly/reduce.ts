// Reductions and softmax (docs/kernels.md, "reduce.ts").
//
// Layout: x is a contiguous f32 tensor viewed as [outer, n, inner] (element (o,k,i) at
// (o·n + k)·inner + i); the reduced output is [outer, inner]; softmax outputs and all backward
// tensors have x's layout. The reduced axis is the middle one.
//
// Paths: inner == 1 reduces contiguous rows of length n with f32x4 loops (sums: four vector
// accumulators = 16 lanes over blocks of 16, then one accumulator over blocks of 4, combined
// (a0+a1)+(a2+a3), lanes summed (l0+l1)+(l2+l3), then the n % 4 tail added in order). inner > 1
// processes 16 (then 4) adjacent columns at a time in registers while walking k, so the same f32x4
// code serves "axis not last"; the inner % 4 tail columns use scalar loops over k. The scalar build
// reproduces the same lane structure with scalar accumulators, so both builds give identical sums.
//
// Math: SUM Σ_k x, MEAN Σ_k x / n, MAX/MIN (NaN-propagating). n = 0 writes the identity (0, NaN,
// −Inf, +Inf). argReduce writes the index (as f32) of the first maximum/minimum; a NaN counts as the
// extreme (first NaN wins, as in PyTorch). reduceExtremeBackward routes dy to the first k with
// x == y (or both NaN) and writes 0 elsewhere. softmax: m = max_k x, e = exp(x − m), out = e·(1/Σe);
// logSoftmax: out = (x − m) − log Σ exp(x − m) (exp/log from simd-math.ts). softmaxBackward
// dx = y·(dy − Σ dy·y); logSoftmaxBackward dx = dy − exp(y)·Σ dy. sumSquares Σ x², dot Σ x·y
// (f32 accumulators in the 16-lane order above).
import { sexp, slog, vexp, hsum } from './simd-math';

// Reduce op codes (src/wasm/opcodes.ts ReduceOp / ArgReduceOp)
// @ts-ignore: decorator
@inline const R_SUM = 0;
// @ts-ignore: decorator
@inline const R_MEAN = 1;
// @ts-ignore: decorator
@inline const R_MAX = 2;
// @ts-ignore: decorator
@inline const R_MIN = 3;
// @ts-ignore: decorator
@inline const ARGMAX = 0;
// @ts-ignore: decorator
@inline const ARGMIN = 1;

// Kinds of the 16-lane sum.
// @ts-ignore: decorator
@inline const K_SUM = 0;
// @ts-ignore: decorator
@inline const K_DOT = 1;
// @ts-ignore: decorator
@inline const K_SQ = 2;

// @ts-ignore: decorator
@inline function ldf(p: usize): f32 {
  return load<f32>(p);
}
// @ts-ignore: decorator
@inline function stf(p: usize, v: f32): void {
  store<f32>(p, v);
}
// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}
// @ts-ignore: decorator
@inline function fsplat(x: f32): v128 {
  return f32x4.splat(x);
}

// ================================ 16-lane sums ================================

// @ts-ignore: decorator
@inline function term(kind: i32, x: usize, y: usize, i: i32): f32 {
  const a = ldf(at(x, i));
  if (kind == K_SUM) return a;
  if (kind == K_DOT) return a * ldf(at(y, i));
  return a * a;
}

// @ts-ignore: decorator
@inline function termv(kind: i32, x: usize, y: usize, i: i32): v128 {
  const a = v128.load(at(x, i));
  if (kind == K_SUM) return a;
  if (kind == K_DOT) return f32x4.mul(a, v128.load(at(y, i)));
  return f32x4.mul(a, a);
}

// Σ term(i) for i < n in the fixed 16-lane order (see header).
// @ts-ignore: decorator
@inline function sum16(kind: i32, x: usize, y: usize, n: i32): f32 {
  let i = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = fsplat(0), a1 = fsplat(0), a2 = fsplat(0), a3 = fsplat(0);
    for (; i + 16 <= n; i += 16) {
      a0 = f32x4.add(a0, termv(kind, x, y, i));
      a1 = f32x4.add(a1, termv(kind, x, y, i + 4));
      a2 = f32x4.add(a2, termv(kind, x, y, i + 8));
      a3 = f32x4.add(a3, termv(kind, x, y, i + 12));
    }
    for (; i + 4 <= n; i += 4) a0 = f32x4.add(a0, termv(kind, x, y, i));
    s = hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  } else {
    let s00: f32 = 0, s01: f32 = 0, s02: f32 = 0, s03: f32 = 0;
    let s10: f32 = 0, s11: f32 = 0, s12: f32 = 0, s13: f32 = 0;
    let s20: f32 = 0, s21: f32 = 0, s22: f32 = 0, s23: f32 = 0;
    let s30: f32 = 0, s31: f32 = 0, s32: f32 = 0, s33: f32 = 0;
    for (; i + 16 <= n; i += 16) {
      s00 += term(kind, x, y, i); s01 += term(kind, x, y, i + 1); s02 += term(kind, x, y, i + 2); s03 += term(kind, x, y, i + 3);
      s10 += term(kind, x, y, i + 4); s11 += term(kind, x, y, i + 5); s12 += term(kind, x, y, i + 6); s13 += term(kind, x, y, i + 7);
      s20 += term(kind, x, y, i + 8); s21 += term(kind, x, y, i + 9); s22 += term(kind, x, y, i + 10); s23 += term(kind, x, y, i + 11);
      s30 += term(kind, x, y, i + 12); s31 += term(kind, x, y, i + 13); s32 += term(kind, x, y, i + 14); s33 += term(kind, x, y, i + 15);
    }
    for (; i + 4 <= n; i += 4) {
      s00 += term(kind, x, y, i); s01 += term(kind, x, y, i + 1); s02 += term(kind, x, y, i + 2); s03 += term(kind, x, y, i + 3);
    }
    const c0 = (s00 + s10) + (s20 + s30);
    const c1 = (s01 + s11) + (s21 + s31);
    const c2 = (s02 + s12) + (s22 + s32);
    const c3 = (s03 + s13) + (s23 + s33);
    s = (c0 + c1) + (c2 + c3);
  }
  for (; i < n; i++) s += term(kind, x, y, i);
  return s;
}

/** Σ x[i]² over n floats. */
export function sumSquares(x: usize, n: i32): f32 {
  return sum16(K_SQ, x, x, n);
}

/** Σ x[i]·y[i] over n floats. */
export function dot(x: usize, y: usize, n: i32): f32 {
  return sum16(K_DOT, x, y, n);
}

// ================================ reduce ================================

// @ts-ignore: decorator
@inline function ext1(isMax: bool, a: f32, b: f32): f32 {
  return isMax ? max<f32>(a, b) : min<f32>(a, b);
}
// @ts-ignore: decorator
@inline function extv(isMax: bool, a: v128, b: v128): v128 {
  return isMax ? f32x4.max(a, b) : f32x4.min(a, b);
}

// max/min of a contiguous row (n ≥ 1); exact, so the order does not matter.
// @ts-ignore: decorator
@inline function rowExtreme(isMax: bool, x: usize, n: i32): f32 {
  let i = 0;
  let m = ldf(x);
  if (ASC_FEATURE_SIMD) {
    if (n >= 16) {
      let a0 = v128.load(x), a1 = v128.load(x, 16), a2 = v128.load(x, 32), a3 = v128.load(x, 48);
      for (i = 16; i + 16 <= n; i += 16) {
        const p = at(x, i);
        a0 = extv(isMax, a0, v128.load(p));
        a1 = extv(isMax, a1, v128.load(p, 16));
        a2 = extv(isMax, a2, v128.load(p, 32));
        a3 = extv(isMax, a3, v128.load(p, 48));
      }
      for (; i + 4 <= n; i += 4) a0 = extv(isMax, a0, v128.load(at(x, i)));
      const a = extv(isMax, extv(isMax, a0, a1), extv(isMax, a2, a3));
      m = ext1(isMax, ext1(isMax, f32x4.extract_lane(a, 0), f32x4.extract_lane(a, 1)), ext1(isMax, f32x4.extract_lane(a, 2), f32x4.extract_lane(a, 3)));
    }
  }
  for (; i < n; i++) m = ext1(isMax, m, ldf(at(x, i)));
  return m;
}

// Column-wise reduction of one [n, inner] slab into an inner-length row (n ≥ 1).
// @ts-ignore: decorator
@inline function colReduce(op: i32, x: usize, out: usize, n: i32, inner: i32): void {
  const isSum = op == R_SUM || op == R_MEAN;
  const isMax = op == R_MAX;
  const rs = <usize>inner << 2;
  const fn = <f32>n;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vn = fsplat(fn);
    for (; i + 16 <= inner; i += 16) {
      let p = at(x, i);
      let a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48);
      for (let k = 1; k < n; k++) {
        p += rs;
        if (isSum) {
          a0 = f32x4.add(a0, v128.load(p));
          a1 = f32x4.add(a1, v128.load(p, 16));
          a2 = f32x4.add(a2, v128.load(p, 32));
          a3 = f32x4.add(a3, v128.load(p, 48));
        } else {
          a0 = extv(isMax, a0, v128.load(p));
          a1 = extv(isMax, a1, v128.load(p, 16));
          a2 = extv(isMax, a2, v128.load(p, 32));
          a3 = extv(isMax, a3, v128.load(p, 48));
        }
      }
      if (op == R_MEAN) {
        a0 = f32x4.div(a0, vn);
        a1 = f32x4.div(a1, vn);
        a2 = f32x4.div(a2, vn);
        a3 = f32x4.div(a3, vn);
      }
      const q = at(out, i);
      v128.store(q, a0);
      v128.store(q, a1, 16);
      v128.store(q, a2, 32);
      v128.store(q, a3, 48);
    }
    for (; i + 4 <= inner; i += 4) {
      let p = at(x, i);
      let a0 = v128.load(p);
      for (let k = 1; k < n; k++) {
        p += rs;
        a0 = isSum ? f32x4.add(a0, v128.load(p)) : extv(isMax, a0, v128.load(p));
      }
      if (op == R_MEAN) a0 = f32x4.div(a0, vn);
      v128.store(at(out, i), a0);
    }
    for (; i < inner; i++) {
      let p = at(x, i);
      let a = ldf(p);
      for (let k = 1; k < n; k++) {
        p += rs;
        a = isSum ? a + ldf(p) : ext1(isMax, a, ldf(p));
      }
      if (op == R_MEAN) a = a / fn;
      stf(at(out, i), a);
    }
  } else {
    // Row-wise into out (cache friendly); the per-element order over k is the same as above.
    memory.copy(out, x, rs);
    let p = x;
    for (let k = 1; k < n; k++) {
      p += rs;
      for (let j = 0; j < inner; j++) {
        const q = at(out, j);
        const v = ldf(at(p, j));
        stf(q, isSum ? ldf(q) + v : ext1(isMax, ldf(q), v));
      }
    }
    if (op == R_MEAN) for (let j = 0; j < inner; j++) stf(at(out, j), ldf(at(out, j)) / fn);
  }
}

// @ts-ignore: decorator
@inline function reduceOp(op: i32, x: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  const slab = <usize>n * <usize>inner << 2;
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const row = x + <usize>o * slab;
      let r: f32;
      if (op == R_SUM) r = sum16(K_SUM, row, row, n);
      else if (op == R_MEAN) r = sum16(K_SUM, row, row, n) / <f32>n;
      else r = rowExtreme(op == R_MAX, row, n);
      stf(at(out, o), r);
    }
  } else {
    for (let o = 0; o < outer; o++) colReduce(op, x + <usize>o * slab, out + (<usize>o * <usize>inner << 2), n, inner);
  }
}

/** out[o,i] = SUM/MEAN/MAX/MIN over k of x[o,k,i]. */
export function reduce(op: i32, x: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  if (outer <= 0 || inner <= 0) return;
  if (n <= 0) {
    const id: f32 = op == R_SUM ? 0 : op == R_MEAN ? NaN : op == R_MAX ? -Infinity : Infinity;
    const m = outer * inner;
    for (let j = 0; j < m; j++) stf(at(out, j), id);
    return;
  }
  switch (op) {
    case R_SUM: reduceOp(R_SUM, x, out, outer, n, inner); break;
    case R_MEAN: reduceOp(R_MEAN, x, out, outer, n, inner); break;
    case R_MAX: reduceOp(R_MAX, x, out, outer, n, inner); break;
    case R_MIN: reduceOp(R_MIN, x, out, outer, n, inner); break;
    default: break;
  }
}

// ================================ argReduce ================================

// v strictly better than best (first extreme wins; NaN is the extreme).
// @ts-ignore: decorator
@inline function better(isMax: bool, v: f32, best: f32): bool {
  return (isMax ? v > best : v < best) || (v != v && best == best);
}
// @ts-ignore: decorator
@inline function betterv(isMax: bool, v: v128, best: v128): v128 {
  const c = isMax ? f32x4.gt(v, best) : f32x4.lt(v, best);
  return v128.or(c, v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
}

// @ts-ignore: decorator
@inline function same(a: f32, b: f32): bool {
  return a == b || (a != a && b != b);
}

// @ts-ignore: decorator
@inline function argRow(isMax: bool, x: usize, n: i32): i32 {
  let i = 1;
  let best = ldf(x);
  let bi = 0;
  if (ASC_FEATURE_SIMD) {
    if (n >= 8) {
      let bv = v128.load(x);
      let bidx = i32x4(0, 1, 2, 3);
      let iv = i32x4(4, 5, 6, 7);
      for (i = 4; i + 4 <= n; i += 4) {
        const v = v128.load(at(x, i));
        const m = betterv(isMax, v, bv);
        bv = v128.bitselect(v, bv, m);
        bidx = v128.bitselect(iv, bidx, m);
        iv = i32x4.add(iv, i32x4.splat(4));
      }
      // Combine lanes: better value wins; equal values (or both NaN) → smaller index.
      best = f32x4.extract_lane(bv, 0);
      bi = i32x4.extract_lane(bidx, 0);
      let v = f32x4.extract_lane(bv, 1);
      let j = i32x4.extract_lane(bidx, 1);
      if (better(isMax, v, best) || (same(v, best) && j < bi)) { best = v; bi = j; }
      v = f32x4.extract_lane(bv, 2);
      j = i32x4.extract_lane(bidx, 2);
      if (better(isMax, v, best) || (same(v, best) && j < bi)) { best = v; bi = j; }
      v = f32x4.extract_lane(bv, 3);
      j = i32x4.extract_lane(bidx, 3);
      if (better(isMax, v, best) || (same(v, best) && j < bi)) { best = v; bi = j; }
    }
  }
  for (; i < n; i++) {
    const v = ldf(at(x, i));
    if (better(isMax, v, best)) {
      best = v;
      bi = i;
    }
  }
  return bi;
}

// @ts-ignore: decorator
@inline function argCols(isMax: bool, x: usize, out: usize, n: i32, inner: i32): void {
  const rs = <usize>inner << 2;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= inner; i += 4) {
      let p = at(x, i);
      let bv = v128.load(p);
      let bidx = i32x4.splat(0);
      for (let k = 1; k < n; k++) {
        p += rs;
        const v = v128.load(p);
        const m = betterv(isMax, v, bv);
        bv = v128.bitselect(v, bv, m);
        bidx = v128.bitselect(i32x4.splat(k), bidx, m);
      }
      v128.store(at(out, i), f32x4.convert_i32x4_s(bidx));
    }
  }
  for (; i < inner; i++) {
    let p = at(x, i);
    let best = ldf(p);
    let bi = 0;
    for (let k = 1; k < n; k++) {
      p += rs;
      const v = ldf(p);
      if (better(isMax, v, best)) {
        best = v;
        bi = k;
      }
    }
    stf(at(out, i), <f32>bi);
  }
}

// @ts-ignore: decorator
@inline function argOp(isMax: bool, x: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  const slab = <usize>n * <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const xs = x + <usize>o * slab;
    if (inner == 1) stf(at(out, o), <f32>argRow(isMax, xs, n));
    else argCols(isMax, xs, out + (<usize>o * <usize>inner << 2), n, inner);
  }
}

/** out[o,i] = index (as f32) of the first max (ARGMAX) / min (ARGMIN) of x[o,:,i]; NaN counts as the extreme. */
export function argReduce(op: i32, x: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  if (outer <= 0 || inner <= 0 || n <= 0) return;
  if (op == ARGMAX) argOp(true, x, out, outer, n, inner);
  else if (op == ARGMIN) argOp(false, x, out, outer, n, inner);
}

// ================================ reduceExtremeBackward ================================

/** dx[o,k,i] = dy[o,i] at the first k with x[o,k,i] == y[o,i] (or both NaN), 0 elsewhere. */
export function reduceExtremeBackward(op: i32, x: usize, y: usize, dy: usize, dx: usize, outer: i32, n: i32, inner: i32): void {
  if (outer <= 0 || inner <= 0 || n <= 0) return;
  const rs = <usize>inner << 2;
  const slab = <usize>n * rs;
  for (let o = 0; o < outer; o++) {
    const xs = x + <usize>o * slab, dxs = dx + <usize>o * slab;
    const yr = y + <usize>o * rs, dyr = dy + <usize>o * rs;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= inner; i += 4) {
        const yv = v128.load(at(yr, i));
        const gv = v128.load(at(dyr, i));
        const ynan = f32x4.ne(yv, yv);
        let found = i32x4.splat(0);
        let p = at(xs, i), q = at(dxs, i);
        for (let k = 0; k < n; k++) {
          const v = v128.load(p);
          const hit = v128.andnot(v128.or(f32x4.eq(v, yv), v128.and(f32x4.ne(v, v), ynan)), found);
          v128.store(q, v128.and(gv, hit));
          found = v128.or(found, hit);
          p += rs;
          q += rs;
        }
      }
    }
    for (; i < inner; i++) {
      const yv = ldf(at(yr, i)), g = ldf(at(dyr, i));
      const ynan = yv != yv;
      let found = false;
      let p = at(xs, i), q = at(dxs, i);
      for (let k = 0; k < n; k++) {
        const v = ldf(p);
        const hit = !found && (v == yv || (v != v && ynan));
        stf(q, hit ? g : 0);
        found = found || hit;
        p += rs;
        q += rs;
      }
    }
  }
}

// ================================ softmax ================================

// Σ exp(x[i] − m) over a contiguous row, optionally storing the exponentials (4-lane order).
// @ts-ignore: decorator
@inline function rowExpSum(x: usize, out: usize, n: i32, m: f32, store: bool): f32 {
  let i = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = fsplat(m);
    let acc = fsplat(0);
    for (; i + 4 <= n; i += 4) {
      const e = vexp(f32x4.sub(v128.load(at(x, i)), vm));
      if (store) v128.store(at(out, i), e);
      acc = f32x4.add(acc, e);
    }
    s = hsum(acc);
  } else {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (; i + 4 <= n; i += 4) {
      const e0 = sexp(ldf(at(x, i)) - m), e1 = sexp(ldf(at(x, i + 1)) - m);
      const e2 = sexp(ldf(at(x, i + 2)) - m), e3 = sexp(ldf(at(x, i + 3)) - m);
      if (store) {
        stf(at(out, i), e0);
        stf(at(out, i + 1), e1);
        stf(at(out, i + 2), e2);
        stf(at(out, i + 3), e3);
      }
      s0 += e0;
      s1 += e1;
      s2 += e2;
      s3 += e3;
    }
    s = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) {
    const e = sexp(ldf(at(x, i)) - m);
    if (store) stf(at(out, i), e);
    s += e;
  }
  return s;
}

// @ts-ignore: decorator
@inline function softmaxImpl(log: bool, x: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  if (outer <= 0 || inner <= 0 || n <= 0) return;
  const rs = <usize>inner << 2;
  const slab = <usize>n * rs;
  for (let o = 0; o < outer; o++) {
    const xs = x + <usize>o * slab, os = out + <usize>o * slab;
    if (inner == 1) {
      const m = rowExtreme(true, xs, n);
      if (log) {
        const ls = slog(rowExpSum(xs, os, n, m, false));
        let i = 0;
        if (ASC_FEATURE_SIMD) {
          const vm = fsplat(m), vls = fsplat(ls);
          for (; i + 4 <= n; i += 4) v128.store(at(os, i), f32x4.sub(f32x4.sub(v128.load(at(xs, i)), vm), vls));
        }
        for (; i < n; i++) stf(at(os, i), (ldf(at(xs, i)) - m) - ls);
      } else {
        const inv: f32 = 1.0 / rowExpSum(xs, os, n, m, true);
        let i = 0;
        if (ASC_FEATURE_SIMD) {
          const vi = fsplat(inv);
          for (; i + 4 <= n; i += 4) v128.store(at(os, i), f32x4.mul(v128.load(at(os, i)), vi));
        }
        for (; i < n; i++) stf(at(os, i), ldf(at(os, i)) * inv);
      }
      continue;
    }
    // inner > 1: 4 columns at a time walking k, then scalar columns.
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= inner; i += 4) {
        const px = at(xs, i), po = at(os, i);
        let m = v128.load(px);
        let p = px;
        for (let k = 1; k < n; k++) {
          p += rs;
          m = f32x4.max(m, v128.load(p));
        }
        let s = fsplat(0);
        p = px;
        let q = po;
        for (let k = 0; k < n; k++) {
          const e = vexp(f32x4.sub(v128.load(p), m));
          if (!log) v128.store(q, e);
          s = f32x4.add(s, e);
          p += rs;
          q += rs;
        }
        p = px;
        q = po;
        if (log) {
          // log of the 4 sums via the scalar form (identical to the vector form).
          const ls = f32x4(
            slog(f32x4.extract_lane(s, 0)), slog(f32x4.extract_lane(s, 1)),
            slog(f32x4.extract_lane(s, 2)), slog(f32x4.extract_lane(s, 3)),
          );
          for (let k = 0; k < n; k++) {
            v128.store(q, f32x4.sub(f32x4.sub(v128.load(p), m), ls));
            p += rs;
            q += rs;
          }
        } else {
          const inv = f32x4.div(fsplat(1.0), s);
          for (let k = 0; k < n; k++) {
            v128.store(q, f32x4.mul(v128.load(q), inv));
            q += rs;
          }
        }
      }
    }
    for (; i < inner; i++) {
      const px = at(xs, i), po = at(os, i);
      let m = ldf(px);
      let p = px;
      for (let k = 1; k < n; k++) {
        p += rs;
        m = max<f32>(m, ldf(p));
      }
      let s: f32 = 0;
      p = px;
      let q = po;
      for (let k = 0; k < n; k++) {
        const e = sexp(ldf(p) - m);
        if (!log) stf(q, e);
        s += e;
        p += rs;
        q += rs;
      }
      p = px;
      q = po;
      if (log) {
        const ls = slog(s);
        for (let k = 0; k < n; k++) {
          stf(q, (ldf(p) - m) - ls);
          p += rs;
          q += rs;
        }
      } else {
        const inv: f32 = 1.0 / s;
        for (let k = 0; k < n; k++) {
          stf(q, ldf(q) * inv);
          q += rs;
        }
      }
    }
  }
}

/** out = exp(x − max)/Σ exp(x − max) along the middle axis. */
export function softmax(x: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  softmaxImpl(false, x, out, outer, n, inner);
}

/** out = (x − max) − log Σ exp(x − max) along the middle axis. */
export function logSoftmax(x: usize, out: usize, outer: i32, n: i32, inner: i32): void {
  softmaxImpl(true, x, out, outer, n, inner);
}

// ================================ softmax backward ================================

// @ts-ignore: decorator
@inline function softmaxBackwardImpl(log: bool, y: usize, dy: usize, dx: usize, outer: i32, n: i32, inner: i32): void {
  if (outer <= 0 || inner <= 0 || n <= 0) return;
  const rs = <usize>inner << 2;
  const slab = <usize>n * rs;
  for (let o = 0; o < outer; o++) {
    const ys = y + <usize>o * slab, gs = dy + <usize>o * slab, xs = dx + <usize>o * slab;
    if (inner == 1) {
      // softmax: dx = y·(dy − Σ dy·y); logSoftmax: dx = dy − exp(y)·Σ dy
      const d = log ? sum16(K_SUM, gs, gs, n) : sum16(K_DOT, gs, ys, n);
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        const vd = fsplat(d);
        for (; i + 4 <= n; i += 4) {
          const yv = v128.load(at(ys, i)), gv = v128.load(at(gs, i));
          v128.store(at(xs, i), log ? f32x4.sub(gv, f32x4.mul(vexp(yv), vd)) : f32x4.mul(yv, f32x4.sub(gv, vd)));
        }
      }
      for (; i < n; i++) {
        const yv = ldf(at(ys, i)), gv = ldf(at(gs, i));
        stf(at(xs, i), log ? gv - sexp(yv) * d : yv * (gv - d));
      }
      continue;
    }
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= inner; i += 4) {
        const py = at(ys, i), pg = at(gs, i), px = at(xs, i);
        let d = fsplat(0);
        let off: usize = 0;
        for (let k = 0; k < n; k++) {
          const gv = v128.load(pg + off);
          d = f32x4.add(d, log ? gv : f32x4.mul(gv, v128.load(py + off)));
          off += rs;
        }
        off = 0;
        for (let k = 0; k < n; k++) {
          const yv = v128.load(py + off), gv = v128.load(pg + off);
          v128.store(px + off, log ? f32x4.sub(gv, f32x4.mul(vexp(yv), d)) : f32x4.mul(yv, f32x4.sub(gv, d)));
          off += rs;
        }
      }
    }
    for (; i < inner; i++) {
      const py = at(ys, i), pg = at(gs, i), px = at(xs, i);
      let d: f32 = 0;
      let off: usize = 0;
      for (let k = 0; k < n; k++) {
        const gv = ldf(pg + off);
        d += log ? gv : gv * ldf(py + off);
        off += rs;
      }
      off = 0;
      for (let k = 0; k < n; k++) {
        const yv = ldf(py + off), gv = ldf(pg + off);
        stf(px + off, log ? gv - sexp(yv) * d : yv * (gv - d));
        off += rs;
      }
    }
  }
}

/** dx = y·(dy − Σ dy·y) along the middle axis (y = softmax output). */
export function softmaxBackward(y: usize, dy: usize, dx: usize, outer: i32, n: i32, inner: i32): void {
  softmaxBackwardImpl(false, y, dy, dx, outer, n, inner);
}

/** dx = dy − exp(y)·Σ dy along the middle axis (y = logSoftmax output). */
export function logSoftmaxBackward(y: usize, dy: usize, dx: usize, outer: i32, n: i32, inner: i32): void {
  softmaxBackwardImpl(true, y, dy, dx, outer, n, inner);
}
