// Adam (Kingma & Ba 2015) with bias correction, and AdamW (Loshchilov & Hutter 2019: decoupled weight
// decay), exactly as torch.optim.Adam / AdamW; one fused kernel per parameter (adamStep).
import type { Tensor } from '../core/tensor.ts';
import { backend } from '../core/runtime.ts';
import { Optimizer, checkHyper, type Params } from './optimizer.ts';

/** Hyperparameters of Adam and AdamW: lr, betas [β1, β2], eps and weightDecay. */
export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * Adam with bias correction, as torch.optim.Adam (weight decay added to the gradient; default lr 1e-3, betas
 * [0.9, 0.999], eps 1e-8, no decay). One fused kernel per parameter; moments in persistent wasm memory. The
 * constructor throws a RangeError for a hyperparameter out of range.
 */
export class Adam extends Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly m: (Tensor | null)[];
  private readonly v: (Tensor | null)[];
  private readonly steps: number[];

  constructor(params: Params, opts: AdamOptions = {}, protected readonly decoupled = false) {
    super(params, decoupled ? 'AdamW' : 'Adam');
    this.lr = opts.lr ?? 1e-3;
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? (decoupled ? 1e-2 : 0);
    checkHyper(this.name, 'lr', this.lr);
    checkHyper(this.name, 'beta1', this.beta1, 0, 0.999999);
    checkHyper(this.name, 'beta2', this.beta2, 0, 0.999999999);
    checkHyper(this.name, 'eps', this.eps);
    checkHyper(this.name, 'weightDecay', this.weightDecay);
    this.m = this.params.map(() => null);
    this.v = this.params.map(() => null);
    this.steps = this.params.map(() => 0);
  }

  protected override stateBuffers(): Record<string, (Tensor | null)[]> {
    return { m: this.m, v: this.v };
  }

  protected override stateCounters(): Record<string, number[]> {
    return { steps: this.steps };
  }

  protected update(p: Tensor, g: Tensor, i: number): void {
    const m = (this.m[i] ??= this.stateFor(p));
    const v = (this.v[i] ??= this.stateFor(p));
    const t = ++this.steps[i]!;
    backend().k.adamStep(
      p.ptr, g.ptr, m.ptr, v.ptr, p.size, this.lr, this.beta1, this.beta2, this.eps, this.decayFor(i, this.weightDecay),
      this.decoupled ? 1 : 0, 1 - this.beta1 ** t, 1 - this.beta2 ** t,
    );
  }
}

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter), as torch.optim.AdamW (default weightDecay
 * 0.01).
 */
export class AdamW extends Adam {
  constructor(params: Params, opts: AdamOptions = {}) {
    super(params, opts, true);
  }
}
