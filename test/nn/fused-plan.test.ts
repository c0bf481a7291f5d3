// Fused inference plans (src/nn/fused-plan.ts) and their kernels (assembly/fused.ts):
//   - fusedConv1d / fusedLinear equal the unfused kernel sequence bit for bit (same weights), on every
//     conv path (direct, Winograd, im2col, pointwise, depthwise, strided), pool and chunking, and stay
//     within float32 rounding of a float64 reference;
//   - a plan equals the unfused eval forward of every zoo model within the batch-norm fold's rounding
//     (random running statistics, batch 1 and odd batches, with and without RR features);
//   - which models are static chains, the static run equal to the tensor forward bit for bit, no
//     allocation per call, and the errors.
// SIMD = scalar = relaxed for whole plans: test/nn/fused-plan-builds.test.ts.
import { test } from 'uvu';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import {
  initSync, fromArray, randn, noGrad, MODEL_SPECS, memoryStats, Sequential, Conv1d, BatchNorm1d, ReLU, MaxPool1d, Linear,
  Flatten, Dropout, type Module, type Tensor,
} from '../../src/all.ts';
import { backend } from '../../src/core/runtime.ts';
import { conv1d } from '../../src/ops/conv1d.ts';
import { maxPool1d, adaptiveAvgPool1d } from '../../src/ops/pool.ts';
import { linear } from '../../src/ops/matmul.ts';
import { empty, zeros } from '../../src/ops/creation.ts';
import { compileInference } from '../../src/nn/fused-plan.ts';
import { conv1dRef, conv1dAbsRef, convOutLength, type ConvGeom } from '../reference/conv1d.ts';
import { Rng } from '../../src/core/random.ts';

initSync();
const k = () => backend().k;

function rand(n: number, seed: number, scale = 1): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => (r.uniform() * 2 - 1) * scale);
}
const bitsEqual = (a: Float32Array, b: Float32Array) => a.length === b.length && new Uint32Array(a.buffer, a.byteOffset, a.length).every((v, i) => v === new Uint32Array(b.buffer, b.byteOffset, b.length)[i]);

interface ConvCase { B: number; Cin: number; L: number; Cout: number; K: number; stride?: number; pad?: number; dil?: number; groups?: number }
const CONVS: ConvCase[] = [
  { B: 3, Cin: 1, L: 187, Cout: 32, K: 5, pad: 2 }, // direct (one input channel)
  { B: 3, Cin: 32, L: 93, Cout: 64, K: 5, pad: 2 }, // Winograd F(4,5)
  { B: 1, Cin: 64, L: 46, Cout: 128, K: 3, pad: 1 }, // Winograd F(6,3), batch 1
  { B: 2, Cin: 12, L: 40, Cout: 20, K: 7, pad: 3 }, // im2col + GEMM
  { B: 3, Cin: 32, L: 45, Cout: 48, K: 1 }, // pointwise
  { B: 2, Cin: 16, L: 51, Cout: 16, K: 5, pad: 2, groups: 16 }, // depthwise
  { B: 3, Cin: 8, L: 61, Cout: 12, K: 7, stride: 2, pad: 3 }, // strided
];
type PoolCase = { kind: 0 } | { kind: 1; k: number; s: number; p: number } | { kind: 2; out: number };
const POOLS: PoolCase[] = [{ kind: 0 }, { kind: 1, k: 2, s: 2, p: 0 }, { kind: 1, k: 5, s: 2, p: 0 }, { kind: 1, k: 3, s: 1, p: 1 }, { kind: 2, out: 1 }, { kind: 2, out: 8 }];
const poolName = (p: PoolCase) => (p.kind === 0 ? 'none' : p.kind === 1 ? `max(${p.k},${p.s},${p.p})` : `adaptive(${p.out})`);

