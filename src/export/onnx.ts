// ONNX export of ecgrad models (browser-safe: a Module in, ModelProto bytes out), opset 13, IR version 7.
//
//   exportOnnx(model, { input: { channels, length, rrFeatures } })   → bytes (float model)
//   exportOnnx(model, { input, quant: plan })                        → bytes (int8 model as QDQ)
//   modelFileToOnnx(bytes, source)                                    → a .ecgm or .ecgq file's model as ONNX
//
// Graph inputs: "x" [batch, channels, length] and, for a model built with RR features, "rr"
// [batch, rrFeatures]; output "logits" [batch, classes] (and "probabilities", a Softmax, on request). The
// batch is a named dynamic dimension; the beat length is fixed at the length the model was built for.
// The model is exported as it runs in eval mode: Dropout is dropped, BatchNorm1d is BatchNormalization
// on the running statistics. Layers map onto standard ops: Conv1d → Conv (pads, strides, dilations,
// group), Linear → Gemm (MatMul + Add above 2-D), MaxPool1d / AvgPool1d → MaxPool / AveragePool,
// AdaptiveAvgPool1d(n) → AveragePool when n divides the length, else MatMul with its [L, n] window-average
// matrix (PyTorch's windows), GlobalAvg/MaxPool1d → GlobalAveragePool / GlobalMaxPool + Flatten, LSTM / GRU
// → ONNX LSTM / GRU per layer (batch-first input transposed to time-major; gates reordered from PyTorch's
// i f g o / r z n to ONNX's i o f c / z r h; GRU with linear_before_reset = 1, as PyTorch computes n),
// the zoo models' own forward passes (RR join → Concat, mean/max over time → ReduceMean / ReduceMax) by
// class. A module the exporter does not know is refused with an OnnxExportError naming it.
//
// int8 (.ecgq) models as QDQ: each quantised layer's weight is an INT8 initializer with its per-channel
// scales, DequantizeLinear(axis 0); a layer computed in int8 quantises its input as ecgrad does
// (symmetric, zero point 0, clamp to ±127; see quantisedInput for the two spellings); weight-only
// layers (depthwise convolutions) take the float input; batch norms folded into a layer are gone and the
// layer carries the folded bias. Runtimes that fuse QDQ (ONNX Runtime, TensorRT) may then compute in
// integers; ONNX Runtime without fusion computes in float on the dequantised values.
import type { Module } from '../nn/module.ts';
import { Sequential } from '../nn/sequential.ts';
import { Conv1d, SeparableConv1d } from '../nn/conv.ts';
import { BatchNorm1d } from '../nn/batchnorm.ts';
import { Linear } from '../nn/linear.ts';
import { Dropout } from '../nn/dropout.ts';
import { ELU, Flatten, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from '../nn/activations.ts';
import { AdaptiveAvgPool1d, AvgPool1d, GlobalAvgPool1d, GlobalMaxPool1d, MaxPool1d } from '../nn/pool.ts';
import { GRU, LSTM } from '../nn/rnn.ts';
import { ResidualBlock1d } from '../nn/residual.ts';
import { conv1dPadding } from '../ops/conv1d.ts';
import { ANN } from '../models/ann.ts';
import { CNN } from '../models/cnn.ts';
import { KachueeResNet } from '../models/resnet.ts';
import { RecurrentClassifier } from '../models/recurrent.ts';
import { FTCNN } from '../models/ftcnn.ts';
import { ArrhythmiNet } from '../models/arrhythminet.ts';
import { DSCNN, LSTMNet, StdCNN } from '../models/reference.ts';
import type { QuantLayer, QuantPlan } from '../quant/quantize.ts';
import { decodeQuantizedModel, isQuantizedModelFile, quantizedModelFromBytes } from '../quant/quant-file.ts';
import { modelFromBytes } from '../nn/model-file.ts';
import { encodeOnnxModel, leFloat32, OnnxType, type OnnxAttr, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-proto.ts';

/** The ONNX operator set exported models use (13). */
export const ONNX_OPSET = 13;
/** The ONNX IR version of exported models (7). */
export const ONNX_IR_VERSION = 7;

/**
 * A model that cannot be exported to ONNX: a layer or option without an ONNX equivalent here, or an input
 * shape that does not fit. The message names it.
 */
export class OnnxExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

/**
 * Options of exportOnnx: the input shape, an int8 plan to export as QDQ and how its quantisers are written,
 * and the outputs.
 */
export interface OnnxExportOptions {
  /** The beat input the graph takes: x [batch, channels, length], and rr [batch, rrFeatures] when > 0. */
  input: { channels: number; length: number; rrFeatures?: number };
  /** An int8 quantisation plan (the .ecgq file's) to export as QuantizeLinear / DequantizeLinear. */
  quant?: QuantPlan;
  /**
   * How int8 layers quantise their input: 'exact' (default) as ecgrad, Mul(1/scale) → Clip(±127) →
   * QuantizeLinear(scale 1) → DequantizeLinear(scale); 'standard': Clip(±127·scale) → QuantizeLinear(scale)
   * → DequantizeLinear(scale), which rounds x / scale instead of x · (1/scale).
   */
  quantizer?: 'exact' | 'standard';
  /** Adds an output "probabilities" = Softmax(logits). */
  probabilities?: boolean;
  /** The graph name (default: the model's class). */
  name?: string;
  /** The model's doc string. */
  doc?: string;
}

/** A value of the graph: its name and static shape, with -1 for the (dynamic) batch axis. */
interface Value {
  name: string;
  dims: number[];
}

class Graph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Set<string>();

  unique(base: string): string {
    let name = base, k = 1;
    while (this.names.has(name)) name = `${base}_${k++}`;
    this.names.add(name);
    return name;
  }

  f32(base: string, dims: number[], values: ArrayLike<number>): string {
    const name = this.unique(base);
    this.initializers.push({ name, dims, type: OnnxType.FLOAT, raw: leFloat32(Float32Array.from(values)) });
    return name;
  }

  i64(base: string, dims: number[], values: number[]): string {
    const name = this.unique(base);
    const raw = new Uint8Array(values.length * 8);
    const v = new DataView(raw.buffer);
    values.forEach((x, i) => v.setBigInt64(8 * i, BigInt(x), true));
    this.initializers.push({ name, dims, type: OnnxType.INT64, raw });
    return name;
  }

  i8(base: string, dims: number[], values: Int8Array): string {
    const name = this.unique(base);
    this.initializers.push({ name, dims, type: OnnxType.INT8, raw: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.length)) });
    return name;
  }

  /** Adds a node; returns its output names. */
  op(op: string, inputs: string[], attrs: Record<string, OnnxAttr>, base: string, outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, (_, i) => this.unique(outputs === 1 ? base : `${base}_${i}`));
    this.nodes.push({ op, inputs, outputs: outs, name: this.unique(`${base}/${op}`), attrs });
    return outs;
  }
}

