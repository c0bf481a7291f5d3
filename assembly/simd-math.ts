// Vector (f32x4) and scalar f32 math shared by the kernels: exp, expm1, log, tanh, sigmoid, pow, and a
// horizontal lane sum. Nothing here is a wasm export; every function is @inline so a caller's loop holds
// the whole computation. The scalar forms (s*) perform exactly the same IEEE operations, in the same
// order, as the vector forms (v*), so the SIMD and scalar builds give bit-identical results.
//
// exp(x):   clamp x to [-104, 89] (NaN passes through), n = round(x·log2 e) via the 1.5·2^23 "magic"
//           addition (round-half-even, no float->int conversion), r = x − n·ln2 (Cody-Waite split, exact
//           first step), exp(r) = 1 + r + r²·P5(r) (Cephes expf minimax, |r| ≤ ln2/2), result
//           p·2^h·2^(n−h) with h = n>>1 so gradual underflow and overflow to +Inf are both correct.
// expm1(x): same reduction; r + r²·P5(r) when n = 0 (accurate near 0), p·2^n − 1 otherwise.
// log(x):   x = m·2^e, m in [√½, √2) from the exponent/mantissa bit split (subnormals pre-scaled by
//           2^23); log(1+f) = f − f²/2 + f³·P8(f) (Cephes logf), plus e·ln2 (split). log(0) = −Inf,
//           log(x<0) = NaN, log(+Inf) = +Inf, log(NaN) = NaN.
// tanh(x):  |x| < 0.625: x + x³·P4(x²) (Cephes tanhf); else sign(x)·(1−e)/(1+e), e = exp(−2|x|).
// sigmoid:  e = exp(−|x|); x ≥ 0: 1/(1+e), x < 0: e/(1+e) (no overflow for any x).
// pow(a,b): b = 0 → 1; otherwise exp(b·log|a|), negated for a < 0 and odd integer b, NaN for a < 0 and
//           non-integer b (as Math.pow). (−0)^b is treated like +0^b (so (−0)^3 = +0, Math.pow gives −0).
//           Relative error grows with |b·log a| (about |b·log a|·6e-8 on top of a few ulp).

// ---- constants ----
// @ts-ignore: decorator
@inline const MAGIC: f32 = 12582912.0; // 1.5 * 2^23
// @ts-ignore: decorator
@inline const MAGIC_BITS: i32 = 0x4b400000;
// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;
// @ts-ignore: decorator
@inline const EXP_HI: f32 = 89.0;
// @ts-ignore: decorator
@inline const EXP_LO: f32 = -104.0;
// @ts-ignore: decorator
@inline const EP0: f32 = 1.9875691500e-4;
// @ts-ignore: decorator
@inline const EP1: f32 = 1.3981999507e-3;
// @ts-ignore: decorator
@inline const EP2: f32 = 8.3334519073e-3;
// @ts-ignore: decorator
@inline const EP3: f32 = 4.1665795894e-2;
// @ts-ignore: decorator
@inline const EP4: f32 = 1.6666665459e-1;
// @ts-ignore: decorator
@inline const EP5: f32 = 5.0000001201e-1;

// @ts-ignore: decorator
@inline const SQRTHF: f32 = 0.707106781186547524;
// @ts-ignore: decorator
@inline const LP0: f32 = 7.0376836292e-2;
// @ts-ignore: decorator
@inline const LP1: f32 = -1.1514610310e-1;
// @ts-ignore: decorator
@inline const LP2: f32 = 1.1676998740e-1;
// @ts-ignore: decorator
@inline const LP3: f32 = -1.2420140846e-1;
// @ts-ignore: decorator
@inline const LP4: f32 = 1.4249322787e-1;
// @ts-ignore: decorator
@inline const LP5: f32 = -1.6668057665e-1;
// @ts-ignore: decorator
@inline const LP6: f32 = 2.0000714765e-1;
// @ts-ignore: decorator
@inline const LP7: f32 = -2.4999993993e-1;
// @ts-ignore: decorator
@inline const LP8: f32 = 3.3333331174e-1;
// @ts-ignore: decorator
@inline const FLT_MIN: f32 = 1.17549435e-38;
// @ts-ignore: decorator
@inline const TWO23: f32 = 8388608.0;

// @ts-ignore: decorator
@inline const TP0: f32 = -5.70498872745e-3;
// @ts-ignore: decorator
@inline const TP1: f32 = 2.06390887954e-2;
// @ts-ignore: decorator
@inline const TP2: f32 = -5.37397155531e-2;
// @ts-ignore: decorator
@inline const TP3: f32 = 1.33314422036e-1;
// @ts-ignore: decorator
@inline const TP4: f32 = -3.33332819422e-1;
// @ts-ignore: decorator
@inline const TANH_SMALL: f32 = 0.625;

// ================================ scalar forms ================================

// @ts-ignore: decorator
@inline function pow2i(n: i32): f32 {
  return reinterpret<f32>((n + 127) << 23);
}

