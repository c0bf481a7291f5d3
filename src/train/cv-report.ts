// The report of a patient-grouped cross-validation (browser-safe): the held-out predictions of every fold
// pooled into one confusion matrix, accuracy, macro-F1 and the AAMI gross Se / +P of S and V
// (src/metrics/classification.ts), and by record: beats, S found / S total, false S, V found / V total,
// false V (src/metrics/by-record.ts); as JSON-ready data, a Markdown report and a plain-text table.
import { aamiGross, classificationReport, type ClassMetrics } from '../metrics/classification.ts';
import { recordCounts, type RecordCounts } from '../metrics/by-record.ts';
import type { FoldPlan } from './cv-folds.ts';

export interface CvFoldSummary {
  name: string;
  heldOut: string[];
  /** Records fitted on; validation records (neural models). */
  fit: string[];
  val: string[];
  trainBeats: number;
  valBeats: number;
  testBeats: number;
  seconds: number;
  /** Neural models: the epoch selected on the fold's validation records. */
  bestEpoch?: number;
  epochsRun?: number;
}

export interface CvReport {
  classes: string[];
  /** Pooled over every fold's held-out beats. */
  n: number;
  accuracy: number;
  macroF1: number;
  confusion: number[][];
  perClass: Record<string, ClassMetrics>;
  /** AAMI gross Se / +P (N, S, V, F) of the pooled predictions. */
  aami: Record<string, { se: number; ppv: number }>;
  /** By held-out record, in the order of the records given. */
  perRecord: RecordCounts[];
}

/**
 * The pooled report: yTrue / yPred are class indices into `classes`, record[i] the index into `records`
 * of beat i's record.
 */
export function cvReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, record: ArrayLike<number>, records: readonly string[], classes: string[]): CvReport {
  const r = classificationReport(yTrue, yPred, classes);
  const targets = ['S', 'V'].filter((c) => classes.includes(c));
  return {
    classes: classes.slice(), n: r.n, accuracy: r.accuracy, macroF1: r.macroF1, confusion: r.confusion, perClass: r.perClass,
    aami: aamiGross(r), perRecord: recordCounts(yTrue, yPred, record, records, classes, targets),
  };
}

/** Folds' summaries from their plans and per-fold counts. */
export function foldSummary(plan: FoldPlan, r: Omit<CvFoldSummary, 'name' | 'heldOut' | 'fit' | 'val'>): CvFoldSummary {
  return { name: plan.name, heldOut: plan.heldOut, fit: plan.fit, val: plan.val, ...r };
}

const pct = (v: number | undefined) => (v === undefined ? '–' : (100 * v).toFixed(1));
const frac = (found: number | undefined, total: number | undefined) => (total ? `${found} / ${total}` : '–');

/** The gross S / V figures as one line: "S Se 56.0% +P 31.5%, V Se 89.7% +P 77.4%". */
export function grossLine(rep: Pick<CvReport, 'aami'>): string {
  return ['S', 'V'].filter((c) => rep.aami[c]).map((c) => `${c} Se ${pct(rep.aami[c]!.se)}% +P ${pct(rep.aami[c]!.ppv)}%`).join(', ');
}

/** The per-record table as plain text (records, beats, S found / total, false S, V found / total, false V) and a pooled line. */
export function cvTable(rep: CvReport): string {
  const head = ['record', 'beats', 'S found', 'false S', 'V found', 'false V'];
  const w = [8, 7, 13, 9, 13, 9];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('');
  const rows = rep.perRecord.map((r) => line([r.record, String(r.beats), frac(r.found.S, r.total.S), String(r.falsePositive.S ?? '–'), frac(r.found.V, r.total.V), String(r.falsePositive.V ?? '–')]));
  const t = (k: 'found' | 'total' | 'falsePositive', c: string) => rep.perRecord.reduce((a, r) => a + (r[k][c] ?? 0), 0);
  rows.push(line(['pooled', String(rep.n), frac(t('found', 'S'), t('total', 'S')), String(t('falsePositive', 'S')), frac(t('found', 'V'), t('total', 'V')), String(t('falsePositive', 'V'))]));
  return [line(head), ...rows, '', `pooled: accuracy ${pct(rep.accuracy)}%, macro-F1 ${rep.macroF1.toFixed(3)}, ${grossLine(rep)}`].join('\n');
}

export interface CvMeta {
  model: string;
  protocol: string;
  folds: string;
  command?: string;
  settings?: Record<string, unknown>;
  wallSeconds?: number;
  workers?: number;
  notes?: string[];
}

/** report.md of a cross-validation run. */
export function cvMarkdown(rep: CvReport, folds: CvFoldSummary[], meta: CvMeta): string {
  const C = rep.classes;
  const out = [
    `# Cross-validation: ${meta.model}, ${meta.protocol} protocol, ${meta.folds}`, '',
    `Patient-grouped: the records are the groups; ${folds.length} folds over the protocol's training records (${rep.perRecord.length} records, ${rep.n} held-out beats), ` +
      'each predicted by a model that never saw its records; the held-out predictions of all folds are pooled.', '',
  ];
  if (meta.command) out.push('```sh', meta.command, '```', '');
  out.push('## Pooled', '', `accuracy ${pct(rep.accuracy)}%, macro-F1 ${rep.macroF1.toFixed(3)}`, '',
    '| class | beats | Se % | +P % | F1 |', '| --- | ---: | ---: | ---: | ---: |',
    ...C.map((c) => `| ${c} | ${rep.perClass[c]!.support} | ${pct(rep.perClass[c]!.recall)} | ${pct(rep.perClass[c]!.precision)} | ${rep.perClass[c]!.f1.toFixed(3)} |`), '',
    'Confusion matrix (rows: true class, columns: predicted):', '',
    `| true \\ predicted | ${C.join(' | ')} |`, `| --- | ${C.map(() => '---:').join(' | ')} |`,
    ...rep.confusion.map((row, t) => `| ${C[t]} | ${row.join(' | ')} |`), '',
    '## By record', '',
    '| record | beats | S found / S total | false S | V found / V total | false V |', '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rep.perRecord.map((r) => `| ${r.record} | ${r.beats} | ${frac(r.found.S, r.total.S)} | ${r.falsePositive.S ?? '–'} | ${frac(r.found.V, r.total.V)} | ${r.falsePositive.V ?? '–'} |`), '',
    '## Folds', '',
    '| fold | held out | validation records | training beats | validation beats | held-out beats | best epoch | seconds |', '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...folds.map((f) => `| ${f.name} | ${f.heldOut.join(', ')} | ${f.val.join(', ') || '–'} | ${f.trainBeats} | ${f.valBeats || '–'} | ${f.testBeats} | ${f.bestEpoch ? `${f.bestEpoch} of ${f.epochsRun}` : '–'} | ${f.seconds.toFixed(1)} |`), '',
  );
  const notes = [...(meta.notes ?? [])];
  if (meta.wallSeconds !== undefined) notes.push(`wall time ${meta.wallSeconds.toFixed(1)} s${meta.workers ? ` on ${meta.workers} worker thread(s)` : ''}`);
  if (meta.settings) notes.push(`settings: \`${JSON.stringify(meta.settings)}\``);
  if (notes.length) out.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
