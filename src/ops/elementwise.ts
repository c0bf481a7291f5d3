// Elementwise ops with NumPy broadcasting, their gradients, and broadcasting itself (expand / sumTo).
// Kernels: `binary`, `unary`, `unaryBackward`, `stridedCopy`, `stridedAdd` (assembly/elementwise.ts).
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { backend, writeArgs } from '../core/runtime.ts';
import {
  broadcastShapes, broadcastStrides, checkShape, collapse, contiguousStrides, fmt, sameShape, type Shape,
} from '../core/shape.ts';
import { BinaryOp, UnaryOp } from '../wasm/opcodes.ts';
import { empty, full, zeros } from './creation.ts';

function checkTensor(x: unknown, op: string, name = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
}

function checkScalar(v: number, op: string, name: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${op}: ${name} must be a finite number, got ${v}`);
}

/** Kernel launch of out = a (op) b with broadcasting; no graph. */
function binaryRaw(op: number, a: Tensor, b: Tensor, name: string): Tensor {
  const shape = broadcastShapes(a.shape, b.shape, name);
  const out = empty(shape);
  if (out.size === 0) return out;
  const c = collapse(shape, [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)]);
  const [ps, pa, pb] = writeArgs(c.shape, c.strides[0]!, c.strides[1]!);
  backend().k.binary(op, a.ptr, b.ptr, out.ptr, c.shape.length, ps!, pa!, pb!);
  return out;
}

function unaryRaw(op: number, x: Tensor, p = 0): Tensor {
  const out = empty(x.shape);
  if (out.size) backend().k.unary(op, x.ptr, out.ptr, x.size, p);
  return out;
}

/** dy·f'(x) through the fused backward kernel. */
function unaryGrad(op: number, x: Tensor, y: Tensor, dy: Tensor, p = 0): Tensor {
  const dx = empty(x.shape);
  if (dx.size) backend().k.unaryBackward(op, x.ptr, y.ptr, dy.ptr, dx.ptr, x.size, p);
  return dx;
}

/** Sums `g` over the dimensions that broadcasting expanded, giving a tensor of `shape`. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const out = zeros(shape);
  if (g.size === 0 || out.size === 0) return out;
  const c = collapse(g.shape, [contiguousStrides(g.shape), broadcastStrides(shape, g.shape)]);
  const [ps, psrc, pdst] = writeArgs(c.shape, c.strides[0]!, c.strides[1]!);
  backend().k.stridedAdd(g.ptr, out.ptr, c.shape.length, ps!, psrc!, pdst!);
  return out;
}

/** Broadcasts x to `shape` (a copy). Gradient: sum over the broadcast dimensions. */
export function expand(x: Tensor, shape: Shape): Tensor {
  checkTensor(x, 'expand');
  const target = checkShape(shape, 'expand');
  const full = broadcastShapes(x.shape, target, 'expand');
  if (!sameShape(full, target))
    throw new RangeError(`expand: cannot expand shape ${fmt(x.shape)} to ${fmt(target)}`);
  if (sameShape(x.shape, target)) return x;
  const out = empty(target);
  if (out.size) {
    const c = collapse(target, [broadcastStrides(x.shape, target), contiguousStrides(target)]);
    const [ps, psrc, pdst] = writeArgs(c.shape, c.strides[0]!, c.strides[1]!);
    backend().k.stridedCopy(x.ptr, out.ptr, c.shape.length, ps!, psrc!, pdst!);
  }
  return record(out, 'expand', [x], (g) => [sumTo(g, x.shape)]);
}

function asTensor(v: Tensor | number, op: string): Tensor {
  if (typeof v === 'number') return full([], v);
  checkTensor(v, op, 'operand');
  return v;
}

/**
 * a + b elementwise with NumPy broadcasting (b may be a number). Throws a TypeError for a non-Tensor operand
 * and a RangeError when the shapes do not broadcast.
 */
export function add(a: Tensor, b: Tensor | number): Tensor {
  checkTensor(a, 'add');
  if (typeof b === 'number') return addScalar(a, b);
  checkTensor(b, 'add', 'other');
  const out = binaryRaw(BinaryOp.ADD, a, b, 'add');
  return record(out, 'add', [a, b], (g, needs) => [needs[0] ? sumTo(g, a.shape) : null, needs[1] ? sumTo(g, b.shape) : null]);
}

/**
 * a − b elementwise with NumPy broadcasting (b may be a number). Throws a TypeError for a non-Tensor operand
 * and a RangeError when the shapes do not broadcast.
 */
export function sub(a: Tensor, b: Tensor | number): Tensor {
  checkTensor(a, 'sub');
  if (typeof b === 'number') return addScalar(a, -b);
  checkTensor(b, 'sub', 'other');
  const out = binaryRaw(BinaryOp.SUB, a, b, 'sub');
  return record(out, 'sub', [a, b], (g, needs) => [
    needs[0] ? sumTo(g, a.shape) : null,
    needs[1] ? sumTo(neg(g), b.shape) : null,
  ]);
}

/**
 * a · b elementwise with NumPy broadcasting (b may be a number). Throws a TypeError for a non-Tensor operand
 * and a RangeError when the shapes do not broadcast.
 */
export function mul(a: Tensor, b: Tensor | number): Tensor {
  checkTensor(a, 'mul');
  if (typeof b === 'number') return scale(a, b);
  checkTensor(b, 'mul', 'other');
  const out = binaryRaw(BinaryOp.MUL, a, b, 'mul');
  return record(out, 'mul', [a, b], (g, needs) => [
    needs[0] ? sumTo(binaryRaw(BinaryOp.MUL, g, b, 'mul backward'), a.shape) : null,
    needs[1] ? sumTo(binaryRaw(BinaryOp.MUL, g, a, 'mul backward'), b.shape) : null,
  ]);
}

/**
 * a / b elementwise with NumPy broadcasting (b may be a number; division by 0 gives IEEE ±Infinity or NaN).
 * Throws a TypeError for a non-Tensor operand and a RangeError when the shapes do not broadcast or b is a
 * non-finite number.
 */
export function div(a: Tensor, b: Tensor | number): Tensor {
  checkTensor(a, 'div');
  if (typeof b === 'number') {
    checkScalar(b, 'div', 'divisor');
    // 1 / b is not finite for b = 0 (or a subnormal b): divide elementwise, with IEEE results (±Inf, NaN).
    if (!Number.isFinite(1 / b)) return div(a, full([1], b));
    return scale(a, 1 / b);
  }
  checkTensor(b, 'div', 'other');
  const out = binaryRaw(BinaryOp.DIV, a, b, 'div');
  return record(out, 'div', [a, b], (g, needs) => [
    needs[0] ? sumTo(binaryRaw(BinaryOp.DIV, g, b, 'div backward'), a.shape) : null,
    // d(a/b)/db = -out/b
    needs[1] ? sumTo(neg(binaryRaw(BinaryOp.DIV, binaryRaw(BinaryOp.MUL, g, out, 'div backward'), b, 'div backward')), b.shape) : null,
  ]);
}

/** a^b elementwise (b a tensor), or x^p for a number p. */
export function pow(a: Tensor, b: Tensor | number): Tensor {
  checkTensor(a, 'pow');
  if (typeof b === 'number') return powScalar(a, b);
  checkTensor(b, 'pow', 'exponent');
  const out = binaryRaw(BinaryOp.POW, a, b, 'pow');
  return record(out, 'pow', [a, b], (g, needs) => [
    // d/da = b·a^(b-1); d/db = a^b·ln a
    needs[0]
      ? sumTo(binaryRaw(BinaryOp.MUL, g, binaryRaw(BinaryOp.MUL, b, binaryRaw(BinaryOp.POW, a, addScalar(b, -1), 'pow backward'), 'pow backward'), 'pow backward'), a.shape)
      : null,
    needs[1] ? sumTo(binaryRaw(BinaryOp.MUL, binaryRaw(BinaryOp.MUL, g, out, 'pow backward'), unaryRaw(UnaryOp.LOG, a), 'pow backward'), b.shape) : null,
  ]);
}

function extreme(op: number, a: Tensor, b: Tensor, name: string): Tensor {
  checkTensor(a, name);
  checkTensor(b, name, 'other');
  const out = binaryRaw(op, a, b, name);
  return record(out, name, [a, b], (g, needs) => {
    // The winner takes the gradient; ties split it evenly.
    const win = binaryRaw(op === BinaryOp.MAX ? BinaryOp.GT : BinaryOp.LT, a, b, name);
    const tie = scaleRaw(binaryRaw(BinaryOp.EQ, a, b, name), 0.5);
    const wa = binaryRaw(BinaryOp.ADD, win, tie, name);
    return [
      needs[0] ? sumTo(binaryRaw(BinaryOp.MUL, g, wa, name), a.shape) : null,
      needs[1] ? sumTo(binaryRaw(BinaryOp.MUL, g, addScalarRaw(scaleRaw(wa, -1), 1), name), b.shape) : null,
    ];
  });
}

/**
 * The elementwise maximum of a and b with NumPy broadcasting. Gradient: to the larger operand; ties split it
 * evenly.
 */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return extreme(BinaryOp.MAX, a, b, 'maximum');
}

/**
 * The elementwise minimum of a and b with NumPy broadcasting. Gradient: to the smaller operand; ties split it
 * evenly.
 */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return extreme(BinaryOp.MIN, a, b, 'minimum');
}

function scaleRaw(x: Tensor, s: number): Tensor {
  return unaryRaw(UnaryOp.SCALE, x, s);
}

function addScalarRaw(x: Tensor, s: number): Tensor {
  return unaryRaw(UnaryOp.ADD_SCALAR, x, s);
}

export function scale(x: Tensor, s: number): Tensor {
  checkTensor(x, 'mul');
  checkScalar(s, 'mul', 'scalar factor');
  return record(scaleRaw(x, s), 'mul scalar', [x], (g) => [scaleRaw(g, s)]);
}

export function addScalar(x: Tensor, s: number): Tensor {
  checkTensor(x, 'add');
  checkScalar(s, 'add', 'scalar');
  return record(addScalarRaw(x, s), 'add scalar', [x], (g) => [g]);
}

/** A unary op whose gradient comes from the fused backward kernel. */
function unaryOp(op: number, name: string, x: Tensor, p = 0): Tensor {
  checkTensor(x, name);
  const y = unaryRaw(op, x, p);
  return record(y, name, [x], (g) => [unaryGrad(op, x, y, g, p)]);
}

/** −x elementwise. */
export function neg(x: Tensor): Tensor {
  checkTensor(x, 'neg');
  return record(scaleRaw(x, -1), 'neg', [x], (g) => [scaleRaw(g, -1)]);
}

/** |x| elementwise. Gradient sign(x)·dy (0 at 0). */
export const abs = (x: Tensor) => unaryOp(UnaryOp.ABS, 'abs', x);
/** ReLU: max(x, 0) elementwise; the gradient at 0 is 0. */
export const relu = (x: Tensor) => unaryOp(UnaryOp.RELU, 'relu', x);
/** The logistic function 1 / (1 + e^−x) elementwise. */
export const sigmoid = (x: Tensor) => unaryOp(UnaryOp.SIGMOID, 'sigmoid', x);
/** GELU, exact erf form: x·Φ(x) = 0.5·x·(1 + erf(x/√2)). */
export const gelu = (x: Tensor) => unaryOp(UnaryOp.GELU, 'gelu', x);
/** Hyperbolic tangent elementwise. */
export const tanh = (x: Tensor) => unaryOp(UnaryOp.TANH, 'tanh', x);
/** e^x elementwise. */
export const exp = (x: Tensor) => unaryOp(UnaryOp.EXP, 'exp', x);
/** Natural logarithm elementwise (−Infinity at 0, NaN for x < 0). */
export const log = (x: Tensor) => unaryOp(UnaryOp.LOG, 'log', x);
/** √x elementwise (NaN for x < 0). */
export const sqrt = (x: Tensor) => unaryOp(UnaryOp.SQRT, 'sqrt', x);
/** x² elementwise. */
export const square = (x: Tensor) => unaryOp(UnaryOp.SQUARE, 'square', x);
/** 1 / x elementwise (±Infinity at ±0). */
export const reciprocal = (x: Tensor) => unaryOp(UnaryOp.RECIPROCAL, 'reciprocal', x);

/**
 * Leaky ReLU: x for x > 0, slope·x otherwise (slope default 0.01, a finite number; the gradient at 0 is the
 * slope).
 */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  checkScalar(slope, 'leakyRelu', 'slope');
  return unaryOp(UnaryOp.LEAKY_RELU, 'leakyRelu', x, slope);
}

/** ELU: x for x > 0, alpha·(exp(x) − 1) otherwise (alpha default 1, a finite number). */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkScalar(alpha, 'elu', 'alpha');
  return unaryOp(UnaryOp.ELU, 'elu', x, alpha);
}

export function powScalar(x: Tensor, p: number): Tensor {
  checkScalar(p, 'pow', 'exponent');
  return unaryOp(UnaryOp.POW, 'pow', x, p);
}

/** Limits values to [min, max] (either bound optional). Gradient 1 inside, 0 where clamped. */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  checkTensor(x, 'clamp');
  if (min === undefined && max === undefined) throw new RangeError('clamp: give min, max or both');
  if (min !== undefined) checkScalar(min, 'clamp', 'min');
  if (max !== undefined) checkScalar(max, 'clamp', 'max');
  if (min !== undefined && max !== undefined && min > max) throw new RangeError(`clamp: min ${min} > max ${max}`);
  let y = x;
  if (min !== undefined) y = unaryOp(UnaryOp.CLAMP_MIN, 'clamp', y, min);
  if (max !== undefined) y = unaryOp(UnaryOp.CLAMP_MAX, 'clamp', y, max);
  return y;
}
