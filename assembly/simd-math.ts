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

// ================================ erf / normal CDF (GELU) ================================
//
// erf(x):   a = |x| < 0.75: x·Q(a²), Q a degree-6 relative minimax fit of erf(a)/a on [0, 0.5625]
//           (fit error 2.5e-11); otherwise sign(x)·(1 − erfc(a)) with
//           erfc(a) = t·exp(−ah²)·exp(−(a−ah)(a+ah) + P(t)), t = 1/(1 + a/2) (a clamped to 10.5),
//           P a degree-9 minimax fit of log(erfc(a)/t) + a² in t on [1/6.25, 1/1.375] (fit error 1.1e-9),
//           ah = a with its 12 low mantissa bits cleared so ah² is exact and −a² costs no rounding.
//           Coefficients fitted for ecgrad (Lawson iteration over Chebyshev nodes, mpmath reference).
// Φ(x):     the standard normal CDF 0.5·(1 + erf(x/√2)) evaluated without cancellation on both tails:
//           a = |x|/√2; a < 0.75: 0.5 ± 0.5·erf(a); otherwise x ≥ 0: 1 − 0.5·erfc(a), x < 0: 0.5·erfc(a),
//           with −a² = −x²/2 formed from the exact split of x (xh²/2 exact), so far-negative x keeps its
//           relative accuracy. φ(x) = exp(−x²/2)/√(2π) from the same split (two exps).
// @ts-ignore: decorator
@inline const ERF_T: f32 = 0.75;
// @ts-ignore: decorator
@inline const ERF_AMAX: f32 = 10.5;
// |x| is clamped to this before the exponent split (so ±Inf gives erf ±1, Φ 0/1, φ 0; NaN stays NaN).
// @ts-ignore: decorator
@inline const ERF_XMAX: f32 = 30.0;
// @ts-ignore: decorator
@inline const INV_SQRT2: f32 = 0.7071067811865476;
// @ts-ignore: decorator
@inline const INV_SQRT_2PI: f32 = 0.3989422804014327;
// @ts-ignore: decorator
@inline const EQ0: f32 = 1.1283792257e+00;
// @ts-ignore: decorator
@inline const EQ1: f32 = -3.7612637877e-01;
// @ts-ignore: decorator
@inline const EQ2: f32 = 1.1283778399e-01;
// @ts-ignore: decorator
@inline const EQ3: f32 = -2.6864742860e-02;
// @ts-ignore: decorator
@inline const EQ4: f32 = 5.2166897804e-03;
// @ts-ignore: decorator
@inline const EQ5: f32 = -8.3553662989e-04;
// @ts-ignore: decorator
@inline const EQ6: f32 = 9.4612609246e-05;
// @ts-ignore: decorator
@inline const EC0: f32 = -1.2655324936e+00;
// @ts-ignore: decorator
@inline const EC1: f32 = 1.0006109476e+00;
// @ts-ignore: decorator
@inline const EC2: f32 = 3.6703151464e-01;
// @ts-ignore: decorator
@inline const EC3: f32 = 1.4268948138e-01;
// @ts-ignore: decorator
@inline const EC4: f32 = -3.6442434788e-01;
// @ts-ignore: decorator
@inline const EC5: f32 = 7.0897656679e-01;
// @ts-ignore: decorator
@inline const EC6: f32 = -1.7854672670e+00;
// @ts-ignore: decorator
@inline const EC7: f32 = 2.0857083797e+00;
// @ts-ignore: decorator
@inline const EC8: f32 = -1.1260234118e+00;
// @ts-ignore: decorator
@inline const EC9: f32 = 2.3640379310e-01;

// Q(s): erf(a)/a for s = a² (small branch).
// @ts-ignore: decorator
@inline function serfQ(s: f32): f32 {
  return (((((EQ6 * s + EQ5) * s + EQ4) * s + EQ3) * s + EQ2) * s + EQ1) * s + EQ0;
}

// erfc(a) for a ≥ 0.75 given hi + lo = −a² (hi exact): t·exp(hi)·exp(lo + P(t)).
// @ts-ignore: decorator
@inline function serfcBig(a: f32, hi: f32, lo: f32): f32 {
  const t: f32 = <f32>1.0 / (<f32>1.0 + <f32>0.5 * min<f32>(a, ERF_AMAX));
  const p = ((((((((EC9 * t + EC8) * t + EC7) * t + EC6) * t + EC5) * t + EC4) * t + EC3) * t + EC2) * t + EC1) * t + EC0;
  return t * sexp(hi) * sexp(lo + p);
}

// |x| with its 12 low mantissa bits cleared.
// @ts-ignore: decorator
@inline function shead(a: f32): f32 {
  return reinterpret<f32>(reinterpret<i32>(a) & 0xfffff000);
}

/** erf(x) (see the erf header above). */
// @ts-ignore: decorator
@inline export function serf(x: f32): f32 {
  const a = abs<f32>(x);
  if (a < ERF_T) return x * serfQ(x * x);
  const ac = min<f32>(a, ERF_XMAX);
  const ah = shead(ac);
  const r: f32 = <f32>1.0 - serfcBig(ac, -(ah * ah), -((ac - ah) * (ac + ah)));
  return reinterpret<f32>(reinterpret<i32>(r) | (reinterpret<i32>(x) & 0x80000000));
}

