// Dropout: the counter-based mask kernel (assembly/dropout.ts) on both builds (identical masks, scaling,
// drop rate), reproducibility from the seed, backward through the same mask, gradCheck with a fixed
// key, eval/p = 0 identity and p validation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend as kb, BUILDS, putF32, getF32, randomArray } from '../helpers/wasm.ts';
import { gradCheck, uniform } from '../helpers/gradcheck.ts';
import { initSync, Dropout, dropout, fromArray, ones, grad } from '../../src/all.ts';

initSync();

function kernel(build: 'simd' | 'scalar', x: ArrayLike<number>, key: number, p: number): number[] {
  const b = kb(build);
  const px = putF32(b, x), po = b.alloc(Math.max(4, x.length * 4));
  b.k.dropout(px, po, x.length, key | 0, Math.round(p * 16777216), 1 / (1 - p));
  const r = getF32(b, po, x.length);
  b.free(px);
  b.free(po);
  return r;
}

test('kernel: both builds give the same mask; kept values are x/(1-p); drop rate ≈ p', () => {
  for (const n of [1, 3, 4, 7, 33, 1001]) {
    const x = randomArray(n, n, 0.5, 2);
    for (const p of [0.1, 0.5, 0.9]) {
      const a = kernel('simd', x, 12345 + n, p), c = kernel('scalar', x, 12345 + n, p);
      assert.equal(a, c, `SIMD != scalar n=${n} p=${p}`);
      a.forEach((v, i) => assert.ok(v === 0 || v === Math.fround(x[i]! * Math.fround(1 / (1 - p))), `value ${i}`));
    }
  }
  const n = 200000;
  const x = new Float32Array(n).fill(1);
  for (const p of [0.1, 0.5, 0.8]) {
    const kept = kernel('simd', x, 99, p).filter((v) => v !== 0).length;
    const sd = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(kept - n * (1 - p)) < 5 * sd, `p=${p}: kept ${kept} of ${n}`);
  }
  // different keys give (nearly) independent masks
  const m1 = kernel('simd', x.subarray(0, 4000), 1, 0.5), m2 = kernel('simd', x.subarray(0, 4000), 2, 0.5);
  const same = m1.filter((v, i) => (v === 0) === (m2[i] === 0)).length;
  assert.ok(Math.abs(same - 2000) < 5 * Math.sqrt(1000), `key overlap ${same}`);
});

test('Dropout layer: seeded, advanced per call, reproducible; eval and p = 0 are identity', () => {
  const x = ones([64, 64]);
  const a = new Dropout(0.3, { seed: 7 }), b = new Dropout(0.3, { seed: 7 });
  const a1 = a.forward(x).data(), a2 = a.forward(x).data();
  assert.equal(b.forward(x).data(), a1, 'same seed, first call');
  assert.equal(b.forward(x).data(), a2, 'same seed, second call');
  assert.not.equal(Array.from(a1), Array.from(a2), 'the generator advances per call');
  assert.not.equal(Array.from(new Dropout(0.3, { seed: 8 }).forward(x).data()), Array.from(a1), 'another seed');
  const kept = a1.filter((v) => v !== 0);
  assert.ok(kept.every((v) => v === Math.fround(1 / 0.7)));
  a.eval();
  assert.is(a.forward(x), x);
  assert.is(new Dropout(0).forward(x), x);
  assert.is(dropout(x, 0.5, { training: false }), x);
});

test('backward uses the forward mask', () => {
  const x = fromArray(randomArray(1000, 3, 0.5, 1.5), [10, 100]);
  const w = fromArray(randomArray(1000, 4), [10, 100]);
  let y: Float32Array | null = null;
  const [g] = grad((t) => {
    const out = dropout(t!, 0.4, { key: 77 });
    y = out.data();
    return out.mul(w).sum();
  }, [x]);
  const gd = g!.data(), wd = w.data(), scale = Math.fround(1 / 0.6);
  for (let i = 0; i < 1000; i++) assert.is(gd[i], y![i] === 0 ? 0 : Math.fround(wd[i]! * scale), `element ${i}`);
});

test('gradCheck: dropout with a fixed mask key', () => {
  gradCheck('dropout', (x) => dropout(x!, 0.3, { key: 5 }), [{ data: uniform(2 * 3 * 7, 1, -2, 2), shape: [2, 3, 7] }]);
});

test('p is validated', () => {
  for (const p of [1, -0.1, 1.5, NaN]) {
    assert.throws(() => new Dropout(p), /Dropout: p must be in \[0, 1\)/);
    assert.throws(() => dropout(ones([2]), p), /dropout: p must be in \[0, 1\)/);
  }
});

test.run();
