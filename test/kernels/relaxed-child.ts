// Child process of relaxed.test.ts: the relaxed-SIMD build (f32x4.relaxed_madd, assembly/fma.ts) needs a
// process that compiles relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd), and the selection checks
// re-initialise ecgrad, which would invalidate the tensors other test files hold; so all of it runs here.
// Prints one line "RELAXED_RESULT <json>": `checks` maps a check's name to null (passed) or its failure,
// `stats` holds measured figures (worst error / tolerance ratios, how often relaxed differs from SIMD).
// Usage: node [--experimental-wasm-relaxed-simd] --import tsx test/kernels/relaxed-child.ts <mode>
//   kernels    GEMM and conv1d (forward, both backward passes) on relaxed and SIMD vs float64 references;
//              relaxed determinism and path independence; StdCNN / DSCNN / LSTMNet steps relaxed vs SIMD
//   select     initialisation with relaxed SIMD available (run with the flag)
//   noflag     initialisation without it, then the run-time one-liner (run without the flag)
//   lean       the lean root 'ecgrad' alone (relaxed-kernels.ts not imported: no relaxed build)
//   infer      ecgrad/infer alone (it embeds no relaxed build; the file ecgrad-infer.relaxed.wasm given)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import {
  conv1dRef, conv1dBackwardDataRef, conv1dBackwardWeightRef, convOutLength, type ConvGeom,
} from '../reference/conv1d.ts';
import { relaxedSimdSupported, type BuildName } from '../../src/wasm/backend.ts';
import type { KernelSource } from '../../src/wasm/source.ts';
import { message } from '../helpers/message.ts';

const mode = process.argv[2];
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// the raw-kernel helpers register the full kernel set (here with its relaxed build): only in 'kernels'
if (mode === 'kernels') await import('../../src/wasm/relaxed-kernels.ts');
const helpers = mode === 'kernels' ? await import('../helpers/wasm.ts') : null;
const rawBackend = (build: BuildName) => helpers!.backend(build);
const randomArray = (n: number, seed: number) => helpers!.randomArray(n, seed);
const checks: Record<string, string | null> = {};
const stats: Record<string, number | string | boolean> = {};

function check(name: string, f: () => void): void {
  try {
    f();
    checks[name] = null;
  } catch (e) {
    checks[name] = (e as Error).stack ?? String(e);
  }
}


const ULP = 2 ** -24;
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i]));
/** Differing elements of two equally long arrays. */
const differing = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
};
const worst: Record<string, number> = {};
const noteWorst = (key: string, r: number) => (worst[key] = Math.max(worst[key] ?? 0, r));
const counts = { elements: 0, differ: 0 };

// ------------------------------------------------------------------------------------------------
// GEMM

interface GemmCase { tA: number; tB: number; M: number; N: number; K: number; alpha: number; beta: number; seed: number }

function gemmRun(build: BuildName, cs: GemmCase, A: Float32Array, B: Float32Array, C0: Float32Array): Float32Array {
  const b = rawBackend(build);
  const { tA, tB, M, N, K } = cs;
  const put = (a: Float32Array) => { const p = b.alloc(Math.max(4, a.length * 4)); b.f32(p, a.length).set(a); return p; };
  const pa = put(A), pb = put(B), pc = put(C0), pw = b.alloc(Math.max(64, b.k.gemmWorkSize(M, N, K)));
  try {
    b.k.gemm(tA, tB, M, N, K, cs.alpha, pa, tA ? M : K, pb, tB ? K : N, cs.beta, pc, N, pw);
    return Float32Array.from(b.f32(pc, M * N));
  } finally {
    for (const p of [pa, pb, pc, pw]) b.free(p);
  }
}

/**
 * Relaxed and SIMD within the GEMM tests' tolerance of the float64 reference (|got − ref| <= 4 ulp·(sqrt(K)+2)
 * of Σ|terms|, test/kernels/gemm.test.ts), within twice that of each other, and relaxed equal to itself.
 */
