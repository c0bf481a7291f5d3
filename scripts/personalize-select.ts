// The DS1-only selection of the personalisation configuration (docs/personalize.md, "Selection"): the
// adaptive protocol simulated on DS1 records the global model never trained on, for each candidate
// configuration, pooled over those records. DS2 is never loaded into the computation.
//   --records val   (default) the inter protocol's 4 validation records of one global model (the first selection)
//   --records test  each model's own test records: with the fold models of the DS1 simulation (global models
//                   trained with --train-records <DS1 minus a fold> --test-records <the fold>), every DS1
//                   record is a pseudo-wearer of the model that did not see it
// Replay beats come from each model's own training split. With several --model-file (comma-separated),
// the per-record counts of all their pseudo-wearers are pooled.
// Usage: npx tsx scripts/personalize-select.ts --model-file f.ecgm[,g.ecgm...] --grid <name> [--records val|test] [--pick 0,2] [--out runs/adaptive/select-<arch>.json]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { initSync } from '../src/core/runtime.ts';
import { loadDataset } from '../src/node/dataset.ts';
import { datasetOptionsOf } from '../src/ecg/dataset/dataset-meta.ts';
import type { BeatDataset } from '../src/ecg/dataset/dataset.ts';
import { modelFromBytes } from '../src/nn/model-file.ts';
import { runAdaptive, type AdaptiveRecord } from '../src/train/adaptive.ts';
import { stratifiedSubset } from '../src/train/subset.ts';
import type { PersonalizeOptions } from '../src/train/personalize.ts';

const DS1 = ['101', '106', '108', '109', '112', '114', '115', '116', '118', '119', '122', '124', '201', '203', '205', '207', '208', '209', '215', '220', '223', '230'];
const arg = (name: string, def?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
initSync();
const files = arg('model-file')!.split(',');
const which = arg('records', 'val')!;
if (which !== 'val' && which !== 'test') throw new Error(`--records must be val or test, got ${which}`);
const models = files.map((file) => {
  const bytes = new Uint8Array(readFileSync(file));
  const { header } = modelFromBytes(bytes, file);
  const { dataset: ds } = loadDataset('inter', { seed: 0, ...datasetOptionsOf(header.meta) });
  const rows = which === 'val' ? ds.split.val : ds.split.test;
  const records = [...new Set(Array.from(rows, (i) => ds.records[ds.record[i]!]!))].sort();
  for (const r of records) if (!DS1.includes(r)) throw new Error(`${file}: pseudo-wearer ${r} is not a DS1 record`);
  return { file, bytes, header, ds, records };
});
const header = models[0]!.header;
const replayAll = (ds: BeatDataset, n: number) => stratifiedSubset(ds.y, ds.split.train, n, 0, 50);

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
// The DS1 simulation's candidates (docs/personalize.md, "Selection, second round"): the declared configuration,
// then one change at a time aimed at the S suppression DS2 showed in records with S-free labelled minutes.
const chosen = grids.chosen[0]!;
grids.folds = [
  chosen,
  { ...chosen, premature: 8 },
  { ...chosen, premature: 16 },
  { ...chosen, replayBatch: 32 },
  { ...chosen, l2sp: 0.1 },
  { ...chosen, lr: 1e-4 },
  { ...chosen, batchNorm: 'train' },
];
// The third round (docs/personalize.md): the second round's winner (batch norm in training mode, now the default),
// then a few synthetic premature beats per step, far fewer than round 2's 8 and 16.
const bnTrain: Cand = { ...chosen, batchNorm: 'train' };
grids.round3 = [bnTrain, { ...bnTrain, premature: 1 }, { ...bnTrain, premature: 2 }, { ...bnTrain, premature: 4 }];
const all = grids[arg('grid', 'smoke')!]!;
const pick = arg('pick')?.split(',').map(Number);
const grid = pick ? pick.map((k) => all[k]!) : all;
const out: unknown[] = [];
const wearers = models.flatMap((m) => m.records);
console.log(`models ${files.join(', ')} (${header.arch}); pseudo-wearers (${which}): ${wearers.join(', ')}`);
const f1 = (a: { se: number; ppv: number }) => (a.se + a.ppv > 0 ? (2 * a.se * a.ppv) / (a.se + a.ppv) : 0);
/** Gross S and V Se / +P of pooled per-record counts. */
function pooled(rs: AdaptiveRecord[], which: 'global' | 'personalized') {
  const g = (k: 'S' | 'V') => {
    let found = 0, total = 0, fp = 0;
    for (const r of rs) {
      found += r[which].found[k]!;
      total += r[which].total[k]!;
      fp += r[which].falsePositive[k]!;
    }
    return { se: total ? found / total : 0, ppv: found + fp ? found / (found + fp) : 0, found, total, falsePositive: fp };
  };
  const S = g('S'), V = g('V');
  return { S, V, svF1: (f1(S) + f1(V)) / 2 };
}
for (const [k, c] of grid.entries()) {
  const { replayBeats, ...p } = c;
  const t0 = performance.now();
  const recs: AdaptiveRecord[] = [];
  for (const m of models) {
    const r = runAdaptive(m.bytes, m.ds, m.records, { minutes: 5, personalize: p, replayRows: replayBeats ? replayAll(m.ds, replayBeats) : null });
    recs.push(...r.records);
  }
  const s = (performance.now() - t0) / 1000;
  const g = pooled(recs, 'global'), q = pooled(recs, 'personalized');
  const row = {
    index: pick ? pick[k] : k, config: c, seconds: s, maxRecordSeconds: Math.max(...recs.map((x) => x.seconds)),
    global: g, personalized: q,
    records: recs.map((x) => ({ record: x.record, personal: x.personalCounts, g: x.global, p: x.personalized })),
  };
  out.push(row);
  const pc = (v: number) => (100 * v).toFixed(1);
  console.log(`${JSON.stringify(c)}  ${s.toFixed(1)} s | global S ${pc(g.S.se)}/${pc(g.S.ppv)} V ${pc(g.V.se)}/${pc(g.V.ppv)} svF1 ${g.svF1.toFixed(3)} | personalised S ${pc(q.S.se)}/${pc(q.S.ppv)} V ${pc(q.V.se)}/${pc(q.V.ppv)} svF1 ${q.svF1.toFixed(3)}`);
}
const path = arg('out');
if (path) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ models: files, arch: header.arch, records: which, wearers, grid: arg('grid'), rows: out }, null, 2)}\n`);
}
