// The reference models of ../shared/baselines/torch_bench.py, layer for layer, so their parameter names
// and shapes equal PyTorch's state_dict (BatchNorm buffers: runningMean/runningVar here, running_mean /
// running_var there). Used for the PyTorch agreement tests and the training-step benchmark.
//   StdCNN:  Conv(1,32,5) BN ReLU MaxPool2 | Conv(32,64,5) BN ReLU MaxPool2 | Conv(64,128,3) BN ReLU |
//            AdaptiveAvgPool(1) | Flatten Linear(128,64) ReLU Dropout(.3) Linear(64,5)
//   DSCNN:   conv2/conv3 replaced by depthwise (groups = C_in) + pointwise 1x1 convs
//   LSTMNet: LSTM(1 -> 64, batch first) on the beat as a sequence, Linear(64, 5) on the last hidden state
import { Module } from '../nn/module.ts';
import { Sequential } from '../nn/sequential.ts';
import { Conv1d } from '../nn/conv.ts';
import { BatchNorm1d } from '../nn/batchnorm.ts';
import { MaxPool1d, AdaptiveAvgPool1d } from '../nn/pool.ts';
import { Dropout } from '../nn/dropout.ts';
import { Linear } from '../nn/linear.ts';
import { ReLU, Flatten } from '../nn/activations.ts';
import { LSTM } from '../nn/rnn.ts';
import type { Tensor } from '../core/tensor.ts';
import { DEFAULT_RECIPE, type ModelSpec } from './spec.ts';

export interface ReferenceOptions {
  seed?: number;
  classes?: number;
}

function head(seed: number, classes: number): Sequential {
  return new Sequential(
    new Flatten(), new Linear(128, 64, { seed: seed + 10 }), new ReLU(), new Dropout(0.3, { seed: seed + 11 }),
    new Linear(64, classes, { seed: seed + 12 }),
  );
}

/** features (a conv stack ending in global pooling) then the shared dense head, as the PyTorch classes. */
abstract class FeaturesThenHead extends Module {
  readonly features: Sequential;
  readonly head: Sequential;

  constructor(features: Sequential, seed: number, classes: number) {
    super();
    this.features = this.child('features', features);
    this.head = this.child('head', head(seed, classes));
  }

  forward(x: Tensor): Tensor {
    return this.head.forward(this.features.forward(x));
  }
}

/**
 * The StdCNN of the PyTorch baseline, layer for layer (its state-dict names and shapes): three conv-BN-ReLU
 * blocks (32-64-128), adaptive average pooling and a dense 64 head with dropout 0.3. Input [B, 1, L], logits
 * [B, classes] (default 5).
 */
export class StdCNN extends FeaturesThenHead {
  constructor({ seed = 0, classes = 5 }: ReferenceOptions = {}) {
    super(new Sequential(
      new Conv1d(1, 32, 5, { padding: 2, seed: seed + 1 }), new BatchNorm1d(32), new ReLU(), new MaxPool1d(2),
      new Conv1d(32, 64, 5, { padding: 2, seed: seed + 2 }), new BatchNorm1d(64), new ReLU(), new MaxPool1d(2),
      new Conv1d(64, 128, 3, { padding: 1, seed: seed + 3 }), new BatchNorm1d(128), new ReLU(),
      new AdaptiveAvgPool1d(1),
    ), seed, classes);
  }
}

/**
 * The DSCNN of the PyTorch baseline, layer for layer (its state-dict names and shapes): StdCNN with
 * depthwise-separable second and third convolutions. Input [B, 1, L], logits [B, classes] (default 5).
 */
export class DSCNN extends FeaturesThenHead {
  constructor({ seed = 0, classes = 5 }: ReferenceOptions = {}) {
    super(new Sequential(
      new Conv1d(1, 32, 5, { padding: 2, seed: seed + 1 }), new BatchNorm1d(32), new ReLU(), new MaxPool1d(2),
      new Conv1d(32, 32, 5, { padding: 2, groups: 32, seed: seed + 2 }), new Conv1d(32, 64, 1, { seed: seed + 3 }),
      new BatchNorm1d(64), new ReLU(), new MaxPool1d(2),
      new Conv1d(64, 64, 3, { padding: 1, groups: 64, seed: seed + 4 }), new Conv1d(64, 128, 1, { seed: seed + 5 }),
      new BatchNorm1d(128), new ReLU(),
      new AdaptiveAvgPool1d(1),
    ), seed, classes);
  }
}

/**
 * The LSTMNet of the PyTorch baseline, layer for layer: an LSTM(1 → 64) over the beat as a sequence and a
 * Linear(64, classes) on the last hidden state. Input [B, 1, L], logits [B, classes] (default 5).
 */
export class LSTMNet extends Module {
  readonly lstm: LSTM;
  readonly fc: Linear;

  constructor({ seed = 0, classes = 5 }: ReferenceOptions = {}) {
    super();
    this.lstm = this.child('lstm', new LSTM(1, { hiddenSize: 64, returnSequences: false, seed: seed + 1 }));
    this.fc = this.child('fc', new Linear(64, classes, { seed: seed + 2 }));
  }

  /** x: [B, 1, L] -> the beat as a sequence [B, L, 1] -> last hidden state -> logits. */
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.lstm.forward(x.transpose(1, 2)));
  }
}

// In the zoo for the PyTorch agreement tests and the benchmark; `compare` trains them only when named.
/** The zoo entry of 'std-cnn' (StdCNN); `compare` trains it only when named. */
export const stdCnnSpec: ModelSpec = {
  name: 'std-cnn', description: 'StdCNN of the PyTorch baseline (3 conv blocks, 44k parameters)',
  build: (i) => new StdCNN({ seed: i.seed, classes: i.classes }), recipe: { ...DEFAULT_RECIPE }, inComparison: false,
};

/** The zoo entry of 'ds-cnn' (DSCNN); `compare` trains it only when named. */
export const dsCnnSpec: ModelSpec = {
  name: 'ds-cnn', description: 'DSCNN of the PyTorch baseline (depthwise-separable, 20k parameters)',
  build: (i) => new DSCNN({ seed: i.seed, classes: i.classes }), recipe: { ...DEFAULT_RECIPE }, inComparison: false,
};

/** The zoo entry of 'lstm-net' (LSTMNet); `compare` trains it only when named. */
export const lstmNetSpec: ModelSpec = {
  name: 'lstm-net', description: 'LSTMNet of the PyTorch baseline (LSTM 64 on the raw beat, 17k parameters)',
  build: (i) => new LSTMNet({ seed: i.seed, classes: i.classes }), recipe: { ...DEFAULT_RECIPE, epochs: 10 }, inComparison: false,
};
