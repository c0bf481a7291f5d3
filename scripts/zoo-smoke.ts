// A short real-data smoke run of a zoo model (not a test): trains `model` for `steps` mini-batches of
// its recipe (optimizer, weight decay on weights only, loss; the cosine schedule annealed over the steps
// instead of epochs) on a protocol's training split, then reports accuracy and macro-F1 on the
// validation split.
//
//   npx tsx scripts/zoo-smoke.ts [model=ft-cnn] [steps=200] [--rr] [--protocol intra] [--data dir] [--batch n]
import { initSync, fromArray, noGrad, modelSpec, Adam, AdamW, SGD, decayGroups, crossEntropy, combinedLoss, classWeights,
  batches, classificationReport, type Tensor } from '../src/all.ts';
import { loadDataset } from '../src/node/index.ts';
import type { ProtocolName } from '../src/ecg/dataset/protocols.ts';

initSync();
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && ['--protocol', '--data', '--batch'].includes(args[i - 1]!)));
const name = positional[0] ?? 'ft-cnn';
const steps = Number(positional[1] ?? 200);
const useRR = flag('--rr');
const protocol = (option('--protocol') ?? 'intra') as ProtocolName;

const t0 = performance.now();
const { dataset: ds } = loadDataset(protocol, { data: option('--data') ?? '/work/shared/data/mitdb', seed: 0 });
const spec = modelSpec(name);
const recipe = spec.recipe;
const batchSize = Number(option('--batch') ?? recipe.batchSize);
const C = ds.classes.length;
const model = spec.build({ length: ds.length, channels: ds.channels, classes: C, rrFeatures: useRR ? ds.rrFeatures.length : 0, fs: ds.fs, seed: 0 });
const groups = decayGroups(model.namedParameters(), recipe.weightDecay);
const opt = recipe.optimizer === 'adamw' ? new AdamW(groups, { lr: recipe.lr }) : recipe.optimizer === 'sgd' ? new SGD(groups, { lr: recipe.lr, momentum: 0.9 }) : new Adam(groups, { lr: recipe.lr });
const weights = recipe.loss === 'ce' ? undefined : classWeights(ds.y, C, { method: 'effective' }, ds.split.train);
const lossOf = (logits: Tensor, y: Int32Array) =>
  recipe.loss === 'combined' ? combinedLoss(logits, y, { weight: weights }) : crossEntropy(logits, y, { weight: weights });
console.log(`${name}: ${model.parameterCount()} parameters, ${protocol} (${ds.split.train.length} train / ${ds.split.val.length} val beats, ` +
  `${ds.length} samples at ${ds.fs} Hz${useRR ? ', + RR' : ''}), ${steps} steps of ${batchSize}, ${recipe.optimizer} lr ${recipe.lr} wd ${recipe.weightDecay}, loss ${recipe.loss}`);

let step = 0, epoch = 0, running = 0;
const tTrain = performance.now();
outer: for (;;) {
  for (const b of batches(ds, ds.split.train, batchSize, epoch)) {
    if (step >= steps) break outer;
    if (recipe.schedule === 'cosine') opt.lr = (recipe.lr * (1 + Math.cos((Math.PI * step) / steps))) / 2;
    const x = fromArray(b.x, [b.y.length, ds.channels, ds.length]);
    const logits = useRR ? model.forward(x, fromArray(b.rr, [b.y.length, ds.rrFeatures.length])) : model.forward(x);
    const loss = lossOf(logits, b.y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    running = step === 0 ? loss.item() : 0.95 * running + 0.05 * loss.item();
    step++;
    if (step % 50 === 0) console.log(`  step ${step}: loss ${running.toFixed(4)} (${((performance.now() - tTrain) / step).toFixed(0)} ms/step)`);
  }
  epoch++;
}
const trainSeconds = (performance.now() - tTrain) / 1000;

model.eval();
const yTrue: number[] = [], yPred: number[] = [];
for (const b of batches(ds, ds.split.val, 512, null)) {
  const pred = noGrad(() => {
    const x = fromArray(b.x, [b.y.length, ds.channels, ds.length]);
    const out = useRR ? model.forward(x, fromArray(b.rr, [b.y.length, ds.rrFeatures.length])) : model.forward(x);
    return out.argmax(1).data();
  });
  for (let i = 0; i < b.y.length; i++) { yTrue.push(b.y[i]!); yPred.push(pred[i]!); }
}
const report = classificationReport(yTrue, yPred, [...ds.classes]);
console.log(`val accuracy ${(100 * report.accuracy).toFixed(2)}%, macro-F1 ${report.macroF1.toFixed(3)}; ` +
  `per-class recall ${ds.classes.map((c) => `${c} ${(100 * report.perClass[c]!.recall).toFixed(1)}`).join(', ')}`);
console.log(`train ${trainSeconds.toFixed(1)} s (${((1000 * trainSeconds) / steps).toFixed(0)} ms/step), total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
