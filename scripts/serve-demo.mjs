#!/usr/bin/env node
// Serves the browser demo (demo/) on 127.0.0.1: bundles demo/main.ts and demo/worker.ts with esbuild
// (node_modules/.bin/esbuild, minified, ESM) into a temporary folder at start, then serves index.html,
// main.js, worker.js and, with --model, that model file as model.ecgm (the page loads it instead of its
// built-in untrained model). Prints "demo: http://127.0.0.1:PORT/" once listening.
// Usage: node scripts/serve-demo.mjs [--port 8787] [--model runs/x/ft-cnn.ecgm]
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
cleanup();

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  const f = req.method === 'GET' || req.method === 'HEAD' ? files[path] : undefined;
  if (!f) {
    res.writeHead(path === '/favicon.ico' ? 204 : 404, { 'content-type': 'text/plain' });
    res.end(path === '/favicon.ico' ? '' : 'not found');
    return;
  }
  res.writeHead(200, { 'content-type': f[0], 'content-length': f[1].length, 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : f[1]);
});
server.listen(port, '127.0.0.1', () => {
  const a = server.address();
  console.log(`demo: http://127.0.0.1:${a.port}/${modelPath ? ` (model ${modelPath})` : ''}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
