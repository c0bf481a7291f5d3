// safetensors state dicts exchanged with PyTorch 1.13 for every zoo model (fixtures in
// test/fixtures/safetensors, written once by scripts/make-safetensors-fixtures.py with Debian's
// python3-torch; PyTorch is never needed here):
//  - names: ecgrad's PyTorch-named state dict equals PyTorch's state_dict() (names, shapes, dtypes, order);
//  - ecgrad → PyTorch: the file ecgrad writes is the one PyTorch loaded (SHA-256), and PyTorch's logits
//    on it equal ecgrad's;
//  - PyTorch → ecgrad: files PyTorch saved (float32, and float16 for arrhythminet-v2) load into the
//    ecgrad model and give PyTorch's logits.
// Logits agree when max|ecgrad − torch| / max|torch| <= 1e-5 (the measured values are printed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { initSync } from '../../src/core/runtime.ts';
import '../../src/wasm/full-kernels.ts';
import { modelSpec } from '../../src/models/registry.ts';
import { loadSafetensors, modelFromSafetensors, modelToSafetensors, torchStateDict } from '../../src/nn/safetensors-state.ts';
import { buildCase, logitsOf, relErr, zooCases } from '../export/zoo-cases.ts';

initSync();

interface Expected {
  torch: string;
  batch: { x: number[]; rr: number[] };
  models: Record<string, {
    stateDict: [string, number[], string][];
    fromEcgrad: { sha256: string; logits: number[] };
    fromTorch?: { file: string; dtype: string; logits: number[] };
  }>;
}

const dir = new URL('../fixtures/safetensors/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Expected;
const batch = { x: Float32Array.from(expected.batch.x), rr: Float32Array.from(expected.batch.rr) };
const TOL = 1e-5;

test('the fixtures cover every registered zoo model', () => {
  assert.equal(Object.keys(expected.models).sort(), zooCases().map((c) => c.name).sort());
});

test("every zoo model's state dict has PyTorch's names, shapes, dtypes and order", () => {
  for (const c of zooCases()) {
    const ours = torchStateDict(modelSpec(c.name).build(c.input)).map((e) => [e.torch, [...e.tensor.shape], e.dtype]);
    assert.equal(ours, expected.models[c.name]!.stateDict, c.name);
  }
});

test('ecgrad → PyTorch: the bytes PyTorch loaded are the ones ecgrad writes, and its logits are ecgrad\'s', () => {
  const rows: string[] = [];
  for (const c of zooCases()) {
    const want = expected.models[c.name]!.fromEcgrad;
    const model = buildCase(c);
    const bytes = modelToSafetensors(model, { arch: c.name, config: { ...c.input } });
    const sha = createHash('sha256').update(bytes).digest('hex');
    assert.is(sha, want.sha256, `${c.name}: the file differs from the one PyTorch loaded (did the zoo model or the writer change? rerun scripts/make-safetensors-fixtures.py)`);
    const e = relErr(logitsOf(model, c, batch), want.logits);
    rows.push(`${c.name} ${e.toExponential(1)}`);
    assert.ok(e <= TOL, `${c.name}: ecgrad vs PyTorch logits, relative error ${e.toExponential(2)}`);
    // and the file rebuilds the model by itself (metadata ecgrad.arch / ecgrad.config)
    const again = modelFromSafetensors(bytes, { source: `${c.name}.safetensors` }).model.eval();
    assert.equal(logitsOf(again, c, batch), logitsOf(model, c, batch), `${c.name}: rebuilt from its file`);
  }
  console.log(`  ecgrad → PyTorch ${expected.torch}, logits relative error: ${rows.join(', ')}`);
});

test('PyTorch → ecgrad: state dicts saved by PyTorch (float32 and float16) load and give its logits', () => {
  const rows: string[] = [];
  let files = 0;
  for (const c of zooCases()) {
    const want = expected.models[c.name]!.fromTorch;
    if (!want) continue;
    files++;
    const model = modelSpec(c.name).build(c.input);
    loadSafetensors(model, new Uint8Array(readFileSync(new URL(want.file, dir))), { source: want.file });
    model.eval();
    const bn = model.namedBuffers().find(([n]) => n.endsWith('numBatchesTracked'));
    if (bn) assert.is(bn[1].item(), 1234, `${c.name}: num_batches_tracked (int64) read`);
    const e = relErr(logitsOf(model, c, batch), want.logits);
    rows.push(`${c.name} (${want.dtype}) ${e.toExponential(1)}`);
    assert.ok(e <= TOL, `${c.name}: PyTorch vs ecgrad logits, relative error ${e.toExponential(2)}`);
  }
  assert.is(files, 4);
  console.log(`  PyTorch ${expected.torch} → ecgrad, logits relative error: ${rows.join(', ')}`);
});

test.run();
