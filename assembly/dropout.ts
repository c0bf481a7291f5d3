// Dropout kernel (docs/kernels-layers.md, "dropout.ts").
//
// Layout: x and out are contiguous f32 [n] (any shape, flattened); out may alias x.
// Math: a counter-based generator, so the mask is a pure function of (key, i) and the backward can
// regenerate it instead of storing it: h(i) = mix(i·0x9e3779b9 ⊕ key) with the 32-bit finaliser
// mix(z) = z ⊕ z>>16, ·0x7feb352d, ⊕ >>15, ·0x846ca68b, ⊕ >>16 (a bijection of z). Element i is kept when
// (h(i) >> 8) ≥ threshold (a 24-bit uniform against threshold = round(p·2^24)), so P(drop) = p to 2^-24.
// out[i] = kept ? x[i]·scale : 0 with scale = 1/(1 − p) (inverted dropout). The backward is the same
// call on dy with the same key. Integer-only mask logic: both builds give identical masks and values.

// @ts-ignore: decorator
@inline const GOLDEN: i32 = 0x9e3779b9;
// @ts-ignore: decorator
@inline const MIX1: i32 = 0x7feb352d;
// @ts-ignore: decorator
@inline const MIX2: i32 = 0x846ca68b;

// @ts-ignore: decorator
@inline function hash1(i: i32, key: i32): i32 {
  let z = (i * GOLDEN) ^ key;
  z ^= z >>> 16;
  z *= MIX1;
  z ^= z >>> 15;
  z *= MIX2;
  z ^= z >>> 16;
  return z;
}

// @ts-ignore: decorator
@inline function hashv(i: v128, key: v128): v128 {
  let z = v128.xor(i32x4.mul(i, i32x4.splat(GOLDEN)), key);
  z = v128.xor(z, i32x4.shr_u(z, 16));
  z = i32x4.mul(z, i32x4.splat(MIX1));
  z = v128.xor(z, i32x4.shr_u(z, 15));
  z = i32x4.mul(z, i32x4.splat(MIX2));
  return v128.xor(z, i32x4.shr_u(z, 16));
}

/** out[i] = keep(key, i) ? x[i]·scale : 0 (see header); out may alias x. */
export function dropout(x: usize, out: usize, n: i32, key: i32, threshold: i32, scale: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vk = i32x4.splat(key), vt = i32x4.splat(threshold), vs = f32x4.splat(scale);
    let vi = i32x4(0, 1, 2, 3);
    const four = i32x4.splat(4);
    for (; i + 4 <= n; i += 4) {
      const keep = i32x4.ge_s(i32x4.shr_u(hashv(vi, vk), 8), vt);
      const o = <usize>i << 2;
      v128.store(out + o, v128.and(f32x4.mul(v128.load(x + o), vs), keep));
      vi = i32x4.add(vi, four);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const keep = (hash1(i, key) >>> 8) >= threshold;
    store<f32>(out + o, keep ? load<f32>(x + o) * scale : 0);
  }
}
