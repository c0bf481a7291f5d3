// Registers the architectures of the zoo. Each model file (one per architecture) exports a ModelSpec.
import { registerModel, DEFAULT_RECIPE } from './registry.ts';
import { StdCNN, DSCNN, LSTMNet } from './reference.ts';

registerModel({
  name: 'std-cnn', description: 'StdCNN of the PyTorch baseline (3 conv blocks, 44k parameters)',
  build: (i) => new StdCNN({ seed: i.seed, classes: i.classes }), recipe: { ...DEFAULT_RECIPE },
});
registerModel({
  name: 'ds-cnn', description: 'DSCNN of the PyTorch baseline (depthwise-separable, 20k parameters)',
  build: (i) => new DSCNN({ seed: i.seed, classes: i.classes }), recipe: { ...DEFAULT_RECIPE },
});
registerModel({
  name: 'lstm-net', description: 'LSTMNet of the PyTorch baseline (LSTM 64 on the raw beat, 17k parameters)',
  build: (i) => new LSTMNet({ seed: i.seed, classes: i.classes }), recipe: { ...DEFAULT_RECIPE, epochs: 10 },
});
