// The out-of-core beat dataset on disk (format: src/ecg/dataset/disk-format.ts): written by `ecgrad
// dataset --out <dir>` from a loaded dataset, read lazily one chunk at a time.
//
// Training streams the training split with bounded memory, seeded and deterministic (TrainStream):
//   1. at write time the training beats are put in a seeded random order (orderSeed) and cut into
//      chunks of chunkBeats, so each chunk samples every training record;
//   2. each epoch permutes the chunk order with Rng(epochSeed);
//   3. a shuffle buffer of `bufferChunks` consecutive chunks of that order (default 4) is read and its
//      beats permuted with Rng(mixSeed(epochSeed, group)); batches are cut from the buffers in turn.
// Memory: one buffer (bufferChunks chunks) plus one batch, whatever the dataset's size. The same seed
// gives the same batches, so the same model file; a resumed epoch skips its first beats, reading no
// chunk whose beats are all skipped. The validation and test splits are loaded into memory (evalDataset),
// as the trainer validates on them every epoch.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as zlib from 'node:zlib';
import { Rng } from '../core/random.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import type { Batch } from '../ecg/dataset/batches.ts';
import { datasetMeta } from '../ecg/dataset/dataset-meta.ts';
import {
  type Chunk, chunkDataBytes, chunkFile, decodeChunk, decodeManifest, type DiskManifest, DiskDatasetError, encodeChunk, encodeManifest, MANIFEST_FILE, SPLITS, type SplitName,
} from '../ecg/dataset/disk-format.ts';
import type { TrainStream } from '../train/trainer.ts';
import { mixSeed } from '../train/seeds.ts';
import { atomicWrite } from './train/files.ts';

export { DiskDatasetError } from '../ecg/dataset/disk-format.ts';

/** Node's native CRC-32 (zlib.crc32, Node >= 20.15), 7x the JavaScript table loop on 60 MB; undefined before it. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export interface WriteOptions {
  /** Beats per chunk (default 4096: 3.1 MiB for the default 187-sample window). */
  chunkBeats?: number;
  /** Seed of the training beats' order on disk (default 0). */
  orderSeed?: number;
}