/** exp(x) (see header). */
// @ts-ignore: decorator
@inline export function sexp(x: f32): f32 {
  x = min<f32>(max<f32>(x, EXP_LO), EXP_HI);
  const t = x * LOG2E + MAGIC;
  const n = t - MAGIC;
  const ni = reinterpret<i32>(t) - MAGIC_BITS;
  const r = x - n * LN2_HI - n * LN2_LO;
  const z = r * r;
  const p = (((((EP0 * r + EP1) * r + EP2) * r + EP3) * r + EP4) * r + EP5) * z + r + 1.0;
  const h = ni >> 1;
  return p * pow2i(h) * pow2i(ni - h);
}

/** exp(x) − 1, accurate near 0 (see header). */
// @ts-ignore: decorator
@inline export function sexpm1(x: f32): f32 {
  x = min<f32>(max<f32>(x, EXP_LO), EXP_HI);
  const t = x * LOG2E + MAGIC;
  const n = t - MAGIC;
  const ni = reinterpret<i32>(t) - MAGIC_BITS;
  const r = x - n * LN2_HI - n * LN2_LO;
  const z = r * r;
  const q = (((((EP0 * r + EP1) * r + EP2) * r + EP3) * r + EP4) * r + EP5) * z + r;
  if (ni == 0) return q;
  const h = ni >> 1;
  return (q + 1.0) * pow2i(h) * pow2i(ni - h) - 1.0;
}

/** Natural log (see header). */
// @ts-ignore: decorator
@inline export function slog(x: f32): f32 {
  let xs = x;
  let eadj: i32 = 0;
  if (x < FLT_MIN) {
    xs = x * TWO23;
    eadj = -23;
  }
  const ix = reinterpret<i32>(xs);
  let e = (ix >> 23) - 126 + eadj;
  const m = reinterpret<f32>((ix & 0x007fffff) | 0x3f000000);
  // m < √½ without a data-dependent branch: lo is 1 or 0 (then f + m·0 = f exactly).
  const lo = <i32>(m < SQRTHF);
  e -= lo;
  const f = (m - 1.0) + m * <f32>lo;
  const fe = <f32>e;
  const z = f * f;
  let y = ((((((((LP0 * f + LP1) * f + LP2) * f + LP3) * f + LP4) * f + LP5) * f + LP6) * f + LP7) * f + LP8) * f * z;
  y = y + LN2_LO * fe;
  y = y - 0.5 * z;
  let r = f + y;
  r = r + LN2_HI * fe;
  if (!(x >= 0)) r = NaN;
  if (x == 0) r = -Infinity;
  if (x == Infinity) r = Infinity;
  return r;
}

/** tanh (see header). */
// @ts-ignore: decorator
@inline export function stanh(x: f32): f32 {
  const ax = abs<f32>(x);
  if (ax < TANH_SMALL) {
    const z = x * x;
    return ((((TP0 * z + TP1) * z + TP2) * z + TP3) * z + TP4) * z * x + x;
  }
  const e = sexp(<f32>-2.0 * ax);
  const y: f32 = (1.0 - e) / (1.0 + e);
  return reinterpret<f32>(reinterpret<i32>(y) | (reinterpret<i32>(x) & 0x80000000));
}

/** 1/(1+exp(−x)) (see header). */
// @ts-ignore: decorator
@inline export function ssigmoid(x: f32): f32 {
  const e = sexp(-abs<f32>(x));
  const num: f32 = x >= 0 ? 1.0 : e;
  return num / (1.0 + e);
}

/** a^b for a general b (see header). */
// @ts-ignore: decorator
@inline export function spow(a: f32, b: f32): f32 {
  let r = sexp(b * slog(abs<f32>(a)));
  if (a < 0) {
    if (floor<f32>(b) != b) r = NaN;
    else {
      const h = b * 0.5;
      if (floor<f32>(h) != h) r = -r;
    }
  }
  if (b == 0) r = 1.0;
  return r;
}

// ================================ vector forms ================================

// @ts-ignore: decorator
@inline function vpow2i(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
}

// @ts-ignore: decorator
@inline function vsplat(x: f32): v128 {
  return f32x4.splat(x);
}

/** f32x4 exp (see header). */
// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, vsplat(EXP_LO)), vsplat(EXP_HI));
  const t = f32x4.add(f32x4.mul(x, vsplat(LOG2E)), vsplat(MAGIC));
  const n = f32x4.sub(t, vsplat(MAGIC));
  const ni = i32x4.sub(t, i32x4.splat(MAGIC_BITS));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, vsplat(LN2_HI))), f32x4.mul(n, vsplat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(vsplat(EP0), r), vsplat(EP1));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EP2));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EP3));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EP4));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EP5));
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), r), vsplat(1.0));
  const h = i32x4.shr_s(ni, 1);
  return f32x4.mul(f32x4.mul(p, vpow2i(h)), vpow2i(i32x4.sub(ni, h)));
}

