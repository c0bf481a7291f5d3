// The work both runtimes do in test/embed/workerd.test.ts, on whatever backend is initialised: load
// each model file, classify the fixed batch of beats, run the record pipeline (Pan-Tompkins, Kachuee
// windows, RR features, classification) on the signal, and classify again to see memory stay flat.
// Imports the package ('ecgrad/infer', dist/), as a user's worker does. Input and output cross HTTP:
// the input as one binary body (encodeInput), the output as JSON (float32 values are exact in JSON).
import { backendInfo, classifyRecordBatch, loadClassifier, memoryStats, type BackendInfo } from 'ecgrad/infer';

export interface JobInput {
  models: Record<string, Uint8Array>;
  /** n x 187 samples, and n x 6 RR features (each model takes the first of them it needs). */
  beats: Float32Array;
  rr: Float32Array;
  signal: Float32Array;
  fs: number;
}

export interface ModelOutput {
  classes: string[];
  fixed: { pred: number[]; probs: number[] };
  record: { sample: number[]; pred: number[]; probs: number[] };
  /** Live wasm bytes after each of 2 more classifications of the batch. */
  live: number[];
}

export interface JobOutput {
  info: BackendInfo;
  models: Record<string, ModelOutput>;
}

export function job(input: JobInput): JobOutput {
  const models: Record<string, ModelOutput> = {};
  const n = input.beats.length / 187;
  for (const [name, bytes] of Object.entries(input.models)) {
    const clf = loadClassifier(bytes, name);
    const R = clf.info.rrFeatures;
    const rr = new Float32Array(n * R);
    for (let i = 0; i < n; i++) rr.set(input.rr.subarray(i * 6, i * 6 + R), i * R);
    const fixed = clf.classify(input.beats, R ? rr : null);
    const record = classifyRecordBatch(clf, input.signal, input.fs);
    const live: number[] = [];
    for (let k = 0; k < 2; k++) {
      clf.classify(input.beats, R ? rr : null);
      live.push(memoryStats().liveBytes);
    }
    models[name] = {
      classes: clf.info.classes,
      fixed: { pred: Array.from(fixed.pred), probs: Array.from(fixed.probs) },
      record: { sample: Array.from(record.sample), pred: Array.from(record.pred), probs: Array.from(record.probs) },
      live,
    };
  }
  return { info: backendInfo(), models };
}

/** One body: a little-endian u32 header length, the JSON header, then each part padded to 4 bytes. */
export function encodeInput(input: JobInput): Uint8Array<ArrayBuffer> {
  const parts: [string, Uint8Array][] = [
    ...Object.entries(input.models).map(([k, v]): [string, Uint8Array] => [`model:${k}`, v]),
    ['beats', new Uint8Array(input.beats.buffer, input.beats.byteOffset, input.beats.byteLength)],
    ['rr', new Uint8Array(input.rr.buffer, input.rr.byteOffset, input.rr.byteLength)],
    ['signal', new Uint8Array(input.signal.buffer, input.signal.byteOffset, input.signal.byteLength)],
  ];
  const header = new TextEncoder().encode(JSON.stringify({ fs: input.fs, parts: parts.map(([k, v]) => [k, v.length]) }));
  const pad = (x: number) => Math.ceil(x / 4) * 4;
  const out = new Uint8Array(4 + pad(header.length) + parts.reduce((s, [, v]) => s + pad(v.length), 0));
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  let at = 4 + pad(header.length);
  for (const [, v] of parts) {
    out.set(v, at);
    at += pad(v.length);
  }
  return out;
}

export function decodeInput(body: Uint8Array): JobInput {
  const len = new DataView(body.buffer, body.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(body.subarray(4, 4 + len))) as { fs: number; parts: [string, number][] };
  const input: JobInput = { models: {}, beats: new Float32Array(0), rr: new Float32Array(0), signal: new Float32Array(0), fs: header.fs };
  let at = 4 + Math.ceil(len / 4) * 4;
  for (const [name, size] of header.parts) {
    const bytes = body.slice(at, at + size);
    at += Math.ceil(size / 4) * 4;
    if (name.startsWith('model:')) input.models[name.slice(6)] = bytes;
    else input[name as 'beats' | 'rr' | 'signal'] = new Float32Array(bytes.buffer);
  }
  return input;
}
