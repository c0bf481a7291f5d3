// npm run bench:browser: the kernel and training-step suite (bench/browser/suite.ts: GEMM 64..512 in GFLOP/s,
// StdCNN / DSCNN / LSTMNet training steps at batch 64, StdCNN inference at batch 1 and 256, in samples/s) in
// headless Chromium, in a dedicated worker of a cross-origin-isolated page (bench/browser/harness.ts), on the
// SIMD build, the relaxed-SIMD build (when Chromium validates relaxed SIMD) and the threads build of the best
// of them on n kernel threads (ecgrad/browser-threads); then the same workloads on Node in the same rounds.
// Rounds interleave the runtimes (Chromium then Node, Node then Chromium in odd rounds; the configurations in
// reverse order in odd rounds too), and each figure is the median over the rounds of the per-round medians;
// the ratio is Chromium / Node. The load average is printed before and after.
//   npm run bench:browser                  markdown table
//   npm run bench:browser -- --json        {"chromium": "...", "node": "...", "load": {...}, "results": {workload: {config: {chromium, node, ratio}}}}
//   options: --rounds r (default 2), --threads n (default: the cores, at least 2), --only gemm,std,ds,lstm,infer,
//   --no-node (Chromium only)
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromiumVersion, openBenchPage, unavailable } from './harness.ts';
import { workloadKeys, type Config, type Figures } from './suite.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (name: string) => {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  return i < 0 ? undefined : args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
};
const rounds = Number(opt('--rounds') ?? 2);
const threads = Number(opt('--threads') ?? Math.max(2, availableParallelism()));
const only = (opt('--only') ?? '').split(',').filter(Boolean);
const withNode = !args.includes('--no-node');
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`--rounds takes a whole number >= 1 (got ${opt('--rounds')})`);
if (!(Number.isInteger(threads) && threads >= 2)) throw new Error(`--threads takes a whole number >= 2 (got ${opt('--threads')})`);
const log = (m: string) => console.error(m);
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');

const why = await unavailable();
if (why) {
  console.error(`bench:browser cannot run: ${why}`);
  process.exit(1);
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
function nodeRound(configs: Config[]): Promise<Record<string, Figures>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/browser/node-suite.ts', JSON.stringify(configs), only.join(',')], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ECGRAD_THREADS: '' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => log(String(d).trimEnd()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`the Node suite exited with ${code}`))));
  });
}

const loadBefore = load();
const chromium = await chromiumVersion();
log(`${chromium}, Node ${process.version}; load average before: ${loadBefore}`);
const page = await openBenchPage({ onLog: (m) => log(`chromium ${m}`) });
const per: Record<'chromium' | 'node', Record<string, Record<string, number[]>>> = { chromium: {}, node: {} };
let configs: Config[] = [];
let info: { relaxed: boolean; crossOriginIsolated: boolean; hardwareConcurrency: number; userAgent: string };
try {
  info = await page.worker({ cmd: 'info' });
  if (!info.crossOriginIsolated) throw new Error('the bench page is not cross-origin isolated');
  const best = info.relaxed ? 'relaxed' : 'simd';
  configs = [
    { label: 'SIMD', build: 'simd', threads: 1 },
    ...(info.relaxed ? [{ label: 'relaxed', build: 'relaxed' as const, threads: 1 }] : []),
    { label: `${best} ${threads} threads`, build: best, threads },
  ];
  if (!info.relaxed) log('Chromium does not validate relaxed SIMD here: no relaxed column');
  const add = (who: 'chromium' | 'node', f: Record<string, Figures>) => {
    for (const [label, figs] of Object.entries(f))
      for (const [k, v] of Object.entries(figs)) ((per[who][k] ??= {})[label] ??= []).push(v);
  };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...configs].reverse() : configs;
    const runtimes: ('chromium' | 'node')[] = withNode ? (r % 2 ? ['node', 'chromium'] : ['chromium', 'node']) : ['chromium'];
    for (const who of runtimes) {
      log(`round ${r + 1} of ${rounds}: ${who}, load average ${load()}`);
      add(who, who === 'chromium' ? await page.worker<Record<string, Figures>>({ cmd: 'bench', configs: order, only }) : await nodeRound(order));
    }
  }
} finally {
  await page.close();
}
const loadAfter = load();

const keys = workloadKeys(only);
const results: Record<string, Record<string, { chromium: number; node?: number; ratio?: number }>> = {};
for (const k of keys)
  for (const c of configs) {
    const cr = median(per.chromium[k]![c.label]!);
    const nd = withNode ? median(per.node[k]![c.label]!) : undefined;
    (results[k] ??= {})[c.label] = { chromium: cr, ...(nd !== undefined ? { node: nd, ratio: cr / nd } : {}) };
  }

if (json) {
  console.log(JSON.stringify({ chromium, userAgent: info!.userAgent, node: process.version, rounds, threads, load: { before: loadBefore, after: loadAfter }, results }));
} else {
  const fmt = (k: string, v: number) => (k.startsWith('gemm') ? v.toFixed(2) : Math.round(v).toLocaleString('en-US'));
  const label = (k: string) => (k.startsWith('gemm_') ? `GEMM ${k.slice(5)}³ (GFLOP/s)` : `${k} (samples/s)`);
  const cols = configs.flatMap((c) => (withNode ? [`${c.label} Chromium`, `${c.label} Node`, 'Chromium / Node'] : [`${c.label} Chromium`]));
  console.log(`\n${chromium} (headless, dedicated worker, cross-origin isolated) vs Node ${process.version}; ${rounds} interleaved rounds, medians`);
  console.log(`load average before ${loadBefore}, after ${loadAfter}\n`);
  console.log(`| workload | ${cols.join(' | ')} |`);
  console.log(`| --- | ${cols.map(() => '---:').join(' | ')} |`);
  for (const k of keys) {
    const cells = configs.flatMap((c) => {
      const r = results[k]![c.label]!;
      return withNode ? [fmt(k, r.chromium), fmt(k, r.node!), `${r.ratio!.toFixed(2)}x`] : [fmt(k, r.chromium)];
    });
    console.log(`| ${label(k)} | ${cells.join(' | ')} |`);
  }
}
