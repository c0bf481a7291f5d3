// Elementwise kernels (docs/kernels.md, "elementwise.ts").
//
// Layout: tensors are little-endian f32 arrays addressed by byte pointers. `binary`, `stridedCopy` and
// `stridedAdd` walk the multi-index i of `shape` (ndim ≤ MAX_DIMS i32 entries) and address each operand
// at Σ i[d]·strides[d] elements (a stride of 0 broadcasts; strides may be negative). The longest run of
// trailing dimensions that every operand can walk with a single constant stride is collapsed into one
// "row" (size-1 dimensions are skipped); rows are processed by f32x4 loops for the stride pairs
// (1,1), (1,0), (0,1), (0,0) and by a scalar loop otherwise, and the remaining outer dimensions are
// iterated with an odometer index kept in a small static array (no allocation). `binary` writes `out`
// contiguously; `unary`/`unaryBackward`/`fill`/`axpy`/`countNonFinite` are flat over n.
//
// Math: binary ADD/SUB/MUL/DIV (IEEE), MAX/MIN (NaN-propagating, wasm f32.max/min), POW a^b (see
// simd-math.ts: exp(b·log|a|) with the sign of a restored for integer b, NaN for a < 0 and non-integer b,
// 1 for b = 0), GT/LT/EQ (1.0 or 0.0). Unary: NEG, ABS, RELU max(x,0), LEAKY_RELU x>0 ? x : p·x,
// SIGMOID, TANH, EXP, LOG (simd-math.ts), SQRT (IEEE, NaN for x<0), POW x^p (exact special cases for
// p = 0 → 1, 1 → x, 2 → x·x, 3 → x·x·x, 0.5 → sqrt(x), -1 → 1/x; otherwise as binary POW), SCALE p·x,
// ADD_SCALAR x+p, SQUARE x·x, RECIPROCAL 1/x, ELU x>0 ? x : p·expm1(x), SIGN (−1, 0, 1; NaN → NaN),
// CLAMP_MIN max(x,p), CLAMP_MAX min(x,p), GELU x·Φ(x) (exact erf form, Φ from simd-math.ts). Backward: dx = dy·f'(x) as in docs/kernels.md; at kinks relu,
// clamp and abs give 0, leaky relu gives the slope.
// Every op is dispatched once per row/call (a switch over constant-op calls of @inline loops), never
// inside the inner loop. Both builds evaluate the same formulas in the same order (bit-identical).
import {
  sexp, slog, stanh, ssigmoid, spow, sexpm1, sphi, snormpdf, vexp, vlog, vtanh, vsigmoid, vpow, vexpm1, vphi, vnormpdf, hsum,
} from './simd-math';

// Binary op codes (src/wasm/opcodes.ts BinaryOp)
// @ts-ignore: decorator
@inline const B_ADD = 0;
// @ts-ignore: decorator
@inline const B_SUB = 1;
// @ts-ignore: decorator
@inline const B_MUL = 2;
// @ts-ignore: decorator
@inline const B_DIV = 3;
// @ts-ignore: decorator
@inline const B_MAX = 4;
// @ts-ignore: decorator
@inline const B_MIN = 5;
// @ts-ignore: decorator
@inline const B_POW = 6;
// @ts-ignore: decorator
@inline const B_GT = 7;
// @ts-ignore: decorator
@inline const B_LT = 8;
// @ts-ignore: decorator
@inline const B_EQ = 9;

// Unary op codes (src/wasm/opcodes.ts UnaryOp)
// @ts-ignore: decorator
@inline const U_NEG = 0;
// @ts-ignore: decorator
@inline const U_ABS = 1;
// @ts-ignore: decorator
@inline const U_RELU = 2;
// @ts-ignore: decorator
@inline const U_LEAKY_RELU = 3;
// @ts-ignore: decorator
@inline const U_SIGMOID = 4;
// @ts-ignore: decorator
@inline const U_TANH = 5;
// @ts-ignore: decorator
@inline const U_EXP = 6;
// @ts-ignore: decorator
@inline const U_LOG = 7;
// @ts-ignore: decorator
@inline const U_SQRT = 8;
// @ts-ignore: decorator
@inline const U_POW = 9;
// @ts-ignore: decorator
@inline const U_SCALE = 10;
// @ts-ignore: decorator
@inline const U_ADD_SCALAR = 11;
// @ts-ignore: decorator
@inline const U_SQUARE = 12;
// @ts-ignore: decorator
@inline const U_RECIPROCAL = 13;
// @ts-ignore: decorator
@inline const U_ELU = 14;
// @ts-ignore: decorator
@inline const U_SIGN = 15;
// @ts-ignore: decorator
@inline const U_CLAMP_MIN = 16;
// @ts-ignore: decorator
@inline const U_CLAMP_MAX = 17;
// @ts-ignore: decorator
@inline const U_GELU = 18;

