// Writes a run's report into its folder: one confusion-matrix SVG per row, the training curves and the
// accuracy / size / time figure, then report.json and report.md (each file written atomically).
import { join } from 'node:path';
import type { RunReport } from '../../report/types.ts';
import { confusionSvg, curvesSvg, tradeoffSvg } from '../../report/svg.ts';
import { renderMarkdown } from '../../report/markdown.ts';
import { atomicWrite } from './files.ts';

/**
 * Writes a run report into its folder: a confusion-matrix SVG per model, curves.svg and tradeoff.svg,
 * report.json and report.md (atomically); returns the file names written.
 */
export function writeReport(dir: string, report: RunReport): string[] {
  const figures: string[] = [];
  const put = (name: string, svg: string) => {
    atomicWrite(join(dir, name), svg);
    figures.push(name);
  };
  for (const r of report.rows) put(`confusion-${r.name}.svg`, confusionSvg(r.metrics.classes, r.metrics.confusion, `${r.name}: ${report.protocol} test split`));
  const curves = report.rows.filter((r) => r.history?.length).map((r) => ({ name: r.name, history: r.history! }));
  if (curves.length) put('curves.svg', curvesSvg(curves, `Training curves (${report.protocol})`));
  if (report.rows.length) put('tradeoff.svg', tradeoffSvg(report.rows.map((r) => ({ name: r.name, kind: r.kind, sizeKB: r.sizeKB, trainSeconds: r.trainSeconds, accuracy: r.metrics.accuracy }))));
  report.figures = figures;
  atomicWrite(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  atomicWrite(join(dir, 'report.md'), renderMarkdown(report));
  return [...figures, 'report.json', 'report.md'];
}
