// ResidualBlock1d: the basic residual block of He et al. (2016) in 1-D,
//
//   y = relu( bn2(conv2( relu( bn1(conv1(x)) ) )) + shortcut(x) )
//
// conv1: Conv1d(in, out, K, stride), conv2: Conv1d(out, out, K), both padded by dilation·(K − 1)/2 so a
// stride-1 block keeps the length (K must be odd). shortcut: the identity when in = out and stride = 1,
// otherwise (or with projection: 'always') a 1x1 projection Conv1d(in, out, 1, stride) (+ BN when the
// block has BN). batchNorm: false gives the block of Kachuee et al. (2018) (conv-relu-conv, add, relu),
// whose convolutions keep their biases; with BN (the default) the convolutions have no bias, as BN's β
// takes that role. Children: conv1, bn1, conv2, bn2, shortcut (only the ones that exist).
import { Module } from './module.ts';
import type { Tensor } from '../core/tensor.ts';
import { fmt } from '../core/shape.ts';
import { Conv1d } from './conv.ts';
import { BatchNorm1d } from './batchnorm.ts';
import { Sequential } from './sequential.ts';
import type { InitName } from './init.ts';

/** Options of ResidualBlock1d: stride, dilation, BatchNorm, the projection rule, and the seed and init. */
export interface ResidualBlockOptions {
  /** Stride of conv1 and the projection (default 1). */
  stride?: number;
  dilation?: number;
  /** BatchNorm after each convolution (and the projection). Default true. */
  batchNorm?: boolean;
  /** 'auto' (default): project only when the shape changes; 'always': a 1x1 projection even when it does not. */
  projection?: 'auto' | 'always';
  /** conv1 uses seed, conv2 seed + 1, the projection seed + 2. */
  seed?: number;
  /** Weight init of the convolutions (default: PyTorch's, 'default'). */
  init?: InitName;
}

/**
 * The basic residual block of He et al. (2016) in 1-D: y = relu(bn2(conv2(relu(bn1(conv1(x))))) +
 * shortcut(x)), the shortcut the identity or a 1x1 projection (with BatchNorm) when the shape changes.
 * Convolutions are padded so a stride-1 block keeps the length (kernelSize must be odd).
 */
export class ResidualBlock1d extends Module {
  readonly conv1: Conv1d;
  readonly bn1: BatchNorm1d | null;
  readonly conv2: Conv1d;
  readonly bn2: BatchNorm1d | null;
  /** null = identity. */
  readonly shortcut: Module | null;
  private readonly label: string;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, opts: ResidualBlockOptions = {}) {
    super();
    const stride = opts.stride ?? 1;
    const dilation = opts.dilation ?? 1;
    const bn = opts.batchNorm ?? true;
    this.label = `ResidualBlock1d(${inChannels}, ${outChannels}, kernel_size=${kernelSize}${stride !== 1 ? `, stride=${stride}` : ''})`;
    if (!Number.isInteger(kernelSize) || kernelSize < 1 || kernelSize % 2 === 0)
      throw new RangeError(`${this.label}: kernelSize must be an odd positive integer (so the padding keeps the length), got ${kernelSize}`);
    const seed = opts.seed;
    const s = (k: number) => (seed === undefined ? undefined : seed + k);
    const padding = (dilation * (kernelSize - 1)) / 2;
    this.conv1 = this.child('conv1', new Conv1d(inChannels, outChannels, kernelSize, { stride, padding, dilation, bias: !bn, seed: s(0), init: opts.init }));
    this.bn1 = bn ? this.child('bn1', new BatchNorm1d(outChannels)) : null;
    this.conv2 = this.child('conv2', new Conv1d(outChannels, outChannels, kernelSize, { padding, dilation, bias: !bn, seed: s(1), init: opts.init }));
    this.bn2 = bn ? this.child('bn2', new BatchNorm1d(outChannels)) : null;
    const project = opts.projection === 'always' || inChannels !== outChannels || stride !== 1;
    if (opts.projection !== undefined && opts.projection !== 'auto' && opts.projection !== 'always')
      throw new RangeError(`${this.label}: projection must be 'auto' or 'always', got ${String(opts.projection)}`);
    if (project) {
      const proj = new Conv1d(inChannels, outChannels, 1, { stride, bias: !bn, seed: s(2), init: opts.init });
      this.shortcut = this.child('shortcut', bn ? new Sequential(proj, new BatchNorm1d(outChannels)) : proj);
    } else this.shortcut = null;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[1] !== this.inChannels)
      throw new RangeError(`${this.label}: expected input [batch, ${this.inChannels}, length], got ${fmt(x.shape)}`);
    let h = this.conv1.forward(x);
    if (this.bn1) h = this.bn1.forward(h);
    h = this.conv2.forward(h.relu());
    if (this.bn2) h = this.bn2.forward(h);
    const skip = this.shortcut ? this.shortcut.forward(x) : x;
    return h.add(skip).relu();
  }
}
