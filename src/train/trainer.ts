// The trainer (browser-safe: file writes are hooks). Seeded and deterministic: the same seed, data and
// settings give bit-identical weights and metrics, and a run resumed from any checkpoint ends exactly
// like an uninterrupted one. Where the randomness comes from, and how it is reproduced:
//   - weights: the model is built from ModelInput.seed (initSeed(seed) covers layers without a seed);
//   - batch order: epoch e shuffles the training rows with Rng(mix(seed, e));
//   - dropout: the generators held by modules (e.g. Dropout's) are saved in checkpoints, and the global
//     dropout generator is re-seeded from (seed, step) before every step;
//   - optimizer: Adam's m, v and step counts (Optimizer.stateDict), the cosine schedule from the epoch.
// Every epoch ends with a validation pass (accuracy, macro-F1); the best epoch by validation macro-F1
// (or, with select 'sv-f1', by the mean F1 of the S and V classes; never the test split) is kept and written through `writeBest`; `patience` epochs without improvement
// stop training. A checkpoint (weights, best weights, optimizer, RNG states, position, history) is
// passed to `writeCheckpoint` every `checkpointEvery` batches and at every epoch end. A NaN or infinite
// loss (or gradient norm) stops training with a DivergedError naming the epoch and step; nothing is
// written after it, so the last good checkpoint stays.
import { Rng } from '../core/random.ts';
import type { Module } from '../nn/module.ts';
import { encodeModel } from '../nn/model-file.ts';
import { modelSpec, type ModelInput, type TrainingRecipe } from '../models/index.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import { batches, type Batch } from '../ecg/dataset/batches.ts';
import { datasetMeta } from '../ecg/dataset/dataset-meta.ts';
import { evaluate } from './evaluate.ts';
import { trainSettings, withOverrides, type TrainSettings } from './settings.ts';
import { TrainState, type EpochRecord, type Position } from './state.ts';
import { recipeLoss, trainStep } from './step.ts';
import { checkSelect, endEpoch, selectionScore } from './selection.ts';
import { hashRows, mixSeed } from './seeds.ts';

export { DivergedError } from './step.ts';
export { checkpointInfo, moduleRngs, type EpochRecord } from './state.ts';
export { selectionScore } from './selection.ts';
export { mixSeed } from './seeds.ts';

/**
 * What to train: a registered model (getModel), its build input (whose seed seeds the weights), the
 * recipe it trains with, and the training settings (src/train/settings.ts; missing ones take their
 * defaults: seed 0, patience 5, checkpoints every 50 batches, select 'macro-f1', ...). The settings'
 * epochs / batchSize / lr, when given, override the recipe's. `meta`: further entries of the model file's
 * metadata (e.g. how the training split was augmented).
 */
export type TrainConfig = { model: string; input: ModelInput; recipe: TrainingRecipe; meta?: Record<string, unknown> } & Partial<TrainSettings>;

/**
 * The data of a training run: the dataset, its training and validation rows, or a stream of training beats
 * (out of core).
 */
export interface TrainData {
  dataset: BeatDataset;
  trainRows: Int32Array;
  valRows: Int32Array;
  /** Out-of-core training: the training beats come from this stream, not from trainRows of dataset (src/node/disk-dataset.ts). */
  trainStream?: TrainStream;
}

/** The training split as a seeded stream of batches, for data that is not in memory. */
export interface TrainStream {
  beats: number;
  /** Training beats of each class (class weights). */
  classCounts: number[];
  /** Identifies the training beats (checkpoints resume only on the same stream). */
  key: string;
  /** An epoch's batches in the order `seed` gives (the same seed, the same batches), without its first `skip` beats. */
  epoch(seed: number, batchSize: number, skip: number): Iterable<Batch>;
}

/**
 * A progress event of train(): start, batch, checkpoint, epoch, early stop and done, each with the figures of
 * that moment.
 */
export type TrainEvent =
  | { type: 'start'; model: string; epochs: number; batches: number; trainBeats: number; valBeats: number; params: number; resumedAt: { epoch: number; batch: number } | null }
  | { type: 'batch'; model: string; epoch: number; epochs: number; batch: number; batches: number; loss: number; samplesPerSec: number; etaSeconds: number }
  | { type: 'checkpoint'; model: string; epoch: number; batch: number; batches: number; step: number }
  | ({ type: 'epoch'; model: string; epochs: number; best: boolean } & EpochRecord)
  | { type: 'early-stop'; model: string; epoch: number; patience: number; bestEpoch: number }
  | { type: 'done'; model: string; epochsRun: number; bestEpoch: number; bestValMacroF1: number; trainSeconds: number };

/**
 * How train() talks to its caller: progress events, the best model file and checkpoints as bytes, and a stop
 * request.
 */
export interface TrainHooks {
  onEvent?(e: TrainEvent): void;
  /** Receives the best model file (.ecgm bytes) whenever validation macro-F1 improves. */
  writeBest?(bytes: Uint8Array): void;
  /** Receives a resumable checkpoint (.ckpt bytes). */
  writeCheckpoint?(bytes: Uint8Array): void;
  /**
   * Asked after every batch: true stops the run there, after writing a checkpoint of that position
   * (so a resume continues with the next batch), by throwing TrainInterrupted.
   */
  shouldStop?(): boolean;
}

