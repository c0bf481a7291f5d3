// Evaluation of a model on rows of a beat dataset: predictions in batches under noGrad (so wasm memory
// stays flat), the cross-entropy of the predictions, the full classification report and, for the inter
// protocol, the AAMI gross Se / +P of S and V; inference time per beat (batched forward passes only).
import type { Module } from '../nn/module.ts';
import { argmax, inEvalMode, type BeatBatch } from '../nn/forward.ts';
import { compileInference, planInBatches } from '../nn/fused-plan.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import { batches } from '../ecg/dataset/batches.ts';
import { classificationReport, aamiGross, type ClassificationReport } from '../metrics/classification.ts';

/**
 * Options of predict and evaluate: the batch size and whether the RR features are the model's second input.
 */
export interface PredictOptions {
  batchSize?: number;
  /** Feed the RR features as the model's second input. */
  useRR?: boolean;
}

/**
 * The predictions of a model on dataset rows: predicted and true classes, mean unweighted cross-entropy and
 * forward-pass seconds.
 */
export interface Predictions {
  /** Predicted class per row (in the order of `rows`). */
  pred: Int32Array;
  /** True class per row. */
  y: Int32Array;
  /** Mean cross-entropy (unweighted) of the predictions. */
  loss: number;
  /** Seconds spent in forward passes. */
  seconds: number;
}

/** Runs the model in eval mode over `rows` (original order); restores its training mode afterwards. */
export function predict(model: Module, ds: BeatDataset, rows: Int32Array, opts: PredictOptions = {}): Predictions {
  const bs = opts.batchSize ?? 256;
  const C = ds.classes.length, F = ds.rrFeatures.length;
  const y = new Int32Array(rows.length);
  let at = 0;
  const inputs = function* (): Generator<BeatBatch> {
    for (const b of batches(ds, rows, bs, null)) {
      y.set(b.y, at);
      at += b.y.length;
      yield { x: b.x, rr: opts.useRR ? b.rr : null, count: b.y.length };
    }
  };
  const shape = { channels: ds.channels, length: ds.length, rrFeatures: F };
  // through the fused plan of the model's current weights (batch norm folded: docs/kernels.md, "Fused inference")
  const { out: logits, width, seconds } = inEvalMode(model, () =>
    planInBatches(compileInference(model, { input: [ds.channels, ds.length] }), rows.length, inputs(), shape, 'predict'));
  if (rows.length && width !== C) throw new RangeError(`predict: the model returned ${width} outputs per beat, expected ${C} classes`);
  const pred = new Int32Array(rows.length);
  let lossSum = 0;
  for (let i = 0; i < rows.length; i++) {
    const best = argmax(logits, i * C, C), max = logits[i * C + best]!;
    let se = 0;
    for (let c = 0; c < C; c++) se += Math.exp(logits[i * C + c]! - max);
    lossSum += Math.log(se) + max - logits[i * C + y[i]!]!;
    pred[i] = best;
  }
  return { pred, y, loss: rows.length ? lossSum / rows.length : NaN, seconds };
}

/**
 * The evaluation of a model on dataset rows: the classification report, the AAMI gross Se / +P (inter
 * protocol), mean loss, inference time per beat and predictions.
 */
export interface Evaluation {
  report: ClassificationReport;
  /** AAMI gross Se / +P per class (inter protocol only). */
  aami?: Record<string, { se: number; ppv: number }>;
  loss: number;
  /** Milliseconds of batched forward pass per beat. */
  inferMsPerBeat: number;
  n: number;
  /** Predicted class per row (in the order of the rows). */
  pred: Int32Array;
}

/**
 * Evaluates a model on the given rows of a dataset (batched forward passes in eval mode): classification
 * report, loss, inference time per beat, predictions, and the AAMI gross statistics for the inter protocol.
 */
export function evaluate(model: Module, ds: BeatDataset, rows: Int32Array, opts: PredictOptions = {}): Evaluation {
  const p = predict(model, ds, rows, opts);
  const report = classificationReport(p.y, p.pred, ds.classes);
  const out: Evaluation = { report, loss: p.loss, inferMsPerBeat: rows.length ? (p.seconds * 1000) / rows.length : 0, n: rows.length, pred: p.pred };
  if (ds.protocol === 'inter') out.aami = aamiGross(report);
  return out;
}
