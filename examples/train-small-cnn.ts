// Trains a small CNN on synthetic "beats" (three waveform shapes plus noise) with the layer API.
// Run: npx tsx examples/train-small-cnn.ts   (after npm ci, which builds dist/: the import is the package's own)
import {
  initSync, fromArray, noGrad, Sequential, Conv1d, BatchNorm1d, ReLU, MaxPool1d, GlobalAvgPool1d, Linear, Dropout,
  AdamW, CosineAnnealing, crossEntropy, Rng, encodeModel,
} from 'ecgrad'; // the package itself (its exports map; `npm ci` builds dist/)

initSync();
const L = 64, N = 384, classes = 3;
const rng = new Rng(1);
const x = new Float32Array(N * L), y = new Int32Array(N);
for (let i = 0; i < N; i++) {
  y[i] = i % classes;
  for (let t = 0; t < L; t++) {
    const s = t / L;
    const clean = y[i] === 0 ? Math.exp(-((s - 0.5) ** 2) / 0.002) : y[i] === 1 ? -Math.exp(-((s - 0.5) ** 2) / 0.01) : Math.sin(6 * Math.PI * s);
    x[i * L + t] = clean + 0.3 * rng.normal();
  }
}

const model = new Sequential(
  new Conv1d(1, 8, 7, { padding: 'same', seed: 1 }), new BatchNorm1d(8), new ReLU(), new MaxPool1d(2),
  new Conv1d(8, 16, 5, { padding: 'same', seed: 2 }), new BatchNorm1d(16), new ReLU(),
  new GlobalAvgPool1d(), new Dropout(0.1, { seed: 3 }), new Linear(16, classes, { seed: 4 }),
);
const opt = new AdamW(model.parameters(), { lr: 0.01, weightDecay: 1e-4 });
const schedule = new CosineAnnealing(opt, { tMax: 10 });
const batch = 32;
for (let epoch = 1; epoch <= 10; epoch++) {
  model.train();
  let loss = 0;
  for (let b = 0; b < N; b += batch) {
    const xb = fromArray(x.subarray(b * L, (b + batch) * L), [batch, 1, L]);
    const l = crossEntropy(model.forward(xb), y.subarray(b, b + batch));
    opt.zeroGrad();
    l.backward();
    opt.step();
    loss += l.item() / (N / batch);
  }
  schedule.step();
  model.eval();
  const acc = noGrad(() => {
    const pred = model.forward(fromArray(x, [N, 1, L])).argmax(1).data();
    return pred.reduce((s, p, i) => s + (p === y[i] ? 1 : 0), 0) / N;
  });
  console.log(`epoch ${epoch}: loss ${loss.toFixed(4)}, training accuracy ${(acc * 100).toFixed(1)}%`);
}
console.log(`${model.parameterCount()} parameters, model file ${encodeModel(model, { arch: 'example' }).length} bytes`);
