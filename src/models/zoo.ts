// Registers the architectures of the zoo. Each model file (one per architecture) exports a ModelSpec.
import { registerModel, DEFAULT_RECIPE } from './registry.ts';
import { StdCNN, DSCNN, LSTMNet } from './reference.ts';
import { annSpec } from './ann.ts';
import { cnnSpec } from './cnn.ts';
import { resnetSpec } from './resnet.ts';
import { lstmSpec, gruSpec } from './recurrent.ts';
import { ftcnnSpec } from './ftcnn.ts';
import { arrhythminetV1Spec, arrhythminetV2Spec } from './arrhythminet.ts';

registerModel({
  name: 'std-cnn', description: 'StdCNN of the PyTorch baseline (3 conv blocks, 44k parameters)',
  build: (i) => new StdCNN({ seed: i.seed, classes: i.classes }), recipe: { ...DEFAULT_RECIPE }, inComparison: false,
});
registerModel({
  name: 'ds-cnn', description: 'DSCNN of the PyTorch baseline (depthwise-separable, 20k parameters)',
  build: (i) => new DSCNN({ seed: i.seed, classes: i.classes }), recipe: { ...DEFAULT_RECIPE }, inComparison: false,
});
registerModel({
  name: 'lstm-net', description: 'LSTMNet of the PyTorch baseline (LSTM 64 on the raw beat, 17k parameters)',
  build: (i) => new LSTMNet({ seed: i.seed, classes: i.classes }), recipe: { ...DEFAULT_RECIPE, epochs: 10 }, inComparison: false,
});

// The zoo's architectures (one file each; designs and assumptions in docs/models.md).
for (const spec of [annSpec, cnnSpec, resnetSpec, lstmSpec, gruSpec, ftcnnSpec, arrhythminetV1Spec, arrhythminetV2Spec]) registerModel(spec);
