// The downloader against misbehaving servers (a local node:http server on 127.0.0.1, no network): an
// idle server ends in a timeout error within a bounded time, an oversized body is refused (announced or
// not) before much of it arrives, a truncated body is reported with the expected and received sizes and
// the URL (and resumed on retry), HTTP 503 is retried, and concurrent downloads into one folder succeed.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DownloadError, defaultMaxBytes, downloadDatabase } from '../../src/node/download.ts';
import { mitdbDir } from './helpers.ts';

const data = mitdbDir();
const files = ['100.hea', '100.atr', '100.dat'];
const body = (f: string) => readFileSync(join(data, f));
const sums = files.map((f) => `${createHash('sha256').update(body(f)).digest('hex')}  ${f}`).join('\n') + '\n';

type Handler = (req: IncomingMessage, res: ServerResponse, path: string) => void;
let handler: Handler = () => {};
let server: Server;
let base = '';
const sockets = new Set<Socket>();
const requests: { path: string; range: string | undefined }[] = [];

/** Serves the three files of record 100 with Range support (the normal server). */
const serveNormally: Handler = (req, res, path) => {
  const b = path === 'SHA256SUMS.txt' ? Buffer.from(sums) : files.includes(path) ? body(path) : null;
  if (!b) return void res.writeHead(404).end();
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (m) {
    const start = Number(m[1]);
    if (start >= b.length) return void res.writeHead(416).end();
    res.writeHead(206, { 'content-range': `bytes ${start}-${b.length - 1}/${b.length}`, 'content-length': b.length - start });
    return void res.end(b.subarray(start));
  }
  res.writeHead(200, { 'content-length': b.length }).end(b);
};

test.before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname.replace(/^\//, '');
    requests.push({ path, range: req.headers.range });
    handler(req, res, path);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
test.after.each(() => {
  for (const s of sockets) s.destroy();
  requests.length = 0;
});
test.after(() => new Promise<void>((ok) => server.close(() => ok())));

const fast = { retries: 1, backoffMs: 20, timeoutMs: 300 };
const tmpOut = () => mkdtempSync(join(tmpdir(), 'ecgrad-dlr-'));
async function failure(p: Promise<unknown>): Promise<DownloadError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, DownloadError, String(e));
    return e as DownloadError;
  }
  throw new Error('expected the download to fail');
}

test('a server that accepts the connection and never answers: a timeout error within a bounded time', async () => {
  handler = () => {}; // never responds
  const out = tmpOut();
  const t0 = Date.now();
  const e = await failure(downloadDatabase({ baseUrl: base, out, ...fast }));
  const took = Date.now() - t0;
  assert.match(e.message, /SHA256SUMS\.txt: no data from the server for 0\.3 s \(timed out\); check the network and run again/);
  assert.match(e.message, /gave up after 2 attempts/);
  assert.ok(took < 3000, `took ${took} ms`);
  assert.is(requests.length, 2, 'one retry');
  rmSync(out, { recursive: true, force: true });
});

test('a server that goes silent in the middle of a body: a timeout naming the file; the part is kept for a resume', async () => {
  handler = (req, res, path) => {
    if (path !== '100.dat') return serveNormally(req, res, path);
    const b = body(path);
    res.writeHead(200, { 'content-length': b.length });
    res.write(b.subarray(0, 100_000)); // then nothing
  };
  const out = tmpOut();
  const t0 = Date.now();
  const e = await failure(downloadDatabase({ baseUrl: base, out, records: ['100'], ...fast }));
  assert.ok(Date.now() - t0 < 4000);
  assert.match(e.message, new RegExp(`${join(out, '100.dat').replace(/[.\\/]/g, '\\$&')}: ${base.replace(/[.\\/]/g, '\\$&')}100\\.dat: no data from the server for 0\\.3 s`));
  // The second attempt resumed from what the first received (and got the same treatment).
  assert.ok(requests.some((q) => q.path === '100.dat' && q.range === 'bytes=100000-'), JSON.stringify(requests));
  assert.ok(existsSync(join(out, '100.dat.part')), 'partial file kept');
  assert.equal(readdirSync(out).filter((n) => n.endsWith('.tmp')), []);
  // A later run against a working server resumes it.
  handler = serveNormally;
  const r = await downloadDatabase({ baseUrl: base, out, records: ['100'], ...fast });
  assert.ok(r.resumed.includes('100.dat'));
  assert.ok(readFileSync(join(out, '100.dat')).equals(body('100.dat')));
  rmSync(out, { recursive: true, force: true });
});

