// cnn: the plain convolutional baseline (the "CNN 97.20%" row of the MIT-BIH comparisons): four
// conv-BN-ReLU blocks, max-pooling after the first three, a small fixed-length adaptive pool, and a
// dense head.
//   Conv(C,16,7) BN ReLU MaxPool2 | Conv(16,32,5) BN ReLU MaxPool2 | Conv(32,64,5) BN ReLU MaxPool2 |
//   Conv(64,64,3) BN ReLU | AdaptiveAvgPool(8) | Flatten 512 (+ RR) | Linear 64 ReLU Dropout(0.3) | Linear(classes)
// 'same' padding throughout; convolutions before BN have no bias. The adaptive pool to 8 positions keeps
// coarse timing (where in the window the energy is) and makes the head independent of the beat length.
import { Module } from '../nn/module.ts';
import { Sequential } from '../nn/sequential.ts';
import { Conv1d } from '../nn/conv.ts';
import { BatchNorm1d } from '../nn/batchnorm.ts';
import { MaxPool1d, AdaptiveAvgPool1d } from '../nn/pool.ts';
import { Linear } from '../nn/linear.ts';
import { Dropout } from '../nn/dropout.ts';
import { ReLU, Flatten } from '../nn/activations.ts';
import type { Tensor } from '../core/tensor.ts';
import type { ModelInput, ModelSpec } from './spec.ts';
import { checkBeats, checkInput, joinRR } from './common.ts';

/** Conv1d (no bias, 'same' padding) → BN → ReLU. */
export function convBnRelu(cin: number, cout: number, k: number, seed: number, stride = 1, dilation = 1): Module[] {
  return [
    new Conv1d(cin, cout, k, { stride, dilation, padding: (dilation * (k - 1)) >> 1, bias: false, seed }),
    new BatchNorm1d(cout), new ReLU(),
  ];
}

/**
 * The 'cnn' baseline: four conv-BN-ReLU blocks (16-32-64-64 filters, kernels 7/5/5/3, max-pool 2 after the
 * first three), adaptive average pool to 8 positions, dense 64 with dropout 0.3 (plus the RR features): [B,
 * C, L] → logits [B, classes]. Throws a RangeError for an invalid ModelInput.
 */
export class CNN extends Module {
  readonly features: Sequential;
  readonly fc1: Linear;
  readonly drop: Dropout;
  readonly fc2: Linear;
  private readonly input: ModelInput;

  constructor(input: ModelInput) {
    super();
    this.input = checkInput('CNN', input);
    const { seed, channels } = input;
    this.features = this.child('features', new Sequential(
      ...convBnRelu(channels, 16, 7, seed + 1), new MaxPool1d(2),
      ...convBnRelu(16, 32, 5, seed + 2), new MaxPool1d(2),
      ...convBnRelu(32, 64, 5, seed + 3), new MaxPool1d(2),
      ...convBnRelu(64, 64, 3, seed + 4),
      new AdaptiveAvgPool1d(8), new Flatten(),
    ));
    this.fc1 = this.child('fc1', new Linear(64 * 8 + input.rrFeatures, 64, { seed: seed + 5 }));
    this.drop = this.child('drop', new Dropout(0.3, { seed: seed + 6 }));
    this.fc2 = this.child('fc2', new Linear(64, input.classes, { seed: seed + 7 }));
  }

  forward(x: Tensor, rr?: Tensor): Tensor {
    checkBeats('CNN', x, this.input.channels);
    const h = joinRR('CNN', this.features.forward(x), rr, this.input.rrFeatures);
    return this.fc2.forward(this.drop.forward(this.fc1.forward(h).relu()));
  }
}

/** The zoo entry of 'cnn' (CNN and its training recipe). */
export const cnnSpec: ModelSpec = {
  name: 'cnn',
  description: 'plain CNN: 4 conv-BN-ReLU blocks (16-32-64-64, k 7/5/5/3, max-pool 2), adaptive pool 8, dense 64 head',
  build: (i) => new CNN(i),
  recipe: { epochs: 30, batchSize: 128, lr: 1e-3, optimizer: 'adam', weightDecay: 0, schedule: 'cosine', loss: 'ce' },
  trainCost: 0.19,
};
