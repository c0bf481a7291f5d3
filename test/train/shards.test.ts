// compare --shard i/n and ecgrad merge: the split is deterministic and balanced; two shards merged give
// the unsharded run's report.json (timings apart) and byte-identical model files; bad shard values,
// incomplete or mixed shard sets and damaged shard folders are refused with nothing written.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assignShards, parseShard } from '../../src/node/train/shards.ts';
import { cli } from '../helpers/cli.ts';
import { mitdbDir } from '../ecg/helpers.ts';

const data = mitdbDir();
const root = mkdtempSync(join(tmpdir(), 'ecgrad-shards-'));
const small = ['--protocol', 'intra', '--data', data, '--train-beats', '300', '--val-beats', '150', '--test-beats', '200', '--epochs', '1', '--batch-size', '32'];
const MODELS = 'std-cnn,knn,decision-tree';

test('--shard values: i/n with 1 <= i <= n, refused otherwise', () => {
  assert.equal(parseShard('2/3', 'compare'), { index: 2, count: 3 });
  for (const [v, re] of [['3/2', /index must be 1\.\.2/], ['0/2', /counted from 1/], ['x', /must be i\/n/], ['1/0', /count must be 1\.\.10000/], ['1/2/3', /must be i\/n/]] as const) {
    assert.throws(() => parseShard(v, 'compare'), re);
  }
});

test('the split: longest first to the least-loaded shard, deterministic, every job once', () => {
  // Costs 5, 4, 3, 2, 1 in that order: 5 | 4, then 5 | 7, 7 | 7, 8 | 7 (a tie goes to the lower shard).
  assert.equal(assignShards([5, 1, 4, 2, 3], 2), [[0, 1, 3], [2, 4]]);
  assert.equal(assignShards([1, 1, 1], 2), [[0, 2], [1]]);
  assert.equal(assignShards([3], 4), [[0], [], [], []]);
  const costs = Array.from({ length: 40 }, (_, i) => ((i * 7919) % 97) + 1);
  const split = assignShards(costs, 3);
  assert.equal(split.flat().sort((a, b) => a - b), costs.map((_, i) => i));
  const loads = split.map((l) => l.reduce((a, i) => a + costs[i]!, 0));
  assert.ok(Math.max(...loads) - Math.min(...loads) <= Math.max(...costs), `loads ${loads}`);
  assert.equal(assignShards(costs, 3), split);
});

/** report.json without what depends on timing. */
function timeless(dir: string): unknown {
  const r = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  delete r.createdAt;
  delete r.wallSeconds;
  delete r.settings.perModelSeconds;
  r.notes = r.notes.filter((n: string) => !n.startsWith('wall time'));
  for (const row of r.rows) {
    delete row.trainSeconds;
    delete row.inferMsPerBeat;
    row.notes = String(row.notes ?? '').replace(/(; )?wall time in its worker [\d.]+ s/, '');
    for (const h of row.history ?? []) delete h.seconds;
  }
  return r;
}

test('two shards merged equal the unsharded run: report.json apart from timings, the same model files', async () => {
  const whole = join(root, 'whole'), s1 = join(root, 's1'), s2 = join(root, 's2'), merged = join(root, 'merged');
  const a = await cli('compare', '--models', MODELS, ...small, '--out', whole);
  assert.is(a.code, 0, a.err);
  const b1 = await cli('compare', '--models', MODELS, ...small, '--shard', '1/2', '--out', s1);
  assert.is(b1.code, 0, b1.err);
  const b2 = await cli('compare', '--models', MODELS, ...small, '--shard', '2/2', '--out', s2, '--workers', '1');
  assert.is(b2.code, 0, b2.err);
  // The costliest job (the CNN) alone in shard 1, the two fast classifiers in shard 2.
  assert.ok(existsSync(join(s1, 'std-cnn.ecgm')) && !existsSync(join(s1, 'knn.ecgc')));
  assert.ok(existsSync(join(s2, 'knn.ecgc')) && existsSync(join(s2, 'decision-tree.ecgc')));
  assert.not.ok(existsSync(join(s1, 'report.json')), 'a shard folder holds no report of its own');
  const m = await cli('merge', s2, s1, '--out', merged);
  assert.is(m.code, 0, m.err);
  assert.equal(timeless(merged), timeless(whole));
  for (const f of ['std-cnn.ecgm', 'knn.ecgc', 'decision-tree.ecgc']) {
    assert.ok(readFileSync(join(merged, f)).equals(readFileSync(join(whole, f))), `${f} differs`);
  }
  assert.equal(readdirSync(merged).filter((f) => f.endsWith('.svg')).sort(), readdirSync(whole).filter((f) => f.endsWith('.svg')).sort());
  assert.match(readFileSync(join(merged, 'report.md'), 'utf8'), /\| std-cnn \| neural \|/);
});

