// Pools the test confusion matrices of several training runs (report.json of `ecgrad train`, one per fold of
// a patient-grouped cross-validation run as separate trainings) and prints each run's and the pooled gross
// S and V Se / +P and sv-F1 (the mean of the S and V F1). Used by docs/inter-patient.md (attempt 9).
// Usage: npx tsx scripts/pool-folds.ts runs/a/report.json runs/b/report.json ... [--model ft-cnn] [--json]
import { readFileSync } from 'node:fs';
import { reportFromConfusion, type ClassificationReport } from '../src/metrics/classification.ts';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const model = flag('model');
const asJson = args.includes('--json');
const files = args.filter((a) => a !== '--json');
if (!files.length) throw new Error('usage: npx tsx scripts/pool-folds.ts <report.json>... [--model name] [--json]');

interface Row { name: string; metrics: { classes: string[]; confusion: number[][] } }
const f1 = (m: { precision: number; recall: number }) => (m.precision + m.recall ? (2 * m.precision * m.recall) / (m.precision + m.recall) : 0);
const figures = (r: ClassificationReport) => {
  const S = r.perClass.S!, V = r.perClass.V!;
  return { n: r.n, S: { se: S.recall, ppv: S.precision, support: S.support }, V: { se: V.recall, ppv: V.precision, support: V.support }, svF1: (f1(S) + f1(V)) / 2 };
};
let classes: string[] | null = null, sum: number[][] | null = null;
const perRun = files.map((file) => {
  const report = JSON.parse(readFileSync(file, 'utf8')) as { rows: Row[] };
  const row = model ? report.rows.find((r) => r.name === model) : report.rows[0];
  if (!row) throw new Error(`${file}: no row ${model ?? ''} (rows: ${report.rows.map((r) => r.name).join(', ')})`);
  const { classes: c, confusion } = row.metrics;
  if (classes && c.join() !== classes.join()) throw new Error(`${file}: classes ${c.join(',')} differ from ${classes.join(',')}`);
  classes = c;
  sum = sum ? sum.map((r, i) => r.map((v, j) => v + confusion[i]![j]!)) : confusion.map((r) => r.slice());
  return { file, ...figures(reportFromConfusion(confusion, c)) };
});
const pooled = figures(reportFromConfusion(sum!, classes!));
if (asJson) console.log(JSON.stringify({ runs: perRun, pooled }, null, 2));
else {
  const pc = (v: number) => (100 * v).toFixed(2);
  for (const r of [...perRun, { file: 'pooled', ...pooled }])
    console.log(`${r.file}: ${r.n} beats, S ${pc(r.S.se)} / ${pc(r.S.ppv)} (${r.S.support}), V ${pc(r.V.se)} / ${pc(r.V.ppv)} (${r.V.support}), sv-F1 ${r.svF1.toFixed(4)}`);
}
