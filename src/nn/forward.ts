// The batched no-grad forward pass shared by evaluation (src/train/evaluate.ts), the inference entry
// (src/infer/index.ts) and the explanation wrapper (src/explain/classifier.ts): beats arrive as
// row-major Float32Array batches (batch x channels x length, RR rows batch x rrFeatures), each batch runs
// under noGrad (its wasm memory is freed when it returns) and its outputs are copied into one
// n x width Float32Array. Plus the row-wise softmax / argmax the callers apply to logits.
import { noGrad } from '../core/autograd.ts';
import type { Tensor } from '../core/tensor.ts';
import { fromArray } from '../ops/creation.ts';
import type { Module } from './module.ts';

export interface BeatBatch {
  /** count x channels x length samples. */
  x: Float32Array;
  /** count x rrFeatures values, or null when the model takes none. */
  rr: Float32Array | null;
  count: number;
}

export interface BeatShape {
  channels: number;
  length: number;
  rrFeatures: number;
}

export interface BatchedOutput {
  /** n x width outputs, batch after batch. */
  out: Float32Array;
  width: number;
  /** Seconds spent in forward passes (copies into `out` excluded). */
  seconds: number;
}

/** Batches of `batchSize` beats of x (and rr) in order, as views (no copies). */
export function* sliceBatches(x: Float32Array, rr: Float32Array | null | undefined, shape: BeatShape, batchSize: number): Generator<BeatBatch> {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const per = shape.channels * shape.length, R = shape.rrFeatures;
  const n = x.length / per;
  for (let s = 0; s < n; s += batchSize) {
    const count = Math.min(batchSize, n - s);
    yield { x: x.subarray(s * per, (s + count) * per), rr: R > 0 && rr ? rr.subarray(s * R, (s + count) * R) : null, count };
  }
}

/**
 * Runs `forward` (default: model.forward with the RR tensor when given) on every batch under noGrad
 * and collects the outputs; every batch must give [count, width] with one width throughout. `n` is
 * the total number of beats (it sizes `out`). `direct`, when given, is tried first on each batch: the
 * count x width outputs computed without tensors (a static fused plan, src/nn/fused-plan.ts), or null.
 */
export function forwardInBatches(
  n: number, batches: Iterable<BeatBatch>, shape: BeatShape, forward: (x: Tensor, rr: Tensor | null) => Tensor, who = 'forward',
  direct?: (b: BeatBatch) => Float32Array | null,
): BatchedOutput {
  let out = new Float32Array(0), width = -1, at = 0, seconds = 0;
  for (const b of batches) {
    const t0 = performance.now();
    const part = direct?.(b) ?? noGrad(() => {
      const x = fromArray(b.x, [b.count, shape.channels, shape.length]);
      const rr = b.rr ? fromArray(b.rr, [b.count, shape.rrFeatures]) : null;
      const y = forward(x, rr);
      if (y.ndim !== 2 || y.shape[0] !== b.count)
        throw new RangeError(`${who}: the model returned shape [${y.shape.join(', ')}] for ${b.count} beats; expected [${b.count}, classes]`);
      return y.data();
    });
    seconds += (performance.now() - t0) / 1000;
    const w = part.length / b.count;
    if (width < 0) {
      width = w;
      out = new Float32Array(n * width);
    } else if (w !== width) throw new RangeError(`${who}: the model returned ${w} outputs per beat after ${width}`);
    out.set(part, at);
    at += part.length;
  }
  return { out, width: Math.max(width, 0), seconds };
}

/** model.forward(x) or model.forward(x, rr). */
export function forwardOf(model: Module): (x: Tensor, rr: Tensor | null) => Tensor {
  return (x, rr) => (rr ? model.forward(x, rr) : model.forward(x));
}

/** Runs fn with every module of `model` in eval mode, restoring each module's training flag afterwards. */
export function inEvalMode<T>(model: Module, fn: () => T): T {
  const modules = [...model.namedModules()].map(([, m]) => m);
  const flags = modules.map((m) => m.training);
  model.eval();
  try {
    return fn();
  } finally {
    modules.forEach((m, i) => {
      m.training = flags[i]!;
    });
  }
}

/** Index of the largest of C values from `offset` (ties take the first). */
export function argmax(v: ArrayLike<number>, offset: number, C: number): number {
  let best = 0, max = -Infinity;
  for (let c = 0; c < C; c++) {
    const x = v[offset + c]!;
    if (x > max) {
      max = x;
      best = c;
    }
  }
  return best;
}

/** Row-wise softmax of logits into probs (from offset), argmax into pred. Ties take the first class. */
export function softmaxRows(logits: ArrayLike<number>, n: number, C: number, probs: Float32Array, pOff: number, pred: Int32Array, predOff: number): void {
  for (let i = 0; i < n; i++) {
    const best = argmax(logits, i * C, C), max = logits[i * C + best]!;
    let se = 0;
    for (let c = 0; c < C; c++) se += Math.exp(logits[i * C + c]! - max);
    for (let c = 0; c < C; c++) probs[pOff + i * C + c] = Math.exp(logits[i * C + c]! - max) / se;
    pred[predOff + i] = best;
  }
}
