// Messages between the demo page and its worker.

export type ToWorker =
  | { type: 'init'; build: 'auto' | 'simd' | 'scalar' }
  | { type: 'model'; bytes: ArrayBuffer; name: string }
  | { type: 'record'; files: { name: string; bytes: ArrayBuffer }[] }
  | { type: 'synthetic' }
  | { type: 'explain'; index: number; method: 'gradcam' | 'ig' };

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
    }
  | { type: 'explain'; index: number; method: string; window: Float32Array; values: Float32Array; cls: number; label: string }
  | { type: 'error'; stage: string; message: string };
