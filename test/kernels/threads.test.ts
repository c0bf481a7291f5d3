// The kernel thread pool (src/wasm/kernel-pool.ts, threaded.ts): the threads build split over 2 and 3
// threads gives the same bytes as the single-thread SIMD build for GEMM (every transpose, thin and edge
// shapes, beta = 1) and for the three convolution passes on every path (Winograd, im2col, pointwise,
// grouped, depthwise, strided), batch norm forward and backward, max and adaptive average pooling and
// every unary op and its backward, with every call split (no thresholds; several chunks per thread);
// training steps give the same model file bytes with 1 and 2 threads; a worker that exits, hangs or was
// terminated makes the call throw KernelThreadError within a bounded time (or, between calls, the pool
// falls back to one thread), never hang; one thread runs, and says why, where threads cannot; an idle pool
// does not keep Node alive. Children: threads-child.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import '../../src/node/kernel-threads.ts';
import { instantiateSync, type Backend } from '../../src/wasm/backend.ts';
import { instantiateThreaded } from '../../src/wasm/threaded-backend.ts';
import { splitRange } from '../../src/wasm/threaded.ts';
import { threadsUnavailable } from '../../src/wasm/kernel-pool.ts';
import { Rng } from '../../src/core/random.ts';
import { UnaryOp } from '../../src/wasm/opcodes.ts';
import { projectRoot } from '../ecg/helpers.ts';

const single = instantiateSync('simd');
const two = instantiateThreaded('simd', 2, true);
const three = instantiateThreaded('simd', 3, true);

function randomArray(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.normal());
}

/** Runs `fn(pointers)` on backend b with the inputs copied in; returns the bytes of output `out` (its initial contents given). */
function run(b: Backend, inputs: Float32Array[], out: number, scratchBytes: number, fn: (p: number[], scratch: number) => void): Uint8Array {
  const ptrs = inputs.map((a) => b.alloc(a.length * 4));
  inputs.forEach((a, i) => b.f32(ptrs[i]!, a.length).set(a));
  const scratch = b.alloc(scratchBytes);
  fn(ptrs, scratch);
  const bytes = new Uint8Array(b.f32(ptrs[out]!, inputs[out]!.length).slice().buffer);
  for (const p of ptrs) b.free(p);
  b.free(scratch);
  return bytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  assert.is(a.length, b.length, what);
  const i = a.findIndex((v, j) => v !== b[j]);
  if (i >= 0) assert.unreachable(`${what}: float ${i >> 2} differs`);
}

test('splitRange covers [0, n) in contiguous parts, each a multiple of the unit but the last', () => {
  for (const [n, parts, unit] of [[10, 2, 1], [37, 3, 8], [5, 4, 4], [1, 2, 1], [256, 2, 8], [7, 8, 1]] as const) {
    const r = splitRange(n, parts, unit);
    assert.ok(r.length <= parts && r.length >= 1);
    assert.is(r[0]![0], 0);
    assert.is(r.at(-1)![1], n);
    r.forEach(([s, e], i) => {
      assert.ok(e > s, `[${s}, ${e})`);
      if (i > 0) assert.is(s, r[i - 1]![1]);
      if (i < r.length - 1) assert.is(e % unit, 0);
    });
  }
});

test('the pools started their workers', () => {
  assert.is(two.pool?.size, 2);
  assert.is(three.pool?.size, 3);
});

