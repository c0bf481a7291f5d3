// Base of the optimizers: holds the parameters, zeroes their gradients, and keeps per-parameter state
// (momentum, moments) in persistent wasm memory. Updates run as fused in-place kernels (assembly/optim.ts).
import { Tensor } from '../core/tensor.ts';
import { allocStorage } from '../core/memory.ts';
import { backend } from '../core/runtime.ts';

/** A group of parameters with its own weight decay (e.g. none for biases and norm parameters). */
export interface ParamGroup {
  params: Iterable<Tensor>;
  weightDecay?: number;
}

export type Params = Iterable<Tensor> | ParamGroup[];

export abstract class Optimizer {
  readonly params: Tensor[];
  /** Per-parameter weight decay overrides from parameter groups (undefined: the optimizer's own). */
  protected readonly decayOverride: (number | undefined)[] = [];
  /** Number of step() calls so far. */
  stepCount = 0;
  /** Learning rate (schedulers set it). */
  abstract lr: number;

  constructor(params: Params, readonly name: string) {
    const list = [...(params as Iterable<Tensor | ParamGroup>)];
    this.params = [];
    for (const item of list) {
      if (item instanceof Tensor) {
        this.params.push(item);
        this.decayOverride.push(undefined);
      } else if (item && typeof item === 'object' && 'params' in item) {
        if (item.weightDecay !== undefined) checkHyper(name, 'weightDecay of a parameter group', item.weightDecay);
        for (const p of item.params) {
          this.params.push(p);
          this.decayOverride.push(item.weightDecay);
        }
      } else {
        this.params.push(item as Tensor);
        this.decayOverride.push(undefined);
      }
    }
    if (this.params.length === 0) throw new RangeError(`${name}: got no parameters to optimise`);
    this.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${name}: parameter ${i} is not a Tensor`);
      if (!p.requiresGrad) throw new RangeError(`${name}: parameter ${i} (shape [${p.shape.join(', ')}]) does not require gradients`);
      if (p.node) throw new RangeError(`${name}: parameter ${i} is a computed tensor, not a leaf`);
    });
    if (new Set(this.params).size !== this.params.length) throw new RangeError(`${name}: a parameter appears more than once`);
  }

  /** The weight decay that applies to parameter i. */
  protected decayFor(i: number, base: number): number {
    return this.decayOverride[i] ?? base;
  }

  /** Sets every parameter's gradient to zero (the gradient memory is reused). */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.stepCount++;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i]!;
      if (p.grad) this.update(p, p.grad, i);
    }
  }

  protected abstract update(p: Tensor, g: Tensor, index: number): void;

  /** A zero-filled persistent state buffer for parameter `p`. */
  protected stateFor(p: Tensor): Tensor {
    const t = new Tensor(p.shape, allocStorage(p.size, true));
    backend().k.fill(t.ptr, t.size, 0);
    return t;
  }
}

export function checkHyper(name: string, field: string, v: number, min = 0, max = Infinity): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw new RangeError(`${name}: ${field} must be a finite number in [${min}, ${max}], got ${v}`);
}