// Extra "unary" codes used internally for the special cases of POW x^p (never passed by the host).
// @ts-ignore: decorator
@inline const X_ONE = 100;
// @ts-ignore: decorator
@inline const X_COPY = 101;
// @ts-ignore: decorator
@inline const X_CUBE = 102;
// @ts-ignore: decorator
@inline const X_ZERO = 103; // backward of x^0
// @ts-ignore: decorator
@inline const X_TWICE = 104; // backward of x^2: 2·x·dy
// @ts-ignore: decorator
@inline const X_HALF_RSQRT = 105; // backward of x^0.5: 0.5·dy/sqrt(x)
// @ts-ignore: decorator
@inline const X_DY = 106; // backward of x^1: dy

/** Most dimensions a shape may have. */
// @ts-ignore: decorator
@inline const MAX_DIMS = 64;
const IDX: usize = memory.data(MAX_DIMS * 4, 16);

// @ts-ignore: decorator
@inline function ldf(p: usize): f32 {
  return load<f32>(p);
}
// @ts-ignore: decorator
@inline function stf(p: usize, v: f32): void {
  store<f32>(p, v);
}
// @ts-ignore: decorator
@inline function ldi(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function fsplat(x: f32): v128 {
  return f32x4.splat(x);
}
// @ts-ignore: decorator
@inline function boolf(c: bool): f32 {
  return <f32><i32>c; // branch-free (a float select may compile to a mispredicting branch)
}
// @ts-ignore: decorator
@inline function vbool(m: v128): v128 {
  return v128.and(m, f32x4.splat(1.0));
}

// ================================ binary ================================

// @ts-ignore: decorator
@inline function bin1(op: i32, x: f32, y: f32): f32 {
  if (op == B_ADD) return x + y;
  if (op == B_SUB) return x - y;
  if (op == B_MUL) return x * y;
  if (op == B_DIV) return x / y;
  if (op == B_MAX) return max<f32>(x, y);
  if (op == B_MIN) return min<f32>(x, y);
  if (op == B_POW) return spow(x, y);
  if (op == B_GT) return boolf(x > y);
  if (op == B_LT) return boolf(x < y);
  return boolf(x == y);
}

// @ts-ignore: decorator
@inline function binv(op: i32, x: v128, y: v128): v128 {
  if (op == B_ADD) return f32x4.add(x, y);
  if (op == B_SUB) return f32x4.sub(x, y);
  if (op == B_MUL) return f32x4.mul(x, y);
  if (op == B_DIV) return f32x4.div(x, y);
  if (op == B_MAX) return f32x4.max(x, y);
  if (op == B_MIN) return f32x4.min(x, y);
  if (op == B_POW) return vpow(x, y);
  if (op == B_GT) return vbool(f32x4.gt(x, y));
  if (op == B_LT) return vbool(f32x4.lt(x, y));
  return vbool(f32x4.eq(x, y));
}

// (1,1): both operands contiguous along the row.
// @ts-ignore: decorator
@inline function rowVV(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  const end = out + (<usize>n << 2);
  if (ASC_FEATURE_SIMD) {
    const end8 = out + (<usize>(n & ~7) << 2);
    while (out < end8) {
      v128.store(out, binv(op, v128.load(a), v128.load(b)));
      v128.store(out, binv(op, v128.load(a, 16), v128.load(b, 16)), 16);
      a += 32;
      b += 32;
      out += 32;
    }
    if (out + 16 <= end) {
      v128.store(out, binv(op, v128.load(a), v128.load(b)));
      a += 16;
      b += 16;
      out += 16;
    }
  }
  while (out < end) {
    stf(out, bin1(op, ldf(a), ldf(b)));
    a += 4;
    b += 4;
    out += 4;
  }
}

// (1,0): b is one value for the whole row.
// @ts-ignore: decorator
@inline function rowVS(op: i32, a: usize, bv: f32, out: usize, n: i32): void {
  const end = out + (<usize>n << 2);
  if (ASC_FEATURE_SIMD) {
    const vb = fsplat(bv);
    const end8 = out + (<usize>(n & ~7) << 2);
    while (out < end8) {
      v128.store(out, binv(op, v128.load(a), vb));
      v128.store(out, binv(op, v128.load(a, 16), vb), 16);
      a += 32;
      out += 32;
    }
    if (out + 16 <= end) {
      v128.store(out, binv(op, v128.load(a), vb));
      a += 16;
      out += 16;
    }
  }
  while (out < end) {
    stf(out, bin1(op, ldf(a), bv));
    a += 4;
    out += 4;
  }
}

// (0,1): a is one value for the whole row.
// @ts-ignore: decorator
@inline function rowSV(op: i32, av: f32, b: usize, out: usize, n: i32): void {
  const end = out + (<usize>n << 2);
  if (ASC_FEATURE_SIMD) {
    const va = fsplat(av);
    const end8 = out + (<usize>(n & ~7) << 2);
    while (out < end8) {
      v128.store(out, binv(op, va, v128.load(b)));
      v128.store(out, binv(op, va, v128.load(b, 16)), 16);
      b += 32;
      out += 32;
    }
    if (out + 16 <= end) {
      v128.store(out, binv(op, va, v128.load(b)));
      b += 16;
      out += 16;
    }
  }
  while (out < end) {
    stf(out, bin1(op, av, ldf(b)));
    b += 4;
    out += 4;
  }
}

// Any other stride pair: scalar loop.
// @ts-ignore: decorator
@inline function rowStrided(op: i32, a: usize, b: usize, out: usize, n: i32, sa: i32, sb: i32): void {
  const da = <usize>(sa << 2), db = <usize>(sb << 2);
  const end = out + (<usize>n << 2);
  while (out < end) {
    stf(out, bin1(op, ldf(a), ldf(b)));
    a += da;
    b += db;
    out += 4;
  }
}

// @ts-ignore: decorator
@inline function rowDispatch(op: i32, a: usize, b: usize, out: usize, n: i32, sa: i32, sb: i32): void {
  if (sa == 1) {
    if (sb == 1) rowVV(op, a, b, out, n);
    else if (sb == 0) rowVS(op, a, ldf(b), out, n);
    else rowStrided(op, a, b, out, n, sa, sb);
  } else if (sa == 0) {
    if (sb == 1) rowSV(op, ldf(a), b, out, n);
    else if (sb == 0) fillRow(out, n, bin1(op, ldf(a), ldf(b)));
    else rowStrided(op, a, b, out, n, sa, sb);
  } else rowStrided(op, a, b, out, n, sa, sb);
}

function binaryRow(op: i32, a: usize, b: usize, out: usize, n: i32, sa: i32, sb: i32): void {
  switch (op) {
    case B_ADD: rowDispatch(B_ADD, a, b, out, n, sa, sb); break;
    case B_SUB: rowDispatch(B_SUB, a, b, out, n, sa, sb); break;
    case B_MUL: rowDispatch(B_MUL, a, b, out, n, sa, sb); break;
    case B_DIV: rowDispatch(B_DIV, a, b, out, n, sa, sb); break;
    case B_MAX: rowDispatch(B_MAX, a, b, out, n, sa, sb); break;
    case B_MIN: rowDispatch(B_MIN, a, b, out, n, sa, sb); break;
    case B_POW: rowDispatch(B_POW, a, b, out, n, sa, sb); break;
    case B_GT: rowDispatch(B_GT, a, b, out, n, sa, sb); break;
    case B_LT: rowDispatch(B_LT, a, b, out, n, sa, sb); break;
    case B_EQ: rowDispatch(B_EQ, a, b, out, n, sa, sb); break;
    default: break;
  }
}

// @ts-ignore: decorator
@inline function offset(p: usize, elems: i32): usize {
  return p + <usize>(elems << 2);
}

/** out[i] = f(a[i·aStrides], b[i·bStrides]) over the multi-index i of shape; out contiguous. */
export function binary(op: i32, a: usize, b: usize, out: usize, ndim: i32, shape: usize, aStrides: usize, bStrides: usize): void {
  let total: i32 = 1;
  for (let d = 0; d < ndim; d++) total *= ldi(shape, d);
  if (total <= 0) return;
  // Collapse the trailing dimensions into one row of length len with strides (sa, sb).
  let d = ndim - 1;
  while (d >= 0 && ldi(shape, d) == 1) d--;
  if (d < 0) {
    binaryRow(op, a, b, out, 1, 1, 1);
    return;
  }
  let len = ldi(shape, d), sa = ldi(aStrides, d), sb = ldi(bStrides, d);
  d--;
  while (d >= 0) {
    const s = ldi(shape, d);
    if (s != 1) {
      if (ldi(aStrides, d) != sa * len || ldi(bStrides, d) != sb * len) break;
      len *= s;
    }
    d--;
  }
  if (d < 0) {
    binaryRow(op, a, b, out, len, sa, sb);
    return;
  }
  // Odometer over dimensions 0..d.
  const k = d + 1;
  for (let j = 0; j < k; j++) store<i32>(IDX + (<usize>j << 2), 0);
  const rows = total / len;
  const rowBytes = <usize>len << 2;
  let oa: i32 = 0, ob: i32 = 0;
  for (let r = 0; r < rows; r++) {
    binaryRow(op, offset(a, oa), offset(b, ob), out, len, sa, sb);
    out += rowBytes;
    let j = d;
    while (j >= 0) {
      const ip = IDX + (<usize>j << 2);
      const ij = load<i32>(ip) + 1;
      const sj = ldi(shape, j);
      if (ij < sj) {
        store<i32>(ip, ij);
        oa += ldi(aStrides, j);
        ob += ldi(bStrides, j);
        break;
      }
      store<i32>(ip, 0);
      oa -= ldi(aStrides, j) * (sj - 1);
      ob -= ldi(bStrides, j) * (sj - 1);
      j--;
    }
  }
}

// ================================ unary ================================

// max(x, 0) on the bits, branch-free (V8 lowers scalar f32.max with branches): clears negative values
// (−0 → +0) and keeps NaN, like f32x4.max(x, 0).
// @ts-ignore: decorator
@inline function relu1(x: f32): f32 {
  const ix = reinterpret<i32>(x);
  const nan = -(<i32>((ix & 0x7fffffff) > 0x7f800000));
  return reinterpret<f32>(ix & (~(ix >> 31) | nan));
}

// @ts-ignore: decorator
@inline function un1(op: i32, x: f32, p: f32): f32 {
  if (op == U_NEG) return -x;
  if (op == U_ABS) return abs<f32>(x);
  if (op == U_RELU) return relu1(x);
  if (op == U_LEAKY_RELU) return x > 0 ? x : p * x;
  if (op == U_SIGMOID) return ssigmoid(x);
  if (op == U_TANH) return stanh(x);
  if (op == U_EXP) return sexp(x);
  if (op == U_LOG) return slog(x);
  if (op == U_SQRT) return sqrt<f32>(x);
  if (op == U_POW) return spow(x, p);
  if (op == U_SCALE) return p * x;
  if (op == U_ADD_SCALAR) return x + p;
  if (op == U_SQUARE) return x * x;
  if (op == U_RECIPROCAL) return 1.0 / x;
  if (op == U_ELU) return x > 0 ? x : p * sexpm1(x);
  if (op == U_SIGN) {
    if (x != x) return x;
    return boolf(x > 0) - boolf(x < 0);
  }
  if (op == U_CLAMP_MIN) return max<f32>(x, p);
  if (op == U_CLAMP_MAX) return min<f32>(x, p);
  if (op == U_GELU) return x * sphi(x);
  if (op == X_ONE) return 1.0;
  if (op == X_COPY) return x;
  return x * x * x; // X_CUBE
}

// GELU x·Φ(x) as a real function: inlining this much vector math into the unrolled loop crashes
// Binaryen's optimizer (AS 0.28.20); the call costs little next to the two exps.
function vgelu(x: v128): v128 {
  return f32x4.mul(x, vphi(x));
}

// @ts-ignore: decorator
@inline function unv(op: i32, x: v128, p: f32): v128 {
  if (op == U_NEG) return f32x4.neg(x);
  if (op == U_ABS) return f32x4.abs(x);
  if (op == U_RELU) return f32x4.max(x, fsplat(0.0));
  if (op == U_LEAKY_RELU) return v128.bitselect(x, f32x4.mul(fsplat(p), x), f32x4.gt(x, fsplat(0.0)));
  if (op == U_SIGMOID) return vsigmoid(x);
  if (op == U_TANH) return vtanh(x);
  if (op == U_EXP) return vexp(x);
  if (op == U_LOG) return vlog(x);
  if (op == U_SQRT) return f32x4.sqrt(x);
  if (op == U_POW) return vpow(x, fsplat(p));
  if (op == U_SCALE) return f32x4.mul(fsplat(p), x);
  if (op == U_ADD_SCALAR) return f32x4.add(x, fsplat(p));
  if (op == U_SQUARE) return f32x4.mul(x, x);
  if (op == U_RECIPROCAL) return f32x4.div(fsplat(1.0), x);
  if (op == U_ELU) return v128.bitselect(x, f32x4.mul(fsplat(p), vexpm1(x)), f32x4.gt(x, fsplat(0.0)));
  if (op == U_SIGN) {
    const s = f32x4.sub(vbool(f32x4.gt(x, fsplat(0.0))), vbool(f32x4.lt(x, fsplat(0.0))));
    return v128.bitselect(x, s, f32x4.ne(x, x));
  }
  if (op == U_CLAMP_MIN) return f32x4.max(x, fsplat(p));
  if (op == U_CLAMP_MAX) return f32x4.min(x, fsplat(p));
  if (op == U_GELU) return vgelu(x);
  if (op == X_ONE) return fsplat(1.0);
  if (op == X_COPY) return x;
  return f32x4.mul(f32x4.mul(x, x), x); // X_CUBE
}

// @ts-ignore: decorator
@inline function unaryLoop(op: i32, x: usize, out: usize, n: i32, p: f32): void {
  const end = out + (<usize>n << 2);
  if (ASC_FEATURE_SIMD) {
    const end8 = out + (<usize>(n & ~7) << 2);
    while (out < end8) {
      const v0 = v128.load(x), v1 = v128.load(x, 16);
      v128.store(out, unv(op, v0, p));
      v128.store(out, unv(op, v1, p), 16);
      x += 32;
      out += 32;
    }
    if (out + 16 <= end) {
      v128.store(out, unv(op, v128.load(x), p));
      x += 16;
      out += 16;
    }
  }
  while (out < end) {
    stf(out, un1(op, ldf(x), p));
    x += 4;
    out += 4;
  }
}

/** out[i] = f(x[i]; p); out may alias x. */
export function unary(op: i32, x: usize, out: usize, n: i32, p: f32): void {
  if (n <= 0) return;
  switch (op) {
    case U_NEG: unaryLoop(U_NEG, x, out, n, p); break;
    case U_ABS: unaryLoop(U_ABS, x, out, n, p); break;
    case U_RELU: unaryLoop(U_RELU, x, out, n, p); break;
    case U_LEAKY_RELU: unaryLoop(U_LEAKY_RELU, x, out, n, p); break;
    case U_SIGMOID: unaryLoop(U_SIGMOID, x, out, n, p); break;
    case U_TANH: unaryLoop(U_TANH, x, out, n, p); break;
    case U_EXP: unaryLoop(U_EXP, x, out, n, p); break;
    case U_LOG: unaryLoop(U_LOG, x, out, n, p); break;
    case U_SQRT: unaryLoop(U_SQRT, x, out, n, p); break;
    case U_POW:
      if (p == 0) unaryLoop(X_ONE, x, out, n, p);
      else if (p == 1) unaryLoop(X_COPY, x, out, n, p);
      else if (p == 2) unaryLoop(U_SQUARE, x, out, n, p);
      else if (p == 3) unaryLoop(X_CUBE, x, out, n, p);
      else if (p == 0.5) unaryLoop(U_SQRT, x, out, n, p);
      else if (p == -1) unaryLoop(U_RECIPROCAL, x, out, n, p);
      else unaryLoop(U_POW, x, out, n, p);
      break;
    case U_SCALE: unaryLoop(U_SCALE, x, out, n, p); break;
    case U_ADD_SCALAR: unaryLoop(U_ADD_SCALAR, x, out, n, p); break;
    case U_SQUARE: unaryLoop(U_SQUARE, x, out, n, p); break;
    case U_RECIPROCAL: unaryLoop(U_RECIPROCAL, x, out, n, p); break;
    case U_ELU: unaryLoop(U_ELU, x, out, n, p); break;
    case U_SIGN: unaryLoop(U_SIGN, x, out, n, p); break;
    case U_CLAMP_MIN: unaryLoop(U_CLAMP_MIN, x, out, n, p); break;
    case U_CLAMP_MAX: unaryLoop(U_CLAMP_MAX, x, out, n, p); break;
    case U_GELU: unaryLoop(U_GELU, x, out, n, p); break;
    default: break;
  }
}

// ================================ unary backward ================================

// dx = dy·f'(x) from x, y = f(x) and dy.
// @ts-ignore: decorator
@inline function ub1(op: i32, x: f32, y: f32, g: f32, p: f32): f32 {
  if (op == U_NEG) return -g;
  if (op == U_ABS) return x > 0 ? g : x < 0 ? -g : 0;
  if (op == U_RELU) return x > 0 ? g : 0;
  if (op == U_LEAKY_RELU) return x > 0 ? g : p * g;
  if (op == U_SIGMOID) return g * (y * (1.0 - y));
  if (op == U_TANH) return g * (1.0 - y * y);
  if (op == U_EXP) return g * y;
  if (op == U_LOG) return g / x;
  if (op == U_SQRT) return g * (0.5 / y);
  if (op == U_POW) return g * (p * spow(x, p - 1.0));
  if (op == U_SCALE) return p * g;
  if (op == U_ADD_SCALAR) return g;
  if (op == U_SQUARE) return g * (2.0 * x);
  if (op == U_RECIPROCAL) return -g * (y * y);
  if (op == U_ELU) return x > 0 ? g : g * (y + p);
  if (op == U_SIGN) return 0;
  if (op == U_CLAMP_MIN) return x > p ? g : 0;
  if (op == U_CLAMP_MAX) return x < p ? g : 0;
  if (op == U_GELU) return g * (sphi(x) + x * snormpdf(x));
  if (op == X_ZERO) return 0;
  if (op == X_TWICE) return g * (2.0 * x);
  if (op == X_HALF_RSQRT) return g * (0.5 / sqrt<f32>(x));
  return g; // X_DY
}

// @ts-ignore: decorator
@inline function ubv(op: i32, x: v128, y: v128, g: v128, p: f32): v128 {
  const zero = fsplat(0.0);
  if (op == U_NEG) return f32x4.neg(g);
  if (op == U_ABS) {
    const pos = v128.and(g, f32x4.gt(x, zero));
    const neg = v128.and(f32x4.neg(g), f32x4.lt(x, zero));
    return v128.or(pos, neg);
  }
  if (op == U_RELU) return v128.and(g, f32x4.gt(x, zero));
  if (op == U_LEAKY_RELU) return v128.bitselect(g, f32x4.mul(fsplat(p), g), f32x4.gt(x, zero));
  if (op == U_SIGMOID) return f32x4.mul(g, f32x4.mul(y, f32x4.sub(fsplat(1.0), y)));
  if (op == U_TANH) return f32x4.mul(g, f32x4.sub(fsplat(1.0), f32x4.mul(y, y)));
  if (op == U_EXP) return f32x4.mul(g, y);
  if (op == U_LOG) return f32x4.div(g, x);
  if (op == U_SQRT) return f32x4.mul(g, f32x4.div(fsplat(0.5), y));
  if (op == U_POW) return f32x4.mul(g, f32x4.mul(fsplat(p), vpow(x, fsplat(p - 1.0))));
  if (op == U_SCALE) return f32x4.mul(fsplat(p), g);
  if (op == U_ADD_SCALAR) return g;
  if (op == U_SQUARE) return f32x4.mul(g, f32x4.mul(fsplat(2.0), x));
  if (op == U_RECIPROCAL) return f32x4.mul(f32x4.neg(g), f32x4.mul(y, y));
  if (op == U_ELU) return v128.bitselect(g, f32x4.mul(g, f32x4.add(y, fsplat(p))), f32x4.gt(x, zero));
  if (op == U_SIGN) return zero;
  if (op == U_CLAMP_MIN) return v128.and(g, f32x4.gt(x, fsplat(p)));
  if (op == U_CLAMP_MAX) return v128.and(g, f32x4.lt(x, fsplat(p)));
  if (op == U_GELU) return f32x4.mul(g, f32x4.add(vphi(x), f32x4.mul(x, vnormpdf(x))));
  if (op == X_ZERO) return zero;
  if (op == X_TWICE) return f32x4.mul(g, f32x4.mul(fsplat(2.0), x));
  if (op == X_HALF_RSQRT) return f32x4.mul(g, f32x4.div(fsplat(0.5), f32x4.sqrt(x)));
  return g; // X_DY
}

// @ts-ignore: decorator
@inline function unaryBackwardLoop(op: i32, x: usize, y: usize, dy: usize, dx: usize, n: i32, p: f32): void {
  const end = dx + (<usize>n << 2);
  if (ASC_FEATURE_SIMD) {
    const end4 = dx + (<usize>(n & ~3) << 2);
    while (dx < end4) {
      v128.store(dx, ubv(op, v128.load(x), v128.load(y), v128.load(dy), p));
      x += 16;
      y += 16;
      dy += 16;
      dx += 16;
    }
  }
  while (dx < end) {
    stf(dx, ub1(op, ldf(x), ldf(y), ldf(dy), p));
    x += 4;
    y += 4;
    dy += 4;
    dx += 4;
  }
}

/**
 * dx[i] = dy[i]·f'(x[i]) using the forward input x and/or output y. Ops that read only one of x/y
 * still advance both pointers, so both must point at n floats (the host may pass the same buffer).
 */
export function unaryBackward(op: i32, x: usize, y: usize, dy: usize, dx: usize, n: i32, p: f32): void {
  if (n <= 0) return;
  switch (op) {
    case U_NEG: unaryBackwardLoop(U_NEG, x, y, dy, dx, n, p); break;
    case U_ABS: unaryBackwardLoop(U_ABS, x, y, dy, dx, n, p); break;
    case U_RELU: unaryBackwardLoop(U_RELU, x, y, dy, dx, n, p); break;
    case U_LEAKY_RELU: unaryBackwardLoop(U_LEAKY_RELU, x, y, dy, dx, n, p); break;
    case U_SIGMOID: unaryBackwardLoop(U_SIGMOID, x, y, dy, dx, n, p); break;
    case U_TANH: unaryBackwardLoop(U_TANH, x, y, dy, dx, n, p); break;
    case U_EXP: unaryBackwardLoop(U_EXP, x, y, dy, dx, n, p); break;
    case U_LOG: unaryBackwardLoop(U_LOG, x, y, dy, dx, n, p); break;
    case U_SQRT: unaryBackwardLoop(U_SQRT, x, y, dy, dx, n, p); break;
    case U_POW:
      if (p == 0) unaryBackwardLoop(X_ZERO, x, y, dy, dx, n, p);
      else if (p == 1) unaryBackwardLoop(X_DY, x, y, dy, dx, n, p);
      else if (p == 2) unaryBackwardLoop(X_TWICE, x, y, dy, dx, n, p);
      else if (p == 0.5) unaryBackwardLoop(X_HALF_RSQRT, x, y, dy, dx, n, p);
      else unaryBackwardLoop(U_POW, x, y, dy, dx, n, p);
      break;
    case U_SCALE: unaryBackwardLoop(U_SCALE, x, y, dy, dx, n, p); break;
    case U_ADD_SCALAR: unaryBackwardLoop(U_ADD_SCALAR, x, y, dy, dx, n, p); break;
    case U_SQUARE: unaryBackwardLoop(U_SQUARE, x, y, dy, dx, n, p); break;
    case U_RECIPROCAL: unaryBackwardLoop(U_RECIPROCAL, x, y, dy, dx, n, p); break;
    case U_ELU: unaryBackwardLoop(U_ELU, x, y, dy, dx, n, p); break;
    case U_SIGN: unaryBackwardLoop(U_SIGN, x, y, dy, dx, n, p); break;
    case U_CLAMP_MIN: unaryBackwardLoop(U_CLAMP_MIN, x, y, dy, dx, n, p); break;
    case U_CLAMP_MAX: unaryBackwardLoop(U_CLAMP_MAX, x, y, dy, dx, n, p); break;
    case U_GELU: unaryBackwardLoop(U_GELU, x, y, dy, dx, n, p); break;
    default: break;
  }
}

// ================================ strided copy / add ================================

// @ts-ignore: decorator
@inline function fillRow(dst: usize, n: i32, value: f32): void {
  const end = dst + (<usize>n << 2);
  if (ASC_FEATURE_SIMD) {
    const v = fsplat(value);
    const end4 = dst + (<usize>(n & ~3) << 2);
    while (dst < end4) {
      v128.store(dst, v);
      dst += 16;
    }
  }
  while (dst < end) {
    stf(dst, value);
    dst += 4;
  }
}

function copyRow(src: usize, dst: usize, n: i32, ss: i32, ds: i32): void {
  if (ss == 1 && ds == 1) {
    memory.copy(dst, src, <usize>n << 2);
  } else if (ss == 0 && ds == 1) {
    fillRow(dst, n, ldf(src));
  } else {
    const dsb = <usize>(ds << 2), ssb = <usize>(ss << 2);
    for (let i = 0; i < n; i++) {
      stf(dst, ldf(src));
      src += ssb;
      dst += dsb;
    }
  }
}

// Sum of a contiguous row with 4 lanes (one vector accumulator; the scalar build mirrors the lanes).
// @ts-ignore: decorator
@inline function rowSum4(p: usize, n: i32): f32 {
  let i = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0.0);
    for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, v128.load(p + (<usize>i << 2)));
    s = hsum(acc);
  } else {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (; i + 4 <= n; i += 4) {
      const q = p + (<usize>i << 2);
      s0 += load<f32>(q);
      s1 += load<f32>(q, 4);
      s2 += load<f32>(q, 8);
      s3 += load<f32>(q, 12);
    }
    s = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) s += load<f32>(p + (<usize>i << 2));
  return s;
}

