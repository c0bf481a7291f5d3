// Evaluation of a model on rows of a beat dataset: predictions in batches under noGrad (so wasm memory
// stays flat), the cross-entropy of the predictions, the full classification report and, for the inter
// protocol, the AAMI gross Se / +P of S and V; inference time per beat (batched forward passes only).
import { noGrad } from '../core/autograd.ts';
import { fromArray } from '../ops/creation.ts';
import type { Module } from '../nn/module.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import { batches } from '../ecg/dataset/batches.ts';
import { classificationReport, aamiGross, type ClassificationReport } from '../metrics/classification.ts';

export interface PredictOptions {
  batchSize?: number;
  /** Feed the RR features as the model's second input. */
  useRR?: boolean;
}

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
  const wasTraining = model.training;
  model.eval();
  const pred = new Int32Array(rows.length), y = new Int32Array(rows.length);
  const C = ds.classes.length, F = ds.rrFeatures.length;
  let at = 0, lossSum = 0, seconds = 0;
  try {
    for (const b of batches(ds, rows, bs, null)) {
      const n = b.y.length;
      const t0 = performance.now();
      const logits = noGrad(() => {
        const x = fromArray(b.x, [n, ds.channels, ds.length]);
        const out = opts.useRR ? model.forward(x, fromArray(b.rr, [n, F])) : model.forward(x);
        return out.data();
      });
      seconds += (performance.now() - t0) / 1000;
      if (logits.length !== n * C) throw new RangeError(`predict: the model returned ${logits.length / n} outputs per beat, expected ${C} classes`);
      for (let i = 0; i < n; i++) {
        let best = 0, max = -Infinity;
        for (let c = 0; c < C; c++) {
          const v = logits[i * C + c]!;
          if (v > max) {
            max = v;
            best = c;
          }
        }
        let se = 0;
        for (let c = 0; c < C; c++) se += Math.exp(logits[i * C + c]! - max);
        lossSum += Math.log(se) + max - logits[i * C + b.y[i]!]!;
        pred[at] = best;
        y[at] = b.y[i]!;
        at++;
      }
    }
  } finally {
    model.train(wasTraining);
  }
  return { pred, y, loss: rows.length ? lossSum / rows.length : NaN, seconds };
}

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

export function evaluate(model: Module, ds: BeatDataset, rows: Int32Array, opts: PredictOptions = {}): Evaluation {
  const p = predict(model, ds, rows, opts);
  const report = classificationReport(p.y, p.pred, ds.classes);
  const out: Evaluation = { report, loss: p.loss, inferMsPerBeat: rows.length ? (p.seconds * 1000) / rows.length : 0, n: rows.length, pred: p.pred };
  if (ds.protocol === 'inter') out.aami = aamiGross(report);
  return out;
}
