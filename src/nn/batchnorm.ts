// BatchNorm1d over [B, C, L] or [B, C] (PyTorch's nn.BatchNorm1d). Parameters `weight` (γ, ones) and
// `bias` (β, zeros) when affine; buffers `runningMean` (PyTorch: running_mean, zeros), `runningVar`
// (running_var, ones) and `numBatchesTracked` (num_batches_tracked, stored as a float) when
// trackRunningStats. Training normalises with the batch mean and biased variance and updates the running
// statistics in place (running_var gets the unbiased variance); eval uses the running statistics.
// momentum null = cumulative moving average (factor 1/numBatchesTracked), as PyTorch.
import { Module } from './module.ts';
import type { Tensor } from '../core/tensor.ts';
import { fmt } from '../core/shape.ts';
import { full } from '../ops/creation.ts';
import { batchNorm } from '../ops/batchnorm.ts';

/**
 * Options of BatchNorm1d: eps (default 1e-5), momentum (default 0.1; null for a cumulative average), affine
 * and trackRunningStats (default true).
 */
export interface BatchNormOptions {
  eps?: number;
  /** Default 0.1; null for a cumulative moving average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over [B, C, L] or [B, C], as PyTorch's nn.BatchNorm1d: weight (γ) and bias (β) [C] when
 * affine, running statistics as buffers when trackRunningStats. Training uses the batch mean and biased
 * variance and updates the running statistics in place; eval uses the running statistics. The constructor
 * throws a RangeError for a numFeatures that is not a positive integer.
 */
export class BatchNorm1d extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1)
      throw new RangeError(`BatchNorm1d: numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    if (!Number.isFinite(this.eps) || this.eps <= 0) throw new RangeError(`BatchNorm1d: eps must be a positive number, got ${this.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1))
      throw new RangeError(`BatchNorm1d: momentum must be in [0, 1] or null, got ${this.momentum}`);
    const affine = opts.affine ?? true;
    const track = opts.trackRunningStats ?? true;
    this.weight = affine ? this.param('weight', full([numFeatures], 1)) : null;
    this.bias = affine ? this.param('bias', full([numFeatures], 0)) : null;
    this.runningMean = track ? this.buffer('runningMean', full([numFeatures], 0)) : null;
    this.runningVar = track ? this.buffer('runningVar', full([numFeatures], 1)) : null;
    this.numBatchesTracked = track ? this.buffer('numBatchesTracked', full([], 0)) : null;
  }

  forward(x: Tensor): Tensor {
    const C = this.numFeatures;
    const name = `BatchNorm1d(${C})`;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== C)
      throw new RangeError(`${name}: expected input of shape [batch, ${C}] or [batch, ${C}, length], got ${fmt(x.shape)}`);
    const useBatch = this.training || !this.runningMean;
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked) {
      const n = Math.fround(this.numBatchesTracked.item() + 1);
      this.numBatchesTracked.assign_([n]);
      if (this.momentum === null) factor = 1 / n;
    }
    return batchNorm(x, {
      runningMean: this.training ? this.runningMean : useBatch ? null : this.runningMean,
      runningVar: this.training ? this.runningVar : useBatch ? null : this.runningVar,
      weight: this.weight,
      bias: this.bias,
      training: useBatch,
      momentum: factor,
      eps: this.eps,
      name,
    });
  }
}
