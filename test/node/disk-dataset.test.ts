// The chunked on-disk beat dataset (src/ecg/dataset/disk-format.ts, src/node/disk-dataset.ts): written
// from a dataset and read back exactly; the training stream gives every training beat once per epoch,
// the same batches for the same seed, another order each epoch, resumes by skipping; training from it is
// deterministic (the same model file twice) and resumes bit-for-bit; damaged folders are refused by name.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/wasm/full-kernels.ts';
import { initSync } from '../../src/core/runtime.ts';
import { DEFAULT_RECIPE, registerModel } from '../../src/models/index.ts';
import { ANN } from '../../src/models/ann.ts';
import { chunkFile, decodeManifest, encodeManifest, MANIFEST_FILE } from '../../src/ecg/dataset/disk-format.ts';
import { DiskDatasetError, openDiskDataset, writeDiskDataset } from '../../src/node/disk-dataset.ts';
import { train, TrainInterrupted, type TrainData } from '../../src/train/trainer.ts';
import type { Batch } from '../../src/ecg/dataset/batches.ts';
import { syntheticDataset } from './disk-dataset-helpers.ts';
import { encodeModel } from '../../src/nn/model-file.ts';

initSync();
registerModel({ name: 'test-disk-ann', description: 'tiny MLP', build: (i) => new ANN(i, { hidden: [8] }), recipe: DEFAULT_RECIPE });
const root = mkdtempSync(join(tmpdir(), 'ecgrad-disk-'));
const ds = syntheticDataset(1000);
const dir = join(root, 'ds');
writeDiskDataset(dir, ds, { chunkBeats: 64 });
const disk = openDiskDataset(dir);

const collect = (it: Iterable<Batch>) => [...it];
const indices = (bs: Batch[]) => bs.flatMap((b) => Array.from(b.index));

test('written and read back: the manifest counts, each split\'s beats and values', () => {
  const m = disk.manifest;
  assert.equal([m.splits.train.beats, m.splits.val.beats, m.splits.test.beats], [600, 200, 200]);
  assert.equal(m.splits.train.chunks, [64, 64, 64, 64, 64, 64, 64, 64, 64, 24]);
  assert.equal(m.splits.train.classCounts.reduce((a, b) => a + b, 0), 600);
  const ev = disk.evalDataset();
  assert.equal(Array.from(ev.y), Array.from([...ds.split.val, ...ds.split.test], (i) => ds.y[i]!));
  const k = ds.split.test[5]!;
  assert.equal(Array.from(ev.x.subarray((200 + 5) * 32, (200 + 6) * 32)), Array.from(ds.x.subarray(k * 32, (k + 1) * 32)));
  assert.equal(Array.from(ev.rr.subarray(205 * 2, 206 * 2)), Array.from(ds.rr.subarray(k * 2, k * 2 + 2)));
  assert.equal([ev.split.train.length, ev.split.val.length, ev.split.test.length], [0, 200, 200]);
});

test('the training stream: each training beat once per epoch, with its own values; the same seed gives the same batches', () => {
  const s = disk.trainStream({ bufferChunks: 3 });
  const a = collect(s.epoch(11, 50, 0));
  assert.equal(a.map((b) => b.y.length), [...new Array(12).fill(50)]);
  const seen = indices(a);
  assert.equal([...seen].sort((p, q) => p - q), Array.from({ length: 600 }, (_, i) => i));
  // Stream index i is the i-th training beat on disk; its values are a training beat of the dataset.
  const train = new Set(Array.from(ds.split.train));
  const first = a[0]!;
  const matches = Array.from(ds.split.train).filter((r) => ds.y[r] === first.y[0] && Array.from(ds.x.subarray(r * 32, r * 32 + 32)).every((v, t) => v === first.x[t]));
  assert.is(matches.length, 1);
  assert.ok(train.has(matches[0]!));
  assert.equal(indices(collect(s.epoch(11, 50, 0))), seen);
  assert.not.equal(indices(collect(s.epoch(12, 50, 0))), seen);
  // Not record by record on disk: the first chunk holds beats of every record.
  assert.is(new Set(Array.from(disk.readChunk('train', 0).record)).size, 4);
});

test('skipping: an epoch without its first k beats is the rest of the whole epoch', () => {
  const s = disk.trainStream({ bufferChunks: 2 });
  const whole = indices(collect(s.epoch(5, 32, 0)));
  for (const k of [0, 32, 64 * 2, 64 * 2 + 32, 576]) assert.equal(indices(collect(s.epoch(5, 32, k))), whole.slice(k), `skip ${k}`);
});

