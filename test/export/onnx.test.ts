// ONNX export checked by ONNX Runtime (onnxruntime-node, a devDependency; CPU, one thread): every zoo
// model, float and int8 (QDQ), gives ecgrad's logits within 1e-4 on a fixed batch of 16 beats; so do the
// committed trained model files. The maximum differences are printed. When onnxruntime-node cannot load
// on this platform no test is registered and the reason is printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { initSync } from '../../src/core/runtime.ts';
import '../../src/wasm/full-kernels.ts';
import { noGrad } from '../../src/core/autograd.ts';
import { fromArray } from '../../src/ops/creation.ts';
import { Module } from '../../src/nn/module.ts';
import type { Tensor } from '../../src/core/tensor.ts';
import { encodeModel } from '../../src/nn/model-file.ts';
import { Sequential } from '../../src/nn/sequential.ts';
import { Conv1d } from '../../src/nn/conv.ts';
import { BatchNorm1d } from '../../src/nn/batchnorm.ts';
import { AdaptiveAvgPool1d, AvgPool1d, GlobalMaxPool1d } from '../../src/nn/pool.ts';
import { ELU, Flatten, GELU, LeakyReLU, Sigmoid, Softmax, Tanh } from '../../src/nn/activations.ts';
import { Linear } from '../../src/nn/linear.ts';
import { GRU, LSTM } from '../../src/nn/rnn.ts';
import { ResidualBlock1d } from '../../src/nn/residual.ts';
import { encodeQuantizedModel, quantizedModelFromBytes, quantizeModel } from '../../src/quant/index.ts';
import { loadModelBytes } from '../../src/quant/load.ts';
import { exportOnnx, modelFileToOnnx, OnnxExportError } from '../../src/export/onnx.ts';
import { buildCase, fixedBatch, logitsOf, maxAbsDiff, zooCases } from './zoo-cases.ts';
import { onnxOpTypes } from './onnx-read.ts';

initSync();

type Ort = typeof import('onnxruntime-node');
let ort: Ort | null = null;
let why = '';
try {
  ort = await import('onnxruntime-node');
  // a one-node model proves the native binding loads and runs here
  const probe = exportOnnx(new Sequential(new Flatten()), { input: { channels: 1, length: 2 } });
  await (await ort.InferenceSession.create(probe)).release();
} catch (e) {
  ort = null;
  why = (e as Error).message.split('\n')[0]!;
}

const N = 16;
const batch = fixedBatch(N);
const TOL = 1e-4;

type Level = 'disabled' | 'basic' | 'extended' | 'all';