interface Ctx {
  g: Graph;
  paths: Map<Module, string>;
  quant: Map<string, QuantLayer>;
  folded: Set<string>;
  quantizer: 'exact' | 'standard';
}

const pathOf = (ctx: Ctx, m: Module) => ctx.paths.get(m) || 'model';

function checkDims(what: string, x: Value, rank: number, dim1?: number): void {
  if (x.dims.length !== rank || (dim1 !== undefined && x.dims[1] !== dim1))
    throw new OnnxExportError(`ONNX export: ${what} expects a rank-${rank} input${dim1 !== undefined ? ` with ${dim1} channels` : ''}, got [${x.dims.map((d) => (d < 0 ? 'batch' : d)).join(', ')}]`);
}

/** The weight (and bias) inputs of a Conv1d or Linear: float initializers, or QDQ of the plan's int8 weight. */
function weightInputs(ctx: Ctx, m: Conv1d | Linear, path: string): { w: string; b: string | null; layer: QuantLayer | undefined } {
  const layer = ctx.quant.get(path);
  if (!layer) return { w: ctx.g.f32(`${path}.weight`, [...m.weight.shape], m.weight.data()), b: m.bias ? ctx.g.f32(`${path}.bias`, [...m.bias.shape], m.bias.data()) : null, layer };
  const rows = layer.shape[0]!;
  const q = ctx.g.i8(`${path}.weight_quantized`, layer.shape, layer.weight);
  const s = ctx.g.f32(`${path}.weight_scale`, [rows], layer.scale);
  const z = ctx.g.i8(`${path}.weight_zero_point`, [rows], new Int8Array(rows));
  const [w] = ctx.g.op('DequantizeLinear', [q, s, z], { axis: 0 }, `${path}.weight`);
  const bias = layer.foldedBias ?? (m.bias ? m.bias.data() : null);
  return { w: w!, b: bias ? ctx.g.f32(`${path}.bias`, [rows], bias) : null, layer };
}

