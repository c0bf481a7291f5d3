// Child process of disk-dataset-memory.test.ts: trains a tiny MLP for one epoch from a disk dataset and
// reports its resident memory, so the parent's own memory does not count. RSS is sampled after every
// training batch (the trainer is synchronous, so a timer would not run during the epoch).
// Prints one line "DISK_MEMORY <json>": { baseline, peak (bytes), beats, batches, epochs }.
// Usage: node --import tsx test/node/disk-dataset-memory-child.ts <dataset dir>
import '../../src/wasm/full-kernels.ts';
import { initSync } from '../../src/core/runtime.ts';
import { DEFAULT_RECIPE, registerModel } from '../../src/models/index.ts';
import { ANN } from '../../src/models/ann.ts';
import { openDiskDataset } from '../../src/node/disk-dataset.ts';
import { train } from '../../src/train/trainer.ts';

initSync();
registerModel({ name: 'test-disk-mlp', description: 'tiny MLP', build: (i) => new ANN(i, { hidden: [8], dropout: 0 }), recipe: DEFAULT_RECIPE });
const disk = openDiskDataset(process.argv[2]!);
const ds = disk.evalDataset();
const stream = disk.trainStream();
const rss = () => process.memoryUsage.rss();
const baseline = rss();
let peak = baseline, batches = 0;
const result = train(
  { model: 'test-disk-mlp', input: { length: ds.length, channels: ds.channels, classes: ds.classes.length, rrFeatures: 0, fs: ds.fs, seed: 1 }, recipe: { ...DEFAULT_RECIPE, epochs: 1, batchSize: 256 }, evalBatchSize: 256 },
  { dataset: ds, trainRows: new Int32Array(0), valRows: ds.split.val, trainStream: stream },
  {
    onEvent(e) {
      if (e.type !== 'batch') return;
      batches++;
      peak = Math.max(peak, rss());
    },
  },
);
peak = Math.max(peak, rss());
console.log(`DISK_MEMORY ${JSON.stringify({ baseline, peak, beats: stream.beats, batches, epochs: result.epochsRun })}`);
