// Leave-one-record-out cross-validation of a classifier over a set of records (for the inter-patient
// protocol: the training records DS1, so that a configuration can be chosen without the test records).
// For each record, the classifier is fitted on the others (features standardised on them) and predicts
// the held-out record's beats; the class probabilities of all folds are pooled. A fold whose training
// records lack a class is skipped and named (its beats are left out of the pool).
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import { weightedArgmax } from './decision.ts';
import { type FeatureOptions, StandardScaler, buildFeatures } from './features.ts';
import type { Matrix } from './matrix.ts';
import { createClassifier } from './registry.ts';

type CvDataset = Pick<BeatDataset, 'x' | 'rr' | 'rrFeatures' | 'channels' | 'length' | 'fs' | 'y' | 'classes' | 'records' | 'record'>;

/** Options of recordCrossValidation: hyperparameters, features and a per-fold callback. */
export interface RecordCvOptions {
  params?: Record<string, unknown>;
  features?: FeatureOptions;
  /** Called after each fold with the record name and whether it was skipped. */
  onFold?: (record: string, skipped: boolean) => void;
}

/**
 * The pooled held-out predictions of a leave-one-record-out cross-validation: rows, true classes, held-out
 * records, class probabilities, and the records whose fold was skipped.
 */
export interface RecordCvResult {
  /** Dataset rows in pooled order, their true class and held-out record. */
  rows: Int32Array;
  y: Int32Array;
  heldOut: string[];
  /** Pooled held-out class probabilities, rows.length x classes. */
  proba: Matrix;
  /** Records whose fold was skipped (the others lacked a class). */
  skipped: string[];
}

/** Leave-one-record-out over `records` (names in ds.records) for classifier `name`. */
export function recordCrossValidation(ds: CvDataset, records: readonly string[], name: string, opts: RecordCvOptions = {}): RecordCvResult {
  const K = ds.classes.length;
  const byRecord = new Map<string, number[]>(records.map((r) => [r, []]));
  for (const r of records) if (!ds.records.includes(r)) throw new RangeError(`recordCrossValidation: record ${r} is not in the dataset (records: ${ds.records.join(', ')})`);
  if (records.length < 2) throw new RangeError('recordCrossValidation: needs at least 2 records');
  for (let i = 0; i < ds.y.length; i++) byRecord.get(ds.records[ds.record[i]!]!)?.push(i);
  const rows: number[] = [], heldOut: string[] = [], proba: number[] = [], skipped: string[] = [];
  for (const held of records) {
    const test = byRecord.get(held)!;
    if (!test.length) continue;
    const train = records.filter((r) => r !== held).flatMap((r) => byRecord.get(r)!);
    const ytr = Int32Array.from(train, (i) => ds.y[i]!);
    if (new Set(ytr).size < K) {
      skipped.push(held);
      opts.onFold?.(held, true);
      continue;
    }
    const scaler = new StandardScaler();
    const model = createClassifier(name, opts.params ?? {});
    if (!model.predictProba) throw new RangeError(`recordCrossValidation: a ${name} classifier gives no class probabilities`);
    model.fit(scaler.fitTransform(buildFeatures(ds, train, opts.features)), ytr, { nClasses: K });
    const p = model.predictProba(scaler.transform(buildFeatures(ds, test, opts.features)));
    for (const i of test) { rows.push(i); heldOut.push(held); }
    for (let j = 0; j < p.data.length; j++) proba.push(p.data[j]!);
    opts.onFold?.(held, false);
  }
  return {
    rows: Int32Array.from(rows), y: Int32Array.from(rows, (i) => ds.y[i]!), heldOut,
    proba: { data: Float32Array.from(proba), rows: rows.length, cols: K }, skipped,
  };
}

/** The pooled predictions under per-class decision weights (all 1: the most probable class). */
export function cvPredictions(cv: RecordCvResult, weights: ArrayLike<number>): Int32Array {
  return weightedArgmax(cv.proba, weights);
}
