// One training job, as `ecgrad train` and each worker of `ecgrad compare` run it: load the protocol's
// dataset (cached), pick the rows (whole splits, or stratified subsets for --quick / --train-beats),
// train with the model's recipe (best model and resumable checkpoint written atomically into the run
// folder), then evaluate the selected weights once on the test split. Returns a report row.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset, type LoadDatasetOptions } from '../dataset.ts';
import { modelSpec, type ModelInput, type TrainingRecipe } from '../../models/index.ts';
import type { BeatDataset } from '../../ecg/dataset/dataset.ts';
import { train, type TrainEvent, type TrainResult } from '../../train/trainer.ts';
import { trainSettings, withOverrides } from '../../train/settings.ts';
import { QUICK, recordLists, runSettings, type RunSettings } from '../../train/run-settings.ts';
import { datasetMeta } from '../../ecg/dataset/dataset-meta.ts';
import type { ClassicSettings } from '../../classic/settings.ts';
import { evaluate } from '../../train/evaluate.ts';
import { stratifiedSubset } from '../../train/subset.ts';
import type { ReportRow } from '../../report/types.ts';
import { reportRow } from '../../report/rows.ts';
import { classicModelNames, encodeClassifier, featureGroupsName, runClassic, TRAIN_LABELS } from '../../classic/index.ts';
import { classificationReport } from '../../metrics/classification.ts';
import { atomicWrite } from './files.ts';
import { openDiskDataset } from '../disk-dataset.ts';
import type { TrainStream } from '../../train/trainer.ts';
import { withPrematureBeats } from '../../train/premature.ts';

export { QUICK };

/**
 * One job: a model (neural or traditional) with the run's settings (src/train/run-settings.ts and
 * src/classic/settings.ts; missing ones take their defaults). `data` is the database folder and `outDir`
 * the run folder, both already checked; `resume` continues from the run folder's checkpoint.
 */
export type TrainJob = { model: string; data: string; outDir: string; resume: boolean; tag?: string; diskDataset?: string } & Partial<RunSettings> & ClassicSettings;

/** A job's name in its run: `tag` (e.g. `std-cnn.seed1` in a seeded compare), else the model; it names the row and the files. */
export const jobTag = (job: Pick<TrainJob, 'model' | 'tag'>): string => job.tag ?? job.model;

/** What a training job returns: its report row, beats per split, recipe, classes and training result. */
export interface JobResult {
  row: ReportRow;
  beats: { train: number; val: number; test: number };
  /** The neural training recipe (null for a traditional classifier). */
  recipe: TrainingRecipe | null;
  classes: string[];
  train: Omit<TrainResult, 'model'>;
}

/** The model's recipe with the job's overrides (at most QUICK.epochs epochs with --quick). */
export function jobRecipe(job: Pick<TrainJob, 'model' | 'epochs' | 'batchSize' | 'lr' | 'quick'>): TrainingRecipe {
  const r = modelSpec(job.model).recipe;
  return withOverrides(r, { ...job, epochs: job.epochs ?? (job.quick ? Math.min(r.epochs, QUICK.epochs) : undefined) });
}

export function modelFile(outDir: string, model: string): string {
  return join(outDir, `${model}.ecgm`);
}

export function checkpointFile(outDir: string, model: string): string {
  return join(outDir, `${model}.ckpt`);
}

/** The dataset options of a job (only what differs from the defaults, so default runs share one cache file). */
export function jobDatasetOptions(job: { data: string } & Partial<Pick<RunSettings, 'rrSet' | 'leads' | 'trainRecords' | 'testRecords' | 'window'>>): LoadDatasetOptions {
  const records = recordLists(job);
  return { data: job.data, seed: 0, ...datasetMeta({ rrSet: job.rrSet, leads: job.leads, window: job.window, ...(records ? { records } : {}) }) } as LoadDatasetOptions;
}