/** Writes `ds` into the folder `dir` (which must not exist or be empty), via a temporary folder renamed into place. Returns the bytes written. */
export function writeDiskDataset(dir: string, ds: BeatDataset, opts: WriteOptions = {}): { bytes: number; files: number } {
  const out = resolve(dir);
  const chunkBeats = opts.chunkBeats ?? 4096, orderSeed = opts.orderSeed ?? 0;
  if (!(Number.isInteger(chunkBeats) && chunkBeats >= 1)) throw new RangeError(`dataset --chunk-beats must be a positive integer, got ${chunkBeats}`);
  if (existsSync(out) && readdirSync(out).length) throw new DiskDatasetError(out, 'the folder exists and is not empty; choose a new --out');
  const tmp = join(dirname(out), `.${basename(out)}.writing-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const w = ds.channels * ds.length, R = ds.rrFeatures.length;
  let bytes = 0, files = 0;
  const splits = {} as DiskManifest['splits'];
  try {
    for (const split of SPLITS) {
      const rows = Int32Array.from(ds.split[split]);
      if (split === 'train') new Rng(orderSeed).shuffle(rows);
      const chunks: number[] = [];
      const classCounts = new Array<number>(ds.classes.length).fill(0);
      for (let s = 0; s < rows.length; s += chunkBeats) {
        const part = rows.subarray(s, Math.min(rows.length, s + chunkBeats));
        const n = part.length;
        const c: Chunk = { x: new Float32Array(n * w), rr: new Float32Array(n * R), y: new Int32Array(n), record: new Int32Array(n), sample: new Int32Array(n) };
        part.forEach((i, k) => {
          c.x.set(ds.x.subarray(i * w, (i + 1) * w), k * w);
          c.rr.set(ds.rr.subarray(i * R, (i + 1) * R), k * R);
          c.y[k] = ds.y[i]!;
          c.record[k] = ds.record[i]!;
          c.sample[k] = ds.sample[i]!;
          classCounts[ds.y[i]!]!++;
        });
        const b = encodeChunk({ split, index: chunks.length, beats: n, channels: ds.channels, length: ds.length, rrFeatures: R, classes: ds.classes.length, records: ds.records.length }, c);
        atomicWrite(join(tmp, chunkFile(split, chunks.length)), b);
        bytes += b.length;
        files++;
        chunks.push(n);
      }
      splits[split] = { beats: rows.length, classCounts, chunks };
    }
    const manifest: DiskManifest = {
      format: 'ecgrad-disk-dataset', version: 1, protocol: ds.protocol, seed: ds.seed, classes: ds.classes.slice(), channels: ds.channels, length: ds.length, fs: ds.fs,
      rrFeatures: ds.rrFeatures.slice(), records: ds.records.slice(), meta: datasetMeta(ds.options), chunkBeats, orderSeed, splits,
    };
    const m = encodeManifest(manifest);
    atomicWrite(join(tmp, MANIFEST_FILE), m);
    bytes += m.length;
    files++;
    if (existsSync(out)) rmSync(out, { recursive: true });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { bytes, files };
}

/** The most bytes of validation and test beats evalDataset loads into memory. */
export const MAX_EVAL_BYTES = 2 * 2 ** 30;

/** An opened disk dataset: its manifest, a chunk reader, the training stream and the in-memory evaluation splits. */
export interface DiskDataset {
  dir: string;
  manifest: DiskManifest;
  readChunk(split: SplitName, index: number): Chunk;
  /** The training split as a stream of shuffled batches (see the header). */
  trainStream(opts?: { bufferChunks?: number }): TrainStream;
  /** The validation and test splits in memory, as a BeatDataset whose training split is empty. */
  evalDataset(): BeatDataset;
}

/** Opens the folder written by writeDiskDataset (reads and checks only the manifest). */
export function openDiskDataset(dir: string): DiskDataset {
  const root = resolve(dir);
  const path = join(root, MANIFEST_FILE);
  if (!existsSync(path)) throw new DiskDatasetError(root, `no ${MANIFEST_FILE}: not a dataset folder written by \`ecgrad dataset --out\``);
  const b = readFileSync(path);
  const { options, ...manifest } = decodeManifest(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), path);
  const m = manifest;
  // One read buffer, reused (a chunk is decoded into fresh arrays), so reading allocates no file-sized buffers.
  let buffer = new Uint8Array(0);
  const maxBytes = 2 ** 20 + chunkDataBytes(m.chunkBeats, m.channels, m.length, m.rrFeatures.length);
  const readChunk = (split: SplitName, index: number): Chunk => {
    const beats = m.splits[split].chunks[index];
    if (beats === undefined) throw new RangeError(`readChunk: split ${split} has ${m.splits[split].chunks.length} chunks, not ${index + 1}`);
    const file = join(root, chunkFile(split, index));
    if (!existsSync(file)) throw new DiskDatasetError(file, 'the chunk is missing; the folder is incomplete: write it again (ecgrad dataset --out)');
    const fd = openSync(file, 'r');
    let size: number;
    try {
      size = fstatSync(fd).size;
      if (size > maxBytes) throw new DiskDatasetError(file, `${size} bytes, more than a chunk of the manifest's ${m.chunkBeats} beats can hold; the folder is damaged: write it again`);
      if (buffer.length < size) buffer = new Uint8Array(size);
      let at = 0;
      while (at < size) {
        const got = readSync(fd, buffer, at, size - at, at);
        if (got === 0) break;
        at += got;
      }
      size = at;
    } finally {
      closeSync(fd);
    }
    return decodeChunk(buffer.subarray(0, size), file, {
      split, index, beats, channels: m.channels, length: m.length, rrFeatures: m.rrFeatures.length, classes: m.classes.length, records: m.records.length,
    }, nativeCrc32);
  };
  return {
    dir: root, manifest, readChunk,
    trainStream: (opts = {}) => diskTrainStream(m, readChunk, opts.bufferChunks ?? 4),
    evalDataset() {
      const w = m.channels * m.length, R = m.rrFeatures.length;
      const nv = m.splits.val.beats, n = nv + m.splits.test.beats;
      // Before allocating: within the bound, and every chunk on disk at least as large as its data.
      const bytes = chunkDataBytes(n, m.channels, m.length, R);
      if (bytes > MAX_EVAL_BYTES) throw new DiskDatasetError(path, `the validation and test splits (${(bytes / 2 ** 30).toFixed(1)} GiB) are loaded into memory, and this ecgrad loads at most ${MAX_EVAL_BYTES / 2 ** 30} GiB of them; write the dataset with smaller validation and test splits`);
      for (const split of ['val', 'test'] as const) {
        m.splits[split].chunks.forEach((beats, i) => {
          const file = join(root, chunkFile(split, i));
          const size = existsSync(file) ? statSync(file).size : -1;
          if (size < 16 + chunkDataBytes(beats, m.channels, m.length, R)) throw new DiskDatasetError(file, size < 0 ? 'the chunk is missing; the folder is incomplete: write it again (ecgrad dataset --out)' : `${size} bytes, too few for its ${beats} beats; the folder is damaged: write it again`);
        });
      }
      const ds: BeatDataset = {
        protocol: m.protocol, seed: m.seed, classes: m.classes.slice(), x: new Float32Array(n * w), channels: m.channels, length: m.length, fs: m.fs,
        rr: new Float32Array(n * R), rrFeatures: m.rrFeatures.slice(), y: new Int32Array(n), records: m.records.slice(), record: new Int32Array(n), sample: new Int32Array(n),
        symbol: new Array<string>(n).fill(''),
        split: { train: new Int32Array(0), val: Int32Array.from({ length: nv }, (_, i) => i), test: Int32Array.from({ length: n - nv }, (_, i) => nv + i) },
        options,
      };
      let at = 0;
      for (const split of ['val', 'test'] as const) {
        m.splits[split].chunks.forEach((_, i) => {
          const c = readChunk(split, i);
          ds.x.set(c.x, at * w);
          ds.rr.set(c.rr, at * R);
          ds.y.set(c.y, at);
          ds.record.set(c.record, at);
          ds.sample.set(c.sample, at);
          at += c.y.length;
        });
      }
      return ds;
    },
  };
}

