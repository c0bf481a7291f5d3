// Times Integrated Gradients (64 steps, Gauss-Legendre, zero baseline) on the first N test beats of a
// protocol with a trained model file (default: the committed FT-CNN, intra, with RR features).
// Usage: npx tsx scripts/ig-speed.ts [--model-file models/ft-cnn-intra-rr.ecgm] [--beats 1000] [--data <dir>]
import { initSync, ExplainedModel, integratedGradients } from '../src/all.ts';
import { loadModel, loadDataset } from '../src/node/index.ts';

const arg = (k: string, d: string) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1]! : d; };
initSync();
const file = arg('--model-file', 'models/ft-cnn-intra-rr.ecgm');
const n = Number(arg('--beats', '1000'));
const { model, header } = loadModel(file);
const clf = ExplainedModel.fromConfig(model, header.config);
const { dataset: ds } = loadDataset('intra', { data: process.argv.includes('--data') ? arg('--data', '') : undefined });
const S = clf.beatSize, R = ds.rrFeatures.length;
const rows = ds.split.test.subarray(0, n);
const x = new Float32Array(n * S), rr = new Float32Array(n * R);
rows.forEach((r, i) => {
  x.set(ds.x.subarray(r * S, (r + 1) * S), i * S);
  rr.set(ds.rr.subarray(r * R, (r + 1) * R), i * R);
});
const t0 = performance.now();
const ig = integratedGradients(clf, x, { steps: 64, ...(clf.rrFeatures ? { rr } : {}) });
const seconds = (performance.now() - t0) / 1000;
const deltas = [...(ig.delta ?? [])].sort((a, b) => a - b);
console.log(`${header.arch}: IG with 64 steps on ${n} beats in ${seconds.toFixed(1)} s; median completeness delta ${deltas[n >> 1]!.toPrecision(3)}`);
