// `ecgrad quantize` on the committed ArrhythmiNet V2 model and the real database (small calibration and
// test samples): the .ecgq file is written and under 50 KB, the JSON report compares float and int8,
// `evaluate` and `explain` read the .ecgq file, and bad input fails clearly with nothing written. Also the committed
// .ecgq files load through ecgrad/infer and agree with their float models.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../helpers/cli.ts';
import { initSync } from '../../src/all.ts';
import { loadClassifier } from '../../src/infer/index.ts';
import { mitdbDir, projectRoot } from '../ecg/helpers.ts';
import { loadDataset } from '../../src/node/dataset.ts';
import { stratifiedSubset } from '../../src/train/subset.ts';

initSync();
const data = mitdbDir();
const root = mkdtempSync(join(tmpdir(), 'ecgrad-quant-'));
const models = join(projectRoot, 'models');


test('quantize writes a small .ecgq file and reports float vs int8; evaluate reads it', async () => {
  const out = join(root, 'v2.ecgq');
  const r = await cli('quantize', '--model-file', join(models, 'arrhythminet-v2-rr.ecgm'), '--protocol', 'arrhythminet', '--data', data,
    '--out', out, '--calibration-beats', '400', '--test-beats', '600', '--json');
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.is(j.layers.int8, 8);
  assert.is(j.layers.weightOnly, 6);
  assert.ok(j.int8.bytes < 50 * 1024, `${j.int8.bytes} bytes`);
  assert.is(readFileSync(out).length, j.int8.bytes);
  assert.ok(j.float.accuracy > 0.95 && Math.abs(j.accuracyDropPoints) < 1.5, JSON.stringify(j));
  const e = await cli('evaluate', '--model-file', out, '--protocol', 'arrhythminet', '--data', data, '--beats', '300', '--json');
  assert.is(e.code, 0, e.err);
  assert.ok(JSON.parse(e.out).accuracy > 0.95);
  // explain reads it too (gradients run in float32 on the dequantised weights)
  const x = await cli('explain', '--model-file', out, '--protocol', 'arrhythminet', '--data', data, '--per-class', '1', '--method', 'integrated-gradients,grad-cam',
    '--steps', '4', '--metrics', 'faithfulness', '--out', join(root, 'explain-q'));
  assert.is(x.code, 0, x.err);
  assert.match(x.out, /\| arrhythminet-v2 \| grad-cam \|/);
});

test('quantize: clear errors and nothing written for bad input', async () => {
  const out = join(root, 'bad.ecgq');
  const a = await cli('quantize', '--protocol', 'intra');
  assert.is(a.code, 2);
  assert.match(a.err, /--model-file is required/);
  const b = await cli('quantize', '--model-file', join(models, 'arrhythminet-v2-rr.ecgq'), '--protocol', 'arrhythminet', '--data', data, '--out', out);
  assert.ok(b.code !== 0);
  assert.match(b.err, /already quantised/);
  const c = await cli('quantize', '--model-file', join(models, 'ft-cnn-intra-rr.ecgm'), '--protocol', 'arrhythminet', '--data', data, '--out', out);
  assert.ok(c.code !== 0);
  assert.match(c.err, /does not fit the arrhythminet protocol/);
  assert.not.ok(existsSync(out));
});

test('the committed .ecgq files load through ecgrad/infer and agree with their float models on real test beats', () => {
  for (const [name, protocol] of [['ft-cnn-intra-rr', 'intra'], ['arrhythminet-v2-rr', 'arrhythminet']] as const) {
    const f = loadClassifier(new Uint8Array(readFileSync(join(models, `${name}.ecgm`))));
    const q = loadClassifier(new Uint8Array(readFileSync(join(models, `${name}.ecgq`))), `${name}.ecgq`);
    assert.equal(q.info.classes, f.info.classes);
    const { dataset: ds } = loadDataset(protocol, { data, seed: 0 });
    const rows = stratifiedSubset(ds.y, ds.split.test, 500, 1);
    const x = new Float32Array(rows.length * ds.length), rr = new Float32Array(rows.length * 6);
    rows.forEach((r, i) => {
      x.set(ds.x.subarray(r * ds.length, (r + 1) * ds.length), i * ds.length);
      rr.set(ds.rr.subarray(r * 6, r * 6 + 6), i * 6);
    });
    const a = f.classify(x, rr), b = q.classify(x, rr);
    let agree = 0;
    for (let i = 0; i < rows.length; i++) if (a.pred[i] === b.pred[i]) agree++;
    assert.ok(agree >= 0.98 * rows.length, `${name}: ${agree} of ${rows.length} predictions agree`);
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
