// BatchNorm: the fused kernels (assembly/batchnorm.ts) on both builds against the float64 reference
// (test/reference/batchnorm.ts), SIMD == scalar bit for bit, an exact-tier finite-difference check of the
// reference backward, an end-to-end float32 gradCheck, running statistics vs PyTorch's formula and
// values, eval mode, and bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend as kb, BUILDS, putF32, getF32, randomArray, assertClose } from '../helpers/wasm.ts';
import type { Backend } from '../../src/wasm/backend.ts';
import { bnForwardRef, bnBackwardRef } from '../reference/batchnorm.ts';
import { numericGrad, gradError } from '../reference/elementwise.ts';
import { gradCheck, uniform } from '../helpers/gradcheck.ts';
import { initSync, BatchNorm1d, batchNorm, fromArray, tensor, grad } from '../../src/all.ts';

initSync();

/** [B, C, L]: L = 1 is the [B, C] case; odd L, L < 4, L not divisible by 4, batch 1, C = 1. */
const SHAPES: [number, number, number][] = [
  [1, 1, 2], [2, 1, 1], [3, 2, 5], [1, 3, 7], [4, 5, 1], [2, 4, 33], [5, 3, 187], [2, 2, 8], [3, 1, 12], [2, 3, 46],
];

interface KernelOut {
  out: number[]; mean: number[]; invstd: number[]; rm: number[]; rv: number[]; dx: number[]; dg: number[]; db: number[];
}

function runKernels(b: Backend, x: Float32Array, dy: Float32Array, B: number, C: number, L: number, gamma: Float32Array | null,
  beta: Float32Array | null, rm0: Float32Array, rv0: Float32Array, training: boolean, momentum: number, eps: number): KernelOut {
  const n = B * C * L;
  const px = putF32(b, x), pdy = putF32(b, dy), pout = b.alloc(n * 4), pdx = b.alloc(n * 4);
  const pg = gamma ? putF32(b, gamma) : 0, pb = beta ? putF32(b, beta) : 0;
  const prm = putF32(b, rm0), prv = putF32(b, rv0);
  const pm = b.alloc(C * 4), pis = b.alloc(C * 4), pdg = b.alloc(C * 4), pdb = b.alloc(C * 4);
  b.k.batchNormForward(px, pout, pg, pb, prm, prv, pm, pis, B, C, L, eps, momentum, training ? 1 : 0);
  b.k.batchNormBackward(px, pdy, pdx, pg, pm, pis, pdg, pdb, B, C, L, training ? 1 : 0);
  const r = {
    out: getF32(b, pout, n), mean: getF32(b, pm, C), invstd: getF32(b, pis, C), rm: getF32(b, prm, C), rv: getF32(b, prv, C),
    dx: getF32(b, pdx, n), dg: getF32(b, pdg, C), db: getF32(b, pdb, C),
  };
  for (const p of [px, pdy, pout, pdx, pg, pb, prm, prv, pm, pis, pdg, pdb]) if (p) b.free(p);
  return r;
}

test('kernels match the float64 reference on both builds (training and eval, affine or not)', () => {
  let seed = 1;
  for (const [B, C, L] of SHAPES)
    for (const training of [true, false])
      for (const affine of [true, false]) {
        if (training && B * L < 2) continue;
        const n = B * C * L;
        const x = randomArray(n, seed++, -2, 3), dy = randomArray(n, seed++);
        const gamma = affine ? randomArray(C, seed++, 0.5, 1.5) : null, beta = affine ? randomArray(C, seed++) : null;
        const rm0 = randomArray(C, seed++), rv0 = randomArray(C, seed++, 0.5, 2);
        const ref = bnForwardRef(x, B, C, L, gamma, beta, rm0, rv0, training, 0.1, 1e-5);
        const refB = bnBackwardRef(x, dy, B, C, L, gamma, ref.mean, ref.invstd, training);
        const results = BUILDS.map((build) => runKernels(kb(build), x, dy, B, C, L, gamma, beta, rm0, rv0, training, 0.1, 1e-5));
        const what = (k: string, build: string) => `${build} ${k} [${B},${C},${L}] training=${training} affine=${affine}`;
        BUILDS.forEach((build, i) => {
          const r = results[i]!;
          assertClose(r.out, ref.out, 2e-5, 2e-5, what('out', build));
          assertClose(r.mean, ref.mean, 1e-6, 1e-6, what('mean', build));
          assertClose(r.invstd, ref.invstd, 2e-6, 0, what('invstd', build));
          assertClose(r.rm, ref.runMean!, 1e-6, 1e-6, what('runMean', build));
          assertClose(r.rv, ref.runVar!, 1e-6, 1e-6, what('runVar', build));
          assertClose(r.dx, refB.dx, 1e-4, 1e-5, what('dx', build));
          assertClose(r.dg, refB.dgamma, 1e-5, 1e-5 * B * L, what('dgamma', build));
          assertClose(r.db, refB.dbeta, 1e-5, 1e-6 * B * L, what('dbeta', build));
        });
        for (const k of Object.keys(results[0]!) as (keyof KernelOut)[])
          assert.equal(results[1]![k], results[0]![k], `SIMD and scalar differ in ${k} [${B},${C},${L}]`);
      }
});

