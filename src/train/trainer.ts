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
import { fromArray } from '../ops/creation.ts';
import { dropoutSeed } from '../ops/dropout.ts';
import { Rng, type RngState } from '../core/random.ts';
import { backend } from '../core/runtime.ts';
import type { Module } from '../nn/module.ts';
import type { Tensor } from '../core/tensor.ts';
import { initSeed } from '../nn/init.ts';
import { encodeModel } from '../nn/model-file.ts';
import { crossEntropy, combinedLoss } from '../nn/losses.ts';
import { Adam, AdamW } from '../optim/adam.ts';
import { SGD } from '../optim/sgd.ts';
import type { Optimizer, OptimizerState } from '../optim/optimizer.ts';
import { CosineAnnealing } from '../optim/schedules.ts';
import { clipGradNorm } from '../optim/clip.ts';
import { decayGroups } from '../optim/groups.ts';
import { getModel, type ModelInput, type TrainingRecipe } from '../models/index.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import { batches } from '../ecg/dataset/batches.ts';
import { classWeights } from '../ecg/dataset/imbalance.ts';
import { evaluate } from './evaluate.ts';
import { decodeCheckpoint, encodeCheckpoint, CheckpointError } from './checkpoint.ts';

export interface TrainConfig {
  /** A registered model name (getModel). */
  model: string;
  /** The build input; its seed seeds the weights. */
  input: ModelInput;
  recipe: TrainingRecipe;
  /** Seed of the batch order and dropout. */
  seed: number;
  /** Stop after this many epochs without a better validation macro-F1 (0: never). */
  patience?: number;
  /** Clip the global gradient norm to this value (default: no clipping). */
  clipNorm?: number;
  /** Write a resumable checkpoint every this many batches (0: only at epoch ends). Default 50. */
  checkpointEvery?: number;
  /** Batch size of validation passes (default 256). */
  evalBatchSize?: number;
  /**
   * What picks the best epoch on validation: 'macro-f1' (default) or 'sv-f1', the mean F1 of classes S
   * and V (for the inter protocol, whose validation records hold almost no F and Q beats).
   */
  select?: 'macro-f1' | 'sv-f1';
}

/** The validation score that selects the best epoch. */
export function selectionScore(select: TrainConfig['select'], report: { macroF1: number; classes: string[]; perClass: Record<string, { f1: number }> }): number {
  if ((select ?? 'macro-f1') === 'macro-f1') return report.macroF1;
  if (select !== 'sv-f1') throw new RangeError(`train: select must be 'macro-f1' or 'sv-f1', got ${JSON.stringify(select)}`);
  const s = report.perClass.S, v = report.perClass.V;
  if (!s || !v) throw new RangeError(`train: select 'sv-f1' needs classes S and V (AAMI protocols); the classes are ${report.classes.join(', ')}`);
  return (s.f1 + v.f1) / 2;
}

export interface TrainData {
  dataset: BeatDataset;
  trainRows: Int32Array;
  valRows: Int32Array;
}

export type TrainEvent =
  | { type: 'start'; model: string; epochs: number; batches: number; trainBeats: number; valBeats: number; params: number; resumedAt: { epoch: number; batch: number } | null }
  | { type: 'batch'; model: string; epoch: number; epochs: number; batch: number; batches: number; loss: number; samplesPerSec: number; etaSeconds: number }
  | { type: 'checkpoint'; model: string; epoch: number; batch: number; batches: number; step: number }
  | ({ type: 'epoch'; model: string; epochs: number; best: boolean } & EpochRecord)
  | { type: 'early-stop'; model: string; epoch: number; patience: number; bestEpoch: number }
  | { type: 'done'; model: string; epochsRun: number; bestEpoch: number; bestValMacroF1: number; trainSeconds: number };

export interface TrainHooks {
  onEvent?(e: TrainEvent): void;
  /** Receives the best model file (.ecgm bytes) whenever validation macro-F1 improves. */
  writeBest?(bytes: Uint8Array): void;
  /** Receives a resumable checkpoint (.ckpt bytes). */
  writeCheckpoint?(bytes: Uint8Array): void;
}