const GEMMS: [number, number, number, number, number, number][] = [
  // M, N, K, transA, transB, beta
  [64, 64, 64, 0, 0, 0], [256, 256, 256, 0, 0, 0], [1, 300, 64, 0, 0, 0], [300, 2, 70, 0, 0, 1], [5, 37, 600, 1, 0, 0],
  [130, 70, 33, 0, 1, 1], [70, 130, 33, 1, 1, 0], [3, 2, 5, 0, 0, 0], [33, 1030, 17, 0, 1, 1], [1030, 9, 40, 1, 0, 0],
  // column split on op(A) packed once: several row blocks; a last chunk of 1 column; several depth blocks
  [300, 310, 70, 0, 0, 1], [6, 9, 10, 0, 1, 0], [20, 258, 700, 1, 1, 0],
  // row split on op(B) packed once: several row and depth blocks, transposed B
  [600, 20, 700, 0, 1, 1], [610, 300, 40, 1, 0, 0],
];
for (const [M, N, K, tA, tB, beta] of GEMMS)
  test(`gemm ${M}x${N}x${K} tA=${tA} tB=${tB} beta=${beta}: 2 and 3 threads give the single thread's bytes`, () => {
    const A = randomArray(M * K, 1), B = randomArray(K * N, 2), C = randomArray(M * N, 3);
    const lda = tA ? M : K, ldb = tB ? K : N;
    const go = (b: Backend) =>
      run(b, [A, B, C], 2, b.k.gemmWorkSize(M, N, K), ([pa, pb, pc], w) => b.k.gemm(tA, tB, M, N, K, 0.5, pa!, lda, pb!, ldb, beta, pc!, N, w));
    const ref = go(single);
    sameBytes(go(two), ref, '2 threads');
    sameBytes(go(three), ref, '3 threads');
  });

// B, Cin, L, Cout, K, stride, pad, dil, groups: Winograd (k5, k3), im2col (below Winograd's columns,
// strided, grouped, dilated), pointwise, depthwise, channel multiplier with stride, Cin = 1
const CONVS: [number, number, number, number, number, number, number, number, number][] = [
  [16, 32, 93, 64, 5, 1, 2, 1, 1], [12, 64, 46, 32, 3, 1, 1, 1, 1], [8, 64, 46, 32, 3, 1, 1, 1, 1], [6, 8, 50, 12, 3, 2, 1, 1, 1],
  [5, 8, 40, 12, 3, 1, 2, 2, 2], [7, 16, 30, 24, 1, 1, 0, 1, 1], [9, 16, 60, 16, 5, 1, 2, 1, 16], [4, 8, 33, 16, 3, 2, 1, 1, 8],
  [10, 1, 187, 32, 5, 1, 2, 1, 1], [3, 24, 20, 20, 5, 1, 2, 1, 1],
];
for (const wmode of [1, 0, 2])
  for (const [B, Cin, L, Cout, K, s, pad, dil, groups] of CONVS) {
    const Lout = Math.floor((L + 2 * pad - dil * (K - 1) - 1) / s) + 1;
    const shape = `[${B},${Cin},${L}] -> ${Cout} k${K} s${s} p${pad} d${dil} g${groups}`;
    test(`conv1d ${shape}, Winograd mode ${wmode}: forward and both backward passes, 2 and 3 threads = 1 thread`, () => {
      const x = randomArray(B * Cin * L, 4), w = randomArray((Cout * Cin * K) / groups, 5), bias = randomArray(Cout, 6);
      const y = new Float32Array(B * Cout * Lout), dy = randomArray(B * Cout * Lout, 7);
      const dx = new Float32Array(B * Cin * L), dw = new Float32Array(w.length);
      const dims = [Cin, L, Cout, K, s, pad, dil, groups, Lout] as const;
      for (const b of [single, two, three]) b.k.conv1dSetWinograd(wmode);
      const size = (b: Backend) => b.k.conv1dScratchSize(B, ...dims);
      const passes = {
        forward: (b: Backend) => run(b, [x, w, bias, y], 3, size(b), ([px, pw, pb, py], sc) => b.k.conv1dForward(px!, pw!, pb!, py!, B, ...dims, sc)),
        'backward data': (b: Backend) => run(b, [dy, w, dx], 2, size(b), ([pdy, pw, pdx], sc) => b.k.conv1dBackwardData(pdy!, pw!, pdx!, B, ...dims, sc)),
        'backward weight': (b: Backend) => run(b, [x, dy, dw], 2, size(b), ([px, pdy, pdw], sc) => b.k.conv1dBackwardWeight(px!, pdy!, pdw!, B, ...dims, sc)),
      };
      try {
        for (const [name, pass] of Object.entries(passes)) {
          const ref = pass(single);
          sameBytes(pass(two), ref, `${name}, 2 threads`);
          sameBytes(pass(three), ref, `${name}, 3 threads`);
        }
      } finally {
        for (const b of [single, two, three]) b.k.conv1dSetWinograd(1);
      }
    });
  }

