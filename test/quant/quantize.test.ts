// Post-training int8 quantisation (src/quant): the int8 layers equal a float64 "fake-quant" reference
// (quantised input and weights, exact products) on conv geometries with stride, padding and dilation and
// on Linear; batch-norm folding is exact in float; a quantised model stays close to the float one and keeps
// its predictions; gradients (explanations) run on the dequantised weights; .ecgq files round-trip, are
// smaller, and bad files give clear errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/wasm/full-kernels.ts';
import { initSync } from '../../src/core/runtime.ts';
import { noGrad, grad } from '../../src/core/autograd.ts';
import { fromArray, randn } from '../../src/ops/creation.ts';
import { Conv1d, SeparableConv1d } from '../../src/nn/conv.ts';
import { Linear } from '../../src/nn/linear.ts';
import { BatchNorm1d } from '../../src/nn/batchnorm.ts';
import { ReLU } from '../../src/nn/activations.ts';
import { GlobalAvgPool1d } from '../../src/nn/pool.ts';
import { Sequential } from '../../src/nn/sequential.ts';
import { Module } from '../../src/nn/module.ts';
import type { Tensor } from '../../src/core/tensor.ts';
import { encodeModel, registerArchitecture } from '../../src/nn/model-file.ts';
import { backend } from '../../src/core/runtime.ts';
import {
  applyQuantization, decodeQuantizedModel, encodeQuantizedModel, foldableBatchNorms, isQuantizedModelFile, loadModelBytes,
  quantizeModel, quantizeRows,
} from '../../src/quant/index.ts';
import { foldBatchNorm } from '../../src/quant/quantize.ts';
import { conv1d } from '../../src/ops/conv1d.ts';
import { conv1dInt8, Int8Weights, linearInt8 } from '../../src/quant/int8-ops.ts';
import { Rng } from '../../src/core/random.ts';

initSync();

function q(v: number, s: number): number {
  const x = Math.fround(Math.fround(v) * Math.fround(1 / s));
  const r = Math.round(x);
  const even = Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return Math.max(-127, Math.min(127, even));
}

test('conv1dInt8 equals the fake-quant float64 reference (stride, padding, dilation, kernel > input)', () => {
  const cases = [
    { B: 1, Cin: 3, L: 20, Cout: 5, K: 5, stride: 1, pad: 2, dil: 1 },
    { B: 3, Cin: 8, L: 31, Cout: 9, K: 3, stride: 2, pad: 1, dil: 2 },
    { B: 2, Cin: 4, L: 3, Cout: 6, K: 7, stride: 1, pad: 3, dil: 1 },
  ];
  for (const c of cases) {
    const x = randn([c.B, c.Cin, c.L], { seed: 1 }).keep();
    const w = randn([c.Cout, c.Cin, c.K], { seed: 2 }).data();
    const bias = randn([c.Cout], { seed: 3 }).keep();
    const depth = c.Cin * c.K;
    const { q: wq, scale } = quantizeRows(w, c.Cout, depth);
    const sx = 2.5 / 127;
    const y = noGrad(() => conv1dInt8(x, new Int8Weights(c.Cout, depth, wq, scale, 'pairs'), bias, sx,
      { Cin: c.Cin, Cout: c.Cout, K: c.K, stride: c.stride, padLeft: c.pad, padRight: c.pad, dilation: c.dil }, 'test').data());
    const Lout = Math.floor((c.L + 2 * c.pad - c.dil * (c.K - 1) - 1) / c.stride) + 1;
    assert.is(y.length, c.B * c.Cout * Lout);
    const xd = x.data(), bd = bias.data();
    for (let b = 0; b < c.B; b++)
      for (let m = 0; m < c.Cout; m++)
        for (let l = 0; l < Lout; l++) {
          let acc = 0;
          for (let ch = 0; ch < c.Cin; ch++)
            for (let k = 0; k < c.K; k++) {
              const t = l * c.stride - c.pad + k * c.dil;
              if (t >= 0 && t < c.L) acc += wq[m * depth + ch * c.K + k]! * q(xd[(b * c.Cin + ch) * c.L + t]!, sx);
            }
          const want = acc * scale[m]! * sx + bd[m]!;
          const got = y[(b * c.Cout + m) * Lout + l]!;
          assert.ok(Math.abs(got - want) <= 1e-5 * (1 + Math.abs(want)), `${JSON.stringify(c)} b${b} m${m} l${l}: ${got} vs ${want}`);
        }
  }
});

