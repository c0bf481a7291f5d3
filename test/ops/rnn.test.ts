// LSTM and GRU (src/nn/rnn.ts, src/ops/rnn.ts, assembly/rnn.ts):
// - the float64 reference BPTT (test/reference/rnn.ts) against float64 central differences (exact tier);
// - the raw kernels on both builds against the reference (forward gates/states, backward pre-activation
//   gradients, dh0/dc0; H = 5 exercises the unit tail, B = 3 the batch padding; both directions), and
//   SIMD == scalar bit for bit; the transpose kernel;
// - the layer against the reference (outputs, h_n, c_n and every gradient; 1-2 layers, bidirectional,
//   sequence and last-state outputs, h0/c0), on the SIMD build in-process and on the scalar build in a
//   child process (switching builds in-process would invalidate other suites' tensors);
// - end-to-end float32 gradCheck through time (T = 1..5) for input, weights and biases;
// - PyTorch 1.13 fixtures (test/fixtures/rnn.json from scripts/fixtures/rnn_fixtures.py): outputs and
//   gradients within 1e-4 relative error (max-norm per tensor);
// - parameter names/shapes/init, bad input messages, retainGraph double backward.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { initSync, LSTM, GRU, fromArray, randn, rnn, type Tensor, type RnnWeights } from '../../src/all.ts';
import { backend as buildBackend, BUILDS, putF32, getF32 } from '../helpers/wasm.ts';
import { gradCheck, uniform } from '../helpers/gradcheck.ts';
import {
  dirForward, dirBackward, inputGates, rnnForward, rnnBackward, gatesOf, type Kind, type DirParams, type RnnConfig,
} from '../reference/rnn.ts';
import type { Backend } from '../../src/wasm/backend.ts';

const CHILD = process.env.ECGRAD_RNN_LAYER_CHILD;
initSync(CHILD ? { build: CHILD as 'simd' | 'scalar' } : {});
const here = dirname(fileURLToPath(import.meta.url));

const maxRel = (a: ArrayLike<number>, e: ArrayLike<number>): number => {
  if (a.length !== e.length) return Infinity;
  let d = 0, m = 0;
  for (let i = 0; i < e.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - e[i]!));
    m = Math.max(m, Math.abs(e[i]!));
  }
  return d / Math.max(m, 1e-12);
};
const close = (a: ArrayLike<number>, e: ArrayLike<number>, tol: number, what: string) => {
  const r = maxRel(a, e);
  if (!(r <= tol)) throw new assert.Assertion({ message: `${what}: relative error ${r.toExponential(2)} > ${tol}`, operator: 'close', actual: r, expects: tol });
};

// ------------------------------------------------------------------------------------------------
// reference BPTT vs float64 finite differences

function refParams(kind: Kind, cfg: RnnConfig, seed: number, bias = true): DirParams[] {
  const G = gatesOf(kind) * cfg.H;
  const ps: DirParams[] = [];
  for (let k = 0; k < cfg.L * cfg.D; k++) {
    const In = k < cfg.D ? cfg.I : cfg.D * cfg.H;
    ps.push({
      wih: uniform(G * In, seed + 10 * k + 1, -0.7, 0.7), whh: uniform(G * cfg.H, seed + 10 * k + 2, -0.7, 0.7),
      bih: bias ? uniform(G, seed + 10 * k + 3, -0.5, 0.5) : null, bhh: bias ? uniform(G, seed + 10 * k + 4, -0.5, 0.5) : null,
    });
  }
  return ps;
}