function gemmCheck(cs: GemmCase): void {
  const { tA, tB, M, N, K, alpha, beta } = cs;
  const A = randomArray(M * K, cs.seed * 3 + 1), B = randomArray(K * N, cs.seed * 3 + 2), C0 = randomArray(M * N, cs.seed * 3 + 3);
  const lda = tA ? M : K, ldb = tB ? K : N;
  const tol = 4 * ULP * (Math.sqrt(K) + 2);
  const r = gemmRun('relaxed', cs, A, B, C0), s = gemmRun('simd', cs, A, B, C0);
  const what = `gemm tA=${tA} tB=${tB} ${M}x${N}x${K} alpha=${alpha} beta=${beta}`;
  if (!same(r, gemmRun('relaxed', cs, A, B, C0))) throw new Error(`${what}: relaxed differs from itself`);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let sum = 0, sa = 0;
      for (let k = 0; k < K; k++) {
        const t = (tA ? A[k * lda + i]! : A[i * lda + k]!) * (tB ? B[j * ldb + k]! : B[k * ldb + j]!);
        sum += t;
        sa += Math.abs(t);
      }
      const c = C0[i * N + j]!;
      const ref = alpha * sum + (beta ? beta * c : 0), scale = Math.abs(alpha) * sa + (beta ? Math.abs(beta * c) : 0) + 1e-30;
      const e = i * N + j;
      for (const [build, got] of [['relaxed', r[e]!], ['simd', s[e]!]] as const) {
        noteWorst(`gemm ${build}`, Math.abs(got - ref) / (tol * scale));
        if (!(Math.abs(got - ref) <= tol * scale)) throw new Error(`${what}: ${build} C[${i},${j}] = ${got}, reference ${ref} (scale ${scale})`);
      }
      if (!(Math.abs(r[e]! - s[e]!) <= 2 * tol * scale)) throw new Error(`${what}: relaxed ${r[e]} vs simd ${s[e]} at [${i},${j}]`);
    }
  counts.elements += r.length;
  counts.differ += differing(r, s);
}

// ------------------------------------------------------------------------------------------------
// conv1d

interface Spec { B: number; Cin: number; L: number; Cout: number; K: number; stride?: number; padL?: number; padR?: number; dil?: number; groups?: number }

function geom(s: Spec): ConvGeom {
  const stride = s.stride ?? 1, padL = s.padL ?? 0, padR = s.padR ?? padL, dil = s.dil ?? 1;
  return { B: s.B, Cin: s.Cin, L: s.L, Cout: s.Cout, K: s.K, stride, pad: padL, dil, groups: s.groups ?? 1, Lout: convOutLength(s.L, s.K, stride, padL, padR, dil) };
}

function convRun(build: BuildName, g: ConvGeom, x: Float32Array, w: Float32Array, dy: Float32Array, wino: number) {
  const b = rawBackend(build);
  const k = b.k;
  const ptrs: number[] = [];
  const put = (a: Float32Array) => { const p = b.alloc(Math.max(4, a.length * 4)); b.f32(p, a.length).set(a); ptrs.push(p); return p; };
  const nY = g.B * g.Cout * g.Lout;
  k.conv1dSetWinograd(wino);
  try {
    const px = put(x), pw = put(w), pdy = put(dy);
    const ps = put(new Float32Array(Math.ceil(k.conv1dScratchSize(g.B, g.Cin, g.L, g.Cout, g.K, g.stride, g.pad, g.dil, g.groups, g.Lout) / 4) + 1));
    const py = put(new Float32Array(nY).fill(NaN)), pdx = put(new Float32Array(x.length).fill(NaN)), pdw = put(new Float32Array(w.length).fill(NaN));
    const args = [g.B, g.Cin, g.L, g.Cout, g.K, g.stride, g.pad, g.dil, g.groups, g.Lout, ps] as const;
    k.conv1dForward(px, pw, 0, py, ...args);
    k.conv1dBackwardData(pdy, pw, pdx, ...args);
    k.conv1dBackwardWeight(px, pdy, pdw, ...args);
    const get = (p: number, n: number) => Float32Array.from(b.f32(p, n));
    return { y: get(py, nY), dx: get(pdx, x.length), dw: get(pdw, w.length) };
  } finally {
    k.conv1dSetWinograd(1);
    for (const p of ptrs) b.free(p);
  }
}

/**
 * The conv1d tests' tolerance (test/ops/conv1d.test.ts): 4 ulp·(sqrt(terms)+2) of the element's Σ|terms|;
 * on the Winograd path twice that, of the largest Σ|terms| in the row. Relaxed and SIMD each within it,
 * within twice it of each other; relaxed equal to itself.
 */
