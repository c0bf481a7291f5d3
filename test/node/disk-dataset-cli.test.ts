// The CLI of out-of-core datasets: `ecgrad dataset --out <dir>` writes the chunked folder of a protocol's
// dataset (here a small inter dataset: 5 training and 1 test record), `ecgrad train --dataset <dir>`
// trains from it (twice: the same model file), and bad combinations are refused before any work.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../helpers/cli.ts';
import { mitdbDir } from '../ecg/helpers.ts';
import { openDiskDataset } from '../../src/node/disk-dataset.ts';

const data = mitdbDir();
const root = mkdtempSync(join(tmpdir(), 'ecgrad-disk-cli-'));
const dir = join(root, 'inter');
const records = ['--protocol', 'inter', '--data', data, '--train-records', '101,106,108,109,112', '--test-records', '100'];

test('dataset --out writes the folder; train --dataset trains from it, deterministically', async () => {
  const w = await cli('dataset', ...records, '--out', dir, '--chunk-beats', '1000', '--json');
  assert.is(w.code, 0, w.err);
  const j = JSON.parse(w.out);
  const m = openDiskDataset(dir).manifest;
  const total = (c: Record<string, number>) => Object.values(c).reduce((x, y) => x + y, 0);
  assert.equal([m.splits.train.beats, m.splits.val.beats, m.splits.test.beats], [total(j.splits.train), total(j.splits.val), total(j.splits.test)]);
  assert.ok(m.chunkBeats === 1000 && j.written.files === m.splits.train.chunks.length + m.splits.val.chunks.length + m.splits.test.chunks.length + 1);
  assert.equal(m.meta.records, { train: ['101', '106', '108', '109', '112'], test: ['100'] });
  const args = ['--model', 'ann', '--dataset', dir, '--epochs', '1', '--val-beats', '300', '--test-beats', '300', '--json'];
  const a = await cli('train', ...args, '--out', join(root, 'a'));
  assert.is(a.code, 0, a.err);
  const b = await cli('train', ...args, '--out', join(root, 'b'));
  assert.is(b.code, 0, b.err);
  assert.ok(readFileSync(join(root, 'a', 'ann.ecgm')).equals(readFileSync(join(root, 'b', 'ann.ecgm'))), 'two runs from the same folder differ');
  const report = JSON.parse(readFileSync(join(root, 'a', 'report.json'), 'utf8'));
  assert.is(report.protocol, 'inter');
  assert.is(report.beats.train, m.splits.train.beats);
});

test('refused before any work: a non-empty --out, --chunk-beats 0, --dataset with beat options or another protocol, a folder that is no dataset', async () => {
  const refused = async (args: string[], re: RegExp) => {
    const r = await cli(...args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
  };
  await refused(['dataset', ...records, '--out', dir], /exists and is not empty; choose a new --out/);
  await refused(['dataset', ...records, '--out', join(root, 'c'), '--chunk-beats', '0'], /--chunk-beats must be an integer/);
  assert.not.ok(existsSync(join(root, 'c')));
  await refused(['train', '--model', 'ann', '--dataset', dir, '--train-beats', '100'], /--dataset fixes the beats; drop --train-beats/);
  await refused(['train', '--model', 'ann', '--dataset', dir, '--protocol', 'intra'], /--protocol intra, but the dataset .* is of the inter protocol/);
  await refused(['train', '--model', 'ann', '--dataset', root], /no manifest\.ecgd: not a dataset folder written by `ecgrad dataset --out`/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
