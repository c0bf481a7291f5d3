// Convolution layers (PyTorch layout NCL): Conv1d and SeparableConv1d (depthwise + pointwise).
// Weight [out, in/groups, K], bias [out]; PyTorch's default init: Kaiming uniform with a = sqrt(5)
// (bound = 1/sqrt(fan_in)) and bias U(±1/sqrt(fan_in)), fan_in = in/groups·K. Kernels: src/ops/conv1d.ts.
import { Module } from './module.ts';
import type { Tensor } from '../core/tensor.ts';
import { fmt } from '../core/shape.ts';
import { checkConv1dOptions, conv1d, type Conv1dPadding } from '../ops/conv1d.ts';
import { defaultBias, initWeight, layerRng, type InitName } from './init.ts';

/**
 * Options of Conv1d: stride, padding, dilation and groups (as conv1d), bias, and the seed and init of the
 * weights.
 */
export interface Conv1dLayerOptions {
  stride?: number;
  /** A number (both sides), 'valid' (0) or 'same' (stride 1 only). Default 0. */
  padding?: Conv1dPadding;
  dilation?: number;
  groups?: number;
  /** Learnable bias (default true). */
  bias?: boolean;
  seed?: number;
  init?: InitName;
}

function positive(v: unknown, what: string, label: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`${label}: ${what} must be a positive integer, got ${String(v)}`);
}

/**
 * 1-D convolution layer over [B, C_in, L] (PyTorch's nn.Conv1d layout): weight [C_out, C_in/groups, K], bias
 * [C_out], PyTorch's default init (Kaiming uniform with a = √5). Output length ⌊(L + 2·padding − dilation·(K
 * − 1) − 1)/stride⌋ + 1. The constructor throws a RangeError for invalid sizes or a groups that does not
 * divide both channel counts.
 */
export class Conv1d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly padding: Conv1dPadding;
  readonly dilation: number;
  readonly groups: number;
  private readonly label: string;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, opts: Conv1dLayerOptions = {}) {
    super();
    this.padding = opts.padding ?? 0;
    this.label = `Conv1d(${inChannels}, ${outChannels}, kernel_size=${kernelSize}${opts.stride && opts.stride !== 1 ? `, stride=${opts.stride}` : ''}` +
      `${this.padding !== 0 ? `, padding=${typeof this.padding === 'string' ? `'${this.padding}'` : this.padding}` : ''}` +
      `${opts.dilation && opts.dilation !== 1 ? `, dilation=${opts.dilation}` : ''}${opts.groups && opts.groups !== 1 ? `, groups=${opts.groups}` : ''})`;
    positive(inChannels, 'inChannels', this.label);
    positive(outChannels, 'outChannels', this.label);
    positive(kernelSize, 'kernelSize', this.label);
    [this.stride, this.dilation, this.groups] = checkConv1dOptions(opts, this.label);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0)
      throw new RangeError(`${this.label}: groups = ${this.groups} must divide both inChannels (${inChannels}) and outChannels (${outChannels})`);
    const fanIn = (inChannels / this.groups) * kernelSize;
    const rng = layerRng(opts.seed);
    const shape = [outChannels, inChannels / this.groups, kernelSize];
    this.weight = this.param('weight', initWeight(opts.init ?? 'default', shape, fanIn, (outChannels / this.groups) * kernelSize, rng));
    this.bias = opts.bias === false ? null : this.param('bias', defaultBias([outChannels], fanIn, rng));
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[1] !== this.inChannels)
      throw new RangeError(`${this.label}: expected input [batch, ${this.inChannels}, length], got ${fmt(x.shape)}`);
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups }, this.label);
  }
}

/**
 * Options of SeparableConv1d: the depthwise convolution's geometry and multiplier, the biases, and the seed
 * and init.
 */
export interface SeparableConv1dOptions {
  stride?: number;
  padding?: Conv1dPadding;
  dilation?: number;
  /** Depthwise output channels per input channel (default 1). */
  depthMultiplier?: number;
  /** Bias on both convolutions (default true); depthwiseBias / pointwiseBias override it per part. */
  bias?: boolean;
  depthwiseBias?: boolean;
  pointwiseBias?: boolean;
  /** The depthwise part uses `seed`, the pointwise part `seed + 1`. */
  seed?: number;
}

/**
 * Depthwise-separable 1-D convolution: a depthwise Conv1d(in, in·m, K, groups = in) followed by a
 * pointwise Conv1d(in·m, out, 1). Costs (in·m·K + in·m·out) multiply-adds per output position instead of
 * in·out·K.
 */
export class SeparableConv1d extends Module {
  readonly depthwise: Conv1d;
  readonly pointwise: Conv1d;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, opts: SeparableConv1dOptions = {}) {
    super();
    const mult = opts.depthMultiplier ?? 1;
    const label = `SeparableConv1d(${inChannels}, ${outChannels}, kernel_size=${kernelSize})`;
    positive(inChannels, 'inChannels', label);
    positive(mult, 'depthMultiplier', label);
    const seed = opts.seed;
    this.depthwise = this.child('depthwise', new Conv1d(inChannels, inChannels * mult, kernelSize, {
      stride: opts.stride, padding: opts.padding, dilation: opts.dilation, groups: inChannels,
      bias: opts.depthwiseBias ?? opts.bias ?? true, seed,
    }));
    this.pointwise = this.child('pointwise', new Conv1d(inChannels * mult, outChannels, 1, {
      bias: opts.pointwiseBias ?? opts.bias ?? true, seed: seed === undefined ? undefined : seed + 1,
    }));
  }

  forward(x: Tensor): Tensor {
    return this.pointwise.forward(this.depthwise.forward(x));
  }
}
