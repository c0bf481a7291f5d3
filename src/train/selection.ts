// Epoch-end model selection: the validation score of an epoch ('macro-f1', or 'sv-f1': the mean F1 of
// classes S and V), whether it beats the best so far (then its weights are kept), and early stopping
// after `patience` epochs without a better score. Only validation rows are ever scored here.
import type { SelectScore } from './settings.ts';
import { copyWeights, type EpochRecord, type TrainState } from './state.ts';

interface ScoredReport {
  macroF1: number;
  classes: string[];
  perClass: Record<string, { f1: number }>;
}

/** Throws a RangeError when `select` cannot score a dataset with these classes. */
export function checkSelect(select: SelectScore | undefined, classes: readonly string[]): void {
  const s = select ?? 'macro-f1';
  if (s !== 'macro-f1' && s !== 'sv-f1') throw new RangeError(`train: select must be 'macro-f1' or 'sv-f1', got ${JSON.stringify(select)}`);
  if (s === 'sv-f1' && !(classes.includes('S') && classes.includes('V')))
    throw new RangeError(`train: select 'sv-f1' needs classes S and V (AAMI protocols); the classes are ${classes.join(', ')}`);
}

/** The validation score that selects the best epoch. */
export function selectionScore(select: SelectScore | undefined, report: ScoredReport): number {
  checkSelect(select, report.classes);
  if ((select ?? 'macro-f1') === 'macro-f1') return report.macroF1;
  return (report.perClass.S!.f1 + report.perClass.V!.f1) / 2;
}

/**
 * Records a finished epoch in the state: appends it to the history, keeps its weights when its score is
 * the best so far, counts epochs without improvement, and marks the run finished when patience runs out
 * (only before the last epoch) or the last epoch is done. Returns whether this epoch is the new best.
 */
export function endEpoch(state: TrainState, record: EpochRecord, opts: { patience: number; epochs: number }): { improved: boolean; stoppedEarly: boolean } {
  state.history.push(record);
  const improved = state.best === null || record.valScore > (state.best.score ?? state.best.macroF1);
  if (improved) {
    state.best = { epoch: record.epoch, macroF1: record.valMacroF1, score: record.valScore };
    state.bestWeights = copyWeights(state.model);
    state.badEpochs = 0;
  } else state.badEpochs++;
  state.position = { epoch: record.epoch, batch: 0, step: state.position.step };
  state.epochLoss = { sum: 0, count: 0, seconds: 0 };
  const stoppedEarly = opts.patience > 0 && state.badEpochs >= opts.patience && record.epoch < opts.epochs;
  if (stoppedEarly) state.stoppedEarly = true;
  if (state.stoppedEarly || record.epoch >= opts.epochs) state.finished = true;
  return { improved, stoppedEarly };
}
