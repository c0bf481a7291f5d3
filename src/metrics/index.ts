// Evaluation metrics.
export { confusionMatrix, classificationReport, reportFromConfusion, aamiGross } from './classification.ts';
export type { ClassMetrics, ClassificationReport } from './classification.ts';
