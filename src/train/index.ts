// Training (browser-safe): the trainer, evaluation, checkpoints, subsets and progress text.
export { train, DivergedError, checkpointInfo, moduleRngs, mixSeed } from './trainer.ts';
export { TrainState, type Position, type BestEpoch } from './state.ts';
export { trainStep, recipeLoss, type StepContext, type LossFunction } from './step.ts';
export { selectionScore, endEpoch } from './selection.ts';
export { TRAIN_SETTINGS, trainSettings, withOverrides, type TrainSettings, type SelectScore } from './settings.ts';
export { SettingError, type SettingSpec, type SettingSpecs } from '../core/settings.ts';
export { RUN_SETTINGS, DATA_SETTINGS, runSettings, QUICK, type RunSettings, type DataSettings } from './run-settings.ts';
export type { TrainConfig, TrainData, TrainEvent, TrainHooks, TrainResult, EpochRecord } from './trainer.ts';
export { evaluate, predict, type Evaluation, type Predictions, type PredictOptions } from './evaluate.ts';
export { encodeCheckpoint, decodeCheckpoint, CheckpointError, type DecodedCheckpoint } from './checkpoint.ts';
export { stratifiedSubset } from './subset.ts';
export { progressLine, epochLine, jsonLine, formatDuration } from './progress.ts';
