// One optimisation step: forward the batch (beat windows, and the RR features when the model takes
// them), the recipe's loss, backward, optional global-norm clipping, the optimizer's update. The
// dropout generator is re-seeded from (seed, global step) first, so a resumed run draws the same masks.
// A NaN or infinite loss or gradient norm throws a DivergedError before the weights change.
import { fromArray } from '../ops/creation.ts';
import { dropoutSeed } from '../ops/dropout.ts';
import type { Tensor } from '../core/tensor.ts';
import { crossEntropy, combinedLoss } from '../nn/losses.ts';
import { clipGradNorm } from '../optim/clip.ts';
import type { TrainingRecipe } from '../models/index.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import type { Batch } from '../ecg/dataset/batches.ts';
import { classWeights, classWeightsFromCounts } from '../ecg/dataset/imbalance.ts';
import type { TrainState } from './state.ts';
import { mixSeed } from './seeds.ts';

/**
 * Training diverged: the loss or the gradient norm is NaN or infinite at the given epoch and step. Thrown
 * before the weights change; the message suggests a lower learning rate or clipping.
 */
export class DivergedError extends Error {
  constructor(message: string, readonly epoch: number, readonly step: number) {
    super(message);
    this.name = 'DivergedError';
  }
}

/** A training loss: logits [B, classes] and the batch's labels to a scalar tensor. */
export type LossFunction = (logits: Tensor, y: Int32Array) => Tensor;

/** The recipe's loss, with effective-number class weights counted on the training rows ('weighted-ce', 'combined'). */
export function recipeLoss(recipe: TrainingRecipe, ds: BeatDataset, trainRows: Int32Array, classCounts?: number[]): LossFunction {
  const how = { method: 'effective', beta: recipe.classWeightBeta ?? 0.9999 } as const;
  // classCounts: the training beats of each class, when they are not rows of ds (a TrainStream).
  const weight = recipe.loss === 'ce' ? undefined : classCounts ? classWeightsFromCounts(classCounts, how) : classWeights(ds.y, ds.classes.length, how, trainRows);
  return recipe.loss === 'combined' ? (logits, y) => combinedLoss(logits, y, { weight }) : (logits, y) => crossEntropy(logits, y, { weight });
}

/**
 * What trainStep needs beside the state and the batch: the dataset, whether the RR features are fed, the
 * loss, seed, clipping and message context.
 */
export interface StepContext {
  ds: BeatDataset;
  /** Feed batch.rr as the model's second input. */
  useRR: boolean;
  loss: LossFunction;
  /** Seed of the run (dropout masks). */
  seed: number;
  clipNorm?: number;
  /** Batches per epoch (for messages). */
  batches: number;
  /** Appended to a divergence message (e.g. which checkpoint is kept). */
  kept(): string;
}

/** Trains on one batch and advances state.position; returns the batch's mean loss. */
export function trainStep(state: TrainState, batch: Batch, ctx: StepContext): number {
  const { model, optimizer, position } = state;
  const { ds } = ctx;
  const B = batch.y.length;
  dropoutSeed(mixSeed(ctx.seed, position.step, 0xd0));
  const x = fromArray(batch.x, [B, ds.channels, ds.length]);
  const logits = ctx.useRR ? model.forward(x, fromArray(batch.rr, [B, ds.rrFeatures.length])) : model.forward(x);
  const loss = ctx.loss(logits, batch.y);
  const value = loss.item();
  const e = position.epoch + 1, b = position.batch + 1;
  const where = `epoch ${e}, step ${b} of ${ctx.batches} (global step ${position.step + 1})${ctx.kept()}`;
  if (!Number.isFinite(value))
    throw new DivergedError(`training diverged: the loss is ${value} at ${where}; lower the learning rate or clip gradients (--clip)`, e, b);
  optimizer.zeroGrad();
  loss.backward();
  if (ctx.clipNorm !== undefined) {
    const norm = clipGradNorm(model.parameters(), ctx.clipNorm);
    if (!Number.isFinite(norm)) throw new DivergedError(`training diverged: the gradient norm is ${norm} at ${where}`, e, b);
  }
  optimizer.step();
  state.epochLoss.sum += value * B;
  state.epochLoss.count += B;
  state.position = { epoch: position.epoch, batch: b, step: position.step + 1 };
  return value;
}