test('reference BPTT matches float64 central differences (LSTM/GRU, 2 layers, bidirectional, h0/c0)', () => {
  for (const kind of ['lstm', 'gru'] as const) {
    const cfg: RnnConfig = { kind, B: 2, T: 3, I: 2, H: 3, L: 2, D: 2 };
    const S = cfg.L * cfg.D * cfg.B * cfg.H;
    const params = refParams(kind, cfg, 5);
    const x = Array.from(uniform(cfg.B * cfg.T * cfg.I, 3));
    const h0 = Array.from(uniform(S, 4, -0.5, 0.5)), c0 = Array.from(uniform(S, 6, -0.5, 0.5));
    const wy = uniform(cfg.B * cfg.T * cfg.D * cfg.H, 7), wh = uniform(S, 8), wc = uniform(S, 9);
    const loss = () => {
      const f = rnnForward(cfg, x, params, h0, kind === 'lstm' ? c0 : null);
      let s = 0;
      f.y.forEach((v, i) => (s += v * wy[i]!));
      f.hn.forEach((v, i) => (s += v * wh[i]!));
      if (kind === 'lstm') f.cn.forEach((v, i) => (s += v * wc[i]!));
      return s;
    };
    const fw = rnnForward(cfg, x, params, h0, kind === 'lstm' ? c0 : null);
    const bw = rnnBackward(cfg, params, fw, kind === 'lstm' ? c0 : null, wy, wh, kind === 'lstm' ? wc : null);
    const eps = 1e-6;
    const check = (arr: number[] | Float64Array, grad: ArrayLike<number>, what: string) => {
      for (let i = 0; i < arr.length; i++) {
        const o = arr[i]!;
        arr[i] = o + eps;
        const up = loss();
        arr[i] = o - eps;
        const dn = loss();
        arr[i] = o;
        const num = (up - dn) / (2 * eps);
        assert.ok(Math.abs(num - grad[i]!) <= 1e-7 + 1e-6 * Math.abs(num), `${kind} ${what}[${i}]: ${grad[i]} vs ${num}`);
      }
    };
    check(x, bw.dx, 'x');
    check(h0, bw.dh0, 'h0');
    if (kind === 'lstm') check(c0, bw.dc0, 'c0');
    params.forEach((p, k) => {
      check(p.wih as Float64Array, bw.grads[k]!.wih, `wih${k}`);
      check(p.whh as Float64Array, bw.grads[k]!.whh, `whh${k}`);
      check(p.bih as Float64Array, bw.grads[k]!.bih, `bih${k}`);
      check(p.bhh as Float64Array, bw.grads[k]!.bhh, `bhh${k}`);
    });
  }
});

// ------------------------------------------------------------------------------------------------
// raw kernels on both builds

interface KernelOut {
  [name: string]: number[];
}

/** [B, T, F] (row-major) -> [F, T, Bp] zero-padded. */
function toFT(a: ArrayLike<number>, B: number, T: number, Fd: number, Bp: number): number[] {
  const out = new Array<number>(Fd * T * Bp).fill(0);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < Fd; f++) out[(f * T + t) * Bp + b] = a[(b * T + t) * Fd + f]!;
  return out;
}
function fromFT(a: ArrayLike<number>, B: number, T: number, Fd: number, Bp: number): number[] {
  const out = new Array<number>(B * T * Fd);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < Fd; f++) out[(b * T + t) * Fd + f] = a[(f * T + t) * Bp + b]!;
  return out;
}
const toHB = (a: ArrayLike<number>, B: number, H: number, Bp: number) => toFT(a, B, 1, H, Bp);
const fromHB = (a: ArrayLike<number>, B: number, H: number, Bp: number) => fromFT(a, B, 1, H, Bp);

