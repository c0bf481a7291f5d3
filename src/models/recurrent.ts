// lstm and gru: recurrent classifiers on the beat as a sequence.
//   front-end (default): Conv(C,16,5,stride 2) BN ReLU | Conv(16,32,5,stride 2) BN ReLU   (187 → 94 → 47 steps)
//   LSTM or GRU (32 → 64, one layer, unidirectional) → hidden states [B, 47, 64]
//   → mean and max over time, concatenated [B, 128] (+ RR) | Linear 32 ReLU Dropout(0.2) | Linear(classes)
// The strided front-end shortens the sequence 4x (47 steps instead of 187), which makes BPTT about 4x
// cheaper, and hands the recurrence local slope/shape features instead of single samples. frontEnd:
// false runs the recurrence on the raw samples (input size = channels, 187 steps), like LSTMNet.
// Readout: Kachuee beats start at the R peak and end in zero padding (often a third of the window or
// more), so the final hidden state must carry the QRS through many steps of constant input with a
// forget gate that starts near 0.5; on intra it stayed at the class prior for 300 steps. Pooling the
// hidden states over time (readout 'pool', the default) reads every step; readout 'last' is the
// classic final-state classifier.
import { Module } from '../nn/module.ts';
import { Sequential } from '../nn/sequential.ts';
import { Linear } from '../nn/linear.ts';
import { Dropout } from '../nn/dropout.ts';
import { LSTM, GRU } from '../nn/rnn.ts';
import type { Tensor } from '../core/tensor.ts';
import { concat } from '../ops/shape-ops.ts';
import { globalAvgPool1d, globalMaxPool1d } from '../ops/pool.ts';
import type { ModelInput, ModelSpec } from './spec.ts';
import { checkBeats, checkInput, joinRR } from './common.ts';
import { convBnRelu } from './cnn.ts';

/**
 * Options of RecurrentClassifier: hidden size (default 64), the convolutional front end, direction and
 * readout.
 */
export interface RecurrentOptions {
  hiddenSize?: number;
  /** Two stride-2 conv-BN-ReLU layers before the recurrence (default true). */
  frontEnd?: boolean;
  bidirectional?: boolean;
  /** 'pool' (default): mean and max of the hidden states over time; 'last': the final hidden state. */
  readout?: 'pool' | 'last';
}

/**
 * The 'lstm' and 'gru' models: by default two stride-2 conv-BN-ReLU layers shorten the beat 4x, a one-layer
 * LSTM or GRU (64) runs over it, the mean and max of its hidden states over time (or the last state) feed a
 * dense 32 head (plus the RR features): [B, C, L] → logits [B, classes]. Throws a RangeError for an invalid
 * ModelInput.
 */
export class RecurrentClassifier extends Module {
  readonly frontEnd: Sequential | null;
  readonly rnn: LSTM | GRU;
  readonly fc1: Linear;
  readonly drop: Dropout;
  readonly fc2: Linear;
  private readonly input: ModelInput;
  private readonly label: string;
  readonly readout: 'pool' | 'last';

  constructor(readonly kind: 'lstm' | 'gru', input: ModelInput, { hiddenSize = 64, frontEnd = true, bidirectional = false, readout = 'pool' }: RecurrentOptions = {}) {
    super();
    this.label = kind === 'lstm' ? 'LSTMClassifier' : 'GRUClassifier';
    this.input = checkInput(this.label, input);
    const { seed, channels } = input;
    this.frontEnd = frontEnd
      ? this.child('frontEnd', new Sequential(...convBnRelu(channels, 16, 5, seed + 1, 2), ...convBnRelu(16, 32, 5, seed + 2, 2)))
      : null;
    if (readout !== 'pool' && readout !== 'last') throw new RangeError(`${this.label}: readout must be 'pool' or 'last', got ${String(readout)}`);
    this.readout = readout;
    const opts = { hiddenSize, bidirectional, returnSequences: readout === 'pool', seed: seed + 3 };
    const inSize = frontEnd ? 32 : channels;
    this.rnn = this.child('rnn', kind === 'lstm' ? new LSTM(inSize, opts) : new GRU(inSize, opts));
    const width = hiddenSize * (bidirectional ? 2 : 1) * (readout === 'pool' ? 2 : 1);
    this.fc1 = this.child('fc1', new Linear(width + input.rrFeatures, 32, { seed: seed + 4 }));
    this.drop = this.child('drop', new Dropout(0.2, { seed: seed + 5 }));
    this.fc2 = this.child('fc2', new Linear(32, input.classes, { seed: seed + 6 }));
  }

  forward(x: Tensor, rr?: Tensor): Tensor {
    checkBeats(this.label, x, this.input.channels);
    const seq = this.frontEnd ? this.frontEnd.forward(x) : x; // [B, F, T]
    let h = this.rnn.forward(seq.transpose(1, 2)); // [B, T, D·H] ('pool') or [B, D·H] ('last')
    if (this.readout === 'pool') {
      const t = h.transpose(1, 2); // [B, D·H, T]
      h = concat([globalAvgPool1d(t), globalMaxPool1d(t)], 1);
    }
    h = joinRR(this.label, h, rr, this.input.rrFeatures);
    return this.fc2.forward(this.drop.forward(this.fc1.forward(h).relu()));
  }
}

const recipe = { epochs: 20, batchSize: 128, lr: 2e-3, optimizer: 'adam', weightDecay: 0, schedule: 'cosine', loss: 'ce' } as const;

/** The zoo entry of 'lstm' (RecurrentClassifier with an LSTM). */
export const lstmSpec: ModelSpec = {
  name: 'lstm',
  description: 'LSTM 64 on a 4x-shortened sequence (two stride-2 conv-BN-ReLU, 16-32 filters), mean+max over time, dense 32 head',
  build: (i) => new RecurrentClassifier('lstm', i),
  recipe: { ...recipe },
  trainCost: 0.39,
};

/** The zoo entry of 'gru' (RecurrentClassifier with a GRU). */
export const gruSpec: ModelSpec = {
  name: 'gru',
  description: 'GRU 64 on a 4x-shortened sequence (two stride-2 conv-BN-ReLU, 16-32 filters), mean+max over time, dense 32 head',
  build: (i) => new RecurrentClassifier('gru', i),
  recipe: { ...recipe },
  trainCost: 0.34,
};
