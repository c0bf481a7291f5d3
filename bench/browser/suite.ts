// The workloads of npm run bench:browser, the same code in headless Chromium (a dedicated worker,
// bench/browser/worker.ts) and in Node (bench/browser/node-suite.ts): GEMM n x n x n (n = 64..512) in
// GFLOP/s, one training step (forward, cross-entropy, backward, Adam) at batch 64 x 1 x 187 of the reference
// models StdCNN, DSCNN and LSTMNet, and StdCNN inference at batch 1 and 256 (bench/train-step.ts's steps and
// call counts), on each configuration asked for (a build and a kernel thread count), re-initialising ecgrad for
// each. Every figure is the median over repetitions; GEMM repetitions time >= 40 ms of back-to-back calls.
import { initSync, crossEntropy, Adam, backendInfo, tensor } from '../../src/all.ts';
import { backend } from '../../src/core/runtime.ts';
import { StdCNN, DSCNN, LSTMNet } from '../../src/models/reference.ts';
import { median, trainStep, inferStep } from '../steps.ts';
import type { BuildName } from '../../src/wasm/backend.ts';

/** A build on a number of kernel threads (1: the single-thread build; more: the threads build). */
export interface Config {
  label: string;
  build: BuildName;
  threads: number;
}

/** Workload key -> its figure (GFLOP/s for gemm*, samples/s otherwise). */
export type Figures = Record<string, number>;

/** Workload groups (--only): gemm, std, ds, lstm, infer. */
export const GROUPS = ['gemm', 'std', 'ds', 'lstm', 'infer'] as const;
export const GEMM_SIZES = [64, 128, 256, 512];

export interface SuiteOptions {
  configs: Config[];
  only?: string[];
  /** Called before each initialisation on `threads` threads (browsers: startKernelThreads). */
  prepare?: (threads: number) => Promise<void>;
  log?: (m: string) => void;
}


function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** C = A B (n x n x n) on the active backend's GEMM kernel; returns a call and a reader of C. */
function gemmCall(n: number): { run: () => void; result: () => Float32Array; free: () => void } {
  const b = backend();
  const pa = b.alloc(n * n * 4), pb = b.alloc(n * n * 4), pc = b.alloc(n * n * 4), pw = b.alloc(b.k.gemmWorkSize(n, n, n));
  b.f32(pa, n * n).set(random(n * n, 1));
  b.f32(pb, n * n).set(random(n * n, 2));
  return {
    run: () => b.k.gemm(0, 0, n, n, n, 1, pa, n, pb, n, 0, pc, n, pw),
    result: () => b.f32(pc, n * n).slice(),
    free: () => [pa, pb, pc, pw].forEach((p) => b.free(p)),
  };
}

function gemmGflops(n: number): number {
  const g = gemmCall(n);
  try {
    for (let i = 0; i < 3; i++) g.run();
    const rates: number[] = [];
    for (let r = 0; r < 7; r++) {
      let calls = 0;
      const t0 = performance.now();
      let dt = 0;
      while (dt < 40) {
        g.run();
        calls++;
        dt = performance.now() - t0;
      }
      rates.push((2 * n ** 3 * calls) / (dt * 1e6));
    }
    return median(rates);
  } finally {
    g.free();
  }
}



/** Median samples/s over `reps` timings of `inner` calls, after `warmup` calls and at least 0.5 s (bench/train-step.ts says why). */
function samplesPerS(batch: number, fn: () => void, warmup: number, reps: number, inner: number): number {
  const w0 = performance.now();
  for (let i = 0; i < warmup || performance.now() - w0 < 500; i++) fn();
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    rates.push((batch * inner * 1000) / (performance.now() - t0));
  }
  return median(rates);
}