test('the Winograd filter computed once (conv1dWinoFilter) and sample ranges on it (conv1dWinoRange), threads build, give the single-thread build\'s whole pass, forward and backward data', () => {
  // [B, Cin, L, Cout, K, pad]: k5 and k3 (F(4,5), F(6,3)), odd channel counts, no padding
  for (const [B, Cin, L, Cout, K, pad] of [[7, 16, 41, 20, 5, 2], [5, 16, 30, 24, 3, 1], [3, 17, 19, 16, 3, 0]] as const) {
    const Lout = L + 2 * pad - K + 1;
    const x = randomArray(B * Cin * L, 20), w = randomArray(Cout * Cin * K, 21), bias = randomArray(Cout, 22), dy = randomArray(B * Cout * Lout, 23);
    const dims = [Cin, L, Cout, K, 1, pad, 1, 1, Lout] as const;
    const sc = single.k.conv1dScratchSize(B, ...dims);
    for (const b of [single, two]) b.k.conv1dSetWinograd(2);
    try {
      assert.is(single.k.conv1dWinogradChoice(Cin, Cout, K, 1, 1, 1, B * Lout), 1, 'the whole pass takes the Winograd path');
      const fwd = run(single, [x, w, bias, new Float32Array(B * Cout * Lout)], 3, sc, ([px, pw, pb, py], s) => single.k.conv1dForward(px!, pw!, pb!, py!, B, ...dims, s));
      const bwd = run(single, [dy, w, new Float32Array(B * Cin * L)], 2, sc, ([pdy, pw, pdx], s) => single.k.conv1dBackwardData(pdy!, pw!, pdx!, B, ...dims, s));
      const ranges = [[0, 2], [2, 3], [3, B]];
      const k = two.k;
      const fwdR = run(two, [x, w, bias, new Float32Array(B * Cout * Lout), new Float32Array(k.conv1dWinoFilterSize(Cout, Cin, K) / 4)], 3, sc, ([px, pw, pb, py, pf], s) => {
        k.conv1dWinoFilter(pw!, Cout, Cin, K, 0, pf!);
        for (const [b0, b1] of ranges) k.conv1dWinoRange(px!, pb!, py!, Cin, L, Cout, Lout, K, pad, s, pf!, b0!, b1!);
      });
      const bwdR = run(two, [dy, w, new Float32Array(B * Cin * L), new Float32Array(k.conv1dWinoFilterSize(Cin, Cout, K) / 4)], 2, sc, ([pdy, pw, pdx, pf], s) => {
        k.conv1dWinoFilter(pw!, Cin, Cout, K, 1, pf!);
        for (const [b0, b1] of ranges) k.conv1dWinoRange(pdy!, 0, pdx!, Cout, Lout, Cin, L, K, K - 1 - pad, s, pf!, b0!, b1!);
      });
      sameBytes(fwdR, fwd, `forward [${B},${Cin},${L}] -> ${Cout} k${K}`);
      sameBytes(bwdR, bwd, `backward data [${B},${Cin},${L}] -> ${Cout} k${K}`);
    } finally {
      for (const b of [single, two]) b.k.conv1dSetWinograd(1);
    }
  }
  assert.is(single.k.conv1dWinoFilterSize(16, 16, 3), 0, 'a stub in the builds without threads');
});

