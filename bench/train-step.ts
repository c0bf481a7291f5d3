// One full training step (forward, cross-entropy, backward, Adam) at batch 64 x 1 x 187 for the reference
// models of ../shared/baselines/torch_bench.py (StdCNN, DSCNN, LSTMNet), plus StdCNN inference at batch 1
// and 256, in ecgrad; then, in the same run, the PyTorch baseline script (one thread) when Debian's
// python3-torch is installed, side by side with the ratio.
//   npm run bench:train              human-readable table
//   npm run bench:train -- --json    {"std_train_b64": {"samples_per_s": ..., "pytorch_samples_per_s": ..., "ratio": ...}, ...}
//   options: --no-torch (skip PyTorch), --only std,ds,lstm,infer, --short-warmup (only PyTorch's warm-up call
//   counts), --profile (time per kernel in a StdCNN step and in inference; with --only std,ds,infer),
//   with infer: the fused plan and onnxruntime-node rows (bench/infer-rows.ts, 3 interleaved rounds),
//   --threads [n] [--rounds r]: ecgrad on 1 and n kernel threads (default n: the cores; src/wasm/threaded.ts),
//   interleaved: r rounds (default 3), each re-initialising ecgrad for 1 then n threads (n then 1 in odd
//   rounds) and timing a fresh model; each figure is the median over the rounds of the per-round medians
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { initSync, randn, noGrad, crossEntropy, Adam, backendInfo, type Module } from '../src/all.ts';
import { backend } from '../src/core/runtime.ts';
import { StdCNN, DSCNN, LSTMNet } from '../src/models/reference.ts';
import { inferRows } from './infer-rows.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const noTorch = args.includes('--no-torch');
const onlyAt = args.findIndex((a) => a === '--only' || a.startsWith('--only='));
const onlyValue = onlyAt < 0 ? '' : args[onlyAt]!.includes('=') ? args[onlyAt]!.split('=')[1]! : args[onlyAt + 1] ?? '';
const only = new Set(onlyValue.split(',').filter(Boolean));
const want = (k: string) => only.size === 0 || only.has(k);
const log = (...m: unknown[]) => (json ? console.error : console.log)(...m);

initSync();

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

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

function trainStep(model: Module, B: number, L: number) {
  model.train();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([B, 1, L], { seed: 1 }).keep();
  const y = Int32Array.from({ length: B }, (_, i) => i % 5);
  return () => {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
  };
}

function inferStep(model: Module, B: number, L: number) {
  model.eval();
  const x = randn([B, 1, L], { seed: 2 }).keep();
  return () => noGrad(() => void model.forward(x));
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
const threadsN = threadsAt < 0 ? 1 : Number(args[threadsAt + 1]) || availableParallelism();
/** The workloads: key, batch, a fresh timed step, warm-up calls, repetitions, calls per repetition. */
const WORKLOADS: [string, string, number, () => () => void, number, number, number][] = [
  ['std', 'std_train_b64', 64, () => trainStep(new StdCNN({ seed: 0 }), 64, 187), 10, 15, 5],
  ['ds', 'ds_train_b64', 64, () => trainStep(new DSCNN({ seed: 0 }), 64, 187), 10, 15, 5],
  ['lstm', 'lstm_train_b64', 64, () => trainStep(new LSTMNet({ seed: 0 }), 64, 187), 3, 10, 2],
  ['infer', 'std_infer_b1', 1, () => inferStep(new StdCNN({ seed: 0 }), 1, 187), 50, 15, 50],
  ['infer', 'std_infer_b256', 256, () => inferStep(new StdCNN({ seed: 0 }), 256, 187), 5, 15, 3],
];
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
        const info = initSync({ force: true, threads: t });
        if (info.threads !== t) throw new Error(`asked for ${t} kernel threads, got ${info.threads}: ${info.threadsReason}`);
        per[t]!.push(time(batch, make(), warm, reps, inner));
      }
    const mid = (v: ReturnType<typeof time>[]) => ({ samplesPerS: median(v.map((x) => x.samplesPerS)), min: Math.min(...v.map((x) => x.min)), max: Math.max(...v.map((x) => x.max)) });
    record(key, mid(per[1]!));
    record(`${key}_t${threadsN}`, mid(per[threadsN]!));
    log(`${''.padEnd(16)} ${threadsN} threads / 1 thread: ${(median(per[threadsN]!.map((x) => x.samplesPerS)) / median(per[1]!.map((x) => x.samplesPerS))).toFixed(2)}x`);
  }
} else
  for (const [w, key, batch, make, warm, reps, inner] of WORKLOADS) if (want(w)) record(key, time(batch, make(), warm, reps, inner));

// The fused inference plan beside the unfused rows, with onnxruntime-node (one thread), in interleaved rounds
// (bench/infer-rows.ts; PyTorch's inference rows come from the run below).
if (want('infer') && threadsN === 1) {
  for (const row of await inferRows({ rounds: 3, torch: false, log }))
    for (const [who, v] of Object.entries(row.samples_per_s))
      if (who !== 'ecgrad') results[`${row.key}_${who === 'ecgrad fused' ? 'fused' : 'ort'}`] = { samples_per_s: v, range: [v, v] };
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
if (!noTorch && existsSync(script) && existsSync(python)) {
  const which = [want('std') && 'std', want('ds') && 'ds', want('lstm') && 'lstm', want('infer') && 'infer'].filter(Boolean) as string[];
  try {
    log('running the PyTorch baseline (one thread)...');
    const out = execFileSync(python, [script, '1', ...which], {
      encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const torch = JSON.parse(out) as { torch: string; results: Record<string, { samples_per_s_median: number }> };
    const map: Record<string, string> = {
      std_train_b64: 'std_train_b64_L187', ds_train_b64: 'ds_train_b64_L187', lstm_train_b64: 'lstm_train_b64_L187',
      std_infer_b1: 'std_infer_b1_L187', std_infer_b256: 'std_infer_b256_L187',
    };
    log(`\n${'benchmark'.padEnd(16)} ${'ecgrad'.padStart(8)} ${`torch ${torch.torch}`.padStart(16)}  ratio`);
    for (const [k, v] of Object.entries(results)) {
      const t = torch.results[map[k]!]?.samples_per_s_median;
      if (t === undefined) continue;
      v.pytorch_samples_per_s = Math.round(t);
      v.ratio = +(v.samples_per_s / t).toFixed(2);
      log(`${k.padEnd(16)} ${String(v.samples_per_s).padStart(8)} ${String(Math.round(t)).padStart(16)}  ${v.ratio.toFixed(2)}x`);
    }
  } catch (e) {
    log(`PyTorch baseline not run: ${(e as Error).message.split('\n')[0]}`);
  }
} else if (!noTorch) {
  log('PyTorch baseline not run (needs /usr/bin/python3 with python3-torch and ../shared/baselines/torch_bench.py)');
}
if (json) console.log(JSON.stringify(results));
