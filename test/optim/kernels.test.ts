// Optimizer kernels (assembly/optim.ts) on both builds against float64 re-implementations of PyTorch's
// SGD (momentum, dampening, nesterov, weight decay) and Adam/AdamW (bias correction) over several steps,
// plus SIMD == scalar agreement.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend, BUILDS, putF32, getF32, randomArray, assertClose } from '../helpers/wasm.ts';
import type { Backend } from '../../src/wasm/backend.ts';
import { sgdStepRef, adamStepRef, biasCorrections, type SgdOptions, type AdamOptions } from '../reference/optim.ts';

const STEPS = 6;

/** The numeric fields of an options object rounded to f32, as they cross the kernel boundary. */
function asF32<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? Math.fround(v) : v])) as T;
}

/** Runs STEPS SGD steps on both the kernel (f32 state) and the reference; returns [kernel p, ref p, kernel buf, ref buf]. */
function runSgd(b: Backend, n: number, o: SgdOptions, seed: number, check: (step: number, kp: number[], rp: number[], kb: number[], rb: number[]) => void): void {
  const p0 = randomArray(n, seed);
  const rp = Array.from(p0), rb = new Array<number>(n).fill(0);
  const pp = putF32(b, p0), pb = putF32(b, new Array(n).fill(0));
  for (let t = 0; t < STEPS; t++) {
    const g = randomArray(n, seed * 100 + t);
    const pg = putF32(b, g);
    b.k.sgdStep(pp, pg, pb, n, o.lr, o.momentum, o.dampening, o.weightDecay, o.nesterov ? 1 : 0, t === 0 ? 1 : 0);
    b.free(pg);
    sgdStepRef(rp, g, rb, asF32(o), t === 0);
    check(t, getF32(b, pp, n), rp, getF32(b, pb, n), rb);
  }
  b.free(pp);
  b.free(pb);
}

function runAdam(b: Backend, n: number, o: AdamOptions, seed: number, check: (step: number, k: number[][], r: number[][]) => void): void {
  const p0 = randomArray(n, seed);
  const rp = Array.from(p0), rm = new Array<number>(n).fill(0), rv = new Array<number>(n).fill(0);
  const pp = putF32(b, p0), pm = putF32(b, rm), pv = putF32(b, rv);
  for (let t = 1; t <= STEPS; t++) {
    const g = randomArray(n, seed * 100 + t, -0.5, 0.5);
    const pg = putF32(b, g);
    const [bc1, bc2] = biasCorrections(o, t);
    b.k.adamStep(pp, pg, pm, pv, n, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, o.decoupled ? 1 : 0, bc1, bc2);
    b.free(pg);
    // The kernel receives Adam's hyperparameters as f64 and forms 1 − β, lr/bc1 and sqrt(bc2) in double
    // precision like PyTorch, so the reference uses the exact (double) hyperparameters.
    adamStepRef(rp, g, rm, rv, o, bc1, bc2);
    check(t, [getF32(b, pp, n), getF32(b, pm, n), getF32(b, pv, n)], [rp, rm, rv]);
  }
  for (const q of [pp, pm, pv]) b.free(q);
}

const SGD_CASES: SgdOptions[] = [
  { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
  { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 0.01, nesterov: false },
  { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
  { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true },
  { lr: 0.02, momentum: 0.8, dampening: 0.3, weightDecay: 0.05, nesterov: false },
  { lr: 0.02, momentum: 0.95, dampening: 0, weightDecay: 1e-3, nesterov: true },
];

const ADAM_CASES: AdamOptions[] = [
  { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
  { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: false },
  { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05, decoupled: true },
  { lr: 3e-3, beta1: 0.5, beta2: 0.9, eps: 1e-4, weightDecay: 0, decoupled: true },
];

const LENGTHS = [0, 1, 3, 4, 5, 17, 258];

test('sgdStep matches PyTorch SGD over several steps (momentum, nesterov, dampening, weight decay)', () => {
  let seed = 1;
  for (const build of BUILDS)
    for (const o of SGD_CASES)
      for (const n of LENGTHS)
        runSgd(backend(build), n, o, seed++, (t, kp, rp, kb, rb) => {
          const what = `${build} sgd ${JSON.stringify(o)} n=${n} step ${t}`;
          assertClose(kp, rp, 2e-6, 1e-6, what);
          if (o.momentum !== 0) assertClose(kb, rb, 2e-6, 1e-6, `${what} buf`);
          else assert.ok(kb.every((v) => v === 0), `${what}: buf touched without momentum`);
        });
});

test('adamStep matches PyTorch Adam / AdamW with bias correction over several steps', () => {
  let seed = 500;
  for (const build of BUILDS)
    for (const o of ADAM_CASES)
      for (const n of LENGTHS)
        runAdam(backend(build), n, o, seed++, (t, k, r) => {
          const what = `${build} adam ${JSON.stringify(o)} n=${n} step ${t}`;
          assertClose(k[0]!, r[0]!, 2e-6, 1e-6, `${what} p`);
          assertClose(k[1]!, r[1]!, 2e-6, 1e-7, `${what} m`);
          assertClose(k[2]!, r[2]!, 2e-6, 1e-10, `${what} v`);
        });
});

test('SIMD and scalar builds agree on sgdStep and adamStep', () => {
  const res: Record<string, number[][]> = {};
  for (const build of BUILDS) {
    const out: number[][] = [];
    for (const o of SGD_CASES) runSgd(backend(build), 37, o, 900, (_t, kp, _rp, kb) => out.push(kp, kb));
    for (const o of ADAM_CASES) runAdam(backend(build), 37, o, 901, (_t, k) => out.push(...k));
    res[build] = out;
  }
  const s = res.simd!, c = res.scalar!;
  assert.is(s.length, c.length);
  for (let i = 0; i < s.length; i++) assertClose(s[i]!, c[i]!, 1e-6, 0, `simd vs scalar #${i}`);
});

test.run();