function convCheck(s: Spec, seed: number): void {
  const g = geom(s);
  const Cg = g.Cin / g.groups, Og = g.Cout / g.groups;
  const x = randomArray(g.B * g.Cin * g.L, seed * 4 + 1), w = randomArray(g.Cout * Cg * g.K, seed * 4 + 2);
  const dy = randomArray(g.B * g.Cout * g.Lout, seed * 4 + 4);
  const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);
  const ref = { y: conv1dRef(g, x, w, null), dx: conv1dBackwardDataRef(g, dy, w), dw: conv1dBackwardWeightRef(g, x, dy) };
  const scale = { y: conv1dRef(g, abs(x), abs(w), null), dx: conv1dBackwardDataRef(g, abs(dy), abs(w)), dw: conv1dBackwardWeightRef(g, abs(x), abs(dy)) };
  const terms = { y: Cg * g.K, dx: Og * g.K, dw: g.B * g.Lout };
  const rows = { y: g.Lout, dx: g.L, dw: Cg * g.K };
  const winoShape = g.stride === 1 && g.dil === 1 && g.groups === 1 && (g.K === 3 || g.K === 5) && g.Cin >= 16 && g.Cout >= 16;
  for (const wino of winoShape ? [2, 0] : [1]) {
    const path = wino === 2 ? 'winograd' : wino === 0 ? 'im2col' : 'auto';
    const r = convRun('relaxed', g, x, w, dy, wino), sm = convRun('simd', g, x, w, dy, wino);
    const again = convRun('relaxed', g, x, w, dy, wino);
    const what = `conv1d ${path} B=${g.B} Cin=${g.Cin} L=${g.L} Cout=${g.Cout} K=${g.K} s=${g.stride} pad=${g.pad} d=${g.dil} groups=${g.groups}`;
    for (const key of ['y', 'dx', 'dw'] as const) {
      if (!same(r[key], again[key])) throw new Error(`${what} ${key}: relaxed differs from itself`);
      const tol = (wino === 2 ? 2 : 1) * 4 * ULP * (Math.sqrt(terms[key]) + 2);
      for (let i = 0; i < ref[key].length; i++) {
        let sc = scale[key][i]!;
        if (wino === 2) {
          const r0 = i - (i % rows[key]);
          for (let j = r0; j < r0 + rows[key]; j++) sc = Math.max(sc, scale[key][j]!);
        }
        sc += 1e-30;
        for (const [build, got] of [['relaxed', r[key][i]!], ['simd', sm[key][i]!]] as const) {
          noteWorst(`conv1d ${path === 'winograd' ? 'winograd' : 'direct/im2col'} ${build}`, Math.abs(got - ref[key][i]!) / (tol * sc));
          if (!(Math.abs(got - ref[key][i]!) <= tol * sc)) throw new Error(`${what} ${key}[${i}]: ${build} ${got}, reference ${ref[key][i]} (scale ${sc})`);
        }
        if (!(Math.abs(r[key][i]! - sm[key][i]!) <= 2 * tol * sc)) throw new Error(`${what} ${key}[${i}]: relaxed ${r[key][i]} vs simd ${sm[key][i]}`);
      }
      counts.elements += r[key].length;
      counts.differ += differing(r[key], sm[key]);
    }
  }
}

