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
export { crossEntropy, focalLoss, combinedLoss, l2Penalty } from './losses.ts';
export type { Labels, CrossEntropyOptions, FocalLossOptions, CombinedLossOptions } from './losses.ts';
export {
  encodeModel, decodeModel, loadModelState, registerArchitecture, architectures, modelFromBytes, crc32, ModelFileError,
} from './model-file.ts';
export type { ModelHeader, DecodedModel, TensorEntry, EncodeOptions } from './model-file.ts';
export { Conv1d, SeparableConv1d } from './conv.ts';
export type { Conv1dLayerOptions, SeparableConv1dOptions } from './conv.ts';
export { LSTM, GRU } from './rnn.ts';
export type { RNNOptions } from './rnn.ts';
export { ResidualBlock1d } from './residual.ts';
export { compileInference, planInBatches, InferencePlan } from './fused-plan.ts';
export type { InferencePlanOptions } from './fused-plan.ts';
export { readSafetensors, writeSafetensors, safeTensorToFloat32, halfToFloat, SafetensorsError, SAFETENSORS_DTYPE_BYTES, SAFETENSORS_MAX_HEADER } from './safetensors.ts';
export type { SafeTensor, SafetensorsFile, SafeTensorInput, SafetensorsDtype } from './safetensors.ts';
export { torchStateDict, modelToSafetensors, loadSafetensors, modelFromSafetensors, TORCH_BATCHNORM_BUFFERS } from './safetensors-state.ts';
export type { TorchStateEntry, ToSafetensorsOptions, LoadSafetensorsOptions } from './safetensors-state.ts';
