// An interrupted run (SIGKILL mid-epoch, in a child process) resumed with its last checkpoint ends with
// exactly the result of an uninterrupted run: same history, same test metrics, byte-identical best model.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkpointInfo } from '../../src/train/trainer.ts';

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'fixtures', 'train-child.ts');
const root = mkdtempSync(join(tmpdir(), 'ecgrad-kill-'));

interface Run {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  result: unknown;
  stderr: string;
}

function run(out: string, args: string[], killWhen?: (event: Record<string, unknown>) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, out, ...args], { cwd: join(here, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines: string[] = [];
    let buf = '', killed = false;
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (killWhen && !killed && line.startsWith('{') && killWhen(JSON.parse(line))) {
          killed = true;
          p.kill('SIGKILL');
        }
      }
    });
    p.on('error', reject);
    p.on('close', (code, signal) => {
      const r = lines.find((l) => l.startsWith('RESULT '));
      resolve({ lines, code, signal, result: r ? JSON.parse(r.slice(7)) : null, stderr });
    });
  });
}

test('SIGKILL mid-epoch, then --resume: the same result as an uninterrupted run', async () => {
  const full = join(root, 'full'), cut = join(root, 'cut');
  const a = await run(full, []);
  assert.is(a.code, 0, a.stderr);
  assert.ok(a.result);

  const b = await run(cut, [], (e) => e.type === 'checkpoint' && e.epoch === 2 && (e.batch as number) < (e.batches as number));
  assert.is(b.signal, 'SIGKILL', 'the child was killed');
  assert.is(b.result, null, 'it did not finish');
  const info = checkpointInfo(new Uint8Array(readFileSync(join(cut, 'test-tiny.ckpt'))));
  assert.ok(!info.finished && info.step > 0, `checkpoint at epoch ${info.epoch + 1}, batch ${info.batch}`);
  assert.equal(readdirSync(cut).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left under a final name');

  const c = await run(cut, ['--resume']);
  assert.is(c.code, 0);
  const start = JSON.parse(c.lines[0]!);
  assert.is(start.type, 'start');
  assert.ok(start.resumedAt, 'the run resumed');
  assert.equal(c.result, a.result);
  assert.equal(readFileSync(join(cut, 'test-tiny.ecgm')), readFileSync(join(full, 'test-tiny.ecgm')), 'byte-identical best model files');
});

test('--resume without a checkpoint is an error that says so', async () => {
  const d = await run(join(root, 'none'), ['--resume']);
  assert.is.not(d.code, 0);
  assert.match(d.stderr, /--resume: there is no checkpoint .*test-tiny\.ckpt to resume/);
  assert.not.ok(existsSync(join(root, 'none', 'test-tiny.ecgm')));
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
