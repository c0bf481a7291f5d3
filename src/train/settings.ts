// The training settings: one type (TrainSettings), one table of specs (TRAIN_SETTINGS: each setting's
// command-line flag, description, default and check), from which the trainer takes its defaults and the
// CLI derives its options (src/cli/options.ts). Adding a setting is one spec here plus its use.
// Browser-safe: no Node imports.
import type { TrainingRecipe } from '../models/registry.ts';

/** The validation score that picks the best epoch. */
export type SelectScore = 'macro-f1' | 'sv-f1';

export interface TrainSettings {
  /** Seed of the weights, the batch order and dropout. */
  seed: number;
  /** Overrides of the model's recipe (undefined: the recipe's value). */
  epochs?: number;
  batchSize?: number;
  lr?: number;
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

/** A setting's value is invalid; `flag` is the setting's command-line name, `problem` what is wrong. */
export class SettingError extends RangeError {
  constructor(readonly flag: string, readonly problem: string, readonly value: unknown) {
    super(`${flag} ${problem}, got ${JSON.stringify(value)}`);
    this.name = 'SettingError';
  }
}

/** One setting: how the CLI names and describes it, its default, and how a value is checked or parsed. */
export interface SettingSpec<T> {
  /** The command-line option (without "--"). */
  flag: string;
  description: string;
  /** 'boolean' options take no value on the command line. */
  type: 'string' | 'boolean';
  /** Undefined: the setting is optional (unset means "not used" or "the recipe's value"). */
  default?: T;
  /** Returns the value if it is valid, else throws a SettingError. */
  check(value: unknown): T;
  /** Parses a command-line string (then checks it). */
  parse(text: string): T;
}

export type SettingSpecs<S> = { [K in keyof S]-?: SettingSpec<NonNullable<S[K]>> };

/** An integer >= min. */
export function intSetting(flag: string, description: string, min: number, def?: number): SettingSpec<number> {
  const check = (v: unknown): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new SettingError(flag, `must be an integer >= ${min}`, v);
    return v;
  };
  return { flag, description, type: 'string', default: def, check, parse: numberParser(flag, check) };
}

/** A finite number > 0. */
export function positiveSetting(flag: string, description: string, def?: number): SettingSpec<number> {
  const check = (v: unknown): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new SettingError(flag, 'must be a positive number', v);
    return v;
  };
  return { flag, description, type: 'string', default: def, check, parse: numberParser(flag, check) };
}

/** Parses a number, reporting the text as given (not NaN) when it is not a valid value. */
function numberParser(flag: string, check: (v: unknown) => number): (text: string) => number {
  return (text) => {
    try {
      return check(text.trim() === '' ? NaN : Number(text));
    } catch (e) {
      throw new SettingError(flag, (e as SettingError).problem, text);
    }
  };
}

/** One of a list of names. */
export function choiceSetting<T extends string>(flag: string, description: string, choices: readonly T[], def?: T): SettingSpec<T> {
  const check = (v: unknown): T => {
    if (!(choices as readonly unknown[]).includes(v)) throw new SettingError(flag, `must be one of ${choices.join(', ')}`, v);
    return v as T;
  };
  return { flag, description, type: 'string', default: def, check, parse: check };
}

/** A switch (false unless given). */
export function booleanSetting(flag: string, description: string): SettingSpec<boolean> {
  const check = (v: unknown): boolean => {
    if (typeof v !== 'boolean') throw new SettingError(flag, 'must be true or false', v);
    return v;
  };
  return { flag, description, type: 'boolean', default: false, check, parse: (t) => check(t === 'true' ? true : t === 'false' ? false : t) };
}

export const SELECT_SCORES: readonly SelectScore[] = ['macro-f1', 'sv-f1'];

export const TRAIN_SETTINGS: SettingSpecs<TrainSettings> = {
  seed: intSetting('seed', "seed of the weights, batch order and dropout (the split is the protocol's, seed 0)", 0, 0),
  epochs: intSetting('epochs', "number of epochs (default: the model's recipe; 4 with --quick)", 1),
  batchSize: intSetting('batch-size', "batch size (default: the model's recipe)", 1),
  lr: positiveSetting('lr', "learning rate (default: the model's recipe)"),
  patience: intSetting('patience', 'stop after this many epochs without a better validation score (0: never)', 0, 5),
  clipNorm: positiveSetting('clip', 'clip the global gradient norm to this value'),
  select: choiceSetting('select', 'validation score that picks the best epoch: "macro-f1", or "sv-f1" (mean F1 of S and V; AAMI protocols)', SELECT_SCORES, 'macro-f1'),
  checkpointEvery: intSetting('checkpoint-every', 'write the resumable checkpoint every this many batches (and at every epoch end; 0: only there)', 0, 50),
  evalBatchSize: intSetting('eval-batch-size', 'batch size of the validation passes', 1, 256),
};

/**
 * Complete settings from a partial set: every given value is checked against its spec, every missing one
 * takes the spec's default. Keys that are not settings are ignored (callers pass wider objects).
 */
export function resolveSettings<S>(specs: SettingSpecs<S>, given: Partial<S>): S {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs) as [string, SettingSpec<unknown>][]) {
    const v = (given as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = spec.check(v);
    else if (spec.default !== undefined) out[key] = spec.default;
  }
  return out as S;
}

export function trainSettings(given: Partial<TrainSettings> = {}): TrainSettings {
  return resolveSettings(TRAIN_SETTINGS, given);
}

/** The recipe a run trains with: the model's recipe with the settings' epochs, batch size and learning rate. */
export function withOverrides(recipe: TrainingRecipe, s: Pick<TrainSettings, 'epochs' | 'batchSize' | 'lr'>): TrainingRecipe {
  return { ...recipe, epochs: s.epochs ?? recipe.epochs, batchSize: s.batchSize ?? recipe.batchSize, lr: s.lr ?? recipe.lr };
}
