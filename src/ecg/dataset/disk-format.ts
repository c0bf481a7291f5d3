// The on-disk (out-of-core) beat dataset: a folder holding a manifest and chunk files, each a framed
// container (src/core/container.ts: magic, JSON header, data, CRC-32), so a dataset larger than memory
// is read one chunk at a time (src/node/disk-dataset.ts). Browser-safe: bytes in, bytes out.
//   manifest.ecgd   magic "ECGDSMAN", header only (no data): the dataset's shape (classes, channels,
//                   length, fs, RR feature names, records, split seed, dataset options as model files
//                   record them) and per split (train, val, test) its beat count, class counts and the
//                   beat count of each chunk;
//   <split>-<i>.ecgb  magic "ECGDSCHK", one chunk of a split, i = 0, 1, ... (6 digits): header
//                   {split, index, beats, channels, length, rrFeatures, classes, records}; data, little-
//                   endian, 4-byte aligned: x f32[beats·channels·length], rr f32[beats·rrFeatures],
//                   y i32[beats], record i32[beats], sample i32[beats].
// A chunk's header must equal what the manifest says of it, and every header field is checked before
// anything is allocated (at most MAX_CHUNK_BYTES per chunk); y and record indices are range-checked.
// The writer puts the training beats in a seeded random order (not record by record), so every chunk is
// a sample of all training records and a bounded shuffle buffer mixes well (see disk-dataset.ts).
import { isCount, isJsonObject, packContainer, unpackContainer } from '../../core/container.ts';
import { datasetOptionsOf, type DatasetMetaOptions } from './dataset-meta.ts';

export const MANIFEST_FILE = 'manifest.ecgd';
export const SPLITS = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];
/** The largest chunk this ecgrad reads (bounded memory: a hostile header cannot ask for more). */
export const MAX_CHUNK_BYTES = 256 * 2 ** 20;

/** Thrown for a damaged or foreign manifest or chunk; the message names the file. */
export class DiskDatasetError extends Error {
  constructor(source: string, message: string) {
    super(`disk dataset ${source}: ${message}`);
    this.name = 'DiskDatasetError';
  }
}

export interface SplitManifest {
  beats: number;
  /** Beats of each class (indices into classes). */
  classCounts: number[];
  /** Beats of each chunk, in file order. */
  chunks: number[];
}

export interface DiskManifest {
  format: 'ecgrad-disk-dataset';
  version: 1;
  protocol: string;
  /** Seed of the protocol's split. */
  seed: number;
  classes: string[];
  channels: number;
  length: number;
  fs: number;
  rrFeatures: string[];
  records: string[];
  /** The dataset options as model files record them (datasetMeta). */
  meta: Record<string, unknown>;
  /** The most beats of a chunk. */
  chunkBeats: number;
  /** Seed of the order the training beats were written in. */
  orderSeed: number;
  splits: Record<SplitName, SplitManifest>;
}

export interface ChunkHeader {
  format: 'ecgrad-disk-dataset-chunk';
  version: 1;
  split: SplitName;
  index: number;
  beats: number;
  channels: number;
  length: number;
  rrFeatures: number;
  classes: number;
  records: number;
}

export interface Chunk {
  x: Float32Array;
  rr: Float32Array;
  y: Int32Array;
  record: Int32Array;
  sample: Int32Array;
}

export const chunkFile = (split: SplitName, index: number) => `${split}-${String(index).padStart(6, '0')}.ecgb`;

/** Bytes of a chunk's data section. */
export const chunkDataBytes = (beats: number, channels: number, length: number, rrFeatures: number) => 4 * beats * (channels * length + rrFeatures + 3);

export function encodeManifest(m: DiskManifest): Uint8Array {
  return packContainer('ECGDSMAN', m, 0, () => {});
}

const isNames = (v: unknown, max: number) => Array.isArray(v) && v.length <= max && v.every((s) => typeof s === 'string' && s.length <= 256);