function runKernels(b: Backend, kind: Kind, B: number, T: number, I: number, H: number, reverse: number, inp: {
  x: number[]; p: DirParams; h0: number[]; c0: number[]; dy: number[]; dhn: number[]; dcn: number[];
}): KernelOut {
  const Bp = Math.ceil(B / 8) * 8, G = gatesOf(kind) * H, k = b.k;
  const ptrs: number[] = [];
  const put = (a: ArrayLike<number>) => { const p = putF32(b, a); ptrs.push(p); return p; };
  const buf = (n: number) => put(new Float32Array(n));
  const rb = new Float32Array(4 * H);
  const { bih, bhh } = inp.p;
  for (let i = 0; i < 4 * H; i++)
    rb[i] = !bih || !bhh ? 0 : kind === 'lstm' || i < 2 * H ? Math.fround(bih[i]!) + Math.fround(bhh[i]!) : i < 3 * H ? bhh[i]! : bih[i - H]!;
  const x = put(toFT(inp.x, B, T, I, Bp)), wih = put(inp.p.wih), whh = put(inp.p.whh), bias = put(rb);
  const h0 = put(toHB(inp.h0, B, H, Bp)), c0 = put(toHB(inp.c0, B, H, Bp));
  const gates = buf(G * T * Bp), ys = buf(H * T * Bp), aux = buf(H * T * Bp), hn = buf(H * Bp), cn = buf(H * Bp);
  const pk = buf(k.rnnScratchSize(H, I, Bp, gatesOf(kind))), tile = buf(32);
  const dy = put(toFT(inp.dy, B, T, H, Bp)), dhn = put(toHB(inp.dhn, B, H, Bp)), dcn = put(toHB(inp.dcn, B, H, Bp));
  const da = buf(G * T * Bp), dhg = buf(G * T * Bp), dh0 = buf(H * Bp), dc0 = buf(H * Bp), dd = buf(H * Bp);
  const out: KernelOut = {};
  try {
    if (kind === 'lstm') {
      k.lstmSeqForward(H, T, Bp, I, reverse, x, wih, whh, bias, h0, c0, gates, ys, aux, hn, cn, pk, tile);
      k.lstmSeqBackward(H, T, Bp, I, reverse, gates, aux, c0, whh, dy, dhn, dcn, da, dh0, dc0, pk, tile);
      out.cn = fromHB(getF32(b, cn, H * Bp), B, H, Bp);
      out.dc0 = fromHB(getF32(b, dc0, H * Bp), B, H, Bp);
    } else {
      k.gruSeqForward(H, T, Bp, I, reverse, x, wih, whh, bias, h0, gates, ys, aux, hn, pk, tile);
      k.gruSeqBackward(H, T, Bp, I, reverse, gates, ys, h0, aux, whh, dy, dhn, da, dhg, dd, dh0, pk, tile);
      out.dhg = fromFT(getF32(b, dhg, G * T * Bp), B, T, G, Bp);
    }
    out.gates = fromFT(getF32(b, gates, G * T * Bp), B, T, G, Bp);
    out.y = fromFT(getF32(b, ys, H * T * Bp), B, T, H, Bp);
    out.aux = fromFT(getF32(b, aux, H * T * Bp), B, T, H, Bp);
    out.hn = fromHB(getF32(b, hn, H * Bp), B, H, Bp);
    out.da = fromFT(getF32(b, da, G * T * Bp), B, T, G, Bp);
    out.dh0 = fromHB(getF32(b, dh0, H * Bp), B, H, Bp);
    // padded batch columns carry exact zeros backward
    const daPad = getF32(b, da, G * T * Bp).filter((_, i) => i % Bp >= B);
    out.padNonZero = [daPad.filter((v) => v !== 0).length];
  } finally {
    for (const p of ptrs) b.free(p);
  }
  return out;
}

