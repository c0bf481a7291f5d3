// Matrix products on the packed SIMD GEMM (assembly/gemm.ts).
// Shapes: [..., M, K] @ [K, N] -> [..., M, N] (the leading dims fold into M: one GEMM);
//         [B, M, K] @ [B, K, N] -> [B, M, N] (one GEMM per batch entry);
//         a 1-D left operand is a row vector, a 1-D right operand a column vector (the dim is dropped).
// Gradients: dA = dC·Bᵀ (GEMM NT), dB = Aᵀ·dC (GEMM TN), without materialising transposes.
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { backend, workspace, writeArgs } from '../core/runtime.ts';
import { ReduceOp } from '../wasm/opcodes.ts';
import { fmt } from '../core/shape.ts';
import { empty, zeros } from './creation.ts';

/** C[M,N] = op(A)·op(B) (+ C when accumulate) for pointers to row-major matrices. */
export function gemmRaw(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  a: number, b: number, c: number, accumulate = false,
): void {
  if (M === 0 || N === 0) return;
  const k = backend().k;
  const work = workspace(k.gemmWorkSize(M, N, K));
  k.gemm(transA ? 1 : 0, transB ? 1 : 0, M, N, K, 1, a, transA ? M : K, b, transB ? K : N, accumulate ? 1 : 0, c, N, work);
}

/**
 * Matrix product on the SIMD GEMM: [..., M, K] @ [K, N] → [..., M, N], or batched [B, M, K] @ [B, K, N] → [B,
 * M, N]; a 1-D left operand is a row vector and a 1-D right operand a column vector (that dimension is
 * dropped from the result). Throws a TypeError for non-Tensors and a RangeError for 0-D operands or
 * mismatched inner dimensions.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError('matmul: both operands must be Tensors');
  if (a.ndim === 0 || b.ndim === 0) throw new RangeError(`matmul: operands must have at least 1 dimension, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const a2 = a.ndim === 1 ? a.reshape([1, a.shape[0]!]) : a;
  const b2 = b.ndim === 1 ? b.reshape([b.shape[0]!, 1]) : b;
  let out = b2.ndim === 2 ? foldedMatmul(a2, b2) : batchedMatmul(a2, b2);
  if (a.ndim === 1) out = out.reshape(out.shape.filter((_, i) => i !== out.ndim - 2));
  if (b.ndim === 1) out = out.reshape(out.shape.slice(0, -1));
  return out;
}

function mismatch(a: Tensor, b: Tensor, detail: string): RangeError {
  return new RangeError(`matmul: cannot multiply shapes ${fmt(a.shape)} and ${fmt(b.shape)}: ${detail}`);
}

function foldedMatmul(a: Tensor, b: Tensor): Tensor {
  const K = a.shape[a.ndim - 1]!;
  const [Kb, N] = b.shape as [number, number];
  if (K !== Kb) throw mismatch(a, b, `inner dimensions ${K} and ${Kb} differ`);
  const M = a.shape.slice(0, -1).reduce((x, y) => x * y, 1);
  const out = K === 0 ? zeros([...a.shape.slice(0, -1), N]) : empty([...a.shape.slice(0, -1), N]);
  if (K > 0) gemmRaw(false, false, M, N, K, a.ptr, b.ptr, out.ptr);
  return record(out, 'matmul', [a, b], (g, needs) => {
    let ga: Tensor | null = null, gb: Tensor | null = null;
    if (needs[0]) {
      ga = empty(a.shape);
      if (K > 0) gemmRaw(false, true, M, K, N, g.ptr, b.ptr, ga.ptr);
    }
    if (needs[1]) {
      gb = N * K > 0 && M > 0 ? empty(b.shape) : zeros(b.shape);
      if (M > 0) gemmRaw(true, false, K, N, M, a.ptr, g.ptr, gb.ptr);
    }
    return [ga, gb];
  });
}

function batchedMatmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3) throw mismatch(a, b, 'batched products need two 3-D operands [B, M, K] and [B, K, N]');
  const [B, M, K] = a.shape as [number, number, number];
  const [Bb, Kb, N] = b.shape as [number, number, number];
  if (B !== Bb) throw mismatch(a, b, `batch sizes ${B} and ${Bb} differ`);
  if (K !== Kb) throw mismatch(a, b, `inner dimensions ${K} and ${Kb} differ`);
  const out = K === 0 ? zeros([B, M, N]) : empty([B, M, N]);
  const run = (fn: (i: number) => void) => { for (let i = 0; i < B; i++) fn(i); };
  if (K > 0) run((i) => gemmRaw(false, false, M, N, K, a.ptr + i * M * K * 4, b.ptr + i * K * N * 4, out.ptr + i * M * N * 4));
  return record(out, 'matmul', [a, b], (g, needs) => {
    const ga = needs[0] ? zeros(a.shape) : null;
    const gb = needs[1] ? zeros(b.shape) : null;
    run((i) => {
      if (ga && K > 0) gemmRaw(false, true, M, K, N, g.ptr + i * M * N * 4, b.ptr + i * K * N * 4, ga.ptr + i * M * K * 4);
      if (gb && M > 0) gemmRaw(true, false, K, N, M, a.ptr + i * M * K * 4, g.ptr + i * M * N * 4, gb.ptr + i * K * N * 4);
    });
    return [ga, gb];
  });
}

/**
 * y = x·Wᵀ + b for x [..., in], W [out, in], b [out] | null: one GEMM (NT) with the bias folded in
 * (C pre-filled with b, beta = 1). Gradients: dx = dy·W (NN), dW = dyᵀ·x (TN), db = Σ dy.
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const [O, I] = w.shape as [number, number];
  if (w.ndim !== 2 || x.shape[x.ndim - 1] !== I || (b && (b.ndim !== 1 || b.shape[0] !== O)))
    throw new RangeError(`linear: input ${fmt(x.shape)}, weight ${fmt(w.shape)}, bias ${b ? fmt(b.shape) : 'none'} do not fit (expected [..., ${I}], [${O}, ${I}], [${O}])`);
  const M = x.size / Math.max(I, 1);
  const out = empty([...x.shape.slice(0, -1), O]);
  const k = backend().k;
  if (b) {
    const [ps, pa, pb] = writeArgs([M, O], [0, 1], [O, 1]);
    if (out.size) k.stridedCopy(b.ptr, out.ptr, 2, ps!, pa!, pb!);
  }
  if (I === 0 && !b && out.size) k.fill(out.ptr, out.size, 0);
  if (I > 0) gemmRaw(false, true, M, O, I, x.ptr, w.ptr, out.ptr, !!b);
  const inputs = b ? [x, w, b] : [x, w];
  return record(out, 'linear', inputs, (g, needs) => {
    const gx = needs[0] ? empty(x.shape) : null;
    if (gx && gx.size) gemmRaw(false, false, M, I, O, g.ptr, w.ptr, gx.ptr);
    const gw = needs[1] ? (M > 0 ? empty(w.shape) : zeros(w.shape)) : null;
    if (gw && M > 0 && gw.size) gemmRaw(true, false, O, I, M, g.ptr, x.ptr, gw.ptr);
    let gb: Tensor | null = null;
    if (b && needs[2]) {
      gb = empty([O]);
      if (M > 0) k.reduce(ReduceOp.SUM, g.ptr, gb.ptr, 1, M, O);
      else k.fill(gb.ptr, O, 0);
    }
    return [gx, gw, gb];
  });
}
