// The patient-adaptive protocol (AAMI EC57 practice; de Chazal & Reilly 2006, Kiranyaz et al. 2016): for
// each test record, the labelled beats of its first `minutes` minutes personalise a copy of the global
// model, and every later beat of the record is a test beat. The same test beats are predicted by the
// global model alone, so the gain is visible; the figures are the AAMI gross S and V Se / +P over all
// test periods, and per record the S and V beats found and the false calls. Browser-safe (the dataset
// and the model bytes are given); `ecgrad adaptive` (src/cli/adaptive.ts) runs it on MIT-BIH DS2.
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import { aamiGross, classificationReport } from '../metrics/classification.ts';
import { recordCounts, type RecordCounts } from '../metrics/by-record.ts';
import { modelFromBytes } from '../nn/model-file.ts';
import { predict } from './evaluate.ts';
import { personalize, type PersonalizeOptions, type PersonalizeReport } from './personalize.ts';
import { datasetBeats, splitAtMinutes } from './wearer.ts';

/**
 * A record's dataset rows split at the labelled minutes: the personalisation rows and the test rows after
 * them.
 */
export interface AdaptiveRows {
  record: string;
  /** Dataset rows of the record's first minutes (personalisation) and of the rest (test). */
  personal: Int32Array;
  test: Int32Array;
}

/** The personalisation and test rows of each named record of the dataset (R peaks at `recordFs`, 360 Hz for MIT-BIH). */
export function adaptiveRows(ds: BeatDataset, records: readonly string[], minutes = 5, recordFs = 360): AdaptiveRows[] {
  return records.map((name) => {
    const r = ds.records.indexOf(name);
    if (r < 0) throw new RangeError(`adaptive: record ${name} is not in the ${ds.protocol} dataset (records: ${ds.records.join(', ')})`);
    const rows: number[] = [];
    for (let i = 0; i < ds.record.length; i++) if (ds.record[i] === r) rows.push(i);
    const { first, rest } = splitAtMinutes(Int32Array.from(rows, (i) => ds.sample[i]!), recordFs, minutes);
    return { record: name, personal: Int32Array.from(first, (k) => rows[k]!), test: Int32Array.from(rest, (k) => rows[k]!) };
  });
}

/**
 * Scores of one model over the protocol's test beats: beats, accuracy, AAMI gross Se / +P per class and the
 * confusion matrix.
 */
export interface AdaptiveScores {
  beats: number;
  accuracy: number;
  aami: Record<string, { se: number; ppv: number }>;
  confusion: number[][];
}

/**
 * One record of the patient-adaptive protocol: its personalisation and test beats, the time taken, and the
 * global and personalised models' counts on its test beats.
 */
export interface AdaptiveRecord {
  record: string;
  personalBeats: number;
  /** The personalisation beats by class. */
  personalCounts: Record<string, number>;
  testBeats: number;
  /** Seconds to personalise this record's copy. */
  seconds: number;
  global: RecordCounts;
  personalized: RecordCounts;
  /** What personalize() reported (neural models). */
  report?: Omit<PersonalizeReport, 'options'>;
}

/**
 * The patient-adaptive protocol's result: per record, the AAMI gross scores of the global and personalised
 * models over all test periods, and every test beat's true class and both predictions.
 */
export interface AdaptiveResult {
  classes: string[];
  minutes: number;
  records: AdaptiveRecord[];
  global: AdaptiveScores;
  personalized: AdaptiveScores;
  /** Per test beat (records in order): true class, global and personalised predictions, record index into `names`. */
  y: Int32Array;
  predGlobal: Int32Array;
  predPersonal: Int32Array;
  record: Int32Array;
  names: string[];
}

function scores(y: Int32Array, pred: Int32Array, classes: string[]): AdaptiveScores {
  const rep = classificationReport(y, pred, classes);
  return { beats: y.length, accuracy: rep.accuracy, aami: aamiGross(rep), confusion: rep.confusion };
}

/** One record's predictions, as the adaptive runners produce them. */
export interface RecordPredictions {
  rows: AdaptiveRows;
  predGlobal: Int32Array;
  predPersonal: Int32Array;
  seconds: number;
  report?: Omit<PersonalizeReport, 'options'>;
}

