// Every container file ecgrad reads, fuzzed (seeded, bounded): model (.ecgm), quantised model (.ecgq),
// classifier (.ecgc), training checkpoint (.ckpt) and dataset (cache) files. Each mutant loads or is
// refused with the format's named error naming the file; never an engine error, never a hang.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync } from '../../src/core/runtime.ts';
import '../../src/wasm/full-kernels.ts';
import { Linear } from '../../src/nn/linear.ts';
import { Conv1d } from '../../src/nn/conv.ts';
import { ReLU } from '../../src/nn/activations.ts';
import { GlobalAvgPool1d } from '../../src/nn/pool.ts';
import { Sequential } from '../../src/nn/sequential.ts';
import { encodeModel, modelFromBytes, ModelFileError, registerArchitecture } from '../../src/nn/model-file.ts';
import { encodeQuantizedModel } from '../../src/quant/quant-file.ts';
import { loadModelBytes } from '../../src/quant/load.ts';
import { quantizeModel } from '../../src/quant/quantize.ts';
import { noGrad } from '../../src/core/autograd.ts';
import { createClassifier, decodeClassifier, encodeClassifier } from '../../src/classic/registry.ts';
import { ClassifierFileError } from '../../src/classic/format.ts';
import { matrix } from '../../src/classic/matrix.ts';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint } from '../../src/train/checkpoint.ts';
import { DatasetFileError, deserializeDataset, serializeDataset } from '../../src/ecg/dataset/serialize.ts';
import { decodeChunk, decodeManifest, DiskDatasetError, encodeChunk, encodeManifest } from '../../src/ecg/dataset/disk-format.ts';
import { randn } from '../../src/ops/creation.ts';
import { blobs } from '../classic/helpers.ts';
import { fuzzContainer, headerOf, withCrc, withHeader } from '../helpers/fuzz.ts';

initSync();

const make = (cfg: Record<string, unknown>) =>
  new Sequential(new Conv1d(1, 4, 3, { seed: 1 }), new ReLU(), new GlobalAvgPool1d(), new Linear(4, cfg.classes as number, { seed: 2 }));
registerArchitecture('fuzz-cnn', make);

test('model files (.ecgm): every mutant loads and runs, or is refused with a ModelFileError naming the file', () => {
  const bytes = encodeModel(make({ classes: 3 }), { arch: 'fuzz-cnn', config: { classes: 3 } });
  const x = randn([2, 1, 9], { seed: 3 });
  const { refused, memory } = fuzzContainer(bytes, (b, source) => modelFromBytes(b, source).model.forward(x), ModelFileError, { seed: 1, align: 4, rounds: 150 });
  assert.ok(refused > 400, `${refused} refused`);
  console.log(`  .ecgm: ${refused} refused, largest memory growth of one decode ${(memory / 2 ** 20).toFixed(2)} MiB`);
});

test('quantised model files (.ecgq): every mutant loads and runs, or is refused naming the file', () => {
  const m = make({ classes: 3 });
  const plan = quantizeModel(m, () => { noGrad(() => m.forward(randn([4, 1, 9], { seed: 5 }))); return 4; });
  const bytes = encodeQuantizedModel(m, plan, { arch: 'fuzz-cnn', config: { classes: 3 } });
  const x = randn([2, 1, 9], { seed: 3 });
  const { refused, memory } = fuzzContainer(bytes, (b, source) => loadModelBytes(b, source).model.forward(x), ModelFileError, { seed: 2, align: 4, rounds: 150 });
  assert.ok(refused > 150, `${refused} refused`);
  console.log(`  .ecgq: ${refused} refused, largest memory growth of one decode ${(memory / 2 ** 20).toFixed(2)} MiB`);
});

test('classifier files (.ecgc): every mutant loads and predicts, or is refused with a ClassifierFileError', () => {
  const { X, y } = blobs(20, 3, 4, 1);
  for (const [kind, params] of [['logreg', {}], ['decision-tree', { maxDepth: 4 }], ['knn', { k: 3 }], ['gboost', { nRounds: 3, maxDepth: 2 }], ['mlp', { hidden: [5], epochs: 2 }]] as const) {
    const bytes = encodeClassifier(createClassifier(kind, params).fit(X, y), {});
    // A loaded classifier predicts rows of the width its file gives (a different width is the caller's error).
    const load = (b: Uint8Array, source: string) => {
      const { model } = decodeClassifier(b, source);
      const d = model.toState().nFeatures;
      if (d <= 4096) model.predict(matrix(Float32Array.from({ length: 3 * d }, (_, i) => Math.sin(i)), 3, d));
    };
    const { refused, memory } = fuzzContainer(bytes, load, ClassifierFileError, { seed: 3, rounds: 80 });
    assert.ok(refused > 100, `${kind}: ${refused} refused`);
    console.log(`  ${kind} (.ecgc): ${refused} refused, largest memory growth of one decode ${(memory / 2 ** 20).toFixed(2)} MiB`);
  }
});

test('checkpoints (.ckpt): every mutant decodes or is refused with a CheckpointError naming the file', () => {
  const arrays = new Map([['model/w', Float32Array.from([1, 2, 3])], ['optim/0/0', new Float32Array(5).fill(0.5)]]);
  const bytes = encodeCheckpoint({ epoch: 2, history: [{ loss: 0.5 }] }, arrays);
  assert.equal(decodeCheckpoint(bytes).arrays, arrays);
  const { refused, memory } = fuzzContainer(bytes, decodeCheckpoint, CheckpointError, { seed: 4, align: 4, rounds: 100 });
  assert.ok(refused > 150, `${refused} refused`);
  console.log(`  .ckpt: ${refused} refused, largest memory growth of one decode ${(memory / 2 ** 20).toFixed(2)} MiB`);
});