test('a server that trickles the body (never silent long enough for the idle timeout) is cut off by the minimum rate and resumed', async () => {
  let trickled = 0;
  handler = (req, res, path) => {
    if (path !== '100.dat' || trickled >= 2) return serveNormally(req, res, path);
    trickled++;
    const b = body(path);
    res.writeHead(200, { 'content-length': b.length });
    res.write(b.subarray(0, 5000));
    let at = 5000;
    // 20 bytes every 40 ms: 500 bytes/s, always well inside the 300 ms idle timeout.
    const t = setInterval(() => {
      if (res.destroyed || at >= b.length) return clearInterval(t);
      res.write(b.subarray(at, at + 20));
      at += 20;
    }, 40);
    res.on('close', () => clearInterval(t));
  };
  const out = tmpOut();
  const t0 = Date.now();
  const slow = { ...fast, minBytesPerSecond: 10_000, rateWindowMs: 400 };
  const e = await failure(downloadDatabase({ baseUrl: base, out, records: ['100'], ...slow }));
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  assert.match(e.message, /100\.dat: the transfer is too slow \(\d+ bytes in 0\.\d s, below the 10000 bytes\/s accepted\); cut off after \d+ bytes/);
  assert.match(e.message, /gave up after 2 attempts/);
  assert.ok(requests.some((q) => q.path === '100.dat' && q.range?.startsWith('bytes=')), 'the retry resumed what arrived');
  // The next run, against a server that sends at full speed, resumes and verifies the file.
  const r = await downloadDatabase({ baseUrl: base, out, records: ['100'], ...slow });
  assert.ok(r.resumed.includes('100.dat'));
  assert.ok(readFileSync(join(out, '100.dat')).equals(body('100.dat')));
  rmSync(out, { recursive: true, force: true });
});

test('bad numeric options are refused before any request', async () => {
  const out = tmpOut();
  for (const bad of [{ timeoutMs: 0 }, { minBytesPerSecond: -1 }, { rateWindowMs: Number.NaN }, { retries: 1.5 }, { backoffMs: Number.POSITIVE_INFINITY }]) {
    const e = await failure(downloadDatabase({ baseUrl: base, out, ...bad }));
    assert.match(e.message, new RegExp(`the ${Object.keys(bad)[0]} option must be a finite`));
  }
  assert.is(requests.length, 0);
  rmSync(out, { recursive: true, force: true });
});

test('an oversized body for a 4.5 KB annotation file is refused, announced or not, without fetching it', async () => {
  const huge = Buffer.alloc(50 * 1024 * 1024, 7);
  let sent = 0;
  for (const announce of [true, false]) {
    sent = 0;
    handler = (req, res, path) => {
      if (path !== '100.atr') return serveNormally(req, res, path);
      res.writeHead(200, announce ? { 'content-length': huge.length } : {});
      // Chunked when not announced: 1 MiB at a time while the client reads.
      const push = () => {
        while (sent < huge.length) {
          const c = huge.subarray(sent, sent + 1024 * 1024);
          sent += c.length;
          if (!res.write(c)) return void res.once('drain', push);
        }
        res.end();
      };
      res.on('error', () => {});
      push();
    };
    const out = tmpOut();
    const e = await failure(downloadDatabase({ baseUrl: base, out, records: ['100'], ...fast, maxBytes: announce ? undefined : (f) => (f.endsWith('.atr') ? 64 * 1024 : undefined) }));
    assert.match(e.message, announce ? /100\.atr: the server announces 50\.0 MiB, more than the 16\.0 MiB accepted for this file; refused/ : /100\.atr: the body passed 65536 bytes, the most accepted for this file; refused/);
    assert.match(e.message, /If the file really is that large/);
    assert.ok(!e.transient, 'not retried');
    assert.is(requests.filter((q) => q.path === '100.atr').length, 1, 'not retried');
    assert.ok(!existsSync(join(out, '100.atr')) && !existsSync(join(out, '100.atr.part')));
    assert.equal(readdirSync(out).filter((n) => n.endsWith('.tmp')), []);
    if (!announce) assert.ok(sent < 20 * 1024 * 1024, `server sent ${sent} bytes`);
    rmSync(out, { recursive: true, force: true });
    for (const s of sockets) s.destroy();
    requests.length = 0;
  }
  assert.is(defaultMaxBytes('100.atr'), 16 * 1024 * 1024);
  assert.is(defaultMaxBytes('100.hea'), 1024 * 1024);
  assert.is(defaultMaxBytes('x/100.dat'), 4096 * 1024 * 1024);
});

