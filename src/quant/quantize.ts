// Post-training int8 quantisation of a model's Conv1d and Linear layers.
//
// quantizeModel(model, run):
//  1. batch norm folding: a BatchNorm1d (with running statistics) that directly follows a Conv1d, or a
//     SeparableConv1d's pointwise part, in a Sequential is folded into that convolution:
//       w'[co] = w[co]·γ[co]/√(var[co]+ε),   b'[co] = (b[co] − mean[co])·γ[co]/√(var[co]+ε) + β[co]
//     (exact in eval mode), and the BatchNorm then passes its input through;
//  2. weights: per-output-channel symmetric int8, scale max|w'| / 127 per channel;
//  3. activations: for the layers computed in int8, a per-tensor input scale calibrated by running `run`
//     (a callback that feeds calibration beats through the model, in eval mode, without gradients) and
//     minimising the quantisation error (calibrate.ts).
// Dense convolutions (groups = 1) and Linear layers are computed in int8 (int8-ops.ts); grouped and
// depthwise convolutions keep int8 storage but compute in float32 with the dequantised weights (their few
// multiply-adds per output do not pay for im2col). LSTM/GRU weights and unfolded batch norms stay float32.
//
// applyQuantization(model, plan) makes a model of the same architecture run as the plan says: float
// weights become the dequantised (folded) values, folded batch norms pass through, and forward passes that
// record no graph in eval mode run the int8 kernels; with gradients recorded (explanations) the layers run
// in float32 on the dequantised weights.
import { isGradEnabled, noGrad } from '../core/autograd.ts';
import type { Tensor } from '../core/tensor.ts';
import { BatchNorm1d } from '../nn/batchnorm.ts';
import { Conv1d, SeparableConv1d } from '../nn/conv.ts';
import { Linear } from '../nn/linear.ts';
import type { Module } from '../nn/module.ts';
import { Sequential } from '../nn/sequential.ts';
import { conv1d, conv1dPadding } from '../ops/conv1d.ts';
import { linear } from '../ops/matmul.ts';
import { fromArray } from '../ops/creation.ts';
import { RangeObserver, quantizeRows } from './calibrate.ts';
import { conv1dInt8, Int8Weights, linearInt8 } from './int8-ops.ts';

/**
 * How a quantised layer runs: 'int8' (int8 weights and activations: dense convolutions and Linear layers) or
 * 'weight-only' (int8 weights dequantised to float32: grouped and depthwise convolutions).
 */
export type QuantCompute = 'int8' | 'weight-only';

/**
 * One quantised layer of a plan: its module path and kind, int8 weights per output row with their scales, the
 * input scale (int8 layers) and the folded bias.
 */
export interface QuantLayer {
  /** Module path, e.g. "features.0". Its weight is `${name}.weight`. */
  name: string;
  kind: 'conv1d' | 'linear';
  compute: QuantCompute;
  /** Weight shape (as the float tensor). */
  shape: number[];
  /** rows (output channels) x depth int8 values. */
  weight: Int8Array;
  /** Per-row scale. */
  scale: Float32Array;
  /** Scale of the input activations (int8 layers only): x ≈ q · inputScale. */
  inputScale?: number;
  /** The batch norm folded into this layer (its module path). */
  foldedBn?: string;
  /** The layer's bias after folding (replaces its own bias). */
  foldedBias?: Float32Array;
}

/**
 * The int8 quantisation of a model (symmetric, per output channel): its layers and the number of calibration
 * beats, as quantizeModel makes it and the .ecgq file stores it.
 */
export interface QuantPlan {
  scheme: 'int8-symmetric-per-channel';
  layers: QuantLayer[];
  /** Number of calibration beats seen. */
  calibrationBeats: number;
}

type Quantisable = Conv1d | Linear;

/** The Conv1d and Linear layers of a model with their module paths. */
export function quantisableLayers(model: Module): [string, Quantisable][] {
  const out: [string, Quantisable][] = [];
  for (const [name, m] of model.namedModules()) if (m instanceof Conv1d || m instanceof Linear) out.push([name, m]);
  return out;
}

