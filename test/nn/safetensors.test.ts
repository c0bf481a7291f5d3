// The safetensors reader and writer (src/nn/safetensors.ts) and the PyTorch-named state dicts
// (src/nn/safetensors-state.ts): round trips, dtypes, the layout the reference writer uses, every refusal
// as a SafetensorsError naming the file, and nothing half-loaded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync } from '../../src/core/runtime.ts';
import '../../src/wasm/full-kernels.ts';
import { readSafetensors, safeTensorToFloat32, SafetensorsError, writeSafetensors, halfToFloat } from '../../src/nn/safetensors.ts';
import { loadSafetensors, modelFromSafetensors, modelToSafetensors, torchStateDict } from '../../src/nn/safetensors-state.ts';
import { Sequential } from '../../src/nn/sequential.ts';
import { Conv1d } from '../../src/nn/conv.ts';
import { BatchNorm1d } from '../../src/nn/batchnorm.ts';
import { GRU, LSTM } from '../../src/nn/rnn.ts';
import { Linear } from '../../src/nn/linear.ts';
import { ReLU } from '../../src/nn/activations.ts';
import { GlobalAvgPool1d } from '../../src/nn/pool.ts';
import { getModel } from '../../src/models/registry.ts';

initSync();

const small = () => new Sequential(new Conv1d(1, 4, 3, { seed: 1 }), new BatchNorm1d(4), new ReLU(), new GlobalAvgPool1d(), new Linear(4, 3, { seed: 2 }));

