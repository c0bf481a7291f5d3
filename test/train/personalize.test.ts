// personalize(): a copy of a model fine-tuned on one wearer's beats. Checks that it is deterministic for a
// seed (byte-identical model files), leaves the original untouched, refuses bad input with a
// PersonalizeError, keeps classes absent from the wearer, gives the same bytes in a worker thread, and
// measurably improves accuracy on a synthetic wearer whose beats the global model gets wrong.
import { Worker } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync } from '../../src/all.ts';
import { Rng } from '../../src/core/random.ts';
import { encodeModel, modelFromBytes } from '../../src/nn/model-file.ts';
import { Module, Sequential, Conv1d, ReLU, GlobalAvgPool1d } from '../../src/nn/index.ts';
import type { Tensor } from '../../src/core/tensor.ts';
import { registerModel, modelNames, DEFAULT_RECIPE, modelSpec } from '../../src/models/index.ts';
import { train } from '../../src/train/trainer.ts';
import { personalize, PersonalizeError, type LabelledBeats } from '../../src/train/personalize.ts';
import { argmax, forwardInBatches, forwardOf, inEvalMode, sliceBatches } from '../../src/nn/forward.ts';
import { throwsNamed, TINY, syntheticDataset, tinyInput } from './helpers.ts';

initSync();
const L = 48;

// The global model: the tiny CNN trained on the synthetic classes (class c is a sine of c + 1 periods).
const ds = syntheticDataset(400, L, 1);
const input = tinyInput(ds, 0, false);
const trained = train({ model: TINY, input, recipe: { ...modelSpec(TINY).recipe, epochs: 6, lr: 1e-2 }, seed: 0, patience: 0 },
  { dataset: ds, trainRows: ds.split.train, valRows: ds.split.val });
const header = { arch: TINY, config: input as unknown as Record<string, unknown>, meta: { protocol: 'intra', classes: ds.classes } };
const globalBytes = encodeModel(trained.model, header);

/**
 * A wearer unlike the training patients: its N beats have the shape of the others' S beats (two
 * periods) and its S beats the shape of their N beats (one period), shifted and scaled; V, F, Q as usual.
 */
function wearer(n: number, seed: number, classes: number[] = [0, 0, 0, 0, 1, 1, 2, 3, 4]): LabelledBeats & { y: Int32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * L), y = new Int32Array(n);
  const shapeOf = [1, 0, 2, 3, 4];
  for (let i = 0; i < n; i++) {
    const c = classes[Math.floor(rng.uniform() * classes.length)]!;
    y[i] = c;
    const s = shapeOf[c]!;
    for (let t = 0; t < L; t++) x[i * L + t] = 1.2 * Math.sin(2 * Math.PI * (s + 1) * (t / L) + 0.4) * (1 + 0.3 * s) + 0.3 * rng.normal();
  }
  return { x, y };
}

function accuracy(model: Module, b: LabelledBeats & { y: Int32Array }): number {
  const shape = { channels: 1, length: L, rrFeatures: 0 };
  const n = b.y.length;
  const { out } = inEvalMode(model, () => forwardInBatches(n, sliceBatches(b.x, null, shape, 128), shape, forwardOf(model)));
  let ok = 0;
  for (let i = 0; i < n; i++) if (argmax(out, i * 5, 5) === b.y[i]) ok++;
  return ok / n;
}

const fit = wearer(120, 11), held = wearer(400, 12);
const fast = { steps: 60, batchSize: 32, lr: 1e-2, replay: null } as const;

