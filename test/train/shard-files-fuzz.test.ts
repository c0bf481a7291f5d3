// The files `ecgrad merge` and `compare --resume` read (shard.json, cv-shard.json, compare.json,
// <model>.result.json), fuzzed (seeded, bounded): JSON truncated, values replaced by hostile ones, fields
// deleted, random bytes. A shard file either reads or is refused with a ShardError naming the file; the
// resume files are read or ignored (damaged compare.json is reported as 'damaged'); never an engine error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/random.ts';
import { CV_SHARD_FILE, readCvShardFile } from '../../src/node/cv/shard-file.ts';
import { readResult, readRunState, RUN_FILE, resultFile } from '../../src/node/train/run-state.ts';
import { readShardFile, SHARD_FILE, ShardError } from '../../src/node/train/shards.ts';
import { type Json, paths } from '../helpers/fuzz.ts';

const ROUNDS = Number(process.env.FUZZ_ROUNDS) || 400;
const dir = mkdtempSync(join(tmpdir(), 'ecgrad-shard-fuzz-'));
writeFileSync(join(dir, 'knn.ecgc'), 'x');

const row = { name: 'knn', kind: 'classic', params: 1, sizeKB: 1, trainSeconds: 1, inferMsPerBeat: 0.1, metrics: { n: 1, accuracy: 1 }, file: 'knn.ecgc' };
const bases: Record<string, unknown> = {
  [SHARD_FILE]: {
    format: 'ecgrad-shard', formatVersion: 1, command: 'compare', runKey: 'k', version: '0.1.0', commit: 'c', shard: { index: 1, count: 2 },
    models: ['knn', 'logreg'], assigned: ['knn'], settings: { protocol: 'intra' }, notes: [], workersOption: 2, rows: [row], failed: [],
    beats: { train: 1, val: 1, test: 1 }, perModelSeconds: { knn: 1 }, wallSeconds: 1,
  },
  [CV_SHARD_FILE]: {
    format: 'ecgrad-cv-shard', formatVersion: 1, runKey: 'k', version: '0.1.0', commit: 'c', shard: { index: 1, count: 2 }, model: 'knn', folds: 4,
    foldCount: 4, assigned: [0, 2], results: [{ fold: 1, rows: [1, 2], pred: [0, 1], trainBeats: 5, valBeats: 0, trainSeconds: 1, seconds: 1 }, { fold: 3, rows: [3], pred: [2], trainBeats: 5, valBeats: 0, trainSeconds: 1, seconds: 1 }],
    settings: { protocol: 'inter' }, argv: [], workersOption: 2, wallSeconds: 1,
  },
  [RUN_FILE]: { format: 'ecgrad-compare-run', runKey: 'k', models: ['knn'] },
  [resultFile('knn')]: { runKey: 'k', model: 'knn', seconds: 1, row, beats: { train: 1, val: 1, test: 1 } },
};
const HOSTILE: unknown[] = [null, -1, 0, 1.5, 1e300, '', 'x', true, [], [-1], {}, { index: 0 }, '__proto__', [null], Number.MAX_SAFE_INTEGER];

function mutate(rng: Rng, base: unknown): string {
  const text = JSON.stringify(base);
  const kind = rng.int(4);
  if (kind === 0) return text.slice(0, rng.int(text.length));
  if (kind === 1) return Array.from({ length: rng.int(64) }, () => String.fromCharCode(rng.int(128))).join('');
  const copy = structuredClone(base) as Record<string | number, unknown>;
  const all = paths(copy as Json).filter((p) => p.length > 0);
  const p = all[rng.int(all.length)]!;
  let at = copy as Record<string | number, unknown>;
  for (const k of p.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  if (kind === 2) delete at[p[p.length - 1]!];
  else at[p[p.length - 1]!] = HOSTILE[rng.int(HOSTILE.length)];
  return JSON.stringify(copy);
}

test(`${ROUNDS} mutants of each shard and resume file: read, refused with a ShardError naming it, or (resume files) ignored`, () => {
  const rng = new Rng(18 + (Number(process.env.FUZZ_SEED) || 0));
  const wrong: string[] = [];
  let refused = 0, read = 0;
  for (const [name, base] of Object.entries(bases)) {
    for (let r = 0; r < ROUNDS; r++) {
      writeFileSync(join(dir, name), mutate(rng, base));
      try {
        if (name === SHARD_FILE) readShardFile(dir);
        else if (name === CV_SHARD_FILE) readCvShardFile(dir);
        else if (name === RUN_FILE) readRunState(dir);
        else readResult(dir, 'k', 'knn');
        read++;
      } catch (e) {
        refused++;
        if (!(e instanceof ShardError) || !(e as Error).message.includes(name)) wrong.push(`${name}: ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
      }
    }
  }
  console.log(`  ${4 * ROUNDS} mutants: ${read} read (or ignored), ${refused} refused`);
  assert.equal([...new Set(wrong)].slice(0, 8), []);
  assert.ok(refused > ROUNDS, `${refused} refused`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