test('kernels match the float64 reference on both builds, and SIMD == scalar bit for bit', () => {
  for (const kind of ['lstm', 'gru'] as const)
    for (const [B, T, I, H] of [[3, 4, 3, 5], [9, 2, 1, 8], [1, 1, 2, 3]] as const)
      for (const reverse of [0, 1]) {
        const G = gatesOf(kind) * H;
        const f32 = (a: ArrayLike<number>) => Array.from(a, Math.fround);
        const p: DirParams = {
          wih: f32(uniform(G * I, 1, -0.8, 0.8)), whh: f32(uniform(G * H, 2, -0.8, 0.8)),
          bih: f32(uniform(G, 3, -0.5, 0.5)), bhh: f32(uniform(G, 4, -0.5, 0.5)),
        };
        const inp = {
          x: f32(uniform(B * T * I, 5)), p, h0: f32(uniform(B * H, 6, -0.5, 0.5)), c0: f32(uniform(B * H, 7, -0.5, 0.5)),
          dy: f32(uniform(B * T * H, 8)), dhn: f32(uniform(B * H, 9)), dcn: f32(uniform(B * H, 10)),
        };
        const fw = dirForward(kind, B, T, I, H, reverse === 1, inp.x, p, inp.h0, inp.c0);
        const bw = dirBackward(kind, B, T, I, H, reverse === 1, inp.x, p, inp.c0, fw, inp.dy, inp.dhn, inp.dcn);
        const outs = BUILDS.map((build) => runKernels(buildBackend(build), kind, B, T, I, H, reverse, inp));
        const what = `${kind} B${B} T${T} I${I} H${H} rev${reverse}`;
        for (const o of outs) {
          close(o.gates!, fw.gates, 2e-6, `${what} gates`);
          close(o.y!, fw.y, 2e-6, `${what} y`);
          close(o.aux!, fw.aux, 2e-6, `${what} ${kind === 'lstm' ? 'c' : 'm'}`);
          close(o.hn!, fw.hn, 2e-6, `${what} hn`);
          close(o.da!, bw.dg, 1e-5, `${what} da`);
          close(o.dh0!, bw.dh0, 1e-5, `${what} dh0`);
          if (kind === 'lstm') {
            close(o.cn!, fw.cn, 2e-6, `${what} cn`);
            close(o.dc0!, bw.dc0, 1e-5, `${what} dc0`);
          } else close(o.dhg!, bw.dhg, 1e-5, `${what} dhg`);
          assert.is(o.padNonZero![0], 0, `${what}: padded batch columns must stay 0 backward`);
        }
        for (const key of Object.keys(outs[0]!)) assert.equal(outs[1]![key], outs[0]![key], `${what}: ${key} simd != scalar`);
      }
});

test('rnnTranspose (batched, both builds, edges)', () => {
  for (const build of BUILDS) {
    const b = buildBackend(build);
    for (const [n, rows, cols] of [[1, 1, 1], [3, 5, 7], [2, 8, 4], [4, 9, 13]] as const) {
      const lds = cols + 2, sstep = rows * lds + 3, ldd = rows + 1, dstep = cols * ldd + 5;
      const src = Array.from(uniform(n * sstep, 3));
      const ps = putF32(b, src), pd = putF32(b, new Float32Array(n * dstep).fill(-9));
      b.k.rnnTranspose(n, rows, cols, ps, lds, sstep, pd, ldd, dstep);
      const got = getF32(b, pd, n * dstep);
      for (let p = 0; p < n; p++)
        for (let r = 0; r < rows; r++)
          for (let c = 0; c < cols; c++)
            assert.is(got[p * dstep + c * ldd + r], Math.fround(src[p * sstep + r * lds + c]!), `${build} ${n}x${rows}x${cols}`);
      assert.is(got.filter((v) => v === -9).length, n * dstep - n * rows * cols, 'nothing outside the destination is written');
      b.free(ps);
      b.free(pd);
    }
  }
});

// ------------------------------------------------------------------------------------------------
// the layer against the reference

type Layer = LSTM | GRU;

function refOf(m: Layer): DirParams[] {
  const ps = m.namedParameters();
  const per = m.bias ? 4 : 2;
  const out: DirParams[] = [];
  for (let i = 0; i < ps.length; i += per)
    out.push({ wih: ps[i]![1].data(), whh: ps[i + 1]![1].data(), bih: m.bias ? ps[i + 2]![1].data() : null, bhh: m.bias ? ps[i + 3]![1].data() : null });
  return out;
}