test('personalisation improves accuracy on the wearer\'s held-out beats (a real check that can fail)', () => {
  const before = accuracy(trained.model, held);
  const p = personalize(globalBytes, fit, { ...fast, layers: 'all', l2sp: 0.001 });
  const after = accuracy(p.model, held);
  assert.ok(before < 0.75, `the global model already fits the wearer (${before})`);
  assert.ok(after >= before + 0.2 && after >= 0.9, `accuracy ${before.toFixed(3)} -> ${after.toFixed(3)}`);
  assert.is(p.report.beats, 120);
  assert.ok(p.report.lossLast < p.report.lossFirst);
  // The file holds the same model: decoded, it predicts the same.
  assert.is(accuracy(modelFromBytes(p.bytes).model, held), after);
  assert.equal((p.header.meta.personalized as { beats: number }).beats, 120);
});

test('deterministic for a seed: the same seed gives byte-identical files, another seed other bytes', () => {
  const a = personalize(globalBytes, fit, { ...fast, steps: 10, seed: 3 });
  const b = personalize(globalBytes, fit, { ...fast, steps: 10, seed: 3 });
  const c = personalize(globalBytes, fit, { ...fast, steps: 10, seed: 4 });
  assert.equal(a.bytes, b.bytes);
  assert.not.equal(a.bytes, c.bytes);
});

test('the original model is never modified (bytes or a loaded model)', () => {
  const copy = globalBytes.slice();
  personalize(globalBytes, fit, { ...fast, steps: 5 });
  assert.equal(globalBytes, copy);
  const before = encodeModel(trained.model, header);
  const flags = trained.model.parameters().map((t) => t.requiresGrad);
  const p = personalize({ model: trained.model, header: modelFromBytes(globalBytes).header }, fit, { ...fast, steps: 5, layers: 'last', batchNorm: 'frozen' });
  assert.equal(encodeModel(trained.model, header), before);
  assert.equal(trained.model.parameters().map((t) => t.requiresGrad), flags);
  assert.not.equal(p.bytes, before);
  // Only the output layer moved with layers 'last'.
  const orig = modelFromBytes(globalBytes).model.stateDict(), mine = p.model.stateDict();
  for (const [name, t] of orig) {
    const same = t.data().every((v, i) => v === mine.get(name)!.data()[i]);
    assert.is(same, !name.startsWith('fc.'), name);
  }
  // With batch norm in training mode (the default) the running statistics move too, the frozen layers' weights do not.
  const q = personalize(globalBytes, fit, { ...fast, steps: 5, layers: 'last' }).model.stateDict();
  for (const [name, t] of orig) {
    const same = t.data().every((v, i) => v === q.get(name)!.data()[i]);
    assert.is(same, !name.startsWith('fc.') && !/(runningMean|runningVar|numBatchesTracked)$/.test(name), name);
  }
});

test('classes absent from the wearer are reported and their output rows kept from the global model', () => {
  const onlyN = wearer(60, 5, [0, 0, 1]);
  const p = personalize(globalBytes, onlyN, { ...fast, steps: 10, layers: 'last' });
  assert.equal(p.report.absentClasses, ['V', 'F', 'Q']);
  const w0 = modelFromBytes(globalBytes).model.stateDict().get('fc.weight')!.data(), w1 = p.model.stateDict().get('fc.weight')!.data();
  const inF = w0.length / 5;
  const rowSame = (k: number) => w0.subarray(k * inF, (k + 1) * inF).every((v, i) => v === w1[k * inF + i]);
  assert.equal([0, 1, 2, 3, 4].map(rowSame), [false, false, true, true, true]);
});

class NoLinear extends Module {
  readonly body: Sequential;
  constructor(seed: number) {
    super();
    this.body = this.child('body', new Sequential(new Conv1d(1, 5, 3, { padding: 1, seed }), new ReLU(), new GlobalAvgPool1d()));
  }
  forward(x: Tensor): Tensor {
    return this.body.forward(x);
  }
}
if (!modelNames().includes('test-no-linear'))
  registerModel({ name: 'test-no-linear', description: 'conv only', build: (i) => new NoLinear(i.seed), recipe: DEFAULT_RECIPE });

