#!/usr/bin/env node
// Serves the browser demo (demo/) on 127.0.0.1: bundles demo/main.ts and demo/worker.ts with esbuild
// (node_modules/.bin/esbuild, minified, ESM) into a temporary folder at start, then serves index.html,
// main.js, worker.js and, with --model, that model file as model.ecgm (the page loads it instead of its
// built-in untrained model) and, with --replay (or when a file <model>.replay.safetensors sits beside the
// model), that replay bank as model.replay.safetensors (the learn step replays its beats). Prints
// "demo: http://127.0.0.1:PORT/" once listening. Answers only requests
// whose Host is 127.0.0.1:PORT, localhost:PORT or [::1]:PORT (421 otherwise: DNS rebinding) and whose
// target is a plain path (400 otherwise); no request can end it.
// Usage: node scripts/serve-demo.mjs [--port 8787] [--model runs/x/ft-cnn.ecgm [--replay runs/x/ft-cnn.replay.safetensors]]
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : d;
};
const port = Number(opt('--port', '8787'));
const modelPath = opt('--model');
if (modelPath && !existsSync(modelPath)) {
  console.error(`serve-demo: model file ${modelPath} not found`);
  process.exit(2);
}
const sibling = modelPath ? modelPath.replace(/\.ecgm$/, '') + '.replay.safetensors' : undefined;
const replayPath = opt('--replay') ?? (sibling && existsSync(sibling) ? sibling : undefined);
if (replayPath && (!modelPath || !existsSync(replayPath))) {
  console.error(modelPath ? `serve-demo: replay bank ${replayPath} not found` : 'serve-demo: --replay needs --model (the bank is for that model)');
  process.exit(2);
}
execFileSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });

const out = mkdtempSync(join(tmpdir(), 'ecgrad-demo-'));
const cleanup = () => rmSync(out, { recursive: true, force: true });
execFileSync(
  join(root, 'node_modules', '.bin', 'esbuild'),
  ['demo/main.ts', 'demo/worker.ts', '--bundle', '--minify', '--format=esm', '--platform=browser', '--target=es2022', `--outdir=${out}`, '--log-level=warning'],
  { cwd: root, stdio: 'inherit' },
);
const files = {
  '/': ['text/html; charset=utf-8', readFileSync(join(root, 'demo', 'index.html'))],
  '/index.html': ['text/html; charset=utf-8', readFileSync(join(root, 'demo', 'index.html'))],
  '/main.js': ['text/javascript; charset=utf-8', readFileSync(join(out, 'main.js'))],
  '/worker.js': ['text/javascript; charset=utf-8', readFileSync(join(out, 'worker.js'))],
};
if (modelPath) files['/model.ecgm'] = ['application/octet-stream', readFileSync(resolve(modelPath))];
if (replayPath) files['/model.replay.safetensors'] = ['application/octet-stream', readFileSync(resolve(replayPath))];
cleanup();

// Only origin-form targets ("/path?query"); anything else ("//", "http://[", "*") is a 400. The path is
// compared as sent, without decoding: the files above have plain names.
function targetPath(target) {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//')) return null;
  const path = target.split(/[?#]/, 1)[0];
  return /^[\x21-\x7e]*$/.test(path) ? path : null;
}

let allowedHosts = new Set();
const send = (res, code, text) => {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
};

function handle(req, res) {
  // A guard against DNS rebinding: a page on another origin that resolves its name to 127.0.0.1 sends
  // its own Host; only the loopback names of this port are served.
  const host = String(req.headers.host ?? '').toLowerCase();
  if (!allowedHosts.has(host)) return send(res, 421, `this demo server answers only Host ${[...allowedHosts].join(', ')}\n`);
  const path = targetPath(req.url);
  if (path === null) return send(res, 400, 'bad request target\n');
  const f = req.method === 'GET' || req.method === 'HEAD' ? files[path] : undefined;
  if (!f) {
    if (path === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    return send(res, files[path] ? 405 : 404, files[path] ? 'method not allowed\n' : 'not found\n');
  }
  res.writeHead(200, { 'content-type': f[0], 'content-length': f[1].length, 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : f[1]);
}

// No request may end the server: anything thrown while answering is a 500 (or a closed connection).
const server = createServer((req, res) => {
  try {
    handle(req, res);
  } catch (e) {
    console.error(`serve-demo: ${req.method} ${JSON.stringify(req.url)}: ${e?.stack ?? e}`);
    if (!res.headersSent) send(res, 500, 'internal error\n');
    else res.destroy();
  }
});
// Malformed HTTP (bad request line, bad headers): a 400 and the connection closed.
server.on('clientError', (_err, socket) => {
  if (socket.writable && !socket.writableEnded) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  else socket.destroy();
});
server.listen(port, '127.0.0.1', () => {
  const a = server.address();
  allowedHosts = new Set([`127.0.0.1:${a.port}`, `localhost:${a.port}`, `[::1]:${a.port}`]);
  console.log(`demo: http://127.0.0.1:${a.port}/${modelPath ? ` (model ${modelPath}${replayPath ? `, replay bank ${replayPath}` : ''})` : ''}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
