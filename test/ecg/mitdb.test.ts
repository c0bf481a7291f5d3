// Checks on the real MIT-BIH Arrhythmia Database: every signal checksum verifies, the annotation totals
// equal the table measured in SOURCE.md, and record 100 has its known first samples and lead names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MITDB_RECORDS } from '../../src/ecg/mitdb.ts';
import { isBeatSymbol } from '../../src/ecg/wfdb/annotation-codes.ts';
import { rdann, rdheader, rdrecord } from '../../src/node/wfdb-files.ts';
import { mitdbDir } from './helpers.ts';

const dir = mitdbDir();

test('record 100: header fields, lead names MLII and V5, first samples and first annotations', () => {
  const h = rdheader(join(dir, '100'));
  assert.equal([h.recordName, h.nSig, h.fs, h.sigLen], ['100', 2, 360, 650000]);
  const rec = rdrecord(join(dir, '100'));
  assert.equal(rec.sigName, ['MLII', 'V5']);
  assert.equal(Array.from(rec.dSignal[0]!.subarray(0, 4)), [995, 995, 995, 995]);
  assert.equal(Array.from(rec.dSignal[1]!.subarray(0, 4)), [1011, 1011, 1011, 1011]);
  assert.is(rec.pSignal[0]![0], Math.fround(-0.145)); // (995 - 1024) / 200 mV
  assert.is(rec.pSignal[1]![0], Math.fround(-0.065));
  const ann = rdann(join(dir, '100'), 'atr');
  assert.equal(Array.from(ann.sample.subarray(0, 4)), [18, 77, 370, 662]);
  assert.equal(ann.symbol.slice(0, 4), ['+', 'N', 'N', 'N']);
  assert.is(ann.auxNote[0], '(N');
});

test('all 96 signals of the 48 records decode and match their header checksums and initial values', () => {
  let verified = 0;
  for (const r of MITDB_RECORDS) {
    const rec = rdrecord(join(dir, r)); // throws on any checksum mismatch
    for (let j = 0; j < rec.nSig; j++) {
      assert.is(rec.dSignal[j]!.length, 650000);
      assert.is(rec.dSignal[j]![0], rec.initValue[j], `record ${r} signal ${j} initial value`);
      verified++;
    }
  }
  assert.is(verified, 96);
});

test('annotation totals over the 48 records equal the table in SOURCE.md (109,494 beats)', () => {
  const counts = new Map<string, number>();
  const rhythms = new Map<string, number>();
  let beats = 0, all = 0;
  for (const r of MITDB_RECORDS) {
    const a = rdann(join(dir, r), 'atr');
    all += a.symbol.length;
    a.symbol.forEach((s, i) => {
      counts.set(s, (counts.get(s) ?? 0) + 1);
      if (isBeatSymbol(s)) beats++;
      if (s === '+') rhythms.set(a.auxNote[i]!, (rhythms.get(a.auxNote[i]!) ?? 0) + 1);
    });
  }
  assert.is(beats, 109494);
  assert.is(all, 112647);
  // Every row "| `X` | meaning | 12,345 |" of SOURCE.md's two tables.
  const source = readFileSync(join(dir, 'SOURCE.md'), 'utf8');
  const rows = [...source.matchAll(/^\| `(.+?)` \| [^|]+ \| ([\d,]+) \|$/gm)];
  assert.is(rows.length, 23);
  for (const [, sym, n] of rows) assert.is(counts.get(sym!.replace('\\|', '|')) ?? 0, Number(n!.replace(/,/g, '')), `symbol ${sym}`);
  assert.equal([counts.get('N'), counts.get('L'), counts.get('R'), counts.get('V'), counts.get('/'), counts.get('A'), counts.get('f'), counts.get('F')], [75052, 8075, 7259, 7130, 7028, 2546, 982, 803]);
  assert.equal([rhythms.get('(N'), rhythms.get('(AFIB'), rhythms.get('(VFL')], [530, 107, 6]);
});

test.run();