/** fusedConv1d on tensors: returns the output values. */
function fusedConv(c: ConvCase, x: Tensor, w: Tensor, b: Tensor, act: number, pool: PoolCase, chunk: number, cached: boolean): Float32Array {
  return noGrad(() => {
    const { B, Cin, L, Cout, K, stride = 1, pad = 0, dil = 1, groups = 1 } = c;
    const Lout = convOutLength(L, K, stride, pad, pad, dil);
    const Lp = pool.kind === 1 ? Math.floor((Lout + 2 * pool.p - pool.k) / pool.s) + 1 : pool.kind === 2 ? pool.out : Lout;
    const n = chunk > 0 ? Math.min(chunk, B) : B;
    const scr = empty([Math.max(1, Math.ceil(k().conv1dScratchSize(n, Cin, L, Cout, K, stride, pad, dil, groups, Lout) / 4))]);
    const tmp = empty([Math.max(1, n * Cout * (Lout + Lp))]);
    const cacheBytes = k().conv1dWeightCacheSize(Cin, Cout, K, stride, dil, groups);
    const cache = cached && cacheBytes > 0 ? zeros([Math.ceil(cacheBytes / 4)]) : null;
    const y = empty([B, Cout, Lp]);
    const [pk, ps, pp] = pool.kind === 1 ? [pool.k, pool.s, pool.p] : [0, 0, 0];
    k().fusedConv1d(x.ptr, w.ptr, b.ptr, y.ptr, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scr.ptr, cache ? cache.ptr : 0, act, pool.kind, pk, ps, pp, Lp, tmp.ptr, chunk);
    return y.data();
  });
}

/** The unfused sequence: conv1d op (the cached inference path under noGrad), relu, pool. */
function unfusedConv(c: ConvCase, x: Tensor, w: Tensor, b: Tensor, act: number, pool: PoolCase): Float32Array {
  return noGrad(() => {
    let h = conv1d(x, w, b, { stride: c.stride ?? 1, padding: c.pad ?? 0, dilation: c.dil ?? 1, groups: c.groups ?? 1 });
    if (act) h = h.relu();
    if (pool.kind === 1) h = maxPool1d(h, pool.k, { stride: pool.s, padding: pool.p });
    if (pool.kind === 2) h = adaptiveAvgPool1d(h, pool.out);
    return h.data();
  });
}

CONVS.forEach((c, ci) => {
  const { B, Cin, L, Cout, K, groups = 1 } = c;
  const x = fromArray(rand(B * Cin * L, 10 + ci), [B, Cin, L]).keep();
  const w = fromArray(rand((Cout * Cin * K) / groups, 20 + ci, 0.3), [Cout, Cin / groups, K]).keep();
  const b = fromArray(rand(Cout, 30 + ci, 0.2), [Cout]).keep();
  test(`fusedConv1d [${B},${Cin},${L}] -> ${Cout} k${K}${c.stride ? ` s${c.stride}` : ''}${groups > 1 ? ` g${groups}` : ''}: equal to conv1d + ReLU + pool bit for bit, every pool, chunk and cache`, () => {
    for (const pool of POOLS)
      for (const act of [0, 1]) {
        const want = unfusedConv(c, x, w, b, act, pool);
        for (const chunk of [0, 1, 2])
          for (const cached of [true, false]) {
            // the uncached path may choose im2col over Winograd below its column threshold: same math, other rounding
            const got = fusedConv(c, x, w, b, act, pool, chunk, cached);
            if (cached) assert.ok(bitsEqual(got, want), `pool ${poolName(pool)} act ${act} chunk ${chunk}: differs from the unfused sequence`);
            else assert.ok(bitsEqual(got, fusedConv(c, x, w, b, act, pool, 0, false)), `uncached, chunk ${chunk}: chunking changed bits`);
          }
      }
  });
  test(`fusedConv1d [${B},${Cin},${L}] -> ${Cout} k${K}: ReLU + max pool within float32 rounding of a float64 reference`, () => {
    const g: ConvGeom = { B, Cin, L, Cout, K, stride: c.stride ?? 1, pad: c.pad ?? 0, dil: c.dil ?? 1, groups, Lout: convOutLength(L, K, c.stride ?? 1, c.pad ?? 0, c.pad ?? 0, c.dil ?? 1) };
    const xs = x.data(), ws = w.data(), bs = b.data();
    const ref = conv1dRef(g, xs, ws, bs), abs = conv1dAbsRef(g, xs, ws, bs);
    const got = fusedConv(c, x, w, b, 1, { kind: 1, k: 2, s: 2, p: 0 }, 0, true);
    const Lp = Math.floor((g.Lout - 2) / 2) + 1;
    let worst = 0;
    for (let r = 0; r < B * Cout; r++)
      for (let j = 0; j < Lp; j++) {
        const i0 = r * g.Lout + 2 * j;
        const want = Math.max(0, ref[i0]!, ref[i0 + 1]!);
        // Winograd's error bound (test/ops/conv1d.test.ts) is ~60 float32 ulps of Σ|terms|; 2.4e-5 ≈ 200 ulps
        const tol = 2.4e-5 * Math.max(abs[i0]!, abs[i0 + 1]!) + 1e-30;
        const e = Math.abs(got[r * Lp + j]! - want) / tol;
        worst = Math.max(worst, e);
      }
    assert.ok(worst <= 1, `worst error ${worst.toFixed(3)} of the tolerance`);
  });
});

