// Σ p[0..n) over contiguous f32 with 8 lanes of partial sums, in the same order in both builds (the
// scalar build keeps the SIMD build's 8 accumulators), so SIMD and scalar results agree bit for bit.
// Shared by batchnorm.ts and pool.ts.
import { hsum } from './simd-math';

// @ts-ignore: decorator
@inline export function rowSum(p: usize, n: i32): f32 {
  let i = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 2);
      a0 = f32x4.add(a0, v128.load(q));
      a1 = f32x4.add(a1, v128.load(q, 16));
    }
    a0 = f32x4.add(a0, a1);
    if (i + 4 <= n) {
      a0 = f32x4.add(a0, v128.load(p + (<usize>i << 2)));
      i += 4;
    }
    s = hsum(a0);
  } else {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
    for (; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 2);
      s0 += load<f32>(q);
      s1 += load<f32>(q, 4);
      s2 += load<f32>(q, 8);
      s3 += load<f32>(q, 12);
      s4 += load<f32>(q, 16);
      s5 += load<f32>(q, 20);
      s6 += load<f32>(q, 24);
      s7 += load<f32>(q, 28);
    }
    let t0 = s0 + s4, t1 = s1 + s5, t2 = s2 + s6, t3 = s3 + s7;
    if (i + 4 <= n) {
      const q = p + (<usize>i << 2);
      t0 += load<f32>(q);
      t1 += load<f32>(q, 4);
      t2 += load<f32>(q, 8);
      t3 += load<f32>(q, 12);
      i += 4;
    }
    s = (t0 + t1) + (t2 + t3);
  }
  for (; i < n; i++) s += load<f32>(p + (<usize>i << 2));
  return s;
}

