// One full training step (forward, cross-entropy, backward, Adam) at batch 64 x 1 x 187 for the reference
// models of ../shared/baselines/torch_bench.py (StdCNN, DSCNN, LSTMNet), plus StdCNN inference at batch 1
// and 256, in ecgrad on 1 and N kernel threads; then, in the same run, its peers side by side (issue 20):
// PyTorch on 1 and 2 threads (the baseline script, when Debian's python3-torch is installed), onnxruntime-node
// (inference rows, bench/infer-rows.ts), jax-js (bench/peers/jaxjs.ts) and TF.js wasm (bench/peers/tfjs.ts),
// each peer in its own process, and one table of samples/s with the ratios.
//   npm run bench:train              human-readable table
//   npm run bench:train -- --json    {"std_train_b64": {"samples_per_s": ..., "pytorch_samples_per_s": ..., "ratio": ...}, ...,
//                                     "table": {workload: {"ecgrad 1t": ..., "ecgrad 2t": ..., "PyTorch 1t": ..., ...}},
//                                     "errors": {workload: {peer: message}}, "peers": {...}, "load": {before, after}}
//   options: --no-torch (skip PyTorch), --no-peers (skip jax-js and TF.js), --no-jax, --no-tfjs,
//   --peer-budget-ms m (timing budget per jax-js / TF.js workload, default 3000), --torch-rounds r (PyTorch runs
//   per thread count, alternating 1t / 2t first; default 1), --only std,ds,lstm,infer, --short-warmup (only
//   PyTorch's warm-up call counts), --profile (time per kernel in a StdCNN step and in inference; with --only
//   std,ds,infer), with infer: the fused plan and onnxruntime-node rows (bench/infer-rows.ts, 3 interleaved rounds),
//   --build auto|relaxed|simd|scalar (default auto: relaxed SIMD where V8 has it, enabled on Node 20 as the CLI
//   does), --threads [n] [--rounds r]: ecgrad on 1 and n kernel threads (default n: the cores; src/wasm/threaded.ts; the
//   default run does this with n = the cores when there are more than one; --no-threads for 1 thread only),
//   interleaved: r rounds (default 3), each re-initialising ecgrad for 1 then n threads (n then 1 in odd
//   rounds) and timing a fresh model; each figure is the median over the rounds of the per-round medians
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { initSync, backendInfo } from '../src/all.ts';
import { relaxedSimdSupported, type BuildName } from '../src/wasm/backend.ts';
import { backend } from '../src/core/runtime.ts';
import { StdCNN, DSCNN, LSTMNet } from '../src/models/reference.ts';
import { median, trainStep, inferStep, fusedStep } from './steps.ts';
import { inferRows } from './infer-rows.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const noTorch = args.includes('--no-torch');
const onlyAt = args.findIndex((a) => a === '--only' || a.startsWith('--only='));
const onlyValue = onlyAt < 0 ? '' : args[onlyAt]!.includes('=') ? args[onlyAt]!.split('=')[1]! : args[onlyAt + 1] ?? '';
const only = new Set(onlyValue.split(',').filter(Boolean));
const want = (k: string) => only.size === 0 || only.has(k);
const log = (...m: unknown[]) => (json ? console.error : console.log)(...m);

// The kernel build: by default the best this runtime runs, chosen as the CLI chooses it (bin/ecgrad.js):
// relaxed SIMD (fused multiply-add) where V8 has it, enabled here on Node 20 as the CLI enables it;
// --build simd (or scalar, relaxed) forces one.
const buildAt = args.indexOf('--build');
const build = (buildAt >= 0 ? args[buildAt + 1] : 'auto') as BuildName | 'auto';
if (!['auto', 'relaxed', 'simd', 'scalar'].includes(build)) throw new Error(`--build must be auto, relaxed, simd or scalar, got ${String(build)}`);
if ((build === 'auto' || build === 'relaxed') && !relaxedSimdSupported())
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // a runtime without the flag: the SIMD build runs
  }
initSync({ build });


// Warm-up: the PyTorch script's call counts, and then (unless --short-warmup) more calls until 0.5 s have
// passed. ecgrad's JavaScript (op dispatch, autograd, allocation) runs unoptimised until V8 has seen a few
// hundred calls: with only 50 warm-up calls batch-1 inference spends most of its 15 timed repetitions
// in that phase (about 250-400 us per beat at first, 110-130 us once optimised), so the median would
// measure JIT warm-up rather than throughput. PyTorch has no such phase.
const shortWarmup = args.includes('--short-warmup');

