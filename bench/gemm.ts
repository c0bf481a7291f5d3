// GEMM throughput: C = A*B for square n x n x n (n = 64, 128, 256, 512) on the relaxed-SIMD build
// (f32x4.relaxed_madd; this script enables Node 20's --experimental-wasm-relaxed-simd for itself, and
// leaves the column out where the runtime lacks it), the SIMD build, the scalar build and a naive JS triple
// loop (ikj over Float32Arrays), one thread, in GFLOP/s = 2*n^3 / seconds
// per call. Each benny sample times at least 5 ms of back-to-back calls; the figure reported is from
// the fastest sample (the machine's 2 cores are shared, and other processes only ever slow a sample
// down), with the median sample alongside in the tables. The human-readable output also covers a few
// library shapes (Linear layers and im2col convolutions).
//
//   npm run bench              tables
//   npm run bench -- --json    only {"gemm": {"relaxed": {"64": {"gflops": x}, ...}, "simd": ..., "scalar": ..., "naive": ...}}
//                              on stdout (benny's progress goes to stderr)
//   npm run bench -- --interleave 64,256 [--rounds 40]     (or --interleave shapes: the library shapes)
//                              relaxed vs SIMD only, interleaved: each round times 40 ms of calls on each build
//                              (alternating which goes first), best and median round per build; on a shared
//                              machine the ratio is steadier than from benny's back-to-back cases
//   npm run bench -- --threads [n] [--interleave 64,256] [--rounds 40]
//                              kernel threads (src/wasm/threaded.ts): the best build (relaxed, else SIMD) on 1 and n
//                              threads (default: the cores), interleaved rounds as above, best and median
// The tables also carry a "threads" column: the best build on the threads build with a pool of as many
// threads as the machine has cores (ECGRAD_THREADS overrides), its calls split above the pool's threshold.
import * as b from 'benny';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import '../src/wasm/relaxed-kernels.ts';
import '../src/node/kernel-threads.ts';
import { instantiateSync, relaxedSimdSupported, type Backend, type BuildName } from '../src/wasm/backend.ts';
import { instantiateThreaded } from '../src/wasm/threaded-backend.ts';