/** Batch norms that can be folded: conv path -> batch norm path (eval-mode BN with running statistics). */
export function foldableBatchNorms(model: Module): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, m] of model.namedModules()) {
    if (!(m instanceof Sequential)) continue;
    const at = (i: number) => (name ? `${name}.${i}` : String(i));
    m.layers.forEach((layer, i) => {
      const next = m.layers[i + 1];
      if (!(next instanceof BatchNorm1d) || !next.runningMean || !next.runningVar) return;
      const conv = layer instanceof SeparableConv1d ? layer.pointwise : layer instanceof Conv1d ? layer : null;
      if (!conv || conv.outChannels !== next.numFeatures) return;
      out.set(layer instanceof SeparableConv1d ? `${at(i)}.pointwise` : at(i), at(i + 1));
    });
  }
  return out;
}

function computeOf(m: Quantisable): QuantCompute {
  return m instanceof Conv1d && m.groups !== 1 ? 'weight-only' : 'int8';
}

function moduleAt(model: Module, path: string): Module {
  for (const [name, m] of model.namedModules()) if (name === path) return m;
  throw new Error(`quantisation plan: the model has no module named ${path}`);
}

/** Folds bn into (w, b): returns the new weight and bias (rows = output channels). */
export function foldBatchNorm(w: Float32Array, b: Float32Array | null, rows: number, bn: BatchNorm1d): { w: Float32Array; b: Float32Array } {
  const mean = bn.runningMean!.data(), v = bn.runningVar!.data();
  const gamma = bn.weight ? bn.weight.data() : null, beta = bn.bias ? bn.bias.data() : null;
  const depth = w.length / rows;
  const wf = new Float32Array(w.length), bf = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const k = (gamma ? gamma[r]! : 1) / Math.sqrt(v[r]! + bn.eps);
    for (let j = 0; j < depth; j++) wf[r * depth + j] = w[r * depth + j]! * k;
    bf[r] = ((b ? b[r]! : 0) - mean[r]!) * k + (beta ? beta[r]! : 0);
  }
  return { w: wf, b: bf };
}

/**
 * Quantises a trained model. `run` must push the calibration beats through `model.forward` (it is
 * called once, inside noGrad, with the model in eval mode) and return how many beats it used.
 * The model itself is left unchanged.
 */
export function quantizeModel(model: Module, run: () => number): QuantPlan {
  const layers = quantisableLayers(model);
  if (!layers.length) throw new Error('quantizeModel: the model has no Conv1d or Linear layer to quantise');
  const observers = new Map<string, RangeObserver>();
  const restore: (() => void)[] = [];
  for (const [name, m] of layers) {
    if (computeOf(m) !== 'int8') continue;
    const obs = new RangeObserver();
    observers.set(name, obs);
    const inner = m.forward;
    const own = Object.prototype.hasOwnProperty.call(m, 'forward');
    m.forward = (x: Tensor) => {
      obs.observe(x.data());
      return inner.call(m, x);
    };
    restore.push(() => {
      if (own) m.forward = inner;
      else delete (m as { forward?: unknown }).forward;
    });
  }
  const wasTraining = model.training;
  model.eval();
  let beats: number;
  try {
    beats = noGrad(run);
  } finally {
    for (const r of restore) r();
    model.train(wasTraining);
  }
  if (!(beats > 0)) throw new Error('quantizeModel: the calibration run used no beats');
  const folds = foldableBatchNorms(model);
  const plan: QuantPlan = { scheme: 'int8-symmetric-per-channel', layers: [], calibrationBeats: beats };
  for (const [name, m] of layers) {
    const rows = m.weight.shape[0]!;
    let w = m.weight.data();
    const layer: Partial<QuantLayer> = { name, kind: m instanceof Conv1d ? 'conv1d' : 'linear', compute: computeOf(m), shape: [...m.weight.shape] };
    const bnName = folds.get(name);
    if (bnName) {
      const f = foldBatchNorm(w, m.bias ? m.bias.data() : null, rows, moduleAt(model, bnName) as BatchNorm1d);
      w = f.w;
      layer.foldedBn = bnName;
      layer.foldedBias = f.b;
    }
    const { q, scale } = quantizeRows(w, rows, w.length / rows);
    layer.weight = q;
    layer.scale = scale;
    if (layer.compute === 'int8') {
      const obs = observers.get(name)!;
      if (obs.count === 0) throw new Error(`quantizeModel: layer ${name} saw no input during calibration (is it used by forward?)`);
      layer.inputScale = obs.clip() / 127;
    }
    plan.layers.push(layer as QuantLayer);
  }
  return plan;
}

