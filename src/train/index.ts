// Training (browser-safe): the trainer, evaluation, checkpoints, subsets and progress text.
export { train, DivergedError, checkpointInfo, moduleRngs, mixSeed } from './trainer.ts';
export type { TrainConfig, TrainData, TrainEvent, TrainHooks, TrainResult, EpochRecord } from './trainer.ts';
export { evaluate, predict, type Evaluation, type Predictions, type PredictOptions } from './evaluate.ts';
export { encodeCheckpoint, decodeCheckpoint, CheckpointError, type DecodedCheckpoint } from './checkpoint.ts';
export { stratifiedSubset } from './subset.ts';
export { progressLine, epochLine, jsonLine, formatDuration } from './progress.ts';