/** A file from a JSON header and data bytes (the header length as written, unpadded). */
function raw(header: unknown, data = new Uint8Array(0), lengthField?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, lengthField ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function refused(f: () => unknown, pattern: RegExp, source = 'f.safetensors'): void {
  try {
    f();
  } catch (e) {
    assert.instance(e, SafetensorsError);
    assert.ok((e as Error).message.startsWith(`safetensors file ${source}: `), (e as Error).message);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a SafetensorsError matching ${pattern}`);
}

test('write then read: dtypes, shapes (scalar and empty), metadata, header padded to 8 bytes', () => {
  const bytes = writeSafetensors([
    ['a', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-30, -0]) }],
    ['n', { dtype: 'I64', shape: [], data: BigInt64Array.from([123456789012n]) }],
    ['e', { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) }],
    ['d', { dtype: 'F64', shape: [2], data: Float64Array.from([Math.PI, -1]) }],
    ['h', { dtype: 'F16', shape: [3], data: Uint16Array.from([0x3c00, 0xc000, 0x7bff]) }],
    ['b', { dtype: 'BF16', shape: [1], data: Uint16Array.from([0x3f80]) }],
  ], { format: 'pt', note: 'x' });
  const N = new DataView(bytes.buffer).getUint32(0, true);
  assert.is((8 + N) % 8, 0);
  const f = readSafetensors(bytes, 'f.safetensors');
  assert.equal(f.metadata, { format: 'pt', note: 'x' });
  assert.equal([...f.tensors.keys()], ['a', 'n', 'e', 'd', 'h', 'b']);
  assert.equal([...safeTensorToFloat32(f.tensors.get('a')!)], [...Float32Array.from([1, -2, 3.5, 0, 1e-30, -0])]);
  assert.equal(f.tensors.get('n')!.shape, []);
  assert.is(new DataView(f.tensors.get('n')!.bytes.buffer, f.tensors.get('n')!.bytes.byteOffset).getBigInt64(0, true), 123456789012n);
  assert.equal(f.tensors.get('e')!.shape, [0, 4]);
  assert.equal([...safeTensorToFloat32(f.tensors.get('d')!)], [Math.fround(Math.PI), -1]);
  assert.equal([...safeTensorToFloat32(f.tensors.get('h')!)], [1, -2, 65504]);
  assert.equal([...safeTensorToFloat32(f.tensors.get('b')!)], [1]);
  assert.is(halfToFloat(0x0001), 2 ** -24);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
});

test('the writer refuses what the format cannot hold', () => {
  assert.throws(() => writeSafetensors({ a: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }), /needs 12 bytes, got 8/);
  assert.throws(() => writeSafetensors({ a: { dtype: 'I64', shape: [1], data: new Float32Array(2) } }), /cannot hold I64/);
  assert.throws(() => writeSafetensors({ __metadata__: { dtype: 'F32', shape: [0], data: new Float32Array(0) } }), /reserved/);
  assert.throws(() => writeSafetensors({}, { a: 1 as unknown as string }), /must be a string/);
});

test('refusals name the file and the fault', () => {
  const src = 'f.safetensors';
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const eight = new Uint8Array(8);
  refused(() => readSafetensors(new Uint8Array(5), src), /too short/);
  refused(() => readSafetensors(raw(ok, eight, 2 ** 31), src), /larger than the 100000000-byte limit/);
  const huge = raw(ok, eight);
  new DataView(huge.buffer).setUint32(4, 1, true);
  refused(() => readSafetensors(huge, src), /larger than the/);
  refused(() => readSafetensors(raw(ok, eight).subarray(0, 20), src), /truncated/);
  refused(() => readSafetensors(raw(ok, new Uint8Array(4)), src), /run past the 4-byte data buffer/);
  refused(() => readSafetensors(raw('[1, 2]'), src), /does not start with "\{"/);
  refused(() => readSafetensors(raw('{"a": '), src), /not valid JSON/);
  const bad = raw('{"a":1}');
  bad[10] = 0xff;
  refused(() => readSafetensors(bad, src), /not valid UTF-8/);
  refused(() => readSafetensors(raw({ a: 5 }), src), /entry is not an object/);
  refused(() => readSafetensors(raw({ a: { dtype: 'F33', shape: [2], data_offsets: [0, 8] } }, eight), src), /unknown dtype "F33"/);
  refused(() => readSafetensors(raw({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, eight), src), /shape \[-2\] is not a list/);
  refused(() => readSafetensors(raw({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, eight), src), /data_offsets \[8,0\]/);
  refused(() => readSafetensors(raw({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, eight), src), /needs 12 bytes, data_offsets \[0, 8\] give 8/);
  refused(() => readSafetensors(raw({ a: { dtype: 'F32', shape: [1e15, 1e15], data_offsets: [0, 8] } }, eight), src), /needs more than the file holds/);
  refused(() => readSafetensors(raw({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), src), /starts at data byte 4, expected 0: the tensors leave a gap/);
  refused(() => readSafetensors(raw({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), src), /overlap/);
  refused(() => readSafetensors(raw(ok, new Uint8Array(12)), src), /cover 8 data bytes but the file holds 12/);
  refused(() => readSafetensors(raw({ ...ok, __metadata__: { a: 1 } }, eight), src), /"__metadata__" value of "a" is not a string/);
  // a shape with a zero dimension holds nothing, however large the others
  assert.equal(readSafetensors(raw({ a: { dtype: 'F32', shape: [1e15, 0], data_offsets: [0, 0] } }), src).tensors.get('a')!.bytes.length, 0);
});

test('torchStateDict: PyTorch names for BatchNorm buffers, I64 num_batches_tracked, RNN names as PyTorch', () => {
  const names = torchStateDict(small()).map((e) => `${e.torch}:${e.ecgrad}:${e.dtype}`);
  assert.equal(names, [
    '0.weight:0.weight:F32', '0.bias:0.bias:F32', '1.weight:1.weight:F32', '1.bias:1.bias:F32',
    '1.running_mean:1.runningMean:F32', '1.running_var:1.runningVar:F32', '1.num_batches_tracked:1.numBatchesTracked:I64',
    '4.weight:4.weight:F32', '4.bias:4.bias:F32',
  ]);
  const lstm = torchStateDict(new LSTM(3, { hiddenSize: 4, numLayers: 2, bidirectional: true })).map((e) => e.torch);
  assert.equal(lstm.slice(0, 8), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse']);
  assert.is(lstm.length, 16);
  assert.equal(torchStateDict(new GRU(2, { hiddenSize: 3 })).map((e) => e.tensor.shape), [[9, 2], [9, 3], [9], [9]]);
});

test('a model round-trips bit for bit, with a prefix, and num_batches_tracked as int64', () => {
  const a = small();
  const bn = a.layers[1] as BatchNorm1d;
  bn.runningMean!.assign_([0.1, -0.2, 0.3, 0.4]);
  bn.numBatchesTracked!.assign_([37]);
  const bytes = modelToSafetensors(a, { prefix: 'model.' });
  const f = readSafetensors(bytes);
  assert.is(f.tensors.get('model.1.num_batches_tracked')!.dtype, 'I64');
  const b = small();
  for (const [, t] of b.stateDict()) t.assign_(new Float32Array(t.size).fill(9));
  loadSafetensors(b, bytes, { prefix: 'model.' });
  const sa = a.stateDict(), sb = b.stateDict();
  for (const [n, t] of sa) assert.equal([...new Uint32Array(sb.get(n)!.data().buffer)], [...new Uint32Array(t.data().buffer)], n);
  assert.equal(modelToSafetensors(b, { prefix: 'model.' }), bytes);
});

test('loading refuses a file that does not fit, naming the tensors, and leaves the model untouched', () => {
  const src = 'm.safetensors';
  const model = small();
  const before = [...model.stateDict()].map(([n, t]) => [n, [...t.data()]]);
  const other = new Sequential(new Conv1d(1, 4, 3), new BatchNorm1d(4), new ReLU(), new GlobalAvgPool1d(), new Linear(4, 5));
  refused(() => loadSafetensors(model, modelToSafetensors(other), { source: src }), /does not fit this Sequential model: 4\.weight: file has shape \[5, 4\], model expects \[3, 4\]/, src);
  const state = new Map(torchStateDict(small()).map((e) => [e.torch, e]));
  const write = (drop: string[], extra: Record<string, { dtype: 'F32' | 'I32'; shape: number[]; data: Float32Array | Int32Array }> = {}) =>
    writeSafetensors([
      ...[...state].filter(([n]) => !drop.includes(n)).map(([n, e]) => [n, { dtype: 'F32' as const, shape: e.tensor.shape, data: e.tensor.data() }] as [string, { dtype: 'F32'; shape: readonly number[]; data: Float32Array }]),
      ...Object.entries(extra),
    ]);
  refused(() => loadSafetensors(model, write(['0.bias']), { source: src }), /missing 0\.bias \(shape \[4\]\)/, src);
  refused(() => loadSafetensors(model, write([], { 'extra.weight': { dtype: 'F32', shape: [1], data: new Float32Array(1) } }), { source: src }), /unexpected tensor extra\.weight/, src);
  refused(() => loadSafetensors(model, write(['0.bias'], { '0.bias': { dtype: 'I32', shape: [4], data: new Int32Array(4) } }), { source: src }), /0\.bias is I32; a parameter must be F32/, src);
  refused(() => loadSafetensors(model, write(['0.bias'], { '0.bias': { dtype: 'F32', shape: [4], data: Float32Array.from([0, Number.NaN, 0, 0]) } }), { source: src }), /0\.bias holds a non-finite value \(NaN at index 1\)/, src);
  const f64 = writeSafetensors([['1.running_var', { dtype: 'F64', shape: [4], data: Float64Array.from([1, 1e300, 1, 1]) }]]);
  refused(() => loadSafetensors(model, f64, { source: src, strict: false }), /1\.running_var holds a non-finite value \(Infinity at index 1\) as float32/, src);
  assert.equal([...model.stateDict()].map(([n, t]) => [n, [...t.data()]]), before);
  // missing num_batches_tracked is allowed (as PyTorch allows it) and strict: false ignores the rest
  loadSafetensors(model, write(['1.num_batches_tracked']), { source: src });
  loadSafetensors(model, write(['0.bias'], { 'x.y': { dtype: 'F32', shape: [1], data: new Float32Array(1) } }), { source: src, strict: false });
});

test('modelFromSafetensors rebuilds a registered architecture from its metadata, or says what is missing', () => {
  const input = { length: 187, channels: 1, classes: 5, rrFeatures: 0, fs: 125, seed: 3 };
  const m = getModel('ds-cnn').build(input);
  const bytes = modelToSafetensors(m, { arch: 'ds-cnn', config: input });
  const { model, arch, config } = modelFromSafetensors(bytes, { source: 'd.safetensors' });
  assert.is(arch, 'ds-cnn');
  assert.equal(config, input);
  assert.equal(modelToSafetensors(model, { arch: 'ds-cnn', config: input }), bytes);
  refused(() => modelFromSafetensors(modelToSafetensors(m), { source: 'd.safetensors' }), /names no architecture/, 'd.safetensors');
  refused(() => modelFromSafetensors(modelToSafetensors(m, { arch: 'nope', config: input }), { source: 'd.safetensors' }), /architecture "nope" is not registered/, 'd.safetensors');
  refused(() => modelFromSafetensors(modelToSafetensors(m, { arch: 'ds-cnn', config: { ...input, classes: 7 } }), { source: 'd.safetensors' }), /head\.4\.weight: file has shape \[5, 64\], model expects \[7, 64\]/, 'd.safetensors');
});

test.run();
