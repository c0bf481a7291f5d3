// The spec of a zoo model: how to build it from the data's shape and its recommended training recipe.
// Models take beats [B, channels, length] and, when built with rrFeatures > 0, the RR features
// [B, rrFeatures] as a second input: forward(x, rr). Each model file exports its ModelSpec; zoo.ts lists them.
import type { Spec } from '../core/registry.ts';
import type { Module } from '../nn/module.ts';

/**
 * The data a model is built for: beat length, leads, classes, RR features, sampling rate and the seed of its
 * weights. Models take beats [B, channels, length] and, with rrFeatures > 0, the RR features [B, rrFeatures]
 * as a second input.
 */
export interface ModelInput {
  /** Samples per beat window (e.g. 187). */
  length: number;
  /** Leads (1 = MLII). */
  channels: number;
  classes: number;
  /** Number of RR features fed beside the beat (0 = none). */
  rrFeatures: number;
  /** Sampling rate of the windows in Hz (FT-CNN derives its kernel sizes from it). */
  fs: number;
  seed: number;
}

/**
 * How a model is trained by default: epochs, batch size, learning rate, optimizer, weight decay, schedule and
 * loss.
 */
export interface TrainingRecipe {
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: 'adam' | 'adamw' | 'sgd';
  weightDecay: number;
  /** 'cosine' anneals over the epochs; 'none' keeps lr. */
  schedule: 'cosine' | 'none';
  /** 'ce' (cross-entropy), 'weighted-ce' (effective-number class weights) or 'combined' (FT-CNN: weighted CE + focal γ=2). */
  loss: 'ce' | 'weighted-ce' | 'combined';
  /**
   * β of the effective-number class weights (Cui et al. 2019), default 0.9999: on ~76k training beats
   * this weighs S about 5x and F about 18x N (β = 0.999 would give barely 1.2x and 2.3x).
   */
  classWeightBeta?: number;
}

/**
 * A zoo model: its name and description, how to build it from a ModelInput, and its recommended training
 * recipe.
 */
export interface ModelSpec extends Spec {
  build(input: ModelInput): Module;
  recipe: TrainingRecipe;
  /** Size budget in KB of float32 weights, when the paper states one. */
  budgetKB?: number;
  /** False for models that `compare` trains only when named (the PyTorch reference models). */
  inComparison?: boolean;
  /**
   * Measured training time in ms per beat per epoch on the project's 2-core machine (one worker; from
   * `compare --quick --epochs 1`). Only used to schedule `compare`'s jobs longest first.
   */
  trainCost?: number;
}

/**
 * The training recipe of models that state none: 20 epochs, batch 128, Adam at lr 1e-3, cosine schedule,
 * cross-entropy.
 */
export const DEFAULT_RECIPE: TrainingRecipe = {
  epochs: 20, batchSize: 128, lr: 1e-3, optimizer: 'adam', weightDecay: 0, schedule: 'cosine', loss: 'ce',
};
