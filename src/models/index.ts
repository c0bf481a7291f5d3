// The model zoo: the list of architectures and their lookup by name (registry.ts), one file per architecture.
/**
 * The model zoo: the architectures, their specs and recipes, and lookup by name.
 *
 * @module ecgrad/models
 */
export { registerModel, getModel, modelSpec, type ModelName, type ZooModelName, type RegisteredModels, modelNames, comparisonModelNames, DEFAULT_RECIPE, MODEL_SPECS } from './registry.ts';
export type { ModelSpec, ModelInput, TrainingRecipe } from './registry.ts';
export { StdCNN, DSCNN, LSTMNet, stdCnnSpec, dsCnnSpec, lstmNetSpec } from './reference.ts';
export { ANN, annSpec } from './ann.ts';
export type { ANNOptions } from './ann.ts';
export { CNN, cnnSpec, convBnRelu } from './cnn.ts';
export { KachueeResNet, resnetSpec } from './resnet.ts';
export type { ResNetOptions } from './resnet.ts';
export { RecurrentClassifier, lstmSpec, gruSpec } from './recurrent.ts';
export type { RecurrentOptions } from './recurrent.ts';
export { FTCNN, ftcnnSpec, ftcnnKernels, WAVE_SECONDS } from './ftcnn.ts';
export { ArrhythmiNet, ARRHYTHMINET_V1, ARRHYTHMINET_V2, arrhythminetV1Spec, arrhythminetV2Spec } from './arrhythminet.ts';
export type { ArrhythmiNetPlan } from './arrhythminet.ts';
export { joinRR, oddKernel, storedFloats, storedKB } from './common.ts';
export type { ResidualBlockOptions } from '../nn/residual.ts';
