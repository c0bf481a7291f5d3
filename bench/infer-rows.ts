// StdCNN / DSCNN inference at batch 1 and 256, side by side in interleaved rounds: ecgrad's unfused
// forward (model.forward under noGrad: tensors, autograd checks, batch norm and ReLU as their own passes),
// ecgrad's fused plan (src/nn/fused-plan.ts: batch norm folded, ReLU and pooling in the conv call, static
// buffers), onnxruntime-node (a devDependency; the model exported by src/export/onnx.ts, CPU, one intra-op
// thread and, on a machine with 2 or more cores, two; all graph optimisations) and, when Debian's python3-torch is installed, PyTorch on one thread
// (../shared/baselines/torch_bench.py, OPENBLAS_NUM_THREADS=1 and the large-block malloc env it recommends).
// Each round times every contender once (the order reversed every other round); a figure is the median
// over the rounds of per-round medians, samples/s; ratios are per-round ratios' medians.
//   npx tsx bench/infer-rows.ts [--rounds 5] [--models std,ds] [--no-torch] [--no-ort] [--json]
// Also run by bench/train-step.ts (--only infer) for its inference rows.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendInfo, initSync, isInitialised, noGrad, randn, exportOnnx, type Module } from '../src/all.ts';
import { compileInference } from '../src/nn/fused-plan.ts';
import { StdCNN, DSCNN } from '../src/models/reference.ts';

export interface InferRow {
  key: string;
  samples_per_s: Record<string, number>;
  /** fused / other contender, median of per-round ratios. */
  fused_ratio: Record<string, number>;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

type Call = () => unknown;

/** Samples/s of `calls` calls after a warm-up of >= 0.3 s (V8 optimises the JavaScript; ORT warms its arena). */
async function rate(fn: Call, batch: number, calls: number, warm: boolean): Promise<number> {
  if (warm) for (const t0 = performance.now(); performance.now() - t0 < 300; ) await fn();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await fn();
  return (batch * calls * 1000) / (performance.now() - t0);
}

function torchScript(): string | null {
  let dir = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (let i = 0; i < 4; i++) {
    const p = join(dir, '..', 'shared', 'baselines', 'torch_bench.py');
    if (existsSync(p)) return p;
    dir = join(dir, '..');
  }
  return null;
}

/** One PyTorch run (one thread) of the inference rows: samples/s by key, or null when unavailable. */
function torchRound(which: string[]): Record<string, number> | null {
  const script = torchScript();
  if (!script || !existsSync('/usr/bin/python3')) return null;
  const out = execFileSync('/usr/bin/python3', [script, '1', ...which], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MALLOC_MMAP_THRESHOLD_: '1000000000', MALLOC_TRIM_THRESHOLD_: '1000000000' },
  });
  const r = JSON.parse(out) as { results: Record<string, { samples_per_s_median: number }> };
  return Object.fromEntries(Object.entries(r.results).map(([k, v]) => [k, v.samples_per_s_median]));
}

