// Neural-network layers and the Module API.
export { Module } from './module.ts';
export { Sequential } from './sequential.ts';
export { Linear } from './linear.ts';
export type { LinearOptions } from './linear.ts';
export { ReLU, LeakyReLU, ELU, GELU, Sigmoid, Tanh, Softmax, Flatten } from './activations.ts';
export { BatchNorm1d } from './batchnorm.ts';
export type { BatchNormOptions } from './batchnorm.ts';
export { Dropout } from './dropout.ts';
export { MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, GlobalAvgPool1d, GlobalMaxPool1d } from './pool.ts';
export type { Pool1dLayerOptions, AvgPool1dLayerOptions, GlobalPoolOptions } from './pool.ts';
export {
  initSeed, layerRng, kaimingUniform, kaimingNormal, xavierUniform, xavierNormal, uniformInit, normalInit,
  initWeight, defaultBias,
} from './init.ts';
export type { InitName } from './init.ts';
