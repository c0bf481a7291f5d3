// ecgrad personalize and ecgrad adaptive on the real database (the committed DS1 FT-CNN, a few steps, no
// replay, so the whole file stays fast): the personalised file is written and differs from the global
// one, the report files of adaptive, and clear usage errors.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../helpers/cli.ts';
import { initSync } from '../../src/all.ts';
import { decodeModel } from '../../src/nn/model-file.ts';
import { mitdbDir } from '../ecg/helpers.ts';

initSync();
const data = mitdbDir();
const root = mkdtempSync(join(tmpdir(), 'ecgrad-personalize-'));
const model = 'models/inter-rr/ft-cnn.ecgm';
const quick = ['--steps', '3', '--replay-beats', '0', '--data', data];

test('personalize writes a personalised copy and says what it did', async () => {
  const out = join(root, 'p100.ecgm');
  const r = await cli('personalize', '--model-file', model, '--record', '100', '--minutes', '2', '--out', out, ...quick);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /on record 100: \d+ labelled beats in the first 2 min \(N \d+, S \d+, V 0, F 0, Q 0\)/);
  assert.match(r.out, /kept from the global model .*: V, F, Q/);
  assert.match(r.out, /the rest of the record \(\d+ beats after minute 2\)/);
  const bytes = readFileSync(out);
  assert.not.equal(new Uint8Array(bytes), new Uint8Array(readFileSync(model)));
  const meta = decodeModel(new Uint8Array(bytes)).header.meta as { personalized: { beats: number }; protocol: string };
  assert.is(meta.protocol, 'inter');
  assert.ok(meta.personalized.beats > 100);
});

test('adaptive writes report.md and report.json; refuses a record the global model trained on', async () => {
  const out = join(root, 'adaptive');
  const r = await cli('adaptive', '--model-file', model, '--records', '231', '--out', out, ...quick);
  assert.is(r.code, 0, r.err);
  for (const f of ['report.md', 'report.json']) assert.ok(existsSync(join(out, f)), f);
  const j = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.equal(j.records, ['231']);
  assert.ok(j.global.beats > 1000 && j.global.beats === j.personalized.beats);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\| personalised \| \d+ \|/);
  const bad = await cli('adaptive', '--model-file', model, '--records', '101', '--out', join(root, 'bad'), ...quick);
  assert.is(bad.code, 2);
  assert.match(bad.err, /record 101 is in the global model's training split/);
});

test('usage errors', async () => {
  const e1 = await cli('personalize', '--model-file', model, '--out', join(root, 'x.ecgm'));
  assert.is(e1.code, 2);
  assert.match(e1.err, /--record is required/);
  const e2 = await cli('personalize', '--model-file', model, '--record', '999', '--out', join(root, 'x.ecgm'));
  assert.match(e2.err, /--record "999" is not a record of the MIT-BIH Arrhythmia Database/);
  const e3 = await cli('personalize', '--model-file', model, '--record', '100', '--layers', 'conv', '--out', join(root, 'x.ecgm'));
  assert.match(e3.err, /--layers must be one of last, head, all, got "conv"/);
  const e4 = await cli('adaptive', '--model-file', 'models/intra-rr/ft-cnn.ecgm', '--out', join(root, 'y'));
  assert.match(e4.err, /was trained on intra; the adaptive protocol needs a model of the inter protocol/);
  for (const c of ['personalize', 'adaptive']) assert.match((await cli(c, '--help')).out, `usage: ecgrad ${c}`);
});

test.run();
