// The DS1-only selection of the personalisation configuration (docs/personalize.md, "Selection"): the
// adaptive protocol simulated on the inter protocol's 4 validation records (DS1 records the global model
// never trained on), for each candidate configuration, pooled over those records. DS2 is never loaded
// into the computation: only the validation records' rows are used (and the training split for replay).
// Usage: npx tsx scripts/personalize-select.ts --model-file f.ecgm --grid <name> [--out runs/adaptive/select-<arch>.json]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { initSync } from '../src/core/runtime.ts';
import { loadDataset } from '../src/node/dataset.ts';
import { datasetOptionsOf } from '../src/ecg/dataset/dataset-meta.ts';
import { modelFromBytes } from '../src/nn/model-file.ts';
import { runAdaptive } from '../src/train/adaptive.ts';
import { stratifiedSubset } from '../src/train/subset.ts';
import type { PersonalizeOptions } from '../src/train/personalize.ts';

const arg = (name: string, def?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
initSync();
const file = arg('model-file')!;
const bytes = new Uint8Array(readFileSync(file));
const { header } = modelFromBytes(bytes, file);
const { dataset: ds } = loadDataset('inter', { seed: 0, ...datasetOptionsOf(header.meta) });
const valRecords = [...new Set(Array.from(ds.split.val, (i) => ds.records[ds.record[i]!]!))].sort();
for (const r of valRecords) if (!['101', '106', '108', '109', '112', '114', '115', '116', '118', '119', '122', '124', '201', '203', '205', '207', '208', '209', '215', '220', '223', '230'].includes(r)) throw new Error(`not a DS1 record: ${r}`);
const replayAll = (n: number) => stratifiedSubset(ds.y, ds.split.train, n, 0, 50);

type Cand = PersonalizeOptions & { replayBeats: number };
const grids: Record<string, Cand[]> = {};
const base: Cand = { layers: 'all', steps: 100, batchSize: 32, lr: 1e-3, l2sp: 0.01, batchNorm: 'frozen', classWeight: 'sqrt', replayBatch: 16, replayBeats: 1000 };
grids.smoke = [base];
// Stage 1: which layers and learning rate (replay and L2-SP on, as base).
grids.stage1 = (['last', 'head', 'all'] as const).flatMap((layers) => [1e-4, 1e-3, 3e-3].map((lr) => ({ ...base, layers, lr })));
// Stage 2 (around the stage-1 winner, given by --layers/--lr): regularisation.
const l1 = { ...base, layers: (arg('layers') ?? 'all') as Cand['layers'], lr: Number(arg('lr') ?? 1e-3) };
grids.stage2 = [
  l1,
  { ...l1, l2sp: 0 }, { ...l1, l2sp: 0.1 },
  { ...l1, replayBeats: 0 },
  { ...l1, classWeight: 'none' }, { ...l1, classWeight: 'balanced' },
  { ...l1, batchNorm: 'train' },
  { ...l1, steps: 50 }, { ...l1, steps: 200 },
];
// The declared candidates (docs/personalize.md): layers x learning rate, then one change at a time from 'all', 1e-3.
grids.main = [
  { ...base, layers: 'last', lr: 3e-3 },
  { ...base, layers: 'head', lr: 1e-3 },
  { ...base, layers: 'all', lr: 3e-4 },
  base,
  { ...base, replayBeats: 0 },
  { ...base, l2sp: 0 },
  { ...base, classWeight: 'none' },
  { ...base, batchNorm: 'train' },
];
// The declared configuration (candidate 3 of main), for models that take it without a grid of their own.
grids.chosen = [{ ...base, lr: 3e-4 }];
const grid = grids[arg('grid', 'smoke')!]!;
const out: unknown[] = [];
console.log(`model ${file} (${header.arch}); pseudo-wearers (DS1 validation records): ${valRecords.join(', ')}`);
const f1 = (a: { se: number; ppv: number }) => (a.se + a.ppv > 0 ? (2 * a.se * a.ppv) / (a.se + a.ppv) : 0);
for (const c of grid) {
  const { replayBeats, ...p } = c;
  const t0 = performance.now();
  const r = runAdaptive(bytes, ds, valRecords, { minutes: 5, personalize: p, replayRows: replayBeats ? replayAll(replayBeats) : null });
  const s = (performance.now() - t0) / 1000;
  const g = r.global.aami, q = r.personalized.aami;
  const row = {
    config: c, seconds: s, maxRecordSeconds: Math.max(...r.records.map((x) => x.seconds)),
    global: { accuracy: r.global.accuracy, S: g.S, V: g.V, svF1: (f1(g.S!) + f1(g.V!)) / 2 },
    personalized: { accuracy: r.personalized.accuracy, S: q.S, V: q.V, svF1: (f1(q.S!) + f1(q.V!)) / 2 },
    records: r.records.map((x) => ({ record: x.record, personal: x.personalCounts, g: x.global, p: x.personalized })),
  };
  out.push(row);
  const pc = (v: number) => (100 * v).toFixed(1);
  console.log(`${JSON.stringify(c)}  ${s.toFixed(1)} s | global S ${pc(g.S!.se)}/${pc(g.S!.ppv)} V ${pc(g.V!.se)}/${pc(g.V!.ppv)} svF1 ${row.global.svF1.toFixed(3)} | personalised S ${pc(q.S!.se)}/${pc(q.S!.ppv)} V ${pc(q.V!.se)}/${pc(q.V!.ppv)} svF1 ${row.personalized.svF1.toFixed(3)} acc ${pc(r.personalized.accuracy)}`);
}
const path = arg('out');
if (path) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ model: file, arch: header.arch, valRecords, grid: arg('grid'), rows: out }, null, 2)}\n`);
}
