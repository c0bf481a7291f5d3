// Leave-one-record-out cross-validation of classical classifiers on the inter-patient protocol's
// training records (DS1) only (src/classic/record-cv.ts): each DS1 record is predicted by a model fitted
// on the other 21; the pooled predictions give the AAMI gross statistics (Se and +P of S and V), also
// with the S class's probability scaled by each weight of --s-weights, and the S beats found and the false
// S calls by record. DS2 is never fitted or scored: this is how docs/inter-patient.md chose attempt 3.
//
//   npx tsx scripts/inter-cv.ts --models gboost,random-forest --rr-set irregular --features rr \
//     --params '{"gboost": {"classWeight": "balanced"}}' [--s-weights 1,2,4,8] [--json out.json]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initSync } from '../src/all.ts';
import { loadDataset } from '../src/node/dataset.ts';
import { DS1 } from '../src/ecg/dataset/protocols.ts';
import { isRrSet, RR_SETS } from '../src/ecg/dataset/beat-features.ts';
import { cvPredictions, featureOptionsFromGroups, recordCrossValidation } from '../src/classic/index.ts';
import { aamiGross, classificationReport } from '../src/metrics/classification.ts';

const { values: o } = parseArgs({
  options: {
    models: { type: 'string', default: 'gboost' },
    'rr-set': { type: 'string', default: 'local' },
    features: { type: 'string', default: 'rr,morphology' },
    params: { type: 'string', default: '{}' },
    's-weights': { type: 'string', default: '1,2,4,8,16,32' },
    data: { type: 'string' },
    json: { type: 'string' },
  },
});
const rrSet = o['rr-set']!;
if (!isRrSet(rrSet)) throw new Error(`--rr-set must be one of ${RR_SETS.join(', ')}`);
const features = featureOptionsFromGroups(o.features!.split(','));
const params = JSON.parse(o.params!) as Record<string, Record<string, unknown>>;
const sWeights = o['s-weights']!.split(',').map(Number);

initSync();
const { dataset: ds } = loadDataset('inter', { data: o.data, seed: 0, ...(rrSet !== 'local' ? { rrSet } : {}) });
const S = ds.classes.indexOf('S');
const results: Record<string, unknown> = {};
for (const name of o.models!.split(',')) {
  const t0 = performance.now();
  const cv = recordCrossValidation(ds, DS1, name, {
    params: params[name] ?? {}, features,
    onFold: (r, skipped) => process.stderr.write(`${name}: fold ${r} ${skipped ? 'skipped (its training records lack a class)' : 'done'} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`),
  });
  const rows: Record<string, unknown>[] = [];
  for (const w of sWeights) {
    const pred = cvPredictions(cv, ds.classes.map((_, k) => (k === S ? w : 1)));
    const report = classificationReport(cv.y, pred, ds.classes), gross = aamiGross(report);
    const s = gross.S!, v = gross.V!, accuracy = report.accuracy;
    const found: Record<string, string> = {}, falseS: Record<string, number> = {};
    for (const r of DS1) {
      let n = 0, hit = 0, fp = 0;
      for (let i = 0; i < pred.length; i++) if (cv.heldOut[i] === r) {
        if (cv.y[i] === S) { n++; if (pred[i] === S) hit++; } else if (pred[i] === S) fp++;
      }
      if (n >= 20) found[r] = `${hit}/${n}`;
      if (fp >= 20) falseS[r] = fp;
    }
    rows.push({ sWeight: w, accuracy, S: s, V: v, perRecordS: found, falseS });
    console.log(`${name} rr-set ${rrSet} S-weight ${String(w).padStart(3)}: acc ${(100 * accuracy).toFixed(2)}  S Se ${(100 * s.se).toFixed(1)} +P ${(100 * s.ppv).toFixed(1)}  V Se ${(100 * v.se).toFixed(1)} +P ${(100 * v.ppv).toFixed(1)}  S found by record ${JSON.stringify(found)}  false S by record ${JSON.stringify(falseS)}`);
  }
  results[name] = { rrSet, features: o.features, params: params[name] ?? {}, beats: cv.y.length, skipped: cv.skipped, seconds: (performance.now() - t0) / 1000, rows };
}
if (o.json) writeFileSync(o.json, JSON.stringify(results, null, 2));
