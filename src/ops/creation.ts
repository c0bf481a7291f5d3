// Creating tensors: from JS data, constants, ranges and seeded random numbers (src/core/random.ts).
import { Tensor, type NestedArray } from '../core/tensor.ts';
import { allocStorage, checkAllocation } from '../core/memory.ts';
import { backend } from '../core/runtime.ts';
import { Rng } from '../core/random.ts';
import { checkShape, fmt, sizeOf, type Shape } from '../core/shape.ts';

/** Options of the creation functions (tensor, zeros, ones, full, ...). */
export interface CreateOptions {
  /** Track gradients for this leaf; such tensors are persistent (like parameters). */
  requiresGrad?: boolean;
}

/** Options of rand and randn: requiresGrad and a seed for this draw. */
export interface RandomOptions extends CreateOptions {
  /** Seed of this draw; without it, the global generator (see manualSeed) is used. */
  seed?: number;
}

// Marked pure so that bundles which never draw random numbers leave out the generator (src/core/random.ts).
let globalRng = /* @__PURE__ */ new Rng(0);

/** Re-seeds the global generator used by rand/randn calls without their own seed (default seed: 0). */
export function manualSeed(seed: number): void {
  globalRng = new Rng(seed);
}

/** @internal An uninitialised tensor in the current owner (step generation or scope). */
export function empty(shape: Shape, opts: CreateOptions = {}): Tensor {
  const s = checkShape(shape, 'empty');
  const t = new Tensor(s, allocStorage(sizeOf(s), !!opts.requiresGrad));
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * A tensor of `shape` filled with `value`. Throws a TypeError when value is not a number and a RangeError for
 * an invalid shape.
 */
export function full(shape: Shape, value: number, opts: CreateOptions = {}): Tensor {
  if (typeof value !== 'number') throw new TypeError(`full: value must be a number, got ${typeof value}`);
  const t = empty(checkShape(shape, 'full'), opts);
  if (t.size) backend().k.fill(t.ptr, t.size, value);
  t.storage.fresh = true; // unread so far: see memory.ts
  return t;
}

/** A tensor of `shape` filled with 0. */
export function zeros(shape: Shape, opts: CreateOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** A tensor of `shape` filled with 1. */
export function ones(shape: Shape, opts: CreateOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** A tensor of t's shape filled with 0 (no gradient tracking). */
export function zerosLike(t: Tensor): Tensor {
  return full(t.shape, 0);
}

/** A tensor of t's shape filled with 1 (no gradient tracking). */
export function onesLike(t: Tensor): Tensor {
  return full(t.shape, 1);
}

function inferShape(data: NestedArray, path = 'data'): number[] {
  if (typeof data === 'number') return [];
  if (!Array.isArray(data)) throw new TypeError(`tensor: ${path} is ${typeof data}; expected a number or an array`);
  if (data.length === 0) return [0];
  return [data.length, ...inferShape(data[0]!, `${path}[0]`)];
}

function flattenInto(data: NestedArray, shape: number[], dim: number, out: Float32Array, offset: number, path: string): number {
  if (dim === shape.length) {
    if (typeof data !== 'number') throw new TypeError(`tensor: ${path} is an array but a number was expected (ragged nesting)`);
    out[offset] = data;
    return offset + 1;
  }
  if (!Array.isArray(data) || data.length !== shape[dim])
    throw new RangeError(
      `tensor: ${path} has ${Array.isArray(data) ? `length ${data.length}` : typeof data}; expected an array of length ${shape[dim]} (inferred shape ${fmt(shape)})`,
    );
  for (let i = 0; i < data.length; i++) offset = flattenInto(data[i]!, shape, dim + 1, out, offset, `${path}[${i}]`);
  return offset;
}

/**
 * A tensor from nested arrays (shape inferred) or from a flat array/typed array with an explicit shape.
 *   tensor([[1, 2], [3, 4]]);  tensor(new Float32Array(6), { shape: [2, 3] })
 */
export function tensor(data: NestedArray | ArrayLike<number>, opts: CreateOptions & { shape?: Shape } = {}): Tensor {
  if (opts.shape) return fromArray(data as ArrayLike<number>, opts.shape, opts);
  if (ArrayBuffer.isView(data)) return fromArray(data as unknown as ArrayLike<number>, [(data as unknown as ArrayLike<number>).length], opts);
  const shape = inferShape(data as NestedArray);
  const flat = new Float32Array(sizeOf(shape));
  flattenInto(data as NestedArray, shape, 0, flat, 0, 'data');
  return fromArray(flat, shape, opts);
}

/** A tensor of the given shape from flat row-major values (length must equal the shape's size). */
export function fromArray(data: ArrayLike<number>, shape: Shape, opts: CreateOptions = {}): Tensor {
  const s = checkShape(shape, 'fromArray');
  const n = sizeOf(s);
  if (!data || typeof data.length !== 'number') throw new TypeError('fromArray: data must be an array or typed array of numbers');
  if (data.length !== n)
    throw new RangeError(`fromArray: got ${data.length} values for shape ${fmt(s)}, which needs ${n}`);
  const t = empty(s, opts);
  if (n) backend().f32(t.ptr, n).set(data);
  t.storage.fresh = true; // unread so far: see memory.ts
  return t;
}

/** The most float32 elements one tensor can hold: wasm32 memory is at most 4 GiB. */
const MAX_ELEMENTS = 2 ** 30;

/** start, start+step, ... below stop (like Python's range, with floats allowed). */
export function arange(start: number, stop?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  for (const [k, v] of [['start', start], ['stop', stop], ['step', step]] as const)
    if (!Number.isFinite(v)) throw new RangeError(`arange: ${k} must be finite, got ${v}`);
  if (step === 0) throw new RangeError('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (n > MAX_ELEMENTS) throw new RangeError(`arange: ${n} elements (${start} to ${stop} by ${step}) exceed the largest tensor, ${MAX_ELEMENTS} float32 values (4 GiB of wasm memory)`);
  checkAllocation(n);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = start + i * step;
  return fromArray(v, [n], opts);
}

function rngFor(opts: RandomOptions): Rng {
  return opts.seed === undefined ? globalRng : new Rng(opts.seed);
}

/** Uniform in [low, high). */
export function rand(shape: Shape, opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const s = checkShape(shape, 'rand');
  const low = opts.low ?? 0, high = opts.high ?? 1;
  if (!Number.isFinite(low) || !Number.isFinite(high) || high < low)
    throw new RangeError(`rand: need finite low <= high, got low=${low}, high=${high}`);
  const rng = rngFor(opts);
  checkAllocation(sizeOf(s));
  const v = new Float32Array(sizeOf(s));
  for (let i = 0; i < v.length; i++) v[i] = low + (high - low) * rng.uniform();
  return fromArray(v, s, opts);
}

/** Normal with the given mean and standard deviation (default 0 and 1). */
export function randn(shape: Shape, opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const s = checkShape(shape, 'randn');
  const mean = opts.mean ?? 0, std = opts.std ?? 1;
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0)
    throw new RangeError(`randn: need finite mean and std >= 0, got mean=${mean}, std=${std}`);
  const rng = rngFor(opts);
  checkAllocation(sizeOf(s));
  const v = new Float32Array(sizeOf(s));
  for (let i = 0; i < v.length; i++) v[i] = mean + std * rng.normal();
  return fromArray(v, s, opts);
}
