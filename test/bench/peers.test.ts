// The peer models of `npm run bench:train` (bench/peers/jaxjs.ts, bench/peers/tfjs.ts) have torch_bench.py's
// layer shapes: their parameter counts equal PyTorch's (44229 / 20101 / 17477) and ecgrad's reference models'.
// jax-js itself is loaded in a child process (it needs a global `navigator`); skipped when it is not installed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { JAX_MODEL_SHAPES, parameterCount } from '../../bench/peers/jaxjs.ts';
import { TF_STD_SHAPES } from '../../bench/peers/tfjs.ts';
import { StdCNN, DSCNN, LSTMNet } from '../../src/models/reference.ts';
import { initSync, isInitialised } from '../../src/all.ts';
import { projectRoot } from '../ecg/helpers.ts';

if (!isInitialised()) initSync();

const TORCH = { std: 44229, ds: 20101, lstm: 17477 };
const count = (m: { parameters(): { size: number }[] }) => m.parameters().reduce((s, p) => s + p.size, 0);

test('the jax-js and TF.js models have torch_bench.py parameter counts (and ecgrad reference models do too)', () => {
  assert.equal({ std: parameterCount('std'), ds: parameterCount('ds'), lstm: parameterCount('lstm') }, TORCH);
  assert.equal(Object.values(TF_STD_SHAPES).reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0), TORCH.std);
  assert.equal({ std: count(new StdCNN({ seed: 0 })), ds: count(new DSCNN({ seed: 0 })), lstm: count(new LSTMNet({ seed: 0 })) }, TORCH);
  assert.equal(Object.keys(JAX_MODEL_SHAPES).sort(), ['ds', 'lstm', 'std']);
});

test('jax-js builds those parameters and runs StdCNN inference (child process)', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'bench', 'peers-child.ts')], { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('PEERS_RESULT '));
  assert.ok(line, `child failed: ${r.stderr.slice(0, 2000)}`);
  const res = JSON.parse(line!.slice('PEERS_RESULT '.length)) as { skip?: string; sizes?: Record<string, number>; inferShape?: number[] };
  if (res.skip) {
    console.log(`  skipped: ${res.skip}`);
    return;
  }
  assert.equal(res.sizes, TORCH);
  assert.equal(res.inferShape, [1, 5]);
});

test.run();