/** Dequantised float values of a layer's weight (q · scale per row). */
export function dequantize(layer: QuantLayer): Float32Array {
  const rows = layer.shape[0]!, depth = layer.weight.length / rows;
  const out = new Float32Array(layer.weight.length);
  for (let r = 0; r < rows; r++) for (let k = 0; k < depth; k++) out[r * depth + k] = layer.weight[r * depth + k]! * layer.scale[r]!;
  return out;
}

/**
 * Makes `model` run as the plan says. Throws, naming the layer, when the plan does not fit the model;
 * nothing is changed unless everything fits.
 */
export function applyQuantization(model: Module, plan: QuantPlan): void {
  const byName = new Map(quantisableLayers(model));
  for (const l of plan.layers) {
    const m = byName.get(l.name);
    if (!m) throw new Error(`quantisation plan: the model has no Conv1d/Linear layer named ${l.name}`);
    if (m.weight.shape.length !== l.shape.length || m.weight.shape.some((d, i) => d !== l.shape[i]))
      throw new Error(`quantisation plan: layer ${l.name} has weight shape [${m.weight.shape.join(', ')}], the plan [${l.shape.join(', ')}]`);
    if ((m instanceof Conv1d) !== (l.kind === 'conv1d')) throw new Error(`quantisation plan: layer ${l.name} is not a ${l.kind}`);
    if (l.compute === 'int8' && (!(l.inputScale! > 0) || !Number.isFinite(l.inputScale))) throw new Error(`quantisation plan: layer ${l.name} has no valid input scale`);
    if (l.foldedBn) {
      const bn = moduleAt(model, l.foldedBn);
      if (!(bn instanceof BatchNorm1d) || bn.numFeatures !== l.shape[0] || l.foldedBias?.length !== l.shape[0])
        throw new Error(`quantisation plan: ${l.foldedBn} is not a BatchNorm1d of ${l.shape[0]} channels with a folded bias`);
    }
  }
  for (const l of plan.layers) {
    const m = byName.get(l.name)!;
    const deq = dequantize(l);
    m.weight.assign_(deq);
    if (l.foldedBn) {
      const bn = moduleAt(model, l.foldedBn);
      bn.forward = (x: Tensor) => x;
    }
    const bias = l.foldedBias ? fromArray(l.foldedBias, [l.foldedBias.length]).keep() : m.bias;
    const rows = l.shape[0]!;
    const w = l.compute === 'int8' ? new Int8Weights(rows, l.weight.length / rows, l.weight, l.scale, m instanceof Conv1d ? 'pairs' : 'rows') : null;
    const sx = l.inputScale ?? 1;
    if (m instanceof Conv1d) {
      const [padLeft, padRight] = conv1dPadding(m.padding, m.kernelSize, m.dilation);
      const g = { Cin: m.inChannels, Cout: m.outChannels, K: m.kernelSize, stride: m.stride, padLeft, padRight, dilation: m.dilation };
      const opts = { stride: m.stride, padding: m.padding, dilation: m.dilation, groups: m.groups };
      const label = `${l.name} (${w ? 'int8' : 'int8 weights'} Conv1d)`;
      m.forward = (x: Tensor) => (w && !m.training && !isGradEnabled() ? conv1dInt8(x, w, bias, sx, g, label) : conv1d(x, m.weight, bias, opts, label));
    } else {
      const label = `${l.name} (int8 Linear)`;
      m.forward = (x: Tensor) => (w && !m.training && !isGradEnabled() ? linearInt8(x, w, bias, sx, label) : linear(x, m.weight, bias));
    }
  }
}
