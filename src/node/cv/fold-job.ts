// One fold of `ecgrad cv`, as a worker thread runs it (src/node/train/worker.ts dispatches on `kind`):
// load the protocol's dataset (cached; the main thread built it), take the rows of the fold's records,
// fit the model on its fit records (a neural model selects its epoch on the fold's validation records;
// a classifier fits on all the fold's training records), and predict every beat of the held-out records.
// Nothing is written: the predictions go back to the main thread, which pools them.
import { loadDataset } from '../dataset.ts';
import type { BeatDataset } from '../../ecg/dataset/dataset.ts';
import { modelSpec, type ModelInput } from '../../models/index.ts';
import { train, type TrainEvent } from '../../train/trainer.ts';
import { trainSettings } from '../../train/settings.ts';
import { QUICK, runSettings } from '../../train/run-settings.ts';
import { predict } from '../../train/evaluate.ts';
import { stratifiedSubset } from '../../train/subset.ts';
import type { FoldPlan } from '../../train/cv-folds.ts';
import { runClassic } from '../../classic/index.ts';
import { withPrematureBeats } from '../../train/premature.ts';
import { isClassic, jobDatasetOptions, jobRecipe, trainSymbolsOf, type TrainJob } from '../train/job.ts';

/** A fold job: the run's settings (as a TrainJob; outDir and resume unused) and the fold's plan. */
export type CvFoldJob = TrainJob & { kind: 'cv-fold'; fold: FoldPlan; keepProba?: boolean };

export interface CvFoldResult {
  /** 1-based fold index. */
  fold: number;
  /** Held-out dataset rows (ascending) and their predicted classes. */
  rows: Int32Array;
  pred: Int32Array;
  /** With keepProba (classifiers only): the held-out class probabilities, rows.length x classes, row-major. */
  proba?: Float32Array;
  trainBeats: number;
  valBeats: number;
  trainSeconds: number;
  bestEpoch?: number;
  epochsRun?: number;
}

export function isCvFoldJob(job: unknown): job is CvFoldJob {
  return (job as { kind?: unknown } | null)?.kind === 'cv-fold';
}

/** The dataset rows of the given records, ascending. */
export function rowsOf(ds: Pick<BeatDataset, 'record' | 'records'>, names: readonly string[]): Int32Array {
  const want = new Set(names.map((n) => ds.records.indexOf(n)));
  const out: number[] = [];
  for (let i = 0; i < ds.record.length; i++) if (want.has(ds.record[i]!)) out.push(i);
  return Int32Array.from(out);
}

export function runCvFoldJob(given: CvFoldJob, onEvent: (e: TrainEvent) => void = () => {}, inject: { dataset?: BeatDataset } = {}): CvFoldResult {
  const job = { ...given, ...runSettings(given) };
  const { fold } = given;
  const ds = inject.dataset ?? loadDataset(job.protocol, jobDatasetOptions(job)).dataset;
  for (const r of [...fold.heldOut, ...fold.fit, ...fold.val]) if (!ds.records.includes(r)) throw new RangeError(`${fold.name}: record ${r} is not in the ${job.protocol} dataset`);
  const trainBeats = job.trainBeats ?? (job.quick ? QUICK.trainBeats : undefined);
  const valBeats = job.valBeats ?? (job.quick ? QUICK.valBeats : undefined);
  const allFit = rowsOf(ds, fold.fit), allVal = rowsOf(ds, fold.val), allTest = rowsOf(ds, fold.heldOut);
  // Seeds of the subsets: as the train / val / test subsets of a training job (job.ts), the same in every fold.
  const fitRows = trainBeats ? stratifiedSubset(ds.y, allFit, trainBeats, 1) : allFit;
  const valRows = valBeats && allVal.length ? stratifiedSubset(ds.y, allVal, valBeats, 2) : allVal;
  const testRows = job.testBeats ? stratifiedSubset(ds.y, allTest, job.testBeats, 3) : allTest;
  if (isClassic(job.model)) {
    if (job.synthPremature) throw new Error(`--synth-premature trains neural models only; ${job.model} is a traditional classifier`);
    const run = runClassic(job.model, ds, {
      rows: { train: fitRows, test: testRows }, splits: ['test'], features: job.classicFeatures, params: job.classicParams?.[job.model], trainSymbols: trainSymbolsOf(job.trainLabels),
      proba: given.keepProba === true,
    });
    if (given.keepProba && !run.test!.proba) throw new Error(`${fold.name}: a ${job.model} classifier gives no class probabilities, so it has no decision weights to sweep`);
    return {
      fold: fold.index, rows: testRows, pred: run.test!.pred, ...(given.keepProba ? { proba: Float32Array.from(run.test!.proba!.data) } : {}),
      trainBeats: fitRows.length, valBeats: 0, trainSeconds: run.trainSeconds,
    };
  }
  modelSpec(job.model);
  const aug = job.synthPremature ? withPrematureBeats(ds, fitRows, job.synthPremature, job.seed) : { dataset: ds, trainRows: fitRows };
  const recipe = jobRecipe(job);
  const input: ModelInput = {
    length: ds.length, channels: ds.channels, classes: ds.classes.length, rrFeatures: job.rr ? ds.rrFeatures.length : 0, fs: ds.fs, seed: job.seed,
  };
  const name = `${job.model} ${fold.name}`;
  const result = train(
    { ...trainSettings(job), epochs: undefined, batchSize: undefined, lr: undefined, model: job.model, input, recipe },
    { dataset: aug.dataset, trainRows: aug.trainRows, valRows },
    { onEvent: (e) => onEvent({ ...e, model: name }) },
  );
  const p = predict(result.model, ds, testRows, { useRR: job.rr });
  return {
    fold: fold.index, rows: testRows, pred: p.pred, trainBeats: fitRows.length, valBeats: valRows.length,
    trainSeconds: result.trainSeconds, bestEpoch: result.bestEpoch, epochsRun: result.epochsRun,
  };
}