/** Max relative errors of every output and gradient of the layer vs the reference, over a set of configs. */
function layerErrors(): Record<string, number> {
  const errs: Record<string, number> = {};
  const note = (k: string, v: number) => (errs[k] = Math.max(errs[k] ?? 0, v));
  const configs: [Kind, number, boolean, boolean, boolean, boolean][] = [];
  for (const kind of ['lstm', 'gru'] as const)
    for (const [L, bidi, seq, init, bias] of [[1, false, true, false, true], [2, true, true, true, true], [2, true, false, false, true], [1, false, false, true, false]] as const)
      configs.push([kind, L, bidi, seq, init, bias]);
  for (const [kind, L, bidi, seq, init, bias] of configs) {
    const B = 3, T = 5, I = 2, H = 6, D = bidi ? 2 : 1;
    const Cls = kind === 'lstm' ? LSTM : GRU;
    const m = new Cls(I, { hiddenSize: H, numLayers: L, bidirectional: bidi, returnSequences: seq, bias, seed: 11 });
    const cfg: RnnConfig = { kind, B, T, I, H, L, D };
    const S = L * D * B * H;
    const x = randn([B, T, I], { seed: 12 }).requiresGrad_(true);
    const h0 = init ? randn([L * D, B, H], { seed: 13, std: 0.5 }).requiresGrad_(true) : null;
    const c0 = init && kind === 'lstm' ? randn([L * D, B, H], { seed: 14, std: 0.5 }).requiresGrad_(true) : null;
    const r = kind === 'lstm' ? (m as LSTM).forwardWithState(x, h0, c0) : (m as GRU).forwardWithState(x, h0);
    const params = refOf(m);
    const fw = rnnForward(cfg, x.data(), params, h0?.data() ?? null, c0?.data() ?? null);
    let outRef: number[] = fw.y;
    if (!seq) {
      outRef = [];
      for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) for (let j = 0; j < H; j++) outRef.push(fw.hn[(((L - 1) * D + d) * B + b) * H + j]!);
    }
    note('output', maxRel(r.output.data(), outRef));
    note('h_n', maxRel(r.h.data(), fw.hn));
    if (r.c) note('c_n', maxRel(r.c.data(), fw.cn));
    // loss over all outputs (three graph nodes, each with its own BPTT)
    const wy = randn(r.output.shape, { seed: 15 }), wh = randn([L * D, B, H], { seed: 16 }), wc = randn([L * D, B, H], { seed: 17 });
    let loss = r.output.mul(wy).sum().add(r.h.mul(wh).sum());
    if (r.c) loss = loss.add(r.c.mul(wc).sum());
    for (const p of m.parameters()) p.grad = null;
    loss.backward();
    let dy: number[] | null = null;
    const dhn = Array.from(wh.data());
    if (seq) dy = Array.from(wy.data());
    else {
      const w = wy.data();
      for (let b = 0; b < B; b++) for (let d = 0; d < D; d++) for (let j = 0; j < H; j++) dhn[(((L - 1) * D + d) * B + b) * H + j]! += w[(b * D + d) * H + j]!;
    }
    const bw = rnnBackward(cfg, params, fw, c0?.data() ?? null, dy, dhn, kind === 'lstm' ? wc.data() : null);
    note('dx', maxRel(x.grad!.data(), bw.dx));
    if (h0) note('dh0', maxRel(h0.grad!.data(), bw.dh0.slice(0, S)));
    if (c0) note('dc0', maxRel(c0.grad!.data(), bw.dc0.slice(0, S)));
    const named = m.namedParameters();
    const per = bias ? 4 : 2;
    bw.grads.forEach((g, k) => {
      note('dW_ih', maxRel(named[k * per]![1].grad!.data(), g.wih));
      note('dW_hh', maxRel(named[k * per + 1]![1].grad!.data(), g.whh));
      if (bias) {
        note('db_ih', maxRel(named[k * per + 2]![1].grad!.data(), g.bih));
        note('db_hh', maxRel(named[k * per + 3]![1].grad!.data(), g.bhh));
      }
    });
  }
  return errs;
}

const LAYER_TOL = 2e-5;