if (!relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');
const relaxed = relaxedSimdSupported();
const best: BuildName = relaxed ? 'relaxed' : 'simd';
const ti = process.argv.indexOf('--threads');
const threadCount = ti >= 0 && /^\d+$/.test(process.argv[ti + 1] ?? '') ? Number(process.argv[ti + 1]) : Number(process.env.ECGRAD_THREADS) || availableParallelism();

const json = process.argv.includes('--json');
// benny reports progress through console.log: keep stdout clean for the JSON.
if (json) console.log = (...args: unknown[]) => console.error(...args);

const SIZES = [64, 128, 256, 512] as const;
type Impl = BuildName | 'naive' | 'threads';
const IMPLS: Impl[] = [...(threadCount > 1 ? ['threads' as const] : []), ...(relaxed ? ['relaxed' as const] : []), 'simd', 'scalar', 'naive'];

interface Shape {
  label: string;
  tA: number;
  tB: number;
  M: number;
  N: number;
  K: number;
}

/** Library shapes (human-readable output only). */
const SHAPES: Shape[] = [
  { label: 'Linear fwd  x[64,187] W[5,187]^T', tA: 0, tB: 1, M: 64, N: 5, K: 187 },
  { label: 'Linear fwd  x[64,256] W[128,256]^T', tA: 0, tB: 1, M: 64, N: 128, K: 256 },
  { label: 'Linear dx   dy[64,5] W[5,187]', tA: 0, tB: 0, M: 64, N: 187, K: 5 },
  { label: 'Linear dW   dy[64,32]^T x[64,187]', tA: 1, tB: 0, M: 32, N: 187, K: 64 },
  { label: 'Linear fwd  x[1,256] W[128,256]^T (batch 1)', tA: 0, tB: 1, M: 1, N: 128, K: 256 },
  { label: 'conv1 im2col [16,1*5] x [5,64*187]', tA: 0, tB: 0, M: 16, N: 64 * 187, K: 5 },
  { label: 'conv2 im2col [32,16*5] x [80,64*187]', tA: 0, tB: 0, M: 32, N: 64 * 187, K: 80 },
  { label: 'conv3 im2col [64,60*5] x [300,64*187]', tA: 0, tB: 0, M: 64, N: 64 * 187, K: 300 },
];

const backends: Partial<Record<BuildName | 'threads', Backend>> = {};
const backend = (build: BuildName | 'threads') =>
  (backends[build] ??= build === 'threads' ? instantiateThreaded(best, threadCount) : instantiateSync(build));

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** The naive baseline: plain ikj triple loop, C = A*B with A MxK, B KxN, C MxN row-major. */
function naiveGemm(A: Float32Array, B: Float32Array, C: Float32Array, M: number, N: number, K: number): void {
  C.fill(0);
  for (let i = 0; i < M; i++)
    for (let k = 0; k < K; k++) {
      const a = A[i * K + k]!;
      for (let j = 0; j < N; j++) C[i * N + j]! += a * B[k * N + j]!;
    }
}

/** A zero-argument function computing C = op(A)*op(B) once for the given implementation. */
function makeCall(impl: Impl, s: Shape): () => void {
  const { tA, tB, M, N, K } = s;
  const A = random(M * K, 1), B = random(K * N, 2);
  const lda = tA ? M : K, ldb = tB ? K : N;
  if (impl === 'naive' && !tA && !tB) {
    const C = new Float32Array(M * N);
    return () => naiveGemm(A, B, C, M, N, K);
  }
  if (impl === 'naive') {
    const C = new Float32Array(M * N);
    // plain ikj triple loop (strided reads for the transposed cases)
    return () => {
      C.fill(0);
      for (let i = 0; i < M; i++)
        for (let k = 0; k < K; k++) {
          const a = tA ? A[k * lda + i]! : A[i * lda + k]!;
          const row = i * N;
          if (tB) for (let j = 0; j < N; j++) C[row + j]! += a * B[j * ldb + k]!;
          else {
            const brow = k * ldb;
            for (let j = 0; j < N; j++) C[row + j]! += a * B[brow + j]!;
          }
        }
    };
  }
  const be = backend(impl);
  const pa = be.alloc(A.length * 4), pb = be.alloc(B.length * 4), pc = be.alloc(M * N * 4);
  const pw = be.alloc(be.k.gemmWorkSize(M, N, K));
  be.f32(pa, A.length).set(A);
  be.f32(pb, B.length).set(B);
  const k = be.k;
  return () => k.gemm(tA, tB, M, N, K, 1, pa, lda, pb, ldb, 0, pc, N, pw);
}

interface Result {
  /** from the fastest sample */
  gflops: number;
  /** from the median sample */
  median: number;
}

async function measure(name: string, s: Shape, impls: Impl[], maxTime: number): Promise<Record<string, Result>> {
  const flops = 2 * s.M * s.N * s.K;
  const calls = impls.map((impl) => [impl, makeCall(impl, s)] as const);
  const summary = await b.suite(
    name,
    b.configure({ cases: { minSamples: 5, maxTime, minTime: 0.005 } }),
    ...calls.map(([impl, fn]) => b.add(impl, fn)),
    // benny's progress display writes to stdout: only in the human-readable mode
    ...(json ? [] : [b.cycle()]),
  );
  const out: Record<string, Result> = {};
  for (const r of summary.results)
    out[r.name] = { gflops: flops / r.details.min / 1e9, median: flops / r.details.median / 1e9 };
  return out;
}

const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 1);