// op(A) / op(B) packed once for the GEMM column / row split, threads build, against the single-thread build's gemm
const WHOLE: [number, number, number][] = [[4, 9, 7], [37, 70, 600], [300, 19, 70], [13, 1030, 33], [9, 4, 7], [70, 37, 600], [19, 530, 70], [300, 13, 33]];
for (const [M, N, K] of WHOLE)
  test(`gemm ${M}x${N}x${K}, every transpose: op(A) packed whole on column ranges and op(B) on row ranges give gemm's bytes`, () => {
    const k = two.k;
    for (const [tA, tB] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
      const lda = (tA ? M : K) + 1, ldb = (tB ? K : N) + 2, ldc = N + 3;
      const A = randomArray((tA ? K : M) * lda, 30), B = randomArray((tB ? N : K) * ldb, 31), C = randomArray(M * ldc, 32);
      const ws = k.gemmWorkSize(M, N, K);
      const ref = run(single, [A, B, C], 2, ws, ([pa, pb, pc], w) => single.k.gemm(tA, tB, M, N, K, 0.75, pa!, lda, pb!, ldb, 0.5, pc!, ldc, w));
      // ranges of 1, 2, 4, 7, ... columns or rows (a different split each time; 1 is gemm's thin path)
      const ranges = (n: number) => { const r: [number, number][] = []; for (let s = 0, w = 1; s < n; s += w, w = w >= 8 ? 1 : w + 1 + (w >> 1)) r.push([s, Math.min(n, s + w)]); return r; };
      const byCols = run(two, [A, B, C, new Float32Array(Math.max(1, k.gemmWholeASize(M, K) / 4))], 2, ws, ([pa, pb, pc, pp], w) => {
        k.gemmPackWholeA(tA, M, K, pa!, lda, pp!);
        for (const [s, e] of ranges(N)) k.gemmWholeA(tB, M, e - s, K, 0.75, pp!, pb! + 4 * (tB ? s * ldb : s), ldb, 0.5, pc! + 4 * s, ldc, w);
      });
      sameBytes(byCols, ref, `op(A) whole, tA=${tA} tB=${tB}`);
      const byRows = run(two, [A, B, C, new Float32Array(Math.max(1, k.gemmWholeBSize(N, K) / 4))], 2, ws, ([pa, pb, pc, pp], w) => {
        k.gemmPackWholeB(tB, N, K, pb!, ldb, pp!);
        for (const [s, e] of ranges(M)) k.gemmWholeB(tA, e - s, N, K, 0.75, pa! + 4 * (tA ? s : s * lda), lda, pp!, 0.5, pc! + 4 * s * ldc, ldc, w);
      });
      sameBytes(byRows, ref, `op(B) whole, tA=${tA} tB=${tB}`);
    }
    assert.is(k.gemmWholeASize(3, 10), 0, 'M < 4: nothing to pack');
    assert.is(k.gemmWholeBSize(3, 10), 0, 'N < 4: nothing to pack');
    assert.is(single.k.gemmWholeASize(M, K), 0, 'a stub in the builds without threads');
  });

// U_* codes of assembly/elementwise.ts through src/wasm/opcodes.ts
for (const [name, op] of Object.entries(UnaryOp).filter(([, v]) => typeof v === 'number') as [string, number][])
  test(`unary ${name} and its backward over 100,003 elements: 2 and 3 threads = 1 thread`, () => {
    const n = 100_003;
    const x = randomArray(n, 8).map((v) => (op === UnaryOp.LOG || op === UnaryOp.SQRT ? Math.abs(v) + 0.1 : v));
    const y = new Float32Array(n), dy = randomArray(n, 9), dx = new Float32Array(n);
    const fwd = (b: Backend) => run(b, [x, y], 1, 0, ([px, py]) => b.k.unary(op, px!, py!, n, 1.5));
    const bwd = (b: Backend) => run(b, [x, x, dy, dx], 3, 0, ([px, py, pdy, pdx]) => b.k.unaryBackward(op, px!, py!, pdy!, pdx!, n, 1.5));
    for (const pass of [fwd, bwd]) {
      const ref = pass(single);
      sameBytes(pass(two), ref, `${pass === fwd ? 'forward' : 'backward'}, 2 threads`);
      sameBytes(pass(three), ref, `${pass === fwd ? 'forward' : 'backward'}, 3 threads`);
    }
  });

