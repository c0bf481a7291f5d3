// compare --seeds: every job once per seed (jobs = model x seed), each model's test metrics summarised
// as mean, sample standard deviation and min-max; two shards of a seeded --quick run merged equal the
// unsharded run (report.json apart from timings, the same model files); bad --seeds values refused
// before any work.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jobNames, seedSummaries, spread } from '../../src/report/seeds.ts';
import type { ReportRow } from '../../src/report/types.ts';
import { cli } from '../helpers/cli.ts';
import { mitdbDir } from '../ecg/helpers.ts';

const data = mitdbDir();
// Shards merge only at one source commit: pin it, since others commit to this tree while the test runs.
process.env.ECGRAD_COMMIT = 'seeds-test';
const root = mkdtempSync(join(tmpdir(), 'ecgrad-seeds-'));
const small = ['--protocol', 'intra', '--data', data, '--quick', '--train-beats', '300', '--val-beats', '150', '--test-beats', '200', '--epochs', '1', '--batch-size', '32'];
const MODELS = 'std-cnn,knn';

test('spread: mean, sample standard deviation (n - 1), min and max; one value has no standard deviation', () => {
  const s = spread([0.5, 0.7, 0.6]);
  assert.ok(Math.abs(s.mean - 0.6) < 1e-12);
  assert.ok(Math.abs(s.sd! - 0.1) < 1e-12, String(s.sd));
  assert.equal([s.min, s.max], [0.5, 0.7]);
  assert.equal(spread([0.25]), { mean: 0.25, sd: null, min: 0.25, max: 0.25 });
});

test('jobs are model x seed, model-major; a failed seed is left out of its summary and named', () => {
  assert.equal(jobNames(['a', 'b'], [3, 1]), ['a.seed3', 'a.seed1', 'b.seed3', 'b.seed1']);
  assert.equal(jobNames(['a', 'b']), ['a', 'b']);
  const row = (name: string, macroF1: number) => ({ name, metrics: { accuracy: 0.9, macroF1, weightedF1: 0.8 } }) as unknown as ReportRow;
  const [a, b] = seedSummaries([row('a.seed0', 0.4), row('a.seed1', 0.6), row('b.seed1', 0.5)], ['a', 'b'], [0, 1]);
  assert.equal(a!.seeds, [0, 1]);
  assert.ok(Math.abs(a!.macroF1.mean - 0.5) < 1e-12 && Math.abs(a!.macroF1.sd! - Math.SQRT2 * 0.1) < 1e-12);
  assert.equal([b!.seeds, b!.failedSeeds, b!.macroF1.sd], [[1], [0], null]);
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

test('--seeds 0,1: one row per model and seed, the summary in report.json and report.md; two shards merged equal it', async () => {
  const whole = join(root, 'whole'), s1 = join(root, 's1'), s2 = join(root, 's2'), merged = join(root, 'merged');
  const a = await cli('compare', '--models', MODELS, ...small, '--seeds', '0,1', '--out', whole);
  assert.is(a.code, 0, a.err);
  const r = JSON.parse(readFileSync(join(whole, 'report.json'), 'utf8'));
  assert.equal(r.rows.map((x: ReportRow) => x.name), ['std-cnn.seed0', 'std-cnn.seed1', 'knn.seed0', 'knn.seed1']);
  assert.equal(r.settings.seeds, [0, 1]);
  assert.not.ok('seed' in r.settings);
  assert.equal(r.seedSummary.map((m: { model: string; seeds: number[] }) => [m.model, m.seeds]), [['std-cnn', [0, 1]], ['knn', [0, 1]]]);
  const cnn = r.seedSummary[0].macroF1;
  const f = [r.rows[0].metrics.macroF1, r.rows[1].metrics.macroF1];
  assert.ok(Math.abs(cnn.mean - (f[0] + f[1]) / 2) < 1e-12 && cnn.min === Math.min(...f) && cnn.max === Math.max(...f));
  // The two seeds are two different trainings: different weights.
  assert.not.ok(readFileSync(join(whole, 'std-cnn.seed0.ecgm')).equals(readFileSync(join(whole, 'std-cnn.seed1.ecgm'))));
  assert.match(readFileSync(join(whole, 'report.md'), 'utf8'), /### Across seeds[\s\S]*\| std-cnn \| 0, 1 \| [\d.]+ ± [\d.]+ \[/);
  const b1 = await cli('compare', '--models', MODELS, ...small, '--seeds', '0,1', '--shard', '1/2', '--out', s1);
  assert.is(b1.code, 0, b1.err);
  const b2 = await cli('compare', '--models', MODELS, ...small, '--seeds', '0,1', '--shard', '2/2', '--out', s2, '--workers', '1');
  assert.is(b2.code, 0, b2.err);
  // Longest first: one CNN seed per shard, so the shards are balanced.
  assert.ok(existsSync(join(s1, 'std-cnn.seed0.ecgm')) && existsSync(join(s2, 'std-cnn.seed1.ecgm')));
  const m = await cli('merge', s2, s1, '--out', merged);
  assert.is(m.code, 0, m.err);
  assert.equal(timeless(merged), timeless(whole));
  for (const file of ['std-cnn.seed0.ecgm', 'std-cnn.seed1.ecgm', 'knn.seed0.ecgc', 'knn.seed1.ecgc']) {
    assert.ok(readFileSync(join(merged, file)).equals(readFileSync(join(whole, file))), `${file} differs`);
  }
  // The same models with other seeds are another run (another run key: their shards do not merge).
  const plan = async (seeds: string) => JSON.parse((await cli('compare', '--models', MODELS, ...small, '--seeds', seeds, '--shard', '1/2', '--plan')).out);
  const [p01, p02] = [await plan('0,1'), await plan('0,2')];
  assert.equal(p01.models, ['std-cnn.seed0', 'knn.seed0']);
  assert.equal(p01.runKey, JSON.parse(readFileSync(join(s1, 'shard.json'), 'utf8')).runKey);
  assert.ok(p02.runKey !== p01.runKey);
});

test('bad --seeds are refused before any work: empty, duplicates, non-integers, negative, with --seed', async () => {
  for (const [args, re] of [
    [['--seeds', ''], /--seeds must be a comma-separated list/],
    [['--seeds', '0,,1'], /--seeds must be a comma-separated list/],
    [['--seeds', '1,2,1'], /seed 1 appears twice/],
    [['--seeds', '0,1.5'], /"1\.5" is not a non-negative integer/],
    [['--seeds', '0,-1'], /"-1" is not a non-negative integer/],
    [['--seeds', 'a'], /"a" is not a non-negative integer/],
    [['--seed', '3', '--seeds', '0,1'], /--seed n \(one seed\) or --seeds a,b,\.\.\. .*not both/],
  ] as const) {
    const out = join(root, `x-${Math.random().toString(36).slice(2)}`);
    const r = await cli('compare', '--models', MODELS, ...small, ...args, '--out', out);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.not.ok(existsSync(out));
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