function addRow(src: usize, dst: usize, n: i32, ss: i32, ds: i32): void {
  if (ss == 1 && ds == 1) {
    axpyLoop(n, 1.0, src, dst, false);
  } else if (ss == 0 && ds == 1) {
    const v = ldf(src);
    const end = dst + (<usize>n << 2);
    if (ASC_FEATURE_SIMD) {
      const vv = fsplat(v);
      const end4 = dst + (<usize>(n & ~3) << 2);
      while (dst < end4) {
        v128.store(dst, f32x4.add(v128.load(dst), vv));
        dst += 16;
      }
    }
    while (dst < end) {
      stf(dst, ldf(dst) + v);
      dst += 4;
    }
  } else if (ss == 1 && ds == 0) {
    stf(dst, ldf(dst) + rowSum4(src, n));
  } else {
    const dsb = <usize>(ds << 2), ssb = <usize>(ss << 2);
    for (let i = 0; i < n; i++) {
      stf(dst, ldf(dst) + ldf(src));
      src += ssb;
      dst += dsb;
    }
  }
}

// @ts-ignore: decorator
@inline function strided(add: bool, src: usize, dst: usize, ndim: i32, shape: usize, sStrides: usize, dStrides: usize): void {
  let total: i32 = 1;
  for (let d = 0; d < ndim; d++) total *= ldi(shape, d);
  if (total <= 0) return;
  let d = ndim - 1;
  while (d >= 0 && ldi(shape, d) == 1) d--;
  if (d < 0) {
    if (add) stf(dst, ldf(dst) + ldf(src));
    else stf(dst, ldf(src));
    return;
  }
  let len = ldi(shape, d), ss = ldi(sStrides, d), ds = ldi(dStrides, d);
  d--;
  while (d >= 0) {
    const s = ldi(shape, d);
    if (s != 1) {
      if (ldi(sStrides, d) != ss * len || ldi(dStrides, d) != ds * len) break;
      len *= s;
    }
    d--;
  }
  if (d < 0) {
    if (add) addRow(src, dst, len, ss, ds);
    else copyRow(src, dst, len, ss, ds);
    return;
  }
  for (let j = 0; j <= d; j++) store<i32>(IDX + (<usize>j << 2), 0);
  const rows = total / len;
  let os: i32 = 0, od: i32 = 0;
  for (let r = 0; r < rows; r++) {
    if (add) addRow(offset(src, os), offset(dst, od), len, ss, ds);
    else copyRow(offset(src, os), offset(dst, od), len, ss, ds);
    let j = d;
    while (j >= 0) {
      const ip = IDX + (<usize>j << 2);
      const ij = load<i32>(ip) + 1;
      const sj = ldi(shape, j);
      if (ij < sj) {
        store<i32>(ip, ij);
        os += ldi(sStrides, j);
        od += ldi(dStrides, j);
        break;
      }
      store<i32>(ip, 0);
      os -= ldi(sStrides, j) * (sj - 1);
      od -= ldi(dStrides, j) * (sj - 1);
      j--;
    }
  }
}

