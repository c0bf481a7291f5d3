// Base of the optimizers: holds the parameters, zeroes their gradients, and keeps per-parameter state
// (momentum, moments) in persistent wasm memory. Updates run as fused in-place kernels (assembly/optim.ts).
import '../wasm/full-kernels.ts'; // optimizer steps and backward kernels (src/wasm/source.ts)
import { Tensor } from '../core/tensor.ts';
import { zeros } from '../ops/creation.ts';

/** A group of parameters with its own weight decay (e.g. none for biases and norm parameters). */
export interface ParamGroup {
  params: Iterable<Tensor>;
  weightDecay?: number;
}

/**
 * What an optimizer optimises: tensors (e.g. module.parameters()) or parameter groups with their own weight
 * decay.
 */
export type Params = Iterable<Tensor> | ParamGroup[];

/**
 * A snapshot of an optimizer's state (for resumable checkpoints): per-parameter state buffers by slot
 * (Adam: m, v; SGD: momentum), null where a parameter has no state yet, and per-parameter counters
 * (Adam: steps). Values are copies.
 */
export interface OptimizerState {
  name: string;
  stepCount: number;
  lr: number;
  buffers: Record<string, (Float32Array | null)[]>;
  counters: Record<string, number[]>;
}

/**
 * The base of the optimizers: holds the parameters (tensors or parameter groups with their own weight decay),
 * zeroes their gradients, applies step() as fused in-place kernels, and saves and restores its state
 * (stateDict / loadStateDict).
 */
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

  /** The optimizer's per-parameter state buffers by slot (the live arrays; subclasses override). */
  protected stateBuffers(): Record<string, (Tensor | null)[]> {
    return {};
  }

  /** The optimizer's per-parameter counters by name (the live arrays; subclasses override). */
  protected stateCounters(): Record<string, number[]> {
    return {};
  }

  /** A copy of the optimizer's state: restore it with loadStateDict on an optimizer over the same parameters. */
  stateDict(): OptimizerState {
    const buffers: OptimizerState['buffers'] = {};
    for (const [k, list] of Object.entries(this.stateBuffers())) buffers[k] = list.map((t) => (t ? t.data() : null));
    const counters: OptimizerState['counters'] = {};
    for (const [k, list] of Object.entries(this.stateCounters())) counters[k] = list.slice();
    return { name: this.name, stepCount: this.stepCount, lr: this.lr, buffers, counters };
  }

  /** Restores a stateDict(); everything is checked before anything is written. */
  loadStateDict(state: OptimizerState): void {
    const fail = (m: string) => new RangeError(`${this.name}.loadStateDict: ${m}`);
    if (!state || typeof state !== 'object') throw fail('expected an object from stateDict()');
    if (state.name !== this.name) throw fail(`the state is of a ${state.name} optimizer, not ${this.name}`);
    if (!Number.isInteger(state.stepCount) || state.stepCount < 0) throw fail(`stepCount ${state.stepCount} is not a non-negative integer`);
    checkHyper(this.name, 'lr', state.lr);
    const n = this.params.length;
    const own = this.stateBuffers(), counters = this.stateCounters();
    const sameKeys = (a: object, b: object) => Object.keys(a).sort().join() === Object.keys(b).sort().join();
    if (!sameKeys(own, state.buffers ?? {})) throw fail(`state slots ${Object.keys(state.buffers ?? {}).join(', ') || 'none'}, expected ${Object.keys(own).join(', ') || 'none'}`);
    if (!sameKeys(counters, state.counters ?? {})) throw fail(`counters ${Object.keys(state.counters ?? {}).join(', ') || 'none'}, expected ${Object.keys(counters).join(', ') || 'none'}`);
    for (const [k, list] of Object.entries(state.buffers)) {
      if (list.length !== n) throw fail(`slot ${k} has ${list.length} entries for ${n} parameters`);
      list.forEach((v, i) => {
        if (v !== null && (!(v instanceof Float32Array) || v.length !== this.params[i]!.size))
          throw fail(`slot ${k} of parameter ${i}: expected ${this.params[i]!.size} float32 values, got ${v instanceof Float32Array ? v.length : typeof v}`);
      });
    }
    for (const [k, list] of Object.entries(state.counters)) {
      if (list.length !== n || !list.every((c) => Number.isInteger(c) && c >= 0)) throw fail(`counter ${k} must hold ${n} non-negative integers`);
    }
    for (const [k, list] of Object.entries(state.buffers)) {
      const live = own[k]!;
      list.forEach((v, i) => {
        if (v === null) live[i] = null;
        else {
          (live[i] ??= this.stateFor(this.params[i]!)).assign_(v);
        }
      });
    }
    for (const [k, list] of Object.entries(state.counters)) counters[k]!.splice(0, n, ...list);
    this.stepCount = state.stepCount;
    this.lr = state.lr;
  }

  /** A zero-filled persistent state buffer for parameter `p`. */
  protected stateFor(p: Tensor): Tensor {
    return zeros(p.shape).keep();
  }
}

export function checkHyper(name: string, field: string, v: number, min = 0, max = Infinity): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw new RangeError(`${name}: ${field} must be a finite number in [${min}, ${max}], got ${v}`);
}