/** Thrown by train() when hooks.shouldStop() asked it to stop; the checkpoint of `position` is written. */
export class TrainInterrupted extends Error {
  constructor(readonly model: string, readonly position: Position, readonly batches: number) {
    super(`${model}: interrupted at epoch ${position.epoch + 1}, batch ${position.batch} of ${batches}; the checkpoint of that position is written`);
    this.name = 'TrainInterrupted';
  }
}

/**
 * What train() returns: the model with its best validation weights, the history, best epoch and score, epochs
 * run, early stop, time and steps.
 */
export interface TrainResult {
  /** The model with the best validation weights loaded. */
  model: Module;
  history: EpochRecord[];
  /** 1-based epoch of the best validation macro-F1. */
  bestEpoch: number;
  bestValMacroF1: number;
  epochsRun: number;
  stoppedEarly: boolean;
  /** Seconds of training (summed over resumed sessions), validation included. */
  trainSeconds: number;
  steps: number;
  params: number;
}

/** Checks the data against the model input and the settings, before anything is built. */
function checkRun(config: TrainConfig, recipe: TrainingRecipe, data: TrainData, s: TrainSettings): void {
  const { dataset: ds, trainRows, valRows } = data;
  const { input } = config;
  modelSpec(config.model);
  if ((data.trainStream?.beats ?? trainRows.length) === 0) throw new RangeError('train: the training split is empty');
  if (valRows.length === 0) throw new RangeError('train: the validation split is empty');
  if (!(Number.isInteger(recipe.epochs) && recipe.epochs > 0)) throw new RangeError(`train: epochs must be a positive integer, got ${recipe.epochs}`);
  if (!(Number.isInteger(recipe.batchSize) && recipe.batchSize > 0)) throw new RangeError(`train: batch size must be a positive integer, got ${recipe.batchSize}`);
  if (input.length !== ds.length || input.channels !== ds.channels || input.classes !== ds.classes.length)
    throw new RangeError(`train: model input ${input.channels}x${input.length} with ${input.classes} classes does not fit the dataset (${ds.channels}x${ds.length}, ${ds.classes.length} classes)`);
  if (input.rrFeatures > 0 && input.rrFeatures !== ds.rrFeatures.length)
    throw new RangeError(`train: the model takes ${input.rrFeatures} RR features, the dataset has ${ds.rrFeatures.length}`);
  checkSelect(s.select, ds.classes);
}

/** What a checkpoint must agree on to be resumed by this run. */
function fingerprintOf(config: TrainConfig, recipe: TrainingRecipe, data: TrainData, s: TrainSettings): Record<string, unknown> {
  return {
    model: config.model, input: config.input, recipe, seed: s.seed, patience: s.patience, clipNorm: s.clipNorm ?? null,
    protocol: data.dataset.protocol, classes: data.dataset.classes, trainRows: data.trainStream ? data.trainStream.key : hashRows(data.trainRows), valRows: hashRows(data.valRows),
    ...(s.select !== 'macro-f1' ? { select: s.select } : {}),
  };
}

/** The best-model file of an epoch (.ecgm): the weights plus what evaluate needs to reproduce the run. */
function bestModelFile(config: TrainConfig, recipe: TrainingRecipe, ds: BeatDataset, s: TrainSettings, model: Module, record: EpochRecord): Uint8Array {
  return encodeModel(model, {
    arch: config.model, config: config.input as unknown as Record<string, unknown>,
    meta: {
      protocol: ds.protocol, classes: ds.classes, rr: config.input.rrFeatures > 0, ...datasetMeta(ds.options),
      epoch: record.epoch, valMacroF1: record.valMacroF1, ...(s.select === 'sv-f1' ? { select: 'sv-f1', valScore: record.valScore } : {}),
      valAccuracy: record.valAccuracy, seed: s.seed, recipe, ...config.meta,
    },
  });
}

/**
 * Trains `config.model` on the training rows, validating on the validation rows every epoch; resumes
 * from `resume` (checkpoint bytes) when given. Synchronous: run it in a worker to keep a UI responsive.
 */