test('fusedLinear equals linear + ReLU bit for bit (with and without bias, act 0 and 1) and a float64 reference within rounding', () => {
  for (const [M, N, K] of [[1, 64, 128], [7, 5, 64], [33, 17, 9]] as const) {
    const x = fromArray(rand(M * K, M + N), [M, K]).keep(), w = fromArray(rand(N * K, K, 0.3), [N, K]).keep(), b = fromArray(rand(N, 3), [N]).keep();
    for (const withBias of [true, false])
      for (const act of [0, 1])
        noGrad(() => {
          let want = linear(x, w, withBias ? b : null);
          if (act) want = want.relu();
          const y = empty([M, N]);
          const work = empty([Math.max(1, Math.ceil(k().gemmWorkSize(M, N, K) / 4))]);
          k().fusedLinear(x.ptr, w.ptr, withBias ? b.ptr : 0, y.ptr, M, N, K, act, work.ptr);
          const got = y.data();
          assert.ok(bitsEqual(got, want.data()), `[${M},${K}]x[${N},${K}]^T bias ${withBias} act ${act}`);
          const xs = x.data(), ws = w.data(), bs = b.data();
          for (let m = 0; m < M; m++)
            for (let n = 0; n < N; n++) {
              let s = withBias ? bs[n]! : 0, a = Math.abs(s);
              for (let q = 0; q < K; q++) {
                s += xs[m * K + q]! * ws[n * K + q]!;
                a += Math.abs(xs[m * K + q]! * ws[n * K + q]!);
              }
              const ref = act ? Math.max(0, s) : s;
              assert.ok(Math.abs(got[m * N + n]! - ref) <= 4 * 2 ** -23 * Math.sqrt(K + 1) * a + 1e-30, `element (${m}, ${n})`);
            }
        });
  }
});

/** Random running statistics, γ and β for every BatchNorm1d (defaults would make the fold nearly trivial). */
function randomizeBatchNorm(model: Module, seed: number): void {
  let s = seed;
  for (const [, m] of model.namedModules())
    if (m instanceof BatchNorm1d) {
      const C = m.numFeatures;
      m.runningMean?.assign_(rand(C, s++, 0.5));
      m.runningVar?.assign_(rand(C, s++, 0.7).map((v) => 1.1 + v));
      m.weight?.assign_(rand(C, s++, 0.5).map((v) => 1 + v));
      m.bias?.assign_(rand(C, s++, 0.3));
    }
}

