// LSTM and GRU layers (PyTorch-compatible parameters, batch-first input).
//
//   const lstm = new LSTM(inputSize, { hiddenSize: 64, numLayers: 1, bidirectional: false });
//   const y = lstm.forward(x);                     // x [B, T, I] -> y [B, T, D·H] (every step, last layer)
//   const { output, h, c } = lstm.forwardWithState(x, h0, c0);  // h, c: [numLayers·D, B, H] (h_n, c_n)
//   new LSTM(1, { hiddenSize: 64, returnSequences: false }).forward(x)   // [B, D·H]: the last layer's
//                                                  // final hidden state per direction (= h_n[-D:] as
//                                                  // [B, D·H]; forward at t = T−1, reverse at t = 0)
// Every output is differentiable (h and c too). h0 / c0 are optional initial states [numLayers·D, B, H]
// (zeros when omitted). A GRU has no c (forwardWithState returns c = null).
//
// Parameters, named and shaped exactly as in PyTorch so a state dict maps 1:1 (D = 2 adds the same
// set with the suffix "_reverse"): weight_ih_l{k} [G·H, in] (in = inputSize for layer 0, D·H above),
// weight_hh_l{k} [G·H, H], bias_ih_l{k} [G·H], bias_hh_l{k} [G·H]; G = 4 for LSTM (gate rows i, f, g, o)
// and 3 for GRU (r, z, n). GRU follows PyTorch: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
// h' = (1 − z) ⊙ n + z ⊙ h. Init: every parameter U(−1/√H, 1/√H), drawn in PyTorch's parameter order
// from the layer's seed (or the global init generator, see initSeed).
// The computation (one GEMM for the input projection, one wasm call per direction running the whole
// time loop, BPTT as one graph node) is in src/ops/rnn.ts.
import { Module } from './module.ts';
import { Tensor } from '../core/tensor.ts';
import { fmt } from '../core/shape.ts';
import { rnn, type RnnKind, type RnnResult, type RnnWeights } from '../ops/rnn.ts';
import { layerRng, uniformInit } from './init.ts';

/**
 * Options of LSTM and GRU: hidden size (required), layers, direction, biases, what forward() returns, and the
 * seed.
 */
export interface RNNOptions {
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Add a reverse-direction pass per layer; outputs concatenate [forward, reverse] (default false). */
  bidirectional?: boolean;
  /** Learnable biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** forward() returns every step [B, T, D·H] (default true) or the final states [B, D·H] (false). */
  returnSequences?: boolean;
  /** Seed for the parameter init. */
  seed?: number;
}

abstract class RNNBase extends Module {
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly bias: boolean;
  readonly returnSequences: boolean;
  private readonly weights: RnnWeights[] = [];