export function train(config: TrainConfig, data: TrainData, hooks: TrainHooks = {}, resume?: Uint8Array): TrainResult {
  const s = trainSettings(config);
  const recipe = withOverrides(config.recipe, s);
  checkRun(config, recipe, data, s);
  const { dataset: ds, trainRows, valRows } = data;
  const name = config.model, emit = hooks.onEvent ?? (() => {});
  const useRR = config.input.rrFeatures > 0;
  const fingerprint = fingerprintOf(config, recipe, data, s);
  const state = new TrainState(name, config.input, recipe);
  const params = state.model.parameterCount();
  const stream = data.trainStream;
  const lossFn = recipeLoss(recipe, ds, trainRows, stream?.classCounts);
  if (resume) state.restore(resume, fingerprint);

  const n = stream ? stream.beats : trainRows.length, bs = recipe.batchSize, nb = Math.ceil(n / bs);
  const clock = new RunClock(state, recipe.epochs * n);
  let lastCheckpoint: Position | null = resume ? state.position : null;
  const describe = (p: Position) => (p.batch === 0 ? `end of epoch ${p.epoch}` : `epoch ${p.epoch + 1}, batch ${p.batch}`);
  const checkpoint = () => {
    if (!hooks.writeCheckpoint) return;
    hooks.writeCheckpoint(state.toCheckpoint(fingerprint, clock.epochSeconds()));
    const p = (lastCheckpoint = state.position);
    // Reported as "after batch b of epoch e" (an epoch-end checkpoint is after the epoch's last batch).
    const end = p.batch === 0 && p.epoch > 0;
    emit({ type: 'checkpoint', model: name, epoch: end ? p.epoch : p.epoch + 1, batch: end ? nb : p.batch, batches: nb, step: p.step });
  };
  const step = { ds, useRR, loss: lossFn, seed: s.seed, clipNorm: s.clipNorm, batches: nb, kept: () => (lastCheckpoint ? `; the last good checkpoint (${describe(lastCheckpoint)}) is kept` : '') };

  emit({ type: 'start', model: name, epochs: recipe.epochs, batches: nb, trainBeats: n, valBeats: valRows.length, params, resumedAt: resume ? { epoch: state.position.epoch + 1, batch: state.position.batch } : null });
  while (!state.finished) {
    const e = state.position.epoch;
    clock.startEpoch();
    const epochSeed = mixSeed(s.seed, e, 0xe90c);
    const epochBatches = stream
      ? stream.epoch(epochSeed, bs, state.position.batch * bs)
      : batches(ds, (new Rng(epochSeed).shuffle(Int32Array.from(trainRows)) as Int32Array).subarray(state.position.batch * bs), bs, null);
    for (const batch of epochBatches) {
      trainStep(state, batch, step);
      const { batch: b, step: global } = state.position;
      const rate = clock.samples(batch.y.length);
      emit({ type: 'batch', model: name, epoch: e + 1, epochs: recipe.epochs, batch: b, batches: nb, loss: state.epochLoss.sum / state.epochLoss.count, samplesPerSec: rate, etaSeconds: (recipe.epochs * n - (e * n + Math.min(b * bs, n))) / rate });
      if (s.checkpointEvery > 0 && global % s.checkpointEvery === 0 && b < nb) checkpoint();
      if (hooks.shouldStop?.() && b < nb) {
        if (lastCheckpoint?.step !== global) checkpoint();
        throw new TrainInterrupted(name, state.position, nb);
      }
    }
    const v = evaluate(state.model, ds, valRows, { batchSize: s.evalBatchSize, useRR });
    const seconds = clock.epochSeconds();
    const record: EpochRecord = {
      epoch: e + 1, trainLoss: state.epochLoss.sum / Math.max(state.epochLoss.count, 1), valLoss: v.loss, valAccuracy: v.report.accuracy,
      valMacroF1: v.report.macroF1, valScore: selectionScore(s.select, v.report), lr: state.optimizer.lr, seconds,
    };
    state.trainSeconds += seconds;
    const { improved, stoppedEarly } = endEpoch(state, record, { patience: s.patience, epochs: recipe.epochs });
    if (improved) hooks.writeBest?.(bestModelFile(config, recipe, ds, s, state.model, record));
    emit({ type: 'epoch', model: name, epochs: recipe.epochs, best: improved, ...record });
    state.schedule?.step();
    clock.startEpoch();
    if (stoppedEarly) emit({ type: 'early-stop', model: name, epoch: e + 1, patience: s.patience, bestEpoch: state.best!.epoch });
    checkpoint();
  }

  if (state.bestWeights) state.model.loadStateDict(state.bestWeights);
  state.model.eval();
  const { history, best, stoppedEarly, trainSeconds } = state;
  emit({ type: 'done', model: name, epochsRun: history.length, bestEpoch: best?.epoch ?? 0, bestValMacroF1: best?.macroF1 ?? 0, trainSeconds });
  return { model: state.model, history, bestEpoch: best?.epoch ?? 0, bestValMacroF1: best?.macroF1 ?? 0, epochsRun: history.length, stoppedEarly, trainSeconds, steps: state.position.step, params };
}

/** Wall-clock bookkeeping of a session: seconds in the current epoch (earlier sessions' included) and throughput. */
class RunClock {
  private readonly session0 = performance.now();
  private epochStart = performance.now();
  private sessionSamples = 0;
  constructor(private readonly state: TrainState, readonly totalSamples: number) {}
  startEpoch(): void {
    this.epochStart = performance.now();
  }
  epochSeconds(): number {
    return this.state.epochLoss.seconds + (performance.now() - this.epochStart) / 1000;
  }
  /** Counts a batch's samples; returns this session's samples per second. */
  samples(n: number): number {
    this.sessionSamples += n;
    return this.sessionSamples / Math.max((performance.now() - this.session0) / 1000, 1e-9);
  }
}