/**
 * The input of an int8-computed layer, quantised and dequantised. 'exact' (the default) computes ecgrad's
 * quantiser step for step, q = clamp(round_half_even(x · (1/sx)), ±127): Mul by 1/sx, Clip to ±127,
 * QuantizeLinear with scale 1, DequantizeLinear with scale sx. 'standard' is the textbook QDQ pair,
 * QuantizeLinear(x, sx) = round(x / sx) after a Clip to ±127·sx: x / sx and x · (1/sx) differ in the last
 * bit now and then, which moves a value lying within an ulp of a rounding boundary by one step.
 */
function quantisedInput(ctx: Ctx, x: Value, layer: QuantLayer | undefined, path: string): string {
  if (!layer || layer.compute !== 'int8') return x.name;
  const g = ctx.g, sx = layer.inputScale!;
  const s = g.f32(`${path}.input_scale`, [], [sx]);
  const z = g.i8(`${path}.input_zero_point`, [], new Int8Array(1));
  let q: string;
  if (ctx.quantizer === 'exact') {
    const [scaled] = g.op('Mul', [x.name, g.f32(`${path}.input_inverse_scale`, [], [1 / sx])], {}, `${path}.input_steps`);
    const [c] = g.op('Clip', [scaled!, g.f32(`${path}.input_min`, [], [-127]), g.f32(`${path}.input_max`, [], [127])], {}, `${path}.input_clipped`);
    [q] = g.op('QuantizeLinear', [c!, g.f32(`${path}.unit_scale`, [], [1]), z], {}, `${path}.input_quantized`) as [string];
  } else {
    const [c] = g.op('Clip', [x.name, g.f32(`${path}.input_min`, [], [-127 * sx]), g.f32(`${path}.input_max`, [], [127 * sx])], {}, `${path}.input_clipped`);
    [q] = g.op('QuantizeLinear', [c!, s, z], {}, `${path}.input_quantized`) as [string];
  }
  const [dq] = g.op('DequantizeLinear', [q, s, z], {}, `${path}.input_dequantized`);
  return dq!;
}

function conv(ctx: Ctx, m: Conv1d, x: Value): Value {
  const path = pathOf(ctx, m);
  checkDims(`Conv1d ${path}`, x, 3, m.inChannels);
  const { w, b, layer } = weightInputs(ctx, m, path);
  const [l, r] = conv1dPadding(m.padding, m.kernelSize, m.dilation);
  const L = x.dims[2]!;
  const Lout = Math.floor((L + l + r - m.dilation * (m.kernelSize - 1) - 1) / m.stride) + 1;
  const [y] = ctx.g.op('Conv', [quantisedInput(ctx, x, layer, path), w, ...(b ? [b] : [])], {
    kernel_shape: [m.kernelSize], strides: [m.stride], pads: [l, r], dilations: [m.dilation], group: m.groups,
  }, path);
  return { name: y!, dims: [-1, m.outChannels, Lout] };
}

function linear(ctx: Ctx, m: Linear, x: Value): Value {
  const path = pathOf(ctx, m);
  if (x.dims[x.dims.length - 1] !== m.inFeatures) throw new OnnxExportError(`ONNX export: Linear ${path} expects ${m.inFeatures} features, got [${x.dims.join(', ')}]`);
  const { w, b, layer } = weightInputs(ctx, m, path);
  const input = quantisedInput(ctx, x, layer, path);
  const dims = [...x.dims.slice(0, -1), m.outFeatures];
  if (x.dims.length === 2) {
    const [y] = ctx.g.op('Gemm', [input, w, ...(b ? [b] : [])], { transB: 1 }, path);
    return { name: y!, dims };
  }
  const [wt] = ctx.g.op('Transpose', [w], { perm: [1, 0] }, `${path}.weight_t`);
  const [y] = ctx.g.op('MatMul', [input, wt!], {}, b ? `${path}.matmul` : path);
  if (!b) return { name: y!, dims };
  const [z] = ctx.g.op('Add', [y!, b], {}, path);
  return { name: z!, dims };
}

