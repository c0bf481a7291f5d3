// BeatStream on a causal model (a model file whose meta.window is 'causal'): on a whole MIT-BIH record the
// stream's windows and RR features equal the offline dataset's (recordBeats with window 'causal') and the
// batch pipeline's bit for bit, beats come out within the latency targets (p50 <= 0.5 s, p99 <= 1 s of
// signal after the R peak), memory stays bounded, and model files naming a window the stream cannot build
// are refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BeatStream, classifyRecordBatch, loadClassifier, type StreamBeat } from '../../src/infer/index.ts';
import { encodeModel, initSync, modelSpec } from '../../src/all.ts';
import { recordBeats } from '../../src/ecg/dataset/record-beats.ts';
import { causalBeats } from '../../src/ecg/dataset/causal-window.ts';
import { causalRrFeatures } from '../../src/ecg/dataset/causal-rr.ts';
import { AAMI } from '../../src/ecg/dataset/labels.ts';
import { parseAnnotations } from '../../src/ecg/wfdb/annotations.ts';
import { syntheticEcg } from '../../demo/synthetic.ts';
import { mitdbDir, mlii, readMitdb } from './helpers.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function modelBytes(meta: Record<string, unknown>, rr = 6): Uint8Array {
  initSync();
  const config = { length: 187, channels: 1, classes: 5, rrFeatures: rr, fs: 125, seed: 3 };
  const model = modelSpec('arrhythminet-v2').build(config);
  model.eval();
  return encodeModel(model, { arch: 'arrhythminet-v2', config, meta: { classes: ['N', 'S', 'V', 'F', 'Q'], rr: rr > 0, ...meta } });
}

const causal = loadClassifier(modelBytes({ window: 'causal' }));

