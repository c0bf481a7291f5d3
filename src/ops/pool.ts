// 1-D pooling over the last axis of [B, C, L] (or [C, L]) with the kernels of assembly/pool.ts.
//   maxPool1d / avgPool1d: windows of `kernel` every `stride` with implicit `padding`, output length
//     ⌊(L + 2·padding − kernel)/stride⌋ + 1 (PyTorch's floor mode); padding ≤ kernel/2.
//     Max: ties go to the first maximum; the backward routes dy to the argmax (indices kept from the
//     forward). Avg: divisor kernel (countIncludePad) or the number of real elements.
//   adaptiveAvgPool1d: PyTorch's AdaptiveAvgPool1d windows; size 1 is the global average.
//   globalAvgPool1d / globalMaxPool1d: [B, C, L] → [B, C] (or [B, C, 1] with keepDim).
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { backend } from '../core/runtime.ts';
import { fmt } from '../core/shape.ts';
import { empty } from './creation.ts';

/** Options of maxPool1d and avgPool1d: stride, padding and the name used in error messages. */
export interface Pool1dOptions {
  /** Step between windows (default: the kernel size). */
  stride?: number;
  /** Implicit padding on both ends (default 0; at most kernel/2). */
  padding?: number;
  /** Name used in error messages. */
  name?: string;
}

/** Options of avgPool1d: those of maxPool1d and whether padding counts in the divisor. */
export interface AvgPool1dOptions extends Pool1dOptions {
  /** Count padded positions in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
}

function checkInput(x: Tensor, name: string): [number, number] {
  if (!(x instanceof Tensor)) throw new TypeError(`${name}: input must be a Tensor`);
  if (x.ndim !== 2 && x.ndim !== 3)
    throw new RangeError(`${name}: expected a 3-D [batch, channels, length] (or 2-D [channels, length]) input, got shape ${fmt(x.shape)}`);
  const L = x.shape[x.ndim - 1]!;
  if (L < 1) throw new RangeError(`${name}: input ${fmt(x.shape)} has length 0`);
  return [x.size / L, L];
}

function checkInt(v: number, min: number, what: string, name: string): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name}: ${what} must be an integer >= ${min}, got ${v}`);
}

/** Validates the window parameters and returns [kernel, stride, padding, Lout]. */
export function poolGeometry(L: number, kernel: number, opts: Pool1dOptions, name: string, shape: readonly number[]): [number, number, number, number] {
  const stride = opts.stride ?? kernel;
  const padding = opts.padding ?? 0;
  checkInt(kernel, 1, 'kernel size', name);
  checkInt(stride, 1, 'stride', name);
  checkInt(padding, 0, 'padding', name);
  if (padding > kernel / 2)
    throw new RangeError(`${name}: padding should be at most half of the kernel size, got padding=${padding}, kernel=${kernel}`);
  if (kernel > L + 2 * padding)
    throw new RangeError(`${name}: kernel size ${kernel} is larger than the padded input length ${L + 2 * padding} (input ${fmt(shape)}, padding ${padding})`);
  const Lout = Math.floor((L + 2 * padding - kernel) / stride) + 1;
  return [kernel, stride, padding, Lout];
}

const outShape = (x: Tensor, Lout: number) => [...x.shape.slice(0, -1), Lout];

/**
 * Max pooling over the last axis of [B, C, L] (or [C, L]): windows of `kernel` every `stride` (default:
 * kernel) with implicit `padding` (at most kernel/2); output length ⌊(L + 2·padding − kernel)/stride⌋ + 1.
 * Ties go to the first maximum, which receives the gradient. Throws a RangeError naming the shape for an
 * invalid input or geometry.
 */
export function maxPool1d(x: Tensor, kernel: number, opts: Pool1dOptions = {}): Tensor {
  const name = opts.name ?? 'maxPool1d';
  const [rows, L] = checkInput(x, name);
  const [k, s, p, Lout] = poolGeometry(L, kernel, opts, name, x.shape);
  const K = backend().k;
  const out = empty(outShape(x, Lout));
  const idx = empty(out.shape); // i32 positions, reinterpreted by the kernels
  if (rows) K.maxPool1d(x.ptr, out.ptr, idx.ptr, rows, L, Lout, k, s, p);
  return record(out, name, [x], (g) => {
    const dx = empty(x.shape);
    if (rows) K.maxPool1dBackward(g.ptr, idx.ptr, dx.ptr, rows, L, Lout, k, s, p);
    return [dx];
  });
}

/**
 * Average pooling over the last axis of [B, C, L] (or [C, L]): windows of `kernel` every `stride` (default:
 * kernel) with implicit zero `padding` (at most kernel/2); output length ⌊(L + 2·padding − kernel)/stride⌋ +
 * 1. Throws a RangeError naming the shape for an invalid input or geometry.
 */
export function avgPool1d(x: Tensor, kernel: number, opts: AvgPool1dOptions = {}): Tensor {
  const name = opts.name ?? 'avgPool1d';
  const [rows, L] = checkInput(x, name);
  const [k, s, p, Lout] = poolGeometry(L, kernel, opts, name, x.shape);
  const cip = opts.countIncludePad === false ? 0 : 1;
  const K = backend().k;
  const out = empty(outShape(x, Lout));
  if (rows) K.avgPool1d(x.ptr, out.ptr, rows, L, Lout, k, s, p, cip);
  return record(out, name, [x], (g) => {
    const dx = empty(x.shape);
    if (rows) K.avgPool1dBackward(g.ptr, dx.ptr, rows, L, Lout, k, s, p, cip);
    return [dx];
  });
}

/**
 * Average pooling of [B, C, L] (or [C, L]) to `outputSize` positions with PyTorch's AdaptiveAvgPool1d windows
 * (size 1: the global average). Throws a RangeError for another rank, a length of 0 or an outputSize that is
 * not a positive integer.
 */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number, name = 'adaptiveAvgPool1d'): Tensor {
  const [rows, L] = checkInput(x, name);
  checkInt(outputSize, 1, 'output size', name);
  const K = backend().k;
  const out = empty(outShape(x, outputSize));
  if (rows) K.adaptiveAvgPool1d(x.ptr, out.ptr, rows, L, outputSize);
  return record(out, name, [x], (g) => {
    const dx = empty(x.shape);
    if (rows) K.adaptiveAvgPool1dBackward(g.ptr, dx.ptr, rows, L, outputSize);
    return [dx];
  });
}

/** Mean over the last axis: [B, C, L] → [B, C] ([B, C, 1] with keepDim). */
export function globalAvgPool1d(x: Tensor, keepDim = false, name = 'globalAvgPool1d'): Tensor {
  const y = adaptiveAvgPool1d(x, 1, name);
  return keepDim ? y : y.reshape(x.shape.slice(0, -1));
}

/** Max over the last axis: [B, C, L] → [B, C] ([B, C, 1] with keepDim); gradient to the first maximum. */
export function globalMaxPool1d(x: Tensor, keepDim = false, name = 'globalMaxPool1d'): Tensor {
  const [rows, L] = checkInput(x, name);
  const K = backend().k;
  const out = empty(keepDim ? outShape(x, 1) : x.shape.slice(0, -1));
  const idx = empty(out.shape);
  if (rows) K.globalMaxPool1d(x.ptr, out.ptr, idx.ptr, rows, L);
  return record(out, name, [x], (g) => {
    const dx = empty(x.shape);
    if (rows) K.globalMaxPool1dBackward(g.ptr, idx.ptr, dx.ptr, rows, L);
    return [dx];
  });
}
