// `ecgrad export` on the committed FT-CNN model files: to ONNX (float and int8; the files' logits checked
// in ONNX Runtime when it loads here), to safetensors and back to .ecgm (same tensors, bit for bit), and
// the usage errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.ts';
import { initSync } from '../../src/core/runtime.ts';
import { decodeModel } from '../../src/nn/model-file.ts';
import { readSafetensors } from '../../src/nn/safetensors.ts';
import { onnxOpTypes } from './onnx-read.ts';

initSync();
const models = new URL('../../models/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ecgrad-export-'));

test('export --format onnx writes an ONNX file for a float and an int8 model', async () => {
  const out = join(dir, 'ft.onnx');
  const r = await cli('export', '--model-file', join(models, 'ft-cnn-intra-rr.ecgm'), '--format', 'onnx', '--out', out, '--probabilities');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /inputs x \[batch, 1, 187\], rr \[batch, 6\], output logits \[batch, 5\] and probabilities/);
  assert.ok(onnxOpTypes(new Uint8Array(readFileSync(out))).has('Conv'));
  const q = await cli('export', '--model-file', join(models, 'ft-cnn-intra-rr.ecgq'), '--out', join(dir, 'ftq.onnx'));
  assert.is(q.code, 0, q.err);
  assert.match(q.out, /int8 \(QDQ, exact quantizer\)/);
  assert.ok(onnxOpTypes(new Uint8Array(readFileSync(join(dir, 'ftq.onnx')))).has('QuantizeLinear'));
});

test('export --format safetensors then --format ecgm gives back the same tensors', async () => {
  const st = join(dir, 'ft.safetensors');
  const r = await cli('export', '--model-file', join(models, 'ft-cnn-intra-rr.ecgm'), '--format', 'safetensors', '--out', st);
  assert.is(r.code, 0, r.err);
  const f = readSafetensors(new Uint8Array(readFileSync(st)));
  assert.is(f.metadata['ecgrad.arch'], 'ft-cnn');
  assert.is(f.tensors.get('qrs.1.num_batches_tracked')!.dtype, 'I64');
  const back = join(dir, 'ft-back.ecgm');
  const b = await cli('export', '--model-file', st, '--format', 'ecgm', '--out', back);
  assert.is(b.code, 0, b.err);
  const a = decodeModel(new Uint8Array(readFileSync(join(models, 'ft-cnn-intra-rr.ecgm')))), c = decodeModel(new Uint8Array(readFileSync(back)));
  assert.is(c.header.arch, 'ft-cnn');
  assert.equal(c.header.config, a.header.config);
  for (const [n, v] of a.tensors) assert.equal([...new Uint32Array(c.tensors.get(n)!.buffer)], [...new Uint32Array(v.buffer)], n);
});

test('export refuses bad usage with nothing written', async () => {
  const out = join(dir, 'never.x');
  for (const [args, pattern] of [
    [['--format', 'onnx'], /--model-file is required/],
    [['--model-file', join(models, 'ft-cnn-intra-rr.ecgm'), '--format', 'tflite', '--out', out], /--format must be one of onnx, safetensors, ecgm/],
    [['--model-file', join(models, 'ft-cnn-intra-rr.ecgq'), '--format', 'safetensors', '--out', out], /is an int8 model/],
    [['--model-file', join(models, 'ft-cnn-intra-rr.ecgm'), '--format', 'ecgm', '--out', out], /safetensors file ft-cnn-intra-rr\.ecgm: its header length/],
  ] as const) {
    const r = await cli('export', ...args);
    assert.ok(r.code !== 0, args.join(' '));
    assert.match(r.err, pattern);
  }
  assert.not.ok(existsSync(out));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
