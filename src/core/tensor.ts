// The Tensor: a float32 array of some shape, stored contiguously (row-major) in wasm memory, plus the
// autograd fields. Tensors are ordinary JS objects: memory is reclaimed by the rules in memory.ts, never
// by a dispose() call. Methods delegate to the op functions in src/ops/.
import { backend } from './runtime.ts';
import { allocStorage, persist, useStorage, type Storage } from './memory.ts';
import { backward as runBackward, type GradNode } from './autograd.ts';
import { fmt, sizeOf, type Shape } from './shape.ts';
import * as ew from '../ops/elementwise.ts';
import * as red from '../ops/reduce.ts';
import * as sm from '../ops/softmax.ts';
import * as sh from '../ops/shape-ops.ts';
import { matmul } from '../ops/matmul.ts';

/** A number or nested arrays of numbers, the input of tensor() (rows must be rectangular). */
export type NestedArray = number | NestedArray[];

/**
 * A float32 tensor: a shape and a contiguous row-major buffer in wasm memory, with the autograd fields
 * (requiresGrad, grad, node). Made by the creation functions (tensor, zeros, randn, ...), never by `new`; its
 * methods (x.add(y), x.reshape(s), ...) call the ops of the same names. Memory is reclaimed by the rules of
 * the Memory section of the README, not by dispose().
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly size: number;
  /** True for leaves whose gradient is wanted and for results computed from such tensors. */
  requiresGrad = false;
  /** Accumulated gradient of a leaf (after backward()). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, while its graph is alive. */
  node: GradNode | null = null;
  /** Set once backward() has freed this tensor's graph. */
  graphFreed = false;

  /** @internal Use the creation functions (tensor, zeros, randn, ...) instead. */
  constructor(
    shape: Shape,
    readonly storage: Storage,
  ) {
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Byte offset of the data in wasm memory (checks that the tensor is still valid and records the use). */
  get ptr(): number {
    useStorage(this.storage, 'tensor');
    return this.storage.ptr;
  }

  /** A copy of the values, flat, row-major. */
  data(): Float32Array {
    const p = this.ptr;
    return backend().f32(p, this.size).slice();
  }

  /**
   * Copies `values` (flat, row-major) into this tensor's own memory, in place, and returns this tensor.
   * Records nothing in the autograd graph and leaves .grad alone: it is for parameters, buffers and
   * optimizer state (loading, updates), not for values a pending backward() still needs. Numbers are
   * rounded to float32 as Float32Array.set rounds them. The sizes must match (the shapes need not).
   */
  assign_(values: Float32Array | ArrayLike<number> | Tensor): this {
    const n = values instanceof Tensor ? values.size : values.length;
    if (n !== this.size) {
      const got = values instanceof Tensor ? `a tensor of shape ${fmt(values.shape)} (${n} values)` : `${n} values`;
      throw new RangeError(`assign_: tensor has shape ${fmt(this.shape)} (${this.size} values), got ${got}`);
    }
    const dst = this.ptr;
    if (values instanceof Tensor) {
      const src = values.ptr;
      if (src !== dst) backend().heapF32().copyWithin(dst >>> 2, src >>> 2, (src >>> 2) + n);
    } else {
      // The view is taken after the last allocation (reading .ptr allocates nothing), so memory growth
      // cannot detach it before the copy.
      backend().f32(dst, n).set(values);
    }
    return this;
  }

  /** The values as nested JS arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const flat = this.data();
    if (this.ndim === 0) return flat[0]!;
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim]!;
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++)
        out[i] = dim === this.ndim - 1 ? flat[offset + i]! : build(dim + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item: tensor has shape ${fmt(this.shape)} (${this.size} values); item() needs exactly one`);
    return backend().f32(this.ptr, 1)[0]!;
  }

  /**
   * Keeps this tensor (and its gradient) alive until garbage-collected, beyond its scope or steps: for a
   * tensor made inside noGrad/grad/tidy that you keep without returning it, or one you leave unused for
   * a whole step and use again later (tensors used at least once a step need no keep()).
   */
  keep(): this {
    persist(this.storage);
    if (this.grad) this.grad.keep();
    return this;
  }

  /** Marks a leaf as requiring gradients. */
  requiresGrad_(flag = true): this {
    if (this.node && !flag) throw new Error('requiresGrad_: cannot switch off gradients of a computed tensor; use detach()');
    this.requiresGrad = flag;
    return this;
  }

  /** The same values, cut from the graph (shares memory). */
  detach(): Tensor {
    return new Tensor(this.shape, this.storage);
  }

  /** Accumulates `g` into .grad (in place when .grad exists; .grad lives as long as this tensor). */
  accumulateGrad(g: Tensor): void {
    if (this.grad && this.grad.storage.alive) {
      backend().k.axpy(this.size, 1, g.ptr, this.grad.ptr);
      return;
    }
    const s = allocStorage(this.size, this.storage.owner === null, this.storage.owner);
    const b = backend();
    b.k.stridedCopy(g.ptr, s.ptr, 1, ...argsFor(this.size));
    this.grad = new Tensor(this.shape, s);
  }

  /** Sets .grad to zeros (keeping its memory), as optimizers' zeroGrad() does. */
  zeroGrad(): void {
    if (this.grad && this.grad.storage.alive) backend().k.fill(this.grad.ptr, this.size, 0);
    else this.grad = null;
  }

  backward(gradOutput?: Tensor, opts?: { retainGraph?: boolean }): void {
    runBackward(this, gradOutput, opts);
  }

  toString(): string {
    const v = this.storage.alive ? this.data() : null;
    const shown = v ? Array.from(v.subarray(0, 8), (x) => +x.toPrecision(5)).join(', ') + (this.size > 8 ? ', ...' : '') : 'released';
    return `Tensor(${fmt(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''}) [${shown}]`;
  }

  /** console.log / util.inspect in Node print toString(), not the backend's internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ----- elementwise (broadcasting) -----
  add(other: Tensor | number): Tensor { return ew.add(this, other); }
  sub(other: Tensor | number): Tensor { return ew.sub(this, other); }
  mul(other: Tensor | number): Tensor { return ew.mul(this, other); }
  div(other: Tensor | number): Tensor { return ew.div(this, other); }
  pow(exponent: Tensor | number): Tensor { return ew.pow(this, exponent); }
  maximum(other: Tensor): Tensor { return ew.maximum(this, other); }
  minimum(other: Tensor): Tensor { return ew.minimum(this, other); }
  neg(): Tensor { return ew.neg(this); }
  abs(): Tensor { return ew.abs(this); }
  relu(): Tensor { return ew.relu(this); }
  leakyRelu(slope = 0.01): Tensor { return ew.leakyRelu(this, slope); }
  elu(alpha = 1): Tensor { return ew.elu(this, alpha); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  gelu(): Tensor { return ew.gelu(this); }
  tanh(): Tensor { return ew.tanh(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  square(): Tensor { return ew.square(this); }
  reciprocal(): Tensor { return ew.reciprocal(this); }
  clamp(min?: number, max?: number): Tensor { return ew.clamp(this, min, max); }

  // ----- linear algebra -----
  matmul(other: Tensor): Tensor { return matmul(this, other); }

  // ----- reductions -----
  sum(axis?: number | number[], keepdim = false): Tensor { return red.sum(this, axis, keepdim); }
  mean(axis?: number | number[], keepdim = false): Tensor { return red.mean(this, axis, keepdim); }
  max(axis?: number, keepdim = false): Tensor { return red.max(this, axis, keepdim); }
  min(axis?: number, keepdim = false): Tensor { return red.min(this, axis, keepdim); }
  argmax(axis?: number, keepdim = false): Tensor { return red.argmax(this, axis, keepdim); }
  argmin(axis?: number, keepdim = false): Tensor { return red.argmin(this, axis, keepdim); }
  softmax(axis = -1): Tensor { return sm.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return sm.logSoftmax(this, axis); }

  // ----- shape -----
  reshape(shape: readonly number[]): Tensor { return sh.reshape(this, shape); }
  flatten(startAxis = 0, endAxis = -1): Tensor { return sh.flatten(this, startAxis, endAxis); }
  squeeze(axis?: number): Tensor { return sh.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return sh.unsqueeze(this, axis); }
  permute(dims: readonly number[]): Tensor { return sh.permute(this, dims); }
  transpose(axis0 = -2, axis1 = -1): Tensor { return sh.transpose(this, axis0, axis1); }
  get T(): Tensor { return sh.transpose(this, -2, -1); }
  slice(ranges: readonly (sh.Range | null)[]): Tensor { return sh.slice(this, ranges); }
  narrow(axis: number, start: number, length: number): Tensor { return sh.narrow(this, axis, start, length); }
  pad(padding: readonly (readonly [number, number])[], value = 0): Tensor { return sh.pad(this, padding, value); }
  expand(shape: readonly number[]): Tensor { return ew.expand(this, shape); }
  clone(): Tensor { return sh.clone(this); }
}

/** (shape, srcStrides, dstStrides) pointers for a flat contiguous copy of n floats. */
function argsFor(n: number): [number, number, number] {
  return sh.flatCopyArgs(n);
}