/** Pools per-record predictions into the protocol's figures (shared by the neural and the classifier runners). */
export function adaptiveResult(ds: BeatDataset, parts: RecordPredictions[], minutes: number): AdaptiveResult {
  const n = parts.reduce((s, p) => s + p.rows.test.length, 0);
  const y = new Int32Array(n), g = new Int32Array(n), q = new Int32Array(n), rec = new Int32Array(n);
  const names = parts.map((p) => p.rows.record);
  let at = 0;
  parts.forEach((p, k) => {
    p.rows.test.forEach((i, j) => {
      y[at + j] = ds.y[i]!;
    });
    g.set(p.predGlobal, at);
    q.set(p.predPersonal, at);
    rec.fill(k, at, at + p.rows.test.length);
    at += p.rows.test.length;
  });
  const byG = recordCounts(y, g, rec, names, ds.classes), byP = recordCounts(y, q, rec, names, ds.classes);
  const zero = (record: string): RecordCounts => ({ record, beats: 0, found: { S: 0, V: 0 }, total: { S: 0, V: 0 }, falsePositive: { S: 0, V: 0 } });
  const records = parts.map((p) => {
    const counts = Object.fromEntries(ds.classes.map((c) => [c, 0]));
    for (const i of p.rows.personal) counts[ds.classes[ds.y[i]!]!]!++;
    return {
      record: p.rows.record, personalBeats: p.rows.personal.length, personalCounts: counts, testBeats: p.rows.test.length, seconds: p.seconds,
      global: byG.find((r) => r.record === p.rows.record) ?? zero(p.rows.record),
      personalized: byP.find((r) => r.record === p.rows.record) ?? zero(p.rows.record),
      ...(p.report ? { report: p.report } : {}),
    };
  });
  return { classes: ds.classes.slice(), minutes, records, global: scores(y, g, ds.classes), personalized: scores(y, q, ds.classes), y, predGlobal: g, predPersonal: q, record: rec, names };
}

/**
 * Options of runAdaptive: the labelled minutes per record, the records' rate, personalisation options, replay
 * rows and a per-record callback.
 */
export interface AdaptiveOptions {
  /** Labelled minutes at the start of each record (default 5). */
  minutes?: number;
  /** Sampling rate of the records' R-peak positions (default 360, MIT-BIH). */
  recordFs?: number;
  personalize?: PersonalizeOptions;
  /** Dataset rows (of the global model's training split) replayed during personalisation; none: no replay. */
  replayRows?: Int32Array | null;
  /** Called after each record. */
  onRecord?(r: RecordPredictions, index: number, total: number): void;
}

/**
 * Runs the adaptive protocol for a neural model file (`bytes`, trained on other records) over `records`
 * of `ds` (built with the model's dataset options). Each record gets its own copy of the global model.
 */
export function runAdaptive(bytes: Uint8Array, ds: BeatDataset, records: readonly string[], opts: AdaptiveOptions = {}): AdaptiveResult {
  const minutes = opts.minutes ?? 5;
  const { model: global, header } = modelFromBytes(bytes, '(adaptive)');
  const useRR = ((header.config as { rrFeatures?: number }).rrFeatures ?? 0) > 0;
  const replay = opts.replayRows && opts.replayRows.length ? datasetBeats(ds, opts.replayRows) : null;
  const rows = adaptiveRows(ds, records, minutes, opts.recordFs ?? 360);
  const parts: RecordPredictions[] = rows.map((r, k) => {
    const predGlobal = predict(global, ds, r.test, { useRR }).pred;
    const p = personalize(bytes, datasetBeats(ds, r.personal), { ...opts.personalize, replay });
    const predPersonal = predict(p.model, ds, r.test, { useRR }).pred;
    const { options: _o, ...report } = p.report;
    const part = { rows: r, predGlobal, predPersonal, seconds: p.report.seconds, report };
    opts.onRecord?.(part, k, rows.length);
    return part;
  });
  return adaptiveResult(ds, parts, minutes);
}
