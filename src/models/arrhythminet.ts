// arrhythminet-v1 and arrhythminet-v2: the ArrhythmiNet models of Baig et al. (arXiv 2505.03787), small
// MobileNet-style 1-D CNNs for N/L/R/A/V beats on wearables, stated only by their float32 weight sizes
// (302.18 KB and 157.76 KB). Our design:
//
//   stem: Conv(C, c0, 7, stride 2) BN ReLU
//   blocks: SeparableConv1d(in, out, k, stride s) (depthwise k + pointwise 1x1, no biases) BN ReLU,
//           strided blocks halve the length
//   GlobalAvgPool | Dropout(0.2) (+ RR) | Linear(classes)
//
// The separable blocks are Xception-style (one BN + ReLU after the pointwise part, none between depthwise
// and pointwise), which is what ecgrad's SeparableConv1d computes. Size rule: every float the model file
// stores (parameters + BN running mean/var + BN's numBatchesTracked counter) × 4 bytes, 1 KB = 1024 bytes
// (302.18 KB = 77,358 floats; 157.76 KB = 40,386 floats). Both variants stay within budget with and
// without 6 RR features, for up to 5 classes.
import { Module } from '../nn/module.ts';
import { Sequential } from '../nn/sequential.ts';
import { Conv1d, SeparableConv1d } from '../nn/conv.ts';
import { BatchNorm1d } from '../nn/batchnorm.ts';
import { GlobalAvgPool1d } from '../nn/pool.ts';
import { Linear } from '../nn/linear.ts';
import { Dropout } from '../nn/dropout.ts';
import { ReLU } from '../nn/activations.ts';
import type { Tensor } from '../core/tensor.ts';
import type { ModelInput, ModelSpec, TrainingRecipe } from './spec.ts';
import { checkBeats, checkInput, joinRR } from './common.ts';

/**
 * The widths of an ArrhythmiNet: the stem's channels and [out channels, kernel, stride] per separable block.
 */
export interface ArrhythmiNetPlan {
  stem: number;
  /** [out channels, kernel, stride] per separable block. */
  blocks: [number, number, number][];
}

/**
 * The layer plan of arrhythminet-v1: stem 32, six separable blocks 64 → 176 (302.18 KB of float32 weights at
 * most, as Baig et al. state).
 */
export const ARRHYTHMINET_V1: ArrhythmiNetPlan = {
  stem: 32,
  blocks: [[64, 7, 1], [96, 7, 2], [104, 5, 1], [128, 5, 2], [128, 5, 1], [176, 3, 2]],
};

/**
 * The layer plan of arrhythminet-v2: stem 24, six separable blocks 48 → 120 (157.76 KB at most, as Baig et
 * al. state).
 */
export const ARRHYTHMINET_V2: ArrhythmiNetPlan = {
  stem: 24,
  blocks: [[48, 7, 1], [64, 7, 2], [64, 5, 1], [96, 5, 2], [96, 5, 1], [120, 3, 2]],
};

/**
 * ArrhythmiNet (Baig et al. 2025), our design from its stated sizes: a MobileNet-style 1-D CNN, a stride-2
 * stem then depthwise-separable blocks (conv BN ReLU), global average pooling, dropout 0.2 (plus the RR
 * features) and a linear layer: [B, C, L] → logits [B, classes]. Throws a RangeError for an invalid
 * ModelInput.
 */
export class ArrhythmiNet extends Module {
  readonly features: Sequential;
  readonly drop: Dropout;
  readonly fc: Linear;
  private readonly input: ModelInput;

  constructor(input: ModelInput, plan: ArrhythmiNetPlan, readonly label = 'ArrhythmiNet') {
    super();
    this.input = checkInput(label, input);
    const { seed, channels } = input;
    const layers: Module[] = [
      new Conv1d(channels, plan.stem, 7, { stride: 2, padding: 3, bias: false, seed: seed + 1 }), new BatchNorm1d(plan.stem), new ReLU(),
    ];
    let c = plan.stem;
    plan.blocks.forEach(([out, k, stride], b) => {
      layers.push(
        new SeparableConv1d(c, out, k, { stride, padding: (k - 1) >> 1, bias: false, seed: seed + 10 + 2 * b }),
        new BatchNorm1d(out), new ReLU(),
      );
      c = out;
    });
    layers.push(new GlobalAvgPool1d());
    this.features = this.child('features', new Sequential(...layers));
    this.drop = this.child('drop', new Dropout(0.2, { seed: seed + 2 }));
    this.fc = this.child('fc', new Linear(c + input.rrFeatures, input.classes, { seed: seed + 3 }));
  }

  forward(x: Tensor, rr?: Tensor): Tensor {
    checkBeats(this.label, x, this.input.channels);
    return this.fc.forward(joinRR(this.label, this.drop.forward(this.features.forward(x)), rr, this.input.rrFeatures));
  }
}

const recipe: TrainingRecipe = { epochs: 30, batchSize: 128, lr: 2e-3, optimizer: 'adamw', weightDecay: 1e-4, schedule: 'cosine', loss: 'ce' };

/** The zoo entry of 'arrhythminet-v1' (ArrhythmiNet with ARRHYTHMINET_V1). */
export const arrhythminetV1Spec: ModelSpec = {
  name: 'arrhythminet-v1',
  description: 'ArrhythmiNet v1 (Baig et al. 2025): depthwise-separable 1-D CNN, stem 32 + 6 separable blocks 64→176, GAP (≤ 302.18 KB)',
  build: (i) => new ArrhythmiNet(i, ARRHYTHMINET_V1, 'ArrhythmiNet-v1'),
  recipe: { ...recipe },
  trainCost: 0.67,
  budgetKB: 302.18,
};

/** The zoo entry of 'arrhythminet-v2' (ArrhythmiNet with ARRHYTHMINET_V2). */
export const arrhythminetV2Spec: ModelSpec = {
  name: 'arrhythminet-v2',
  description: 'ArrhythmiNet v2 (Baig et al. 2025): depthwise-separable 1-D CNN, stem 24 + 6 separable blocks 48→120, GAP (≤ 157.76 KB)',
  build: (i) => new ArrhythmiNet(i, ARRHYTHMINET_V2, 'ArrhythmiNet-v2'),
  recipe: { ...recipe },
  trainCost: 0.42,
  budgetKB: 157.76,
};
