// ecgrad/infer: loading a model file for inference, classifying, clear errors, and the import graph and
// size of the inference bundle (npm run size).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadClassifier, modelHeader } from '../../src/infer/index.ts';
import { projectRoot } from '../ecg/helpers.ts';
import { smallModelBytes } from './helpers.ts';

test('loadClassifier reads the model file and classifies beats with probabilities', () => {
  const c = loadClassifier(smallModelBytes());
  assert.equal(c.info.classes, ['N', 'S', 'V', 'F', 'Q']);
  assert.is(c.info.length, 187);
  assert.is(c.info.rrFeatures, 6);
  assert.is(c.info.fs, 125);
  const x = new Float32Array(3 * 187).map((_, i) => Math.sin(i / 9));
  const { pred, probs } = c.classify(x, new Float32Array(18).fill(0.8));
  assert.is(pred.length, 3);
  for (let i = 0; i < 3; i++) {
    const row = probs.subarray(i * 5, i * 5 + 5);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.is(pred[i], row.indexOf(Math.max(...row)));
  }
  // Batching does not change results.
  const one = c.classify(x.subarray(187, 374), new Float32Array(6).fill(0.8));
  assert.ok(Math.abs(one.probs[0]! - probs[5]!) < 1e-5);
});

test('clear errors: corrupt or truncated files, wrong beat sizes, missing RR features', () => {
  const bytes = smallModelBytes();
  assert.throws(() => loadClassifier(bytes.slice(0, 50), 'm.ecgm'), /model file m\.ecgm: truncated/);
  const bad = bytes.slice();
  bad[bad.length - 10]! ^= 0xff;
  assert.throws(() => loadClassifier(bad, 'm.ecgm'), /checksum mismatch/);
  assert.throws(() => loadClassifier(new TextEncoder().encode('hello world, not a model'), 'x'), /not an ecgrad model file/);
  const c = loadClassifier(bytes);
  assert.throws(() => c.classify(new Float32Array(100), new Float32Array(6)), /not a whole number of beats/);
  assert.throws(() => c.classify(new Float32Array(187)), /takes 6 RR features/);
  assert.is(modelHeader(bytes).arch, 'arrhythminet-v2');
});

// The target: 100 KB gzip for the whole bundle, JS and both (inference) kernel builds embedded.
const CEILING_BYTES = 100 * 1024;

test('npm run size: the inference bundle holds no training, CLI, node, explanation or classic module, only the inference kernels, and is within 100 KB gzip', () => {
  let out: string;
  try {
    out = execFileSync(process.execPath, [join(projectRoot, 'scripts', 'size.mjs'), '--json'], { cwd: projectRoot, encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? '');
  }
  const r = JSON.parse(out);
  assert.equal(r.forbiddenModules, []);
  assert.ok(r.bundle.gzip > 10_000, 'the bundle was measured');
  assert.equal(Object.keys(r.wasm).sort(), ['scalar-infer', 'simd-infer'], 'both inference kernel builds are embedded, and no full one');
  assert.ok(r.bundle.gzip <= CEILING_BYTES, `bundle ${r.bundle.gzip} B gzip is over ${CEILING_BYTES} B`);
});

test.run();
