// The training settings: one type (TrainSettings), one table of specs (TRAIN_SETTINGS: each setting's
// command-line flag, description, default and check; the spec shape is src/core/settings.ts), from which
// the trainer takes its defaults and the CLI derives its options (src/cli/options.ts). Adding a setting
// is one spec here plus its use. Browser-safe: no Node imports.
import type { TrainingRecipe } from '../models/registry.ts';
import { choiceSetting, intSetting, positiveSetting, resolveSettings, type SettingSpecs } from '../core/settings.ts';

export { SettingError, resolveSettings, type SettingSpec, type SettingSpecs } from '../core/settings.ts';

/** The validation score that picks the best epoch. */
export type SelectScore = 'macro-f1' | 'sv-f1';

/**
 * The settings of a training run: seed, overrides of the model's recipe, early stopping, clipping, best-epoch
 * selection, checkpoint interval and validation batch size.
 */
export interface TrainSettings {
  /** Seed of the weights, the batch order and dropout. */
  seed: number;
  /** Overrides of the model's recipe (undefined: the recipe's value). */
  epochs?: number;
  batchSize?: number;
  lr?: number;
  loss?: TrainingRecipe['loss'];
  /** Stop after this many epochs without a better validation score (0: never). */
  patience: number;
  /** Clip the global gradient norm to this value (undefined: no clipping). */
  clipNorm?: number;
  /** 'macro-f1', or 'sv-f1': the mean F1 of classes S and V (AAMI protocols). */
  select: SelectScore;
  /** Write a resumable checkpoint every this many batches (0: only at epoch ends). */
  checkpointEvery: number;
  /** Batch size of validation passes. */
  evalBatchSize: number;
}

export const SELECT_SCORES: readonly SelectScore[] = ['macro-f1', 'sv-f1'];

/**
 * The training settings, one SettingSpec each (flag, description, default, check): train(), the CLI's options
 * and their error messages all come from this table.
 */
export const TRAIN_SETTINGS: SettingSpecs<TrainSettings> = {
  seed: intSetting('seed', "seed of the weights, batch order and dropout (the split is the protocol's, seed 0)", 0, 0),
  epochs: intSetting('epochs', "number of epochs (default: the model's recipe; 4 with --quick)", 1),
  batchSize: intSetting('batch-size', "batch size (default: the model's recipe)", 1),
  lr: positiveSetting('lr', "learning rate (default: the model's recipe)"),
  loss: choiceSetting('loss', "training loss: \"ce\", \"weighted-ce\" (effective-number class weights) or \"combined\" (weighted CE + focal; default: the model's recipe)", ['ce', 'weighted-ce', 'combined'] as const),
  patience: intSetting('patience', 'stop after this many epochs without a better validation score (0: never)', 0, 5),
  clipNorm: positiveSetting('clip', 'clip the global gradient norm to this value'),
  select: choiceSetting('select', 'validation score that picks the best epoch: "macro-f1", or "sv-f1" (mean F1 of S and V; AAMI protocols)', SELECT_SCORES, 'macro-f1'),
  checkpointEvery: intSetting('checkpoint-every', 'write the resumable checkpoint every this many batches (and at every epoch end; 0: only there)', 0, 50),
  evalBatchSize: intSetting('eval-batch-size', 'batch size of the validation passes', 1, 256),
};

/**
 * The training settings with defaults filled in and every given value checked (a SettingError names the
 * setting and the value otherwise).
 */
export function trainSettings(given: Partial<TrainSettings> = {}): TrainSettings {
  return resolveSettings(TRAIN_SETTINGS, given);
}

/** The recipe a run trains with: the model's recipe with the settings' epochs, batch size, learning rate and loss. */
export function withOverrides(recipe: TrainingRecipe, s: Pick<TrainSettings, 'epochs' | 'batchSize' | 'lr' | 'loss'>): TrainingRecipe {
  return { ...recipe, epochs: s.epochs ?? recipe.epochs, batchSize: s.batchSize ?? recipe.batchSize, lr: s.lr ?? recipe.lr, loss: s.loss ?? recipe.loss };
}
