// Messages between the demo page and its worker.
import type { Figures } from './learn.ts';

export type ToWorker =
  | { type: 'init'; build: 'auto' | 'simd' | 'scalar' }
  | { type: 'model'; bytes: ArrayBuffer; name: string }
  | { type: 'record'; files: { name: string; bytes: ArrayBuffer }[] }
  | { type: 'synthetic' }
  | { type: 'explain'; index: number; method: 'gradcam' | 'ig' }
  /** Personalise the loaded model on the annotated beats of the first `minutes`, then re-classify the rest. */
  | { type: 'learn'; minutes: number; steps: number }
  /** A replay bank (ecgrad replay-bank) for the loaded model: the learn step replays its beats. */
  | { type: 'replay'; bytes: ArrayBuffer; name: string };

/** The replay bank in use (the 'replay' message), as the worker checked it against the model. */
export interface ReplaySummary {
  name: string;
  protocol: string;
  /** Beats in the bank, and per class name. */
  count: number;
  counts: Record<string, number>;
  seed: number;
}

/** What the "learn this wearer" step did (the 'learned' message). */
export interface Learned {
  minutes: number;
  /** Index of the first beat after the cut: beats from it on were re-classified. */
  from: number;
  /** The personalised model's classes of beats from..end. */
  cls: Int32Array;
  /** The beats learned from (R peaks at the record's rate) and their labels (class indices). */
  learnSamples: Int32Array;
  learnLabels: Int32Array;
  /** From personalize()'s report. */
  counts: Record<string, number>;
  absentClasses: string[];
  steps: number;
  trainedParams: number;
  lossFirst: number;
  lossLast: number;
  seconds: number;
  /** The configuration used (PERSONALIZE_DEFAULTS with the chosen steps and replayBeats). */
  options: Record<string, unknown>;
  /** The replay bank replayed, or null (personalised without replay). */
  replay: ReplaySummary | null;
  /** The part after the cut, against the annotations: the global model's labels, then the personalised ones. */
  before: Figures;
  after: Figures;
  /** Beats after the cut whose label changed. */
  changed: number;
  /** The personalised model file (.ecgm). */
  bytes: ArrayBuffer;
}

export interface ModelSummary {
  name: string;
  arch: string;
  length: number;
  fs: number;
  rrFeatures: number;
  classes: string[];
  parameters: number;
  trained: boolean;
}

export type FromWorker =
  | { type: 'ready'; build: string; simdSupported: boolean; fallbackReason?: string }
  | { type: 'model'; model: ModelSummary; note?: string }
  | { type: 'progress'; done: number; total: number }
  | {
      type: 'record';
      name: string;
      fs: number;
      lead: string;
      /** The lead at its own rate (mV). */
      signal: Float32Array;
      sample: Int32Array;
      cls: Int32Array;
      /** beats x classes. */
      probs: Float32Array;
      counts: Record<string, number>;
      notes: string[];
      msPerBeat: { p50: number; p99: number };
      /** Reference beat annotations read with the record (0 without an annotation file). */
      annotated: number;
      /** Why "learn this wearer" cannot run on this record and model, or null when it can. */
      learnBlocked: string | null;
    }
  | { type: 'learn-progress'; step: number; steps: number; loss: number }
  /** The replay bank now in use (null: none; note says why a bank was dropped). */
  | { type: 'replay'; replay: ReplaySummary | null; note?: string }
  | ({ type: 'learned' } & Learned)
  | { type: 'explain'; index: number; method: string; window: Float32Array; values: Float32Array; cls: number; label: string }
  | { type: 'error'; stage: string; message: string };