/** The training-label table of a job's trainLabels (undefined: the dataset's labels). */
export function trainSymbolsOf(name: string | undefined): Readonly<Record<string, string>> | undefined {
  if (name === undefined) return undefined;
  if (!Object.hasOwn(TRAIN_LABELS, name)) throw new RangeError(`trainLabels must be one of ${Object.keys(TRAIN_LABELS).join(', ')}, got ${JSON.stringify(name)}`);
  return TRAIN_LABELS[name];
}

/** True for the traditional classifiers of src/classic (trained by runClassicJob). */
export function isClassic(name: string): boolean {
  return (classicModelNames() as string[]).includes(name);
}

/** The rows a job uses: whole splits, or the stratified subsets of --quick / --train-beats / --val-beats. */
function jobRows(job: RunSettings, ds: BeatDataset): { trainRows: Int32Array; valRows: Int32Array; testRows: Int32Array } {
  const trainBeats = job.trainBeats ?? (job.quick ? QUICK.trainBeats : undefined);
  const valBeats = job.valBeats ?? (job.quick ? QUICK.valBeats : undefined);
  return {
    trainRows: trainBeats ? stratifiedSubset(ds.y, ds.split.train, trainBeats, 1) : ds.split.train,
    valRows: valBeats ? stratifiedSubset(ds.y, ds.split.val, valBeats, 2) : ds.split.val,
    testRows: job.testBeats ? stratifiedSubset(ds.y, ds.split.test, job.testBeats, 3) : ds.split.test,
  };
}

/**
 * A traditional classifier as a compare job: fitted on the same training rows (features: beat, RR and
 * morphology, standardised on those rows), evaluated on the same test rows, saved as `<name>.ecgc`.
 */
export function runClassicJob(given: TrainJob, inject: { dataset?: BeatDataset } = {}): JobResult {
  const job = { ...given, ...runSettings(given) };
  if (job.synthPremature) throw new Error(`--synth-premature trains neural models only; ${job.model} is a traditional classifier`);
  const ds = inject.dataset ?? loadDataset(job.protocol, jobDatasetOptions(job)).dataset;
  const { trainRows, valRows, testRows } = jobRows(job, ds);
  const run = runClassic(job.model, ds, {
    rows: { train: trainRows, test: testRows }, splits: ['test'], features: job.classicFeatures, params: job.classicParams?.[job.model], trainSymbols: trainSymbolsOf(job.trainLabels),
  });
  const features = featureGroupsName(job.classicFeatures);
  const bytes = encodeClassifier(run.model, {
    scaler: run.scaler,
    meta: { protocol: job.protocol, classes: ds.classes, features, ...datasetMeta(ds.options), ...(job.trainLabels ? { trainLabels: job.trainLabels } : {}) },
  });
  const tag = jobTag(job);
  atomicWrite(join(job.outDir, `${tag}.ecgc`), bytes);
  const test = run.test!;
  const row = reportRow({
    name: tag, kind: 'classic', params: Math.round(bytes.length / 4), sizeKB: bytes.length / 1024,
    trainSeconds: run.trainSeconds, inferMsPerBeat: test.msPerBeat,
    report: classificationReport(Int32Array.from(testRows, (i) => ds.y[i]!), test.pred, ds.classes), protocol: job.protocol,
    file: `${tag}.ecgc`, notes: `${run.label}; features ${features}${job.classicParams?.[job.model] ? `; ${JSON.stringify(job.classicParams[job.model])}` : ''}${job.trainLabels ? `; training labels ${job.trainLabels}` : ''}`,
  });
  return {
    row, beats: { train: trainRows.length, val: valRows.length, test: testRows.length }, recipe: null, classes: ds.classes,
    train: { history: [], bestEpoch: 0, bestValMacroF1: 0, epochsRun: 0, stoppedEarly: false, trainSeconds: run.trainSeconds, steps: 0, params: row.params },
  };
}

/** What a job's runner may be given besides the job: a loaded dataset, and the stop request of Ctrl-C / SIGTERM. */
export interface JobInject {
  dataset?: BeatDataset;
  /** Asked after every training batch: true stops the job after a checkpoint (TrainInterrupted). */
  shouldStop?: () => boolean;
}

