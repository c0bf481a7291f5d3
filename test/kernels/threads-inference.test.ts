// The inference kernels on the kernel thread pool (src/wasm/threaded.ts): conv1dForwardCached (the weight
// cache refreshed by the calling thread, the samples split) and fusedConv1d (samples split in whole chunks,
// each part with its own pooling buffer) give the single-thread SIMD build's bytes with 2 and 3 threads, on
// every convolution path (cached Winograd, im2col, pointwise, grouped, depthwise, strided) and Winograd
// mode, with every pooling epilogue, chunk sizes that do and do not divide the batch, and weights changed
// in place between calls (the cache follows them, also when the call is split).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/node/kernel-threads.ts';
import { instantiateSync, type Backend } from '../../src/wasm/backend.ts';
import { instantiateThreaded } from '../../src/wasm/threaded-backend.ts';
import { Rng } from '../../src/core/random.ts';

const single = instantiateSync('simd');
const two = instantiateThreaded('simd', 2, true);
const three = instantiateThreaded('simd', 3, true);
const backends = [single, two, three];

function randomArray(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.normal());
}

function sameBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  assert.is(a.length, b.length, what);
  const i = a.findIndex((v, j) => v !== b[j]);
  if (i >= 0) assert.unreachable(`${what}: float ${i >> 2} differs`);
}

/** A zero-filled block of `bytes` on b (caches must start zeroed). */
function zeroed(b: Backend, bytes: number): number {
  const p = b.alloc(Math.max(4, bytes));
  b.f32(p, Math.max(1, bytes >> 2)).fill(0);
  return p;
}

// B, Cin, L, Cout, K, stride, pad, dil, groups (as threads.test.ts): cached Winograd k5 and k3, im2col
// shapes, pointwise, depthwise, grouped with stride, Cin = 1, a batch of 1
const CONVS: [number, number, number, number, number, number, number, number, number][] = [
  [16, 32, 93, 64, 5, 1, 2, 1, 1], [11, 64, 46, 32, 3, 1, 1, 1, 1], [6, 8, 50, 12, 3, 2, 1, 1, 1], [5, 8, 40, 12, 3, 1, 2, 2, 2],
  [7, 16, 30, 24, 1, 1, 0, 1, 1], [9, 16, 60, 16, 5, 1, 2, 1, 16], [10, 1, 187, 32, 5, 1, 2, 1, 1], [1, 32, 93, 64, 5, 1, 2, 1, 1],
];

/**
 * Runs conv1dForwardCached twice on b: with w, then with w2 written over w in place (the cache must follow).
 * Returns both outputs' bytes.
 */
function cachedTwice(b: Backend, c: (typeof CONVS)[number], x: Float32Array, w: Float32Array, w2: Float32Array, bias: Float32Array): Uint8Array[] {
  const [B, Cin, L, Cout, K, s, pad, dil, groups] = c;
  const Lout = Math.floor((L + 2 * pad - dil * (K - 1) - 1) / s) + 1;
  const px = b.alloc(x.length * 4), pw = b.alloc(w.length * 4), pb = b.alloc(bias.length * 4), py = b.alloc(B * Cout * Lout * 4);
  b.f32(px, x.length).set(x);
  b.f32(pw, w.length).set(w);
  b.f32(pb, bias.length).set(bias);
  const scratch = b.alloc(Math.max(4, b.k.conv1dScratchSize(B, Cin, L, Cout, K, s, pad, dil, groups, Lout)));
  const cache = zeroed(b, b.k.conv1dWeightCacheSize(Cin, Cout, K, s, dil, groups));
  const out: Uint8Array[] = [];
  for (const weights of [w, w2]) {
    b.f32(pw, w.length).set(weights);
    b.k.conv1dForwardCached(px, pw, pb, py, B, Cin, L, Cout, K, s, pad, dil, groups, Lout, scratch, cache);
    out.push(new Uint8Array(b.f32(py, B * Cout * Lout).slice().buffer));
  }
  for (const p of [px, pw, pb, py, scratch, cache]) b.free(p);
  return out;
}

for (const wmode of [1, 0, 2])
  for (const c of CONVS) {
    const [B, Cin, L, Cout, K, s, pad, dil, groups] = c;
    test(`conv1dForwardCached [${B},${Cin},${L}] -> ${Cout} k${K} s${s} p${pad} d${dil} g${groups}, Winograd mode ${wmode}: 2 and 3 threads = 1 thread, weights changed in place`, () => {
      const x = randomArray(B * Cin * L, 1), w = randomArray((Cout * Cin * K) / groups, 2), w2 = randomArray(w.length, 3);
      const bias = randomArray(Cout, 4);
      for (const b of backends) b.k.conv1dSetWinograd(wmode);
      try {
        const ref = cachedTwice(single, c, x, w, w2, bias);
        for (const [b, name] of [[two, '2 threads'], [three, '3 threads']] as const) {
          const got = cachedTwice(b, c, x, w, w2, bias);
          sameBytes(got[0]!, ref[0]!, `${name}, first weights`);
          sameBytes(got[1]!, ref[1]!, `${name}, weights changed in place`);
        }
      } finally {
        for (const b of backends) b.k.conv1dSetWinograd(1);
      }
    });
  }

