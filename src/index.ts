// ecgrad (the lean root): float32 tensors in wasm memory with hand-written SIMD kernels, reverse-mode
// autograd, the differentiable ops, optimizers, layers, losses and model files. The workbench built on
// them has its own entry points, so importing the tensors does not pull it in: ecgrad/ecg (WFDB, DSP,
// QRS, beat datasets), ecgrad/models (the zoo), ecgrad/train (training, evaluation, metrics, reports,
// personalisation), ecgrad/classic, ecgrad/explain, ecgrad/quant, ecgrad/export; ecgrad/all is all of
// them in one (src/all.ts); ecgrad/infer and ecgrad/node as before.
/**
 * The lean root: float32 tensors in wasm memory with SIMD kernels, autograd, the differentiable ops,
 * optimizers, layers, losses and model files (.ecgm, safetensors).
 *
 * @module ecgrad
 */
// The full kernel builds (every kernel; src/wasm/source.ts), registered before anything can init.
import './wasm/full-kernels.ts';
export { initSync, init, backendInfo, isInitialised } from './core/runtime.ts';
export type { InitOptions, BackendInfo, BuildChoice, WasmInput, WasmBuilds } from './core/runtime.ts';
export { Tensor } from './core/tensor.ts';
export type { NestedArray } from './core/tensor.ts';
export { noGrad, grad, valueAndGrad, gradients, isGradEnabled } from './core/autograd.ts';
export type { GradOptions } from './core/autograd.ts';
export { tidy, endStep, memoryStats } from './core/memory.ts';
export type { MemoryStats } from './core/memory.ts';
export { Rng } from './core/random.ts';
export type { RngState } from './core/random.ts';
export {
  tensor, fromArray, zeros, ones, full, zerosLike, onesLike, arange, rand, randn, manualSeed,
} from './ops/creation.ts';
export type { CreateOptions, RandomOptions } from './ops/creation.ts';
export {
  add, sub, mul, div, pow, maximum, minimum, neg, abs, relu, leakyRelu, elu, gelu, sigmoid, tanh, exp, log, sqrt,
  square, reciprocal, clamp, expand,
} from './ops/elementwise.ts';
export { matmul } from './ops/matmul.ts';
export { sum, mean, max, min, argmax, argmin } from './ops/reduce.ts';
export { softmax, logSoftmax } from './ops/softmax.ts';
export {
  reshape, flatten, squeeze, unsqueeze, permute, transpose, slice, narrow, pad, concat, stack, clone,
} from './ops/shape-ops.ts';
export type { Range } from './ops/shape-ops.ts';
export * from './optim/index.ts';
export { linear } from './ops/matmul.ts';
export { conv1d } from './ops/conv1d.ts';
export type { Conv1dOptions, Conv1dPadding } from './ops/conv1d.ts';
export { batchNorm } from './ops/batchnorm.ts';
export type { BatchNormOptions as BatchNormFnOptions } from './ops/batchnorm.ts';
export { dropout, dropoutSeed } from './ops/dropout.ts';
export type { DropoutOptions } from './ops/dropout.ts';
export { maxPool1d, avgPool1d, adaptiveAvgPool1d, globalAvgPool1d, globalMaxPool1d } from './ops/pool.ts';
export type { Pool1dOptions, AvgPool1dOptions } from './ops/pool.ts';
export * from './nn/index.ts';
export { rnn } from './ops/rnn.ts';
export type { RnnKind, RnnWeights, RnnOpOptions, RnnResult } from './ops/rnn.ts';
