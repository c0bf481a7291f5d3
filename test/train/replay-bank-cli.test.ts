// ecgrad replay-bank on the real database: the bank holds exactly the replay beats ecgrad personalize
// builds (personalize --replay-file <bank> writes the byte-identical model to personalize --replay-beats
// with the same count and seed), and a bank made for another model is refused, naming the file.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../helpers/cli.ts';
import { initSync } from '../../src/all.ts';
import { readReplayBankFile } from '../../src/node/replay-bank.ts';
import { mitdbDir } from '../ecg/helpers.ts';

initSync();
const data = mitdbDir();
const root = mkdtempSync(join(tmpdir(), 'ecgrad-replay-bank-'));
const model = 'models/inter-rr/ft-cnn.ecgm';
const quick = ['--model-file', model, '--record', '100', '--minutes', '2', '--steps', '3', '--data', data];

test('replay-bank writes the beats personalize replays; personalize --replay-file gives the same model', async () => {
  const bank = join(root, 'ft-cnn.replay.safetensors');
  const r = await cli('replay-bank', '--model-file', model, '--out', bank, '--beats', '200', '--seed', '0', '--data', data);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /replay bank of models\/inter-rr\/ft-cnn\.ecgm: \d+ beats of the inter training split \(N \d+, S 50, V 50, F 50, Q \d+\), seed 0/);
  const b = readReplayBankFile(bank);
  assert.equal([b.meta.protocol, b.meta.window, b.meta.rrSet, b.meta.leads, b.meta.seed, b.meta.channels, b.meta.length], ['inter', 'kachuee', 'local', 'mlii', 0, 1, 187]);
  const a = await cli('personalize', ...quick, '--replay-file', bank, '--out', join(root, 'a.ecgm'));
  assert.is(a.code, 0, a.err);
  assert.match(a.out, new RegExp(`16 of ${b.meta.count} replay beats \\(${bank.replace(/[.\\/]/g, '\\$&')}\\)`));
  const c = await cli('personalize', ...quick, '--replay-beats', '200', '--out', join(root, 'c.ecgm'));
  assert.is(c.code, 0, c.err);
  assert.equal(new Uint8Array(readFileSync(join(root, 'a.ecgm'))), new Uint8Array(readFileSync(join(root, 'c.ecgm'))), 'the same personalised model');
  // The inter bank does not fit the intra model.
  const m = await cli('personalize', ...quick.slice(2), '--model-file', 'models/intra-rr/ft-cnn.ecgm', '--replay-file', bank, '--out', join(root, 'm.ecgm'));
  assert.is(m.code === 0, false);
  assert.match(m.err, /replay bank .*ft-cnn\.replay\.safetensors: does not match the model: the bank's protocol is "inter", the model's is "intra"/);
  assert.match((await cli('replay-bank', '--help')).out, /usage: ecgrad replay-bank/);
  assert.match((await cli('replay-bank', '--out', bank)).err, /--model-file is required/);
});

test.run();
