// ft-cnn: the FT-CNN of Abdullah et al. (Biosensors 2026), whose paper describes "adaptive kernel sizes
// for P-QRS-T morphology", "L2 + dropout + batch norm, cosine-annealed learning rate" and a loss combining
// class-weighted cross-entropy with focal loss (γ = 2), without publishing the layers. Our design:
//
//   three parallel first-layer branches, kernel sizes derived from input.fs and wave durations
//   (odd sizes, 'same' padding, 16 filters each, no bias, BN, ReLU):
//     qrs: 0.10 s           → k = 13 at 125 Hz (37 at 360 Hz)
//     p:   0.10 s dilated 2 → k = 7, dilation 2 (span 13 samples): the P wave is slow, half the taps suffice
//     t:   0.20 s           → k = 25 at 125 Hz (73 at 360 Hz)
//   concat (48 channels) | MaxPool2 | Conv(48,64,7) BN ReLU MaxPool2 | Conv(64,64,5) BN ReLU MaxPool2 |
//   Conv(64,128,3) BN ReLU | GlobalAvgPool | Dropout(0.3) (+ RR) | Linear 64 ReLU Dropout(0.3) | Linear(classes)
//
// Recipe: AdamW (decoupled weight decay 1e-2 standing in for the paper's L2), cosine annealing, loss
// 'combined' (λ = 0.5 weighted CE + focal γ = 2).
import { Module } from '../nn/module.ts';
import { Sequential } from '../nn/sequential.ts';
import { MaxPool1d, GlobalAvgPool1d } from '../nn/pool.ts';
import { Linear } from '../nn/linear.ts';
import { Dropout } from '../nn/dropout.ts';
import type { Tensor } from '../core/tensor.ts';
import { concat } from '../ops/shape-ops.ts';
import type { ModelInput, ModelSpec } from './spec.ts';
import { checkBeats, checkInput, joinRR, oddKernel } from './common.ts';
import { convBnRelu } from './cnn.ts';

/** Physiological durations (seconds) the first-layer kernels span. */
export const WAVE_SECONDS = { qrs: 0.1, p: 0.1, t: 0.2 } as const;

/** The first-layer kernels at a sampling rate: [kernel, dilation] per branch. */
export function ftcnnKernels(fs: number): { qrs: [number, number]; p: [number, number]; t: [number, number] } {
  return {
    qrs: [oddKernel(WAVE_SECONDS.qrs, fs), 1],
    p: [oddKernel(WAVE_SECONDS.p / 2, fs), 2],
    t: [oddKernel(WAVE_SECONDS.t, fs), 1],
  };
}

/**
 * FT-CNN (Abdullah et al. 2026), our design from the paper's description: three parallel first-layer branches
 * with kernel sizes derived from input.fs and the QRS, P and T wave durations, three conv blocks, global
 * average pooling and a dense 64 head (plus the RR features): [B, C, L] → logits [B, classes]. Throws a
 * RangeError for an invalid ModelInput.
 */
export class FTCNN extends Module {
  readonly branches: Sequential[];
  readonly features: Sequential;
  readonly drop1: Dropout;
  readonly fc1: Linear;
  readonly drop2: Dropout;
  readonly fc2: Linear;
  readonly kernels: ReturnType<typeof ftcnnKernels>;
  private readonly input: ModelInput;

  constructor(input: ModelInput, { branchFilters = 16 }: { branchFilters?: number } = {}) {
    super();
    this.input = checkInput('FTCNN', input);
    const { seed, channels } = input;
    this.kernels = ftcnnKernels(input.fs);
    this.branches = (['qrs', 'p', 't'] as const).map((w, b) => {
      const [k, d] = this.kernels[w];
      return this.child(w, new Sequential(...convBnRelu(channels, branchFilters, k, seed + 1 + b, 1, d)));
    });
    this.features = this.child('features', new Sequential(
      new MaxPool1d(2),
      ...convBnRelu(3 * branchFilters, 64, 7, seed + 4), new MaxPool1d(2),
      ...convBnRelu(64, 64, 5, seed + 5), new MaxPool1d(2),
      ...convBnRelu(64, 128, 3, seed + 6),
      new GlobalAvgPool1d(),
    ));
    this.drop1 = this.child('drop1', new Dropout(0.3, { seed: seed + 7 }));
    this.fc1 = this.child('fc1', new Linear(128 + input.rrFeatures, 64, { seed: seed + 8 }));
    this.drop2 = this.child('drop2', new Dropout(0.3, { seed: seed + 9 }));
    this.fc2 = this.child('fc2', new Linear(64, input.classes, { seed: seed + 10 }));
  }

  forward(x: Tensor, rr?: Tensor): Tensor {
    checkBeats('FTCNN', x, this.input.channels);
    const h0 = concat(this.branches.map((b) => b.forward(x)), 1);
    const h = joinRR('FTCNN', this.drop1.forward(this.features.forward(h0)), rr, this.input.rrFeatures);
    return this.fc2.forward(this.drop2.forward(this.fc1.forward(h).relu()));
  }
}

/**
 * The zoo entry of 'ft-cnn' (FTCNN and its recipe: AdamW, cosine schedule, the combined cross-entropy + focal
 * loss).
 */
export const ftcnnSpec: ModelSpec = {
  name: 'ft-cnn',
  description: 'FT-CNN (Abdullah et al. 2026): parallel QRS/P/T kernels from fs (13, 7 dil 2, 25 at 125 Hz), 3 conv blocks, GAP, dense 64',
  build: (i) => new FTCNN(i),
  recipe: { epochs: 30, batchSize: 128, lr: 1e-3, optimizer: 'adamw', weightDecay: 1e-2, schedule: 'cosine', loss: 'combined' },
  trainCost: 0.66,
};
