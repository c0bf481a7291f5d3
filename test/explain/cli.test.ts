// `ecgrad explain` end to end on MIT-BIH with a tiny registered model, and its usage errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initSync, registerModel, DEFAULT_RECIPE, Sequential, Conv1d, ReLU, MaxPool1d, GlobalAvgPool1d, Linear, Flatten } from '../../src/all.ts';
import { saveModel } from '../../src/node/index.ts';
import { main } from '../../src/cli/main.ts';
import { mitdbDir } from '../ecg/helpers.ts';
import { checkWellFormed } from './xml.ts';

initSync();

registerModel({
  name: 'explain-test-tiny', description: 'tiny CNN for the explain CLI test',
  build: (i) => new Sequential(
    new Conv1d(i.channels, 4, 7, { padding: 'same', seed: i.seed + 1 }), new ReLU(), new MaxPool1d(2),
    new Conv1d(4, 4, 5, { padding: 'same', seed: i.seed + 2 }), new ReLU(), new GlobalAvgPool1d(), new Linear(4, i.classes, { seed: i.seed + 3 }),
  ),
  recipe: DEFAULT_RECIPE,
});

const dir = mkdtempSync(join(tmpdir(), 'ecgrad-explain-'));
const modelFile = join(dir, 'tiny.ecgm');
const config = { length: 187, channels: 1, classes: 5, rrFeatures: 0, fs: 125, seed: 0 };

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const log = console.log, error = console.error, write = process.stderr.write;
  let out = '', err = '';
  console.log = (...a: unknown[]) => void (out += `${a.join(' ')}\n`);
  console.error = (...a: unknown[]) => void (err += `${a.join(' ')}\n`);
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await main(['explain', ...args]), out, err };
  } finally {
    console.log = log;
    console.error = error;
    process.stderr.write = write;
  }
}

test('explain --help lists the methods', async () => {
  const r = await run(['--help']);
  assert.is(r.code, 0);
  assert.match(r.out, /--model-file/);
  assert.match(r.out, /integrated-gradients/);
  assert.match(r.out, /kernel-shap/);
});

test('usage errors are clear', async () => {
  let r = await run(['--method', 'lime', '--model-file', 'x.ecgm']);
  assert.is(r.code, 2);
  assert.match(r.err, /unknown method "lime"/);
  r = await run(['--method', 'saliency']);
  assert.is(r.code, 2);
  assert.match(r.err, /--model-file is required/);
  r = await run(['--model-file', join(dir, 'missing.ecgm')]);
  assert.is(r.code, 1);
  assert.match(r.err, /missing\.ecgm: cannot be read/);
  r = await run(['--model-file', 'x.ecgm', '--metrics', 'speed']);
  assert.match(r.err, /unknown metric "speed"/);
});

test('explains MIT-BIH beats: figures, explain.md and explain.json', async () => {
  const { modelSpec } = await import('../../src/all.ts');
  saveModel(modelFile, modelSpec('explain-test-tiny').build(config), { arch: 'explain-test-tiny', config, meta: { protocol: 'intra' } });
  const out = join(dir, 'out');
  const r = await run([
    '--model-file', modelFile, '--data', mitdbDir(), '--method', 'integrated-gradients,grad-cam,kernel-shap', '--per-class', '1',
    '--steps', '4', '--samples', '40', '--segments', '8', '--out', out, '--mode', 'band',
  ]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /\| explain-test-tiny \| integrated-gradients \|/);
  const json = JSON.parse(readFileSync(join(out, 'explain.json'), 'utf8'));
  assert.is(json.protocol, 'intra');
  assert.equal(json.classes, ['N', 'S', 'V', 'F', 'Q']);
  assert.is(json.beats.length, 5);
  const ig = json.reports[0];
  assert.is(ig.method, 'integrated-gradients');
  for (const k of ['deletionAuc', 'insertionAuc', 'randomDeletionAuc', 'randomInsertionAuc']) assert.type(ig.faithfulness.linear[k], 'number');
  assert.is(ig.sanity.length, 1 + 3);
  assert.type(ig.robustness.maxSensitivity, 'number');
  assert.is(ig.physiology[ig.physiology.length - 1].className, 'all');
  const md = readFileSync(join(out, 'explain.md'), 'utf8');
  assert.match(md, /## Metrics/);
  assert.match(md, /## Attribution by wave and class/);
  for (const f of ['methods-grid.svg', 'class-average-grad-cam.svg']) checkWellFormed(readFileSync(join(out, f), 'utf8'));
  const beats = readdirSync(join(out, 'beats', 'kernel-shap'));
  assert.is(beats.length, 5);
  checkWellFormed(readFileSync(join(out, 'beats', 'kernel-shap', beats[0]!), 'utf8'));
});

test('a model of another input length is refused with a clear error', async () => {
  const bad = { ...config, length: 100 };
  const { modelSpec } = await import('../../src/all.ts');
  saveModel(join(dir, 'bad.ecgm'), modelSpec('explain-test-tiny').build(bad), { arch: 'explain-test-tiny', config: bad, meta: { protocol: 'intra' } });
  const r = await run(['--model-file', join(dir, 'bad.ecgm'), '--data', mitdbDir(), '--per-class', '1', '--metrics', 'none']);
  assert.is(r.code, 1);
  assert.match(r.err, /takes beats of 1 x 100 but the intra windows are 1 x 187/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('several model files: one folder each and a combined table; Grad-CAM skipped for a model without convolutions', async () => {
  const { modelSpec } = await import('../../src/all.ts');
  registerModel({
    name: 'explain-test-mlp', description: 'no convolution',
    build: (i) => new Sequential(new Flatten(), new Linear(i.length, 8, { seed: 1 }), new ReLU(), new Linear(8, i.classes, { seed: 2 })),
    recipe: DEFAULT_RECIPE,
  });
  const a = join(dir, 'conv-a.ecgm'), b = join(dir, 'mlp-b.ecgm');
  saveModel(a, modelSpec('explain-test-tiny').build(config), { arch: 'explain-test-tiny', config, meta: { protocol: 'intra' } });
  saveModel(b, modelSpec('explain-test-mlp').build(config), { arch: 'explain-test-mlp', config, meta: { protocol: 'intra' } });
  const out = join(dir, 'multi');
  const r = await run(['--model-file', `${a},${b}`, '--data', mitdbDir(), '--method', 'gradient,grad-cam', '--per-class', '1', '--metrics', 'faithfulness', '--out', out]);
  assert.is(r.code, 0, r.err);
  const md = readFileSync(join(out, 'explain.md'), 'utf8');
  assert.match(md, /\| explain-test-tiny \| grad-cam \|/);
  assert.match(md, /\| explain-test-mlp \| gradient \|/);
  assert.not.match(md, /\| explain-test-mlp \| grad-cam \|/);
  assert.match(md, /explain-test-mlp: grad-cam skipped/);
  assert.ok(readdirSync(join(out, 'conv-a')).includes('explain.json'));
  assert.ok(readdirSync(join(out, 'mlp-b')).includes('explain.json'));
});

test.run();
