// The model zoo: every registered architecture builds for the intra input (187 samples, 1 lead, 5 classes,
// 125 Hz) with and without RR features, gives [B, classes] logits, back-propagates into every parameter,
// is deterministic from its seed, has its parameter count pinned, and (ArrhythmiNet) stays within its
// stated size; two models overfit a tiny synthetic set.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  initSync, fromArray, randn, crossEntropy, Adam, noGrad, getModel, modelSpec, modelNames, encodeModel, modelFromBytes, registerModel, MODEL_SPECS,
  type ZooModelName,
  type ModelInput, type Module, type Tensor,
} from '../../src/all.ts';
import { storedFloats, storedKB, oddKernel } from '../../src/models/common.ts';
import { ftcnnKernels, FTCNN } from '../../src/models/ftcnn.ts';
import { RecurrentClassifier } from '../../src/models/recurrent.ts';
import { KachueeResNet } from '../../src/models/resnet.ts';

initSync();

const intra = (rrFeatures: number, seed = 0): ModelInput => ({ length: 187, channels: 1, classes: 5, rrFeatures, fs: 125, seed });
const REFERENCE = new Set(['std-cnn', 'ds-cnn', 'lstm-net']);
const ZOO = ['ann', 'cnn', 'resnet', 'lstm', 'gru', 'ft-cnn', 'arrhythminet-v1', 'arrhythminet-v2'];

/** Trainable parameters [without RR, with 6 RR features] for 5 classes. */
const PARAMS: Record<string, [number, number]> = {
  ann: [32645, 33413],
  cnn: [58709, 59093],
  resnet: [55013, 55205],
  lstm: [32117, 32309],
  gru: [25845, 26037],
  'ft-cnn': [76469, 76853],
  'arrhythminet-v1': [75661, 75691],
  'arrhythminet-v2': [38909, 38939],
};

const beats = (B: number, seed: number) => randn([B, 1, 187], { seed });
const rrs = (B: number, seed: number) => randn([B, 6], { seed });

test('model names are a literal union: the zoo names are ZooModelName, a typo does not compile, a registered name does by declaration merging', () => {
  const zoo: ZooModelName[] = ['std-cnn', 'ds-cnn', 'lstm-net', 'ann', 'cnn', 'resnet', 'lstm', 'gru', 'ft-cnn', 'arrhythminet-v1', 'arrhythminet-v2'];
  assert.equal([...zoo].sort(), MODEL_SPECS.map((m) => m.name).sort());
  // @ts-expect-error 'ft-cnm' is not a model name
  assert.throws(() => getModel('ft-cnm'), /unknown model "ft-cnm"/);
  registerModel({ ...modelSpec('ann'), name: 'zoo-test-registered' });
  assert.is(getModel('zoo-test-registered').name, 'zoo-test-registered'); // RegisteredModels, declared below
  assert.throws(() => modelSpec('ft-cnm'), /unknown model "ft-cnm"/);
});

test('the zoo registers every architecture', () => {
  for (const name of ZOO) assert.ok(modelNames().includes(name), `${name} is registered`);
  for (const name of ZOO) {
    const r = modelSpec(name).recipe;
    assert.ok(r.epochs > 0 && r.batchSize > 0 && r.lr > 0 && r.weightDecay >= 0, `${name} recipe`);
  }
  assert.equal(getModel('ft-cnn').recipe.loss, 'combined');
  assert.equal(getModel('ft-cnn').recipe.optimizer, 'adamw');
  assert.equal(getModel('ft-cnn').recipe.schedule, 'cosine');
});

