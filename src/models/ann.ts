// ann: a multilayer perceptron on the flattened beat (the usual dense baseline of the MIT-BIH papers).
//   Flatten [B, C·L] (+ RR features) → Linear 128 → ReLU → Dropout(0.3) → Linear 64 → ReLU → Dropout(0.3)
//   → Linear(classes)
// The whole network is the "head", so the RR features join the flattened beat at the input.
import { Module } from '../nn/module.ts';
import { Linear } from '../nn/linear.ts';
import { Dropout } from '../nn/dropout.ts';
import type { Tensor } from '../core/tensor.ts';
import type { ModelInput, ModelSpec } from './spec.ts';
import { checkBeats, checkInput, joinRR } from './common.ts';

/** Options of ANN: the hidden widths and the dropout probability (default 0.3). */
export interface ANNOptions {
  /** Hidden layer widths (default [128, 64]). */
  hidden?: number[];
  dropout?: number;
}

/**
 * The 'ann' model: a multilayer perceptron on the flattened beat [B, C·L] (plus the RR features), hidden
 * widths 128 and 64 with ReLU and dropout 0.3 by default, logits [B, classes]. Throws a RangeError for an
 * invalid ModelInput.
 */
export class ANN extends Module {
  readonly layers: Linear[] = [];
  readonly drops: Dropout[] = [];
  private readonly input: ModelInput;

  constructor(input: ModelInput, { hidden = [128, 64], dropout = 0.3 }: ANNOptions = {}) {
    super();
    this.input = checkInput('ANN', input);
    const { seed } = input;
    let width = input.channels * input.length + input.rrFeatures;
    hidden.forEach((h, k) => {
      this.layers.push(this.child(`fc${k + 1}`, new Linear(width, h, { seed: seed + 1 + 2 * k })));
      this.drops.push(this.child(`drop${k + 1}`, new Dropout(dropout, { seed: seed + 2 + 2 * k })));
      width = h;
    });
    this.layers.push(this.child('out', new Linear(width, input.classes, { seed: seed + 1 + 2 * hidden.length })));
  }

  forward(x: Tensor, rr?: Tensor): Tensor {
    const { channels, length, rrFeatures } = this.input;
    checkBeats('ANN', x, channels, length);
    let h = joinRR('ANN', x.reshape([x.shape[0]!, channels * length]), rr, rrFeatures);
    for (let k = 0; k < this.drops.length; k++) h = this.drops[k]!.forward(this.layers[k]!.forward(h).relu());
    return this.layers[this.layers.length - 1]!.forward(h);
  }
}

/** The zoo entry of 'ann' (ANN with its defaults and training recipe). */
export const annSpec: ModelSpec = {
  name: 'ann',
  description: 'MLP on the flattened beat: 187 → 128 → 64 → classes, ReLU + dropout 0.3',
  build: (i) => new ANN(i),
  recipe: { epochs: 30, batchSize: 128, lr: 1e-3, optimizer: 'adam', weightDecay: 0, schedule: 'cosine', loss: 'ce' },
  trainCost: 0.02,
};