function runStream(sig: Float32Array, fs: number, chunk: (i: number) => number): { beats: StreamBeat[]; stream: BeatStream } {
  const stream = new BeatStream(causal, { fs });
  const beats: StreamBeat[] = [];
  for (let pos = 0, i = 0; pos < sig.length; i++) {
    const c = Math.min(sig.length - pos, chunk(i));
    beats.push(...stream.push(sig.subarray(pos, pos + c)));
    pos += c;
  }
  beats.push(...stream.end());
  return { beats, stream };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

test('record 208 (30 min): stream == batch pipeline == offline dataset windows, bit for bit; delay p50 <= 0.5 s, p99 <= 1 s', () => {
  const rec = readMitdb('208');
  const sig = mlii(rec);
  const fs = rec.fs;
  assert.is(new BeatStream(causal, { fs }).window, 'causal');
  const batch = classifyRecordBatch(causal, sig, fs);
  const { beats, stream } = runStream(sig, fs, (i) => ((i * 7919) % 700) + 1);
  assert.is(beats.length, batch.sample.length);
  assert.ok(beats.length > 2500, `${beats.length} beats`);
  let windows = 0, rr = 0, cls = 0;
  beats.forEach((b, i) => {
    assert.is(b.index, i);
    if (b.sample !== batch.sample[i]) throw new Error(`beat ${i}: sample ${b.sample} vs ${batch.sample[i]}`);
    for (let j = 0; j < 187; j++) if (b.window[j] !== batch.x[i * 187 + j]) windows++;
    for (let j = 0; j < 6; j++) if (b.rr[j] !== batch.rr[i * 6 + j]) rr++;
    if (b.cls !== batch.pred[i]) cls++;
  });
  assert.is(windows, 0, 'windows bit-exact');
  assert.is(rr, 0, 'RR features bit-exact');
  assert.is(cls, 0, 'classes equal');
  // The offline dataset's construction (recordBeats, detected peaks matched to the reference beats): each of
  // its rows is the stream's beat at the same R peak.
  const ann = parseAnnotations(new Uint8Array(readFileSync(join(mitdbDir(), '208.atr'))));
  const ds = recordBeats(rec, ann, AAMI, { window: 'causal', peaks: 'detected' });
  assert.ok(ds.y.length > 2500);
  const bySample = new Map(beats.map((b) => [b.sample, b]));
  let rows = 0;
  for (let k = 0; k < ds.y.length; k++) {
    const b = bySample.get(ds.sample[k]!)!;
    assert.ok(b, `row ${k} at ${ds.sample[k]} is a streamed beat`);
    for (let j = 0; j < 187; j++) if (b.window[j] !== ds.x[k * 187 + j]) rows++;
    for (let j = 0; j < 6; j++) if (b.rr[j] !== ds.rr[k * 6 + j]) rows++;
  }
  assert.is(rows, 0, 'dataset rows equal the streamed windows and RR features');
  // Memory: the stream keeps about 10 s of the resampled signal, not the record.
  const held = (stream as unknown as { y: { length: number; first: number } }).y;
  assert.ok(held.length - held.first < 125 * 40, `holds ${held.length - held.first} samples`);
});

test('latency on record 208 (first 10 min) in 100 ms chunks: p50 <= 0.5 s, p99 <= 1 s; none before its window is complete', () => {
  const rec = readMitdb('208');
  const fs = rec.fs, sig = mlii(rec).subarray(0, 600 * fs);
  const { beats } = runStream(sig, fs, () => 36);
  const delay = beats.map((b) => (b.emittedAt - b.sample) / fs).sort((a, b) => a - b);
  assert.ok(beats.length > 900, `${beats.length} beats`);
  assert.ok(pct(delay, 50) <= 0.5, `p50 ${pct(delay, 50)} s`);
  assert.ok(pct(delay, 99) <= 1.0, `p99 ${pct(delay, 99)} s`);
  // Before end(), a beat needs its window's last sample (R + 0.232 s) through the resampler (+0.144 s).
  const streamed = beats.filter((b) => b.emittedAt < sig.length).map((b) => (b.emittedAt - b.sample) / fs);
  assert.ok(Math.min(...streamed) >= 0.232 + 0.144, `no beat before its window is complete (${Math.min(...streamed)} s)`);
  // The Kachuee path on the same record waits for its 10 s blocks.
  const kachuee = new BeatStream(loadClassifier(modelBytes({})), { fs });
  assert.is(kachuee.window, 'kachuee');
  const late: number[] = [];
  for (let p = 0; p < sig.length; p += 36) for (const b of kachuee.push(sig.subarray(p, p + 36))) late.push((b.emittedAt - b.sample) / fs);
  late.sort((a, b) => a - b);
  assert.ok(pct(late, 50) > 3, `Kachuee p50 ${pct(late, 50)} s`);
});

test('one sample at a time equals one chunk; a synthetic stream with a pause', () => {
  const { signal, fs } = syntheticEcg(60);
  const sig = new Float32Array(signal.length + 12 * fs);
  sig.set(signal.subarray(0, 30 * fs));
  sig.fill(signal[30 * fs]!, 30 * fs, 42 * fs);
  sig.set(signal.subarray(30 * fs), 42 * fs);
  const one = runStream(sig, fs, () => 1).beats;
  const all = runStream(sig, fs, () => sig.length).beats;
  const batch = classifyRecordBatch(causal, sig, fs);
  assert.ok(one.length > 50);
  assert.equal(one.map((b) => b.sample), Array.from(batch.sample));
  assert.equal(all.map((b) => b.sample), Array.from(batch.sample));
  for (let i = 0; i < one.length; i++) {
    assert.equal(Array.from(one[i]!.window), Array.from(all[i]!.window));
    assert.equal(Array.from(one[i]!.window), Array.from(causalBeats(sig, fs, [batch.sample[i]!])));
    assert.equal(Array.from(one[i]!.rr), Array.from(causalRrFeatures(batch.sample, fs).subarray(i * 6, i * 6 + 6)));
  }
  // Beats right after the pause come out within a second, not at the end.
  const resumed = one.filter((b) => b.time > 42.5 && b.time < 50);
  assert.ok(resumed.length > 3 && resumed.every((b) => b.emittedAt - b.sample < fs), 'after the pause');
});

test('a causal patient model (15 features) streams: record 208 (first 5 min) equals the batch pipeline and the offline dataset', () => {
  const patient = loadClassifier(modelBytes({ window: 'causal', rrSet: 'patient' }, 15));
  const rec = readMitdb('208');
  const fs = rec.fs, sig = mlii(rec).subarray(0, 300 * fs);
  const stream = new BeatStream(patient, { fs });
  const beats: StreamBeat[] = [];
  for (let p = 0, i = 0; p < sig.length; i++) {
    const c = ((i * 7919) % 300) + 1;
    beats.push(...stream.push(sig.subarray(p, p + c)));
    p += c;
  }
  const before = beats.length;
  beats.push(...stream.end());
  assert.ok(before > 300 && beats.length - before < 3, `${before} beats before end(), ${beats.length - before} at it`);
  const batch = classifyRecordBatch(patient, sig, fs);
  assert.is(beats.length, batch.sample.length);
  let differ = 0;
  beats.forEach((b, i) => {
    assert.is(b.rr.length, 15);
    for (let j = 0; j < 15; j++) if (b.rr[j] !== batch.rr[i * 15 + j]) differ++;
    for (let j = 0; j < 187; j++) if (b.window[j] !== batch.x[i * 187 + j]) differ++;
    if (b.cls !== batch.pred[i]) differ++;
  });
  assert.is(differ, 0, 'features, windows and classes equal');
  const ann = parseAnnotations(new Uint8Array(readFileSync(join(mitdbDir(), '208.atr'))));
  const short = { ...rec, sigLen: sig.length, pSignal: rec.pSignal.map((x) => x.subarray(0, sig.length)) };
  const keep = ann.sample.findIndex((s) => s >= sig.length);
  const ds = recordBeats(short, { ...ann, sample: ann.sample.subarray(0, keep), symbol: ann.symbol.slice(0, keep) }, AAMI, { window: 'causal', rrSet: 'patient', peaks: 'detected' });
  const bySample = new Map(beats.map((b) => [b.sample, b]));
  let rows = 0;
  for (let k = 0; k < ds.y.length; k++) {
    const b = bySample.get(ds.sample[k]!)!;
    for (let j = 0; j < 15; j++) if (b.rr[j] !== ds.rr[k * 15 + j]) rows++;
  }
  assert.ok(ds.y.length > 300);
  assert.is(rows, 0, 'dataset features equal the streamed ones');
});

test('refusals: a window kind the stream cannot build, a beat-feature width no causal set has', () => {
  const odd = loadClassifier(modelBytes({ window: 'centred' }));
  assert.throws(() => new BeatStream(odd, { fs: 360 }), /BeatStream: the model file names the window "centred", which this version cannot build \(known: kachuee, causal\)/);
  assert.throws(() => classifyRecordBatch(odd, new Float32Array(3600), 360), /classifyRecordBatch: the model file names the window "centred"/);
  for (const width of [9, 20]) {
    const wide = loadClassifier(modelBytes({ window: 'causal' }, width));
    assert.throws(() => new BeatStream(wide, { fs: 360 }), new RegExp(`the causal model takes ${width} beat features; the causal window has the sets 6 \\(local\\), 15 \\(patient\\)`));
    assert.throws(() => classifyRecordBatch(wide, new Float32Array(3600), 360), /classifyRecordBatch: the causal model takes/);
  }
  // A Kachuee model on the whole-record patient features still cannot stream.
  assert.throws(() => new BeatStream(loadClassifier(modelBytes({ rrSet: 'patient' }, 15)), { fs: 360 }), /15 beat features .* classifyRecordBatch/);
});

test.run();