test('the split cached forward equals the uncached Winograd forward (the cache holds the same transform)', () => {
  const [B, Cin, L, Cout, K] = [12, 64, 46, 32, 3];
  const x = randomArray(B * Cin * L, 5), w = randomArray(Cout * Cin * K, 6), bias = randomArray(Cout, 7);
  const [cached] = cachedTwice(two, [B, Cin, L, Cout, K, 1, 1, 1, 1], x, w, w, bias);
  const b = single;
  b.k.conv1dSetWinograd(2);
  try {
    const px = b.alloc(x.length * 4), pw = b.alloc(w.length * 4), pb = b.alloc(Cout * 4), py = b.alloc(B * Cout * L * 4);
    b.f32(px, x.length).set(x);
    b.f32(pw, w.length).set(w);
    b.f32(pb, Cout).set(bias);
    const scratch = b.alloc(b.k.conv1dScratchSize(B, Cin, L, Cout, K, 1, 1, 1, 1, L));
    b.k.conv1dForward(px, pw, pb, py, B, Cin, L, Cout, K, 1, 1, 1, 1, L, scratch);
    sameBytes(new Uint8Array(b.f32(py, B * Cout * L).slice().buffer), cached!, 'uncached Winograd, one thread');
    for (const p of [px, pw, pb, py, scratch]) b.free(p);
  } finally {
    b.k.conv1dSetWinograd(1);
  }
});

// pool kind 0: activation only; 1: max pool (k, s, p); 2: adaptive average pool to Lp
const POOLS: { kind: number; pk: number; ps: number; pp: number; lp: (Lo: number) => number }[] = [
  { kind: 0, pk: 0, ps: 0, pp: 0, lp: (Lo) => Lo },
  { kind: 1, pk: 2, ps: 2, pp: 0, lp: (Lo) => Math.floor((Lo - 2) / 2) + 1 },
  { kind: 1, pk: 3, ps: 2, pp: 1, lp: (Lo) => Math.floor((Lo + 2 - 3) / 2) + 1 },
  { kind: 2, pk: 0, ps: 0, pp: 0, lp: () => 1 },
  { kind: 2, pk: 0, ps: 0, pp: 0, lp: () => 8 },
];

function fused(b: Backend, c: (typeof CONVS)[number], p: (typeof POOLS)[number], act: number, chunk: number, x: Float32Array, w: Float32Array, bias: Float32Array, useCache: boolean): Uint8Array {
  const [B, Cin, L, Cout, K, s, pad, dil, groups] = c;
  const Lout = Math.floor((L + 2 * pad - dil * (K - 1) - 1) / s) + 1, Lp = p.lp(Lout);
  const step = chunk > 0 && chunk < B ? chunk : B;
  const outLen = B * Cout * (p.kind ? Lp : Lout);
  const px = b.alloc(x.length * 4), pw = b.alloc(w.length * 4), pb = b.alloc(Cout * 4), py = b.alloc(outLen * 4);
  b.f32(px, x.length).set(x);
  b.f32(pw, w.length).set(w);
  b.f32(pb, Cout).set(bias);
  const scratch = b.alloc(Math.max(4, b.k.conv1dScratchSize(step, Cin, L, Cout, K, s, pad, dil, groups, Lout)));
  const tmp = b.alloc(Math.max(4, step * Cout * (Lout + Lp) * 4));
  const cacheBytes = b.k.conv1dWeightCacheSize(Cin, Cout, K, s, dil, groups);
  const cache = useCache && cacheBytes > 0 ? zeroed(b, cacheBytes) : 0;
  b.k.fusedConv1d(px, pw, pb, py, B, Cin, L, Cout, K, s, pad, dil, groups, Lout, scratch, cache, act, p.kind, p.pk, p.ps, p.pp, Lp, tmp, chunk);
  const out = new Uint8Array(b.f32(py, outLen).slice().buffer);
  for (const q of [px, pw, pb, py, scratch, tmp]) b.free(q);
  if (cache) b.free(cache);
  return out;
}

for (const c of CONVS.filter(([B]) => B > 1))
  for (const [pi, p] of POOLS.entries())
    test(`fusedConv1d [${c[0]},${c[1]},${c[2]}] -> ${c[3]} k${c[4]} s${c[5]} g${c[8]}, pool ${p.kind}${p.kind === 1 ? ` k${p.pk} s${p.ps} p${p.pp}` : ''} (#${pi}): 2 and 3 threads = 1 thread, chunks 3, 4 and all, cached and not`, () => {
      const [B, Cin, L, Cout, K, , , , groups] = c;
      const x = randomArray(B * Cin * L, 8), w = randomArray((Cout * Cin * K) / groups, 9), bias = randomArray(Cout, 10);
      for (const chunk of [3, 4, 0])
        for (const useCache of [true, false])
          for (const act of [1, 0]) {
            const ref = fused(single, c, p, act, chunk, x, w, bias, useCache);
            sameBytes(fused(two, c, p, act, chunk, x, w, bias, useCache), ref, `2 threads, chunk ${chunk}, cache ${useCache}, act ${act}`);
            sameBytes(fused(three, c, p, act, chunk, x, w, bias, useCache), ref, `3 threads, chunk ${chunk}, cache ${useCache}, act ${act}`);
          }
    });

test.after(() => {
  two.pool?.close();
  three.pool?.close();
});

test.run();
