// Run reports (browser-safe): row types, markdown / text tables, SVG figures.
export type { ReportRow, RowMetrics, RunReport } from './types.ts';
export { collapseNotes, reportRow, rowMetrics, type RowInput } from './rows.ts';
export { renderMarkdown, comparisonTable, textTable } from './markdown.ts';
export { confusionSvg, curvesSvg, tradeoffSvg, type CurveSeries, type TradeoffPoint } from './svg.ts';
