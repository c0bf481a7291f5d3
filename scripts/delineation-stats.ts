// Wave delineation (src/ecg/delineate) over the MIT-BIH Arrhythmia Database: per beat label, how often a
// P wave is found and the distribution of QRS durations and QT intervals; P presence of N beats by the
// rhythm they sit in; the distribution of QRS durations over all beats. Lead 0 of every record (MLII,
// except 102 and 104: V5), filtered as de Chazal 2004 (200 + 600 ms median baseline removal, zero-phase
// 35 Hz low-pass), R positions from the reference annotations. Prints markdown tables (docs/ecg.md).
//
//   npx tsx scripts/delineation-stats.ts [--data dir] [--records 100,201] [--json out.json]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { delineate } from '../src/ecg/delineate/index.ts';
import { removeBaseline } from '../src/ecg/dsp/baseline.ts';
import { butterworth, filtfilt } from '../src/ecg/dsp/butterworth.ts';
import { MITDB_RECORDS } from '../src/ecg/mitdb.ts';
import { isBeatSymbol } from '../src/ecg/wfdb/annotation-codes.ts';
import { resolveDataDir } from '../src/node/data-path.ts';
import { rdann, rdrecord } from '../src/node/wfdb-files.ts';

const { values: o } = parseArgs({ options: { data: { type: 'string' }, records: { type: 'string' }, json: { type: 'string' } } });
const dir = resolveDataDir(o.data);
const records = o.records ? o.records.split(',') : [...MITDB_RECORDS];

interface Group { beats: number; p: number; qrs: number[]; qt: number[] }
const group = (m: Map<string, Group>, key: string) => {
  let g = m.get(key);
  if (!g) m.set(key, (g = { beats: 0, p: 0, qrs: [], qt: [] }));
  return g;
};
const byLabel = new Map<string, Group>(), byRhythm = new Map<string, Group>();
const all: Group = { beats: 0, p: 0, qrs: [], qt: [] };
let seconds = 0, qrsMissing = 0, tMissing = 0;

for (const name of records) {
  const rec = rdrecord(join(dir, name));
  const ann = rdann(join(dir, name), 'atr');
  const fs = rec.fs;
  const x = filtfilt(butterworth(4, 35, fs, 'lowpass'), removeBaseline(rec.pSignal[0]!, fs));
  const beats: number[] = [], rhythms: string[] = [];
  let rhythm = '(N';
  ann.symbol.forEach((s, i) => {
    if (s === '+' && ann.auxNote[i]) rhythm = ann.auxNote[i]!.replace(/\0/g, '');
    if (isBeatSymbol(s)) {
      beats.push(i);
      rhythms.push(rhythm);
    }
  });
  const t0 = performance.now();
  const d = delineate(x, fs, Int32Array.from(beats, (i) => ann.sample[i]!));
  seconds += (performance.now() - t0) / 1000;
  beats.forEach((ai, k) => {
    const label = ann.symbol[ai]!;
    const on = d.qrsOnset[k]!, off = d.qrsOffset[k]!, tOff = d.tOffset[k]!;
    const groups = [group(byLabel, label), all];
    if (label === 'N') groups.push(group(byRhythm, rhythms[k]!));
    if (on < 0 || off < 0) qrsMissing++;
    if (tOff < 0) tMissing++;
    for (const g of groups) {
      g.beats++;
      g.p += d.pPresent[k]!;
      if (on >= 0 && off >= 0) g.qrs.push((off - on) / fs * 1000);
      if (on >= 0 && tOff >= 0) g.qt.push((tOff - on) / fs * 1000);
    }
  });
}

const q = (a: number[], p: number) => {
  if (!a.length) return NaN;
  const s = Float64Array.from(a).sort();
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const pct = (a: number, b: number) => (b ? (100 * a / b).toFixed(1) : '–');
const row = (key: string, g: Group) =>
  `| ${key} | ${g.beats.toLocaleString('en')} | ${pct(g.p, g.beats)} | ${q(g.qrs, 0.1).toFixed(0)} / ${q(g.qrs, 0.5).toFixed(0)} / ${q(g.qrs, 0.9).toFixed(0)} | ${q(g.qt, 0.5).toFixed(0)} |`;

console.log(`${records.length} records, ${all.beats.toLocaleString('en')} beats, delineation ${seconds.toFixed(1)} s; QRS limits not found for ${qrsMissing}, T offset not found for ${tMissing}\n`);
console.log('| beat label | beats | P present % | QRS ms (p10 / median / p90) | QT ms (median) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [k, g] of [...byLabel].sort((a, b) => b[1].beats - a[1].beats)) console.log(row(`\`${k}\``, g));
console.log(row('all', all));
console.log('\n| rhythm (N beats only) | beats | P present % | QRS ms (p10 / median / p90) | QT ms (median) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [k, g] of [...byRhythm].sort((a, b) => b[1].beats - a[1].beats)) if (g.beats >= 100) console.log(row(`\`${k}\``, g));
const edges = [0, 60, 80, 100, 120, 160, Infinity];
console.log('\n| QRS duration, all beats | ' + edges.slice(0, -1).map((e, i) => (edges[i + 1] === Infinity ? `≥ ${e} ms` : `${e}-${edges[i + 1]} ms`)).join(' | ') + ' |');
console.log('| --- |' + ' ---: |'.repeat(edges.length - 1));
console.log('| share of beats % | ' + edges.slice(0, -1).map((e, i) => pct(all.qrs.filter((v) => v >= e && v < edges[i + 1]!).length, all.qrs.length)).join(' | ') + ' |');
if (o.json) {
  const summary = (g: Group) => ({ beats: g.beats, pPresent: g.p / g.beats, qrs: [0.1, 0.5, 0.9].map((p) => q(g.qrs, p)), qtMedian: q(g.qt, 0.5) });
  writeFileSync(o.json, JSON.stringify({ records, seconds, labels: Object.fromEntries([...byLabel].map(([k, g]) => [k, summary(g)])), rhythms: Object.fromEntries([...byRhythm].map(([k, g]) => [k, summary(g)])), all: summary(all) }, null, 2));
}