test('bad input: a PersonalizeError that says what is wrong', () => {
  const throwsWith = (f: () => unknown, re: RegExp) => throwsNamed(f, PersonalizeError, re);
  const few = wearer(10, 1);
  throwsWith(() => personalize(globalBytes, few), /10 labelled beat\(s\) given; personalisation needs at least 20/);
  throwsWith(() => personalize(globalBytes, { x: fit.x, y: fit.y.subarray(0, 100) }), /120 beats but 100 labels/);
  throwsWith(() => personalize(globalBytes, { x: fit.x, y: Int32Array.from(fit.y, (v, i) => (i === 7 ? 9 : v)) }), /y\[7\] = 9 is not a class of the model \(0: N, 1: S/);
  throwsWith(() => personalize(globalBytes, { x: fit.x, y: Array.from(fit.y, (v, i) => (i === 3 ? 'X' : 'NSVFQ'[v]!)) }), /y\[3\] = "X"/);
  throwsWith(() => personalize(globalBytes, { x: fit.x.subarray(0, fit.x.length - 5), y: fit.y }), /not a whole number of beats of 1 channel\(s\) x 48 samples/);
  throwsWith(() => personalize(globalBytes, { x: fit.x, y: fit.y }, { steps: 0 }), /steps must be an integer >= 1/);
  throwsWith(() => personalize(globalBytes, { x: fit.x, y: fit.y }, { layers: 'conv' as 'all' }), /layers must be one of last, head, all/);
  // A model taking RR features needs them.
  const rrInput = { ...input, rrFeatures: 6 };
  const rrBytes = encodeModel(modelSpec(TINY).build(rrInput), { arch: TINY, config: rrInput as unknown as Record<string, unknown>, meta: { classes: ds.classes } });
  throwsWith(() => personalize(rrBytes, fit), /takes 6 beat features beside each window; beats.rr is missing/);
  throwsWith(() => personalize(rrBytes, { ...fit, rr: new Float32Array(7) }), /beats.rr holds 7 values; 120 beats x 6 features = 720 expected/);
  // A model without an output Linear layer; an int8 file; not a model file at all.
  const cfg = { ...input };
  const noLin = encodeModel(new NoLinear(0), { arch: 'test-no-linear', config: cfg as unknown as Record<string, unknown>, meta: {} });
  throwsWith(() => personalize(noLin, fit), /has no output Linear layer with 5 outputs \(its Linear layers: none\)/);
  const q = globalBytes.slice();
  q.set(new TextEncoder().encode('ECGRADQ1'), 0);
  throwsWith(() => personalize(q, fit), /int8-quantised/);
  throwsWith(() => personalize(new Uint8Array(40), fit), /cannot be read/);
});

test('in a worker thread: the identical model file', async () => {
  const opts = { ...fast, steps: 8, seed: 2 };
  const here = personalize(globalBytes, fit, opts);
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.tsx).then(async (m) => {
      m.register();
      const { initSync } = await import(workerData.index);
      await import(workerData.helpers);
      const { personalize } = await import(workerData.lib);
      initSync();
      const { bytes } = personalize(workerData.model, { x: workerData.x, y: workerData.y }, workerData.opts);
      parentPort.postMessage(bytes);
    }).catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));`;
  const there = await new Promise<Uint8Array>((res, rej) => {
    const w = new Worker(code, {
      eval: true,
      workerData: {
        tsx, index: new URL('../../src/all.ts', import.meta.url).href, helpers: new URL('./helpers.ts', import.meta.url).href,
        lib: new URL('../../src/train/personalize.ts', import.meta.url).href, model: globalBytes, x: fit.x, y: fit.y, opts,
      },
    });
    w.once('message', (m) => {
      void w.terminate();
      if (m && (m as { error?: string }).error) rej(new Error((m as { error: string }).error));
      else res(new Uint8Array(m as Uint8Array));
    });
    w.once('error', rej);
  });
  assert.equal(there, here.bytes);
});

test.run();
