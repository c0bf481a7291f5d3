// Multi-layer, optionally bidirectional LSTM / GRU over batch-first input [B, T, I] as ONE autograd
// node per output (kernels: assembly/rnn.ts, GEMM: assembly/gemm.ts).
//
// Forward, per layer l and direction d (k = l·D + d):
//   xg = in_l·W_ihᵀ + bias            one GEMM over all B·T rows (bias rows broadcast first, beta = 1;
//                                     LSTM bias = b_ih + b_hh, GRU bias = b_ih + [b_hr, b_hz, 0])
//   lstmForward / gruForward          one wasm call running the whole time loop: per step one GEMM
//                                     (h_{t−1}·W_hhᵀ) and one fused cell; saves the activated gates,
//                                     the states entering each step (hp) and c_t (LSTM) or
//                                     W_hn·h + b_hn (GRU)
// Backward (BPTT), layers top-down, per direction:
//   lstmBackward / gruBackward        one wasm call: per step a fused cell backward and one GEMM
//                                     (dh_{t−1} = da_t·W_hh); gives the pre-activation gradients
//                                     dg (input side) and dhg (recurrent side; = dg for LSTM)
//   dW_hh = dhgᵀ·hp, dW_ih = dgᵀ·in_l one GEMM each over all B·T rows; db_ih = Σ dg, db_hh = Σ dhg
//   d in_l = Σ_d dg_d·W_ih_d          one GEMM per direction (accumulating)
// The forward buffers are never overwritten by the backward, so backward may run more than once
// (retainGraph). The outputs (sequence or last state, h_n, c_n) are separate graph nodes over the same
// inputs; each runs BPTT for its own gradient, so using two of them costs two BPTT passes.
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { backend, writeArgs } from '../core/runtime.ts';
import { fmt } from '../core/shape.ts';
import { ReduceOp } from '../wasm/opcodes.ts';
import { empty, zeros } from './creation.ts';
import { gemmRaw } from './matmul.ts';

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

export interface RnnOpOptions {
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  /** true: output [B, T, D·H] (last layer, every step); false: [B, D·H] (last layer's final states). */
  returnSequences: boolean;
  /** Layer name used in error messages, e.g. "LSTM(1, 64)". */
  name?: string;
}

export interface RnnResult {
  output: Tensor;
  /** [L·D, B, H] final hidden states (PyTorch h_n). */
  h: Tensor;
  /** [L·D, B, H] final cell states (LSTM c_n); null for GRU. */
  c: Tensor | null;
}

interface Saved {
  xg: Tensor;
  hp: Tensor;
  aux: Tensor;
}

const F = 4; // bytes per float

/** ndim, shape, srcStrides, dstStrides for stridedCopy (valid until the next writeArgs). */
function copyArgs(shape: number[], src: number[], dst: number[]): [number, number, number, number] {
  const [ps, pa, pb] = writeArgs(shape, src, dst);
  return [shape.length, ps!, pa!, pb!];
}

/**
 * Runs the stacked recurrent layer. weights[l·D + d]; h0 / c0: [L·D, B, H] initial states (zeros when
 * omitted; c0 only for LSTM).
 */
