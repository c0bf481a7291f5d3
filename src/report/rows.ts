// Building report rows from any classifier's evaluation, so traditional classifiers (src/classic,
// runClassic(name, dataset, opts)) join the same table and figures as the neural models:
//   rows.push(reportRow({ name: 'svm-rbf', kind: 'classic', params: nSupport * dims, sizeKB, trainSeconds,
//                         inferMsPerBeat, report: classificationReport(yTrue, yPred, ds.classes), protocol }));
import { aamiGross, type ClassificationReport } from '../metrics/classification.ts';
import type { ReportRow, RowMetrics } from './types.ts';
import { collapsedClass, collapseWarning } from '../metrics/collapse.ts';

/**
 * The metrics of a report row from a classification report (the AAMI gross Se / +P added for the inter
 * protocol).
 */
export function rowMetrics(report: ClassificationReport, protocol?: string): RowMetrics {
  return {
    n: report.n, accuracy: report.accuracy, macroF1: report.macroF1, weightedF1: report.weightedF1, classes: report.classes,
    perClass: report.perClass, confusion: report.confusion, ...(protocol === 'inter' ? { aami: aamiGross(report) } : {}),
  };
}

/** What reportRow takes: a row's fields, its classification report and the protocol. */
export interface RowInput extends Omit<ReportRow, 'metrics'> {
  report: ClassificationReport;
  /** The protocol (inter adds the AAMI gross Se / +P). */
  protocol?: string;
}

/** A report row from a model's figures and its classification report (metrics derived by rowMetrics). */
export function reportRow(input: RowInput): ReportRow {
  const { report, protocol, ...rest } = input;
  return { ...rest, metrics: rowMetrics(report, protocol) };
}

/** One warning per row whose model predicts a single class for every beat (for a report's notes). */
export function collapseNotes(rows: ReportRow[]): string[] {
  return rows.flatMap((r) => {
    const c = collapsedClass(r.metrics.confusion, r.metrics.classes);
    return c ? [`Warning: ${collapseWarning(r.name, c)}.`] : [];
  });
}
