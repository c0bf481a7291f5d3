// Agreement with PyTorch 1.13: StdCNN, DSCNN and LSTMNet (../shared/baselines/torch_bench.py) built in
// ecgrad give the same logits, loss, parameter gradients and BatchNorm statistics on fixed inputs and
// weights (test/fixtures/reference-models, written by scripts/fixtures/reference_models.py).
// Relative error per tensor: max|ecgrad − torch| / max|torch| <= 1e-4.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { initSync, fromArray, crossEntropy, Dropout, type Module } from '../../src/index.ts';
import { StdCNN, DSCNN, LSTMNet } from '../../src/models/reference.ts';

initSync();

interface Fixture {
  labels: number[];
  arrays: Record<string, { offset: number; shape: number[] }>;
}

function load(name: string): { meta: Fixture; get: (k: string) => Float32Array; shape: (k: string) => number[] } {
  const dir = new URL('../fixtures/reference-models/', import.meta.url);
  const meta = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Fixture;
  const bin = readFileSync(new URL(`${name}.bin`, dir));
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const get = (k: string) => {
    const a = meta.arrays[k];
    if (!a) throw new Error(`fixture ${name} has no array ${k}`);
    return all.subarray(a.offset, a.offset + a.shape.reduce((p, d) => p * d, 1));
  };
  return { meta, get, shape: (k) => meta.arrays[k]!.shape };
}

/** PyTorch state_dict name -> ecgrad name. */
const ours = (k: string) => k.replace('running_mean', 'runningMean').replace('running_var', 'runningVar');

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-30);
}

function agree(name: string, model: Module): void {
  const f = load(name);
  const state = new Map<string, Float32Array>();
  for (const k of Object.keys(f.meta.arrays)) if (k.startsWith('state/')) state.set(ours(k.slice(6)), f.get(k));
  model.loadStateDict(state);
  model.train();
  for (const [, m] of model.namedModules()) if (m instanceof Dropout) m.eval();
  const x = fromArray(f.get('x'), f.shape('x'));
  const params = model.namedParameters();
  const out = model.forward(x);
  const loss = crossEntropy(out, f.meta.labels);
  loss.backward();
  const check = (what: string, got: ArrayLike<number>, want: Float32Array) => {
    const e = relErr(got, want);
    assert.ok(e <= 1e-4, `${name} ${what}: relative error ${e.toExponential(2)}`);
  };
  check('logits', out.data(), f.get('logits'));
  check('loss', [loss.item()], f.get('loss'));
  for (const [n, p] of params) check(`grad ${n}`, p.grad!.data(), f.get(`grad/${n}`));
  const buffers = new Map(model.namedBuffers());
  for (const k of Object.keys(f.meta.arrays))
    if (k.startsWith('after/')) check(k, buffers.get(ours(k.slice(6)))!.data(), f.get(k));
  model.eval();
  check('eval logits', model.forward(x).data(), f.get('eval_logits'));
}

test('StdCNN agrees with PyTorch (logits, loss, gradients, BN statistics)', () => agree('StdCNN', new StdCNN({ seed: 5 })));
test('DSCNN agrees with PyTorch', () => agree('DSCNN', new DSCNN({ seed: 5 })));
test('LSTMNet agrees with PyTorch', () => agree('LSTMNet', new LSTMNet({ seed: 5 })));

test.run();
