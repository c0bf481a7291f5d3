// Classification losses from logits [B, C] and integer labels, composed from primitives (logSoftmax,
// mul, sum), so their gradients come from autograd:
//   crossEntropy:  PyTorch's F.cross_entropy with per-class weights w and label smoothing ε:
//                  L = Σ_i [ (1−ε)·w_{y_i}·(−log p_{i,y_i}) + (ε/C)·Σ_c w_c·(−log p_{i,c}) ] / Σ_i w_{y_i}
//   focalLoss:     Lin et al. (2017): L = mean_i −α_{y_i}·(1 − p_{i,y_i})^γ·log p_{i,y_i}
//   combinedLoss:  the FT-CNN loss: λ·crossEntropy(weighted) + (1 − λ)·focalLoss(γ = 2)
//   l2Penalty:     (coeff / 2)·Σ ||θ||² over the chosen parameters (coupled L2)
import { Tensor } from '../core/tensor.ts';
import { fmt } from '../core/shape.ts';
import { fromArray } from '../ops/creation.ts';
import { isBiasOrNorm } from '../optim/groups.ts';

/**
 * Integer class labels 0 .. C − 1, one per row of the logits: an Int32Array, a number array, or a tensor of
 * them.
 */
export type Labels = Int32Array | readonly number[] | Tensor;

function labelArray(labels: Labels, batch: number, classes: number, op: string): Int32Array {
  const raw = labels instanceof Tensor ? labels.data() : labels;
  if (raw.length !== batch) throw new RangeError(`${op}: got ${raw.length} labels for a batch of ${batch}`);
  const out = new Int32Array(batch);
  for (let i = 0; i < batch; i++) {
    const y = raw[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= classes)
      throw new RangeError(`${op}: label ${y} at index ${i} is out of range for ${classes} classes (expected 0..${classes - 1})`);
    out[i] = y;
  }
  return out;
}

function checkLogits(logits: Tensor, op: string): [number, number] {
  if (!(logits instanceof Tensor) || logits.ndim !== 2)
    throw new RangeError(`${op}: logits must be a [batch, classes] tensor, got ${logits instanceof Tensor ? fmt(logits.shape) : typeof logits}`);
  const [B, C] = logits.shape as [number, number];
  if (B === 0 || C === 0) throw new RangeError(`${op}: logits of shape ${fmt(logits.shape)} are empty`);
  return [B, C];
}

function classVector(v: ArrayLike<number> | undefined, C: number, op: string, field: string): Float64Array {
  if (v === undefined) return new Float64Array(C).fill(1);
  if (v.length !== C) throw new RangeError(`${op}: ${field} has ${v.length} entries but there are ${C} classes`);
  const out = Float64Array.from(v);
  out.forEach((w, i) => {
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`${op}: ${field}[${i}] = ${w} must be a finite non-negative number`);
  });
  return out;
}

/** Options of crossEntropy: per-class weights and label smoothing. */
export interface CrossEntropyOptions {
  /** Per-class weights (length C). */
  weight?: ArrayLike<number>;
  /** Label smoothing ε in [0, 1). */
  labelSmoothing?: number;
}

/** Mean cross-entropy of logits [B, C] against integer labels, like torch.nn.functional.cross_entropy. */
export function crossEntropy(logits: Tensor, labels: Labels, opts: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const [B, C] = checkLogits(logits, op);
  const y = labelArray(labels, B, C, op);
  const w = classVector(opts.weight, C, op, 'weight');
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps < 1)) throw new RangeError(`${op}: labelSmoothing must be in [0, 1), got ${eps}`);
  let norm = 0;
  for (let i = 0; i < B; i++) norm += w[y[i]!]!;
  if (norm <= 0) throw new RangeError(`${op}: the weights of the batch's labels sum to 0`);
  const q = new Float32Array(B * C);
  for (let i = 0; i < B; i++) {
    for (let c = 0; c < C; c++) q[i * C + c] = (eps / C) * w[c]! / norm;
    q[i * C + y[i]!] = q[i * C + y[i]!]! + ((1 - eps) * w[y[i]!]!) / norm;
  }
  return logits.logSoftmax(-1).mul(fromArray(q, [B, C])).sum().neg();
}