function batchNorm(ctx: Ctx, m: BatchNorm1d, x: Value): Value {
  const path = pathOf(ctx, m);
  if (ctx.folded.has(path)) return x;
  if (!m.runningMean || !m.runningVar)
    throw new OnnxExportError(`ONNX export: BatchNorm1d ${path} has no running statistics (trackRunningStats: false), so in eval mode it normalises with batch statistics, which ONNX's BatchNormalization does not`);
  const C = m.numFeatures;
  if (x.dims[1] !== C) throw new OnnxExportError(`ONNX export: BatchNorm1d ${path} expects ${C} channels, got [${x.dims.join(', ')}]`);
  const g = ctx.g;
  const scale = g.f32(`${path}.weight`, [C], m.weight ? m.weight.data() : new Float32Array(C).fill(1));
  const bias = g.f32(`${path}.bias`, [C], m.bias ? m.bias.data() : new Float32Array(C));
  const mean = g.f32(`${path}.running_mean`, [C], m.runningMean.data());
  const v = g.f32(`${path}.running_var`, [C], m.runningVar.data());
  const [y] = g.op('BatchNormalization', [x.name, scale, bias, mean, v], { epsilon: { float: m.eps } }, path);
  return { name: y!, dims: x.dims };
}

function unary(ctx: Ctx, op: string, m: Module, x: Value, attrs: Record<string, OnnxAttr> = {}): Value {
  const [y] = ctx.g.op(op, [x.name], attrs, pathOf(ctx, m));
  return { name: y!, dims: x.dims };
}

function pool(ctx: Ctx, op: 'MaxPool' | 'AveragePool', path: string, x: Value, k: number, s: number, p: number, extra: Record<string, OnnxAttr> = {}): Value {
  checkDims(`${op} ${path}`, x, 3);
  const [y] = ctx.g.op(op, [x.name], { kernel_shape: [k], strides: [s], pads: [p, p], ...extra }, path);
  return { name: y!, dims: [x.dims[0]!, x.dims[1]!, Math.floor((x.dims[2]! + 2 * p - k) / s) + 1] };
}

function adaptiveAvg(ctx: Ctx, path: string, x: Value, n: number): Value {
  checkDims(`AdaptiveAvgPool1d ${path}`, x, 3);
  const L = x.dims[2]!;
  if (L % n === 0) return pool(ctx, 'AveragePool', path, x, L / n, L / n, 0);
  // PyTorch's windows: [floor(i·L/n), ceil((i+1)·L/n)), averaged: x [B, C, L] · P [L, n].
  const P = new Float32Array(L * n);
  for (let i = 0; i < n; i++) {
    const a = Math.floor((i * L) / n), b = Math.ceil(((i + 1) * L) / n);
    for (let j = a; j < b; j++) P[j * n + i] = 1 / (b - a);
  }
  const w = ctx.g.f32(`${path}.windows`, [L, n], P);
  const [y] = ctx.g.op('MatMul', [x.name, w], {}, path);
  return { name: y!, dims: [x.dims[0]!, x.dims[1]!, n] };
}

function globalPool(ctx: Ctx, op: 'GlobalAveragePool' | 'GlobalMaxPool', path: string, x: Value, keepDim: boolean): Value {
  checkDims(`${op} ${path}`, x, 3);
  const [y] = ctx.g.op(op, [x.name], {}, keepDim ? path : `${path}.keepdim`);
  if (keepDim) return { name: y!, dims: [x.dims[0]!, x.dims[1]!, 1] };
  const [z] = ctx.g.op('Flatten', [y!], { axis: 1 }, path);
  return { name: z!, dims: [x.dims[0]!, x.dims[1]!] };
}

/** Reshape with static dims; the batch axis (first) is copied (0). */
function reshape(ctx: Ctx, x: Value, dims: number[], base: string): Value {
  const shape = ctx.g.i64(`${base}.shape`, [dims.length], dims.map((d, i) => (i === 0 && d < 0 ? 0 : d)));
  const [y] = ctx.g.op('Reshape', [x.name, shape], {}, base);
  return { name: y!, dims };
}

function flatten(ctx: Ctx, path: string, x: Value, start: number, end: number): Value {
  const r = x.dims.length;
  const a = start < 0 ? start + r : start, b = end < 0 ? end + r : end;
  if (a === 1 && b === r - 1) {
    const [y] = ctx.g.op('Flatten', [x.name], { axis: 1 }, path);
    return { name: y!, dims: [x.dims[0]!, x.dims.slice(1).reduce((p, d) => p * d, 1)] };
  }
  if (a === 0) throw new OnnxExportError(`ONNX export: Flatten ${path} merges the batch axis, which the exported graph keeps dynamic`);
  return reshape(ctx, x, [...x.dims.slice(0, a), x.dims.slice(a, b + 1).reduce((p, d) => p * d, 1), ...x.dims.slice(b + 1)], path);
}

function transpose(ctx: Ctx, x: Value, perm: number[], base: string): Value {
  const [y] = ctx.g.op('Transpose', [x.name], { perm }, base);
  return { name: y!, dims: perm.map((p) => x.dims[p]!) };
}

