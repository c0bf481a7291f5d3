// Runtime facts the host needs: where free memory starts and which build this is.

/** First byte the host may allocate (after static data), rounded up to 64 bytes. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

/** 2 for the relaxed-SIMD build, 1 for the SIMD build, 0 for the scalar build. */
export function simdBuild(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 2 : ASC_FEATURE_SIMD ? 1 : 0;
}
