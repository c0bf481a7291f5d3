// 1-D convolution (PyTorch's conv1d): x [B, Cin, L], weight [Cout, Cin/groups, K], bias [Cout] | null
// -> [B, Cout, Lout], Lout = floor((L + padL + padR - dilation*(K-1) - 1) / stride) + 1.
// Kernels: assembly/conv1d.ts (forward, backward data, backward weight; the algorithm per shape is chosen
// there: direct loops for one input channel per group, plain GEMMs for pointwise, Winograd for dense
// k3/k5, im2col + GEMM otherwise). The bias gradient is Σ over batch and length (two reductions).
// Forwards that record no graph (inference) pass a per-weight cache of the Winograd-transformed weights
// (conv1dForwardCached), so batch-1 inference gets Winograd without the weight transform.
import { Tensor } from '../core/tensor.ts';
import { isGradEnabled, record } from '../core/autograd.ts';
import { backend } from '../core/runtime.ts';
import { fmt } from '../core/shape.ts';
import { ReduceOp } from '../wasm/opcodes.ts';
import { empty, zeros } from './creation.ts';

/**
 * Zero padding of conv1d: a count on both sides, 'valid' (none) or 'same' (output length = input length;
 * stride 1 only).
 */
export type Conv1dPadding = number | 'same' | 'valid';

/**
 * Options of conv1d: stride (default 1), padding (default 0), dilation (default 1) and groups (default 1;
 * C_in and C_out must be multiples of it).
 */
export interface Conv1dOptions {
  stride?: number;
  /** Zero padding on both sides, 'valid' (0) or 'same' (stride 1 only; extra padding goes on the right). */
  padding?: Conv1dPadding;
  dilation?: number;
  groups?: number;
}

/** Resolved geometry of one convolution. */
export interface Conv1dGeometry {
  B: number;
  Cin: number;
  L: number;
  Cout: number;
  K: number;
  stride: number;
  padLeft: number;
  padRight: number;
  dilation: number;
  groups: number;
  Lout: number;
}

