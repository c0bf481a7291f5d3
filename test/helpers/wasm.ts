// Test helpers for calling raw kernels on both builds: allocate, upload and download f32/i32 arrays.
import '../../src/wasm/full-kernels.ts';
import { instantiateSync, type Backend, type BuildName } from '../../src/wasm/backend.ts';
import { Rng } from '../../src/core/random.ts';

const backends: Partial<Record<BuildName, Backend>> = {};

/** One shared instance per build (tests free what they allocate). */
export function backend(build: BuildName): Backend {
  return (backends[build] ??= instantiateSync(build));
}

/** The two builds that agree bit for bit (the relaxed-SIMD build needs its own process: test/kernels/relaxed.test.ts). */
export const BUILDS: ('simd' | 'scalar')[] = ['simd', 'scalar'];

/** Allocates and uploads; returns the pointer. */
export function putF32(b: Backend, data: ArrayLike<number>): number {
  const p = b.alloc(Math.max(4, data.length * 4));
  b.f32(p, data.length).set(data);
  return p;
}

export function putI32(b: Backend, data: ArrayLike<number>): number {
  const p = b.alloc(Math.max(4, data.length * 4));
  b.i32(p, data.length).set(data);
  return p;
}

/** Copies `n` floats out of wasm memory into a plain array. */
export function getF32(b: Backend, ptr: number, n: number): number[] {
  return Array.from(b.f32(ptr, n));
}

/** Seeded random floats in [lo, hi), rounded to float32. */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

/** Max over i of |a-b| / (atol + rtol*|b|) <= 1, with a message naming the first offending index. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6, what = ''): void {
  if (actual.length !== expected.length)
    throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e)))
      throw new Error(`${what}: index ${i}: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
  }
}