/** Runs `fn(pointers)` on b with the inputs copied in; the bytes of the outputs `outs` (indices into inputs), concatenated. */
function runMany(b: Backend, inputs: Float32Array[], outs: number[], fn: (p: number[]) => void): Uint8Array {
  const ptrs = inputs.map((a) => b.alloc(Math.max(1, a.length) * 4));
  inputs.forEach((a, i) => b.f32(ptrs[i]!, a.length).set(a));
  fn(ptrs);
  const parts = outs.map((o) => new Uint8Array(b.f32(ptrs[o]!, inputs[o]!.length).slice().buffer));
  for (const p of ptrs) b.free(p);
  const all = new Uint8Array(parts.reduce((n, q) => n + q.length, 0));
  parts.reduce((off, q) => (all.set(q, off), off + q.length), 0);
  return all;
}

function sameOnAll(what: string, pass: (b: Backend) => Uint8Array): void {
  const ref = pass(single);
  sameBytes(pass(two), ref, `${what}, 2 threads`);
  sameBytes(pass(three), ref, `${what}, 3 threads`);
}

// B, C, L: odd channel counts and lengths (SIMD tails), L = 1 ([B, C] input), one channel, C above the
// sample-major limit (2048: the channel-major loops)
const BNS: [number, number, number][] = [[5, 7, 33], [64, 32, 93], [3, 13, 1], [9, 1, 50], [2, 2100, 3], [7, 65, 17]];
for (const [B, C, L] of BNS)
  test(`batch norm [${B},${C},${L}] forward (training, eval) and backward: 2 and 3 threads = 1 thread`, () => {
    const n = B * C * L;
    const x = randomArray(n, 11), dy = randomArray(n, 12), gamma = randomArray(C, 13), beta = randomArray(C, 14);
    const rv = randomArray(C, 15).map((v) => Math.abs(v) + 0.5), rm = randomArray(C, 16);
    const out = new Float32Array(n), sm = new Float32Array(C), si = new Float32Array(C), dx = new Float32Array(n);
    const dg = new Float32Array(C), db = new Float32Array(C);
    for (const training of [1, 0]) {
      sameOnAll(`forward training=${training}`, (b) =>
        runMany(b, [x, out, gamma, beta, rm, rv, sm, si], [1, 4, 5, 6, 7], ([px, po, pg, pb, pm, pv, psm, psi]) =>
          b.k.batchNormForward(px!, po!, pg!, pb!, pm!, pv!, psm!, psi!, B, C, L, 1e-5, 0.1, training)));
      // no affine parameters, no running statistics (training only: eval needs them)
      if (training)
        sameOnAll('forward, no gamma / beta / running stats', (b) =>
          runMany(b, [x, out, sm, si], [1, 2, 3], ([px, po, psm, psi]) =>
            b.k.batchNormForward(px!, po!, 0, 0, 0, 0, psm!, psi!, B, C, L, 1e-5, 0.1, 1)));
      const mean = randomArray(C, 17), invstd = randomArray(C, 18).map((v) => Math.abs(v) + 0.5);
      sameOnAll(`backward training=${training}`, (b) =>
        runMany(b, [x, dy, dx, gamma, mean, invstd, dg, db], [2, 6, 7], ([px, pdy, pdx, pg, pm, pi, pdg, pdb]) =>
          b.k.batchNormBackward(px!, pdy!, pdx!, pg!, pm!, pi!, pdg!, pdb!, B, C, L, training)));
      sameOnAll(`backward training=${training}, no dx`, (b) =>
        runMany(b, [x, dy, gamma, mean, invstd, dg, db], [5, 6], ([px, pdy, pg, pm, pi, pdg, pdb]) =>
          b.k.batchNormBackward(px!, pdy!, 0, pg!, pm!, pi!, pdg!, pdb!, B, C, L, training)));
    }
  });

