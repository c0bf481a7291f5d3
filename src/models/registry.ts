// The model zoo: the list of every architecture `train` and `compare` know, looked up by name. Each model
// file (one per architecture, designs in docs/models.md) exports a ModelSpec (spec.ts); a new model is its
// file plus its entry in MODEL_SPECS. Each is also registered with the model-file reader
// (src/nn/model-file.ts), so saved models can be rebuilt by name.
import { Registry } from '../core/registry.ts';
import { registerArchitecture } from '../nn/model-file.ts';
import type { ModelInput, ModelSpec } from './spec.ts';
import { stdCnnSpec, dsCnnSpec, lstmNetSpec } from './reference.ts';
import { annSpec } from './ann.ts';
import { cnnSpec } from './cnn.ts';
import { resnetSpec } from './resnet.ts';
import { lstmSpec, gruSpec } from './recurrent.ts';
import { ftcnnSpec } from './ftcnn.ts';
import { arrhythminetV1Spec, arrhythminetV2Spec } from './arrhythminet.ts';

export type { ModelInput, ModelSpec, TrainingRecipe } from './spec.ts';
export { DEFAULT_RECIPE } from './spec.ts';

/** The zoo's built-in models, one ModelSpec each (registerModel registers more beside this list, not in it). */
export const MODEL_SPECS: readonly ModelSpec[] = [
  // The PyTorch baseline's models (agreement tests, benchmark); `compare` trains them only when named.
  stdCnnSpec, dsCnnSpec, lstmNetSpec,
  annSpec, cnnSpec, resnetSpec, lstmSpec, gruSpec, ftcnnSpec, arrhythminetV1Spec, arrhythminetV2Spec,
];

const models = new Registry<ModelSpec>(MODEL_SPECS, { kind: 'model' });

// Model files store the build input as their config, so they can be rebuilt by name.
const readable = (spec: ModelSpec) => registerArchitecture(spec.name, (config) => spec.build(config as unknown as ModelInput));
for (const spec of MODEL_SPECS) readable(spec);

/** Adds a model at run time (tests), replacing any model of that name; the zoo's models are in MODEL_SPECS. */
export function registerModel(spec: ModelSpec): void {
  models.add(spec);
  readable(spec);
}

/** The zoo's model names (test/models/zoo.test.ts checks them against MODEL_SPECS). */
export type ZooModelName = 'std-cnn' | 'ds-cnn' | 'lstm-net' | 'ann' | 'cnn' | 'resnet' | 'lstm' | 'gru' | 'ft-cnn' | 'arrhythminet-v1' | 'arrhythminet-v2';

/**
 * Names of models registered at run time (registerModel), added by declaration merging so getModel
 * accepts them: `declare module 'ecgrad/models' { interface RegisteredModels { 'my-net': true } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging
export interface RegisteredModels {}

/** A model name getModel accepts: the zoo's, or one you registered (RegisteredModels); a typo does not compile. */
export type ModelName = ZooModelName | (keyof RegisteredModels & string);

/** The spec of a model (the zoo's or a registered one); for a name only known at run time, use modelSpec. */
export function getModel(name: ModelName): ModelSpec {
  return models.get(name);
}

/** The spec of the model named by a run-time string (a command-line option, a model file's arch): an error naming the models if there is none. */
export function modelSpec(name: string): ModelSpec {
  return models.get(name);
}

/** The names of every model in the zoo, those added by registerModel included. */
export function modelNames(): string[] {
  return models.names();
}

/** The neural models `compare` trains by default (every registered one except the reference models). */
export function comparisonModelNames(): string[] {
  return models.list().filter((s) => s.inComparison !== false).map((s) => s.name);
}