/** Key, group, batch, a fresh timed step, warm-up calls, repetitions, calls per repetition (bench/train-step.ts). */
const STEPS: [string, string, number, () => () => void, number, number, number][] = [
  ['std_train_b64', 'std', 64, () => trainStep(new StdCNN({ seed: 0 }), 64, 187), 10, 15, 5],
  ['ds_train_b64', 'ds', 64, () => trainStep(new DSCNN({ seed: 0 }), 64, 187), 10, 15, 5],
  ['lstm_train_b64', 'lstm', 64, () => trainStep(new LSTMNet({ seed: 0 }), 64, 187), 3, 10, 2],
  ['std_infer_b1', 'infer', 1, () => inferStep(new StdCNN({ seed: 0 }), 1, 187), 50, 15, 50],
  ['std_infer_b256', 'infer', 256, () => inferStep(new StdCNN({ seed: 0 }), 256, 187), 5, 15, 3],
];

/** The workload keys of the groups asked for, in table order. */
export function workloadKeys(only: string[] = []): string[] {
  const want = (g: string) => only.length === 0 || only.includes(g);
  return [...(want('gemm') ? GEMM_SIZES.map((n) => `gemm_${n}`) : []), ...STEPS.filter((s) => want(s[1])).map((s) => s[0])];
}

async function initFor(c: Config, prepare?: (threads: number) => Promise<void>): Promise<void> {
  if (c.threads > 1) await prepare?.(c.threads);
  const info = initSync({ force: true, build: c.build, threads: c.threads });
  if (info.build !== c.build || info.threads !== c.threads)
    throw new Error(`asked for the ${c.build} build on ${c.threads} threads, got ${info.build} on ${info.threads}: ${info.threadsReason ?? info.fallbackReason ?? ''}`);
}

/** Runs every workload on every configuration (in the order given); figures by configuration label. */
export async function runSuite(o: SuiteOptions): Promise<Record<string, Figures>> {
  const log = o.log ?? (() => {});
  const want = (g: string) => !o.only?.length || o.only.includes(g);
  const out: Record<string, Figures> = {};
  for (const c of o.configs) {
    await initFor(c, o.prepare);
    const f: Figures = (out[c.label] = {});
    if (want('gemm'))
      for (const n of GEMM_SIZES) {
        f[`gemm_${n}`] = gemmGflops(n);
        log(`${c.label}: gemm ${n}^3 ${f[`gemm_${n}`]!.toFixed(2)} GFLOP/s`);
      }
    for (const [key, group, batch, make, warm, reps, inner] of STEPS) {
      if (!want(group)) continue;
      f[key] = samplesPerS(batch, make(), warm, reps, inner);
      log(`${c.label}: ${key} ${Math.round(f[key]!)} samples/s`);
    }
  }
  initSync({ force: true, build: 'simd', threads: 1 }); // the threads' pool closes
  return out;
}

/** FNV-1a over the bits of some float arrays (a compact bit-identity check). */
function digest(arrays: Float32Array[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i]!, 16777619) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** What check() computed on one configuration. */
export interface CheckResult {
  threads: number;
  threadsReason?: string;
  build: BuildName;
  /** Digests of GEMM 256^3's C and of a StdCNN b64 step's loss, gradients and updated parameters. */
  gemm: string;
  step: string;
  loss: number;
}

/** One GEMM (256^3, split over the threads) and one StdCNN training step (its conv passes split), as digests. */
export async function check(c: Config, prepare?: (threads: number) => Promise<void>): Promise<CheckResult> {
  await initFor(c, prepare);
  const g = gemmCall(256);
  g.run();
  const gemm = digest([g.result()]);
  g.free();
  const model = new StdCNN({ seed: 0 });
  model.train();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = tensor(random(64 * 187, 3), { shape: [64, 1, 187] });
  const y = Int32Array.from({ length: 64 }, (_, i) => i % 5);
  const loss = crossEntropy(model.forward(x), y);
  loss.backward();
  const grads = model.parameters().map((p) => p.grad!.data());
  opt.step();
  const lossValue = loss.item();
  const step = digest([Float32Array.of(lossValue), ...grads, ...model.parameters().map((p) => p.data())]);
  const info = backendInfo();
  return { threads: info.threads, build: info.build, gemm, step, loss: lossValue, ...(info.threadsReason ? { threadsReason: info.threadsReason } : {}) };
}