/**
 * Runs one training job as `ecgrad train` and each worker of `ecgrad compare` do: loads the protocol's
 * dataset (cached), picks the rows, trains with the model's recipe (best model and checkpoint written
 * atomically into the run folder; resumes with job.resume), evaluates the selected weights on the test split,
 * and returns the report row. Classical classifiers are fitted instead.
 */
export function runTrainJob(given: TrainJob, onEvent: (e: TrainEvent) => void = () => {}, inject: JobInject = {}): JobResult {
  if (isClassic(given.model)) return runClassicJob(given, inject);
  const job = { ...given, ...runSettings(given) };
  modelSpec(job.model);
  const tag = jobTag(job);
  const ckptPath = checkpointFile(job.outDir, tag);
  let resume: Uint8Array | undefined;
  if (job.resume) {
    if (!existsSync(ckptPath)) throw new Error(`--resume: there is no checkpoint ${ckptPath} to resume (train without --resume to start afresh)`);
    resume = new Uint8Array(readFileSync(ckptPath));
  }
  // diskDataset: the training split streams from the folder `ecgrad dataset --out` wrote; validation and test are loaded.
  let trainStream: TrainStream | undefined, ds: BeatDataset;
  if (job.diskDataset) {
    if (job.trainBeats || job.quick) throw new Error('--dataset streams the whole training split of the folder: --train-beats and --quick do not apply (write a smaller dataset instead)');
    const disk = openDiskDataset(job.diskDataset);
    trainStream = disk.trainStream();
    ds = disk.evalDataset();
  } else ds = inject.dataset ?? loadDataset(job.protocol, jobDatasetOptions(job)).dataset;
  let { trainRows, valRows, testRows } = jobRows(job, ds);
  if (job.synthPremature) {
    if (trainStream) throw new Error('--synth-premature adds beats to an in-memory training split: it does not apply to --dataset (a streamed folder)');
    ({ dataset: ds, trainRows } = withPrematureBeats(ds, trainRows, job.synthPremature, job.seed));
  }
  const recipe = jobRecipe(job);
  const input: ModelInput = {
    length: ds.length, channels: ds.channels, classes: ds.classes.length, rrFeatures: job.rr ? ds.rrFeatures.length : 0, fs: ds.fs, seed: job.seed,
  };
  const file = modelFile(job.outDir, tag);
  const emit = tag === job.model ? onEvent : (e: TrainEvent) => onEvent({ ...e, model: tag });
  const result = train(
    { ...trainSettings(job), epochs: undefined, batchSize: undefined, lr: undefined, model: job.model, input, recipe, ...(job.synthPremature ? { meta: { synthPremature: job.synthPremature } } : {}) },
    { dataset: ds, trainRows, valRows, ...(trainStream ? { trainStream } : {}) },
    { onEvent: emit, writeBest: (b) => atomicWrite(file, b), writeCheckpoint: (b) => atomicWrite(ckptPath, b), shouldStop: inject.shouldStop },
    resume,
  );
  const ev = evaluate(result.model, ds, testRows, { useRR: job.rr });
  const { model, ...rest } = result;
  const row: ReportRow = {
    name: tag,
    kind: 'neural',
    params: result.params,
    sizeKB: (result.params * 4) / 1024,
    trainSeconds: result.trainSeconds,
    inferMsPerBeat: ev.inferMsPerBeat,
    metrics: {
      n: ev.n, accuracy: ev.report.accuracy, macroF1: ev.report.macroF1, weightedF1: ev.report.weightedF1, classes: ev.report.classes,
      perClass: ev.report.perClass, confusion: ev.report.confusion, ...(ev.aami ? { aami: ev.aami } : {}),
    },
    history: result.history,
    bestEpoch: result.bestEpoch,
    epochsRun: result.epochsRun,
    stoppedEarly: result.stoppedEarly,
    file: `${tag}.ecgm`,
  };
  void model;
  return { row, beats: { train: trainStream ? trainStream.beats : trainRows.length, val: valRows.length, test: testRows.length }, recipe, classes: ds.classes, train: rest };
}