export function rnn(kind: RnnKind, x: Tensor, weights: RnnWeights[], opts: RnnOpOptions, h0: Tensor | null = null, c0: Tensor | null = null): RnnResult {
  const H = opts.hiddenSize, L = opts.numLayers, D = opts.bidirectional ? 2 : 1;
  const name = opts.name ?? kind.toUpperCase();
  const Gm = kind === 'lstm' ? 4 : 3;
  const G = Gm * H;
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
  const BT = B * T, DH = D * H, BH = B * H;
  const zeroH = zeros([Math.max(H, BH)]); // zero row(s): missing h0/c0/b_hn, absent gradients (stride 0)
  const dummyRow = empty([H]); // sink for the sequence output the last layer does not need
  const work = empty([Math.ceil(Math.max(k.gemmWorkSize(B, G, H), k.gemmWorkSize(B, H, G)) / F)]);
  const hg = kind === 'gru' ? empty([B, G]) : null;
  const bias = empty([G]);
  const hAll = empty(stateShape);
  const cAll = kind === 'lstm' ? empty(stateShape) : null;
  const saved: Saved[] = [];
  const layerInputs: Tensor[] = [];
  const inputs: Tensor[] = [x];
  let input = x;
  for (let l = 0; l < L; l++) {
    layerInputs.push(input);
    const In = l === 0 ? I : DH;
    const top = l === L - 1;
    const y = top && !opts.returnSequences ? null : empty([B, T, DH]);
    for (let d = 0; d < D; d++) {
      const kk = l * D + d;
      const w = weights[kk]!;
      const xg = empty([B, T, G]);
      if (w.bih && w.bhh) {
        k.stridedCopy(w.bih.ptr, bias.ptr, ...copyArgs([G], [1], [1]));
        k.axpy(kind === 'lstm' ? G : 2 * H, 1, w.bhh.ptr, bias.ptr);
        k.stridedCopy(bias.ptr, xg.ptr, ...copyArgs([BT, G], [0, 1], [G, 1]));
      }
      gemmRaw(false, true, BT, G, In, input.ptr, w.wih.ptr, xg.ptr, !!w.bih);
      const hp = empty([B, T, H]);
      const aux = empty([B, T, H]);
      const yp = y ? y.ptr + d * H * F : dummyRow.ptr;
      const ldy = y ? DH : 0;
      const h0p = h0 ? h0.ptr + kk * BH * F : zeroH.ptr;
      if (kind === 'lstm') {
        const c0p = c0 ? c0.ptr + kk * BH * F : zeroH.ptr;
        k.lstmForward(B, T, H, d, xg.ptr, hp.ptr, aux.ptr, yp, ldy, h0p, c0p, hAll.ptr + kk * BH * F, cAll!.ptr + kk * BH * F, w.whh.ptr, work.ptr);
      } else {
        const bhn = w.bhh ? w.bhh.ptr + 2 * H * F : zeroH.ptr;
        k.gruForward(B, T, H, d, xg.ptr, hp.ptr, aux.ptr, yp, ldy, h0p, hAll.ptr + kk * BH * F, w.whh.ptr, bhn, hg!.ptr, work.ptr);
      }
      saved.push({ xg, hp, aux });
      inputs.push(w.wih, w.whh);
      if (w.bih && w.bhh) inputs.push(w.bih, w.bhh);
    }
    if (y) input = y;
  }
  const h0Index = h0 ? inputs.push(h0) - 1 : -1;
  const c0Index = c0 ? inputs.push(c0) - 1 : -1;

  let output: Tensor;
  if (opts.returnSequences) output = input;
  else {
    output = empty([B, DH]);
    for (let d = 0; d < D; d++)
      k.stridedCopy(hAll.ptr + ((L - 1) * D + d) * BH * F, output.ptr + d * H * F, ...copyArgs([B, H], [H, 1], [DH, 1]));
  }

  /** BPTT for one output's gradient: dy [B, T, DH] (sequence), dlast [B, DH], dhn / dcn [L·D, B, H]. */
  const bptt = (g: { dy?: Tensor; dlast?: Tensor; dhn?: Tensor; dcn?: Tensor }, needs: boolean[]): (Tensor | null)[] => {
    const kb = backend().k;
    const grads: (Tensor | null)[] = new Array(inputs.length).fill(null);
    const dh0 = empty(stateShape);
    const dc0 = kind === 'lstm' ? empty(stateShape) : null;
    const bwork = empty([Math.ceil(kb.gemmWorkSize(B, H, G) / F)]);
    let dOut: Tensor | null = g.dy ?? null; // gradient of the current layer's sequence output
    let pi = 1 + weights.reduce((n, w) => n + (w.bih ? 4 : 2), 0); // one past the last weight input
    for (let l = L - 1; l >= 0; l--) {
      const In = l === 0 ? I : DH;
      const lin = layerInputs[l]!;
      const wantIn = l > 0 || needs[0]!;
      const dIn = wantIn ? empty([B, T, In]) : null;
      // input indices of this layer's weights, in order
      const layerParams: number[][] = [];
      for (let d = D - 1; d >= 0; d--) {
        const w = weights[l * D + d]!;
        const n = w.bih ? 4 : 2;
        pi -= n;
        layerParams[d] = Array.from({ length: n }, (_, i) => pi + i);
      }
      for (let d = 0; d < D; d++) {
        const kk = l * D + d;
        const w = weights[kk]!;
        const sv = saved[kk]!;
        const top = l === L - 1;
        const dyp = dOut ? dOut.ptr + d * H * F : zeroH.ptr;
        const ldy = dOut ? DH : 0;
        let dhn = zeroH.ptr, ldhn = 0;
        if (top && g.dlast) [dhn, ldhn] = [g.dlast.ptr + d * H * F, DH];
        else if (g.dhn) [dhn, ldhn] = [g.dhn.ptr + kk * BH * F, H];
        const dg = empty([B, T, G]);
        let dhg = dg;
        if (kind === 'lstm') {
          const [dcn, ldcn] = g.dcn ? [g.dcn.ptr + kk * BH * F, H] : [zeroH.ptr, 0];
          kb.lstmBackward(B, T, H, d, sv.xg.ptr, sv.aux.ptr, c0 ? c0.ptr + kk * BH * F : zeroH.ptr, dyp, ldy, dhn, ldhn, dcn, ldcn,
            w.whh.ptr, dg.ptr, dh0.ptr + kk * BH * F, dc0!.ptr + kk * BH * F, bwork.ptr);
        } else {
          dhg = empty([B, T, G]);
          kb.gruBackward(B, T, H, d, sv.xg.ptr, sv.hp.ptr, sv.aux.ptr, dyp, ldy, dhn, ldhn, w.whh.ptr, dg.ptr, dhg.ptr,
            dh0.ptr + kk * BH * F, bwork.ptr);
        }
        const [iwih, iwhh, ibih, ibhh] = layerParams[d]!;
        if (needs[iwih!]) {
          const gw = empty([G, In]);
          gemmRaw(true, false, G, In, BT, dg.ptr, lin.ptr, gw.ptr);
          grads[iwih!] = gw;
        }
        if (needs[iwhh!]) {
          const gw = empty([G, H]);
          gemmRaw(true, false, G, H, BT, dhg.ptr, sv.hp.ptr, gw.ptr);
          grads[iwhh!] = gw;
        }
        if (ibih !== undefined && needs[ibih]) {
          const gb = empty([G]);
          kb.reduce(ReduceOp.SUM, dg.ptr, gb.ptr, 1, BT, G);
          grads[ibih] = gb;
        }
        if (ibhh !== undefined && needs[ibhh]) {
          const gb = empty([G]);
          kb.reduce(ReduceOp.SUM, dhg.ptr, gb.ptr, 1, BT, G);
          grads[ibhh] = gb;
        }
        if (dIn) gemmRaw(false, false, BT, In, G, dg.ptr, w.wih.ptr, dIn.ptr, d > 0);
      }
      dOut = dIn;
    }
    grads[0] = needs[0] ? dOut : null;
    if (h0Index >= 0) grads[h0Index] = needs[h0Index] ? dh0 : null;
    if (c0Index >= 0) grads[c0Index] = needs[c0Index] ? dc0 : null;
    return grads;
  };

  record(output, name, inputs, (g, needs) => bptt(opts.returnSequences ? { dy: g } : { dlast: g }, needs));
  record(hAll, `${name}.h_n`, inputs, (g, needs) => bptt({ dhn: g }, needs));
  if (cAll) record(cAll, `${name}.c_n`, inputs, (g, needs) => bptt({ dcn: g }, needs));
  return { output, h: hAll, c: cAll };
}
