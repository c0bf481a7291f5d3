// Base of the optimizers: holds the parameters, zeroes their gradients, and keeps per-parameter state
// (momentum, moments) in persistent wasm memory. Updates run as fused in-place kernels (assembly/optim.ts).
import { Tensor } from '../core/tensor.ts';
import { allocStorage } from '../core/memory.ts';
import { backend } from '../core/runtime.ts';

export abstract class Optimizer {
  readonly params: Tensor[];
  /** Number of step() calls so far. */
  stepCount = 0;

  constructor(params: Iterable<Tensor>, readonly name: string) {
    this.params = [...params];
    if (this.params.length === 0) throw new RangeError(`${name}: got no parameters to optimise`);
    this.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${name}: parameter ${i} is not a Tensor`);
      if (!p.requiresGrad) throw new RangeError(`${name}: parameter ${i} (shape [${p.shape.join(', ')}]) does not require gradients`);
      if (p.node) throw new RangeError(`${name}: parameter ${i} is a computed tensor, not a leaf`);
    });
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
