// Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_): when ||g||₂ over all parameters
// exceeds maxNorm, every gradient is scaled in place by maxNorm / (||g||₂ + 1e-6).
import type { Tensor } from '../core/tensor.ts';
import { backend } from '../core/runtime.ts';
import { UnaryOp } from '../wasm/opcodes.ts';

/** Clips in place; returns the total norm before clipping (NaN/Infinity if a gradient is not finite). */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  if (!Number.isFinite(maxNorm) || maxNorm <= 0) throw new RangeError(`clipGradNorm: maxNorm must be a positive number, got ${maxNorm}`);
  const k = backend().k;
  const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => g !== null);
  let sq = 0;
  for (const g of grads) sq += k.sumSquares(g.ptr, g.size);
  const norm = Math.sqrt(sq);
  if (!Number.isFinite(norm)) return norm;
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of grads) k.unary(UnaryOp.SCALE, g.ptr, g.ptr, g.size, coef);
  return norm;
}
