// Multiply-add for the inner products (GEMM micro-kernel and thin paths, the LSTM/GRU gate tiles, the
// direct depthwise convolution rows): c + a·b.
//
// Three builds compile this file (asconfig.json): scalar, SIMD (--enable simd) and relaxed SIMD
// (--enable simd,relaxed-simd; ASC_FEATURE_RELAXED_SIMD). Only the relaxed build differs here:
//   SIMD     f32x4.add(c, f32x4.mul(a, b)): the product rounded to f32, then the sum (two roundings).
//   relaxed  f32x4.relaxed_madd(a, b, c): the engine chooses, per machine, between a fused multiply-add
//            (one rounding: x86 with FMA3, every ARM64) and the two-rounding form. V8 fuses wherever the
//            CPU has FMA, so results are deterministic on a given machine and may differ between machines
//            with and without FMA.
// `maddf` is the same for one float: it goes through lane 0 of relaxed_madd, so scalar tails in the
// relaxed build round exactly as the vector lanes do (the GEMM paths stay bit-identical to each other).

// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline export function maddf(a: f32, b: f32, c: f32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
  return c + a * b;
}
