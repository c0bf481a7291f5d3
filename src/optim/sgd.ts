// Stochastic gradient descent with momentum, dampening, Nesterov momentum and (coupled) weight decay,
// exactly as torch.optim.SGD; one fused kernel per parameter (sgdStep).
import type { Tensor } from '../core/tensor.ts';
import { backend } from '../core/runtime.ts';
import { Optimizer, checkHyper, type Params } from './optimizer.ts';

/**
 * Hyperparameters of SGD: lr (required), momentum, dampening, weightDecay (default 0) and nesterov (default
 * false).
 */
export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and (coupled) weight decay, exactly
 * as torch.optim.SGD; one fused kernel per parameter. The constructor throws a RangeError for a
 * hyperparameter out of range, or Nesterov without momentum > 0 and dampening 0.
 */
export class SGD extends Optimizer {
  lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly buffers: (Tensor | null)[];

  constructor(params: Params, opts: SGDOptions) {
    super(params, 'SGD');
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    checkHyper('SGD', 'lr', this.lr);
    checkHyper('SGD', 'momentum', this.momentum);
    checkHyper('SGD', 'dampening', this.dampening, 0, 1);
    checkHyper('SGD', 'weightDecay', this.weightDecay);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0))
      throw new RangeError('SGD: Nesterov momentum requires momentum > 0 and dampening = 0');
    this.buffers = this.params.map(() => null);
  }

  protected override stateBuffers(): Record<string, (Tensor | null)[]> {
    return { momentum: this.buffers };
  }

  protected update(p: Tensor, g: Tensor, i: number): void {
    let first = 0;
    if (this.momentum !== 0 && !this.buffers[i]) {
      this.buffers[i] = this.stateFor(p);
      first = 1;
    }
    const buf = this.buffers[i];
    backend().k.sgdStep(
      p.ptr, g.ptr, buf ? buf.ptr : 0, p.size, this.lr, this.momentum, this.dampening, this.decayFor(i, this.weightDecay),
      this.nesterov ? 1 : 0, first,
    );
  }
}
