// ecgrad/infer in Chromium, bundled with esbuild as docs/embedding.md shows (--loader:.wasm=file: the
// package's ecgrad/wasm/*.wasm become files next to the bundle, imported as URLs), under Content
// Security Policies: without 'wasm-unsafe-eval' Chromium refuses every WebAssembly compile, embedded
// bytes and fetched files alike, and the error says which directive to add; with it (and no
// 'unsafe-eval') both work, on the page (init) and in a module worker (initSync, init from files).
// Every run classifies the same beats as Node. Served on 127.0.0.1 by node:http; Debian's Chromium driven by
// playwright-core. Skipped (with the reason) without /usr/bin/chromium or playwright-core.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { initSync, kachueeBeats, loadClassifier, panTompkins, rrFeatures } from '../../src/infer/index.ts';
import { syntheticEcg } from '../../demo/synthetic.ts';
import { projectRoot } from '../ecg/helpers.ts';

const CHROMIUM = process.env.ECGRAD_CHROMIUM ?? '/usr/bin/chromium';
// biome-ignore lint/suspicious/noExplicitAny: the part of playwright-core's API used here, untyped
type Playwright = { chromium: { launch(opts: Record<string, unknown>): Promise<any> } };
const PLAYWRIGHT = 'playwright-core';

async function playwright(): Promise<Playwright | null> {
  try {
    const m = (await import(PLAYWRIGHT)) as unknown;
    return ((m as Playwright).chromium ? m : (m as { default: Playwright }).default) as Playwright;
  } catch {
    return null;
  }
}

const pw = await playwright();
const why = !existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get install chromium)` : !pw ? 'playwright-core is not installed (npm install)' : null;

// 16 beats of the synthetic ECG with their RR features, and the committed FT-CNN model.
const { signal, fs } = syntheticEcg(20);
const peaks = panTompkins(signal, fs);
const n = 16;
const beats = Array.from(kachueeBeats(signal, fs, peaks, { fs: 125, length: 187 }).subarray(0, n * 187));
const rr = Array.from(rrFeatures(peaks, fs).subarray(0, n * 6));
const modelFile = join(projectRoot, 'models', 'ft-cnn-intra-rr.ecgm');

interface Result {
  error?: string;
  info?: { build: string; wasm: string };
  pred?: number[];
  probs?: number[];
}

if (why) {
  // No test is registered (as in browser.test.ts).
  console.log(`  CSP / bundler test skipped: ${why}`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-csp-'));
  const out = join(dir, 'out');
  let server: Server | null = null;
  // biome-ignore lint/suspicious/noExplicitAny: playwright's Browser
  let browser: any = null;
  let base = '';
  let policy = '';
  const requests: string[] = [];

  test.before(async () => {
    const esbuild = join(projectRoot, 'node_modules', '.bin', 'esbuild');
    const src = join(projectRoot, 'test', 'embed', 'csp');
    execFileSync(esbuild, ['page.js', 'worker.js', 'worker-page.js', '--bundle', '--format=esm', '--platform=browser', '--target=es2022', '--loader:.wasm=file',
      `--outdir=${out}`, '--log-level=warning'], { cwd: src, stdio: ['ignore', 'inherit', 'inherit'] });
    const types: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://127.0.0.1');
      requests.push(url.pathname);
      const csp: Record<string, string> = policy ? { 'content-security-policy': policy } : {};
      if (url.pathname === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html', ...csp }).end(`<!doctype html><script type="module" src="/${url.searchParams.get('script')}"></script>`);
        return;
      }
      const file = url.pathname === '/model.ecgm' ? modelFile : join(out, url.pathname.slice(1));
      if (!/^\/[\w.-]+$/.test(url.pathname) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', ...csp }).end(readFileSync(file));
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    browser = await pw!.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  test.after(async () => {
    await browser?.close();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(script: string, kernels: string, csp: string): Promise<Result> {
    policy = csp;
    const page = await browser.newPage();
    try {
      await page.addInitScript((input: unknown) => Object.assign(window, { input }), { beats, rr });
      await page.goto(`${base}/index.html?script=${script}&kernels=${kernels}`);
      await page.waitForFunction(() => 'result' in window, null, { timeout: 20_000 });
      return (await page.evaluate(() => (window as unknown as { result: Result }).result)) as Result;
    } finally {
      await page.close();
    }
  }

  const STRICT = "default-src 'self'; script-src 'self'";
  const WASM = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
  const results: Record<string, Result> = {};

  test("a strict CSP without 'wasm-unsafe-eval' refuses the embedded bytes and the files alike; the error names the directive", async () => {
    for (const kernels of ['embedded', 'files']) {
      const r = await run('page.js', kernels, STRICT);
      assert.match(r.error ?? '(no error)', /^Error: ecgrad: this page's Content-Security-Policy forbids WebAssembly \(.*\): add 'wasm-unsafe-eval' to its script-src/, kernels);
    }
  });

  test("with 'wasm-unsafe-eval': the page (embedded bytes, bundled .wasm files) and a module worker (initSync, init from files)", async () => {
    results['page embedded'] = await run('page.js', 'embedded', WASM);
    results['page files'] = await run('page.js', 'files', WASM);
    results['worker embedded (initSync)'] = await run('worker-page.js', 'embedded', WASM);
    results['worker files'] = await run('worker-page.js', 'files', WASM);
    for (const [k, r] of Object.entries(results)) {
      assert.is(r.error, undefined, `${k}: ${r.error}`);
      assert.is(r.info!.build, 'simd', k);
      assert.is(r.info!.wasm, k.includes('files') ? 'provided' : 'embedded', k);
    }
    // The files came from the bundle's output, as application/wasm (compiled while streaming).
    assert.ok(requests.some((p) => /^\/ecgrad-infer\.simd-\w+\.wasm$/.test(p)), requests.join(' '));
  });

  test("every run classifies the beats as Node does", () => {
    initSync();
    const want = loadClassifier(new Uint8Array(readFileSync(modelFile))).classify(new Float32Array(beats), new Float32Array(rr));
    const first = results['page embedded']!;
    for (const [k, r] of Object.entries(results)) {
      assert.equal(r.pred, first.pred, k);
      assert.equal(r.probs, first.probs, k);
    }
    assert.equal(first.pred, Array.from(want.pred));
    assert.ok(first.probs!.every((p, i) => Math.abs(p - want.probs[i]!) < 1e-6), 'probabilities as in Node');
  });
}

test.run();
