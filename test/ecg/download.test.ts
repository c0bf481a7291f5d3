// Specification of `ecgrad download` against a local HTTP server (127.0.0.1, ephemeral port) that
// serves the MIT-BIH files with Range support and a SHA256SUMS.txt generated here: fetch, verify,
// skip what is present, resume a partial file with a Range request, re-fetch a corrupted file.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/main.ts';
import { downloadDatabase, parseSha256Sums } from '../../src/node/download.ts';
import { mitdbDir } from './helpers.ts';

const data = mitdbDir();
const files = ['100.hea', '100.atr', '100.dat', '101.hea', '101.atr', '101.dat'];
const sums = files.map((f) => `${createHash('sha256').update(readFileSync(join(data, f))).digest('hex')}  ${f}`).join('\n') + '\n';
const requests: { path: string; range: string | undefined }[] = [];
let server: Server;
let base = '';

test.before(async () => {
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/files\/mitdb\/1\.0\.0\//, '');
    requests.push({ path, range: req.headers.range });
    const body = path === 'SHA256SUMS.txt' ? Buffer.from(sums) : files.includes(path) ? readFileSync(join(data, path)) : null;
    if (!body) return void res.writeHead(404).end();
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      if (start >= body.length) return void res.writeHead(416).end();
      res.writeHead(206, { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'content-length': body.length - start });
      return void res.end(body.subarray(start));
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  base = `http://127.0.0.1:${port}/files/mitdb/1.0.0/`;
});
test.after(() => new Promise<void>((ok) => server.close(() => ok())));

const same = (out: string, f: string) => readFileSync(join(out, f)).equals(readFileSync(join(data, f)));

test('downloads the chosen records and verifies every file against SHA256SUMS.txt', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ecgrad-dl-'));
  const r = await downloadDatabase({ baseUrl: base, out, records: ['100', '101'] });
  assert.equal(r.fetched.sort(), files.slice().sort());
  for (const f of files) assert.ok(same(out, f), f);
  // A second run finds everything present and fetches nothing.
  const n = requests.length;
  const again = await downloadDatabase({ baseUrl: base, out, records: ['100', '101'] });
  assert.equal([again.present.length, again.fetched.length], [6, 0]);
  assert.is(requests.length, n + 1); // only SHA256SUMS.txt
  rmSync(out, { recursive: true, force: true });
});

test('a partial download (.part) is resumed with a Range request; a corrupted file is detected and fetched again', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ecgrad-dl-'));
  const dat = readFileSync(join(data, '100.dat'));
  writeFileSync(join(out, '100.dat.part'), dat.subarray(0, 1000000));
  const corrupt = Buffer.from(readFileSync(join(data, '100.atr')));
  corrupt[100]! ^= 0xff;
  writeFileSync(join(out, '100.atr'), corrupt);
  copyFileSync(join(data, '100.hea'), join(out, '100.hea'));
  requests.length = 0;
  const r = await downloadDatabase({ baseUrl: base, out, records: ['100'] });
  assert.equal(r.present, ['100.hea']);
  assert.equal(r.resumed, ['100.dat']);
  assert.equal(r.refetched, ['100.atr']);
  assert.ok(requests.some((q) => q.path === '100.dat' && q.range === 'bytes=1000000-'));
  assert.ok(same(out, '100.dat') && same(out, '100.atr'));
  rmSync(out, { recursive: true, force: true });
});

test('`ecgrad download` runs the same through the CLI and fails clearly for unknown records', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ecgrad-dl-'));
  const log = console.log;
  const lines: string[] = [];
  console.log = (m: string) => void lines.push(String(m));
  const err = console.error;
  const errors: string[] = [];
  console.error = (m: string) => void errors.push(String(m));
  try {
    assert.is(await main(['download', '--base-url', base, '--out', out, '--records', '101', '--quiet']), 0);
    assert.match(lines.join('\n'), /3 fetched/);
    assert.is(await main(['download', '--base-url', base, '--out', out, '--records', '999']), 1);
    assert.match(errors.join('\n'), /lists no files for record\(s\) 999/);
  } finally {
    console.log = log;
    console.error = err;
  }
  assert.ok(same(out, '101.dat'));
  rmSync(out, { recursive: true, force: true });
});

test('SHA256SUMS lines are parsed, malformed lines named', () => {
  const m = parseSha256Sums(`${'a'.repeat(64)}  x/100.dat\n${'B'.repeat(64)} *y.hea\n`);
  assert.equal([...m], [['x/100.dat', 'a'.repeat(64)], ['y.hea', 'b'.repeat(64)]]);
  assert.throws(() => parseSha256Sums('nonsense\n', 'S.txt'), /S\.txt line 1: expected "<64 hex digits>  <path>"/);
});

test.run();