/** The manifest's header, checked; `options` are its dataset options (meta) as the dataset's options. */
export function decodeManifest(bytes: Uint8Array, source: string): DiskManifest & { options: DatasetMetaOptions } {
  const fail = (m: string) => new DiskDatasetError(source, m);
  const { header } = unpackContainer<DiskManifest>(bytes, {
    magic: 'ECGDSMAN', what: 'disk dataset manifest', fail, format: 'ecgrad-disk-dataset', version: 1,
    dataBytes: (h) => {
      if (!isJsonObject(h)) throw fail('the header is not an object');
      if (typeof h.protocol !== 'string') throw fail('header field "protocol" is not a string');
      if (!isCount(h.seed) || !isCount(h.orderSeed)) throw fail('header fields "seed" and "orderSeed" must be non-negative integers');
      if (!isNames(h.classes, 64) || h.classes.length < 2) throw fail('header field "classes" must list 2 to 64 class names');
      if (!isNames(h.rrFeatures, 256)) throw fail('header field "rrFeatures" must list at most 256 feature names');
      if (!isNames(h.records, 1e6)) throw fail('header field "records" must be a list of record names');
      for (const k of ['channels', 'length', 'chunkBeats'] as const) if (!isCount(h[k]) || h[k] < 1) throw fail(`header field "${k}" must be a positive integer, got ${JSON.stringify(h[k])}`);
      if (h.channels * h.length > 2 ** 20) throw fail(`a beat of ${h.channels} x ${h.length} samples is larger than this ecgrad reads (2^20)`);
      if (chunkDataBytes(h.chunkBeats, h.channels, h.length, h.rrFeatures.length) > MAX_CHUNK_BYTES)
        throw fail(`chunks of ${h.chunkBeats} beats would exceed ${MAX_CHUNK_BYTES / 2 ** 20} MiB; write smaller chunks (ecgrad dataset --chunk-beats)`);
      if (!(typeof h.fs === 'number' && Number.isFinite(h.fs) && h.fs > 0)) throw fail('header field "fs" must be a positive number');
      if (!isJsonObject(h.meta)) throw fail('header field "meta" is not an object');
      try {
        datasetOptionsOf(h.meta);
      } catch (e) {
        throw fail(`header field "meta": ${(e as Error).message.replace("the model file's metadata", 'it')}`);
      }
      if (!isJsonObject(h.splits)) throw fail('header field "splits" is not an object');
      for (const name of SPLITS) {
        const s = h.splits[name] as unknown as Record<string, unknown>;
        if (!isJsonObject(s)) throw fail(`split "${name}" is missing`);
        if (!isCount(s.beats)) throw fail(`split "${name}": "beats" is not a count`);
        const counts = s.classCounts, chunks = s.chunks;
        if (!Array.isArray(counts) || counts.length !== h.classes.length || !counts.every(isCount)) throw fail(`split "${name}": "classCounts" must hold one count per class`);
        if (counts.reduce((a: number, b: number) => a + b, 0) !== s.beats) throw fail(`split "${name}": the class counts do not add up to its ${s.beats} beats`);
        if (!Array.isArray(chunks) || !chunks.every((c) => isCount(c) && c >= 1 && c <= h.chunkBeats)) throw fail(`split "${name}": "chunks" must list each chunk's beats (1..${h.chunkBeats})`);
        if (chunks.reduce((a: number, b: number) => a + b, 0) !== s.beats) throw fail(`split "${name}": its chunks hold ${chunks.reduce((a: number, b: number) => a + b, 0)} beats, not ${s.beats}`);
      }
      return 0;
    },
  });
  return { ...header, options: datasetOptionsOf(header.meta) };
}

export function encodeChunk(h: Omit<ChunkHeader, 'format' | 'version'>, c: Chunk): Uint8Array {
  const n = h.beats, w = h.channels * h.length, R = h.rrFeatures;
  return packContainer('ECGDSCHK', { format: 'ecgrad-disk-dataset-chunk', version: 1, ...h }, chunkDataBytes(n, h.channels, h.length, R), (_view, out, start) => {
    let at = start;
    for (const a of [c.x.subarray(0, n * w), c.rr.subarray(0, n * R), c.y.subarray(0, n), c.record.subarray(0, n), c.sample.subarray(0, n)]) {
      out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      at += a.byteLength;
    }
  });
}

/** Decodes a chunk whose header must equal `expect` (what the manifest says of it); `crc32`: a faster CRC-32 (ContainerSpec). */
export function decodeChunk(bytes: Uint8Array, source: string, expect: Omit<ChunkHeader, 'format' | 'version'>, crc32?: (bytes: Uint8Array) => number): Chunk {
  const fail = (m: string) => new DiskDatasetError(source, m);
  const { start } = unpackContainer<ChunkHeader>(bytes, {
    magic: 'ECGDSCHK', what: 'disk dataset chunk', fail, format: 'ecgrad-disk-dataset-chunk', version: 1, crc32,
    dataBytes: (h) => {
      if (!isJsonObject(h)) throw fail('the header is not an object');
      for (const k of Object.keys(expect) as (keyof typeof expect)[]) {
        if (h[k] !== expect[k]) throw fail(`header field "${k}" is ${JSON.stringify(h[k])}, but the manifest says ${JSON.stringify(expect[k])}; the folder mixes files of different datasets or is damaged: write it again (ecgrad dataset --out)`);
      }
      return chunkDataBytes(expect.beats, expect.channels, expect.length, expect.rrFeatures);
    },
  });
  const n = expect.beats, w = expect.channels * expect.length, R = expect.rrFeatures;
  // Copies (the data need not be 4-byte aligned in the given buffer).
  let at = bytes.byteOffset + start;
  const take = <T extends Float32Array | Int32Array>(Kind: new (b: ArrayBuffer) => T, count: number): T => {
    const a = new Kind(bytes.buffer.slice(at, at + 4 * count) as ArrayBuffer);
    at += 4 * count;
    return a;
  };
  const c: Chunk = { x: take(Float32Array, n * w), rr: take(Float32Array, n * R), y: take(Int32Array, n), record: take(Int32Array, n), sample: take(Int32Array, n) };
  for (let i = 0; i < n; i++) {
    if (!(c.y[i]! >= 0 && c.y[i]! < expect.classes)) throw fail(`beat ${i} has class index ${c.y[i]}, but there are ${expect.classes} classes`);
    if (!(c.record[i]! >= 0 && c.record[i]! < expect.records)) throw fail(`beat ${i} has record index ${c.record[i]}, but there are ${expect.records} records`);
  }
  return c;
}
