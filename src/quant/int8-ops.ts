// int8 forward passes of Conv1d (groups = 1) and Linear on the int8 kernels (assembly/int8.ts):
//   quantise the input with the layer's calibrated scale sx (q = clamp(round(x / sx), ±127)), im2col the
//   values (conv), then y[co, l] = (Σ_k Wq[co, k] · Xq[k, l]) · sw[co] · sx + b[co] in one int8 GEMM.
// Inference only: the results record no graph. Weights live in wasm memory as rows of Kp bytes
// (Kp = depth rounded up to 16, zero padded), persistent and freed with their JS object.
import { allocStorage, type Storage } from '../core/memory.ts';
import { backend, workspace } from '../core/runtime.ts';
import type { Tensor } from '../core/tensor.ts';
import { empty, fromArray } from '../ops/creation.ts';
import { fmt } from '../core/shape.ts';

/**
 * Packed int8 weights of one layer (rows = output channels, depth values each) with per-row scales.
 * layout 'rows' (Linear, gemmI8): rows of Kp bytes (Kp = depth rounded up to 16, zero padded).
 * layout 'pairs' (convolutions, conv1dI8): rows of Kpair = ceil(depth / 2) i16 pairs (values widened to
 * i16 once here, so the kernel's dot_i16x8_s needs no widening).
 */
export class Int8Weights {
  readonly Kp: number;
  readonly Kpair: number;
  private readonly storage: Storage;
  /** Per-row (output channel) scale, persistent. */
  readonly scale: Tensor;
  private readonly backendRef: object;

  constructor(readonly rows: number, readonly depth: number, values: Int8Array, scale: Float32Array, readonly layout: 'rows' | 'pairs' = 'rows') {
    if (values.length !== rows * depth) throw new RangeError(`Int8Weights: ${values.length} values for ${rows} x ${depth}`);
    if (scale.length !== rows) throw new RangeError(`Int8Weights: ${scale.length} scales for ${rows} rows`);
    this.Kp = Math.ceil(depth / 16) * 16;
    this.Kpair = Math.ceil(depth / 2);
    const b = backend();
    this.backendRef = b;
    if (layout === 'rows') {
      this.storage = allocStorage(Math.max(1, (rows * this.Kp) / 4), true);
      const bytes = new Int8Array(b.memory.buffer, this.storage.ptr, rows * this.Kp);
      bytes.fill(0);
      for (let r = 0; r < rows; r++) bytes.set(values.subarray(r * depth, (r + 1) * depth), r * this.Kp);
    } else {
      this.storage = allocStorage(Math.max(1, rows * this.Kpair), true);
      const pairs = new Int16Array(b.memory.buffer, this.storage.ptr, rows * this.Kpair * 2);
      pairs.fill(0);
      for (let r = 0; r < rows; r++) for (let k = 0; k < depth; k++) pairs[r * this.Kpair * 2 + k] = values[r * depth + k]!;
    }
    this.scale = fromArray(scale, [rows]).keep();
  }

  get ptr(): number {
    if (backend() !== this.backendRef) throw new Error('Int8Weights: ecgrad was re-initialised since these weights were loaded; load the model again');
    return this.storage.ptr;
  }
}

export interface Int8ConvGeometry {
  Cin: number;
  Cout: number;
  K: number;
  stride: number;
  padLeft: number;
  padRight: number;
  dilation: number;
}

/** y [B, Cout, Lout] = int8 convolution of x [B, Cin, L] (groups = 1). */
export function conv1dInt8(x: Tensor, w: Int8Weights, bias: Tensor | null, inputScale: number, g: Int8ConvGeometry, label: string): Tensor {
  if (x.ndim !== 3 || x.shape[1] !== g.Cin) throw new RangeError(`${label}: expected input [batch, ${g.Cin}, length], got ${fmt(x.shape)}`);
  const [B, Cin, L] = x.shape as [number, number, number];
  const span = g.dilation * (g.K - 1) + 1;
  if (L + g.padLeft + g.padRight < span) throw new RangeError(`${label}: kernel span ${span} is larger than the padded input length ${L + g.padLeft + g.padRight}`);
  const Lout = Math.floor((L + g.padLeft + g.padRight - span) / g.stride) + 1;
  if (w.layout !== 'pairs') throw new Error(`${label}: convolution weights must be packed as pairs`);
  const y = empty([B, g.Cout, Lout]);
  const qBytes = align16(B * Cin * L);
  const panels = B * Math.ceil(Lout / 4) * w.Kpair * 16;
  const work = workspace(qBytes + panels);
  const k = backend().k;
  k.quantizeI8(x.ptr, work, B * Cin * L, 1 / inputScale);
  k.im2colI8Panels(work, work + qBytes, B, Cin, L, g.K, g.stride, g.padLeft, g.dilation, Lout, w.Kpair);
  k.conv1dI8(g.Cout, B, Lout, w.Kpair, w.ptr, work + qBytes, w.scale.ptr, inputScale, bias ? bias.ptr : 0, y.ptr);
  return y;
}

/** y [..., out] = int8 x · Wᵀ + b over the last axis of x [..., in]. */
export function linearInt8(x: Tensor, w: Int8Weights, bias: Tensor | null, inputScale: number, label: string): Tensor {
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== w.depth) throw new RangeError(`${label}: input of shape ${fmt(x.shape)} must end in ${w.depth} features`);
  const rows = x.size / w.depth;
  const y = empty([...x.shape.slice(0, -1), w.rows]);
  const work = workspace(rows * w.Kp);
  const k = backend().k;
  k.quantizeRowsI8(x.ptr, work, rows, w.depth, w.Kp, 1 / inputScale);
  k.gemmI8(w.rows, rows, w.Kp, w.ptr, work, w.scale.ptr, inputScale, bias ? bias.ptr : 0, y.ptr, 1, w.rows);
  return y;
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
