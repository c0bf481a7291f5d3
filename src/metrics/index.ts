// Evaluation metrics.
export { confusionMatrix, classificationReport, reportFromConfusion, aamiGross } from './classification.ts';
export type { ClassMetrics, ClassificationReport } from './classification.ts';
export { recordCounts, grossWithout, type RecordCounts } from './by-record.ts';