function diskTrainStream(m: DiskManifest, readChunk: (split: SplitName, index: number) => Chunk, bufferChunks: number): TrainStream {
  if (!(Number.isInteger(bufferChunks) && bufferChunks >= 1)) throw new RangeError(`trainStream: bufferChunks must be a positive integer, got ${bufferChunks}`);
  const sizes = m.splits.train.chunks;
  const w = m.channels * m.length, R = m.rrFeatures.length;
  const start = new Float64Array(sizes.length); // each chunk's first beat in the split
  for (let c = 1; c < sizes.length; c++) start[c] = start[c - 1]! + sizes[c - 1]!;
  return {
    beats: m.splits.train.beats,
    classCounts: m.splits.train.classCounts.slice(),
    key: `disk:${m.protocol}:${m.orderSeed}:${m.chunkBeats}:${sizes.length}:${m.splits.train.beats}:${m.splits.train.classCounts.join(',')}`,
    *epoch(seed: number, batchSize: number, skip: number): Generator<Batch> {
      if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`trainStream: batchSize must be a positive integer, got ${batchSize}`);
      const order = new Rng(seed).shuffle(Int32Array.from(sizes.keys())) as Int32Array;
      let pos = 0, fill = 0;
      let x = new Float32Array(batchSize * w), rr = new Float32Array(batchSize * R), y = new Int32Array(batchSize), index = new Int32Array(batchSize);
      for (let g = 0; g * bufferChunks < order.length; g++) {
        const group = order.subarray(g * bufferChunks, (g + 1) * bufferChunks);
        const groupBeats = group.reduce((a, c) => a + sizes[c]!, 0);
        if (pos + groupBeats <= skip) {
          pos += groupBeats;
          continue;
        }
        const chunks = Array.from(group, (c) => readChunk('train', c));
        const first: number[] = []; // each chunk's first beat in the buffer
        const base = Array.from(group, (c) => start[c]!); // and its first beat in the split
        let off = 0;
        for (const c of group) {
          first.push(off);
          off += sizes[c]!;
        }
        const perm = new Rng(mixSeed(seed, g)).shuffle(Int32Array.from({ length: groupBeats }, (_, i) => i)) as Int32Array;
        for (let k = 0; k < groupBeats; k++, pos++) {
          if (pos < skip) continue;
          const i = perm[k]!;
          let c = chunks.length - 1;
          while (first[c]! > i) c--;
          const j = i - first[c]!, chunk = chunks[c]!;
          x.set(chunk.x.subarray(j * w, (j + 1) * w), fill * w);
          rr.set(chunk.rr.subarray(j * R, (j + 1) * R), fill * R);
          y[fill] = chunk.y[j]!;
          index[fill] = base[c]! + j;
          if (++fill === batchSize) {
            yield { x, rr, y, index };
            x = new Float32Array(batchSize * w);
            rr = new Float32Array(batchSize * R);
            y = new Int32Array(batchSize);
            index = new Int32Array(batchSize);
            fill = 0;
          }
        }
      }
      if (fill) yield { x: x.slice(0, fill * w), rr: rr.slice(0, fill * R), y: y.slice(0, fill), index: index.slice(0, fill) };
    },
  };
}