function posInt(v: unknown, what: string, label: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new RangeError(`${label}: ${what} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/** Validates the options alone (layers call this at construction). Returns [stride, dilation, groups]. */
export function checkConv1dOptions(opts: Conv1dOptions, label: string): [number, number, number] {
  const stride = posInt(opts.stride ?? 1, 'stride', label);
  const dilation = posInt(opts.dilation ?? 1, 'dilation', label);
  const groups = posInt(opts.groups ?? 1, 'groups', label);
  const p = opts.padding ?? 0;
  if (p === 'same') {
    if (stride !== 1) throw new RangeError(`${label}: padding 'same' needs stride 1 (got stride ${stride}), as in PyTorch`);
  } else if (p !== 'valid') posInt(p, "padding (a number, 'same' or 'valid')", label, 0);
  return [stride, dilation, groups];
}

/** Left and right padding for a kernel of size K (PyTorch: 'same' puts the odd extra element on the right). */
export function conv1dPadding(padding: Conv1dPadding, K: number, dilation: number): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (padding === 'same') {
    const total = dilation * (K - 1);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  }
  return [padding, padding];
}

/** Checks shapes and options and computes the output geometry; errors name `label` and the shapes. */
export function conv1dGeometry(x: Tensor, w: Tensor, b: Tensor | null, opts: Conv1dOptions, label = 'conv1d'): Conv1dGeometry {
  if (!(x instanceof Tensor) || !(w instanceof Tensor) || (b !== null && !(b instanceof Tensor)))
    throw new TypeError(`${label}: input, weight and bias must be Tensors (bias may be null)`);
  const [stride, dilation, groups] = checkConv1dOptions(opts, label);
  if (w.ndim !== 3) throw new RangeError(`${label}: weight must be [out_channels, in_channels/groups, kernel_size], got ${fmt(w.shape)}`);
  const [Cout, Cg, K] = w.shape as [number, number, number];
  if (x.ndim !== 3)
    throw new RangeError(`${label}: input must be [batch, channels, length] (3-D), got ${fmt(x.shape)}`);
  const [B, Cin, L] = x.shape as [number, number, number];
  if (Cout < 1 || Cg < 1 || K < 1) throw new RangeError(`${label}: weight ${fmt(w.shape)} has an empty dimension`);
  if (Cin % groups !== 0 || Cout % groups !== 0)
    throw new RangeError(`${label}: groups = ${groups} must divide both in_channels (${Cin}) and out_channels (${Cout}); input ${fmt(x.shape)}, weight ${fmt(w.shape)}`);
  if (Cin / groups !== Cg)
    throw new RangeError(`${label}: input ${fmt(x.shape)} has ${Cin} channels but weight ${fmt(w.shape)} with groups = ${groups} expects ${Cg * groups}`);
  if (b && (b.ndim !== 1 || b.shape[0] !== Cout))
    throw new RangeError(`${label}: bias must be [${Cout}], got ${fmt(b.shape)}`);
  const [padLeft, padRight] = conv1dPadding(opts.padding ?? 0, K, dilation);
  const span = dilation * (K - 1) + 1;
  if (L + padLeft + padRight < span)
    throw new RangeError(
      `${label}: kernel (size ${K}, dilation ${dilation}, span ${span}) is larger than the padded input (length ${L} + padding ${padLeft + padRight} = ${L + padLeft + padRight}); input ${fmt(x.shape)}, weight ${fmt(w.shape)}`,
    );
  const Lout = Math.floor((L + padLeft + padRight - span) / stride) + 1;
  return { B, Cin, L, Cout, K, stride, padLeft, padRight, dilation, groups, Lout };
}

/** Scratch tensor for the kernels (im2col buffer or Winograd transforms, plus GEMM panels); null when none is needed. */
function scratch(g: Conv1dGeometry): Tensor | null {
  const bytes = backend().k.conv1dScratchSize(g.B, g.Cin, g.L, g.Cout, g.K, g.stride, g.padLeft, g.dilation, g.groups, g.Lout);
  return bytes > 0 ? empty([Math.ceil(bytes / 4)]) : null;
}

/**
 * Per weight tensor, the kernels' forward weight cache (Winograd-transformed weights plus a bit copy of the
 * weights they came from; the kernel recomputes them whenever the weights' bits differ, so in-place updates
 * by optimizers or loadStateDict need no notification). Used only for forwards that record no graph
 * (inference): batch-1 inference then gets Winograd without the weight transform's fixed cost. The cache
 * is persistent and freed with the weight tensor (the WeakMap drops it, its finaliser frees it).
 */
const weightCaches = new WeakMap<Tensor, { backend: object; cache: Tensor }>();

function weightCache(weight: Tensor, g: Conv1dGeometry): Tensor | null {
  const b = backend();
  const bytes = b.k.conv1dWeightCacheSize(g.Cin, g.Cout, g.K, g.stride, g.dilation, g.groups);
  if (bytes <= 0) return null;
  const e = weightCaches.get(weight);
  if (e && e.backend === b && e.cache.size * 4 >= bytes) return e.cache;
  const cache = zeros([Math.ceil(bytes / 4)]).keep();
  weightCaches.set(weight, { backend: b, cache });
  return cache;
}

/**
 * 1-D convolution (cross-correlation, as PyTorch's conv1d) with gradients for input, weight and bias.
 *   conv1d(x [B, Cin, L], w [Cout, Cin/groups, K], b [Cout] | null, { stride, padding, dilation, groups })
 */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv1dOptions = {}, label = 'conv1d'): Tensor {
  const g = conv1dGeometry(x, weight, bias, opts, label);
  const { B, Cin, L, Cout, K, stride, padLeft: pad, dilation: dil, groups, Lout } = g;
  const k = backend().k;
  const y = empty([B, Cout, Lout]);
  if (y.size) {
    const s = scratch(g);
    const recorded = isGradEnabled() && (x.requiresGrad || weight.requiresGrad || (bias?.requiresGrad ?? false));
    const cache = recorded ? null : weightCache(weight, g);
    if (cache) k.conv1dForwardCached(x.ptr, weight.ptr, bias ? bias.ptr : 0, y.ptr, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, s ? s.ptr : 0, cache.ptr);
    else k.conv1dForward(x.ptr, weight.ptr, bias ? bias.ptr : 0, y.ptr, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, s ? s.ptr : 0);
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(y, 'conv1d', inputs, (gy, needs) => {
    let s: Tensor | null | undefined;
    const scr = () => (s === undefined ? (s = scratch(g)) : s);
    let gx: Tensor | null = null, gw: Tensor | null = null, gb: Tensor | null = null;
    if (needs[0]) {
      if (y.size) {
        gx = empty(x.shape);
        k.conv1dBackwardData(gy.ptr, weight.ptr, gx.ptr, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scr()?.ptr ?? 0);
      } else gx = zeros(x.shape);
    }
    if (needs[1]) {
      if (y.size) {
        gw = empty(weight.shape);
        k.conv1dBackwardWeight(x.ptr, gy.ptr, gw.ptr, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scr()?.ptr ?? 0);
      } else gw = zeros(weight.shape);
    }
    if (bias && needs[2]) {
      if (y.size) {
        gb = empty([Cout]);
        if (B === 1) k.reduce(ReduceOp.SUM, gy.ptr, gb.ptr, Cout, Lout, 1);
        else {
          const t = empty([B, Cout]);
          k.reduce(ReduceOp.SUM, gy.ptr, t.ptr, B * Cout, Lout, 1);
          k.reduce(ReduceOp.SUM, t.ptr, gb.ptr, 1, B, Cout);
        }
      } else gb = zeros([Cout]);
    }
    return [gx, gw, gb];
  });
}
