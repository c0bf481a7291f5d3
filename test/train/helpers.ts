// Test helpers for the trainer: a tiny registered model (conv, batch norm, dropout, optional RR input)
// and a small synthetic beat dataset whose classes differ in shape, so a few epochs learn something.
import { Module, Sequential, Conv1d, BatchNorm1d, ReLU, MaxPool1d, GlobalAvgPool1d, Dropout, Linear } from '../../src/nn/index.ts';
import { concat } from '../../src/ops/shape-ops.ts';
import type { Tensor } from '../../src/core/tensor.ts';
import { Rng } from '../../src/core/random.ts';
import { registerModel, modelNames, DEFAULT_RECIPE, type ModelInput } from '../../src/models/index.ts';
import { stratifiedSplit } from '../../src/ecg/dataset/split.ts';
import { RR_FEATURES } from '../../src/ecg/dataset/rr.ts';
import type { BeatDataset } from '../../src/ecg/dataset/dataset.ts';
import * as assert from 'uvu/assert';

class Tiny extends Module {
  readonly body: Sequential;
  readonly fc: Linear;
  constructor(private readonly input: ModelInput) {
    super();
    const s = input.seed;
    this.body = this.child('body', new Sequential(
      new Conv1d(input.channels, 6, 5, { padding: 2, seed: s + 1 }), new BatchNorm1d(6), new ReLU(), new MaxPool1d(2),
      new Conv1d(6, 8, 3, { padding: 1, seed: s + 2 }), new ReLU(), new GlobalAvgPool1d(), new Dropout(0.2, { seed: s + 3 }),
    ));
    this.fc = this.child('fc', new Linear(8 + input.rrFeatures, input.classes, { seed: s + 4 }));
  }
  forward(x: Tensor, rr?: Tensor): Tensor {
    const h = this.body.forward(x);
    return this.fc.forward(this.input.rrFeatures > 0 && rr ? concat([h, rr], 1) : h);
  }
}

export const TINY = 'test-tiny';
// The CLI trains in worker threads: they import this module first, so test-tiny exists there too.
if (!(process.env.ECGRAD_PRELOAD ?? '').includes(import.meta.url)) {
  process.env.ECGRAD_PRELOAD = [process.env.ECGRAD_PRELOAD, import.meta.url].filter(Boolean).join(',');
}
if (!modelNames().includes(TINY))
  registerModel({
    name: TINY, description: 'a tiny CNN for the trainer tests', build: (i) => new Tiny(i),
    recipe: { ...DEFAULT_RECIPE, epochs: 2, batchSize: 16, lr: 3e-3, loss: 'weighted-ce' },
  });

/** n beats of `length` samples in 5 classes (N, S, V, F, Q) with class frequencies 50/20/15/10/5 %. */
export function syntheticDataset(n = 240, length = 48, seed = 1): BeatDataset {
  const rng = new Rng(seed);
  const classes = ['N', 'S', 'V', 'F', 'Q'];
  const freq = [0.5, 0.2, 0.15, 0.1, 0.05];
  const x = new Float32Array(n * length), rr = new Float32Array(n * RR_FEATURES.length), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let u = rng.uniform(), c = 0;
    while (c < 4 && u >= freq[c]!) u -= freq[c++]!;
    y[i] = c;
    for (let t = 0; t < length; t++) {
      const ph = t / length;
      x[i * length + t] = Math.sin(2 * Math.PI * (c + 1) * ph) * (1 + 0.3 * c) + 0.3 * rng.normal();
    }
    for (let f = 0; f < RR_FEATURES.length; f++) rr[i * RR_FEATURES.length + f] = 0.8 + 0.1 * c + 0.05 * rng.normal();
  }
  return {
    protocol: 'intra', seed, classes, x, channels: 1, length, fs: 125, rr, rrFeatures: RR_FEATURES.slice(), y,
    records: ['100'], record: new Int32Array(n), sample: Int32Array.from({ length: n }, (_, i) => i * 300),
    symbol: Array.from(y, (c) => 'NSVFQ'[c]!), split: stratifiedSplit(y, 5, seed), options: {},
  };
}

export function tinyInput(ds: BeatDataset, seed = 0, rr = false): ModelInput {
  return { length: ds.length, channels: ds.channels, classes: ds.classes.length, rrFeatures: rr ? ds.rrFeatures.length : 0, fs: ds.fs, seed };
}

/** Asserts that f throws an error of class `type` whose message matches `re`. */
export function throwsNamed(f: () => unknown, type: new (...args: never[]) => Error, re: RegExp): void {
  try {
    f();
  } catch (e) {
    assert.instance(e, type);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`no error (expected ${re})`);
}