test('linearInt8 equals the fake-quant reference, also for inputs of more than 2 dimensions', () => {
  const x = randn([2, 3, 37], { seed: 4 }).keep();
  const w = randn([11, 37], { seed: 5 }).data();
  const { q: wq, scale } = quantizeRows(w, 11, 37);
  const sx = 3 / 127;
  const y = noGrad(() => linearInt8(x, new Int8Weights(11, 37, wq, scale), null, sx, 'fc'));
  assert.equal([...y.shape], [2, 3, 11]);
  const yd = y.data(), xd = x.data();
  for (let r = 0; r < 6; r++)
    for (let o = 0; o < 11; o++) {
      let acc = 0;
      for (let k = 0; k < 37; k++) acc += wq[o * 37 + k]! * q(xd[r * 37 + k]!, sx);
      const want = acc * scale[o]! * sx;
      assert.ok(Math.abs(yd[r * 11 + o]! - want) <= 1e-5 * (1 + Math.abs(want)));
    }
});

class Tiny extends Module {
  readonly features: Sequential;
  readonly fc: Linear;
  constructor(readonly cfg: { seed: number }) {
    super();
    const s = cfg.seed;
    this.features = this.child('features', new Sequential(
      new Conv1d(1, 8, 7, { padding: 3, bias: false, seed: s }), new BatchNorm1d(8), new ReLU(),
      new SeparableConv1d(8, 16, 5, { stride: 2, padding: 2, bias: false, seed: s + 1 }), new BatchNorm1d(16), new ReLU(),
      new Conv1d(16, 16, 3, { padding: 1, seed: s + 2 }), new ReLU(),
      new GlobalAvgPool1d(),
    ));
    this.fc = this.child('fc', new Linear(16, 4, { seed: s + 3 }));
  }
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.features.forward(x));
  }
}
registerArchitecture('test-quant-tiny', (c) => new Tiny(c as { seed: number }));

/** A trained-looking Tiny: non-trivial batch-norm statistics. */
function tiny(): Tiny {
  const m = new Tiny({ seed: 7 });
  const rng = new Rng(3);
  for (const [name, t] of m.namedBuffers()) {
    const d = backend().f32(t.ptr, t.size);
    if (name.endsWith('runningMean')) for (let i = 0; i < d.length; i++) d[i] = rng.uniform() - 0.5;
    if (name.endsWith('runningVar')) for (let i = 0; i < d.length; i++) d[i] = 0.5 + rng.uniform();
  }
  for (const [name, t] of m.namedParameters()) {
    if (!/features\.(1|4)\./.test(name)) continue;
    const d = backend().f32(t.ptr, t.size);
    for (let i = 0; i < d.length; i++) d[i] = name.endsWith('weight') ? 0.5 + rng.uniform() : rng.uniform() - 0.5;
  }
  m.eval();
  return m;
}

function beats(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * 64 }, (_, i) => Math.sin((i % 64) / 5 + seed) * 0.8 + 0.2 * (rng.uniform() - 0.5));
}

function logits(m: Module, x: Float32Array): Float32Array {
  return noGrad(() => m.forward(fromArray(x, [x.length / 64, 1, 64])).data());
}