/** Options of focalLoss: the focusing parameter γ and per-class α. */
export interface FocalLossOptions {
  /** Focusing parameter γ ≥ 0 (2 in Lin et al. and in FT-CNN). */
  gamma?: number;
  /** Per-class α (length C); default 1 for every class. */
  alpha?: ArrayLike<number>;
}

/** Mean focal loss of logits [B, C] against integer labels. */
export function focalLoss(logits: Tensor, labels: Labels, opts: FocalLossOptions = {}): Tensor {
  const op = 'focalLoss';
  const [B, C] = checkLogits(logits, op);
  const y = labelArray(labels, B, C, op);
  const gamma = opts.gamma ?? 2;
  if (!Number.isFinite(gamma) || gamma < 0) throw new RangeError(`${op}: gamma must be a finite number >= 0, got ${gamma}`);
  const alpha = classVector(opts.alpha, C, op, 'alpha');
  const pick = new Float32Array(B * C);
  const a = new Float32Array(B);
  for (let i = 0; i < B; i++) {
    pick[i * C + y[i]!] = 1;
    a[i] = alpha[y[i]!]! / B;
  }
  const logpt = logits.logSoftmax(-1).mul(fromArray(pick, [B, C])).sum(-1);
  const modulating = gamma === 0 ? null : logpt.exp().neg().add(1).clamp(0).pow(gamma);
  const perBeat = modulating ? modulating.mul(logpt) : logpt;
  return perBeat.mul(fromArray(a, [B])).sum().neg();
}

/**
 * Options of combinedLoss (the FT-CNN loss): the cross-entropy's class weights and smoothing, the focal γ and
 * α, and the mix λ.
 */
export interface CombinedLossOptions {
  /** Class weights of the cross-entropy term (e.g. classWeights(...) of the training split). */
  weight?: ArrayLike<number>;
  /** Focal γ (default 2, as in FT-CNN). */
  gamma?: number;
  /** Focal per-class α (default: none). */
  alpha?: ArrayLike<number>;
  /** Mixing weight λ of the cross-entropy term in [0, 1] (default 0.5). */
  mix?: number;
  labelSmoothing?: number;
}

/** The FT-CNN loss: λ·weighted cross-entropy + (1 − λ)·focal loss (γ = 2). */
export function combinedLoss(logits: Tensor, labels: Labels, opts: CombinedLossOptions = {}): Tensor {
  const mix = opts.mix ?? 0.5;
  if (!(mix >= 0 && mix <= 1)) throw new RangeError(`combinedLoss: mix must be in [0, 1], got ${mix}`);
  const ce = crossEntropy(logits, labels, { weight: opts.weight, labelSmoothing: opts.labelSmoothing });
  if (mix === 1) return ce;
  const fl = focalLoss(logits, labels, { gamma: opts.gamma ?? 2, alpha: opts.alpha });
  if (mix === 0) return fl;
  return ce.mul(mix).add(fl.mul(1 - mix));
}

/** (coeff / 2)·Σ ||θ||² over named parameters, skipping biases and norm parameters unless includeAll. */
export function l2Penalty(named: [string, Tensor][], coeff: number, opts: { includeAll?: boolean } = {}): Tensor {
  if (!Number.isFinite(coeff) || coeff < 0) throw new RangeError(`l2Penalty: coeff must be a finite number >= 0, got ${coeff}`);
  const chosen = named.filter(([n, t]) => opts.includeAll || !isBiasOrNorm(n, t));
  if (chosen.length === 0) throw new RangeError('l2Penalty: no parameters to penalise');
  let total: Tensor | null = null;
  for (const [, t] of chosen) {
    const s = t.square().sum();
    total = total ? total.add(s) : s;
  }
  return total!.mul(coeff / 2);
}
