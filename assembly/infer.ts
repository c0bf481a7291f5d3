// Inference kernel module entry: only the forward kernels a model's eval-mode forward pass calls
// (ecgrad/infer). No backward kernels, no dropout, no optimizer steps, so the two builds it compiles to
// (simd and scalar, scripts/build-wasm.mjs) are smaller than assembly/index.ts's. Same ABI and the same
// code as the full build for every export it keeps (docs/kernels.md); src/wasm/kernels.ts lists which
// kernels are forward ones, and calling any other on this build throws a clear error.
export { heapBase, simdBuild } from './runtime';
export { gemm, gemmWorkSize, gemmPackASize, gemmPackA, gemmPrepackedA } from './gemm';
export { binary, unary, stridedCopy, fill, countNonFinite } from './elementwise';
export { reduce, argReduce, softmax, logSoftmax, sumSquares, dot } from './reduce';
export { conv1dScratchSize, conv1dSetWinograd, conv1dForward, conv1dWeightCacheSize, conv1dForwardCached } from './conv1d';
export { rnnScratchSize, rnnTranspose, lstmSeqForward, gruSeqForward } from './rnn';
export { batchNormForward } from './batchnorm';
export { maxPool1d, avgPool1d, adaptiveAvgPool1d, globalMaxPool1d } from './pool';
// Fused inference kernels (src/nn/fused-plan.ts).
export { fusedConv1d, fusedLinear, fusedRelu } from './fused';
// Int8 quantised inference kernels (forward only, so both builds carry them).
export * from './int8';
