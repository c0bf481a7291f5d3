// Multi-layer, optionally bidirectional LSTM / GRU over batch-first input [B, T, I] as ONE autograd
// node per output (kernels: assembly/rnn.ts, GEMM: assembly/gemm.ts).
//
// Internally every sequence is feature-major [F, T, Bp] (batch padded with zeros to Bp, a multiple of
// 8), so one time step of a [F, T, Bp] buffer is an [F, Bp] matrix with 8-aligned contiguous rows and
// the whole sequence flattens to an [F, T·Bp] matrix. The input is transposed into that layout once,
// the output back once; layer l's output [D·H, T, Bp] is directly layer l+1's input.
// Forward, per layer l and direction d (k = l·D + d):
//   lstmSeqForward / gruSeqForward      one wasm call running the whole time loop; each step computes
//                                       W_hh·h_{t−1} + W_ih·x_t + biases in register tiles fused with
//                                       the cell (the input projection is part of the same tiles), and
//                                       saves the gates and c_t (LSTM) or W_hn·h + b_hn (GRU)
// Backward (BPTT), layers top-down, per direction:
//   lstmSeqBackward / gruSeqBackward    one wasm call: per step W_hhᵀ·da_{t+1} fused with the cell
//                                       backward; gives da (input side) and dhg (recurrent side; = da
//                                       for LSTM), plus dh0 / dc0
//   dW_hh = dhg·h_prevᵀ                 one GEMM over (T−1)·Bp columns (h_prev is the output sequence
//                                       shifted by one step) + one over Bp columns for h0
//   dW_ih = da·in_lᵀ, db = row sums     one GEMM over T·Bp columns; d in_l = Σ_d W_ihᵀ·da_d
// The forward buffers are never overwritten by the backward, so backward may run more than once
// (retainGraph). The outputs (sequence or last state, h_n, c_n) are separate graph nodes over the same
// inputs; each runs BPTT for its own gradient, so using two of them costs two BPTT passes.
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { backend, workspace, writeArgs } from '../core/runtime.ts';
import { fmt } from '../core/shape.ts';
import { ReduceOp } from '../wasm/opcodes.ts';
import { empty, fromArray, zeros } from './creation.ts';
import { gemmRaw } from './matmul.ts';

/** The recurrent cell of the rnn op: 'lstm' or 'gru' (parameters named and laid out as PyTorch's). */
export type RnnKind = 'lstm' | 'gru';

/** The parameters of one direction of one layer (PyTorch names: weight_ih_l{l}[_reverse], ...). */
export interface RnnWeights {
  /** [G·H, in] */
  wih: Tensor;
  /** [G·H, H] */
  whh: Tensor;
  /** [G·H] or null */
  bih: Tensor | null;
  bhh: Tensor | null;
}

/**
 * Options of the rnn op: hidden size, layers, direction, and whether to return every step or the final
 * states.
 */
export interface RnnOpOptions {
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  /** true: output [B, T, D·H] (last layer, every step); false: [B, D·H] (last layer's final states). */
  returnSequences: boolean;
  /** Layer name used in error messages, e.g. "LSTM(1, 64)". */
  name?: string;
}

/** What the rnn op returns: the output and the final hidden (and, for LSTM, cell) states. */
export interface RnnResult {
  output: Tensor;
  /** [L·D, B, H] final hidden states (PyTorch h_n). */
  h: Tensor;
  /** [L·D, B, H] final cell states (LSTM c_n); null for GRU. */
  c: Tensor | null;
}

interface Saved {
  xg: Tensor;
  aux: Tensor;
  h0: Tensor;
  c0: Tensor | null;
}

const F = 4; // bytes per float

/** ndim, shape, srcStrides, dstStrides for stridedCopy (valid until the next writeArgs). */
function copyArgs(shape: number[], src: number[], dst: number[]): [number, number, number, number] {
  const [ps, pa, pb] = writeArgs(shape, src, dst);
  return [shape.length, ps!, pa!, pb!];
}

/** C[M,N] (row stride ldc) = op(A)·op(B) (+ C) with explicit leading dimensions. */
function gemmLd(tA: number, tB: number, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: boolean): void {
  const k = backend().k;
  k.gemm(tA, tB, M, N, K, 1, a, lda, b, ldb, acc ? 1 : 0, c, ldc, workspace(k.gemmWorkSize(M, N, K)));
}

