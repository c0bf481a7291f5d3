// Classification metrics from true and predicted class indices: the confusion matrix (rows = true class,
// columns = predicted), accuracy, per-class precision (+P), recall (Se), specificity and F1, macro- and
// support-weighted F1. A class with no predictions has precision 0 (and F1 0), as scikit-learn's
// zero_division=0; a class with no true beats has recall 0 and is left out of nothing (it is reported
// with support 0).

/** The metrics of one class: support, precision (+P), recall (Se), specificity and F1. */
export interface ClassMetrics {
  support: number;
  precision: number;
  recall: number;
  specificity: number;
  f1: number;
}

/**
 * Classification metrics from true and predicted classes: the confusion matrix, accuracy, macro and
 * support-weighted F1, and each class's metrics.
 */
export interface ClassificationReport {
  classes: string[];
  /** confusion[t][p]: beats of true class t predicted as p. */
  confusion: number[][];
  n: number;
  accuracy: number;
  macroF1: number;
  weightedF1: number;
  perClass: Record<string, ClassMetrics>;
}

/**
 * The confusion matrix m[true][predicted] of class indices 0 .. classes − 1. Throws a RangeError when the
 * lengths differ or an index is not an integer in range.
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number): number[][] {
  if (yTrue.length !== yPred.length)
    throw new RangeError(`confusionMatrix: ${yTrue.length} true labels but ${yPred.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!, p = yPred[i]!;
    if (!(t >= 0 && t < classes && Number.isInteger(t)) || !(p >= 0 && p < classes && Number.isInteger(p)))
      throw new RangeError(`confusionMatrix: index ${i} has true ${t}, predicted ${p}; both must be integers in 0..${classes - 1}`);
    m[t]![p]!++;
  }
  return m;
}

/** Every metric of a classification, from the labels or from a confusion matrix. */
export function classificationReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: string[]): ClassificationReport {
  return reportFromConfusion(confusionMatrix(yTrue, yPred, classes.length), classes);
}

/**
 * The ClassificationReport of a confusion matrix (rows: true class, columns: predicted). A class with no
 * predictions has precision and F1 0 (scikit-learn's zero_division = 0).
 */
export function reportFromConfusion(confusion: number[][], classes: string[]): ClassificationReport {
  const C = classes.length;
  const n = confusion.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  let correct = 0;
  const perClass: Record<string, ClassMetrics> = {};
  let macro = 0, weighted = 0;
  for (let c = 0; c < C; c++) {
    const tp = confusion[c]![c]!;
    correct += tp;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((s, r) => s + r[c]!, 0);
    const fp = predicted - tp, fn = support - tp, tn = n - tp - fp - fn;
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const specificity = tn + fp ? tn / (tn + fp) : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[classes[c]!] = { support, precision, recall, specificity, f1 };
    macro += f1 / C;
    weighted += n ? (f1 * support) / n : 0;
  }
  return { classes, confusion, n, accuracy: n ? correct / n : 0, macroF1: macro, weightedF1: weighted, perClass };
}

/**
 * The AAMI EC57 gross statistics of the inter-patient literature for classes S and V: Se and +P of each,
 * computed from the confusion matrix summed over all test records (gross), plus overall accuracy.
 * (EC57 also defines per-record averages; the gross figures are what de Chazal et al. report.)
 */
export function aamiGross(report: ClassificationReport): Record<string, { se: number; ppv: number }> {
  const out: Record<string, { se: number; ppv: number }> = {};
  for (const c of ['N', 'S', 'V', 'F']) {
    const m = report.perClass[c];
    if (m) out[c] = { se: m.recall, ppv: m.precision };
  }
  return out;
}