/** Relaxed vs SIMD, interleaved rounds of 40 ms each (see the header). */
function interleave(shapes: Shape[], rounds: number): void {
  if (!relaxed) throw new Error('--interleave needs relaxed SIMD, which this runtime does not compile');
  const fmtR = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  console.log(`GEMM relaxed vs SIMD, interleaved (${rounds} rounds of 40 ms per build), node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  console.log('| shape | relaxed best | simd best | ratio | relaxed median | simd median | ratio |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of shapes) {
    const flops = 2 * s.M * s.N * s.K;
    const calls = { relaxed: makeCall('relaxed', s), simd: makeCall('simd', s) };
    const rates: Record<'relaxed' | 'simd', number[]> = { relaxed: [], simd: [] };
    for (let r = 0; r < rounds; r++)
      for (const k of r % 2 ? (['simd', 'relaxed'] as const) : (['relaxed', 'simd'] as const)) {
        let reps = 0;
        const t0 = performance.now();
        let t = t0;
        for (; t - t0 < 40; t = performance.now(), reps++) calls[k]();
        rates[k].push((flops * reps) / ((t - t0) / 1000) / 1e9);
      }
    const best = (v: number[]) => Math.max(...v);
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
    const [rb, sb, rm, sm] = [best(rates.relaxed), best(rates.simd), med(rates.relaxed), med(rates.simd)];
    const name = s.label === `${s.M}` ? `${s.M}³` : `${s.label} ${s.M}x${s.N}x${s.K}${s.tA ? ' tA' : ''}${s.tB ? ' tB' : ''}`;
    console.log(`| ${name} | ${fmt(rb)} | ${fmt(sb)} | ${fmtR(rb, sb)} | ${fmt(rm)} | ${fmt(sm)} | ${fmtR(rm, sm)} |`);
  }
}

/** The best build on 1 and `threadCount` threads, interleaved rounds of 40 ms each. */
function interleaveThreads(shapes: Shape[], rounds: number): void {
  const fmtR = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  console.log(`GEMM ${best} build, 1 vs ${threadCount} kernel threads, interleaved (${rounds} rounds of 40 ms each), node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  console.log(`| shape | ${threadCount} threads best | 1 thread best | ratio | ${threadCount} threads median | 1 thread median | ratio |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of shapes) {
    const flops = 2 * s.M * s.N * s.K;
    const calls = { threads: makeCall('threads', s), one: makeCall(best, s) };
    const rates: Record<'threads' | 'one', number[]> = { threads: [], one: [] };
    for (let r = 0; r < rounds; r++)
      for (const k of r % 2 ? (['one', 'threads'] as const) : (['threads', 'one'] as const)) {
        let reps = 0;
        const t0 = performance.now();
        let t = t0;
        for (; t - t0 < 40; t = performance.now(), reps++) calls[k]();
        rates[k].push((flops * reps) / ((t - t0) / 1000) / 1e9);
      }
    const top = (v: number[]) => Math.max(...v);
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
    const [tb, ob, tm, om] = [top(rates.threads), top(rates.one), med(rates.threads), med(rates.one)];
    const name = s.label === `${s.M}` ? `${s.M}³` : `${s.label} ${s.M}x${s.N}x${s.K}${s.tA ? ' tA' : ''}${s.tB ? ' tB' : ''}`;
    console.log(`| ${name} | ${fmt(tb)} | ${fmt(ob)} | ${fmtR(tb, ob)} | ${fmt(tm)} | ${fmt(om)} | ${fmtR(tm, om)} |`);
  }
}

async function main(): Promise<void> {
  const il = process.argv.indexOf('--interleave');
  if (ti >= 0) {
    const ri = process.argv.indexOf('--rounds');
    const what = il >= 0 ? process.argv[il + 1] ?? '256' : '64,128,256,512';
    const square = (n: number): Shape => ({ label: `${n}`, tA: 0, tB: 0, M: n, N: n, K: n });
    interleaveThreads(what === 'shapes' ? SHAPES : what.split(',').map((n) => square(Number(n))), ri >= 0 ? Number(process.argv[ri + 1]) : 40);
    return;
  }
  if (il >= 0) {
    const ri = process.argv.indexOf('--rounds');
    const what = process.argv[il + 1] ?? '256';
    const square = (n: number): Shape => ({ label: `${n}`, tA: 0, tB: 0, M: n, N: n, K: n });
    interleave(what === 'shapes' ? SHAPES : what.split(',').map((n) => square(Number(n))), ri >= 0 ? Number(process.argv[ri + 1]) : 40);
    return;
  }
  const square: Record<Impl, Record<string, Result>> = { threads: {}, relaxed: {}, simd: {}, scalar: {}, naive: {} };
  for (const n of SIZES) {
    const res = await measure(`gemm ${n}x${n}x${n}`, { label: `${n}`, tA: 0, tB: 0, M: n, N: n, K: n }, IMPLS, 2.5);
    for (const impl of IMPLS) square[impl][n] = res[impl]!;
  }
  if (json) {
    const out: Record<string, Record<string, { gflops: number }>> = {};
    for (const impl of IMPLS) {
      out[impl] = {};
      for (const n of SIZES) out[impl]![n] = { gflops: Number(square[impl][n]!.gflops.toFixed(2)) };
    }
    process.stdout.write(JSON.stringify({ gemm: out }) + '\n');
    return;
  }
  const shapes: Record<string, Record<string, Result>> = {};
  for (const s of SHAPES) shapes[s.label] = await measure(s.label, s, IMPLS, 0.75);

  const lines: string[] = [];
  lines.push('');
  lines.push(`GEMM C = A*B, f32, one thread, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  lines.push('GFLOP/s = 2*M*N*K / time per call, fastest benny sample (median sample in parentheses)');
  lines.push('');
  if (!relaxed) lines.push('(no relaxed column: this runtime does not compile relaxed SIMD)');
  const th = threadCount > 1;
  if (th) lines.push(`threads: the ${best} build split over ${threadCount} kernel threads (src/wasm/threaded.ts); the other columns one thread`);
  const tx = (r: Record<string, Result>) => (th ? ` ${fmt(r.threads!.gflops)} (${fmt(r.threads!.median)}) |` : '');
  const rx = (r: Record<string, Result>) => (relaxed ? ` ${fmt(r.relaxed!.gflops)} (${fmt(r.relaxed!.median)}) |` : '');
  const rxRatio = (r: Record<string, Result>) => (relaxed ? ` ${(r.relaxed!.gflops / r.simd!.gflops).toFixed(2)}x |` : '');
  lines.push(`| n |${th ? ` ${threadCount} threads |` : ''}${relaxed ? ' relaxed |' : ''} simd | scalar | naive JS | simd / naive |${relaxed ? ' relaxed / simd |' : ''}`);
  lines.push(`| ---: |${th ? ' ---: |' : ''}${relaxed ? ' ---: |' : ''} ---: | ---: | ---: | ---: |${relaxed ? ' ---: |' : ''}`);
  for (const n of SIZES) {
    const r = (i: Impl) => square[i][n]!;
    const row: Record<string, Result> = { threads: r('threads'), relaxed: r('relaxed'), simd: r('simd') };
    lines.push(
      `| ${n} |${tx(row)}${rx(row)} ${fmt(r('simd').gflops)} (${fmt(r('simd').median)}) | ${fmt(r('scalar').gflops)} (${fmt(r('scalar').median)}) | ` +
        `${fmt(r('naive').gflops)} (${fmt(r('naive').median)}) | ${(r('simd').gflops / r('naive').gflops).toFixed(0)}x |${rxRatio(row)}`,
    );
  }
  lines.push('');
  lines.push(`| shape (M x N x K) | |${th ? ` ${threadCount} threads |` : ''}${relaxed ? ' relaxed |' : ''} simd | scalar | naive JS |${relaxed ? ' relaxed / simd |' : ''}`);
  lines.push(`| --- | --- |${th ? ' ---: |' : ''}${relaxed ? ' ---: |' : ''} ---: | ---: | ---: |${relaxed ? ' ---: |' : ''}`);
  for (const s of SHAPES) {
    const r = shapes[s.label]!;
    lines.push(
      `| ${s.label} | ${s.M}x${s.N}x${s.K}${s.tA ? ' tA' : ''}${s.tB ? ' tB' : ''} |${tx(r)}${rx(r)} ${fmt(r.simd!.gflops)} (${fmt(r.simd!.median)}) | ` +
        `${fmt(r.scalar!.gflops)} (${fmt(r.scalar!.median)}) | ${fmt(r.naive!.gflops)} (${fmt(r.naive!.median)}) |${rxRatio(r)}`,
    );
  }
  console.log(lines.join('\n'));
}

await main();