/**
 * Runs the stacked recurrent layer. weights[l·D + d]; h0 / c0: [L·D, B, H] initial states (zeros when
 * omitted; c0 only for LSTM).
 */
export function rnn(kind: RnnKind, x: Tensor, weights: RnnWeights[], opts: RnnOpOptions, h0: Tensor | null = null, c0: Tensor | null = null): RnnResult {
  const H = opts.hiddenSize, L = opts.numLayers, D = opts.bidirectional ? 2 : 1;
  const name = opts.name ?? kind.toUpperCase();
  const G = (kind === 'lstm' ? 4 : 3) * H;
  if (!(x instanceof Tensor)) throw new TypeError(`${name}: input must be a Tensor`);
  if (weights.length !== L * D) throw new RangeError(`${name}: expected ${L * D} weight sets, got ${weights.length}`);
  const I = weights[0]!.wih.shape[1]!;
  if (x.ndim !== 3 || x.shape[2] !== I)
    throw new RangeError(`${name}: input of shape ${fmt(x.shape)} must be [batch, time, ${I}] (batch-first, ${I} features)`);
  const [B, T] = x.shape as [number, number, number];
  if (B === 0 || T === 0) throw new RangeError(`${name}: input of shape ${fmt(x.shape)} has no ${B === 0 ? 'batch entries' : 'time steps'}`);
  weights.forEach((w, k) => {
    const In = k < D ? I : D * H;
    const bad = (t: Tensor | null, shape: number[]) => t !== null && (t.ndim !== shape.length || t.shape.some((v, i) => v !== shape[i]));
    if (bad(w.wih, [G, In]) || bad(w.whh, [G, H]) || bad(w.bih, [G]) || bad(w.bhh, [G]) || (w.bih === null) !== (w.bhh === null))
      throw new RangeError(`${name}: weights of layer ${Math.floor(k / D)}${k % D ? ' (reverse)' : ''} do not fit: expected [${G}, ${In}], [${G}, ${H}] and biases [${G}]`);
  });
  const stateShape = [L * D, B, H];
  for (const [s, label] of [[h0, 'h0'], [c0, 'c0']] as const)
    if (s && (s.ndim !== 3 || s.shape[0] !== L * D || s.shape[1] !== B || s.shape[2] !== H))
      throw new RangeError(`${name}: ${label} of shape ${fmt(s.shape)} must be ${fmt(stateShape)} for an input of shape ${fmt(x.shape)}`);
  if (c0 && kind === 'gru') throw new RangeError(`${name}: a GRU has no cell state (c0)`);

  const k = backend().k;
  const Bp = Math.ceil(B / 8) * 8, TB = T * Bp, DH = D * H, BH = B * H, HB = H * Bp;
  const pk = empty([k.rnnScratchSize(H, Math.max(I, L > 1 ? DH : 0), Bp, G / H)]);
  const tile = empty([32]);
  const hAll = empty(stateShape);
  const cAll = kind === 'lstm' ? empty(stateShape) : null;
  const hnT = empty([H, Bp]);
  const cnT = empty([H, Bp]);
  /** [B, H] slice kk of a [L·D, B, H] state into a zero-padded [H, Bp] matrix (or zeros). */
  const stateIn = (s: Tensor | null, kk: number): Tensor => {
    const t = zeros([H, Bp]);
    if (s) k.rnnTranspose(1, B, H, s.ptr + kk * BH * F, H, 0, t.ptr, Bp, 0);
    return t;
  };
  const stateOut = (src: Tensor, dst: Tensor, kk: number) => k.rnnTranspose(1, H, B, src.ptr, Bp, 0, dst.ptr + kk * BH * F, H, 0);
  /** Row biases of the fused forward tiles: LSTM b_ih + b_hh per gate; GRU [b_ir + b_hr, b_iz + b_hz, b_hn, b_in]. */
  const rowBias = (w: RnnWeights): Tensor => {
    const out = new Float32Array(4 * H);
    if (w.bih && w.bhh) {
      const bi = w.bih.data(), bh = w.bhh.data();
      for (let i = 0; i < 2 * H; i++) out[i] = bi[i]! + bh[i]!;
      for (let i = 2 * H; i < 4 * H; i++)
        out[i] = kind === 'lstm' ? bi[i]! + bh[i]! : i < 3 * H ? bh[i]! : bi[i - H]!;
    }
    return fromArray(out, [4 * H]);
  };

  const xT = zeros([I, T, Bp]);
  k.rnnTranspose(T, B, I, x.ptr, T * I, I, xT.ptr, TB, Bp);
  const saved: Saved[] = [];
  const layerInputs: Tensor[] = [];
  const layerOutputs: Tensor[] = [];
  const inputs: Tensor[] = [x];
  let input = xT;
  for (let l = 0; l < L; l++) {
    layerInputs.push(input);
    const In = l === 0 ? I : DH;
    const ys = empty([DH, T, Bp]);
    layerOutputs.push(ys);
    for (let d = 0; d < D; d++) {
      const kk = l * D + d;
      const w = weights[kk]!;
      const xg = empty([G, T, Bp]);
      const bias = rowBias(w);
      const aux = empty([H, T, Bp]);
      const h0T = stateIn(h0, kk);
      const ysd = ys.ptr + d * H * TB * F;
      let c0T: Tensor | null = null;
      if (kind === 'lstm') {
        c0T = stateIn(c0, kk);
        k.lstmSeqForward(H, T, Bp, In, d, input.ptr, w.wih.ptr, w.whh.ptr, bias.ptr, h0T.ptr, c0T.ptr, xg.ptr, ysd, aux.ptr, hnT.ptr, cnT.ptr, pk.ptr, tile.ptr);
        stateOut(cnT, cAll!, kk);
      } else {
        k.gruSeqForward(H, T, Bp, In, d, input.ptr, w.wih.ptr, w.whh.ptr, bias.ptr, h0T.ptr, xg.ptr, ysd, aux.ptr, hnT.ptr, pk.ptr, tile.ptr);
      }
      stateOut(hnT, hAll, kk);
      saved.push({ xg, aux, h0: h0T, c0: c0T });
      inputs.push(w.wih, w.whh);
      if (w.bih && w.bhh) inputs.push(w.bih, w.bhh);
    }
    input = ys;
  }
  const h0Index = h0 ? inputs.push(h0) - 1 : -1;
  const c0Index = c0 ? inputs.push(c0) - 1 : -1;

  let output: Tensor;
  if (opts.returnSequences) {
    output = empty([B, T, DH]);
    k.rnnTranspose(T, DH, B, input.ptr, TB, Bp, output.ptr, T * DH, DH);
  } else {
    output = empty([B, DH]);
    for (let d = 0; d < D; d++)
      k.stridedCopy(hAll.ptr + ((L - 1) * D + d) * BH * F, output.ptr + d * H * F, ...copyArgs([B, H], [H, 1], [DH, 1]));
  }

  /** BPTT for one output's gradient: dy [B, T, DH] (sequence), dlast [B, DH], dhn / dcn [L·D, B, H]. */
  const bptt = (g: { dy?: Tensor; dlast?: Tensor; dhn?: Tensor; dcn?: Tensor }, needs: boolean[]): (Tensor | null)[] => {
    const kb = backend().k;
    const grads: (Tensor | null)[] = new Array(inputs.length).fill(null);
    const dh0 = h0 ? empty(stateShape) : null;
    const dc0 = c0 ? empty(stateShape) : null;
    const dh0T = empty([H, Bp]), dc0T = empty([H, Bp]), dd = empty([H, Bp]);
    const zeroState = zeros([H, Bp]);
    let dOut: Tensor | null = null; // gradient of the current layer's output, [DH, T, Bp]
    if (g.dy) {
      dOut = zeros([DH, T, Bp]);
      kb.rnnTranspose(T, B, DH, g.dy.ptr, T * DH, DH, dOut.ptr, TB, Bp);
    }
    /** [H, Bp] gradient of the final state of direction kk (zeros when it has none). */
    const finalGrad = (src: Tensor | undefined, kk: number, top: boolean, d: number): Tensor => {
      if (g.dlast && top) {
        const t = zeros([H, Bp]);
        kb.rnnTranspose(1, B, H, g.dlast.ptr + d * H * F, DH, 0, t.ptr, Bp, 0);
        return t;
      }
      if (!src) return zeroState;
      const t = zeros([H, Bp]);
      kb.rnnTranspose(1, B, H, src.ptr + kk * BH * F, H, 0, t.ptr, Bp, 0);
      return t;
    };
    let pi = 1 + weights.reduce((n, w) => n + (w.bih ? 4 : 2), 0); // one past the last weight input
    for (let l = L - 1; l >= 0; l--) {
      const In = l === 0 ? I : DH;
      const lin = layerInputs[l]!;
      const ys = layerOutputs[l]!;
      const wantIn = l > 0 || needs[0]!;
      const dIn = wantIn ? empty([In, T, Bp]) : null;
      const layerParams: number[][] = [];
      for (let d = D - 1; d >= 0; d--) {
        const n = weights[l * D + d]!.bih ? 4 : 2;
        pi -= n;
        layerParams[d] = Array.from({ length: n }, (_, i) => pi + i);
      }
      for (let d = 0; d < D; d++) {
        const kk = l * D + d;
        const w = weights[kk]!;
        const sv = saved[kk]!;
        const top = l === L - 1;
        const dyp = dOut ? dOut.ptr + d * H * TB * F : 0;
        const ysd = ys.ptr + d * H * TB * F;
        const dhn = finalGrad(g.dhn, kk, top, d);
        const da = empty([G, T, Bp]);
        let dhg = da;
        if (kind === 'lstm') {
          const dcn = g.dcn ? finalGrad(g.dcn, kk, false, d) : zeroState;
          kb.lstmSeqBackward(H, T, Bp, In, d, sv.xg.ptr, sv.aux.ptr, sv.c0!.ptr, w.whh.ptr, dyp, dhn.ptr, dcn.ptr, da.ptr, dh0T.ptr, dc0T.ptr, pk.ptr, tile.ptr);
          if (dc0) stateOut(dc0T, dc0, kk);
        } else {
          dhg = empty([G, T, Bp]);
          kb.gruSeqBackward(H, T, Bp, In, d, sv.xg.ptr, ysd, sv.h0.ptr, sv.aux.ptr, w.whh.ptr, dyp, dhn.ptr, da.ptr, dhg.ptr, dd.ptr, dh0T.ptr, pk.ptr, tile.ptr);
        }
        if (dh0) stateOut(dh0T, dh0, kk);
        const [iwih, iwhh, ibih, ibhh] = layerParams[d]!;
        if (needs[iwih!]) {
          const gw = empty([G, In]);
          gemmRaw(false, true, G, In, TB, da.ptr, lin.ptr, gw.ptr);
          grads[iwih!] = gw;
        }
        if (needs[iwhh!]) {
          // h_prev(t) = ys(t − 1) (forward) or ys(t + 1) (reverse): the output shifted by one step, plus h0
          const gw = empty([G, H]);
          const K = (T - 1) * Bp;
          if (d === 0) {
            gemmLd(0, 1, G, H, K, dhg.ptr + Bp * F, TB, ysd, TB, gw.ptr, H, false);
            gemmLd(0, 1, G, H, Bp, dhg.ptr, TB, sv.h0.ptr, Bp, gw.ptr, H, true);
          } else {
            gemmLd(0, 1, G, H, K, dhg.ptr, TB, ysd + Bp * F, TB, gw.ptr, H, false);
            gemmLd(0, 1, G, H, Bp, dhg.ptr + K * F, TB, sv.h0.ptr, Bp, gw.ptr, H, true);
          }
          grads[iwhh!] = gw;
        }
        if (ibih !== undefined && needs[ibih]) {
          const gb = empty([G]);
          kb.reduce(ReduceOp.SUM, da.ptr, gb.ptr, G, TB, 1);
          grads[ibih] = gb;
        }
        if (ibhh !== undefined && needs[ibhh]) {
          const gb = empty([G]);
          kb.reduce(ReduceOp.SUM, dhg.ptr, gb.ptr, G, TB, 1);
          grads[ibhh] = gb;
        }
        if (dIn) gemmRaw(true, false, In, TB, G, w.wih.ptr, da.ptr, dIn.ptr, d > 0);
      }
      dOut = dIn;
    }
    if (needs[0] && dOut) {
      const dx = empty([B, T, I]);
      kb.rnnTranspose(T, I, B, dOut.ptr, TB, Bp, dx.ptr, T * I, I);
      grads[0] = dx;
    }
    if (h0Index >= 0) grads[h0Index] = needs[h0Index] ? dh0 : null;
    if (c0Index >= 0) grads[c0Index] = needs[c0Index] ? dc0 : null;
    return grads;
  };

  record(output, name, inputs, (g, needs) => bptt(opts.returnSequences ? { dy: g } : { dlast: g }, needs));
  record(hAll, `${name}.h_n`, inputs, (g, needs) => bptt({ dhn: g }, needs));
  if (cAll) record(cAll, `${name}.c_n`, inputs, (g, needs) => bptt({ dcn: g }, needs));
  return { output, h: hAll, c: cAll };
}