/** Unfused eval forward (the model's own) and the plan's tensor forward, as values. */
function both(model: Module, x: Tensor, rr: Tensor | null): [Float32Array, Float32Array, string[]] {
  model.eval();
  const want = noGrad(() => (rr ? model.forward(x, rr) : model.forward(x)).data());
  const plan = compileInference(model);
  const got = noGrad(() => plan.forward(x, rr).data());
  return [want, got, plan.fused];
}

// Tolerance of the fold: the folded weight W·s and bias (b − mean)·s + β are rounded once, where the unfused
// model rounds the conv output and then (x − mean)·sc + β; each BN'd activation differs by a few float32 ulps
// of its magnitude, and the differences propagate through the following layers (|logits| ~ 0.1-3 here).
// Measured worst on these models (printed below): 6.3e-8 (about half an ulp at 1); the bound 1e-6 is ~16x that.
const FOLD_TOL = 1e-6;
for (const spec of MODEL_SPECS)
  for (const rrFeatures of spec.name === 'std-cnn' || spec.name === 'ds-cnn' || spec.name === 'lstm-net' ? [0] : [0, 6])
    test(`plan of ${spec.name}${rrFeatures ? ' with RR features' : ''}: equal to the unfused eval forward within the batch-norm fold's rounding at batch 1, 3 and 7`, () => {
      const model = spec.build({ length: 187, channels: 1, classes: 5, rrFeatures, fs: 125, seed: 3 });
      randomizeBatchNorm(model, 100);
      let worst = 0;
      for (const B of [1, 3, 7]) {
        const x = randn([B, 1, 187], { seed: B }).keep();
        const rr = rrFeatures ? randn([B, rrFeatures], { seed: 50 + B }).keep() : null;
        const [want, got, fused] = both(model, x, rr);
        assert.is(got.length, want.length);
        const hasBn = [...model.namedModules()].some(([, m]) => m instanceof BatchNorm1d);
        assert.is(fused.some((f) => f.includes('BatchNorm1d (folded)')), hasBn, `folded: ${fused.join('; ')}`);
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
      }
      assert.ok(worst <= FOLD_TOL, `worst |fused − unfused| / (1 + |unfused|) = ${worst.toExponential(2)}`);
      if (worst > 0) console.log(`  ${spec.name}${rrFeatures ? '+rr' : ''}: worst ${worst.toExponential(2)}`);
    });

test('static plans: std-cnn, ds-cnn and Sequential models are chains; models whose forward does more keep their forward', () => {
  const input = { length: 187, channels: 1, classes: 5, rrFeatures: 0, fs: 125, seed: 1 };
  const isStatic = (name: string) => compileInference(MODEL_SPECS.find((s) => s.name === name)!.build(input), { input: [1, 187] }).isStatic;
  assert.is(isStatic('std-cnn'), true);
  assert.is(isStatic('ds-cnn'), true);
  for (const name of ['cnn', 'resnet', 'lstm', 'lstm-net', 'ft-cnn']) assert.is(isStatic(name), false, name);
  const seq = new Sequential(new Conv1d(1, 4, 3, { padding: 1, seed: 1 }), new BatchNorm1d(4), new ReLU(), new MaxPool1d(2), new Flatten(), new Dropout(0.5), new Linear(4 * 20, 3, { seed: 2 }));
  const plan = compileInference(seq);
  assert.is(plan.isStatic, true);
  assert.equal(plan.fused, ['Conv1d(1, 4, 3) + BatchNorm1d (folded) + ReLU + MaxPool1d']);
});

