// Kernel module entry: re-exports every op family. Compiled twice (asconfig.json targets "simd" and
// "scalar"); each family branches on the compile-time constant ASC_FEATURE_SIMD.
// ABI: only numbers cross the boundary. Pointers are byte offsets into the exported memory; tensors are
// contiguous little-endian f32 arrays; shape/stride arguments point at i32 arrays. See docs/kernels.md.
export * from './runtime';
export * from './gemm';
export * from './elementwise';
export * from './reduce';
export * from './optim';
export * from './conv1d';
export * from './rnn';
export * from './batchnorm';
export * from './pool';
export * from './dropout';
export * from './int8';
export * from './fused';
export { threadScratch } from './threads';
