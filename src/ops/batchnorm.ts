// Batch normalisation over [B, C, L] (or [B, C]) with the fused kernels of assembly/batchnorm.ts:
// forward computes per-channel batch statistics and the normalised output channel by channel (mean pass,
// corrected-variance pass, output pass, all over cache-resident channel data), updating the running
// statistics in place; backward gives dx, dγ, dβ in two passes per channel:
//   dx = (γ/σ)·(dy − mean(dy) − x̂·mean(dy·x̂)),  dγ = Σ dy·x̂,  dβ = Σ dy   (training)
//   dx = (γ/σ)·dy with σ from the running variance                       (eval)
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { backend } from '../core/runtime.ts';
import { fmt } from '../core/shape.ts';
import { empty } from './creation.ts';

/**
 * Options of the batchNorm op (exported from the root as BatchNormFnOptions): affine weight and bias [C],
 * running statistics and whether to use batch or running statistics.
 */
export interface BatchNormOptions {
  /** Running mean [C] (updated in place when training). */
  runningMean?: Tensor | null;
  /** Running variance [C] (updated in place when training; unbiased batch variance). */
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Batch statistics (true) or the running statistics (false). Default true. */
  training?: boolean;
  /** Running-statistics factor: new = (1 − momentum)·old + momentum·batch. Default 0.1. */
  momentum?: number;
  eps?: number;
  /** Name used in error messages. */
  name?: string;
}

/** PyTorch's F.batch_norm for [B, C, L] or [B, C] inputs (see the file header). */
export function batchNorm(x: Tensor, opts: BatchNormOptions = {}): Tensor {
  const name = opts.name ?? 'batchNorm';
  if (!(x instanceof Tensor)) throw new TypeError(`${name}: input must be a Tensor`);
  if (x.ndim !== 2 && x.ndim !== 3)
    throw new RangeError(`${name}: expected a 2-D [batch, channels] or 3-D [batch, channels, length] input, got shape ${fmt(x.shape)}`);
  const [B, C] = x.shape as [number, number];
  const L = x.ndim === 3 ? x.shape[2]! : 1;
  const training = opts.training ?? true;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  const w = opts.weight ?? null, b = opts.bias ?? null;
  const rm = opts.runningMean ?? null, rv = opts.runningVar ?? null;
  for (const [k, t] of [['weight', w], ['bias', b], ['runningMean', rm], ['runningVar', rv]] as const)
    if (t && (t.ndim !== 1 || t.shape[0] !== C))
      throw new RangeError(`${name}: ${k} has shape ${fmt(t.shape)} but the input ${fmt(x.shape)} has ${C} channels (expected [${C}])`);
  if (!rm !== !rv) throw new RangeError(`${name}: give both runningMean and runningVar, or neither`);
  if (!training && !rm) throw new RangeError(`${name}: eval mode needs runningMean and runningVar`);
  if (!Number.isFinite(eps) || eps < 0) throw new RangeError(`${name}: eps must be a finite number >= 0, got ${eps}`);
  if (!Number.isFinite(momentum)) throw new RangeError(`${name}: momentum must be finite, got ${momentum}`);
  if (training && B * L <= 1)
    throw new RangeError(`${name}: expected more than 1 value per channel when training, got input of shape ${fmt(x.shape)}`);
  const out = empty(x.shape);
  const mean = empty([C]), invstd = empty([C]);
  const k = backend().k;
  if (C > 0)
    k.batchNormForward(
      x.ptr, out.ptr, w ? w.ptr : 0, b ? b.ptr : 0, rm ? rm.ptr : 0, rm ? rv!.ptr : 0, mean.ptr, invstd.ptr,
      B, C, L, eps, momentum, training ? 1 : 0,
    );
  const inputs = [x];
  if (w) inputs.push(w);
  if (b) inputs.push(b);
  return record(out, name, inputs, (g, needs) => {
    const dx = needs[0] ? empty(x.shape) : null;
    const dw = w && needs[1] ? empty([C]) : null;
    const db = b && needs[w ? 2 : 1] ? empty([C]) : null;
    if (C > 0)
      k.batchNormBackward(
        x.ptr, g.ptr, dx ? dx.ptr : 0, w ? w.ptr : 0, mean.ptr, invstd.ptr, dw ? dw.ptr : 0, db ? db.ptr : 0,
        B, C, L, training ? 1 : 0,
      );
    const grads: (Tensor | null)[] = [dx];
    if (w) grads.push(dw);
    if (b) grads.push(db);
    return grads;
  });
}