test('layer (simd build in-process): outputs, h_n, c_n and every gradient match the reference', () => {
  for (const [k, v] of Object.entries(layerErrors())) assert.ok(v <= LAYER_TOL, `${k}: relative error ${v}`);
});

test('layer (scalar build, child process): outputs and gradients match the reference', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, ECGRAD_RNN_LAYER_CHILD: 'scalar' }, encoding: 'utf8',
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RNN_LAYER_ERRORS '));
  assert.ok(line, `child failed: ${r.stderr.slice(0, 2000)}`);
  const errs = JSON.parse(line!.slice('RNN_LAYER_ERRORS '.length)) as Record<string, number>;
  assert.ok(Object.keys(errs).length >= 9);
  for (const [k, v] of Object.entries(errs)) assert.ok(v <= LAYER_TOL, `scalar ${k}: relative error ${v}`);
});

// ------------------------------------------------------------------------------------------------
// end-to-end float32 finite differences through time

test('gradCheck through time: input, weights and biases (LSTM/GRU, 1-2 layers, bidirectional, both outputs)', () => {
  const cases: [Kind, number, boolean, boolean, number][] = [
    ['lstm', 1, false, true, 1], ['lstm', 1, false, false, 4], ['lstm', 2, true, true, 3], ['lstm', 1, true, false, 5],
    ['gru', 1, false, true, 2], ['gru', 1, false, false, 5], ['gru', 2, true, true, 3], ['gru', 2, false, false, 4],
  ];
  for (const [kind, L, bidi, seq, T] of cases) {
    const B = 2, I = 2, H = 3, D = bidi ? 2 : 1, G = gatesOf(kind) * H;
    const shapes: number[][] = [[B, T, I]];
    for (let k = 0; k < L * D; k++) shapes.push([G, k < D ? I : D * H], [G, H], [G], [G]);
    const inputs = shapes.map((s, i) => ({ data: uniform(s.reduce((a, b) => a * b, 1), 100 + i, -0.9, 0.9), shape: s }));
    const f = (x: Tensor, ...ps: Tensor[]) => {
      const ws: RnnWeights[] = [];
      for (let i = 0; i < ps.length; i += 4) ws.push({ wih: ps[i]!, whh: ps[i + 1]!, bih: ps[i + 2]!, bhh: ps[i + 3]! });
      return rnn(kind, x, ws, { hiddenSize: H, numLayers: L, bidirectional: bidi, returnSequences: seq }).output;
    };
    gradCheck(`${kind} L${L}${bidi ? ' bidi' : ''} ${seq ? 'sequence' : 'last'} T${T}`, f, inputs);
  }
  // h_n / c_n outputs and initial states
  const H = 3, B = 2, T = 3, I = 2;
  for (const kind of ['lstm', 'gru'] as const) {
    const G = gatesOf(kind) * H;
    const shapes = [[B, T, I], [G, I], [G, H], [G], [G], [1, B, H], [1, B, H]];
    const inputs = shapes.map((s, i) => ({ data: uniform(s.reduce((a, b) => a * b, 1), 200 + i, -0.9, 0.9), shape: s }));
    gradCheck(`${kind} h_n/c_n wrt h0, c0`, (x, wih, whh, bih, bhh, h0, c0) => {
      const r = rnn(kind, x, [{ wih, whh, bih, bhh }], { hiddenSize: H, numLayers: 1, bidirectional: false, returnSequences: true }, h0, kind === 'lstm' ? c0 : null);
      return r.c ? r.h.add(r.c.mul(0.5)) : r.h.add(c0!.mul(0));
    }, inputs);
  }
});

// ------------------------------------------------------------------------------------------------
// PyTorch 1.13 fixtures

interface Fixture {
  name: string; kind: Kind; B: number; T: number; I: number; H: number; L: number; bidi: boolean; bias: boolean; init: boolean;
  params: Record<string, { shape: number[]; data: number[] }>; grads: Record<string, number[]>;
  x: number[]; dx: number[]; output: number[]; output_shape: number[]; hn: number[]; cn?: number[];
  wy: number[]; wh: number[]; wc?: number[]; h0?: number[]; dh0?: number[]; c0?: number[]; dc0?: number[];
}

