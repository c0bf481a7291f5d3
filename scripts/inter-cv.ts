// Leave-one-record-out cross-validation of classical classifiers on the inter-patient protocol's
// training records (DS1) only: for each of the 22 DS1 records, fit on the other 21 (features
// standardised on them), predict the left-out record; pool the predictions and print the AAMI gross
// statistics (Se and +P of S and V), also with the S class's probability scaled by each weight of
// --s-weights (decision = argmax over classes of probability x weight). DS2 is never loaded into a fit
// or a score: this is how an inter-patient configuration can be chosen without the test records.
//
//   npx tsx scripts/inter-cv.ts --models gboost,random-forest --rr-set rhythm --features rr,morphology \
//     --params '{"gboost": {"classWeight": "balanced"}}' [--s-weights 1,2,4,8] [--json out.json]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initSync } from '../src/index.ts';
import { loadDataset } from '../src/node/dataset.ts';
import { DS1 } from '../src/ecg/dataset/protocols.ts';
import { isRrSet, RR_SETS } from '../src/ecg/dataset/beat-features.ts';
import { buildFeatures, createClassifier, featureOptionsFromGroups, StandardScaler, type Matrix } from '../src/classic/index.ts';

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
const K = ds.classes.length, S = ds.classes.indexOf('S'), V = ds.classes.indexOf('V');
const byRecord = new Map<string, number[]>();
for (let i = 0; i < ds.y.length; i++) {
  const r = ds.records[ds.record[i]!]!;
  if (DS1.includes(r)) (byRecord.get(r) ?? byRecord.set(r, []).get(r)!).push(i);
}
const allRows = Int32Array.from([...byRecord.values()].flat());
const X = buildFeatures(ds, allRows, features);
const d = X.cols;
const position = new Map<number, number>();
allRows.forEach((row, j) => position.set(row, j));
const take = (rows: number[]): Matrix => {
  const data = new Float32Array(rows.length * d);
  rows.forEach((row, j) => data.set(X.data.subarray(position.get(row)! * d, (position.get(row)! + 1) * d), j * d));
  return { data, rows: rows.length, cols: d };
};

function gross(yTrue: Int32Array, pred: Int32Array, c: number): { se: number; ppv: number; tp: number } {
  let tp = 0, pos = 0, called = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === c) { pos++; if (pred[i] === c) tp++; }
    if (pred[i] === c) called++;
  }
  return { se: pos ? tp / pos : 0, ppv: called ? tp / called : 0, tp };
}

const results: Record<string, unknown> = {};
for (const name of o.models!.split(',')) {
  const t0 = performance.now();
  const yTrue: number[] = [], proba: number[] = [], recs: string[] = [];
  for (const held of DS1) {
    const test = byRecord.get(held) ?? [];
    if (!test.length) continue;
    const train = DS1.filter((r) => r !== held).flatMap((r) => byRecord.get(r) ?? []);
    const scaler = new StandardScaler();
    const Xtr = scaler.fitTransform(take(train));
    const ytr = Int32Array.from(train, (i) => ds.y[i]!);
    const present = new Set(ytr);
    const model = createClassifier(name, params[name] ?? {});
    // A class whose every DS1 beat is in the held-out record cannot be learned in this fold: its beats
    // count as misses (the classifier needs every class, so such a fold is reported and skipped).
    if (present.size < K) {
      console.error(`${name}: fold ${held}: training lacks class(es) ${ds.classes.filter((_, k) => !present.has(k)).join(', ')}; fold skipped`);
      continue;
    }
    model.fit(Xtr, ytr, { nClasses: K });
    const p = model.predictProba!(scaler.transform(take(test)));
    for (const i of test) { yTrue.push(ds.y[i]!); recs.push(held); }
    proba.push(...p.data);
    process.stderr.write(`${name}: fold ${held} done (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  const y = Int32Array.from(yTrue);
  const rows: Record<string, unknown>[] = [];
  for (const w of sWeights) {
    const pred = new Int32Array(y.length);
    for (let i = 0; i < y.length; i++) {
      let best = 0, bestV = -1;
      for (let k = 0; k < K; k++) { const v = proba[i * K + k]! * (k === S ? w : 1); if (v > bestV) { bestV = v; best = k; } }
      pred[i] = best;
    }
    const s = gross(y, pred, S), v = gross(y, pred, V);
    let correct = 0;
    for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) correct++;
    const perRecordS: Record<string, string> = {}, falseS: Record<string, number> = {};
    for (const r of DS1) {
      let n = 0, hit = 0, fp = 0;
      for (let i = 0; i < y.length; i++) if (recs[i] === r) {
        if (y[i] === S) { n++; if (pred[i] === S) hit++; } else if (pred[i] === S) fp++;
      }
      if (n >= 20) perRecordS[r] = `${hit}/${n}`;
      if (fp >= 20) falseS[r] = fp;
    }
    rows.push({ sWeight: w, accuracy: correct / y.length, S: s, V: v, perRecordS, falseS });
    console.log(`${name} rr-set ${rrSet} S-weight ${String(w).padStart(3)}: acc ${(100 * correct / y.length).toFixed(2)}  S Se ${(100 * s.se).toFixed(1)} +P ${(100 * s.ppv).toFixed(1)}  V Se ${(100 * v.se).toFixed(1)} +P ${(100 * v.ppv).toFixed(1)}  S found by record ${JSON.stringify(perRecordS)}  false S by record ${JSON.stringify(falseS)}`);
  }
  results[name] = { rrSet, features: o.features, params: params[name] ?? {}, beats: y.length, seconds: (performance.now() - t0) / 1000, rows };
}
if (o.json) writeFileSync(o.json, JSON.stringify(results, null, 2));
