// Reductions along axes: sum, mean (composite), max/min (gradient to the first extreme), argmax/argmin.
// The kernel sees the tensor as [outer, n, inner] and reduces the middle axis (assembly/reduce.ts).
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { backend } from '../core/runtime.ts';
import { fmt, normAxis } from '../core/shape.ts';
import { ArgReduceOp, ReduceOp } from '../wasm/opcodes.ts';
import { empty } from './creation.ts';
import { expand, scale } from './elementwise.ts';
import { view } from './shape-ops.ts';

function checkTensor(x: unknown, op: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor`);
}

/** The [outer, n, inner] view of reducing `axis`. */
export function axisView(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}

function normAxes(x: Tensor, axis: number | number[] | undefined, op: string): number[] {
  if (axis === undefined) return x.shape.map((_, i) => i);
  const list = (Array.isArray(axis) ? axis : [axis]).map((a) => normAxis(a, x.ndim, op, x.shape));
  if (new Set(list).size !== list.length) throw new RangeError(`${op}: repeated axis in ${JSON.stringify(axis)}`);
  return list.sort((a, b) => a - b);
}

function keptShape(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function finalShape(shape: readonly number[], axes: number[], keepdim: boolean): number[] {
  return keepdim ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
}

/** One kernel reduction of a single axis, keeping it as size 1. No graph. */
function reduceAxisRaw(op: number, x: Tensor, axis: number): Tensor {
  const [outer, n, inner] = axisView(x.shape, axis);
  const out = empty(keptShape(x.shape, [axis]));
  if (out.size === 0) return out;
  if (n === 0) {
    if (op === ReduceOp.SUM) backend().k.fill(out.ptr, out.size, 0);
    else throw new RangeError(`reduction over an empty axis ${axis} of shape ${fmt(x.shape)}`);
    return out;
  }
  backend().k.reduce(op, x.ptr, out.ptr, outer, n, inner);
  return out;
}

/** Sum over the given axes (all when omitted). */
export function sum(x: Tensor, axis?: number | number[], keepdim = false): Tensor {
  checkTensor(x, 'sum');
  const axes = normAxes(x, axis, 'sum');
  let y = x;
  if (axes.length === x.ndim && x.ndim > 0) {
    y = view(reduceAxisRaw(ReduceOp.SUM, view(x, [x.size]), 0), keptShape(x.shape, axes));
  } else {
    for (const a of axes) y = reduceAxisRaw(ReduceOp.SUM, y, a);
    if (y === x) y = x.clone();
  }
  const out = view(y, finalShape(x.shape, axes, keepdim));
  return record(out, 'sum', [x], (g) => [expand(g.reshape(keptShape(x.shape, axes)), x.shape)]);
}

/** Mean over the given axes (composite: sum · 1/n). */
export function mean(x: Tensor, axis?: number | number[], keepdim = false): Tensor {
  checkTensor(x, 'mean');
  const axes = normAxes(x, axis, 'mean');
  const n = axes.reduce((acc, a) => acc * x.shape[a]!, 1);
  if (n === 0) throw new RangeError(`mean: cannot average over an empty axis of shape ${fmt(x.shape)}`);
  return scale(sum(x, axis, keepdim), 1 / n);
}

function extreme(op: number, name: string, x: Tensor, axis: number | undefined, keepdim: boolean): Tensor {
  checkTensor(x, name);
  if (x.size === 0) throw new RangeError(`${name}: input of shape ${fmt(x.shape)} is empty`);
  const flat = axis === undefined;
  const src = flat ? view(x, [x.size]) : x;
  const ax = flat ? 0 : normAxis(axis, x.ndim, name, x.shape);
  const y = reduceAxisRaw(op, src, ax);
  const out = view(y, flat ? (keepdim ? x.shape.map(() => 1) : []) : finalShape(x.shape, [ax], keepdim));
  return record(out, name, [x], (g) => {
    const [outer, n, inner] = axisView(src.shape, ax);
    const dx = empty(x.shape);
    backend().k.reduceExtremeBackward(op, src.ptr, y.ptr, g.ptr, dx.ptr, outer, n, inner);
    return [dx];
  });
}

/** Maximum over one axis (all values when omitted). The gradient goes to the first maximum. */
export function max(x: Tensor, axis?: number, keepdim = false): Tensor {
  return extreme(ReduceOp.MAX, 'max', x, axis, keepdim);
}

/** Minimum over one axis (all values when omitted). The gradient goes to the first minimum. */
export function min(x: Tensor, axis?: number, keepdim = false): Tensor {
  return extreme(ReduceOp.MIN, 'min', x, axis, keepdim);
}

function argExtreme(op: number, name: string, x: Tensor, axis: number | undefined, keepdim: boolean): Tensor {
  checkTensor(x, name);
  if (x.size === 0) throw new RangeError(`${name}: input of shape ${fmt(x.shape)} is empty`);
  const flat = axis === undefined;
  const src = flat ? view(x, [x.size]) : x;
  const ax = flat ? 0 : normAxis(axis, x.ndim, name, x.shape);
  const [outer, n, inner] = axisView(src.shape, ax);
  const out = empty(keptShape(src.shape, [ax]));
  backend().k.argReduce(op, src.ptr, out.ptr, outer, n, inner);
  return view(out, flat ? (keepdim ? x.shape.map(() => 1) : []) : finalShape(x.shape, [ax], keepdim));
}

/** Index of the first maximum along an axis (of the flattened tensor when omitted), as float32 values. */
export function argmax(x: Tensor, axis?: number, keepdim = false): Tensor {
  return argExtreme(ArgReduceOp.ARGMAX, 'argmax', x, axis, keepdim);
}

/** Index of the first minimum along an axis (of the flattened tensor when omitted), as float32 values. */
export function argmin(x: Tensor, axis?: number, keepdim = false): Tensor {
  return argExtreme(ArgReduceOp.ARGMIN, 'argmin', x, axis, keepdim);
}