if (mode === 'kernels') {
  stats.relaxedSimdSupported = relaxedSimdSupported();
  const COMBOS: [number, number][] = [[0, 0], [0, 1], [1, 0], [1, 1]];

  check('gemm: odd and edge shapes, all transposes, beta 0/1/0.5', () => {
    let seed = 1;
    for (const [M, N, K] of [[1, 1, 1], [1, 13, 7], [3, 5, 7], [4, 8, 3], [5, 9, 7], [7, 7, 7], [13, 17, 19], [31, 37, 41], [12, 5, 187], [2, 33, 65], [33, 2, 65]])
      for (const [tA, tB] of COMBOS) for (const beta of [0, 1, 0.5]) gemmCheck({ tA, tB, M: M!, N: N!, K: K!, alpha: 1, beta, seed: seed++ });
  });
  check('gemm: library shapes, several cache blocks, thin shapes with long K', () => {
    gemmCheck({ tA: 0, tB: 1, M: 64, N: 128, K: 256, alpha: 1, beta: 0, seed: 80 });
    gemmCheck({ tA: 0, tB: 0, M: 32, N: 900, K: 80, alpha: 1, beta: 0.5, seed: 81 });
    gemmCheck({ tA: 1, tB: 0, M: 300, N: 270, K: 530, alpha: -1, beta: 0, seed: 82 });
    gemmCheck({ tA: 0, tB: 1, M: 130, N: 530, K: 520, alpha: 0.5, beta: 1, seed: 83 });
    for (const [tA, tB] of COMBOS) {
      gemmCheck({ tA, tB, M: 1, N: 1030, K: 37, alpha: 1, beta: 0.5, seed: 84 + tA * 2 + tB });
      gemmCheck({ tA, tB, M: 61, N: 3, K: 1030, alpha: 0.5, beta: 0.5, seed: 90 + tA * 2 + tB });
    }
  });
  check('gemm: relaxed rows are the same whether computed alone (thin path) or in a tile (blocked path)', () => {
    // every path accumulates with relaxed_madd, scalar tails included (lane 0 of the same instruction)
    for (const [tA, tB] of COMBOS)
      for (const [M, N, K] of [[13, 37, 41], [9, 1030, 520]]) {
        const cs = { tA, tB, M: M!, N: N!, K: K!, alpha: 1, beta: 0, seed: 7 };
        const A = randomArray(M! * K!, 1), B = randomArray(K! * N!, 2), C0 = new Float32Array(M! * N!);
        const full = gemmRun('relaxed', cs, A, B, C0);
        for (const i of [0, 5, M! - 1]) {
          // op(A) row i alone: as a 1 x K matrix (stored K x 1 when transposed)
          const Ai = Float32Array.from({ length: K! }, (_, k) => (tA ? A[k * M! + i]! : A[i * K! + k]!));
          const row = gemmRun('relaxed', { ...cs, M: 1 }, Ai, B, new Float32Array(N!));
          if (!same(row, full.subarray(i * N!, (i + 1) * N!))) throw new Error(`tA=${tA} tB=${tB} ${M}x${N}x${K}: row ${i} differs between the paths`);
        }
      }
  });
  check('conv1d: direct (depthwise, Cin = 1), pointwise, im2col and Winograd paths, forward and both backward passes', () => {
    let seed = 1;
    for (const s of [
      { B: 2, Cin: 1, L: 37, Cout: 4, K: 5, padL: 2 }, // Cin = 1: direct rows
      { B: 3, Cin: 6, L: 41, Cout: 6, K: 5, padL: 2, groups: 6 }, // depthwise
      { B: 2, Cin: 4, L: 29, Cout: 8, K: 3, padL: 1, groups: 4 }, // channel multiplier 2
      { B: 2, Cin: 3, L: 19, Cout: 4, K: 3, stride: 2, padL: 1 }, // strided im2col
      { B: 2, Cin: 3, L: 22, Cout: 4, K: 3, stride: 3, dil: 2, padL: 2 },
      { B: 3, Cin: 17, L: 23, Cout: 9, K: 1 }, // pointwise
      { B: 3, Cin: 32, L: 37, Cout: 20, K: 5, padL: 2 }, // im2col, several tiles
      { B: 3, Cin: 17, L: 29, Cout: 19, K: 5, padL: 2 }, // Winograd F(4,5) and its im2col twin
      { B: 4, Cin: 16, L: 47, Cout: 24, K: 3, padL: 1 }, // Winograd F(6,3)
      { B: 9, Cin: 32, L: 46, Cout: 64, K: 5, padL: 2 }, // StdCNN's conv2 at a small batch
    ] as Spec[])
      convCheck(s, seed++);
  });

  // Whole training steps (conv, batch norm, LSTM, linear, cross-entropy, backward): relaxed vs SIMD on the
  // same weights and batch, and relaxed twice.
  const { initSync, backendInfo, randn, crossEntropy } = await import('../../src/index.ts');
  const { StdCNN, DSCNN, LSTMNet } = await import('../../src/models/reference.ts');
  type Model = InstanceType<typeof StdCNN> | InstanceType<typeof DSCNN> | InstanceType<typeof LSTMNet>;
  const step = (build: BuildName, make: () => Model, L: number) => {
    initSync({ build, force: true });
    const m = make();
    m.train();
    const x = randn([8, 1, L], { seed: 3 });
    const loss = crossEntropy(m.forward(x), Int32Array.from({ length: 8 }, (_, i) => i % 5));
    loss.backward();
    const out = { build: backendInfo().build, loss: loss.item(), grads: m.parameters().map((p) => Float32Array.from(p.grad!.data())) };
    return out;
  };
  for (const [name, make, L] of [
    ['StdCNN', () => new StdCNN({ seed: 1 }), 187], ['DSCNN', () => new DSCNN({ seed: 1 }), 187], ['LSTMNet', () => new LSTMNet({ seed: 1 }), 60],
  ] as [string, () => Model, number][])
    check(`${name} training step: relaxed equals itself and agrees with SIMD (loss 1e-5; gradients 2e-3 of their largest entry + 1e-6 of the largest gradient)`, () => {
      const r = step('relaxed', make, L), s = step('simd', make, L), again = step('relaxed', make, L);
      if (r.build !== 'relaxed' || s.build !== 'simd') throw new Error(`builds ${r.build} / ${s.build}`);
      if (!Object.is(r.loss, again.loss) || !r.grads.every((g, i) => same(g, again.grads[i]!))) throw new Error('relaxed differs from itself');
      const dl = Math.abs(r.loss - s.loss) / Math.abs(s.loss);
      noteWorst(`${name} loss rel`, dl);
      if (!(dl <= 1e-5)) throw new Error(`loss ${r.loss} vs ${s.loss}`);
      // (the biases of the convolutions before batch norm have zero gradient up to rounding noise, ~1e-8:
      // hence the part relative to the largest gradient of the model)
      const gmax = Math.max(...s.grads.map((h) => h.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
      r.grads.forEach((g, i) => {
        const h = s.grads[i]!;
        let mx = 0, d = 0;
        for (let j = 0; j < g.length; j++) {
          mx = Math.max(mx, Math.abs(h[j]!));
          d = Math.max(d, Math.abs(g[j]! - h[j]!));
        }
        noteWorst(`${name} grad rel`, d / (mx + 5e-4 * gmax));
        if (!(d <= 2e-3 * mx + 1e-6 * gmax)) throw new Error(`parameter ${i}: max |relaxed − simd| ${d} vs max |grad| ${mx}`);
      });
    });
  Object.assign(stats, Object.fromEntries(Object.entries(worst).map(([k, v]) => [`worst ${k}`, +v.toPrecision(3)])));
  stats.elements = counts.elements;
  stats.differFromSimd = counts.differ;
}

if (mode === 'select' || mode === 'noflag') {
  const lib = await import('../../src/all.ts');
  const { initSyncFrom, init } = await import('../../src/core/runtime.ts');
  const inf = await import('../../src/wasm/generated-infer.ts');
  const { embeddedBuilds } = await import('../../src/wasm/embedded.ts');
  const [inferSimd, inferScalar] = embeddedBuilds(inf.wasmPack);
  const INFER: KernelSource = { set: 'infer', simd: inferSimd!, scalar: inferScalar! };
  const file = (name: string) => readFileSync(join(root, 'build', name));
  const full = { relaxed: file('ecgrad.relaxed.wasm'), simd: file('ecgrad.simd.wasm'), scalar: file('ecgrad.scalar.wasm') };
  const info = () => lib.backendInfo();
  stats.relaxedSimdSupported = relaxedSimdSupported();
  const out: Record<string, unknown> = {};
  out.auto = lib.initSync();
  out.forcedSimd = lib.initSync({ build: 'simd', force: true });
  out.forcedRelaxed = message(() => lib.initSync({ build: 'relaxed', force: true }));
  out.forcedRelaxedInfo = info();
  out.givenAll = lib.initSync({ force: true, wasm: full });
  out.givenAllAsync = await init({ force: true, wasm: full });
  out.givenRelaxedOnly = message(() => lib.initSync({ force: true, wasm: { relaxed: full.relaxed } }));
  out.inferAuto = initSyncFrom(INFER, { force: true });
  out.inferForcedRelaxed = message(() => initSyncFrom(INFER, { build: 'relaxed', force: true }));
  // a tensor op on whatever was chosen last, as a smoke test of the instance
  lib.initSync({ force: true });
  out.sum = lib.tensor([1, 2, 3, 4]).mul(lib.tensor([0.5, 0.5, 0.5, 0.5])).sum().item();
  if (mode === 'noflag') {
    // the documented one-liner, at run time: the flag applies to every module compiled afterwards
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    out.afterFlag = lib.initSync({ force: true });
  }
  stats.result = JSON.stringify(out);
}

if (mode === 'lean') {
  const lib = await import('../../src/index.ts');
  const out: Record<string, unknown> = {};
  out.auto = lib.initSync();
  out.forcedRelaxed = message(() => lib.initSync({ build: 'relaxed', force: true }));
  out.given = lib.initSync({ force: true, wasm: { relaxed: readFileSync(join(root, 'build', 'ecgrad.relaxed.wasm')), simd: readFileSync(join(root, 'build', 'ecgrad.simd.wasm')) } });
  stats.result = JSON.stringify(out);
}

if (mode === 'infer') {
  const lib = await import('../../src/infer/index.ts');
  const file = (name: string) => readFileSync(join(root, 'build', name));
  const out: Record<string, unknown> = {};
  out.auto = lib.initSync();
  out.forcedRelaxed = message(() => lib.initSync({ build: 'relaxed', force: true }));
  out.given = lib.initSync({ force: true, wasm: { relaxed: file('ecgrad-infer.relaxed.wasm'), simd: file('ecgrad-infer.simd.wasm'), scalar: file('ecgrad-infer.scalar.wasm') } });
  stats.result = JSON.stringify(out);
}

console.log(`RELAXED_RESULT ${JSON.stringify({ mode, checks, stats })}`);
