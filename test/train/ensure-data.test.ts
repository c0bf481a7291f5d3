// ensureData: the records a protocol needs are checked before any work; the default folder ./data/mitdb
// is downloaded (with progress) when it holds none of them; any other folder with missing files is an
// error naming them. The download comes from a local HTTP server serving stand-in files.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureData, MissingDataError } from '../../src/node/ensure-data.ts';
import { MITDB_RECORDS } from '../../src/ecg/mitdb.ts';

const files = MITDB_RECORDS.flatMap((r) => ['hea', 'dat', 'atr'].map((e) => `${r}.${e}`));
const body = (f: string) => Buffer.from(`stand-in for ${f}\n`);
const sums = files.map((f) => `${createHash('sha256').update(body(f)).digest('hex')}  ${f}`).join('\n') + '\n';
let server: Server, base = '';

test.before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname.replace(/^\/mitdb\//, '');
    if (path === 'SHA256SUMS.txt') return void res.end(sums);
    if (files.includes(path)) return void res.end(body(path));
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/mitdb/`;
});
test.after(() => new Promise<void>((ok) => server.close(() => ok())));

function inTempCwd<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-ensure-'));
  const cwd = process.cwd(), env = process.env.ECGRAD_DATA;
  process.chdir(dir);
  delete process.env.ECGRAD_DATA;
  return fn(dir).finally(() => {
    process.chdir(cwd);
    if (env !== undefined) process.env.ECGRAD_DATA = env;
    rmSync(dir, { recursive: true, force: true });
  });
}

test('the default ./data/mitdb is downloaded when it holds none of the records, with progress', () =>
  inTempCwd(async (dir) => {
    const progress: string[] = [];
    const stream = { isTTY: false, write: (s: string) => progress.push(s) } as unknown as NodeJS.WriteStream;
    const got = await ensureData('intra', undefined, { baseUrl: base, stream });
    assert.is(got, join(dir, 'data', 'mitdb'));
    assert.ok(files.every((f) => existsSync(join(got, f))));
    assert.equal(readFileSync(join(got, '234.atr')), body('234.atr'));
    assert.match(progress.join(''), /downloading mitdb \[#+\] 48\/48 records/);
  }));

test('an explicit folder with missing files is an error, and nothing is downloaded', () =>
  inTempCwd(async (dir) => {
    let err: unknown;
    try {
      await ensureData('inter', join(dir, 'elsewhere'), { baseUrl: base });
    } catch (e) {
      err = e;
    }
    assert.instance(err, MissingDataError);
    assert.match((err as Error).message, /lacks 132 file\(s\) of the inter protocol's records: 100\.hea, 100\.dat, 100\.atr, 101\.hea/);
    assert.not.ok(existsSync(join(dir, 'elsewhere')));
  }));

test.run();