export async function inferRows(opts: { rounds?: number; models?: string[]; torch?: boolean; ort?: boolean; log?: (...m: unknown[]) => void } = {}): Promise<InferRow[]> {
  const rounds = opts.rounds ?? 5, log = opts.log ?? console.log;
  const models = opts.models ?? ['std'];
  if (!isInitialised()) initSync();
  let ort: typeof import('onnxruntime-node') | null = null;
  if (opts.ort !== false) {
    try {
      ort = await import('onnxruntime-node');
    } catch (e) {
      log(`onnxruntime-node not loaded: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  log(`inference, ${rounds} interleaved rounds; ecgrad ${backendInfo().build} build, node ${process.version}${ort ? ', onnxruntime-node (1 intra-op thread, and 2 where there are 2 cores)' : ''}; load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  const rows: InferRow[] = [];
  const torchRuns: Record<string, number>[] = [];
  for (const name of models) {
    const build = (): Module => (name === 'ds' ? new DSCNN({ seed: 0 }) : new StdCNN({ seed: 0 }));
    const model = build();
    model.eval();
    const plan = compileInference(model, { input: [1, 187] });
    const onnx = exportOnnx(model, { input: { channels: 1, length: 187 } });
    const sessionOf = (threads: number) => ort!.InferenceSession.create(onnx, {
      intraOpNumThreads: threads, interOpNumThreads: 1, executionProviders: ['cpu'], graphOptimizationLevel: 'all',
    });
    const session = ort ? await sessionOf(1) : null;
    // ORT on 2 intra-op threads too, where there are 2 cores (ecgrad's kernel-thread rows are timed by bench/train-step.ts)
    const session2 = ort && availableParallelism() > 1 ? await sessionOf(2) : null;
    for (const B of [1, 256]) {
      const x = randn([B, 1, 187], { seed: 2 }).keep();
      const xs = x.data(), out = new Float32Array(B * 5);
      const feeds = ort && session ? { [session.inputNames[0]!]: new ort.Tensor('float32', xs, [B, 1, 187]) } : null;
      const calls = B === 1 ? 2000 : 12;
      const contenders: [string, Call][] = [
        ['ecgrad', () => noGrad(() => void model.forward(x))],
        ['ecgrad fused', () => void plan.run(xs, B, [1, 187], out)],
      ];
      if (session && feeds) contenders.push(['ORT 1t', () => session.run(feeds)]);
      if (session2 && feeds) contenders.push(['ORT 2t', () => session2.run(feeds)]);
      const per: Record<string, number[]> = Object.fromEntries(contenders.map(([n]) => [n, []]));
      for (let r = 0; r < rounds; r++)
        for (const [n, fn] of r % 2 ? [...contenders].reverse() : contenders) per[n]!.push(await rate(fn, B, calls, r === 0 || B === 1));
      const key = `${name}_infer_b${B}`;
      const row: InferRow = { key, samples_per_s: {}, fused_ratio: {} };
      for (const [n] of contenders) {
        row.samples_per_s[n] = Math.round(median(per[n]!));
        if (n !== 'ecgrad fused') row.fused_ratio[n] = +median(per['ecgrad fused']!.map((f, i) => f / per[n]![i]!)).toFixed(2);
      }
      rows.push(row);
    }
    await session?.release();
    await session2?.release();
  }
  // PyTorch: its own process, so its rounds follow ecgrad's (one call of the script per round)
  if (opts.torch !== false) {
    try {
      for (let r = 0; r < Math.min(rounds, 3); r++) {
        const t = torchRound(['infer']);
        if (!t) break;
        torchRuns.push(t);
      }
    } catch (e) {
      log(`PyTorch not run: ${(e as Error).message.split('\n')[0]}`);
    }
    for (const row of rows) {
      const v = torchRuns.map((t) => t[`${row.key}_L187`]).filter((x): x is number => x !== undefined);
      if (!v.length) continue;
      row.samples_per_s['PyTorch 1t'] = Math.round(median(v));
      row.fused_ratio['PyTorch 1t'] = +(row.samples_per_s['ecgrad fused']! / median(v)).toFixed(2);
    }
  }
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.samples_per_s)))];
  log(`\n${'samples/s'.padEnd(16)}${names.map((n) => n.padStart(14)).join('')}   fused / ${names.filter((n) => n !== 'ecgrad fused').join(', ')}`);
  for (const r of rows)
    log(`${r.key.padEnd(16)}${names.map((n) => String(r.samples_per_s[n] ?? '-').padStart(14)).join('')}   ${Object.values(r.fused_ratio).map((v) => `${v.toFixed(2)}x`).join(', ')}`);
  log(`load average after: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const a = process.argv.slice(2);
  const opt = (name: string) => (a.includes(name) ? a[a.indexOf(name) + 1] : undefined);
  const json = a.includes('--json');
  const rows = await inferRows({
    rounds: Number(opt('--rounds') ?? 5), models: (opt('--models') ?? 'std').split(','), torch: !a.includes('--no-torch'), ort: !a.includes('--no-ort'),
    log: json ? console.error : console.log,
  });
  if (json) console.log(JSON.stringify(rows));
}