test('agrees with PyTorch 1.13 (outputs and gradients, relative error <= 1e-4)', () => {
  const fixtures = JSON.parse(readFileSync(join(here, '..', 'fixtures', 'rnn.json'), 'utf8')) as Fixture[];
  assert.ok(fixtures.length >= 6);
  for (const fx of fixtures) {
    const { B, T, I, H, L } = fx, D = fx.bidi ? 2 : 1;
    const Cls = fx.kind === 'lstm' ? LSTM : GRU;
    const m = new Cls(I, { hiddenSize: H, numLayers: L, bidirectional: fx.bidi, bias: fx.bias });
    // the state dict maps 1:1 (names and shapes)
    assert.equal(m.namedParameters().map(([n, t]) => [n, [...t.shape]]), Object.entries(fx.params).map(([n, p]) => [n, p.shape]), fx.name);
    m.loadStateDict(Object.fromEntries(Object.entries(fx.params).map(([n, p]) => [n, Float32Array.from(p.data)])));
    const x = fromArray(fx.x, [B, T, I]).requiresGrad_(true);
    const h0 = fx.h0 ? fromArray(fx.h0, [L * D, B, H]).requiresGrad_(true) : null;
    const c0 = fx.c0 ? fromArray(fx.c0, [L * D, B, H]).requiresGrad_(true) : null;
    const r = fx.kind === 'lstm' ? (m as LSTM).forwardWithState(x, h0, c0) : (m as GRU).forwardWithState(x, h0);
    const tol = 1e-4;
    close(r.output.data(), fx.output, tol, `${fx.name} output`);
    close(r.h.data(), fx.hn, tol, `${fx.name} h_n`);
    if (fx.cn) close(r.c!.data(), fx.cn, tol, `${fx.name} c_n`);
    let loss = r.output.mul(fromArray(fx.wy, fx.output_shape)).sum().add(r.h.mul(fromArray(fx.wh, [L * D, B, H])).sum());
    if (fx.wc) loss = loss.add(r.c!.mul(fromArray(fx.wc, [L * D, B, H])).sum());
    loss.backward();
    close(x.grad!.data(), fx.dx, tol, `${fx.name} dx`);
    if (h0) close(h0.grad!.data(), fx.dh0!, tol, `${fx.name} dh0`);
    if (c0) close(c0.grad!.data(), fx.dc0!, tol, `${fx.name} dc0`);
    for (const [n, p] of m.namedParameters()) close(p.grad!.data(), fx.grads[n]!, tol, `${fx.name} d${n}`);
  }
});

// ------------------------------------------------------------------------------------------------
// API

test('parameters: PyTorch names, shapes, order and U(±1/sqrt(H)) init; seeds are deterministic', () => {
  const m = new LSTM(3, { hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 1 });
  assert.equal(m.namedParameters().map(([n, t]) => `${n}:${t.shape.join('x')}`), [
    'weight_ih_l0:16x3', 'weight_hh_l0:16x4', 'bias_ih_l0:16', 'bias_hh_l0:16',
    'weight_ih_l0_reverse:16x3', 'weight_hh_l0_reverse:16x4', 'bias_ih_l0_reverse:16', 'bias_hh_l0_reverse:16',
    'weight_ih_l1:16x8', 'weight_hh_l1:16x4', 'bias_ih_l1:16', 'bias_hh_l1:16',
    'weight_ih_l1_reverse:16x8', 'weight_hh_l1_reverse:16x4', 'bias_ih_l1_reverse:16', 'bias_hh_l1_reverse:16',
  ]);
  for (const p of m.parameters()) for (const v of p.data()) assert.ok(Math.abs(v) <= 0.5);
  const g = new GRU(2, 5, { bias: false, seed: 1 });
  assert.equal(g.namedParameters().map(([n, t]) => `${n}:${t.shape.join('x')}`), ['weight_ih_l0:15x2', 'weight_hh_l0:15x5']);
  assert.equal(Array.from(new LSTM(3, { hiddenSize: 4, seed: 9 }).parameters()[0]!.data()), Array.from(new LSTM(3, { hiddenSize: 4, seed: 9 }).parameters()[0]!.data()));
  assert.is(new LSTM(1, { hiddenSize: 64 }).parameterCount(), 4 * 64 * (1 + 64 + 2));
});

