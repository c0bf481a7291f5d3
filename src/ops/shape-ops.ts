// Shape ops. reshape/flatten/squeeze/unsqueeze are views (shared memory, no copy); permute, slice, pad,
// concat and stack copy through the strided-copy kernel (`stridedCopy`, assembly/elementwise.ts), and
// their gradients scatter back with `stridedAdd`.
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { backend, writeArgs } from '../core/runtime.ts';
import { collapse, contiguousStrides, fmt, normAxis, sameShape, sizeOf } from '../core/shape.ts';
import { empty, full, zeros } from './creation.ts';

function checkTensor(x: unknown, op: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor`);
}

/** (shape, srcStrides, dstStrides) argument pointers for a flat copy of n floats. */
export function flatCopyArgs(n: number): [number, number, number] {
  const [a, b, c] = writeArgs([n], [1], [1]);
  return [a!, b!, c!];
}

/** dst[i·dstStrides] (=|+=) src[i·srcStrides] over `shape`; pointers in bytes. */
function strided(add: boolean, src: number, dst: number, shape: number[], srcStrides: number[], dstStrides: number[]): void {
  if (sizeOf(shape) === 0) return;
  const c = collapse(shape, [srcStrides, dstStrides]);
  const [ps, pa, pb] = writeArgs(c.shape, c.strides[0]!, c.strides[1]!);
  const k = backend().k;
  (add ? k.stridedAdd : k.stridedCopy)(src, dst, c.shape.length, ps!, pa!, pb!);
}

/** @internal The same storage under another shape, without a graph node. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(shape, x.storage);
}

/** A copy (gradient: identity). */
export function clone(x: Tensor): Tensor {
  checkTensor(x, 'clone');
  const out = empty(x.shape);
  if (x.size) backend().k.stridedCopy(x.ptr, out.ptr, 1, ...flatCopyArgs(x.size));
  return record(out, 'clone', [x], (g) => [g]);
}

/** Same values in another shape (one dimension may be -1). Shares memory. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor(x, 'reshape');
  if (!Array.isArray(shape)) throw new TypeError(`reshape: shape must be an array, got ${String(shape)}`);
  const s = [...shape];
  const free = s.filter((d) => d === -1).length;
  if (free > 1) throw new RangeError(`reshape: only one dimension may be -1, got ${fmt(s)}`);
  for (const d of s)
    if (d !== -1 && (!Number.isInteger(d) || d < 0)) throw new RangeError(`reshape: invalid dimension ${d} in ${fmt(s)}`);
  if (free) {
    const known = s.reduce((a, d) => (d === -1 ? a : a * d), 1);
    if (known === 0 || x.size % known !== 0)
      throw new RangeError(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} values) into ${fmt(s)}`);
    s[s.indexOf(-1)] = x.size / known;
  }
  if (sizeOf(s) !== x.size) throw new RangeError(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} values) into ${fmt(s)} (${sizeOf(s)} values)`);
  if (sameShape(s, x.shape)) return x;
  return record(view(x, s), 'reshape', [x], (g) => [view(g, x.shape)]);
}

/** Merges axes startAxis..endAxis into one. */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  checkTensor(x, 'flatten');
  if (x.ndim === 0) return reshape(x, [1]);
  const a = normAxis(startAxis, x.ndim, 'flatten', x.shape);
  const b = normAxis(endAxis, x.ndim, 'flatten', x.shape);
  if (a > b) throw new RangeError(`flatten: startAxis ${startAxis} comes after endAxis ${endAxis} for shape ${fmt(x.shape)}`);
  const merged = x.shape.slice(a, b + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, a), merged, ...x.shape.slice(b + 1)]);
}

/** Removes size-1 axes (or the given one, which must have size 1). */
export function squeeze(x: Tensor, axis?: number): Tensor {
  checkTensor(x, 'squeeze');
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normAxis(axis, x.ndim, 'squeeze', x.shape);
  if (x.shape[a] !== 1) throw new RangeError(`squeeze: axis ${axis} of shape ${fmt(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

/** Inserts a size-1 axis at `axis` (in -(ndim+1)..ndim). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor(x, 'unsqueeze');
  const a = normAxis(axis, x.ndim + 1, 'unsqueeze', x.shape);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Reorders axes: out.shape[i] = x.shape[dims[i]]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor(x, 'permute');
  if (!Array.isArray(dims) || dims.length !== x.ndim)
    throw new RangeError(`permute: dims ${JSON.stringify(dims)} must list each of the ${x.ndim} axes of shape ${fmt(x.shape)} once`);
  const d = dims.map((a) => normAxis(a, x.ndim, 'permute', x.shape));
  if (new Set(d).size !== d.length) throw new RangeError(`permute: dims ${JSON.stringify(dims)} repeat an axis`);
  const outShape = d.map((a) => x.shape[a]!);
  const xs = contiguousStrides(x.shape);
  const out = empty(outShape);
  strided(false, x.ptr, out.ptr, outShape, d.map((a) => xs[a]!), contiguousStrides(outShape));
  const inverse = new Array<number>(d.length);
  d.forEach((a, i) => (inverse[a] = i));
  return record(out, 'permute', [x], (g) => [permute(g, inverse)]);
}

/** Swaps two axes. */
export function transpose(x: Tensor, axis0 = -2, axis1 = -1): Tensor {
  checkTensor(x, 'transpose');
  if (x.ndim < 2) throw new RangeError(`transpose: needs at least 2 dimensions, got shape ${fmt(x.shape)}`);
  const a = normAxis(axis0, x.ndim, 'transpose', x.shape);
  const b = normAxis(axis1, x.ndim, 'transpose', x.shape);
  const dims = x.shape.map((_, i) => i);
  [dims[a], dims[b]] = [dims[b]!, dims[a]!];
  return permute(x, dims);
}

/** [start, end) or [start, end, step] of one axis; negative indices count from the end (Python rules). */
export type Range = readonly [number, number] | readonly [number, number, number];

/**
 * Selects ranges along the leading axes: x.slice([[0, 2], null, [1, -1]]) is x[0:2, :, 1:-1].
 * Missing trailing entries and null mean the whole axis. Steps must be positive.
 */
export function slice(x: Tensor, ranges: readonly (Range | null)[]): Tensor {
  checkTensor(x, 'slice');
  if (!Array.isArray(ranges) || ranges.length > x.ndim)
    throw new RangeError(`slice: got ${Array.isArray(ranges) ? ranges.length : 'no'} ranges for shape ${fmt(x.shape)}`);
  const starts: number[] = [], steps: number[] = [], outShape: number[] = [];
  x.shape.forEach((n, i) => {
    const r = ranges[i] ?? null;
    let [start, end, step] = r ? [r[0], r[1], r[2] ?? 1] : [0, n, 1];
    if (![start, end, step].every(Number.isInteger))
      throw new RangeError(`slice: range ${JSON.stringify(r)} for axis ${i} must hold integers`);
    if (step <= 0) throw new RangeError(`slice: step ${step} for axis ${i} must be positive`);
    if (start < 0) start += n;
    if (end < 0) end += n;
    start = Math.min(Math.max(start, 0), n);
    end = Math.min(Math.max(end, start), n);
    starts.push(start);
    steps.push(step);
    outShape.push(Math.ceil((end - start) / step));
  });
  const xs = contiguousStrides(x.shape);
  const offset = starts.reduce((acc, s, i) => acc + s * xs[i]!, 0) * 4;
  const srcStrides = xs.map((s, i) => s * steps[i]!);
  const out = empty(outShape);
  if (out.size) strided(false, x.ptr + offset, out.ptr, outShape, srcStrides, contiguousStrides(outShape));
  return record(out, 'slice', [x], (g) => {
    const dx = zeros(x.shape);
    if (g.size) strided(true, g.ptr, dx.ptr + offset, outShape, contiguousStrides(outShape), srcStrides);
    return [dx];
  });
}

/** `length` entries of `axis` from `start`. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  checkTensor(x, 'narrow');
  const a = normAxis(axis, x.ndim, 'narrow', x.shape);
  const n = x.shape[a]!;
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > n)
    throw new RangeError(`narrow: start ${start} + length ${length} exceeds axis ${axis} of size ${n} (shape ${fmt(x.shape)})`);
  const ranges: (Range | null)[] = x.shape.map(() => null);
  ranges[a] = [start, start + length];
  return slice(x, ranges);
}

/**
 * Pads the last `padding.length` axes with `value`: padding[i] = [before, after] for each of them, so
 * x.pad([[2, 2]]) pads the last axis by 2 on both sides.
 */
export function pad(x: Tensor, padding: readonly (readonly [number, number])[], value = 0): Tensor {
  checkTensor(x, 'pad');
  if (!Array.isArray(padding) || padding.length > x.ndim)
    throw new RangeError(`pad: padding ${JSON.stringify(padding)} has more entries than shape ${fmt(x.shape)} has axes`);
  if (!Number.isFinite(value)) throw new RangeError(`pad: value must be finite, got ${value}`);
  const first = x.ndim - padding.length;
  const before = x.shape.map(() => 0);
  const outShape = [...x.shape];
  padding.forEach((p, j) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => Number.isInteger(v) && v >= 0))
      throw new RangeError(`pad: entry ${JSON.stringify(p)} must be [before, after] with non-negative integers`);
    before[first + j] = p[0];
    outShape[first + j] = x.shape[first + j]! + p[0] + p[1];
  });
  const out = full(outShape, value);
  const os = contiguousStrides(outShape);
  const offset = before.reduce((acc, b, i) => acc + b * os[i]!, 0) * 4;
  const xs = contiguousStrides(x.shape);
  if (x.size) strided(false, x.ptr, out.ptr + offset, [...x.shape], xs, os);
  return record(out, 'pad', [x], (g) => {
    const dx = empty(x.shape);
    if (x.size) strided(false, g.ptr + offset, dx.ptr, [...x.shape], os, xs);
    return [dx];
  });
}

