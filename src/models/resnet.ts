// resnet: the residual CNN of Kachuee, Fazeli & Sarrafzadeh, "ECG Heartbeat Classification: A Deep
// Transferable Representation" (ICHI 2018), on their own 187-sample, 125 Hz beats:
//   Conv(C,32,5,'same') | 5 × [ResidualBlock1d(32,32,5): conv-ReLU-conv, + identity, ReLU; MaxPool(5, stride 2)]
//   | Flatten (32 × 2 at L = 187) (+ RR) | Linear 32 ReLU | Linear 32 ReLU | Linear(classes)
// As in the paper (and its Keras re-implementations) the blocks have no BatchNorm and the convolutions
// keep their biases: 55,013 parameters for 5 classes. `batchNorm: true` (not registered) adds BN after
// each convolution of the blocks. The flatten width depends on the beat length:
// L → ⌊(L − 5)/2⌋ + 1 five times (187 → 92 → 44 → 20 → 8 → 2).
import { Module } from '../nn/module.ts';
import { Conv1d } from '../nn/conv.ts';
import { MaxPool1d } from '../nn/pool.ts';
import { Linear } from '../nn/linear.ts';
import { ResidualBlock1d } from '../nn/residual.ts';
import type { InitName } from '../nn/init.ts';
import type { Tensor } from '../core/tensor.ts';
import type { ModelInput, ModelSpec } from './spec.ts';
import { checkBeats, checkInput, joinRR } from './common.ts';

/**
 * Options of KachueeResNet: BatchNorm in the blocks, the number of blocks (default 5) and filters (default
 * 32), and the weight init.
 */
export interface ResNetOptions {
  /** BatchNorm inside the residual blocks (default false, as Kachuee et al.). */
  batchNorm?: boolean;
  blocks?: number;
  filters?: number;
  /** Weight init of every conv and dense layer: 'xavierUniform' (Keras' glorot_uniform, the default, as the paper's Keras code) or PyTorch's 'default'. */
  init?: InitName;
}

/** Length after one MaxPool1d(5, stride 2) without padding. */
const pooled = (L: number) => Math.floor((L - 5) / 2) + 1;

/**
 * The residual CNN of Kachuee et al. (ICHI 2018): a conv stem, five residual blocks (32 filters, kernel 5,
 * each followed by max-pool 5 / stride 2), and dense 32-32 layers (plus the RR features): [B, C, L] → logits
 * [B, classes]. Throws a RangeError for an invalid ModelInput or a beat too short for the pools.
 */
export class KachueeResNet extends Module {
  readonly stem: Conv1d;
  readonly blocks: ResidualBlock1d[] = [];
  readonly pool = new MaxPool1d(5, { stride: 2 });
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly fc3: Linear;
  private readonly input: ModelInput;

  constructor(input: ModelInput, { batchNorm = false, blocks = 5, filters = 32, init = 'xavierUniform' }: ResNetOptions = {}) {
    super();
    this.input = checkInput('KachueeResNet', input);
    const { seed } = input;
    let L = input.length;
    for (let b = 0; b < blocks; b++) L = pooled(L);
    if (L < 1) {
      let need = 1; // inverse of pooled(): the shortest length that still leaves one sample
      for (let b = 0; b < blocks; b++) need = 2 * need + 3;
      throw new RangeError(`KachueeResNet: beats of ${input.length} samples are too short for ${blocks} pooling stages (need at least ${need})`);
    }
    this.stem = this.child('stem', new Conv1d(input.channels, filters, 5, { padding: 2, seed: seed + 1, init }));
    for (let b = 0; b < blocks; b++)
      this.blocks.push(this.child(`block${b + 1}`, new ResidualBlock1d(filters, filters, 5, { batchNorm, seed: seed + 10 + 3 * b, init })));
    this.fc1 = this.child('fc1', new Linear(filters * L + input.rrFeatures, 32, { seed: seed + 2, init }));
    this.fc2 = this.child('fc2', new Linear(32, 32, { seed: seed + 3, init }));
    this.fc3 = this.child('fc3', new Linear(32, input.classes, { seed: seed + 4, init }));
  }

  forward(x: Tensor, rr?: Tensor): Tensor {
    checkBeats('KachueeResNet', x, this.input.channels, this.input.length);
    let h = this.stem.forward(x);
    for (const b of this.blocks) h = this.pool.forward(b.forward(h));
    h = joinRR('KachueeResNet', h.flatten(1), rr, this.input.rrFeatures);
    return this.fc3.forward(this.fc2.forward(this.fc1.forward(h).relu()).relu());
  }
}

/** The zoo entry of 'resnet' (KachueeResNet as in the paper). */
export const resnetSpec: ModelSpec = {
  name: 'resnet',
  description: 'Kachuee et al. 2018: conv stem + 5 residual blocks (32 filters k5, max-pool 5/2), dense 32-32 (55k params)',
  build: (i) => new KachueeResNet(i),
  // Kachuee et al.: Adam, lr 1e-3 decayed exponentially (β1 .9, β2 .999), batch 500; we use a cosine decay.
  recipe: { epochs: 30, batchSize: 256, lr: 1e-3, optimizer: 'adam', weightDecay: 0, schedule: 'cosine', loss: 'ce' },
  trainCost: 0.59,
};