test('shapes of outputs and states', () => {
  const x = randn([4, 6, 3], { seed: 1 });
  const m = new LSTM(3, { hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 2 });
  const r = m.forwardWithState(x);
  assert.equal([r.output.shape, r.h.shape, r.c.shape], [[4, 6, 10], [4, 4, 5], [4, 4, 5]]);
  assert.equal(new GRU(3, { hiddenSize: 5, returnSequences: false, bidirectional: true, seed: 2 }).forward(x).shape, [4, 10]);
  // the last state equals h_n[-D:] laid out as [B, D·H]
  const g = new GRU(3, { hiddenSize: 5, returnSequences: false, seed: 2 });
  assert.equal(Array.from(g.forward(x).data()), Array.from(g.forwardWithState(x).h.data()));
});

test('bad input: clear errors naming the layer and the shapes', () => {
  const m = new LSTM(3, { hiddenSize: 4 });
  assert.throws(() => m.forward(randn([2, 3])), /LSTM\(3, 4\): input of shape \[2, 3\] must be \[batch, time, 3\]/);
  assert.throws(() => m.forward(randn([2, 5, 4])), /LSTM\(3, 4\): input of shape \[2, 5, 4\] must be \[batch, time, 3\]/);
  assert.throws(() => m.forward(randn([2, 3, 5])), /x\.transpose\(1, 2\)/);
  assert.throws(() => m.forward(randn([2, 0, 3])), /LSTM\(3, 4\): input of shape \[2, 0, 3\] has no time steps/);
  assert.throws(() => m.forward(randn([2, 5, 3]), randn([1, 3, 4])), /LSTM\(3, 4\): h0 of shape \[1, 3, 4\] must be \[1, 2, 4\]/);
  assert.throws(() => new GRU(3, { hiddenSize: 4, numLayers: 2, bidirectional: true }).forward(randn([2, 5, 2])), /GRU\(3, 4, numLayers=2, bidirectional\): input of shape \[2, 5, 2\]/);
  assert.throws(() => new LSTM(0, { hiddenSize: 4 }), /LSTM: inputSize must be a positive integer, got 0/);
  assert.throws(() => new GRU(2, { hiddenSize: 2.5 }), /GRU: hiddenSize must be a positive integer, got 2.5/);
});

test('backward twice with retainGraph gives the same gradients (forward buffers are not overwritten)', () => {
  const m = new LSTM(2, { hiddenSize: 3, seed: 4 });
  const x = randn([2, 4, 2], { seed: 5 });
  const loss = m.forward(x).square().sum();
  loss.backward(undefined, { retainGraph: true });
  const g1 = Array.from(m.parameters()[1]!.grad!.data());
  m.parameters()[1]!.zeroGrad();
  loss.backward();
  assert.equal(Array.from(m.parameters()[1]!.grad!.data()), g1);
});

test('long sequences: last-state gradients decay to exact zeros, never NaN (subnormal flush)', () => {
  const m = new LSTM(1, { hiddenSize: 8, returnSequences: false, seed: 6 });
  const x = randn([3, 300, 1], { seed: 7 }).requiresGrad_(true);
  m.forward(x).sum().backward();
  const g = x.grad!.data();
  assert.ok(g.every(Number.isFinite));
  assert.ok(Math.abs(g[299]!) > 0);
});

if (CHILD) console.log(`RNN_LAYER_ERRORS ${JSON.stringify(layerErrors())}`);
else test.run();
