// The model zoo: importing this module registers every architecture (see registry.ts).
export { registerModel, getModel, modelNames, DEFAULT_RECIPE } from './registry.ts';
export type { ModelSpec, ModelInput, TrainingRecipe } from './registry.ts';
export { StdCNN, DSCNN, LSTMNet } from './reference.ts';
import './zoo.ts';