/** Logits from ONNX Runtime (CPU, one thread; graph optimisations at their default, 'all', unless given). */
async function runOnnx(bytes: Uint8Array, x: Float32Array, shape: number[], rr?: Float32Array, level: Level = 'all'): Promise<Float32Array> {
  const session = await ort!.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'], graphOptimizationLevel: level });
  try {
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = { x: new ort!.Tensor('float32', x, shape) };
    if (rr) feeds.rr = new ort!.Tensor('float32', rr, [shape[0]!, rr.length / shape[0]!]);
    const out = await session.run(feeds);
    return out.logits!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** ecgrad logits and ONNX Runtime logits of the same model on the batch; returns max |difference|. */
async function compare(model: Module, bytes: Uint8Array, rrFeatures: number, label: string, level: Level = 'all', tol = TOL): Promise<number> {
  const c = { name: label, input: { length: 187, channels: 1, classes: 5, rrFeatures, fs: 125, seed: 0 } };
  const want = noGrad(() => logitsOf(model, c, batch));
  const got = await runOnnx(bytes, batch.x, [N, 1, 187], rrFeatures ? batch.rr.subarray(0, N * rrFeatures) : undefined, level);
  assert.is(got.length, want.length, `${label}: logits count`);
  const d = maxAbsDiff(got, want);
  assert.ok(d <= tol, `${label}: ONNX Runtime vs ecgrad logits differ by ${d.toExponential(2)} (> ${tol})`);
  scale.set(label, Math.max(...want.map(Math.abs)));
  return d;
}

/** max |ecgrad logit| of each compared model (for the printed relative errors). */
const scale = new Map<string, number>();

/** A quantised copy of a zoo model, calibrated on the batch, through its .ecgq bytes. */
function quantised(name: string, model: Module, input: Record<string, unknown>): Uint8Array {
  const c = { name, input: input as never };
  const plan = quantizeModel(model, () => {
    logitsOf(model, c, batch);
    return N;
  });
  return encodeQuantizedModel(model, plan, { arch: name, config: input });
}

if (!ort) {
  // No test is registered (uvu's skipped tests upset scripts/run-tests.mjs's failure count).
  console.log(`  ONNX export tests skipped: onnxruntime-node does not load on ${process.platform} ${process.arch}: ${why}`);
} else {
  test('every zoo model exported as ONNX gives ecgrad\'s logits in ONNX Runtime (float)', async () => {
    const rows: string[] = [];
    for (const c of zooCases()) {
      const model = buildCase(c);
      const bytes = modelFileToOnnx(encodeModel(model, { arch: c.name, config: { ...c.input } }), `${c.name}.ecgm`).onnx;
      rows.push(`${c.name} ${(await compare(model, bytes, c.input.rrFeatures, c.name)).toExponential(1)}`);
    }
    console.log(`  float, max |ONNX Runtime − ecgrad| over ${N} beats: ${rows.join(', ')}`);
  });

  test('every zoo model quantised to int8 exports as QDQ and gives the int8 model\'s logits', async () => {
    const rows: string[] = [];
    for (const c of zooCases()) {
      const ecgq = quantised(c.name, buildCase(c), { ...c.input });
      const { model } = quantizedModelFromBytes(ecgq, `${c.name}.ecgq`);
      const { onnx, quantized } = modelFileToOnnx(ecgq, `${c.name}.ecgq`);
      assert.ok(quantized);
      const ops = onnxOpTypes(onnx);
      assert.ok(ops.has('DequantizeLinear'), `${c.name}: no DequantizeLinear`);
      assert.ok(ops.has('QuantizeLinear'), `${c.name}: no QuantizeLinear`);
      rows.push(`${c.name} ${(await compare(model, onnx, c.input.rrFeatures, `${c.name} int8`)).toExponential(1)}`);
    }
    console.log(`  int8 QDQ, max |ONNX Runtime − ecgrad int8| over ${N} beats: ${rows.join(', ')}`);
  });

  test("the standard QDQ spelling (QuantizeLinear(x, scale)) is exact without ONNX Runtime's graph optimisations; with them x / scale rounds a few activations to the next step", async () => {
    const rows: string[] = [];
    for (const c of zooCases()) {
      const ecgq = quantised(c.name, buildCase(c), { ...c.input });
      const { model } = quantizedModelFromBytes(ecgq, `${c.name}.ecgq`);
      const { onnx } = modelFileToOnnx(ecgq, `${c.name}.ecgq`, { quantizer: 'standard' });
      const off = await compare(model, onnx, c.input.rrFeatures, `${c.name} int8 standard, optimisations off`, 'disabled');
      const on = await compare(model, onnx, c.input.rrFeatures, `${c.name} int8 standard, optimisations on`, 'all', 1e-2);
      rows.push(`${c.name} ${off.toExponential(1)} / ${on.toExponential(1)}`);
    }
    console.log(`  int8 standard QDQ, max difference without / with graph optimisations: ${rows.join(', ')}`);
  });

  test('the committed trained model files (float and int8) give ecgrad\'s logits', async () => {
    const rows: string[] = [];
    for (const f of ['ft-cnn-intra-rr.ecgm', 'ft-cnn-intra-rr.ecgq', 'arrhythminet-v2-rr.ecgq', 'intra-rr/gru.ecgm']) {
      const bytes = new Uint8Array(readFileSync(new URL(`../../models/${f}`, import.meta.url)));
      const { model } = loadModelBytes(bytes, f);
      const out = modelFileToOnnx(bytes, f, { probabilities: true });
      const d = await compare(model.eval(), out.onnx, out.input.rrFeatures, f);
      rows.push(`${f} ${d.toExponential(1)} (max |logit| ${scale.get(f)!.toFixed(1)})`);
    }
    console.log(`  trained models: ${rows.join(', ')}`);
  });

  test('layers beyond the zoo: activations, pools, residual projections, stacked bidirectional RNNs', async () => {
    const seq = (...m: Module[]) => new Sequential(...m).eval();
    const cases: [string, Module][] = [
      ['activations + avg pools', seq(new Conv1d(1, 6, 5, { padding: 'same', seed: 1 }), new LeakyReLU(0.2), new AvgPool1d(3, { stride: 2, padding: 1, countIncludePad: false }),
        new Conv1d(6, 6, 3, { seed: 2 }), new ELU(0.7), new GELU(), new AdaptiveAvgPool1d(5), new Tanh(), new Flatten(), new Linear(30, 4, { seed: 3 }), new Sigmoid(), new Softmax(1))],
      ['residual with projection and BN', seq(new ResidualBlock1d(1, 8, 5, { stride: 2, seed: 4 }), new BatchNorm1d(8), new GlobalMaxPool1d(), new Linear(8, 3, { seed: 5 }))],
    ];
    for (const [label, m] of cases) {
      const bytes = exportOnnx(m, { input: { channels: 1, length: 187 } });
      const want = noGrad(() => m.forward(fromArray(batch.x, [N, 1, 187])).data());
      const got = await runOnnx(bytes, batch.x, [N, 1, 187]);
      const d = maxAbsDiff(got, want);
      assert.ok(d <= TOL, `${label}: ${d}`);
    }
    // A stacked bidirectional LSTM and GRU (input [B, T, I] given as x [B, C, L] = [16, 11, 17]).
    for (const R of [LSTM, GRU]) {
      for (const returnSequences of [false, true]) {
        const rnn = new R(17, { hiddenSize: 6, numLayers: 2, bidirectional: true, returnSequences, seed: 9 });
        const m = seq(rnn, new Flatten(), new Linear(returnSequences ? 11 * 12 : 12, 3, { seed: 10 }));
        const x = batch.x.subarray(0, N * 11 * 17);
        const bytes = exportOnnx(m, { input: { channels: 11, length: 17 } });
        const want = noGrad(() => m.forward(fromArray(x, [N, 11, 17])).data());
        const d = maxAbsDiff(await runOnnx(bytes, x, [N, 11, 17]), want);
        assert.ok(d <= TOL, `${R.name} returnSequences=${returnSequences}: ${d}`);
      }
    }
  });
}

test('modules without an ONNX mapping are refused, naming them', () => {
  const bn = new BatchNorm1d(4, { trackRunningStats: false });
  assert.throws(() => exportOnnx(new Sequential(new Conv1d(1, 4, 3), bn), { input: { channels: 1, length: 9 } }), (e: Error) => e instanceof OnnxExportError && /BatchNorm1d 1 has no running statistics/.test(e.message));
  class Odd extends Module {
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  assert.throws(() => exportOnnx(new Sequential(new Flatten(), new Odd()), { input: { channels: 1, length: 3 } }), /no ONNX mapping for Odd \(1\)/);
  assert.throws(() => exportOnnx(new Sequential(new Flatten()), { input: { channels: 0, length: 3 } }), /input.channels must be a positive integer/);
});

test.run();
