// Neural-network layers and the Module API.
export { Module } from './module.ts';
export { Sequential } from './sequential.ts';
export { Linear } from './linear.ts';
export type { LinearOptions } from './linear.ts';
export { ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softmax, Flatten } from './activations.ts';
export {
  initSeed, layerRng, kaimingUniform, kaimingNormal, xavierUniform, xavierNormal, uniformInit, normalInit,
  initWeight, defaultBias,
} from './init.ts';
export type { InitName } from './init.ts';
export { LSTM, GRU } from './rnn.ts';
export type { RNNOptions } from './rnn.ts';