for (const name of modelNames())
  for (const rr of [0, 6])
    test(`${name} (rrFeatures ${rr}): forward [B, classes], gradients for every parameter`, () => {
      const m = modelSpec(name).build(intra(rr, 3));
      const x = beats(4, 11);
      const out = rr ? m.forward(x, rrs(4, 12)) : m.forward(x);
      assert.equal(out.shape, [4, 5]);
      assert.ok(Array.from(out.data()).every(Number.isFinite));
      crossEntropy(out, [0, 1, 2, 4]).backward();
      for (const [n, p] of m.namedParameters()) {
        assert.ok(p.grad, `${name}: ${n} has a gradient`);
        const g = p.grad!.data();
        assert.ok(g.every(Number.isFinite), `${name}: ${n} gradient is finite`);
        // (The reference models keep conv biases before BatchNorm, whose gradients are analytically 0.)
        if (!REFERENCE.has(name)) assert.ok(g.some((v) => v !== 0), `${name}: ${n} gradient is not all zero`);
      }
    });

test('parameter counts are pinned', () => {
  for (const name of ZOO)
    [0, 6].forEach((rr, k) => assert.is(modelSpec(name).build(intra(rr)).parameterCount(), PARAMS[name]![k], `${name} rr ${rr}`));
});

test('ArrhythmiNet v1 / v2 are within 302.18 KB / 157.76 KB of stored float32 (params + BN buffers, 1 KB = 1024 B)', () => {
  assert.is(getModel('arrhythminet-v1').budgetKB, 302.18);
  assert.is(getModel('arrhythminet-v2').budgetKB, 157.76);
  for (const name of modelNames()) {
    const budget = modelSpec(name).budgetKB;
    if (budget === undefined) continue;
    for (const rr of [0, 6]) {
      const m = modelSpec(name).build(intra(rr));
      assert.ok(storedKB(m) <= budget, `${name} rr ${rr}: ${storedKB(m).toFixed(2)} KB > ${budget} KB`);
      assert.ok(storedKB(m) >= 0.95 * budget, `${name} rr ${rr}: ${storedKB(m).toFixed(2)} KB uses at least 95% of ${budget} KB`);
    }
  }
  assert.is(storedFloats(getModel('arrhythminet-v1').build(intra(0))), 77124);
  assert.is(storedFloats(getModel('arrhythminet-v2').build(intra(0))), 39940);
});

function logits(m: Module, x: Tensor, rr: Tensor | undefined): number[] {
  return noGrad(() => Array.from((rr ? m.forward(x, rr) : m.forward(x)).data()));
}

test('same seed → identical logits (train and eval mode); another seed → different', () => {
  const x = beats(3, 21).keep();
  const r = rrs(3, 22).keep();
  for (const name of ZOO) {
    const a = modelSpec(name).build(intra(6, 5));
    const b = modelSpec(name).build(intra(6, 5));
    assert.equal(logits(a, x, r), logits(b, x, r), `${name} train mode`); // dropout masks come from the seed too
    a.eval();
    b.eval();
    assert.equal(logits(a, x, r), logits(b, x, r), `${name} eval mode`);
    const c = modelSpec(name).build(intra(6, 6)).eval();
    assert.not.equal(logits(a, x, r), logits(c, x, r), `${name} other seed`);
  }
});

test('RR features are used when built with them, required then, and ignored otherwise', () => {
  const x = beats(2, 31).keep();
  for (const name of ZOO) {
    const m = modelSpec(name).build(intra(6)).eval();
    assert.not.equal(logits(m, x, rrs(2, 1)), logits(m, x, rrs(2, 2)), `${name} depends on rr`);
    assert.throws(() => m.forward(x), /built with rrFeatures = 6/, `${name} without rr`);
    assert.throws(() => m.forward(x, randn([2, 5])), /expected RR features \[2, 6\]/, `${name} wrong rr shape`);
    const plain = modelSpec(name).build(intra(0)).eval();
    assert.equal(logits(plain, x, rrs(2, 1)), logits(plain, x, undefined), `${name} ignores rr when built without`);
  }
});