test('static run equals the tensor forward bit for bit, across batch sizes in any order, and allocates nothing per call', () => {
  for (const name of ['std-cnn', 'ds-cnn']) {
    const model = MODEL_SPECS.find((s) => s.name === name)!.build({ length: 187, channels: 1, classes: 5, rrFeatures: 0, fs: 125, seed: 4 });
    randomizeBatchNorm(model, 7);
    model.eval();
    const plan = compileInference(model, { input: [1, 187] });
    for (const B of [1, 5, 1, 256, 5]) {
      const xs = rand(B * 187, B);
      const want = noGrad(() => plan.forward(fromArray(xs, [B, 1, 187])).data());
      const got = plan.run(xs, B, [1, 187]);
      assert.ok(bitsEqual(got, want), `${name} batch ${B}`);
    }
    const xs = rand(187, 9), out = new Float32Array(5);
    plan.run(xs, 1, [1, 187], out);
    const before = memoryStats();
    for (let i = 0; i < 50; i++) plan.run(xs, 1, [1, 187], out);
    const after = memoryStats();
    assert.is(after.liveBlocks, before.liveBlocks, 'live blocks');
    assert.is(after.wasmBytes, before.wasmBytes, 'memory size');
  }
});

test('compiling leaves the model unchanged, and a plan is a snapshot of the weights', () => {
  const model = MODEL_SPECS.find((s) => s.name === 'std-cnn')!.build({ length: 187, channels: 1, classes: 5, rrFeatures: 0, fs: 125, seed: 5 });
  randomizeBatchNorm(model, 11);
  model.eval();
  const before = model.namedParameters().map(([, t]) => t.data());
  const plan = compileInference(model, { input: [1, 187] });
  model.namedParameters().forEach(([n, t], i) => assert.ok(bitsEqual(t.data(), before[i]!), n));
  const xs = rand(187, 1);
  const a = plan.run(xs, 1, [1, 187]);
  const w = model.namedParameters()[0]![1];
  w.assign_(w.data().map((v) => v * 2));
  assert.ok(bitsEqual(plan.run(xs, 1, [1, 187]), a), 'the plan kept the compiled weights');
  assert.not.ok(bitsEqual(compileInference(model, { input: [1, 187] }).run(xs, 1, [1, 187]), a), 'a new plan sees the new weights');
});

test('errors: a run of the wrong size, run() on a model that is not a chain, a layer shape that does not fit', () => {
  const std = compileInference(MODEL_SPECS.find((s) => s.name === 'std-cnn')!.build({ length: 187, channels: 1, classes: 5, rrFeatures: 0, fs: 125, seed: 1 }));
  assert.throws(() => std.run(new Float32Array(100), 1, [1, 187]), (e: Error) => e instanceof RangeError && /expected 1 beats of \[1, 187\] \(187 values\), got 100/.test(e.message));
  assert.throws(() => std.run(new Float32Array(0), 0, [1, 187]), RangeError);
  const cnn = compileInference(MODEL_SPECS.find((s) => s.name === 'cnn')!.build({ length: 187, channels: 1, classes: 5, rrFeatures: 0, fs: 125, seed: 1 }));
  assert.throws(() => cnn.run(new Float32Array(187), 1, [1, 187]), /CNN is not a chain of compiled layers: use forward\(\)/);
  assert.throws(() => std.run(new Float32Array(2 * 187), 1, [2, 187]), /Conv1d\(1, 32, 5\).*expected input \[batch, 1, length\], got \[batch, 2, 187\]/);
});

test('re-initialising ecgrad invalidates a plan with a clear error (in a child process: re-initialising here would invalidate the tensors of test files loaded in this process)', () => {
  const src = (f: string) => JSON.stringify(fileURLToPath(new URL(`../../src/${f}`, import.meta.url)));
  const code = `import { initSync } from ${src('all.ts')}; import { compileInference, Sequential, Linear } from ${src('nn/index.ts')};
initSync(); const plan = compileInference(new Sequential(new Linear(3, 2, { seed: 1 }))); initSync({ force: true });
try { plan.run(new Float32Array(3), 1, [3]); console.log('no error'); } catch (e) { console.log(e.message); }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.match(r.stdout, /re-initialised since it was compiled: compile it again/, r.stderr);
});

test.run();