test('quantizeModel folds the batch norms, calibrates, and the int8 model tracks the float model', () => {
  const m = tiny();
  assert.equal([...foldableBatchNorms(m)], [['features.0', 'features.1'], ['features.3.pointwise', 'features.4']]);
  const calib = beats(64, 1), test = beats(200, 2);
  const before = logits(m, test);
  const plan = quantizeModel(m, () => { logits(m, calib); return 64; });
  assert.is(plan.calibrationBeats, 64);
  assert.equal(plan.layers.map((l) => [l.name, l.compute, l.foldedBn ?? null]), [
    ['features.0', 'int8', 'features.1'], ['features.3.depthwise', 'weight-only', null], ['features.3.pointwise', 'int8', 'features.4'],
    ['features.6', 'int8', null], ['fc', 'int8', null],
  ]);
  for (const l of plan.layers) if (l.compute === 'int8') assert.ok(l.inputScale! > 0);
  // quantizeModel leaves the model as it was
  assert.equal(Array.from(logits(m, test)), Array.from(before));
  const qm = tiny();
  applyQuantization(qm, plan);
  const after = logits(qm, test);
  let maxErr = 0, range = 0, agree = 0;
  for (let i = 0; i < before.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(after[i]! - before[i]!));
    range = Math.max(range, Math.abs(before[i]!));
  }
  for (let i = 0; i < 200; i++) {
    const a = before.subarray(i * 4, i * 4 + 4), b = after.subarray(i * 4, i * 4 + 4);
    if (a.indexOf(Math.max(...a)) === b.indexOf(Math.max(...b))) agree++;
  }
  assert.ok(maxErr < 0.05 * range, `max |int8 - float| ${maxErr} vs logit range ${range}`);
  assert.ok(agree >= 194, `only ${agree} of 200 predictions agree`);
  // With gradients recorded the layers run in float32 on the dequantised weights: close to int8, and differentiable.
  const x = fromArray(test.subarray(0, 64 * 3), [3, 1, 64]);
  const [gx] = grad((xi) => qm.forward(xi).sum(), [x]);
  assert.equal([...gx!.shape], [3, 1, 64]);
  assert.ok(gx!.data().some((v) => v !== 0));
});

test('batch-norm folding is exact in eval mode: conv + BN = conv with the folded weight and bias', () => {
  const m = tiny();
  const conv = m.features.layers[0] as Conv1d, bn = m.features.layers[1] as BatchNorm1d;
  const x = fromArray(beats(5, 4), [5, 1, 64]);
  const want = noGrad(() => bn.forward(conv.forward(x)).data());
  const f = foldBatchNorm(conv.weight.data(), null, 8, bn);
  const got = noGrad(() => conv1d(x, fromArray(f.w, [8, 1, 7]), fromArray(f.b, [8]), { padding: 3 }).data());
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * (1 + Math.abs(want[i]!)), `index ${i}`);
});

test('.ecgq files round-trip, are smaller than .ecgm, and bad files give clear errors', () => {
  const m = tiny();
  const plan = quantizeModel(m, () => { logits(m, beats(32, 1)); return 32; });
  const bytes = encodeQuantizedModel(m, plan, { arch: 'test-quant-tiny', config: { seed: 7 }, meta: { classes: ['a', 'b', 'c', 'd'] } });
  const floatBytes = encodeModel(m, { arch: 'test-quant-tiny', config: { seed: 7 } });
  assert.ok(isQuantizedModelFile(bytes) && !isQuantizedModelFile(floatBytes));
  const { header } = decodeQuantizedModel(bytes);
  assert.ok(header.tensors.every((t) => !t.name.startsWith('features.1.') && !t.name.startsWith('features.4.')), 'folded batch norms are not stored');
  const direct = tiny();
  applyQuantization(direct, plan);
  const loaded = loadModelBytes(bytes, 'tiny.ecgq');
  assert.ok(loaded.quantized);
  assert.is(loaded.header.meta.quantized, 'int8-symmetric-per-channel');
  const test = beats(20, 9);
  assert.equal(Array.from(logits(loaded.model, test)), Array.from(logits(direct, test)));
  assert.not.ok(loadModelBytes(floatBytes).quantized);
  // errors
  const bad = bytes.slice();
  bad[bad.length - 10]! ^= 0xff;
  assert.throws(() => loadModelBytes(bad, 'bad.ecgq'), /bad\.ecgq: checksum mismatch/);
  assert.throws(() => loadModelBytes(bytes.subarray(0, 40), 'cut.ecgq'), /cut\.ecgq: truncated/);
  const other = encodeQuantizedModel(m, plan, { arch: 'no-such-arch', config: {} });
  assert.throws(() => loadModelBytes(other, 'x.ecgq'), /architecture "no-such-arch" is not registered/);
  assert.throws(() => quantizeModel(m, () => 0), /calibration run used no beats/);
});

test.run();