test('large channel (64·187 values): float32 statistics stay accurate with an offset mean', () => {
  const [B, C, L] = [64, 2, 187];
  const x = randomArray(B * C * L, 5, 99, 101); // mean 100, std 0.58: the centred pass matters
  const dy = randomArray(B * C * L, 6);
  const ref = bnForwardRef(x, B, C, L, null, null, new Float32Array(C), new Float32Array(C).fill(1), true, 0.1, 1e-5);
  const refB = bnBackwardRef(x, dy, B, C, L, null, ref.mean, ref.invstd, true);
  for (const build of BUILDS) {
    const r = runKernels(kb(build), x, dy, B, C, L, null, null, new Float32Array(C), new Float32Array(C).fill(1), true, 0.1, 1e-5);
    assertClose(r.invstd, ref.invstd, 1e-5, 0, `${build} invstd`);
    assertClose(r.out, ref.out, 1e-4, 2e-4, `${build} out`);
    assertClose(r.dx, refB.dx, 1e-3, 2e-4, `${build} dx`);
  }
});

test('reference backward = float64 finite differences of the reference forward (exact tier)', () => {
  for (const [B, C, L] of [[2, 2, 3], [3, 1, 1], [1, 2, 5]] as const)
    for (const training of [true, false]) {
      const n = B * C * L;
      const x = Array.from(uniform(n, 11 + n, -2, 2)), w = Array.from(uniform(n, 12 + n));
      const gamma = Array.from(uniform(C, 13, 0.5, 1.5)), beta = Array.from(uniform(C, 14));
      const rm = Array.from(uniform(C, 15)), rv = Array.from(uniform(C, 16, 0.5, 2));
      const loss = (xs: number[], g: number[], bt: number[]) =>
        bnForwardRef(xs, B, C, L, g, bt, rm, rv, training, 0.1, 1e-5).out.reduce((s, v, i) => s + v * w[i]!, 0);
      const f = bnForwardRef(x, B, C, L, gamma, beta, rm, rv, training, 0.1, 1e-5);
      const a = bnBackwardRef(x, w, B, C, L, gamma, f.mean, f.invstd, training);
      const what = `[${B},${C},${L}] training=${training}`;
      assert.ok(gradError(numericGrad((v) => loss(v, gamma, beta), x), a.dx) < 1e-6, `dx ${what}`);
      assert.ok(gradError(numericGrad((v) => loss(x, v, beta), gamma), a.dgamma) < 1e-6, `dgamma ${what}`);
      assert.ok(gradError(numericGrad((v) => loss(x, gamma, v), beta), a.dbeta) < 1e-6, `dbeta ${what}`);
    }
});

test('gradCheck: batchNorm in training mode w.r.t. input, weight and bias', () => {
  for (const [B, C, L] of [[3, 2, 5], [4, 3, 1]] as const) {
    const x = uniform(B * C * L, 21 + L, -3, 3);
    gradCheck(`batchNorm [${B},${C},${L}]`, (xt, w, b) => batchNorm(xt!, { weight: w!, bias: b!, training: true }), [
      { data: x, shape: L === 1 ? [B, C] : [B, C, L] },
      { data: uniform(C, 22, 0.5, 1.5), shape: [C] },
      { data: uniform(C, 23), shape: [C] },
    ], { rtol: 2e-2, atol: 5e-3 });
  }
  // eval mode: an affine map per channel
  const rm = fromArray([0.5, -1], [2]), rv = fromArray([2, 0.5], [2]);
  gradCheck('batchNorm eval', (xt, w, b) => batchNorm(xt!, { weight: w!, bias: b!, training: false, runningMean: rm, runningVar: rv }), [
    { data: uniform(12, 31, -2, 2), shape: [2, 2, 3] },
    { data: uniform(2, 32, 0.5, 1.5), shape: [2] },
    { data: uniform(2, 33), shape: [2] },
  ]);
});

