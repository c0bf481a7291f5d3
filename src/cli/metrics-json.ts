// The --json summary of one evaluated report row, shared by train, evaluate and compare.
import type { JobResult } from '../node/train/job.ts';

/** {"accuracy", "macroF1", "perClass": {...}, "confusion"} plus context. */
export function metricsJson(m: JobResult['row']['metrics'], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const perClass = Object.fromEntries(m.classes.map((c) => {
    const k = m.perClass[c]!;
    return [c, { precision: k.precision, recall: k.recall, f1: k.f1, specificity: k.specificity, support: k.support }];
  }));
  return {
    accuracy: m.accuracy, macroF1: m.macroF1, weightedF1: m.weightedF1, perClass, confusion: m.confusion, classes: m.classes, n: m.n,
    ...(m.aami ? { aami: m.aami } : {}), ...extra,
  };
}
