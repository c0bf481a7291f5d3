// The LSTM and GRU sequence kernels split over the kernel thread pool (src/wasm/threaded-rnn.ts): the threads
// build split over 2 and 3 threads (every call split: splitAll) gives the single-thread SIMD build's bytes for
// lstmSeqForward / lstmSeqBackward / gruSeqForward / gruSeqBackward in both directions, on batches of 1 and 13
// (Bp 8, 16: one 16-column unit, never split), 17 (Bp 24: a unit and a half), 37 (3 units: not divisible
// by 2) and 80 (5 units: neither by 2 nor 3),
// odd hidden sizes (the backward's last strip of fewer than 4 units), T = 1, with and without a sequence
// gradient; and LSTM / GRU layers (2 layers, bidirectional) through initSync with 1, 2 and 3 threads (the real
// thresholds) give the same output, final states and gradients (child processes: threads-rnn-child.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import '../../src/node/kernel-threads.ts';
import { instantiateSync, type Backend } from '../../src/wasm/backend.ts';
import { instantiateThreaded } from '../../src/wasm/threaded-backend.ts';
import { columnRanges } from '../../src/wasm/threaded-rnn.ts';
import type { KernelPool } from '../../src/wasm/kernel-pool.ts';
import { Rng } from '../../src/core/random.ts';
import { projectRoot } from '../ecg/helpers.ts';

const single = instantiateSync('simd');
const two = instantiateThreaded('simd', 2, true);
const three = instantiateThreaded('simd', 3, true);
const backends = [single, two, three];

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => scale * r.normal());
}

/** Runs `fn(pointers)` on b with the inputs copied in; the outputs `outs` (indices into inputs), as arrays. */
function runOn(b: Backend, inputs: Float32Array[], outs: number[], fn: (p: number[]) => void): Float32Array[] {
  const ptrs = inputs.map((a) => b.alloc(Math.max(1, a.length) * 4));
  inputs.forEach((a, i) => b.f32(ptrs[i]!, a.length).set(a));
  fn(ptrs);
  const res = outs.map((o) => b.f32(ptrs[o]!, inputs[o]!.length).slice());
  for (const p of ptrs) b.free(p);
  return res;
}

/** The same bytes for every output, and one thread's outputs cover every column (no output left unwritten). */
function sameOnAll(what: string, names: string[], pass: (b: Backend) => Float32Array[]): Float32Array[] {
  const ref = pass(single);
  for (const [b, label] of [[two, '2 threads'], [three, '3 threads']] as const) {
    const got = pass(b);
    got.forEach((g, o) => {
      const x = new Uint32Array(g.buffer), y = new Uint32Array(ref[o]!.buffer);
      const i = x.findIndex((v, j) => v !== y[j]);
      if (i >= 0) assert.unreachable(`${what}, ${label}: ${names[o]} float ${i} differs (${g[i]} vs ${ref[o]![i]})`);
    });
  }
  return ref;
}

test('columnRanges: 16-column units covering [0, Bp) (the last may be 8), one range below the threshold or on one thread', () => {
  const pool = (size: number) => ({ size, maxChunks: 64 }) as unknown as KernelPool;
  for (const [Bp, size] of [[8, 2], [16, 2], [24, 2], [40, 3], [64, 2], [512, 8]] as const) {
    const r = columnRanges(pool(size), Bp, 1e9, 0);
    assert.is(r.length, Math.min(2 * size, Math.ceil(Bp / 16)), `Bp ${Bp}, ${size} threads`);
    assert.is(r[0]![0], 0);
    assert.is(r.at(-1)![1], Bp);
    r.forEach(([lo, hi], i) => {
      assert.ok(hi > lo && lo % 16 === 0 && (hi % 16 === 0 || hi === Bp), `[${lo}, ${hi})`);
      if (i > 0) assert.is(lo, r[i - 1]![1]);
    });
  }
  assert.equal(columnRanges(pool(2), 64, 99, 100), [[0, 64]]);
  assert.equal(columnRanges(pool(1), 64, 1e9, 0), [[0, 64]]);
});

test('the pools started their workers', () => {
  assert.is(two.pool?.size, 2);
  assert.is(three.pool?.size, 3);
});

