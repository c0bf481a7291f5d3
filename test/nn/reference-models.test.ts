// Agreement with PyTorch 1.13: StdCNN, DSCNN and LSTMNet (../shared/baselines/torch_bench.py) built in
// ecgrad give the same logits, loss, parameter gradients and BatchNorm statistics on fixed inputs and
// weights (test/fixtures/reference-models, written by scripts/fixtures/reference_models.py).
// Relative error per tensor: max|ecgrad − torch| / max|torch| <= 1e-4.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { initSync, fromArray, crossEntropy, Dropout, type Module } from '../../src/all.ts';
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
const ours = (k: string) =>
  k.replace('running_mean', 'runningMean').replace('running_var', 'runningVar').replace('num_batches_tracked', 'numBatchesTracked');

function maxAbs(b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(b[i]!));
  return m;
}

/** max|a − b| / max|b|, with max|b| floored at `floor` (for tensors that are analytically zero). */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-30): number {
  let num = 0;
  for (let i = 0; i < b.length; i++) num = Math.max(num, Math.abs(a[i]! - b[i]!));
  return num / Math.max(maxAbs(b), floor);
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
  // A conv bias followed by BatchNorm has an analytically zero gradient (PyTorch's is ~1e-8 of rounding
  // noise): such tensors are measured against 1e-2 of the model's largest gradient instead of themselves.
  const gradScale = Math.max(...params.map(([n]) => maxAbs(f.get(`grad/${n}`))));
  const check = (what: string, got: ArrayLike<number>, want: Float32Array, floor = 1e-30) => {
    const e = relErr(got, want, floor);
    assert.ok(e <= 1e-4, `${name} ${what}: relative error ${e.toExponential(2)}`);
  };
  check('logits', out.data(), f.get('logits'));
  check('loss', [loss.item()], f.get('loss'));
  for (const [n, p] of params) check(`grad ${n}`, p.grad!.data(), f.get(`grad/${n}`), 1e-2 * gradScale);
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