  constructor(
    private readonly kind: RnnKind,
    readonly inputSize: number,
    hiddenSizeOrOpts: number | RNNOptions,
    more: Omit<RNNOptions, 'hiddenSize'> = {},
  ) {
    super();
    const opts: RNNOptions = typeof hiddenSizeOrOpts === 'number' ? { ...more, hiddenSize: hiddenSizeOrOpts } : hiddenSizeOrOpts;
    const label = kind.toUpperCase();
    if (!opts || typeof opts !== 'object') throw new TypeError(`${label}: options must be an object with hiddenSize`);
    this.hiddenSize = opts.hiddenSize;
    this.numLayers = opts.numLayers ?? 1;
    for (const [k, v] of [['inputSize', inputSize], ['hiddenSize', this.hiddenSize], ['numLayers', this.numLayers]] as const)
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${label}: ${k} must be a positive integer, got ${v}`);
    this.bidirectional = opts.bidirectional ?? false;
    this.bias = opts.bias ?? true;
    this.returnSequences = opts.returnSequences ?? true;
    const H = this.hiddenSize, G = (kind === 'lstm' ? 4 : 3) * H, D = this.bidirectional ? 2 : 1;
    const rng = layerRng(opts.seed);
    const bound = 1 / Math.sqrt(H);
    for (let l = 0; l < this.numLayers; l++)
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const In = l === 0 ? inputSize : D * H;
        const wih = this.param(`weight_ih${sfx}`, uniformInit([G, In], bound, rng));
        const whh = this.param(`weight_hh${sfx}`, uniformInit([G, H], bound, rng));
        const bih = this.bias ? this.param(`bias_ih${sfx}`, uniformInit([G], bound, rng)) : null;
        const bhh = this.bias ? this.param(`bias_hh${sfx}`, uniformInit([G], bound, rng)) : null;
        this.weights.push({ wih, whh, bih, bhh });
      }
  }

  private get label(): string {
    const extra = [this.numLayers > 1 ? `numLayers=${this.numLayers}` : '', this.bidirectional ? 'bidirectional' : ''].filter(Boolean);
    return `${this.kind.toUpperCase()}(${this.inputSize}, ${this.hiddenSize}${extra.length ? ', ' + extra.join(', ') : ''})`;
  }

  protected run(x: Tensor, h0?: Tensor | null, c0?: Tensor | null): RnnResult {
    if (!(x instanceof Tensor)) throw new TypeError(`${this.label}: input must be a Tensor`);
    if (x.ndim !== 3 || x.shape[2] !== this.inputSize)
      throw new RangeError(
        `${this.label}: input of shape ${fmt(x.shape)} must be [batch, time, ${this.inputSize}] (batch-first with ${this.inputSize} features)` +
          (x.ndim === 3 && x.shape[1] === this.inputSize ? `; for [batch, ${this.inputSize}, time] data use x.transpose(1, 2)` : ''),
      );
    for (const [s, n] of [[h0, 'h0'], [c0, 'c0']] as const)
      if (s != null && !(s instanceof Tensor)) throw new TypeError(`${this.label}: ${n} must be a Tensor or omitted`);
    return rnn(this.kind, x, this.weights, {
      hiddenSize: this.hiddenSize, numLayers: this.numLayers, bidirectional: this.bidirectional,
      returnSequences: this.returnSequences, name: this.label,
    }, h0 ?? null, c0 ?? null);
  }
}

/** Long short-term memory (PyTorch nn.LSTM with batch_first=True); see the file header. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSizeOrOpts: number | RNNOptions, opts: Omit<RNNOptions, 'hiddenSize'> = {}) {
    super('lstm', inputSize, hiddenSizeOrOpts, opts);
  }

  /** The output sequence [B, T, D·H] (or [B, D·H] with returnSequences: false). */
  forward(x: Tensor, h0?: Tensor, c0?: Tensor): Tensor {
    return this.run(x, h0, c0).output;
  }

  /** Output plus the final states h_n and c_n, each [numLayers·D, B, H] (all differentiable). */
  forwardWithState(x: Tensor, h0?: Tensor | null, c0?: Tensor | null): { output: Tensor; h: Tensor; c: Tensor } {
    const r = this.run(x, h0, c0);
    return { output: r.output, h: r.h, c: r.c! };
  }
}

/** Gated recurrent unit (PyTorch nn.GRU with batch_first=True); see the file header. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSizeOrOpts: number | RNNOptions, opts: Omit<RNNOptions, 'hiddenSize'> = {}) {
    super('gru', inputSize, hiddenSizeOrOpts, opts);
  }

  /** The output sequence [B, T, D·H] (or [B, D·H] with returnSequences: false). */
  forward(x: Tensor, h0?: Tensor): Tensor {
    return this.run(x, h0).output;
  }

  /** Output plus the final hidden states h_n [numLayers·D, B, H] (differentiable); c is null. */
  forwardWithState(x: Tensor, h0?: Tensor | null): { output: Tensor; h: Tensor; c: null } {
    const r = this.run(x, h0);
    return { output: r.output, h: r.h, c: null };
  }
}