/** Median samples/s over `reps` timings of `inner` calls each, after `warmup` calls (and >= 0.5 s, see above). */
function time(batch: number, fn: () => void, warmup: number, reps: number, inner: number): { samplesPerS: number; min: number; max: number } {
  const w0 = performance.now();
  for (let i = 0; i < warmup || (!shortWarmup && performance.now() - w0 < 500); i++) fn();
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    rates.push((batch * inner * 1000) / (performance.now() - t0));
  }
  return { samplesPerS: median(rates), min: Math.min(...rates), max: Math.max(...rates) };
}



const results: Record<string, { samples_per_s: number; range: [number, number]; pytorch_samples_per_s?: number; ratio?: number }> = {};
const record = (key: string, r: ReturnType<typeof time>) => {
  results[key] = { samples_per_s: Math.round(r.samplesPerS), range: [Math.round(r.min), Math.round(r.max)] };
  log(`${key.padEnd(16)} ${Math.round(r.samplesPerS)} samples/s (range ${Math.round(r.min)}-${Math.round(r.max)})`);
};

log(`ecgrad ${backendInfo().build} build, node ${process.version}`);

// --profile: time every kernel call (convolutions split by shape) over some StdCNN training steps and
// batch-1 inference calls, and print where the time goes.
if (args.includes('--profile')) {
  const b = backend() as unknown as { k: Record<string, unknown> };
  const raw = b.k;
  const acc = new Map<string, { ms: number; calls: number }>();
  const wrapped: Record<string, unknown> = {};
  for (const name of Object.keys(raw)) {
    const f = raw[name];
    if (typeof f !== 'function') { wrapped[name] = f; continue; }
    wrapped[name] = (...a: number[]) => {
      const t0 = performance.now();
      const r = (f as (...x: number[]) => unknown)(...a);
      const dt = performance.now() - t0;
      const o = name.startsWith("conv1dForward") ? 4 : 3;
      const key = name.startsWith("conv1d") && a.length > 10 ? `${name} [${a[o]},${a[o + 1]},${a[o + 2]}]->${a[o + 3]} k${a[o + 4]} g${a[o + 8]}` : name;
      const e = acc.get(key) ?? { ms: 0, calls: 0 };
      e.ms += dt; e.calls++;
      acc.set(key, e);
      return r;
    };
  }
  const report = (label: string, fn: () => void, n: number) => {
    for (let i = 0; i < 5; i++) fn();
    b.k = wrapped;
    acc.clear();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const total = (performance.now() - t0) / n;
    b.k = raw;
    const rows = [...acc.entries()].sort((x, y) => y[1].ms - x[1].ms);
    const kern = rows.reduce((s, [, v]) => s + v.ms, 0) / n;
    log(`\nprofile ${label}: ${total.toFixed(3)} ms per call, kernels ${kern.toFixed(3)} ms, other (JS, allocation) ${(total - kern).toFixed(3)} ms`);
    for (const [k, v] of rows) log(`  ${(v.ms / n).toFixed(3).padStart(8)} ms  ${String(v.calls / n).padStart(5)}x  ${k}`);
  };
  for (const which of only.size ? [...only] : ['std']) {
    if (which === 'std') report('StdCNN train step b64', trainStep(new StdCNN({ seed: 0 }), 64, 187), 20);
    if (which === 'ds') report('DSCNN train step b64', trainStep(new DSCNN({ seed: 0 }), 64, 187), 20);
    if (which === 'infer') {
      const m = new StdCNN({ seed: 0 });
      report('StdCNN inference b1', inferStep(m, 1, 187), 400);
      report('StdCNN inference b256', inferStep(m, 256, 187), 10);
    }
  }
  process.exit(0);
}
const threadsAt = args.indexOf('--threads');
const threadsN = args.includes('--no-threads') ? 1 : threadsAt < 0 ? availableParallelism() : Number(args[threadsAt + 1]) || availableParallelism();
const loadBefore = loadavg().map((v) => +v.toFixed(2));
/** The workloads: key, batch, a fresh timed step, warm-up calls, repetitions, calls per repetition. */
const WORKLOADS: [string, string, number, () => () => void, number, number, number][] = [
  ['std', 'std_train_b64', 64, () => trainStep(new StdCNN({ seed: 0 }), 64, 187), 10, 15, 5],
  ['ds', 'ds_train_b64', 64, () => trainStep(new DSCNN({ seed: 0 }), 64, 187), 10, 15, 5],
  ['lstm', 'lstm_train_b64', 64, () => trainStep(new LSTMNet({ seed: 0 }), 64, 187), 3, 10, 2],
  ['infer', 'std_infer_b1', 1, () => inferStep(new StdCNN({ seed: 0 }), 1, 187), 50, 15, 50],
  ['infer', 'std_infer_b256', 256, () => inferStep(new StdCNN({ seed: 0 }), 256, 187), 5, 15, 3],
  // the fused plan on 1 and n threads (its one-thread figure beside ORT comes from bench/infer-rows.ts below)
  ['infer', 'std_infer_b1_fused', 1, () => fusedStep(new StdCNN({ seed: 0 }), 1, 187), 50, 15, 50],
  ['infer', 'std_infer_b256_fused', 256, () => fusedStep(new StdCNN({ seed: 0 }), 256, 187), 5, 15, 3],
];
const isFusedKey = (k: string) => k.endsWith('_fused');
if (threadsN > 1) {
  // 1 vs n kernel threads, interleaved rounds (see the header)
  await import('../src/node/kernel-threads.ts');
  const ri = args.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(args[ri + 1]) : 3;
  const counts = [1, threadsN];
  log(`kernel threads 1 vs ${threadsN}, ${rounds} interleaved rounds, load average ${(await import('node:os')).loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  for (const [w, key, batch, make, warm, reps, inner] of WORKLOADS) {
    if (!want(w)) continue;
    const per: Record<number, ReturnType<typeof time>[]> = { 1: [], [threadsN]: [] };
    for (let r = 0; r < rounds; r++)
      for (const t of r % 2 ? [...counts].reverse() : counts) {
        const info = initSync({ force: true, threads: t, build });
        if (info.threads !== t) throw new Error(`asked for ${t} kernel threads, got ${info.threads}: ${info.threadsReason}`);
        per[t]!.push(time(batch, make(), warm, reps, inner));
      }
    const mid = (v: ReturnType<typeof time>[]) => ({ samplesPerS: median(v.map((x) => x.samplesPerS)), min: Math.min(...v.map((x) => x.min)), max: Math.max(...v.map((x) => x.max)) });
    record(key, mid(per[1]!));
    record(`${key}_t${threadsN}`, mid(per[threadsN]!));
    log(`${''.padEnd(16)} ${threadsN} threads / 1 thread: ${(median(per[threadsN]!.map((x) => x.samplesPerS)) / median(per[1]!.map((x) => x.samplesPerS))).toFixed(2)}x`);
  }
} else
  for (const [w, key, batch, make, warm, reps, inner] of WORKLOADS) if (want(w) && !isFusedKey(key)) record(key, time(batch, make(), warm, reps, inner));

// The fused inference plan beside the unfused rows, with onnxruntime-node (one thread), in interleaved rounds
// (bench/infer-rows.ts; PyTorch's inference rows come from the run below).
if (want('infer')) {
  if (threadsN > 1) initSync({ force: true, threads: 1, build });
  for (const row of await inferRows({ rounds: 3, torch: false, log }))
    for (const [who, v] of Object.entries(row.samples_per_s))
      if (who !== 'ecgrad') results[`${row.key}_${who === 'ecgrad fused' ? 'fused1t' : who === 'ORT 1t' ? 'ort' : 'ort2t'}`] = { samples_per_s: v, range: [v, v] };
}

// PyTorch, same machine, same run, one thread.
// ../shared/baselines next to the repository, searched upwards (a git worktree may sit deeper, e.g. wt/<name>)
const script = (() => {
  let dir = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (let i = 0; i < 4; i++) {
    const p = join(dir, '..', 'shared', 'baselines', 'torch_bench.py');
    if (existsSync(p)) return p;
    dir = join(dir, '..');
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'baselines', 'torch_bench.py');
})();
const python = '/usr/bin/python3';
const TORCH_KEY: Record<string, string> = {
  std_train_b64: 'std_train_b64_L187', ds_train_b64: 'ds_train_b64_L187', lstm_train_b64: 'lstm_train_b64_L187',
  std_infer_b1: 'std_infer_b1_L187', std_infer_b256: 'std_infer_b256_L187',
};
const WORKLOAD_KEYS = WORKLOADS.filter(([w, k]) => want(w) && !isFusedKey(k)).map(([, k]) => k);
/** workload -> contender -> samples/s; and the errors a contender gave instead. */
const table: Record<string, Record<string, number>> = Object.fromEntries(WORKLOAD_KEYS.map((k) => [k, {}]));
const errors: Record<string, Record<string, string>> = {};
const nt = threadsN > 1 ? `ecgrad ${threadsN}t` : null;
for (const k of WORKLOAD_KEYS) {
  if (results[k]) table[k]!['ecgrad 1t'] = results[k]!.samples_per_s;
  if (nt && results[`${k}_t${threadsN}`]) table[k]![nt] = results[`${k}_t${threadsN}`]!.samples_per_s;
  if (results[`${k}_fused1t`]) table[k]!['ecgrad fused 1t'] = results[`${k}_fused1t`]!.samples_per_s;
  if (nt && results[`${k}_fused_t${threadsN}`]) table[k]![`ecgrad fused ${threadsN}t`] = results[`${k}_fused_t${threadsN}`]!.samples_per_s;
  if (results[`${k}_ort`]) table[k]!['ORT 1t'] = results[`${k}_ort`]!.samples_per_s;
  if (results[`${k}_ort2t`]) table[k]!['ORT 2t'] = results[`${k}_ort2t`]!.samples_per_s;
}
const peersInfo: Record<string, unknown> = {};

// PyTorch, same machine, same run, on 1 and 2 threads (torch.set_num_threads(n) and OMP_NUM_THREADS = n, OpenBLAS
// on one thread as the script's docstring runs it, and the large-block malloc env it gives as PyTorch's best case;
// OPENBLAS_NUM_THREADS = 2 under torch's 2 threads oversubscribes the 2 cores: measured 2026-12-08, PyTorch 2t
// StdCNN train 5,394 against 5,869, DSCNN 4,260 against 6,930, LSTM 177 against 1,469 samples/s, inference b256
// 32,005 against 30,878 within the run's range); --torch-rounds r alternates which goes first.
if (!noTorch && existsSync(script) && existsSync(python)) {
  const which = [want('std') && 'std', want('ds') && 'ds', want('lstm') && 'lstm', want('infer') && 'infer'].filter(Boolean) as string[];
  const tri = args.indexOf('--torch-rounds');
  const torchRounds = tri >= 0 ? Math.max(1, Number(args[tri + 1]) || 1) : 1;
  const runs: Record<number, Record<string, number>[]> = { 1: [], 2: [] };
  let version = '';
  try {
    for (let r = 0; r < torchRounds; r++)
      for (const n of r % 2 ? [2, 1] : [1, 2]) {
        log(`running the PyTorch baseline (${n} thread${n > 1 ? 's' : ''})...`);
        const out = execFileSync(python, [script, String(n), ...which], {
          encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: String(n), MALLOC_MMAP_THRESHOLD_: '1000000000', MALLOC_TRIM_THRESHOLD_: '1000000000' },
        });
        const torch = JSON.parse(out) as { torch: string; threads: number; results: Record<string, { samples_per_s_median: number }> };
        if (torch.threads !== n) throw new Error(`asked PyTorch for ${n} threads, it runs ${torch.threads}`);
        version = torch.torch;
        runs[n]!.push(Object.fromEntries(Object.entries(torch.results).map(([k, v]) => [k, v.samples_per_s_median])));
      }
    peersInfo.pytorch = { version, rounds: torchRounds, env: 'OMP_NUM_THREADS=n OPENBLAS_NUM_THREADS=1 MALLOC_MMAP_THRESHOLD_=1e9 MALLOC_TRIM_THRESHOLD_=1e9' };
    for (const k of WORKLOAD_KEYS)
      for (const n of [1, 2]) {
        const v = runs[n]!.map((t) => t[TORCH_KEY[k]!]).filter((x): x is number => x !== undefined);
        if (v.length) table[k]![`PyTorch ${n}t`] = Math.round(median(v));
      }
    // the fields of the one-thread comparison as before: ecgrad 1t / PyTorch 1t
    for (const [k, v] of Object.entries(results)) {
      const t = table[k]?.['PyTorch 1t'];
      if (t === undefined) continue;
      v.pytorch_samples_per_s = t;
      v.ratio = +(v.samples_per_s / t).toFixed(2);
    }
  } catch (e) {
    log(`PyTorch baseline not run: ${(e as Error).message.split('\n')[0]}`);
  }
} else if (!noTorch) {
  log('PyTorch baseline not run (needs /usr/bin/python3 with python3-torch and ../shared/baselines/torch_bench.py)');
}

// jax-js and TF.js wasm: each in its own process (jax-js needs a global navigator; each sets up its own wasm runtime)
const noPeers = args.includes('--no-peers');
const bmi = args.indexOf('--peer-budget-ms');
const budget = bmi >= 0 ? Number(args[bmi + 1]) || 3000 : 3000;
const peerList: [string, string, string][] = [
  ['jax', 'jax-js', 'jaxjs.ts'],
  ['tfjs', 'TF.js wasm', 'tfjs.ts'],
];
for (const [flag, label, file] of peerList) {
  if (noPeers || args.includes(`--no-${flag}`)) continue;
  const which = ['std', 'ds', 'lstm', 'infer'].filter(want);
  log(`running ${label} (bench/peers/${file}, its own process)...`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'peers', file), '--only', which.join(','), '--budget-ms', String(budget)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20,
  });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  let res: import('./peers/common.ts').PeerResult;
  try {
    res = JSON.parse(line);
  } catch {
    log(`${label} not run: its process exited with ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}; is it installed (npm ci)?`);
    continue;
  }
  peersInfo[label] = { version: res.version, device: res.device, threads: res.threads, notes: res.notes };
  for (const [k, v] of Object.entries(res.results)) {
    if (!table[k]) continue;
    if ('error' in v) (errors[k] ??= {})[label] = v.error;
    else table[k]![label] = v.samples_per_s;
  }
}

const loadAfter = loadavg().map((v) => +v.toFixed(2));
const cols = [...new Set(Object.values(table).flatMap((r) => Object.keys(r)).concat(Object.values(errors).flatMap((r) => Object.keys(r))))];
const order = ['ecgrad 1t', nt, 'ecgrad fused 1t', nt && `ecgrad fused ${threadsN}t`, 'PyTorch 1t', 'PyTorch 2t', 'ORT 1t', 'ORT 2t', 'jax-js', 'TF.js wasm'].filter((c): c is string => !!c);
const columns = [...order.filter((c) => cols.includes(c)), ...cols.filter((c) => !order.includes(c))];
const cell = (k: string, c: string) => (table[k]![c] !== undefined ? String(table[k]![c]) : errors[k]?.[c] ? 'error*' : '-');
log(`\nsamples/s, node ${process.version}, load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`);
for (const [name, info] of Object.entries(peersInfo)) log(`  ${name}: ${JSON.stringify(info)}`);
log(`| workload | ${columns.join(' | ')} |`);
log(`|---|${columns.map(() => '---:').join('|')}|`);
for (const k of WORKLOAD_KEYS) log(`| ${k} | ${columns.map((c) => cell(k, c)).join(' | ')} |`);
for (const [k, e] of Object.entries(errors)) for (const [c, m] of Object.entries(e)) log(`* ${c}, ${k}: ${m}`);
// ratios: ecgrad over each peer (its best thread count where the peer's is stated)
const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}x` : '-');
const ratioCols: [string, string, string][] = [
  ['ecgrad 1t / PyTorch 1t', 'ecgrad 1t', 'PyTorch 1t'],
  ...(nt ? [[`${nt} / PyTorch 2t`, nt, 'PyTorch 2t'] as [string, string, string]] : []),
  ['ecgrad 1t / ORT 1t', 'ecgrad 1t', 'ORT 1t'],
  ['ecgrad fused 1t / ORT 1t', 'ecgrad fused 1t', 'ORT 1t'],
  ...(nt ? [[`ecgrad fused ${threadsN}t / ORT 2t`, `ecgrad fused ${threadsN}t`, 'ORT 2t'] as [string, string, string]] : []),
  ['ecgrad 1t / jax-js', 'ecgrad 1t', 'jax-js'],
  ['ecgrad 1t / TF.js wasm', 'ecgrad 1t', 'TF.js wasm'],
];
log(`\n| workload | ${ratioCols.map(([n]) => n).join(' | ')} |`);
log(`|---|${ratioCols.map(() => '---:').join('|')}|`);
for (const k of WORKLOAD_KEYS) log(`| ${k} | ${ratioCols.map(([, a, b]) => ratio(table[k]![a], table[k]![b])).join(' | ')} |`);
if (json) console.log(JSON.stringify({ ...results, table, errors, peers: peersInfo, load: { before: loadBefore, after: loadAfter } }));
