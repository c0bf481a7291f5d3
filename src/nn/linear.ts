// Linear: y = x·Wᵀ + b over the last axis. Weight [out, in] (PyTorch layout), bias [out].
// One GEMM (NT) forward; the gradients are GEMMs too (src/ops/matmul.ts linear()).
import { Module } from './module.ts';
import type { Tensor } from '../core/tensor.ts';
import { fmt } from '../core/shape.ts';
import { linear } from '../ops/matmul.ts';
import { defaultBias, initWeight, layerRng, type InitName } from './init.ts';

/** Options of Linear: bias (default true), and the seed and init of the weights. */
export interface LinearOptions {
  bias?: boolean;
  seed?: number;
  init?: InitName;
}

/**
 * Fully connected layer: y = x·Wᵀ + b over the last axis ([..., in] → [..., out]), weight [out, in], bias
 * [out], PyTorch's default init. The constructor throws a RangeError for sizes that are not positive
 * integers.
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    for (const [k, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const)
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Linear: ${k} must be a positive integer, got ${v}`);
    const rng = layerRng(opts.seed);
    this.weight = this.param('weight', initWeight(opts.init ?? 'default', [outFeatures, inFeatures], inFeatures, outFeatures, rng));
    this.bias = opts.bias === false ? null : this.param('bias', defaultBias([outFeatures], inFeatures, rng));
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures)
      throw new RangeError(`Linear(${this.inFeatures}, ${this.outFeatures}): input of shape ${fmt(x.shape)} must end in ${this.inFeatures} features`);
    return linear(x, this.weight, this.bias);
  }
}
