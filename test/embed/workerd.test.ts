// ecgrad/infer inside Cloudflare's workerd (the npm package's binary, spawned on 127.0.0.1, no network):
// a worker bundled with esbuild, as wrangler bundles one, gets the inference kernels as wasm modules
// and hands them to init({ wasm }) / initSync({ wasm }). Two services of one workerd process: one on
// workerd's newest compatibility date, one on 2024-09-23, where FinalizationRegistry does not exist.
// In each it classifies a fixed batch of beats and runs the record pipeline with two model files
// committed in the repo (FT-CNN float and int8), and the labels, probabilities and beat positions must
// equal Node's (same package code, embedded bytes), build for build; memory stays flat across calls.
// Skipped, saying why, only when the workerd binary cannot run on this platform.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kachueeBeats, panTompkins, rrFeatures } from '../../src/infer/index.ts';
import { syntheticEcg } from '../../demo/synthetic.ts';
import { projectRoot } from '../ecg/helpers.ts';
import { encodeInput, type JobOutput } from './workerd/job.ts';

const require = createRequire(join(projectRoot, 'package.json'));

/** The workerd binary, or why it cannot run here. */
function workerdBinary(): { bin: string; date: string } | { skip: string } {
  let w: { default: string; compatibilityDate: string };
  try {
    w = require('workerd') as typeof w;
  } catch (e) {
    return { skip: `the workerd package has no binary for ${process.platform} ${process.arch} (${(e as Error).message.split('\n')[0]})` };
  }
  const r = spawnSync(w.default, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { skip: `the workerd binary (${w.default}) does not run on this platform: ${r.error?.message ?? r.stderr.trim().slice(0, 300)}` };
  return { bin: w.default, date: w.compatibilityDate };
}

const found = workerdBinary();
const OLD_DATE = '2024-09-23'; // before FinalizationRegistry was exposed

// The input: two committed model files, 30 s of the synthetic ECG at 360 Hz, and a fixed batch of 32
// beats: its first 24 Kachuee windows with their RR features, and 8 seeded pseudo-random windows.
const { signal, fs } = syntheticEcg(30);
const peaks = panTompkins(signal, fs);
const windows = kachueeBeats(signal, fs, peaks, { fs: 125, length: 187 });
const rrAll = rrFeatures(peaks, fs);
const n = 32;
const beats = new Float32Array(n * 187), rr = new Float32Array(n * 6);
beats.set(windows.subarray(0, 24 * 187));
rr.set(rrAll.subarray(0, 24 * 6));
let s = 12345;
const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
for (let i = 24 * 187; i < beats.length; i++) beats[i] = rand();
for (let i = 24 * 6; i < rr.length; i++) rr[i] = 0.5 + rand();
const model = (f: string) => new Uint8Array(readFileSync(join(projectRoot, 'models', f)));
const body = encodeInput({ models: { 'ft-cnn-intra-rr.ecgm': model('ft-cnn-intra-rr.ecgm'), 'ft-cnn-intra-rr.ecgq': model('ft-cnn-intra-rr.ecgq') }, beats, rr, signal, fs });

function config(date: string): string {
  const worker = (d: string) =>
    `(modules = [(name = "worker.js", esModule = embed "worker.js"), (name = "ecgrad-infer.simd.wasm", wasm = embed "ecgrad-infer.simd.wasm"), ` +
    `(name = "ecgrad-infer.scalar.wasm", wasm = embed "ecgrad-infer.scalar.wasm")], compatibilityDate = "${d}")`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "new", worker = ${worker(date)}), (name = "old", worker = ${worker(OLD_DATE)})],
  sockets = [(name = "new", address = "127.0.0.1:0", http = (), service = "new"), (name = "old", address = "127.0.0.1:0", http = (), service = "old")],
);
`;
}

/** Starts workerd; resolves with each socket's port, read from its control fd. */
function start(bin: string, dir: string): Promise<{ proc: ChildProcess; ports: Record<string, number>; log: () => string }> {
  const proc = spawn(bin, ['serve', join(dir, 'config.capnp'), '--control-fd=3'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  return new Promise((resolve, reject) => {
    const ports: Record<string, number> = {};
    let control = '';
    const timer = setTimeout(() => reject(new Error(`workerd did not listen within 20 s: ${log}`)), 20_000);
    proc.on('exit', (code) => reject(new Error(`workerd exited (${code}): ${log}`)));
    (proc.stdio[3] as NodeJS.ReadableStream).on('data', (d) => {
      control += d;
      for (const line of control.split('\n').slice(0, -1)) {
        const m = JSON.parse(line) as { event?: string; socket?: string; port?: number };
        if (m.event === 'listen' && m.socket && m.port) ports[m.socket] = m.port;
      }
      if (ports.new && ports.old) {
        clearTimeout(timer);
        resolve({ proc, ports, log: () => log });
      }
    });
  });
}

type Run = JobOutput & { globals: Record<string, string>; error?: string };

if ('skip' in found) {
  // No test is registered (as in browser.test.ts).
  console.log(`  workerd test skipped: ${found.skip}`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-workerd-'));
  let workerd: ChildProcess | null = null;
  const results: Record<string, Run> = {};
  const embedded: Record<string, { error?: string }> = {};
  let node: { simd: JobOutput; scalar: JobOutput };
  let timings = '';

  test.before(async () => {
    const t0 = performance.now();
    // The worker bundled as a user would (esbuild; ecgrad/infer from the package's dist/), the .wasm
    // files from the package's exports.
    const esbuild = join(projectRoot, 'node_modules', '.bin', 'esbuild');
    execFileSync(esbuild, [join(projectRoot, 'test', 'embed', 'workerd', 'worker.ts'), '--bundle', '--format=esm', '--platform=neutral', '--target=es2022',
      '--external:*.wasm', '--main-fields=module,main', `--outfile=${join(dir, 'worker.js')}`, '--log-level=warning'], { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    for (const f of ['ecgrad-infer.simd.wasm', 'ecgrad-infer.scalar.wasm']) copyFileSync(require.resolve(`ecgrad/wasm/${f}`), join(dir, f));
    writeFileSync(join(dir, 'config.capnp'), config(found.date));
    // Node: the same job, on the embedded bytes, in a child process (it initialises ecgrad/infer alone),
    // while workerd works.
    const nodeSide = new Promise<string>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'embed', 'workerd', 'node.ts')], { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '', err = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (err += d));
      c.on('close', () => resolve(out.split('\n').find((l) => l.startsWith('WORKERD_NODE_RESULT ')) ?? `failed: ${err.slice(0, 2000)}`));
      c.stdin.end(body);
    });
    const tStart = performance.now();
    const started = await start(found.bin, dir);
    workerd = started.proc;
    process.on('exit', () => workerd?.kill()); // also when a step below throws
    const tListen = performance.now();
    const url = (svc: string, path: string) => `http://127.0.0.1:${started.ports[svc]}${path}`;
    const post = async (svc: string, query: string) => (await (await fetch(url(svc, `/run?${query}`), { method: 'POST', body })).json()) as Run;
    for (const svc of ['new', 'old']) embedded[svc] = (await (await fetch(url(svc, '/embedded'))).json()) as { error?: string };
    // New date: init({ wasm: { simd, scalar } }) auto and forced scalar; old date: auto, and initSync with the scalar module alone.
    results['new auto'] = await post('new', 'build=auto');
    results['new scalar'] = await post('new', 'build=scalar');
    results['old auto'] = await post('old', 'build=auto');
    results['old scalar sync'] = await post('old', 'build=scalar&sync=1');
    const tDone = performance.now();
    const line = await nodeSide;
    if (!line.startsWith('WORKERD_NODE_RESULT ')) throw new Error(`the Node side ${line}`);
    node = JSON.parse(line.slice('WORKERD_NODE_RESULT '.length));
    const sec = (a: number, b: number) => `${((b - a) / 1000).toFixed(1)} s`;
    timings = `bundling ${sec(t0, tStart)}, workerd start ${sec(tStart, tListen)}, 4 runs in workerd ${sec(tListen, tDone)}, Node side done ${sec(tStart, performance.now())} after start`;
  });

  test.after(() => {
    workerd?.kill();
    rmSync(dir, { recursive: true, force: true });
    console.log(`workerd test: ${timings}`);
  });

  test('in workerd, init() on the embedded bytes is refused, and the error names the modules to pass', () => {
    for (const svc of ['new', 'old'])
      assert.match(embedded[svc]!.error ?? '(no error)', /^Error: ecgrad: this runtime does not compile WebAssembly from bytes \(.*disallowed by embedder\).*ecgrad\/wasm\/ecgrad-infer\.simd\.wasm/);
  });

  test('both compatibility dates: the import works, init({ wasm }) picks SIMD, initSync({ wasm }) takes a module; FinalizationRegistry only on the new date', () => {
    for (const [k, r] of Object.entries(results)) assert.is(r.error, undefined, `${k}: ${r.error}`);
    for (const svc of ['new', 'old']) {
      const gc = svc === 'new';
      assert.equal(results[`${svc} auto`]!.info, { build: 'simd', kernels: 'infer', simdSupported: true, wasm: 'provided', gcFreesTensors: gc, threads: 1 });
      assert.equal(results[gc ? 'new scalar' : 'old scalar sync']!.info, { build: 'scalar', kernels: 'infer', simdSupported: true, wasm: 'provided', gcFreesTensors: gc, threads: 1 });
      assert.is(results[`${svc} auto`]!.globals.FinalizationRegistry, gc ? 'function' : 'undefined');
    }
  });

  test("labels, probabilities and detected beats equal Node's, build for build, float and int8 models", () => {
    for (const [key, r] of Object.entries(results)) {
      const ref = node[r.info.build as 'simd' | 'scalar'];
      assert.equal(Object.keys(r.models), ['ft-cnn-intra-rr.ecgm', 'ft-cnn-intra-rr.ecgq'], key);
      for (const [m, out] of Object.entries(r.models)) {
        const want = ref.models[m]!;
        assert.equal(out.classes, ['N', 'S', 'V', 'F', 'Q'], `${key} ${m}`);
        assert.is(out.fixed.pred.length, n, `${key} ${m}`);
        assert.equal(out.fixed.pred, want.fixed.pred, `${key} ${m}: labels of the fixed batch`);
        assert.equal(out.fixed.probs, want.fixed.probs, `${key} ${m}: probabilities of the fixed batch`);
        assert.ok(out.record.sample.length >= 30, `${key} ${m}: ${out.record.sample.length} beats detected`);
        assert.equal(out.record, want.record, `${key} ${m}: the record pipeline`);
      }
    }
    // The batch is not degenerate: the synthetic record's premature beats get another label than the rest.
    assert.ok(new Set(node.simd.models['ft-cnn-intra-rr.ecgm']!.fixed.pred).size >= 2);
  });

  test('memory stays flat across classifications in workerd, with and without FinalizationRegistry', () => {
    for (const [key, r] of Object.entries(results))
      for (const [m, out] of Object.entries(r.models)) assert.ok(out.live.every((v) => v === out.live[0]), `${key} ${m}: live bytes ${out.live}`);
  });
}

test.run();