// rows, L, kernel, stride, padding: the SIMD path (k2 s2 p0, even and odd L), windows with padding and overlap
const POOLS: [number, number, number, number, number][] = [[37, 93, 2, 2, 0], [64 * 32, 187, 2, 2, 0], [11, 50, 3, 2, 1], [5, 9, 4, 1, 2]];
for (const [rows, L, kernel, stride, padding] of POOLS)
  test(`max pool ${rows} rows of ${L}, k${kernel} s${stride} p${padding}, forward and backward: 2 and 3 threads = 1 thread`, () => {
    const Lout = Math.floor((L + 2 * padding - kernel) / stride) + 1;
    const x = randomArray(rows * L, 19), out = new Float32Array(rows * Lout), idx = new Float32Array(rows * Lout);
    const dy = randomArray(rows * Lout, 20), dx = new Float32Array(rows * L);
    sameOnAll('forward', (b) => runMany(b, [x, out, idx], [1, 2], ([px, po, pi]) => b.k.maxPool1d(px!, po!, pi!, rows, L, Lout, kernel, stride, padding)));
    // the backward's indices: the single thread's forward
    const ix = runMany(single, [x, out, idx], [2], ([px, po, pi]) => single.k.maxPool1d(px!, po!, pi!, rows, L, Lout, kernel, stride, padding));
    const idxs = new Float32Array(ix.buffer);
    sameOnAll('backward', (b) => runMany(b, [dy, idxs, dx], [2], ([pdy, pi, pdx]) => b.k.maxPool1dBackward(pdy!, pi!, pdx!, rows, L, Lout, kernel, stride, padding)));
  });

for (const [rows, L, Lout] of [[37, 93, 1], [2048, 46, 7], [13, 5, 5]] as const)
  test(`adaptive average pool ${rows} rows of ${L} -> ${Lout}, forward and backward: 2 and 3 threads = 1 thread`, () => {
    const x = randomArray(rows * L, 21), out = new Float32Array(rows * Lout), dy = randomArray(rows * Lout, 22), dx = new Float32Array(rows * L);
    sameOnAll('forward', (b) => runMany(b, [x, out], [1], ([px, po]) => b.k.adaptiveAvgPool1d(px!, po!, rows, L, Lout)));
    sameOnAll('backward', (b) => runMany(b, [dy, dx], [1], ([pdy, pdx]) => b.k.adaptiveAvgPool1dBackward(pdy!, pdx!, rows, L, Lout)));
  });

interface ChildResult {
  info?: { threads: number; threadsReason?: string; build: string };
  error?: string;
  [k: string]: unknown;
}

function child(mode: string, threads: number, timeout = 120_000): ChildResult & { status: number | null } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'kernels', 'threads-child.ts'), mode, String(threads)], {
    cwd: projectRoot, encoding: 'utf8', timeout, env: { ...process.env, ECGRAD_THREADS: '' },
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('THREADS_RESULT '));
  if (!line) throw new Error(`child (${mode}) failed (status ${r.status}, signal ${r.signal}): ${r.stderr.slice(0, 3000)}`);
  return { ...(JSON.parse(line.slice('THREADS_RESULT '.length)) as ChildResult), status: r.status };
}

test('training steps (StdCNN, DSCNN) write the same model file bytes with 1 and 2 kernel threads', () => {
  const one = child('train', 1), twoT = child('train', 2);
  assert.is(one.error, undefined, one.error);
  assert.is(twoT.error, undefined, twoT.error);
  assert.is(one.info!.threads, 1);
  assert.is(twoT.info!.threads, 2, twoT.info!.threadsReason);
  assert.is(typeof one.std, 'string');
  assert.is(twoT.std, one.std);
  assert.is(twoT.ds, one.ds);
});

test('an idle pool does not keep Node alive: the process ends by itself after a split GEMM', () => {
  const r = child('exit', 2, 60_000);
  assert.is(r.error, undefined, r.error);
  assert.is(r.status, 0);
  assert.is(r.info!.threads, 2, r.info!.threadsReason);
  assert.ok(Number.isFinite(r.sum as number));
});