// H, T, B, I
const SHAPES: [number, number, number, number][] = [[5, 7, 1, 3], [13, 9, 13, 1], [16, 6, 17, 16], [7, 1, 37, 4], [32, 5, 37, 2], [9, 4, 80, 3]];
for (const [H, T, B, I] of SHAPES)
  for (const rev of [0, 1])
    test(`LSTM H=${H} T=${T} batch ${B} I=${I}${rev ? ' reverse' : ''}: forward and backward, 2 and 3 threads = 1 thread`, () => {
      const Bp = Math.ceil(B / 8) * 8, G = 4 * H, seq = T * Bp;
      const x = randomArray(I * seq, 1), wih = randomArray(G * I, 2, 0.4), whh = randomArray(G * H, 3, 0.3);
      const bias = randomArray(4 * H, 4, 0.2), h0 = randomArray(H * Bp, 5, 0.5), c0 = randomArray(H * Bp, 6, 0.5);
      const pk = new Float32Array(single.k.rnnScratchSize(H, I, Bp, 4)), tile = new Float32Array(32);
      const outs = () => [new Float32Array(G * seq), new Float32Array(H * seq), new Float32Array(H * seq), new Float32Array(H * Bp), new Float32Array(H * Bp)];
      const [gates, , cs] = sameOnAll('forward', ['gates', 'ys', 'cs', 'hn', 'cn'], (b) =>
        runOn(b, [x, wih, whh, bias, h0, c0, ...outs(), pk, tile], [6, 7, 8, 9, 10], (p) =>
          b.k.lstmSeqForward(H, T, Bp, I, rev, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!, p[11]!, p[12]!)));
      const dhn = randomArray(H * Bp, 7), dcn = randomArray(H * Bp, 8);
      for (const withDy of [true, false]) {
        const dy = withDy ? randomArray(H * seq, 9) : new Float32Array(0);
        const bouts = () => [new Float32Array(G * seq), new Float32Array(H * Bp), new Float32Array(H * Bp)];
        sameOnAll(`backward${withDy ? '' : ' without dy'}`, ['da', 'dh0', 'dc0'], (b) =>
          runOn(b, [gates!, cs!, c0, whh, dy, dhn, dcn, ...bouts(), pk, tile], [7, 8, 9], (p) =>
            b.k.lstmSeqBackward(H, T, Bp, I, rev, p[0]!, p[1]!, p[2]!, p[3]!, withDy ? p[4]! : 0, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!, p[11]!)));
      }
    });

for (const [H, T, B, I] of SHAPES)
  for (const rev of [0, 1])
    test(`GRU H=${H} T=${T} batch ${B} I=${I}${rev ? ' reverse' : ''}: forward and backward, 2 and 3 threads = 1 thread`, () => {
      const Bp = Math.ceil(B / 8) * 8, G = 3 * H, seq = T * Bp;
      const x = randomArray(I * seq, 11), wih = randomArray(G * I, 12, 0.4), whh = randomArray(G * H, 13, 0.3);
      const bias = randomArray(4 * H, 14, 0.2), h0 = randomArray(H * Bp, 15, 0.5);
      const pk = new Float32Array(single.k.rnnScratchSize(H, I, Bp, 3)), tile = new Float32Array(32);
      const outs = () => [new Float32Array(G * seq), new Float32Array(H * seq), new Float32Array(H * seq), new Float32Array(H * Bp)];
      const [gates, ys, ms] = sameOnAll('forward', ['gates', 'ys', 'ms', 'hn'], (b) =>
        runOn(b, [x, wih, whh, bias, h0, ...outs(), pk, tile], [5, 6, 7, 8], (p) =>
          b.k.gruSeqForward(H, T, Bp, I, rev, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!)));
      const dhn = randomArray(H * Bp, 17);
      for (const withDy of [true, false]) {
        const dy = withDy ? randomArray(H * seq, 19) : new Float32Array(0);
        const bouts = () => [new Float32Array(G * seq), new Float32Array(G * seq), new Float32Array(H * Bp), new Float32Array(H * Bp)];
        sameOnAll(`backward${withDy ? '' : ' without dy'}`, ['dg', 'dhg', 'dd', 'dh0'], (b) =>
          runOn(b, [gates!, ys!, h0, ms!, whh, dy, dhn, ...bouts(), pk, tile], [7, 8, 9, 10], (p) =>
            b.k.gruSeqBackward(H, T, Bp, I, rev, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, withDy ? p[5]! : 0, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!, p[11]!, p[12]!)));
      }
    });

function child(threads: number): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'kernels', 'threads-rnn-child.ts'), String(threads)], {
    cwd: projectRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ECGRAD_THREADS: '' },
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RNN_RESULT '));
  if (!line) throw new Error(`child (${threads} threads) failed (status ${r.status}, signal ${r.signal}): ${r.stderr.slice(0, 3000)}`);
  const res = JSON.parse(line.slice('RNN_RESULT '.length)) as Record<string, unknown>;
  assert.is(res.error, undefined, String(res.error));
  assert.is((res.info as { threads: number }).threads, threads, String((res.info as { threadsReason?: string }).threadsReason));
  return res;
}

test('LSTM and GRU layers (2 layers, bidirectional; batch 1, 17, 37): the same outputs, states and gradients on 1, 2 and 3 threads', () => {
  const [one, twoT, threeT] = [1, 2, 3].map(child);
  const keys = Object.keys(one!).filter((k) => k !== 'info');
  assert.is(keys.length, 6);
  for (const k of keys) {
    assert.is(typeof one![k], 'string', k);
    assert.is(twoT![k], one![k], `${k}, 2 threads`);
    assert.is(threeT![k], one![k], `${k}, 3 threads`);
  }
});

test.after(() => {
  for (const b of backends) b.pool?.close();
});

test.run();
