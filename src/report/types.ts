// The rows and the document of a run report (report.json). Rows are generic, so neural models (trained
// here) and traditional classifiers (src/classic, runClassic) share one table:
//   { name, kind: 'neural' | 'classic', params, sizeKB, trainSeconds, inferMsPerBeat, metrics }.
import type { ClassMetrics } from '../metrics/classification.ts';
import type { EpochRecord } from '../train/trainer.ts';

/**
 * The test metrics of a report row: beats, accuracy, F1s, per-class metrics, the confusion matrix and (inter
 * protocol) AAMI gross Se / +P.
 */
export interface RowMetrics {
  /** Beats evaluated (the test split unless the report says otherwise). */
  n: number;
  accuracy: number;
  macroF1: number;
  weightedF1: number;
  classes: string[];
  perClass: Record<string, ClassMetrics>;
  /** confusion[true][predicted]. */
  confusion: number[][];
  /** AAMI gross Se / +P (inter protocol). */
  aami?: Record<string, { se: number; ppv: number }>;
}

/**
 * One model of a run report: kind, parameters, size, training and inference time, metrics, and (neural
 * models) its history.
 */
export interface ReportRow {
  name: string;
  kind: 'neural' | 'classic';
  /** Trainable parameters (classic: the number of stored values of the fitted model, if meaningful). */
  params: number;
  /** Size of the model's float32 weights in KB (params · 4 / 1024) or of its stored form. */
  sizeKB: number;
  trainSeconds: number;
  inferMsPerBeat: number;
  metrics: RowMetrics;
  /** Neural rows: the per-epoch history (training loss, validation metrics). */
  history?: EpochRecord[];
  bestEpoch?: number;
  epochsRun?: number;
  stoppedEarly?: boolean;
  /** The model file in the run folder, if any. */
  file?: string;
  notes?: string;
}

/**
 * The report of a compare or train run (report.json): command, protocol, classes, beats per split, settings,
 * time and one row per model.
 */
export interface RunReport {
  tool: 'ecgrad';
  command: string;
  createdAt: string;
  protocol: string;
  classes: string[];
  /** Beats used from each split. */
  beats: { train: number; val: number; test: number };
  /** Training settings (epochs, batch size, seed, quick subset, ...). */
  settings: Record<string, unknown>;
  wallSeconds: number;
  workers?: number;
  rows: ReportRow[];
  /** SVG files of the run folder. */
  figures: string[];
  notes: string[];
  /** A seeded run (`compare --seeds`): each model's test metrics across its seeds (rows are per model and seed). */
  seedSummary?: SeedSummary[];
}

/** Mean, sample standard deviation (null with one value), min and max of a metric over the seeds. */
export interface Spread {
  mean: number;
  sd: number | null;
  min: number;
  max: number;
}

export interface SeedSummary {
  model: string;
  /** The seeds whose job finished, in the run's order. */
  seeds: number[];
  failedSeeds: number[];
  accuracy: Spread;
  macroF1: Spread;
  weightedF1: Spread;
}