/** One epoch of the history (epoch is 1-based). */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  valAccuracy: number;
  valMacroF1: number;
  /** The selection score (= valMacroF1 unless select is 'sv-f1'). */
  valScore: number;
  lr: number;
  seconds: number;
}

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

export class DivergedError extends Error {
  constructor(message: string, readonly epoch: number, readonly step: number) {
    super(message);
    this.name = 'DivergedError';
  }
}

/** A 32-bit mix of integers (splitmix-style), for per-epoch and per-step seeds. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

function hashRows(rows: Int32Array): string {
  let h = mixSeed(rows.length);
  for (const r of rows) h = mixSeed(h, r);
  return `${rows.length}:${h.toString(16)}`;
}

/** Every generator held by a module of the model, by "<module path>#<field>". */
export function moduleRngs(model: Module): Map<string, Rng> {
  const out = new Map<string, Rng>();
  for (const [path, m] of model.namedModules())
    for (const [k, v] of Object.entries(m as unknown as Record<string, unknown>)) if (v instanceof Rng) out.set(`${path}#${k}`, v);
  return out;
}

function makeOptimizer(model: Module, recipe: TrainingRecipe): Optimizer {
  const groups = decayGroups(model.namedParameters(), recipe.weightDecay);
  switch (recipe.optimizer) {
    case 'adam':
      return new Adam(groups, { lr: recipe.lr, weightDecay: recipe.weightDecay });
    case 'adamw':
      return new AdamW(groups, { lr: recipe.lr, weightDecay: recipe.weightDecay });
    case 'sgd':
      return new SGD(groups, { lr: recipe.lr, momentum: 0.9, nesterov: true, weightDecay: recipe.weightDecay });
    default:
      throw new RangeError(`train: unknown optimizer "${(recipe as TrainingRecipe).optimizer}" (adam, adamw, sgd)`);
  }
}

function copyState(model: Module): Map<string, Float32Array> {
  return new Map([...model.stateDict()].map(([k, t]) => [k, t.data()]));
}

interface CheckpointHeader {
  fingerprint: Record<string, unknown>;
  position: { epoch: number; batch: number; step: number };
  epochLoss: { sum: number; count: number; seconds: number };
  history: EpochRecord[];
  best: { epoch: number; macroF1: number; score?: number } | null;
  badEpochs: number;
  finished: boolean;
  stoppedEarly: boolean;
  trainSeconds: number;
  optimizer: Omit<OptimizerState, 'buffers'> & { slots: Record<string, boolean[]> };
  rngs: Record<string, RngState>;
}

/** Reads the position and history of a checkpoint without training (for reports and --resume messages). */
export function checkpointInfo(bytes: Uint8Array, source?: string): { epoch: number; batch: number; step: number; finished: boolean; model: string } {
  const h = decodeCheckpoint(bytes, source).header as unknown as CheckpointHeader;
  return { ...h.position, finished: h.finished, model: String(h.fingerprint.model) };
}

/**
 * Trains `config.model` on the training rows, validating on the validation rows every epoch; resumes
 * from `resume` (checkpoint bytes) when given. Synchronous: run it in a worker to keep a UI responsive.
 */