test('BatchNorm1d: running statistics follow PyTorch, eval mode uses them', () => {
  const bn = new BatchNorm1d(3);
  assert.equal(bn.namedParameters().map(([n]) => n), ['weight', 'bias']);
  assert.equal(bn.namedBuffers().map(([n]) => n), ['runningMean', 'runningVar', 'numBatchesTracked']);
  let rm = [0, 0, 0], rv = [1, 1, 1];
  const batches: Float32Array[] = [];
  for (let step = 0; step < 3; step++) {
    const x = randomArray(4 * 3 * 5, 40 + step, -1 + step, 2 + 2 * step);
    batches.push(x);
    bn.forward(fromArray(x, [4, 3, 5]));
    const ref = bnForwardRef(x, 4, 3, 5, null, null, rm, rv, true, 0.1, 1e-5);
    rm = ref.runMean!;
    rv = ref.runVar!;
  }
  assertClose(bn.runningMean!.data(), rm, 1e-6, 1e-6, 'runningMean');
  assertClose(bn.runningVar!.data(), rv, 1e-6, 1e-6, 'runningVar');
  assert.is(bn.numBatchesTracked!.item(), 3);
  bn.eval();
  const before = bn.runningMean!.data();
  const x = randomArray(2 * 3 * 4, 50);
  const y = bn.forward(fromArray(x, [2, 3, 4])).data();
  assertClose(y, bnForwardRef(x, 2, 3, 4, null, null, rm, rv, false, 0.1, 1e-5).out, 2e-5, 2e-5, 'eval output');
  assert.equal(bn.runningMean!.data(), before, 'eval leaves runningMean alone');
});

test('BatchNorm1d matches PyTorch on fixed values (training output, running stats, gradients)', () => {
  // Computed once with PyTorch 1.13:
  //   import torch; bn = torch.nn.BatchNorm1d(2); x = torch.tensor(X, requires_grad=True)
  //   y = bn(x); (y * torch.arange(12.).reshape(2,2,3)).sum().backward()
  //   print(y, bn.running_mean, bn.running_var, x.grad, bn.weight.grad, bn.bias.grad)
  const X = [[[1, 2, 4], [0, -1, 3]], [[-2, 0.5, 3], [2, 2, -4]]];
  const bn = new BatchNorm1d(2);
  const x = tensor(X);
  const w = fromArray(Array.from({ length: 12 }, (_, i) => i), [2, 2, 3]);
  const [gx, gw, gb] = grad((xt, wt, bt) => batchNorm(xt!, { weight: wt!, bias: bt!, training: true }).mul(w).sum(), [x, bn.weight!, bn.bias!]);
  const y = bn.forward(x);
  assertClose(y.data(), [-0.216574, 0.303203, 1.34276, -0.141421, -0.565685, 1.13137, -1.7759, -0.476462, 0.82298, 0.707106, 0.707106, -1.83848], 1e-3, 1e-4, 'y');
  assertClose(bn.runningMean!.data(), [0.141667, 0.0333333], 1e-3, 1e-4, 'running_mean');
  assertClose(bn.runningVar!.data(), [1.34417, 1.56667], 1e-3, 1e-4, 'running_var');
  assertClose(gx!.data(), [-2.162, -1.44328, -0.52563, -1.73524, -1.42553, -0.543058, 0.359848, 1.37697, 2.39409, 1.03945, 1.46371, 1.20067], 2e-3, 2e-4, 'x.grad');
  assertClose(gw!.data(), [-4.4181, -3.81837], 1e-3, 1e-3, 'weight.grad');
  assertClose(gb!.data(), [24, 42], 1e-5, 1e-5, 'bias.grad');
});

test('bad input: wrong rank or channel count, too few values, bad options', () => {
  const bn = new BatchNorm1d(32);
  assert.throws(() => bn.forward(fromArray(new Float32Array(2 * 16 * 5), [2, 16, 5])), /BatchNorm1d\(32\).*\[batch, 32\].*\[2, 16, 5\]/);
  assert.throws(() => bn.forward(fromArray(new Float32Array(32), [32])), /BatchNorm1d\(32\).*\[32\]/);
  assert.throws(() => bn.forward(fromArray(new Float32Array(32), [1, 32])), /more than 1 value per channel/);
  assert.throws(() => new BatchNorm1d(0), /numFeatures/);
  assert.throws(() => new BatchNorm1d(4, { momentum: 2 }), /momentum/);
  assert.throws(() => batchNorm(fromArray(new Float32Array(6), [2, 3]), { weight: fromArray([1, 1], [2]) }), /weight has shape \[2\].*3 channels/);
  assert.throws(() => batchNorm(fromArray(new Float32Array(6), [2, 3]), { training: false }), /eval mode needs/);
});

test.run();