/** dst[i·dstStrides] = src[i·srcStrides] over shape. */
export function stridedCopy(src: usize, dst: usize, ndim: i32, shape: usize, srcStrides: usize, dstStrides: usize): void {
  strided(false, src, dst, ndim, shape, srcStrides, dstStrides);
}

/** dst[i·dstStrides] += src[i·srcStrides]; a 0 in dstStrides sums over that axis. */
export function stridedAdd(src: usize, dst: usize, ndim: i32, shape: usize, srcStrides: usize, dstStrides: usize): void {
  strided(true, src, dst, ndim, shape, srcStrides, dstStrides);
}

// ================================ fill / axpy / countNonFinite ================================

/** dst[i] = value. */
export function fill(dst: usize, n: i32, value: f32): void {
  if (n <= 0) return;
  fillRow(dst, n, value);
}

// y += alpha·x (or y += x when plain, skipping the multiply).
// @ts-ignore: decorator
@inline function axpyLoop(n: i32, alpha: f32, x: usize, y: usize, scaled: bool): void {
  const end = y + (<usize>n << 2);
  if (ASC_FEATURE_SIMD) {
    const va = fsplat(alpha);
    const end8 = y + (<usize>(n & ~7) << 2);
    while (y < end8) {
      let x0 = v128.load(x), x1 = v128.load(x, 16);
      if (scaled) {
        x0 = f32x4.mul(va, x0);
        x1 = f32x4.mul(va, x1);
      }
      v128.store(y, f32x4.add(v128.load(y), x0));
      v128.store(y, f32x4.add(v128.load(y, 16), x1), 16);
      x += 32;
      y += 32;
    }
    if (y + 16 <= end) {
      let x0 = v128.load(x);
      if (scaled) x0 = f32x4.mul(va, x0);
      v128.store(y, f32x4.add(v128.load(y), x0));
      x += 16;
      y += 16;
    }
  }
  while (y < end) {
    const xv = scaled ? alpha * ldf(x) : ldf(x);
    stf(y, ldf(y) + xv);
    x += 4;
    y += 4;
  }
}

/** y[i] += alpha·x[i]. */
export function axpy(n: i32, alpha: f32, x: usize, y: usize): void {
  if (n <= 0) return;
  axpyLoop(n, alpha, x, y, true);
}

/** Number of NaN / ±Inf entries of x[0..n). */
export function countNonFinite(x: usize, n: i32): i32 {
  let count: i32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const em = i32x4.splat(0x7f800000);
    let acc = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      acc = i32x4.sub(acc, i32x4.eq(v128.and(v, em), em));
    }
    count = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  }
  for (; i < n; i++) {
    if ((load<i32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) count++;
  }
  return count;
}
