// Optimizers, learning-rate schedules and gradient clipping.
export { Optimizer } from './optimizer.ts';
export type { ParamGroup, Params, OptimizerState } from './optimizer.ts';
export { SGD } from './sgd.ts';
export type { SGDOptions } from './sgd.ts';
export { Adam, AdamW } from './adam.ts';
export type { AdamOptions } from './adam.ts';
export { CosineAnnealing, StepDecay, ReduceOnPlateau } from './schedules.ts';
export type { Scheduler, CosineOptions, PlateauOptions } from './schedules.ts';
export { clipGradNorm } from './clip.ts';
export { decayGroups, isBiasOrNorm } from './groups.ts';