test('dataset files: every mutant decodes or is refused with a DatasetFileError naming the file', () => {
  const n = 6;
  const ds = {
    protocol: 'intra', seed: 0, classes: ['N', 'S'], channels: 1, length: 3, fs: 125,
    x: Float32Array.from({ length: n * 3 }, (_, i) => i / 10), rr: Float32Array.from({ length: n * 2 }, (_, i) => i),
    rrFeatures: ['pre', 'post'], y: Int32Array.from({ length: n }, (_, i) => i % 2), records: ['100', '101'],
    record: Int32Array.from({ length: n }, (_, i) => (i < 3 ? 0 : 1)), sample: Int32Array.from({ length: n }, (_, i) => 100 * i),
    symbol: 'NANANA'.split(''), split: { train: Int32Array.from([0, 1, 2, 3]), val: Int32Array.from([4]), test: Int32Array.from([5]) },
    options: { window: 'kachuee' as const },
  };
  const bytes = serializeDataset(ds);
  assert.equal(deserializeDataset(bytes), ds);
  const { refused, memory } = fuzzContainer(bytes, deserializeDataset, DatasetFileError, { seed: 5, align: 4 });
  assert.ok(refused > 150, `${refused} refused`);
  console.log(`  dataset: ${refused} refused, largest memory growth of one decode ${(memory / 2 ** 20).toFixed(2)} MiB`);
});

test('disk datasets (manifest.ecgd, chunk .ecgb): every mutant decodes or is refused with a DiskDatasetError naming the file', () => {
  const split = (beats: number, chunks: number[]) => ({ beats, classCounts: [beats - 1, 1], chunks });
  const manifest = encodeManifest({
    format: 'ecgrad-disk-dataset', version: 1, protocol: 'intra', seed: 0, classes: ['N', 'S'], channels: 1, length: 3, fs: 125, rrFeatures: ['pre'], records: ['100', '101'],
    meta: { leads: 'both' }, chunkBeats: 4, orderSeed: 0, splits: { train: split(6, [4, 2]), val: split(2, [2]), test: split(2, [2]) },
  });
  assert.equal(decodeManifest(manifest, 'm').options, { leads: 'both' });
  const m = fuzzContainer(manifest, decodeManifest, DiskDatasetError, { seed: 6, align: 4 });
  const expect = { split: 'train' as const, index: 0, beats: 4, channels: 1, length: 3, rrFeatures: 1, classes: 2, records: 2 };
  const chunk = encodeChunk(expect, {
    x: Float32Array.from({ length: 12 }, (_, i) => i / 10), rr: Float32Array.from([1, 2, 3, 4]), y: Int32Array.from([0, 1, 0, 0]), record: Int32Array.from([0, 0, 1, 1]), sample: Int32Array.from([5, 6, 7, 8]),
  });
  assert.equal(Array.from(decodeChunk(chunk, 'c', expect).sample), [5, 6, 7, 8]);
  const c = fuzzContainer(chunk, (b, source) => decodeChunk(b, source, expect), DiskDatasetError, { seed: 7, align: 4 });
  assert.ok(m.refused > 150 && c.refused > 150, `${m.refused} and ${c.refused} refused`);
  console.log(`  disk dataset: manifest ${m.refused}, chunk ${c.refused} refused; largest memory growth of one decode ${(Math.max(m.memory, c.memory) / 2 ** 20).toFixed(2)} MiB`);
});

test('model files refuse what a valid CRC cannot: NaN or infinite weights, a missing config or meta, an unknown tensor kind', () => {
  const m = make({ classes: 3 });
  const bytes = encodeModel(m, { arch: 'fuzz-cnn', config: { classes: 3 } });
  const h = headerOf(bytes) as Record<string, unknown>;
  const edit = (patch: Record<string, unknown>) => withHeader(bytes, { ...h, ...patch }, 4);
  assert.throws(() => modelFromBytes(edit({ config: null }), 'a.ecgm'), /model file a\.ecgm: header fields "config" and "meta" must be JSON objects/);
  assert.throws(() => modelFromBytes(edit({ meta: [] }), 'a.ecgm'), /"config" and "meta"/);
  const tensors = (h.tensors as Record<string, unknown>[]).map((t, i) => (i === 0 ? { ...t, kind: 'gradient' } : t));
  assert.throws(() => modelFromBytes(edit({ tensors }), 'a.ecgm'), /tensor table entry 0 .* malformed/);
  const H = new DataView(bytes.buffer).getUint32(8, true);
  for (const bad of [NaN, Infinity]) {
    const b = bytes.slice();
    new DataView(b.buffer).setFloat32(12 + H + 8, bad, true);
    assert.throws(() => modelFromBytes(withCrc(b), 'n.ecgm'), new RegExp(`model file n\\.ecgm: tensor \\S+ holds a non-finite value \\(${bad} at index 2\\)`));
  }
});

test('the fuzzer measures memory: a decoder that allocates 100 MiB per file fails its bound', () => {
  const bytes = encodeCheckpoint({ epoch: 1, history: [] }, new Map([['w', Float32Array.from([1])]]));
  let keep: Uint8Array[] = [];
  const hungry = (b: Uint8Array, source: string) => {
    keep.push(new Uint8Array(100 * 2 ** 20).fill(1));
    return decodeCheckpoint(b, source);
  };
  let failed = '';
  try {
    fuzzContainer(bytes, hungry, CheckpointError, { seed: 6, rounds: 1 });
  } catch (e) {
    failed = String((e as { details?: unknown }).details ?? '') + String((e as Error).message);
  }
  assert.match(failed, /100\.0 MiB more memory after one decode \(bound 64 MiB\)/);
  keep = [];
  assert.is(keep.length, 0);
});

test.run();