test('merge refuses what is not one complete run, and writes nothing', async () => {
  const s1 = join(root, 's1'), s2 = join(root, 's2');
  const refused = async (args: string[], re: RegExp) => {
    const out = join(root, `bad-${Math.random().toString(36).slice(2)}`);
    const r = await cli('merge', ...args, '--out', out);
    assert.is(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.err, re);
    assert.not.ok(existsSync(out), 'nothing written');
  };
  await refused([s1], /shard 2\/2 missing/);
  await refused([s1, s1], /both shard 1\/2/);
  await refused([join(root, 'whole')], /is not a shard folder \(no shard\.json\)/);
  // A shard of another run (another seed): different settings.
  const other = join(root, 'other');
  const o = await cli('compare', '--models', MODELS, ...small, '--seed', '5', '--shard', '2/2', '--out', other);
  assert.is(o.code, 0, o.err);
  await refused([s1, other], /shards of different runs \(different settings or model lists\)/);
  // A damaged shard folder.
  const damaged = join(root, 'damaged');
  const d = await cli('compare', '--models', MODELS, ...small, '--shard', '2/2', '--out', damaged);
  assert.is(d.code, 0, d.err);
  writeFileSync(join(damaged, 'shard.json'), readFileSync(join(damaged, 'shard.json'), 'utf8').slice(0, 200));
  await refused([s1, damaged], /is not valid JSON.*run that shard again/);
  rmSync(join(s2, 'knn.ecgc'));
  await refused([s1, s2], /the model file of row knn is missing/);
  // An --out that is not empty.
  const r = await cli('merge', s1, other, '--out', s1);
  assert.is(r.code, 2);
  assert.match(r.err, /exists and is not empty/);
});

test('compare --shard with a bad value exits 2 before any work', async () => {
  for (const v of ['3/2', '0/2', 'two']) {
    const out = join(root, `x-${v.replace('/', '-')}`);
    const r = await cli('compare', '--models', MODELS, ...small, '--shard', v, '--out', out);
    assert.is(r.code, 2, r.err);
    assert.match(r.err, /--shard/);
    assert.not.ok(existsSync(out));
  }
});

test('cv --shard: three shards of a 4-fold cross-validation, merged, give the unsharded report (timings apart)', async () => {
  const cvArgs = ['--model', 'decision-tree', '--protocol', 'inter', '--folds', '4', '--seed', '4', '--data', data, '--train-beats', '2000', '--test-beats', '400'];
  const whole = join(root, 'cv-whole'), merged = join(root, 'cv-merged');
  const a = await cli('cv', ...cvArgs, '--out', whole);
  assert.is(a.code, 0, a.err);
  const shards = [1, 2, 3].map((i) => join(root, `cv-s${i}`));
  for (const [i, dir] of shards.entries()) {
    const r = await cli('cv', ...cvArgs, '--shard', `${i + 1}/3`, '--out', dir, '--workers', String(1 + (i % 2)));
    assert.is(r.code, 0, r.err);
    assert.ok(existsSync(join(dir, 'cv-shard.json')) && !existsSync(join(dir, 'report.json')));
  }
  const m = await cli('merge', ...shards, '--out', merged, '--data', data);
  assert.is(m.code, 0, m.err);
  const strip = (dir: string) => {
    const r = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    delete r.createdAt;
    delete r.wallSeconds;
    for (const f of r.foldDetails) {
      delete f.seconds;
      delete f.trainSeconds;
    }
    return r;
  };
  assert.equal(strip(merged), strip(whole));
  const bad = await cli('merge', shards[0]!, shards[2]!, '--out', join(root, 'cv-bad'), '--data', data);
  assert.is(bad.code, 2);
  assert.match(bad.err, /shard 2\/3 missing/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
