// Mini-batches of a dataset split, shuffled from a seed: each batch copies its rows into fresh
// Float32Array / Int32Array buffers (x: batch x channels x length, rr: batch x features, y: batch).
import { Rng } from '../../core/random.ts';
import type { BeatDataset } from './dataset.ts';

/**
 * One mini-batch, copied into fresh buffers: beats x [batch, channels, length], RR features rr [batch,
 * features], labels y and the dataset rows they came from.
 */
export interface Batch {
  x: Float32Array;
  rr: Float32Array;
  y: Int32Array;
  /** Row indices of the dataset in this batch. */
  index: Int32Array;
}

/**
 * Iterates over `rows` (a split, e.g. ds.split.train) in batches of `batchSize`, shuffled by `seed`
 * (pass seed = null for the original order). The last batch may be smaller.
 */
export function* batches(ds: BeatDataset, rows: Int32Array, batchSize: number, seed: number | null = 0): Generator<Batch> {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`batches: batchSize must be a positive integer, got ${batchSize}`);
  const order = Int32Array.from(rows);
  if (seed !== null) new Rng(seed).shuffle(order);
  const w = ds.channels * ds.length, f = ds.rrFeatures.length;
  for (let s = 0; s < order.length; s += batchSize) {
    const index = order.subarray(s, Math.min(order.length, s + batchSize));
    const b = index.length;
    const x = new Float32Array(b * w), rr = new Float32Array(b * f), y = new Int32Array(b);
    for (let k = 0; k < b; k++) {
      const i = index[k]!;
      x.set(ds.x.subarray(i * w, (i + 1) * w), k * w);
      rr.set(ds.rr.subarray(i * f, (i + 1) * f), k * f);
      y[k] = ds.y[i]!;
    }
    yield { x, rr, y, index: Int32Array.from(index) };
  }
}
