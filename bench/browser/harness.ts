// Bundles the bench:browser page (bench/browser/page.ts and its worker, bench/browser/worker.ts) with esbuild,
// serves it on 127.0.0.1 cross-origin isolated (Cross-Origin-Opener-Policy: same-origin,
// Cross-Origin-Embedder-Policy: require-corp, so SharedArrayBuffer and shared WebAssembly memory exist) and
// opens it in Debian's Chromium headless through playwright-core, as test/embed/browser.test.ts does.
// Used by bench/browser/run.ts (npm run bench:browser) and test/embed/browser-threads.test.ts.
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.ECGRAD_CHROMIUM ?? '/usr/bin/chromium';
const HERE = fileURLToPath(new URL('.', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: playwright-core's pages and browser, untyped (its own types are not needed to typecheck the suite)
type Any = any;
interface Playwright {
  chromium: { launch(opts: Record<string, unknown>): Promise<Any> };
}

async function playwright(): Promise<Playwright | null> {
  try {
    const m = (await import('playwright-core')) as unknown as Playwright & { default?: Playwright };
    return m.chromium ? m : m.default!;
  } catch {
    return null;
  }
}

/** Why the page cannot be opened here (no Chromium, no playwright-core), or null. */
export async function unavailable(): Promise<string | null> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found (apt-get install chromium, or set ECGRAD_CHROMIUM)`;
  if (!(await playwright())) return 'playwright-core is not installed (npm install)';
  return null;
}

/** The Chromium version string (`chromium --version`). */
export async function chromiumVersion(): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** A tab of the page. */
export interface BenchTab {
  page: Any;
  url: string;
  /** window.ecgradBench.worker(request) in the page: the worker's answer. */
  worker<T>(request: Record<string, unknown>): Promise<T>;
  /** window.ecgradBench.mainThread(): ecgrad initialised on the page's main thread asking for 2 threads. */
  mainThread<T>(): Promise<T>;
}

/** The page, open in headless Chromium; close() ends the browser, the server and the bundle directory. */
export interface BenchPage extends BenchTab {
  /** The page again in a new tab, served without the isolation headers. */
  plain(): Promise<BenchTab>;
  close(): Promise<void>;
}

/** Opens the page, served cross-origin isolated; `plain()` opens it again in a tab without the headers (not isolated). */
export async function openBenchPage(opts: { onLog?: (m: string) => void } = {}): Promise<BenchPage> {
  const pw = await playwright();
  if (!pw) throw new Error('playwright-core is not installed (npm install)');
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-bench-browser-'));
  let server: Server | null = null;
  let browser: Any = null;
  const close = async () => {
    await browser?.close().catch(() => {});
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { build } = await import('esbuild');
    await build({
      entryPoints: [join(HERE, 'page.ts'), join(HERE, 'worker.ts')],
      bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outdir: dir, logLevel: 'error',
    });
    writeFileSync(join(dir, 'index.html'), '<!doctype html>\n<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>ecgrad bench</title></head>\n<body><script type="module" src="page.js"></script></body></html>\n');
    server = createServer((req, res) => {
      // /plain/...: the same files without the isolation headers (not cross-origin isolated)
      let path = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
      const isolation = !path.startsWith('plain/');
      if (!isolation) path = path.slice('plain/'.length);
      path ||= 'index.html';
      const file = join(dir, path);
      if (!file.startsWith(dir) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        ...(isolation ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
        'Cache-Control': 'no-store',
      });
      res.end(readFileSync(file));
    });
    const port = await new Promise<number>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port));
    });
    const url = `http://127.0.0.1:${port}/`;
    browser = await pw.chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const tab = async (at: string): Promise<BenchTab> => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e: Error) => errors.push(e.message));
      page.on('console', (m: Any) => opts.onLog?.(m.text()));
      await page.goto(at);
      await page.waitForSelector('body[data-ready]', { state: 'attached', timeout: 60_000 }).catch((e: Error) => {
        throw new Error(`the bench page did not start: ${errors.join('; ') || e.message}`);
      });
      return {
        page,
        url: at,
        worker: (request) => page.evaluate((r: Record<string, unknown>) => (window as Any).ecgradBench.worker(r), request),
        mainThread: () => page.evaluate(() => (window as Any).ecgradBench.mainThread()),
      };
    };
    return { ...(await tab(url)), plain: () => tab(`${url}plain/`), close };
  } catch (e) {
    await close();
    throw e;
  }
}