test('a truncated body: "expected N bytes, got M" with the URL; a retry resumes it', async () => {
  const dat = body('100.dat');
  let cut = 0;
  handler = (req, res, path) => {
    if (path !== '100.dat' || cut === 0) return serveNormally(req, res, path);
    cut--;
    res.writeHead(200, { 'content-length': dat.length });
    res.write(dat.subarray(0, 5000), () => res.socket!.end());
  };
  const out = tmpOut();
  cut = 2; // both attempts are cut
  const e = await failure(downloadDatabase({ baseUrl: base, out, records: ['100'], ...fast }));
  assert.match(e.message, new RegExp(`${base.replace(/[.\\/]/g, '\\$&')}100\\.dat: truncated body: expected ${dat.length} bytes, got 5000 \\(.*\\); the server or the network cut the transfer; run again to resume`), e.message);
  assert.ok(e.transient);
  // The first attempt's 5000 bytes are kept; the cut second attempt was a full (200) answer again.
  assert.ok(existsSync(join(out, '100.dat.part')));
  // One cut, then a working server: the retry resumes with a Range request and the file verifies.
  rmSync(out, { recursive: true, force: true });
  const out2 = tmpOut();
  cut = 1;
  requests.length = 0;
  handler = ((inner: Handler): Handler => (req, res, path) => {
    if (path === '100.dat' && cut > 0) {
      cut--;
      res.writeHead(206, { 'content-range': `bytes 0-${dat.length - 1}/${dat.length}`, 'content-length': dat.length });
      return void res.write(dat.subarray(0, 5000), () => res.socket!.end());
    }
    inner(req, res, path);
  })(serveNormally);
  const r = await downloadDatabase({ baseUrl: base, out: out2, records: ['100'], ...fast });
  assert.ok(requests.some((q) => q.path === '100.dat' && q.range === 'bytes=5000-'), JSON.stringify(requests));
  assert.ok(r.fetched.includes('100.dat'));
  assert.ok(readFileSync(join(out2, '100.dat')).equals(dat));
  rmSync(out2, { recursive: true, force: true });
});

test('HTTP 503 is retried with backoff; HTTP 404 is not', async () => {
  let fail = 1;
  handler = (req, res, path) => {
    if (path === '100.hea' && fail > 0) {
      fail--;
      return void res.writeHead(503).end();
    }
    serveNormally(req, res, path);
  };
  const out = tmpOut();
  const logs: string[] = [];
  const r = await downloadDatabase({ baseUrl: base, out, records: ['100'], ...fast, log: (m) => logs.push(m) });
  assert.equal(r.fetched.sort(), files.slice().sort());
  assert.ok(logs.some((m) => /100\.hea: HTTP 503 from the server; try again later; retrying in/.test(m)), logs.join('\n'));
  requests.length = 0;
  const e = await failure(downloadDatabase({ baseUrl: `${base}nothing/`, out, ...fast }));
  assert.match(e.message, /nothing\/SHA256SUMS\.txt: HTTP 404; check --base-url and --db/);
  assert.is(requests.length, 1);
  rmSync(out, { recursive: true, force: true });
});

test('two concurrent downloads into one folder both succeed (a shared .part is claimed by one of them)', async () => {
  // Slow the bodies down so that the two downloads overlap.
  handler = (req, res, path) => {
    if (path !== '100.dat') return serveNormally(req, res, path);
    const b = body(path);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    res.writeHead(m ? 206 : 200, { 'content-length': b.length - start, ...(m ? { 'content-range': `bytes ${start}-${b.length - 1}/${b.length}` } : {}) });
    let at = start;
    const tick = setInterval(() => {
      res.write(b.subarray(at, at + 200_000));
      at += 200_000;
      if (at >= b.length) {
        clearInterval(tick);
        res.end();
      }
    }, 5);
    res.on('close', () => clearInterval(tick));
  };
  for (const withPart of [false, true]) {
    const out = tmpOut();
    if (withPart) writeFileSync(join(out, '100.dat.part'), body('100.dat').subarray(0, 700_000));
    const runs = await Promise.all([0, 1, 2].map(() => downloadDatabase({ baseUrl: base, out, records: ['100'], ...fast })));
    for (const r of runs) assert.is(r.fetched.length + r.present.length, 3);
    for (const f of files) assert.ok(readFileSync(join(out, f)).equals(body(f)), f);
    assert.equal(readdirSync(out).sort(), files.slice().sort(), 'no temporary files left');
    if (withPart) assert.is(requests.filter((q) => q.range === 'bytes=700000-').length, 1, 'one of them resumed the part');
    rmSync(out, { recursive: true, force: true });
    requests.length = 0;
  }
});

test('a temporary file left by a process that ended is resumed; one of a running process is left alone', async () => {
  handler = serveNormally;
  const out = tmpOut();
  const dat = body('100.dat');
  // pid 2^22+1 is above Linux's pid_max default range for a running process here: treated as ended.
  writeFileSync(join(out, '100.dat.4194305.abcdef.tmp'), dat.subarray(0, 300_000));
  writeFileSync(join(out, `100.dat.${process.ppid}.123456.tmp`), dat.subarray(0, 10));
  const r = await downloadDatabase({ baseUrl: base, out, records: ['100'], ...fast });
  assert.equal(r.resumed, ['100.dat']);
  assert.ok(requests.some((q) => q.range === 'bytes=300000-'));
  assert.ok(readFileSync(join(out, '100.dat')).equals(dat));
  assert.ok(existsSync(join(out, `100.dat.${process.ppid}.123456.tmp`)), 'a live process keeps its file');
  assert.ok(!existsSync(join(out, '100.dat.4194305.abcdef.tmp')));
  rmSync(out, { recursive: true, force: true });
});

test.run();