/** Standard normal CDF Φ(x) (see header). */
// @ts-ignore: decorator
@inline export function sphi(x: f32): f32 {
  const a = min<f32>(abs<f32>(x), ERF_XMAX) * INV_SQRT2;
  if (a < ERF_T) {
    const e = <f32>0.5 * (a * serfQ(a * a));
    return x >= 0 ? <f32>0.5 + e : <f32>0.5 - e;
  }
  const xa = min<f32>(abs<f32>(x), ERF_XMAX);
  const xh = shead(xa);
  const c = <f32>0.5 * serfcBig(a, <f32>-0.5 * (xh * xh), <f32>-0.5 * ((xa - xh) * (xa + xh)));
  return x >= 0 ? <f32>1.0 - c : c;
}

/** Standard normal density φ(x) = exp(−x²/2)/√(2π) (split exponent, see header). */
// @ts-ignore: decorator
@inline export function snormpdf(x: f32): f32 {
  const xa = min<f32>(abs<f32>(x), ERF_XMAX);
  const xh = shead(xa);
  return INV_SQRT_2PI * sexp(<f32>-0.5 * (xh * xh)) * sexp(<f32>-0.5 * ((xa - xh) * (xa + xh)));
}

// @ts-ignore: decorator
@inline function verfQ(s: v128): v128 {
  let q = f32x4.add(f32x4.mul(vsplat(EQ6), s), vsplat(EQ5));
  q = f32x4.add(f32x4.mul(q, s), vsplat(EQ4));
  q = f32x4.add(f32x4.mul(q, s), vsplat(EQ3));
  q = f32x4.add(f32x4.mul(q, s), vsplat(EQ2));
  q = f32x4.add(f32x4.mul(q, s), vsplat(EQ1));
  return f32x4.add(f32x4.mul(q, s), vsplat(EQ0));
}

// @ts-ignore: decorator
@inline function verfcBig(a: v128, hi: v128, lo: v128): v128 {
  const t = f32x4.div(vsplat(1.0), f32x4.add(vsplat(1.0), f32x4.mul(vsplat(0.5), f32x4.min(a, vsplat(ERF_AMAX)))));
  let p = f32x4.add(f32x4.mul(vsplat(EC9), t), vsplat(EC8));
  p = f32x4.add(f32x4.mul(p, t), vsplat(EC7));
  p = f32x4.add(f32x4.mul(p, t), vsplat(EC6));
  p = f32x4.add(f32x4.mul(p, t), vsplat(EC5));
  p = f32x4.add(f32x4.mul(p, t), vsplat(EC4));
  p = f32x4.add(f32x4.mul(p, t), vsplat(EC3));
  p = f32x4.add(f32x4.mul(p, t), vsplat(EC2));
  p = f32x4.add(f32x4.mul(p, t), vsplat(EC1));
  p = f32x4.add(f32x4.mul(p, t), vsplat(EC0));
  return f32x4.mul(f32x4.mul(t, vexp(hi)), vexp(f32x4.add(lo, p)));
}

// @ts-ignore: decorator
@inline function vhead(a: v128): v128 {
  return v128.and(a, i32x4.splat(0xfffff000));
}

/** f32x4 erf (see header). */
// @ts-ignore: decorator
@inline export function verf(x: v128): v128 {
  const a = f32x4.abs(x);
  const small = f32x4.mul(x, verfQ(f32x4.mul(x, x)));
  const ac = f32x4.min(a, vsplat(ERF_XMAX));
  const ah = vhead(ac);
  const hi = f32x4.neg(f32x4.mul(ah, ah));
  const lo = f32x4.neg(f32x4.mul(f32x4.sub(ac, ah), f32x4.add(ac, ah)));
  const r = f32x4.sub(vsplat(1.0), verfcBig(ac, hi, lo));
  const big = v128.or(r, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, big, f32x4.lt(a, vsplat(ERF_T)));
}

/** f32x4 Φ(x) (see header). */
// @ts-ignore: decorator
@inline export function vphi(x: v128): v128 {
  const xa = f32x4.min(f32x4.abs(x), vsplat(ERF_XMAX));
  const a = f32x4.mul(xa, vsplat(INV_SQRT2));
  const pos = f32x4.ge(x, vsplat(0.0));
  const e = f32x4.mul(vsplat(0.5), f32x4.mul(a, verfQ(f32x4.mul(a, a))));
  const small = v128.bitselect(f32x4.add(vsplat(0.5), e), f32x4.sub(vsplat(0.5), e), pos);
  const xh = vhead(xa);
  const hi = f32x4.mul(vsplat(-0.5), f32x4.mul(xh, xh));
  const lo = f32x4.mul(vsplat(-0.5), f32x4.mul(f32x4.sub(xa, xh), f32x4.add(xa, xh)));
  const c = f32x4.mul(vsplat(0.5), verfcBig(a, hi, lo));
  const big = v128.bitselect(f32x4.sub(vsplat(1.0), c), c, pos);
  return v128.bitselect(small, big, f32x4.lt(a, vsplat(ERF_T)));
}

/** f32x4 φ(x) (see header). */
// @ts-ignore: decorator
@inline export function vnormpdf(x: v128): v128 {
  const xa = f32x4.min(f32x4.abs(x), vsplat(ERF_XMAX));
  const xh = vhead(xa);
  const e1 = vexp(f32x4.mul(vsplat(-0.5), f32x4.mul(xh, xh)));
  const e2 = vexp(f32x4.mul(vsplat(-0.5), f32x4.mul(f32x4.sub(xa, xh), f32x4.add(xa, xh))));
  return f32x4.mul(f32x4.mul(vsplat(INV_SQRT_2PI), e1), e2);
}
