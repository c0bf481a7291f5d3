// The demo server (scripts/serve-demo.mjs) against hostile requests, sent raw over node:net: targets
// that once threw inside the handler and ended the process ("//", "///", "//%", "http://[") get 400;
// a Host header other than the loopback names of its port (a DNS-rebinding page, another port, no
// port) gets 421; malformed HTTP gets 400; and afterwards the server still serves "/".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../ecg/helpers.ts';

let server: ChildProcess | null = null;
let port = 0;
let stderr = '';

test.before(async () => {
  server = spawn(process.execPath, [join(projectRoot, 'scripts', 'serve-demo.mjs'), '--port', '0'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr!.on('data', (d) => void (stderr += d));
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`the demo server did not start: ${out} ${stderr}`)), 120_000);
    server!.stdout!.on('data', (d) => {
      out += d;
      const m = /demo: http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
    server!.on('exit', (code) => reject(new Error(`the demo server exited (${code}): ${out} ${stderr}`)));
  });
});
test.after(() => {
  if (server && server.exitCode === null) server.kill('SIGTERM');
});

/** Sends raw bytes, returns everything the server answered before closing (or after 5 s). */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const t = setTimeout(() => {
      s.destroy();
      resolve(got);
    }, 5000);
    s.on('connect', () => s.write(bytes));
    s.on('data', (d) => void (got += d.toString('latin1')));
    s.on('close', () => {
      clearTimeout(t);
      resolve(got);
    });
    s.on('error', (e) => {
      clearTimeout(t);
      if (got) resolve(got);
      else reject(e);
    });
  });
}
const status = (answer: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);
const get = (target: string, host: string | null = `127.0.0.1:${port}`) =>
  raw(`GET ${target} HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`);
const alive = () => assert.is(server!.exitCode, null, `the server exited: ${stderr}`);

test('malformed request targets get 400 and the server keeps running', async () => {
  for (const target of ['//', '///', '//%', 'http://[', '//evil.example/', '*', 'http://127.0.0.1/', '%', '/\u00ff']) {
    const a = await get(target);
    assert.is(status(a), 400, `${JSON.stringify(target)}: ${a.slice(0, 80)}`);
    alive();
  }
  // Malformed HTTP altogether.
  for (const bytes of ['garbage\r\n\r\n', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n', 'GET  HTTP/1.1\r\n\r\n']) {
    const a = await raw(bytes);
    assert.ok(status(a) === 400 || a === '', `${JSON.stringify(bytes)}: ${a.slice(0, 80)}`);
    alive();
  }
});

test('Host headers other than the loopback names of this port get 421 (DNS rebinding); no Host gets 400', async () => {
  for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`, `localhost.:${port}`, `127.0.0.1:${port}.evil.example`, `127.0.0.2:${port}`, `0.0.0.0:${port}`, `[::1]`, `user@127.0.0.1:${port}`]) {
    const a = await get('/', host);
    assert.is(status(a), 421, `${host}: ${a.slice(0, 80)}`);
    assert.not.match(a, /<html/i);
    alive();
  }
  const none = await get('/', null);
  assert.ok([400, 421].includes(status(none)), none.slice(0, 80));
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
    const a = await get('/', host);
    assert.is(status(a), 200, `${host}: ${a.slice(0, 80)}`);
  }
});

test('after all that, the server still serves the page, its scripts, and 404 / 405 for the rest', async () => {
  const page = await get('/');
  assert.is(status(page), 200);
  assert.match(page, /content-type: text\/html/i);
  assert.match(page, /<html/i);
  assert.is(status(await get('/main.js?x=1')), 200);
  assert.is(status(await get('/worker.js')), 200);
  assert.is(status(await get('/nothing')), 404);
  assert.is(status(await raw(`POST / HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)), 405);
  alive();
  assert.not.match(stderr, /serve-demo: GET/, 'no handler errors');
});

test.run();