/** Gate blocks of H rows, reordered: PyTorch LSTM i f g o → ONNX i o f c; GRU r z n → z r h. */
function reorderGates(v: Float32Array, H: number, order: number[]): Float32Array {
  const block = v.length / order.length;
  const out = new Float32Array(v.length);
  order.forEach((src, dst) => out.set(v.subarray(src * block, (src + 1) * block), dst * block));
  if (block % H !== 0) throw new OnnxExportError('ONNX export: RNN gate blocks do not divide into the hidden size');
  return out;
}

/**
 * An LSTM / GRU on a time-major input [T, B, I]: returns the last layer's sequence [T, B, D·H] and its
 * final hidden state [D, B, H].
 */
function rnnTimeMajor(ctx: Ctx, m: LSTM | GRU, x: Value): { seq: Value; hN: Value } {
  const path = pathOf(ctx, m);
  const lstm = m instanceof LSTM;
  const H = m.hiddenSize, D = m.bidirectional ? 2 : 1, G = (lstm ? 4 : 3) * H;
  const order = lstm ? [0, 3, 1, 2] : [1, 0, 2];
  const params = new Map(m.namedParameters());
  let seq = x;
  let hN: Value = x;
  for (let l = 0; l < m.numLayers; l++) {
    const In = seq.dims[2]!;
    const W = new Float32Array(D * G * In), R = new Float32Array(D * G * H), B = new Float32Array(D * 2 * G);
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d ? '_reverse' : ''}`;
      W.set(reorderGates(params.get(`weight_ih${sfx}`)!.data(), H, order), d * G * In);
      R.set(reorderGates(params.get(`weight_hh${sfx}`)!.data(), H, order), d * G * H);
      const bih = params.get(`bias_ih${sfx}`), bhh = params.get(`bias_hh${sfx}`);
      if (bih) B.set(reorderGates(bih.data(), H, order), d * 2 * G);
      if (bhh) B.set(reorderGates(bhh.data(), H, order), d * 2 * G + G);
    }
    const base = `${path}.l${l}`;
    const w = ctx.g.f32(`${base}.W`, [D, G, In], W), r = ctx.g.f32(`${base}.R`, [D, G, H], R), b = ctx.g.f32(`${base}.B`, [D, 2 * G], B);
    const attrs: Record<string, OnnxAttr> = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward' };
    if (!lstm) attrs.linear_before_reset = 1;
    const [y, yh] = ctx.g.op(lstm ? 'LSTM' : 'GRU', [seq.name, w, r, b], attrs, base, 2);
    const T = seq.dims[0]!;
    // Y [T, D, B, H] → [T, B, D, H] → [T, B, D·H]
    const yt = transpose(ctx, { name: y!, dims: [T, D, -1, H] }, [0, 2, 1, 3], `${base}.Y_t`);
    const shape = ctx.g.i64(`${base}.Y_shape`, [3], [0, 0, D * H]);
    const [ys] = ctx.g.op('Reshape', [yt.name, shape], {}, `${base}.Y`);
    seq = { name: ys!, dims: [T, -1, D * H] };
    hN = { name: yh!, dims: [D, -1, H] };
  }
  return { seq, hN };
}

/** Final hidden states [D, B, H] as ecgrad's returnSequences: false output [B, D·H]. */
function lastState(ctx: Ctx, hN: Value, path: string): Value {
  const t = transpose(ctx, hN, [1, 0, 2], `${path}.h_n_t`);
  const D = hN.dims[0]!, H = hN.dims[2]!;
  return reshape(ctx, t, [-1, D * H], `${path}.last`);
}

/** A batch-first RNN module (x [B, T, I]) exactly as its forward(). */
function rnnModule(ctx: Ctx, m: LSTM | GRU, x: Value): Value {
  const path = pathOf(ctx, m);
  checkDims(`${m.constructor.name} ${path}`, x, 3);
  const tm = transpose(ctx, x, [1, 0, 2], `${path}.time_major`);
  tm.dims = [x.dims[1]!, -1, x.dims[2]!];
  const { seq, hN } = rnnTimeMajor(ctx, m, tm);
  if (!m.returnSequences) return lastState(ctx, hN, path);
  const out = transpose(ctx, seq, [1, 0, 2], path);
  out.dims = [-1, seq.dims[0]!, seq.dims[2]!];
  return out;
}

function residual(ctx: Ctx, m: ResidualBlock1d, x: Value): Value {
  const path = pathOf(ctx, m);
  let h = conv(ctx, m.conv1, x);
  if (m.bn1) h = batchNorm(ctx, m.bn1, h);
  const [r] = ctx.g.op('Relu', [h.name], {}, `${path}.relu1`);
  h = conv(ctx, m.conv2, { name: r!, dims: h.dims });
  if (m.bn2) h = batchNorm(ctx, m.bn2, h);
  const skip = m.shortcut ? emit(ctx, m.shortcut, x) : x;
  const [s] = ctx.g.op('Add', [h.name, skip.name], {}, `${path}.add`);
  const [y] = ctx.g.op('Relu', [s!], {}, path);
  return { name: y!, dims: h.dims };
}

/** A layer (or a Sequential of layers) exactly as its forward() in eval mode. */
function emit(ctx: Ctx, m: Module, x: Value): Value {
  if (m instanceof Sequential) return m.layers.reduce((h, layer) => emit(ctx, layer, h), x);
  if (m instanceof Conv1d) return conv(ctx, m, x);
  if (m instanceof SeparableConv1d) return conv(ctx, m.pointwise, conv(ctx, m.depthwise, x));
  if (m instanceof BatchNorm1d) return batchNorm(ctx, m, x);
  if (m instanceof Linear) return linear(ctx, m, x);
  if (m instanceof Dropout) return x;
  if (m instanceof ReLU) return unary(ctx, 'Relu', m, x);
  if (m instanceof LeakyReLU) return unary(ctx, 'LeakyRelu', m, x, { alpha: { float: m.slope } });
  if (m instanceof ELU) return unary(ctx, 'Elu', m, x, { alpha: { float: m.alpha } });
  if (m instanceof Sigmoid) return unary(ctx, 'Sigmoid', m, x);
  if (m instanceof Tanh) return unary(ctx, 'Tanh', m, x);
  if (m instanceof Softmax) return unary(ctx, 'Softmax', m, x, { axis: m.axis });
  if (m instanceof GELU) {
    // x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (Gelu is an ONNX op only from opset 20)
    const path = pathOf(ctx, m), g = ctx.g;
    const [a] = g.op('Div', [x.name, g.f32(`${path}.sqrt2`, [], [Math.SQRT2])], {}, `${path}.scaled`);
    const [e] = g.op('Erf', [a!], {}, `${path}.erf`);
    const [p] = g.op('Add', [e!, g.f32(`${path}.one`, [], [1])], {}, `${path}.plus1`);
    const [h] = g.op('Mul', [x.name, g.f32(`${path}.half`, [], [0.5])], {}, `${path}.half_x`);
    const [y] = g.op('Mul', [h!, p!], {}, path);
    return { name: y!, dims: x.dims };
  }
  if (m instanceof Flatten) return flatten(ctx, pathOf(ctx, m), x, m.startAxis, m.endAxis);
  if (m instanceof MaxPool1d) return pool(ctx, 'MaxPool', pathOf(ctx, m), x, m.kernelSize, m.stride, m.padding);
  if (m instanceof AvgPool1d) return pool(ctx, 'AveragePool', pathOf(ctx, m), x, m.kernelSize, m.stride, m.padding, { count_include_pad: m.countIncludePad ? 1 : 0 });
  if (m instanceof AdaptiveAvgPool1d) return adaptiveAvg(ctx, pathOf(ctx, m), x, m.outputSize);
  if (m instanceof GlobalAvgPool1d) return globalPool(ctx, 'GlobalAveragePool', pathOf(ctx, m), x, m.keepDim);
  if (m instanceof GlobalMaxPool1d) return globalPool(ctx, 'GlobalMaxPool', pathOf(ctx, m), x, m.keepDim);
  if (m instanceof LSTM || m instanceof GRU) return rnnModule(ctx, m, x);
  if (m instanceof ResidualBlock1d) return residual(ctx, m, x);
  throw new OnnxExportError(`ONNX export: no ONNX mapping for ${m.constructor.name} (${pathOf(ctx, m)}); exportable: the zoo models and Sequential stacks of Conv1d, SeparableConv1d, BatchNorm1d, Linear, pools, activations, Dropout, Flatten, LSTM, GRU, ResidualBlock1d`);
}

function relu(ctx: Ctx, x: Value, base: string): Value {
  const [y] = ctx.g.op('Relu', [x.name], {}, base);
  return { name: y!, dims: x.dims };
}

function joinRR(ctx: Ctx, h: Value, rr: Value | null): Value {
  if (!rr) return h;
  const [y] = ctx.g.op('Concat', [h.name, rr.name], { axis: 1 }, 'features_rr');
  return { name: y!, dims: [-1, h.dims[1]! + rr.dims[1]!] };
}

/** The zoo models' forward passes (src/models/*.ts), in eval mode. */
function emitModel(ctx: Ctx, model: Module, x: Value, rr: Value | null): Value {
  if (model instanceof ANN) {
    let h = joinRR(ctx, flatten(ctx, 'flatten', x, 1, -1), rr);
    for (let k = 0; k < model.drops.length; k++) h = relu(ctx, linear(ctx, model.layers[k]!, h), `${pathOf(ctx, model.layers[k]!)}.relu`);
    return linear(ctx, model.layers[model.layers.length - 1]!, h);
  }
  if (model instanceof CNN || model instanceof FTCNN) {
    const h0 = model instanceof FTCNN ? concatChannels(ctx, model.branches.map((b) => emit(ctx, b, x)), 'branches') : x;
    const h = joinRR(ctx, emit(ctx, model.features, h0), rr);
    return linear(ctx, model.fc2, relu(ctx, linear(ctx, model.fc1, h), 'fc1.relu'));
  }
  if (model instanceof KachueeResNet) {
    let h = conv(ctx, model.stem, x);
    model.blocks.forEach((b) => (h = pool(ctx, 'MaxPool', `${pathOf(ctx, b)}.pool`, residual(ctx, b, h), model.pool.kernelSize, model.pool.stride, model.pool.padding)));
    h = joinRR(ctx, flatten(ctx, 'flatten', h, 1, -1), rr);
    h = relu(ctx, linear(ctx, model.fc1, h), 'fc1.relu');
    h = relu(ctx, linear(ctx, model.fc2, h), 'fc2.relu');
    return linear(ctx, model.fc3, h);
  }
  if (model instanceof RecurrentClassifier) {
    const seq = model.frontEnd ? emit(ctx, model.frontEnd, x) : x; // [B, F, T]
    const tm = transpose(ctx, seq, [2, 0, 1], 'rnn.time_major'); // [T, B, F]
    const { seq: y, hN } = rnnTimeMajor(ctx, model.rnn, tm);
    let h: Value;
    if (model.readout === 'pool') {
      const [mean] = ctx.g.op('ReduceMean', [y.name], { axes: [0], keepdims: 0 }, 'rnn.mean');
      const [max] = ctx.g.op('ReduceMax', [y.name], { axes: [0], keepdims: 0 }, 'rnn.max');
      const [c] = ctx.g.op('Concat', [mean!, max!], { axis: 1 }, 'rnn.pooled');
      h = { name: c!, dims: [-1, 2 * y.dims[2]!] };
    } else h = lastState(ctx, hN, 'rnn');
    h = joinRR(ctx, h, rr);
    return linear(ctx, model.fc2, relu(ctx, linear(ctx, model.fc1, h), 'fc1.relu'));
  }
  if (model instanceof ArrhythmiNet) return linear(ctx, model.fc, joinRR(ctx, emit(ctx, model.features, x), rr));
  if (model instanceof StdCNN || model instanceof DSCNN) return emit(ctx, model.head, emit(ctx, model.features, x));
  if (model instanceof LSTMNet) return linear(ctx, model.fc, emit(ctx, model.lstm, transpose(ctx, x, [0, 2, 1], 'sequence')));
  if (rr) throw new OnnxExportError(`ONNX export: ${model.constructor.name} is not a zoo model, so its use of RR features is unknown`);
  return emit(ctx, model, x);
}

function concatChannels(ctx: Ctx, parts: Value[], base: string): Value {
  const [y] = ctx.g.op('Concat', parts.map((p) => p.name), { axis: 1 }, base);
  return { name: y!, dims: [-1, parts.reduce((a, p) => a + p.dims[1]!, 0), parts[0]!.dims[2]!] };
}

/** The model (in eval-mode semantics) as ONNX ModelProto bytes; see the file header. */
export function exportOnnx(model: Module, opts: OnnxExportOptions): Uint8Array {
  const { channels, length } = opts.input;
  const rrFeatures = opts.input.rrFeatures ?? 0;
  for (const [k, v] of [['channels', channels], ['length', length]] as const)
    if (!Number.isInteger(v) || v < 1) throw new OnnxExportError(`ONNX export: input.${k} must be a positive integer, got ${v}`);
  if (!Number.isInteger(rrFeatures) || rrFeatures < 0) throw new OnnxExportError(`ONNX export: input.rrFeatures must be a non-negative integer, got ${rrFeatures}`);
  const quant = new Map((opts.quant?.layers ?? []).map((l) => [l.name, l]));
  const ctx: Ctx = {
    g: new Graph(), paths: new Map([...model.namedModules()].map(([p, m]) => [m, p])), quant,
    folded: new Set((opts.quant?.layers ?? []).filter((l) => l.foldedBn).map((l) => l.foldedBn!)),
    quantizer: opts.quantizer ?? 'exact',
  };
  if (ctx.quantizer !== 'exact' && ctx.quantizer !== 'standard') throw new OnnxExportError(`ONNX export: quantizer must be 'exact' or 'standard', got ${String(ctx.quantizer)}`);
  const names = new Set([...model.namedModules()].map(([p]) => p));
  for (const l of quant.keys()) if (!names.has(l)) throw new OnnxExportError(`ONNX export: the quantisation plan names a layer ${l} the model lacks`);
  ctx.g.unique('x');
  const x: Value = { name: 'x', dims: [-1, channels, length] };
  const rr: Value | null = rrFeatures ? { name: ctx.g.unique('rr'), dims: [-1, rrFeatures] } : null;
  const out = emitModel(ctx, model, x, rr);
  if (out.dims.length !== 2) throw new OnnxExportError(`ONNX export: the model's output is [${out.dims.join(', ')}], not [batch, classes]`);
  // Name the outputs: an Identity keeps the graph valid whatever produced the value.
  ctx.g.op('Identity', [out.name], {}, 'logits');
  const outputs: OnnxValueInfo[] = [{ name: 'logits', type: OnnxType.FLOAT, dims: ['batch', out.dims[1]!] }];
  if (opts.probabilities) {
    ctx.g.op('Softmax', ['logits'], { axis: 1 }, 'probabilities');
    outputs.push({ name: 'probabilities', type: OnnxType.FLOAT, dims: ['batch', out.dims[1]!] });
  }
  const inputs: OnnxValueInfo[] = [{ name: 'x', type: OnnxType.FLOAT, dims: ['batch', channels, length] }];
  if (rr) inputs.push({ name: 'rr', type: OnnxType.FLOAT, dims: ['batch', rrFeatures] });
  return encodeOnnxModel({
    irVersion: ONNX_IR_VERSION, opset: ONNX_OPSET, producer: 'ecgrad', producerVersion: '0.1.0', doc: opts.doc ?? '',
    graphName: opts.name ?? model.constructor.name, nodes: ctx.g.nodes, initializers: ctx.g.initializers, inputs, outputs,
  });
}