const INPUT = { length: 32, channels: 1, classes: 5, rrFeatures: 2, fs: 125, seed: 3 };

/** Trains 2 epochs from the disk dataset; returns the selected weights as a model file and the last checkpoint (stopping after `stopAt` batches if given). */
function trainOnDisk(resume?: Uint8Array, stopAt?: number): { weights?: Uint8Array; ckpt?: Uint8Array } {
  const ev = disk.evalDataset();
  const data: TrainData = { dataset: ev, trainRows: new Int32Array(0), valRows: ev.split.val, trainStream: disk.trainStream({ bufferChunks: 2 }) };
  let ckpt: Uint8Array | undefined, steps = 0;
  try {
    const r = train({ model: 'test-disk-ann', input: INPUT, recipe: { ...DEFAULT_RECIPE, epochs: 2, batchSize: 40 }, seed: 3 }, data, {
      writeCheckpoint: (b) => void (ckpt = b), shouldStop: () => stopAt !== undefined && ++steps >= stopAt,
    }, resume);
    return { weights: encodeModel(r.model, { arch: 'test-disk-ann', config: INPUT as unknown as Record<string, unknown> }), ckpt };
  } catch (e) {
    if (!(e instanceof TrainInterrupted)) throw e;
    return { ckpt };
  }
}

test('training from disk is deterministic and resumes bit-for-bit (the same selected weights)', () => {
  const a = trainOnDisk().weights!, b = trainOnDisk().weights!;
  assert.ok(Buffer.from(a).equals(Buffer.from(b)), 'two runs differ');
  const stopped = trainOnDisk(undefined, 20); // 15 batches per epoch: stops in epoch 2, after batch 5
  assert.ok(stopped.ckpt && !stopped.weights);
  const resumed = trainOnDisk(stopped.ckpt).weights!;
  assert.ok(Buffer.from(resumed).equals(Buffer.from(a)), 'the resumed run ends differently');
});

test('refused by name: no manifest, a missing chunk, a chunk of another dataset, a non-empty --out', () => {
  const refused = (f: () => unknown, re: RegExp) => {
    try {
      f();
      assert.unreachable('accepted');
    } catch (e) {
      assert.instance(e, DiskDatasetError);
      assert.match((e as Error).message, re);
    }
  };
  refused(() => openDiskDataset(root), /no manifest\.ecgd: not a dataset folder/);
  const other = join(root, 'other');
  writeDiskDataset(other, syntheticDataset(1000, 32, 2), { chunkBeats: 32 });
  const broken = join(root, 'broken');
  writeDiskDataset(broken, ds, { chunkBeats: 64 });
  rmSync(join(broken, chunkFile('train', 3)));
  const b = openDiskDataset(broken);
  refused(() => b.readChunk('train', 3), /train-000003\.ecgb: the chunk is missing/);
  writeFileSync(join(broken, chunkFile('train', 3)), readFileSync(join(other, chunkFile('train', 3))));
  refused(() => collect(b.trainStream().epoch(1, 64, 0)), /train-000003\.ecgb: header field "beats" is 32, but the manifest says 64/);
  const flipped = readFileSync(join(dir, chunkFile('train', 1)));
  flipped[flipped.length - 100]! ^= 4;
  writeFileSync(join(broken, chunkFile('train', 1)), flipped);
  refused(() => b.readChunk('train', 1), /train-000001\.ecgb: checksum mismatch/);
  refused(() => writeDiskDataset(broken, ds), /exists and is not empty/);
  rmSync(join(broken, chunkFile('test', 1)));
  refused(() => b.evalDataset(), /test-000001\.ecgb: the chunk is missing/);
  // A manifest claiming more validation and test beats than memory allows is refused before allocating.
  const huge = decodeManifest(readFileSync(join(dir, MANIFEST_FILE)), 'm');
  const { options: _o, ...plain } = huge;
  const chunks = new Array<number>(20).fill(1e6); // 20 million beats of 148 bytes: 2.8 GiB
  const big = join(root, 'big');
  mkdirSync(big);
  writeFileSync(join(big, MANIFEST_FILE), encodeManifest({ ...plain, chunkBeats: 1e6, splits: { ...plain.splits, test: { beats: 20e6, classCounts: [20e6, 0, 0, 0, 0], chunks } } }));
  refused(() => openDiskDataset(big).evalDataset(), /validation and test splits \(.* GiB\) are loaded into memory/);
  writeFileSync(join(broken, MANIFEST_FILE), 'not a manifest');
  refused(() => openDiskDataset(broken), /manifest\.ecgd: .*truncated|not an ecgrad/);
  assert.ok(existsSync(join(root, 'ds', MANIFEST_FILE)));
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