for (const [how, expect] of [['exit', /kernel thread 1 .*did not finish|ended/], ['hang', /did not finish within/], ['terminate', /ended between calls/]] as const)
  test(`a kernel thread that ${how === 'exit' ? 'exits during a call' : how === 'hang' ? 'never finishes its chunk' : 'was terminated between calls'} does not hang the caller`, () => {
    const r = child(`die-${how}`, 2, 60_000);
    assert.is(r.error, undefined, r.error);
    assert.is(r.status, 0, 'the child exits by itself');
    if (how === 'terminate') {
      // nothing was lost: the call ran on the calling thread, and so does every later one
      assert.is(r.threw, undefined);
      assert.match(String(r.failure), expect);
    } else {
      assert.is(r.threw, 'KernelThreadError');
      assert.match(String(r.kernel), /^gemm/);
      assert.match(String(r.message), expect);
      assert.match(String(r.message), /every later call runs on one thread/);
      // bounded: the limit the message states (1 s floor + 20 x the calling thread's longest chunk), plus slack
      const limit = Number(/within (\d+) ms/.exec(String(r.message))?.[1]);
      assert.ok(limit >= 1000 && (r.ms as number) < limit + 5000, `threw after ${r.ms} ms (limit ${limit} ms)`);
    }
    assert.is(r.sizeAfter, 1);
    assert.is(r.laterSame, true, 'later calls run on one thread and give the single thread\'s bytes');
  });

// A suspended process (SIGSTOP, a laptop's sleep) stops the waiting thread and the workers alike: on resume the
// wait that spanned the stop must not be charged to the workers (the 1.5 s stops exceed the child's wait limit,
// 400 ms floor + 20 x its short chunk, so charging the whole stop would throw KernelThreadError).
if (process.platform !== 'win32')
  test('a process stopped (SIGSTOP) and continued mid-call goes on: the stop is not charged to the kernel threads', async () => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'kernels', 'threads-child.ts'), 'suspend', '2'], {
      cwd: projectRoot, env: { ...process.env, ECGRAD_THREADS: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const ended = new Promise<number | null>((r) => p.on('close', r));
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let t = 0; !out.includes('SUSPEND_READY') && p.exitCode === null && t < 600; t++) await sleep(100);
    assert.ok(out.includes('SUSPEND_READY'), `the child did not start: ${err.slice(0, 2000)}`);
    for (let i = 0; i < 3 && p.exitCode === null; i++) {
      await sleep(300);
      p.kill('SIGSTOP');
      await sleep(1500);
      p.kill('SIGCONT');
    }
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    const status = await ended;
    clearTimeout(timer);
    const line = out.split('\n').find((l) => l.startsWith('THREADS_RESULT '));
    assert.ok(line, `no result (status ${status}): ${err.slice(0, 2000)}`);
    const r = JSON.parse(line!.slice('THREADS_RESULT '.length)) as ChildResult;
    assert.is(r.error, undefined, r.error);
    assert.is(r.threw, undefined, String(r.message));
    assert.is(r.gaps, 3, 'the child saw the three stops');
    assert.is(r.poolSize, 2, 'the pool still runs both threads');
    assert.is(r.value, 128 * 0.5 * 0.25);
    assert.is(status, 0);
  });

test('without SharedArrayBuffer one thread runs and backendInfo says why', () => {
  const r = child('nosab', 2);
  assert.is(r.error, undefined, r.error);
  assert.is(r.info!.threads, 1);
  assert.match(r.info!.threadsReason ?? '', /SharedArrayBuffer is not available/);
});

test("the lean root (no ecgrad/node: no thread factory) runs one thread and says how to get more", () => {
  const r = child('lean', 2);
  assert.is(r.error, undefined, r.error);
  assert.is(r.info!.threads, 1);
  assert.match(r.info!.threadsReason ?? '', /import 'ecgrad\/node'/);
});

test('threadsUnavailable names the missing piece', () => {
  assert.is(threadsUnavailable(), null);
  const g = globalThis as { SharedArrayBuffer?: unknown };
  const saved = g.SharedArrayBuffer;
  delete g.SharedArrayBuffer;
  try {
    assert.match(threadsUnavailable() ?? '', /SharedArrayBuffer/);
  } finally {
    g.SharedArrayBuffer = saved;
  }
});

test.after(() => {
  two.pool?.close();
  three.pool?.close();
});

test.run();
