// Why the de Chazal 2004 reproduction (dechazal2004 on --rr-set dechazal) misses: leave-one-record-out
// over DS1 only (no DS2 involved), the class-weighted linear discriminant on growing groups of the 43
// features, pooled held-out S / V gross Se and +P, and the in-sample fit on all of DS1 for comparison.
//   npx tsx scripts/dechazal-analysis.ts [--data dir]
import { initSync } from '../src/all.ts';
import { loadDataset } from '../src/node/dataset.ts';
import { DS1 } from '../src/ecg/dataset/protocols.ts';
import { recordCrossValidation } from '../src/classic/record-cv.ts';
import { createClassifier } from '../src/classic/registry.ts';
import { buildFeatures, StandardScaler } from '../src/classic/features.ts';
import { argmaxRows } from '../src/classic/matrix.ts';
import { aamiGross, classificationReport } from '../src/metrics/classification.ts';

initSync();
const data = process.argv.includes('--data') ? process.argv[process.argv.indexOf('--data') + 1] : undefined;
const { dataset: full } = loadDataset('inter', { data, rrSet: 'dechazal' });
const F = full.rrFeatures.length;
const groups: [string, (n: string) => boolean][] = [
  ['RR (4)', (n) => n.startsWith('dc')],
  ['RR + heartbeat intervals (7)', (n) => n.startsWith('dc') || ['qrsDuration', 'tDuration', 'pWave'].includes(n)],
  ['RR + intervals + lead A morphology (25)', (n) => !n.startsWith('B.')],
  ['all 43', () => true],
];
const onlyRR = { beat: false, rr: true, morphology: false };
const fmt = (g: Record<string, { se: number; ppv: number }>) => ['S', 'V'].map((c) => `${c} ${(100 * g[c]!.se).toFixed(1)} / ${(100 * g[c]!.ppv).toFixed(1)}`).join(', ');
const pN = full.rrFeatures.indexOf('pWave');
const ds1Rows = Array.from(full.y.keys()).filter((i) => DS1.includes(full.records[full.record[i]!]!));
for (const [k, c] of full.classes.entries()) {
  const rows = ds1Rows.filter((i) => full.y[i] === k);
  if (rows.length) console.log(`P wave flagged on DS1 ${c} beats: ${(100 * rows.reduce((a, i) => a + full.rr[i * F + pN]!, 0) / rows.length).toFixed(1)}% of ${rows.length}`);
}
for (const [name, keep] of groups) {
  const cols = full.rrFeatures.map((n, j) => (keep(n) ? j : -1)).filter((j) => j >= 0);
  const rr = new Float32Array(full.y.length * cols.length);
  for (let i = 0; i < full.y.length; i++) cols.forEach((j, c) => (rr[i * cols.length + c] = full.rr[i * F + j]!));
  const ds = { ...full, rr, rrFeatures: cols.map((j) => full.rrFeatures[j]!) };
  const cv = recordCrossValidation(ds, DS1, 'dechazal2004', { features: onlyRR });
  const cvGross = aamiGross(classificationReport(cv.y, argmaxRows(cv.proba.data, cv.proba.rows, ds.classes.length), ds.classes));
  const rows = Int32Array.from(ds1Rows);
  const sc = new StandardScaler(), X = sc.fitTransform(buildFeatures(ds, rows, onlyRR)), y = Int32Array.from(rows, (i) => ds.y[i]!);
  const fit = createClassifier('dechazal2004').fit(X, y, { nClasses: ds.classes.length });
  const fitGross = aamiGross(classificationReport(y, fit.predict(X), ds.classes));
  console.log(`${name}: held-out (LORO) ${fmt(cvGross)}; fitted on all of DS1, in-sample ${fmt(fitGross)}`);
}