test('FT-CNN kernel sizes follow fs: QRS 0.1 s, P 0.1 s dilated 2, T 0.2 s (odd)', () => {
  assert.equal(ftcnnKernels(125), { qrs: [13, 1], p: [7, 2], t: [25, 1] });
  assert.equal(ftcnnKernels(360), { qrs: [37, 1], p: [19, 2], t: [73, 1] });
  assert.equal([oddKernel(0.1, 100), oddKernel(0.1, 125), oddKernel(0.1, 130), oddKernel(0.001, 125)], [11, 13, 13, 1]);
  const m = new FTCNN({ length: 360, channels: 2, classes: 4, rrFeatures: 0, fs: 360, seed: 0 });
  assert.equal(m.forward(randn([2, 2, 360], { seed: 1 })).shape, [2, 4]);
});

test('options: recurrent readout last / no front-end, ResNet with BatchNorm', () => {
  const x = beats(2, 51);
  for (const kind of ['lstm', 'gru'] as const) {
    const m = new RecurrentClassifier(kind, intra(0), { readout: 'last', frontEnd: false, hiddenSize: 8 });
    assert.equal(m.forward(x).shape, [2, 5]);
    assert.is(m.rnn.inputSize, 1);
  }
  assert.throws(() => new RecurrentClassifier('lstm', intra(0), { readout: 'mean' as 'last' }), /readout must be/);
  // BN adds γ, β per conv of each block (2·64) and drops the conv biases (2·32): +64 per block.
  const bn = new KachueeResNet(intra(0), { batchNorm: true });
  assert.is(bn.parameterCount(), 55013 + 5 * 64);
  assert.equal(bn.forward(x).shape, [2, 5]);
  assert.throws(() => new KachueeResNet({ ...intra(0), length: 40 }), /too short for 5 pooling stages \(need at least 125\)/);
});

test('a zoo model round-trips through a model file by name', () => {
  const input = intra(6, 9);
  const m = getModel('ft-cnn').build(input).eval();
  const bytes = encodeModel(m, { arch: 'ft-cnn', config: { ...input } });
  const { model } = modelFromBytes(bytes);
  model.eval();
  const x = beats(2, 41).keep();
  const r = rrs(2, 42).keep();
  assert.equal(logits(model, x, r), logits(m, x, r));
});

/** 32 beats of three shapes (narrow spike, wide bump, negative dip) with noise; labels 0..2. */
function synthetic(): { x: Tensor; y: number[] } {
  const n = 32, L = 187;
  const data = new Float32Array(n * L);
  const y: number[] = [];
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) {
    const cls = i % 3;
    y.push(cls);
    const c = 40 + rnd() * 60;
    for (let t = 0; t < L; t++) {
      const d = t - c;
      const v = cls === 0 ? Math.exp(-(d * d) / 8) : cls === 1 ? 0.6 * Math.exp(-(d * d) / 400) : -0.8 * Math.exp(-(d * d) / 30);
      data[i * L + t] = 0.3 + v + 0.05 * (rnd() - 0.5);
    }
  }
  return { x: fromArray(data, [n, 1, L]).keep(), y };
}

for (const [name, steps] of [['ann', 40], ['ft-cnn', 40]] as const)
  test(`${name} overfits 32 synthetic beats of 3 shapes in ${steps} steps`, () => {
    const { x, y } = synthetic();
    const m = getModel(name).build({ ...intra(0, 1), classes: 3 });
    const opt = new Adam(m.parameters(), { lr: 3e-3 });
    for (let i = 0; i < steps; i++) {
      const loss = crossEntropy(m.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    m.eval();
    const pred = noGrad(() => Array.from(m.forward(x).argmax(1).data()));
    const acc = pred.filter((p, i) => p === y[i]).length / y.length;
    assert.is(acc, 1, `${name} training accuracy ${acc}`);
  });

declare module '../../src/models/registry.ts' {
  interface RegisteredModels {
    'zoo-test-registered': true;
  }
}

test.run();