/** Joins tensors along an existing axis; all other dimensions must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new RangeError('concat: needs a non-empty array of tensors');
  tensors.forEach((t, i) => checkTensor(t, `concat (tensor ${i})`));
  const ref: Tensor = tensors[0]!;
  if (ref.ndim === 0) throw new RangeError('concat: cannot concatenate 0-d tensors; use stack');
  const a = normAxis(axis, ref.ndim, 'concat', ref.shape);
  tensors.forEach((t: Tensor, i: number) => {
    if (t.ndim !== ref.ndim || t.shape.some((d, j) => j !== a && d !== ref.shape[j]))
      throw new RangeError(
        `concat: tensor ${i} has shape ${fmt(t.shape)}, which does not match ${fmt(ref.shape)} outside axis ${a}`,
      );
  });
  const total = tensors.reduce((s, t) => s + t.shape[a]!, 0);
  const outShape = ref.shape.map((d, j) => (j === a ? total : d));
  const outer = ref.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = ref.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const out = empty(outShape);
  const pieces: { t: Tensor; offset: number; width: number }[] = [];
  let at = 0;
  for (const t of tensors) {
    const width = t.shape[a]! * inner;
    pieces.push({ t, offset: at * inner * 4, width });
    if (t.size) strided(false, t.ptr, out.ptr + at * inner * 4, [outer, width], [width, 1], [total * inner, 1]);
    at += t.shape[a]!;
  }
  return record(out, 'concat', [...tensors], (g, needs) =>
    pieces.map(({ t, offset, width }, i) => {
      if (!needs[i]) return null;
      const dt = empty(t.shape);
      if (t.size) strided(false, g.ptr + offset, dt.ptr, [outer, width], [total * inner, 1], [width, 1]);
      return dt;
    }),
  );
}

/** Joins same-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new RangeError('stack: needs a non-empty array of tensors');
  tensors.forEach((t, i) => {
    checkTensor(t, `stack (tensor ${i})`);
    if (!sameShape(t.shape, tensors[0]!.shape))
      throw new RangeError(`stack: tensor ${i} has shape ${fmt(t.shape)} but tensor 0 has ${fmt(tensors[0]!.shape)}`);
  });
  const a = normAxis(axis, tensors[0]!.ndim + 1, 'stack', tensors[0]!.shape);
  return concat(tensors.map((t) => unsqueeze(t, a)), a);
}
