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

export function getModel(name: string): ModelSpec {
  return models.get(name);
}

export function modelNames(): string[] {
  return models.names();
}

/** The neural models `compare` trains by default (every registered one except the reference models). */
export function comparisonModelNames(): string[] {
  return models.list().filter((s) => s.inComparison !== false).map((s) => s.name);
}