/** f32x4 expm1 (see header). */
// @ts-ignore: decorator
@inline export function vexpm1(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, vsplat(EXP_LO)), vsplat(EXP_HI));
  const t = f32x4.add(f32x4.mul(x, vsplat(LOG2E)), vsplat(MAGIC));
  const n = f32x4.sub(t, vsplat(MAGIC));
  const ni = i32x4.sub(t, i32x4.splat(MAGIC_BITS));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, vsplat(LN2_HI))), f32x4.mul(n, vsplat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(vsplat(EP0), r), vsplat(EP1));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EP2));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EP3));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EP4));
  p = f32x4.add(f32x4.mul(p, r), vsplat(EP5));
  const q = f32x4.add(f32x4.mul(p, z), r);
  const h = i32x4.shr_s(ni, 1);
  const big = f32x4.sub(f32x4.mul(f32x4.mul(f32x4.add(q, vsplat(1.0)), vpow2i(h)), vpow2i(i32x4.sub(ni, h))), vsplat(1.0));
  return v128.bitselect(q, big, i32x4.eq(ni, i32x4.splat(0)));
}

/** f32x4 natural log (see header). */
// @ts-ignore: decorator
@inline export function vlog(x: v128): v128 {
  const sub = f32x4.lt(x, vsplat(FLT_MIN));
  const xs = v128.bitselect(f32x4.mul(x, vsplat(TWO23)), x, sub);
  const eadj = v128.and(sub, i32x4.splat(-23));
  let e = i32x4.add(i32x4.sub(i32x4.shr_s(xs, 23), i32x4.splat(126)), eadj);
  const m = v128.or(v128.and(xs, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const lo = f32x4.lt(m, vsplat(SQRTHF));
  e = i32x4.add(e, lo); // lo lanes are -1
  const f = f32x4.add(f32x4.sub(m, vsplat(1.0)), v128.and(m, lo));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(f, f);
  let y = f32x4.add(f32x4.mul(vsplat(LP0), f), vsplat(LP1));
  y = f32x4.add(f32x4.mul(y, f), vsplat(LP2));
  y = f32x4.add(f32x4.mul(y, f), vsplat(LP3));
  y = f32x4.add(f32x4.mul(y, f), vsplat(LP4));
  y = f32x4.add(f32x4.mul(y, f), vsplat(LP5));
  y = f32x4.add(f32x4.mul(y, f), vsplat(LP6));
  y = f32x4.add(f32x4.mul(y, f), vsplat(LP7));
  y = f32x4.add(f32x4.mul(y, f), vsplat(LP8));
  y = f32x4.mul(f32x4.mul(y, f), z);
  y = f32x4.add(y, f32x4.mul(vsplat(LN2_LO), fe));
  y = f32x4.sub(y, f32x4.mul(vsplat(0.5), z));
  let r = f32x4.add(f, y);
  r = f32x4.add(r, f32x4.mul(vsplat(LN2_HI), fe));
  r = v128.bitselect(vsplat(NaN), r, v128.not(f32x4.ge(x, vsplat(0.0))));
  r = v128.bitselect(vsplat(-Infinity), r, f32x4.eq(x, vsplat(0.0)));
  r = v128.bitselect(vsplat(Infinity), r, f32x4.eq(x, vsplat(Infinity)));
  return r;
}

/** f32x4 tanh (see header). */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let s = f32x4.add(f32x4.mul(vsplat(TP0), z), vsplat(TP1));
  s = f32x4.add(f32x4.mul(s, z), vsplat(TP2));
  s = f32x4.add(f32x4.mul(s, z), vsplat(TP3));
  s = f32x4.add(f32x4.mul(s, z), vsplat(TP4));
  s = f32x4.add(f32x4.mul(f32x4.mul(s, z), x), x);
  const e = vexp(f32x4.mul(vsplat(-2.0), ax));
  const y = f32x4.div(f32x4.sub(vsplat(1.0), e), f32x4.add(vsplat(1.0), e));
  const l = v128.or(y, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(s, l, f32x4.lt(ax, vsplat(TANH_SMALL)));
}

/** f32x4 sigmoid (see header). */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const num = v128.bitselect(vsplat(1.0), e, f32x4.ge(x, vsplat(0.0)));
  return f32x4.div(num, f32x4.add(vsplat(1.0), e));
}

/** f32x4 a^b (see header). */
// @ts-ignore: decorator
@inline export function vpow(a: v128, b: v128): v128 {
  let r = vexp(f32x4.mul(b, vlog(f32x4.abs(a))));
  const neg = f32x4.lt(a, vsplat(0.0));
  const notInt = f32x4.ne(f32x4.floor(b), b);
  const h = f32x4.mul(b, vsplat(0.5));
  const odd = f32x4.ne(f32x4.floor(h), h);
  r = v128.xor(r, v128.and(v128.and(neg, odd), i32x4.splat(0x80000000)));
  r = v128.bitselect(vsplat(NaN), r, v128.and(neg, notInt));
  r = v128.bitselect(vsplat(1.0), r, f32x4.eq(b, vsplat(0.0)));
  return r;
}

/** Horizontal sum of the four lanes in the order (l0 + l1) + (l2 + l3). */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}