export function train(config: TrainConfig, data: TrainData, hooks: TrainHooks = {}, resume?: Uint8Array): TrainResult {
  const { dataset: ds, trainRows, valRows } = data;
  const { recipe, seed, input } = config;
  const patience = config.patience ?? 0;
  const every = config.checkpointEvery ?? 50;
  const emit = hooks.onEvent ?? (() => {});
  const spec = getModel(config.model);
  if (trainRows.length === 0) throw new RangeError('train: the training split is empty');
  if (valRows.length === 0) throw new RangeError('train: the validation split is empty');
  if (!(Number.isInteger(recipe.epochs) && recipe.epochs > 0)) throw new RangeError(`train: epochs must be a positive integer, got ${recipe.epochs}`);
  if (!(Number.isInteger(recipe.batchSize) && recipe.batchSize > 0)) throw new RangeError(`train: batch size must be a positive integer, got ${recipe.batchSize}`);
  if (input.length !== ds.length || input.channels !== ds.channels || input.classes !== ds.classes.length)
    throw new RangeError(`train: model input ${input.channels}x${input.length} with ${input.classes} classes does not fit the dataset (${ds.channels}x${ds.length}, ${ds.classes.length} classes)`);
  const useRR = input.rrFeatures > 0;
  if (useRR && input.rrFeatures !== ds.rrFeatures.length)
    throw new RangeError(`train: the model takes ${input.rrFeatures} RR features, the dataset has ${ds.rrFeatures.length}`);

  const fingerprint: Record<string, unknown> = {
    model: config.model, input, recipe, seed, patience, clipNorm: config.clipNorm ?? null, protocol: ds.protocol, classes: ds.classes,
    trainRows: hashRows(trainRows), valRows: hashRows(valRows), ...(config.select && config.select !== 'macro-f1' ? { select: config.select } : {}),
  };
  selectionScore(config.select, { macroF1: 0, classes: ds.classes, perClass: Object.fromEntries(ds.classes.map((c) => [c, { f1: 0 }])) });

  initSeed(mixSeed(input.seed, 0x1a17));
  const model = spec.build(input);
  model.train();
  const params = model.parameterCount();
  const opt = makeOptimizer(model, recipe);
  const sched = recipe.schedule === 'cosine' ? new CosineAnnealing(opt, { tMax: recipe.epochs }) : null;
  const rngs = moduleRngs(model);
  const C = ds.classes.length;
  const weights = recipe.loss === 'ce' ? undefined : classWeights(ds.y, C, { method: 'effective', beta: recipe.classWeightBeta ?? 0.9999 }, trainRows);
  const lossOf = (logits: Tensor, y: Int32Array): Tensor =>
    recipe.loss === 'combined' ? combinedLoss(logits, y, { weight: weights }) : crossEntropy(logits, y, { weight: weights });

  let position = { epoch: 0, batch: 0, step: 0 };
  let epochLoss = { sum: 0, count: 0, seconds: 0 };
  let history: EpochRecord[] = [];
  let best: { epoch: number; macroF1: number; score?: number } | null = null;
  let bestState: Map<string, Float32Array> | null = null;
  let badEpochs = 0, finished = false, stoppedEarly = false, trainSeconds = 0;

  if (resume) {
    const { header, arrays } = decodeCheckpoint(resume);
    const h = header as unknown as CheckpointHeader;
    const diff = Object.keys({ ...fingerprint, ...h.fingerprint })
      .filter((k) => JSON.stringify(fingerprint[k]) !== JSON.stringify(h.fingerprint[k]));
    if (diff.length)
      throw new CheckpointError('(resume)', `was written with other settings (${diff.map((k) => `${k}: ${JSON.stringify(h.fingerprint[k])} there, ${JSON.stringify(fingerprint[k])} now`).join('; ')})`);
    const pick = (prefix: string) => new Map([...arrays].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    model.loadStateDict(pick('model/'));
    bestState = h.best ? pick('best/') : null;
    if (sched) for (let e = 0; e < h.position.epoch; e++) sched.step();
    const buffers: OptimizerState['buffers'] = {};
    for (const [slot, present] of Object.entries(h.optimizer.slots))
      buffers[slot] = present.map((p, i) => (p ? arrays.get(`optim/${slot}/${i}`)! : null));
    opt.loadStateDict({ name: h.optimizer.name, stepCount: h.optimizer.stepCount, lr: h.optimizer.lr, counters: h.optimizer.counters, buffers });
    for (const [k, r] of rngs) {
      const s = h.rngs[k];
      if (!s) throw new CheckpointError('(resume)', `has no state for the generator ${k}`);
      r.setState(s);
    }
    ({ position, epochLoss, history, best, badEpochs, finished, stoppedEarly, trainSeconds } = h);
  }
  /** Seconds of completed epochs (the current epoch's time is added when it ends). */
  let doneSeconds = trainSeconds;

  const makeCheckpoint = (): Uint8Array => {
    const arrays = new Map<string, Float32Array>();
    for (const [k, v] of copyState(model)) arrays.set(`model/${k}`, v);
    if (bestState) for (const [k, v] of bestState) arrays.set(`best/${k}`, v);
    const o = opt.stateDict();
    const slots: Record<string, boolean[]> = {};
    for (const [slot, list] of Object.entries(o.buffers)) {
      slots[slot] = list.map((v) => v !== null);
      list.forEach((v, i) => v && arrays.set(`optim/${slot}/${i}`, v));
    }
    const inEpoch = position.batch > 0 ? epochSeconds() : 0;
    const header: CheckpointHeader = {
      fingerprint, position, epochLoss: { ...epochLoss, seconds: inEpoch }, history, best, badEpochs, finished, stoppedEarly,
      trainSeconds: doneSeconds,
      optimizer: { name: o.name, stepCount: o.stepCount, lr: o.lr, counters: o.counters, slots },
      rngs: Object.fromEntries([...rngs].map(([k, r]) => [k, r.getState()])),
    };
    return encodeCheckpoint(header as unknown as Record<string, unknown>, arrays);
  };
  const describe = (p: { epoch: number; batch: number }) => (p.batch === 0 ? `end of epoch ${p.epoch}` : `epoch ${p.epoch + 1}, batch ${p.batch}`);
  let lastCheckpoint: { epoch: number; batch: number } | null = resume ? { epoch: position.epoch, batch: position.batch } : null;
  const checkpoint = () => {
    if (!hooks.writeCheckpoint) return;
    hooks.writeCheckpoint(makeCheckpoint());
    lastCheckpoint = { epoch: position.epoch, batch: position.batch };
    // Reported as "after batch b of epoch e" (an epoch-end checkpoint is after the epoch's last batch).
    const end = position.batch === 0 && position.epoch > 0;
    emit({ type: 'checkpoint', model: config.model, epoch: end ? position.epoch : position.epoch + 1, batch: end ? nb : position.batch, batches: nb, step: position.step });
  };

  const n = trainRows.length, bs = recipe.batchSize, nb = Math.ceil(n / bs);
  const F = ds.rrFeatures.length;
  emit({
    type: 'start', model: config.model, epochs: recipe.epochs, batches: nb, trainBeats: n, valBeats: valRows.length, params,
    resumedAt: resume ? { epoch: position.epoch + 1, batch: position.batch } : null,
  });
  const session0 = performance.now();
  let sessionSamples = 0;
  const totalSamples = recipe.epochs * n;

  let epochStart = performance.now();
  // Time spent in this epoch by earlier sessions (resumed runs) plus this one.
  const epochSeconds = () => epochLoss.seconds + (performance.now() - epochStart) / 1000;
  while (!finished) {
    const e = position.epoch;
    epochStart = performance.now();
    const order = new Rng(mixSeed(seed, e, 0xe90c)).shuffle(Int32Array.from(trainRows)) as Int32Array;
    let b = position.batch;
    for (const batch of batches(ds, order.subarray(b * bs), bs, null)) {
      const B = batch.y.length;
      dropoutSeed(mixSeed(seed, position.step, 0xd0));
      const x = fromArray(batch.x, [B, ds.channels, ds.length]);
      const logits = useRR ? model.forward(x, fromArray(batch.rr, [B, F])) : model.forward(x);
      const loss = lossOf(logits, batch.y);
      const lv = loss.item();
      const where = () => `epoch ${e + 1}, step ${b + 1} of ${nb} (global step ${position.step + 1})`;
      const kept = () => (lastCheckpoint ? `; the last good checkpoint (${describe(lastCheckpoint)}) is kept` : '');
      if (!Number.isFinite(lv))
        throw new DivergedError(`training diverged: the loss is ${lv} at ${where()}${kept()}; lower the learning rate or clip gradients (--clip)`, e + 1, b + 1);
      opt.zeroGrad();
      loss.backward();
      if (config.clipNorm !== undefined) {
        const norm = clipGradNorm(model.parameters(), config.clipNorm);
        if (!Number.isFinite(norm)) throw new DivergedError(`training diverged: the gradient norm is ${norm} at ${where()}${kept()}`, e + 1, b + 1);
      }
      opt.step();
      epochLoss.sum += lv * B;
      epochLoss.count += B;
      sessionSamples += B;
      b++;
      position = { epoch: e, batch: b, step: position.step + 1 };
      const rate = sessionSamples / Math.max((performance.now() - session0) / 1000, 1e-9);
      emit({
        type: 'batch', model: config.model, epoch: e + 1, epochs: recipe.epochs, batch: b, batches: nb,
        loss: epochLoss.sum / epochLoss.count, samplesPerSec: rate, etaSeconds: (totalSamples - (e * n + Math.min(b * bs, n))) / rate,
      });
      if (every > 0 && position.step % every === 0 && b < nb) checkpoint();
    }
    finishEpoch();
  }
  return result();

  function finishEpoch(): void {
    const e = position.epoch;
    const v = evaluate(model, ds, valRows, { batchSize: config.evalBatchSize ?? 256, useRR });
    const seconds = epochSeconds();
    const record: EpochRecord = {
      epoch: e + 1, trainLoss: epochLoss.sum / Math.max(epochLoss.count, 1), valLoss: v.loss,
      valAccuracy: v.report.accuracy, valMacroF1: v.report.macroF1, valScore: selectionScore(config.select, v.report), lr: opt.lr, seconds,
    };
    trainSeconds = doneSeconds + seconds;
    doneSeconds = trainSeconds;
    history.push(record);
    const improved = best === null || record.valScore > (best.score ?? best.macroF1);
    if (improved) {
      best = { epoch: e + 1, macroF1: record.valMacroF1, score: record.valScore };
      bestState = copyState(model);
      badEpochs = 0;
      hooks.writeBest?.(encodeModel(model, {
        arch: config.model, config: input as unknown as Record<string, unknown>,
        meta: { protocol: ds.protocol, classes: ds.classes, rr: useRR, ...(ds.options?.rrSet && ds.options.rrSet !== 'local' ? { rrSet: ds.options.rrSet } : {}), epoch: e + 1, valMacroF1: record.valMacroF1, ...(config.select === 'sv-f1' ? { select: 'sv-f1', valScore: record.valScore } : {}), valAccuracy: record.valAccuracy, seed, recipe },
      }));
    } else badEpochs++;
    emit({ type: 'epoch', model: config.model, epochs: recipe.epochs, best: improved, ...record });
    sched?.step();
    epochLoss = { sum: 0, count: 0, seconds: 0 };
    epochStart = performance.now();
    position = { epoch: e + 1, batch: 0, step: position.step };
    if (patience > 0 && badEpochs >= patience && e + 1 < recipe.epochs) {
      stoppedEarly = true;
      emit({ type: 'early-stop', model: config.model, epoch: e + 1, patience, bestEpoch: best!.epoch });
    }
    if (stoppedEarly || position.epoch >= recipe.epochs) finished = true;
    checkpoint();
  }

  function result(): TrainResult {
    if (bestState) {
      const b = backend();
      for (const [k, t] of model.stateDict()) b.f32(t.ptr, t.size).set(bestState.get(k)!);
    }
    model.eval();
    emit({ type: 'done', model: config.model, epochsRun: history.length, bestEpoch: best?.epoch ?? 0, bestValMacroF1: best?.macroF1 ?? 0, trainSeconds });
    return {
      model, history, bestEpoch: best?.epoch ?? 0, bestValMacroF1: best?.macroF1 ?? 0, epochsRun: history.length, stoppedEarly,
      trainSeconds, steps: position.step, params,
    };
  }
}