/** What modelFileToOnnx exported. */
export interface OnnxFromFile {
  onnx: Uint8Array;
  arch: string;
  quantized: boolean;
  input: { channels: number; length: number; rrFeatures: number };
  classes: number;
}

/**
 * A model file (.ecgm float, or .ecgq int8 as QDQ) as ONNX. The input shape comes from the file's config
 * (the zoo models' ModelInput: channels, length, rrFeatures), or from `input`.
 */
export function modelFileToOnnx(bytes: Uint8Array, source = '(bytes)', opts: Partial<Pick<OnnxExportOptions, 'input' | 'probabilities' | 'quantizer'>> = {}): OnnxFromFile {
  const quantized = isQuantizedModelFile(bytes);
  const { model, header } = quantized ? quantizedModelFromBytes(bytes, source) : modelFromBytes(bytes, source);
  const plan = quantized ? decodeQuantizedModel(bytes, source).plan : undefined;
  const c = header.config as Record<string, unknown>;
  const input = opts.input ?? { channels: c.channels as number, length: c.length as number, rrFeatures: (c.rrFeatures as number | undefined) ?? 0 };
  if (!Number.isInteger(input.channels) || !Number.isInteger(input.length))
    throw new OnnxExportError(`ONNX export: ${source}'s config gives no channels and length for the graph's input; give them`);
  const doc = `ecgrad ${header.arch}${quantized ? ' (int8, QDQ)' : ''} from ${source}; config ${JSON.stringify(header.config)}`;
  const onnx = exportOnnx(model.eval(), { input, quant: plan, probabilities: opts.probabilities, quantizer: opts.quantizer, name: header.arch, doc });
  return { onnx, arch: header.arch, quantized, input: { ...input, rrFeatures: input.rrFeatures ?? 0 }, classes: (c.classes as number | undefined) ?? 0 };
}
