// report.md and the terminal comparison table, from a RunReport (browser-safe strings).
import type { ReportRow, RunReport } from './types.ts';
import { formatSpread } from './seeds.ts';

const pct = (v: number) => (100 * v).toFixed(2);

/** The summary columns of a row: name, kind, params, size, times, accuracy, macro-F1 (+ AAMI S/V for inter). */
function summary(rows: ReportRow[], protocol: string): { head: string[]; right: boolean[]; body: string[][] } {
  const aami = protocol === 'inter';
  const head = ['model', 'kind', 'params', 'size KB', 'train s', 'infer ms/beat', 'accuracy %', 'macro-F1', 'weighted-F1'];
  if (aami) head.push('S Se %', 'S +P %', 'V Se %', 'V +P %');
  const body = rows.map((r) => {
    const cells = [r.name, r.kind, r.params.toLocaleString('en-US'), r.sizeKB.toFixed(1), r.trainSeconds.toFixed(1), r.inferMsPerBeat.toFixed(3),
      pct(r.metrics.accuracy), r.metrics.macroF1.toFixed(4), r.metrics.weightedF1.toFixed(4)];
    if (aami) {
      const a = r.metrics.aami ?? {};
      cells.push(...['S', 'V'].flatMap((c) => (a[c] ? [pct(a[c]!.se), pct(a[c]!.ppv)] : ['-', '-'])));
    }
    return cells;
  });
  return { head, right: head.map((_, i) => i >= 2), body };
}

/** A plain-text table aligned with spaces (for the terminal). */
export function textTable(head: string[], body: string[][], right: boolean[] = []): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n');
}

function mdTable(head: string[], body: string[][], right: boolean[] = []): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (right[i] ? '---:' : '---')).join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/**
 * The comparison of a run report's models as a plain-text table, one row per model: kind, parameters, size,
 * training and inference time, accuracy, macro and weighted F1 (and S, V Se / +P for the inter protocol).
 */
export function comparisonTable(report: RunReport): string {
  const s = summary(report.rows, report.protocol);
  return textTable(s.head, s.body, s.right);
}

/**
 * A run report as a Markdown document: settings and recipes, beats, the comparison table, the figures it
 * names, and per model its per-class metrics and confusion matrix.
 */
export function renderMarkdown(report: RunReport): string {
  const out: string[] = [];
  out.push(`# ecgrad ${report.command}: ${report.protocol} protocol`, '');
  out.push(`Created ${report.createdAt}; wall time ${report.wallSeconds.toFixed(1)} s${report.workers ? ` with ${report.workers} worker thread(s)` : ''}.`);
  out.push(`Beats: ${report.beats.train.toLocaleString('en-US')} train, ${report.beats.val.toLocaleString('en-US')} validation, ${report.beats.test.toLocaleString('en-US')} test; classes ${report.classes.join(', ')}.`, '');
  const { recipes, ...rest } = report.settings as { recipes?: Record<string, Record<string, unknown>> };
  const settings = Object.entries(rest).map(([k, v]) => `\`${k}\` = ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  if (settings.length) out.push(`Settings: ${settings.join(', ')}.`, '');
  if (recipes && Object.keys(recipes).length) {
    const keys = ['epochs', 'batchSize', 'lr', 'optimizer', 'weightDecay', 'schedule', 'loss'];
    out.push('Training recipes:', '', mdTable(['model', ...keys], Object.entries(recipes).map(([m, r]) => [m, ...keys.map((k) => String(r[k] ?? '-'))]),
      [false, true, true, true, false, true, false, false]), '');
  }
  for (const n of report.notes) out.push(`- ${n}`);
  if (report.notes.length) out.push('');
  out.push('## Results on the test split', '');
  if (report.seedSummary) {
    out.push('### Across seeds', '', 'Each model trained once per seed; mean ± sample standard deviation (n - 1) [min, max] over the seeds whose run finished. Per-seed rows follow.', '');
    out.push(mdTable(['model', 'seeds', 'accuracy', 'macro-F1', 'weighted-F1'], report.seedSummary.map((m) => [
      m.model, `${m.seeds.join(', ')}${m.failedSeeds.length ? ` (failed: ${m.failedSeeds.join(', ')})` : ''}`, formatSpread(m.accuracy), formatSpread(m.macroF1), formatSpread(m.weightedF1),
    ]), [false, false, true, true, true]), '');
  }
  const s = summary(report.rows, report.protocol);
  out.push(mdTable(s.head, s.body, s.right), '');
  const criterion = report.settings.select === 'sv-f1' ? 'the mean validation F1 of S and V' : 'the validation macro-F1';
  out.push(`The neural models' epoch is selected by ${criterion} only (traditional classifiers use their fixed hyperparameters); the test split is evaluated once, with the selected weights. ` +
    'Inference time is the batched forward pass (batches of 256) per beat; size is the float32 weights.', '');
  if (report.figures.includes('tradeoff.svg')) out.push('![accuracy against size and training time](tradeoff.svg)', '');
  if (report.figures.includes('curves.svg')) out.push('## Training curves', '', '![training curves](curves.svg)', '');
  out.push('## Per-class metrics', '');
  for (const r of report.rows) {
    const m = r.metrics;
    out.push(`### ${r.name}`, '');
    const extra = [r.bestEpoch ? `best validation epoch ${r.bestEpoch} of ${r.epochsRun}${r.stoppedEarly ? ' (stopped early)' : ''}` : '', r.file ? `model file \`${r.file}\`` : '', r.notes ?? '']
      .filter(Boolean);
    if (extra.length) out.push(`${extra.join('; ')}.`, '');
    out.push(mdTable(['class', 'support', 'precision %', 'recall (Se) %', 'specificity %', 'F1'],
      m.classes.map((c) => {
        const k = m.perClass[c]!;
        return [c, String(k.support), pct(k.precision), pct(k.recall), pct(k.specificity), k.f1.toFixed(4)];
      }), [false, true, true, true, true, true]), '');
    out.push('Confusion matrix (rows: true class, columns: predicted):', '');
    out.push(mdTable(['true \\ predicted', ...m.classes], m.confusion.map((row, i) => [m.classes[i]!, ...row.map(String)]), [false, ...m.classes.map(() => true)]), '');
    const svg = `confusion-${r.name}.svg`;
    if (report.figures.includes(svg)) out.push(`![confusion matrix of ${r.name}](${svg})`, '');
  }
  return out.join('\n');
}
