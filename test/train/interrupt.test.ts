// Ctrl-C / SIGTERM during `ecgrad train` and `ecgrad compare`: the run stops after the current batch with
// a checkpoint, says how to resume (exit 130 / 143), and `--resume` finishes it: finished models are kept,
// the interrupted one continues from its checkpoint, and its model file is byte-identical to the one an
// uninterrupted run writes. The CLI runs as a child process here, so the signal is a real one.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mitdbDir } from '../ecg/helpers.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = mkdtempSync(join(tmpdir(), 'ecgrad-interrupt-'));
const small = ['--protocol', 'intra', '--data', mitdbDir(), '--train-beats', '3000', '--val-beats', '200', '--test-beats', '300', '--epochs', '1', '--batch-size', '32'];

/** Runs the CLI; sends `signal` once the first training batch is reported (if given). */
function run(args: string[], signal?: NodeJS.Signals): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', sent = false;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      if (signal && !sent && /"type":"batch"/.test(err)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

test('compare: SIGINT stops cleanly with a checkpoint; --resume keeps the finished model and ends as an uninterrupted run', async () => {
  const whole = join(root, 'whole'), cut = join(root, 'cut');
  const a = await run(['compare', '--models', 'std-cnn,knn', ...small, '--out', whole]);
  assert.is(a.code, 0, a.err.slice(-2000));
  const b = await run(['compare', '--models', 'std-cnn,knn', ...small, '--out', cut], 'SIGINT');
  assert.is(b.code, 130, `${b.out}\n${b.err.slice(-2000)}`);
  assert.match(b.err, /SIGINT: stopping after the current batch/);
  assert.match(b.out, /std-cnn: interrupted at epoch 1, batch \d+ of 94; the checkpoint of that position is written/);
  assert.match(b.out, /resume with: ecgrad compare --models std-cnn,knn .* --out \S+cut --resume/);
  assert.ok(existsSync(join(cut, 'std-cnn.ckpt')), 'checkpoint written');
  assert.not.ok(existsSync(join(cut, 'report.json')), 'no report for a stopped run');
  const c = await run(['compare', '--models', 'std-cnn,knn', ...small, '--out', cut, '--resume']);
  assert.is(c.code, 0, c.err.slice(-2000));
  assert.match(c.err, /"resumedAt":\{"epoch":1,"batch":\d+\}/);
  if (existsSync(join(cut, 'knn.result.json')) && /finished \(kept\): knn/.test(b.out)) assert.match(c.err, /--resume: keeping knn \(finished\)/);
  assert.ok(readFileSync(join(cut, 'std-cnn.ecgm')).equals(readFileSync(join(whole, 'std-cnn.ecgm'))), 'the resumed model equals the uninterrupted one');
  const report = JSON.parse(readFileSync(join(cut, 'report.json'), 'utf8'));
  assert.equal(report.rows.map((r: { name: string }) => r.name), ['std-cnn', 'knn']);
});

test('compare --resume refuses a folder of another run', async () => {
  const r = await run(['compare', '--models', 'knn', ...small, '--seed', '9', '--out', join(root, 'cut'), '--resume']);
  assert.is(r.code, 2);
  assert.match(r.err, /holds a run of other settings, models or ecgrad version/);
});

test('train: SIGTERM stops after a checkpoint (exit 143); --resume finishes with the uninterrupted model', async () => {
  const whole = join(root, 'train-whole'), cut = join(root, 'train-cut');
  const a = await run(['train', '--model', 'std-cnn', ...small, '--out', whole]);
  assert.is(a.code, 0, a.err.slice(-2000));
  const b = await run(['train', '--model', 'std-cnn', ...small, '--out', cut], 'SIGTERM');
  assert.is(b.code, 143, `${b.out}\n${b.err.slice(-2000)}`);
  assert.match(b.out, /resume with: ecgrad train --model std-cnn .* --resume/);
  const before = statSync(join(cut, 'std-cnn.ckpt')).size;
  assert.ok(before > 0);
  const c = await run(['train', '--model', 'std-cnn', ...small, '--out', cut, '--resume']);
  assert.is(c.code, 0, c.err.slice(-2000));
  assert.ok(readFileSync(join(cut, 'std-cnn.ecgm')).equals(readFileSync(join(whole, 'std-cnn.ecgm'))));
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
