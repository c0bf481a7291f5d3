// Synthetic beat datasets for the disk-dataset tests: in memory (small), or written straight to disk
// chunk by chunk (large, without holding it in memory), with the format's own encoders.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/random.ts';
import type { BeatDataset } from '../../src/ecg/dataset/dataset.ts';
import { chunkFile, encodeChunk, encodeManifest, MANIFEST_FILE, SPLITS, type DiskManifest } from '../../src/ecg/dataset/disk-format.ts';
import { getProtocol } from '../../src/ecg/dataset/protocols.ts';

const CLASSES = getProtocol('intra').scheme.classes.slice();

/** A beat of class c: a bump whose position depends on the class, plus noise from a table (cheap, learnable). */
const NOISE = (() => {
  const rng = new Rng(99);
  return Float32Array.from({ length: 4099 }, () => 0.1 * rng.normal());
})();
function fillBeat(out: Float32Array, at: number, length: number, c: number, rng: Rng): void {
  const centre = ((c + 1) * length) / (CLASSES.length + 1);
  const from = rng.int(NOISE.length - length);
  for (let t = 0; t < length; t++) out[at + t] = (Math.abs(t - centre) < 6 ? 1 : 0) + NOISE[from + t]!;
}

/** An in-memory intra-shaped dataset of n beats (1 channel, `length` samples, 2 RR features), split 60 / 20 / 20. */
export function syntheticDataset(n: number, length = 32, seed = 1): BeatDataset {
  const rng = new Rng(seed);
  const R = 2;
  const x = new Float32Array(n * length), rr = new Float32Array(n * R), y = new Int32Array(n), record = new Int32Array(n), sample = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 7 === 0 ? 1 + (i % 3) : 0;
    fillBeat(x, i * length, length, y[i]!, rng);
    rr[i * R] = 0.8 + 0.1 * y[i]!;
    rr[i * R + 1] = rng.uniform();
    record[i] = i % 4;
    sample[i] = 100 * i;
  }
  const idx = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, k) => a + k);
  const a = Math.floor(0.6 * n), b = Math.floor(0.8 * n);
  return {
    protocol: 'intra', seed: 0, classes: CLASSES, x, channels: 1, length, fs: 125, rr, rrFeatures: ['preRR', 'postRR'], y, records: ['r0', 'r1', 'r2', 'r3'], record, sample,
    symbol: new Array<string>(n).fill('N'), split: { train: idx(0, a), val: idx(a, b), test: idx(b, n) }, options: {},
  };
}

/** Writes a dataset of `beats` per split straight to `dir`, chunk by chunk (never more than one chunk in memory). Returns its bytes. */
export function writeSyntheticDisk(dir: string, beats: Record<'train' | 'val' | 'test', number>, length: number, chunkBeats: number): number {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(7);
  let bytes = 0;
  const splits = {} as DiskManifest['splits'];
  for (const split of SPLITS) {
    const chunks: number[] = [];
    const classCounts = new Array<number>(CLASSES.length).fill(0);
    for (let s = 0; s < beats[split]; s += chunkBeats) {
      const n = Math.min(chunkBeats, beats[split] - s);
      const x = new Float32Array(n * length), y = new Int32Array(n);
      for (let k = 0; k < n; k++) {
        y[k] = (s + k) % 5 === 0 ? 1 + ((s + k) % 4) : 0;
        classCounts[y[k]!]!++;
        fillBeat(x, k * length, length, y[k]!, rng);
      }
      const b = encodeChunk({ split, index: chunks.length, beats: n, channels: 1, length, rrFeatures: 0, classes: CLASSES.length, records: 1 },
        { x, rr: new Float32Array(0), y, record: new Int32Array(n), sample: new Int32Array(n) });
      writeFileSync(join(dir, chunkFile(split, chunks.length)), b);
      bytes += b.length;
      chunks.push(n);
    }
    splits[split] = { beats: beats[split], classCounts, chunks };
  }
  const m = encodeManifest({
    format: 'ecgrad-disk-dataset', version: 1, protocol: 'intra', seed: 0, classes: CLASSES, channels: 1, length, fs: 125, rrFeatures: [], records: ['synthetic'], meta: {},
    chunkBeats, orderSeed: 0, splits,
  });
  writeFileSync(join(dir, MANIFEST_FILE), m);
  return bytes + m.length;
}
