// Model files: bit-exact round trips, registry loading, atomic saves, and clear errors for corrupt,
// truncated or mismatched files that never half-load a model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  initSync, Linear, Sequential, ReLU, encodeModel, decodeModel, registerArchitecture, modelFromBytes, loadModelState,
  randn,
} from '../../src/all.ts';
import { saveModel, loadModel, loadModelInto } from '../../src/node/index.ts';
import { packContainer } from '../../src/core/container.ts';
import { decodeClassifierState } from '../../src/classic/format.ts';
import { decodeQuantizedModel } from '../../src/quant/quant-file.ts';

initSync();

const make = (cfg: Record<string, unknown>) =>
  new Sequential(new Linear(cfg.inputs as number, 8, { seed: cfg.seed as number }), new ReLU(), new Linear(8, 3, { seed: 2 }));
registerArchitecture('tiny-mlp', make);

test('encode / decode round-trips bit-exactly with architecture, config and meta', () => {
  const m = make({ inputs: 5, seed: 1 });
  m.parameters()[0]!.data(); // values include awkward floats
  const bytes = encodeModel(m, { arch: 'tiny-mlp', config: { inputs: 5, seed: 1 }, meta: { note: 'x' } });
  const d = decodeModel(bytes);
  assert.is(d.header.arch, 'tiny-mlp');
  assert.equal(d.header.config, { inputs: 5, seed: 1 });
  assert.equal(d.header.meta, { note: 'x' });
  for (const [name, t] of m.stateDict()) {
    const a = new Uint32Array(t.data().buffer), b = new Uint32Array(d.tensors.get(name)!.buffer);
    assert.equal(Array.from(b), Array.from(a), name);
  }
  const { model } = modelFromBytes(bytes);
  const x = randn([2, 5], { seed: 4 });
  assert.equal(Array.from(model.forward(x).data()), Array.from(m.forward(x).data()));
  assert.equal(encodeModel(model, { arch: 'tiny-mlp', config: { inputs: 5, seed: 1 }, meta: { note: 'x' } }), bytes);
});

test('corrupt, truncated and foreign files raise clear errors', () => {
  const bytes = encodeModel(make({ inputs: 5, seed: 1 }), { arch: 'tiny-mlp', config: { inputs: 5, seed: 1 } });
  const flipped = bytes.slice();
  flipped[bytes.length - 20]! ^= 0x01;
  assert.throws(() => decodeModel(flipped, 'm.ecgm'), /model file m.ecgm: checksum mismatch .* corrupt/);
  assert.throws(() => decodeModel(bytes.slice(0, bytes.length - 7), 'm.ecgm'), /truncated: \d+ bytes, expected \d+/);
  assert.throws(() => decodeModel(bytes.slice(0, 10), 'm.ecgm'), /truncated: 10 bytes/);
  assert.throws(() => decodeModel(new TextEncoder().encode('PK\x03\x04 not a model file at all'), 'x.zip'), /not an ecgrad model file/);
  const badJson = bytes.slice();
  badJson[12] = 0x7b + 1;
  assert.throws(() => decodeModel(badJson, 'm.ecgm'), /JSON header .* does not parse/);
});

test('a file for another architecture or shape never half-loads a model', () => {
  const bytes = encodeModel(make({ inputs: 5, seed: 1 }), { arch: 'tiny-mlp' });
  const other = make({ inputs: 6, seed: 3 });
  const before = other.parameters().map((p) => Array.from(p.data()));
  assert.throws(() => loadModelState(other, decodeModel(bytes), { source: 'm.ecgm' }), /0.weight: file has shape \[8, 5\], model expects \[8, 6\]/);
  assert.equal(other.parameters().map((p) => Array.from(p.data())), before);
  assert.throws(() => loadModelState(other, decodeModel(bytes), { arch: 'resnet', source: 'm.ecgm' }), /holds a "tiny-mlp" model, not "resnet"/);
  const unknown = encodeModel(make({ inputs: 5, seed: 1 }), { arch: 'nobody' });
  assert.throws(() => modelFromBytes(unknown), /architecture "nobody" is not registered \(known: .*tiny-mlp/);
});

test('saveModel writes atomically and loadModel names the path in errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-model-'));
  const path = join(dir, 'sub', 'm.ecgm');
  const m = make({ inputs: 4, seed: 9 });
  saveModel(path, m, { arch: 'tiny-mlp', config: { inputs: 4, seed: 9 } });
  assert.equal(readdirSync(join(dir, 'sub')), ['m.ecgm']);
  const { model, header } = loadModel(path);
  assert.is(header.arch, 'tiny-mlp');
  const x = randn([1, 4], { seed: 1 });
  assert.equal(Array.from(model.forward(x).data()), Array.from(m.forward(x).data()));
  const fresh = make({ inputs: 4, seed: 5 });
  loadModelInto(path, fresh, 'tiny-mlp');
  assert.equal(Array.from(fresh.forward(x).data()), Array.from(m.forward(x).data()));
  assert.throws(() => loadModel(join(dir, 'missing.ecgm')), /missing.ecgm: cannot be read: ENOENT/);
  writeFileSync(join(dir, 'bad.ecgm'), 'garbage');
  assert.throws(() => loadModel(join(dir, 'bad.ecgm')), /bad.ecgm: truncated/);
});

test('every file kind rejects a header of another format or version (the shared container checks them)', () => {
  const files: [string, (b: Uint8Array) => unknown, string][] = [
    ['ECGRADM1', (b) => decodeModel(b, 'm.ecgm'), 'ecgrad-model'],
    ['ECGRADC1', (b) => decodeClassifierState(b, 'c.ecgc'), 'ecgrad-classifier'],
    ['ECGRADQ1', (b) => decodeQuantizedModel(b, 'q.ecgq'), 'ecgrad-quantized-model'],
  ];
  for (const [magic, decode, format] of files) {
    const wrongFormat = packContainer(magic, { format: 'ecgrad-dataset', version: 1 }, 0, () => {});
    assert.throws(() => decode(wrongFormat), new RegExp(`header field "format" is "ecgrad-dataset", expected "${format}"`));
    const newer = packContainer(magic, { format, version: 2 }, 0, () => {});
    assert.throws(() => decode(newer), /version 2 is not supported \(this ecgrad reads version 1\)/);
  }
});

test.run();
