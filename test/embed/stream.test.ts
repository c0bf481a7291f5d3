// Streaming classification: on a whole MIT-BIH record, BeatStream fed in chunks of varying size gives
// exactly the batch pipeline's beats (positions, windows, RR features, classes); the streaming
// resampler equals resample(); beats carry times and probabilities and come out in order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadClassifier, BeatStream, classifyRecordBatch, resample } from '../../src/infer/index.ts';
import { SampleBuffer, StreamResampler } from '../../src/stream/index.ts';
import { rrFeatures } from '../../src/ecg/dataset/rr.ts';
import { beatFeatureRows } from '../../src/ecg/dataset/beat-features.ts';
import { patientFeatures } from '../../src/ecg/dataset/patient.ts';
import { kachueeBeats } from '../../src/ecg/dataset/windows.ts';
import { syntheticEcg } from '../../demo/synthetic.ts';
import { mlii, readMitdb, smallModelBytes } from './helpers.ts';

const clf = loadClassifier(smallModelBytes());

function runStream(sig: Float32Array, fs: number, chunk: (i: number) => number, mode: 'causal' | 'defer' = 'causal') {
  const s = new BeatStream(clf, { fs, singleBeatBlocks: mode });
  const beats = [];
  for (let pos = 0, i = 0; pos < sig.length; i++) {
    const c = Math.min(sig.length - pos, chunk(i));
    beats.push(...s.push(sig.subarray(pos, pos + c)));
    pos += c;
  }
  beats.push(...s.end());
  return beats;
}

test('streaming resampler equals resample() for any chunking', () => {
  const x = syntheticEcg(7).signal;
  for (const [fsIn, fsOut] of [[360, 125], [250, 125], [128, 125], [125, 125], [100, 125]] as const) {
    const r = new StreamResampler(fsIn, fsOut);
    const out = new SampleBuffer();
    for (let pos = 0, c = 1; pos < x.length; pos += c, c = (c * 5 + 1) % 97 + 1) r.push(x.subarray(pos, Math.min(x.length, pos + c)), out);
    r.end(out);
    const want = resample(x, fsIn, fsOut);
    assert.is(out.length, want.length, `${fsIn} -> ${fsOut} length`);
    let differ = 0;
    for (let i = 0; i < want.length; i++) if (out.at(i) !== want[i]) differ++;
    assert.is(differ, 0, `${fsIn} -> ${fsOut}: bit-exact`);
  }
});

test('record 208 (MIT-BIH, full 30 min): the stream equals the batch pipeline exactly', () => {
  const rec = readMitdb('208');
  const sig = mlii(rec);
  const batch = classifyRecordBatch(clf, sig, rec.fs);
  assert.ok(batch.sample.length > 2500, `${batch.sample.length} beats`);
  const beats = runStream(sig, rec.fs, (i) => ((i * 7919) % 700) + 1);
  assert.is(beats.length, batch.sample.length);
  let windows = 0, rr = 0, cls = 0, maxDp = 0;
  beats.forEach((b, i) => {
    assert.is(b.index, i);
    if (b.sample !== batch.sample[i]) throw new Error(`beat ${i}: sample ${b.sample} vs ${batch.sample[i]}`);
    for (let j = 0; j < 187; j++) if (b.window[j] !== batch.x[i * 187 + j]) windows++;
    for (let j = 0; j < 6; j++) if (b.rr[j] !== batch.rr[i * 6 + j]) rr++;
    if (b.cls !== batch.pred[i]) cls++;
    for (let c = 0; c < 5; c++) maxDp = Math.max(maxDp, Math.abs(b.probs[c]! - batch.probs[i * 5 + c]!));
    assert.ok(b.emittedAt >= b.sample, 'a beat is emitted after its R peak');
    assert.is(b.time, b.sample / rec.fs);
  });
  assert.is(windows, 0, 'windows bit-exact');
  assert.is(rr, 0, 'RR features bit-exact');
  assert.is(cls, 0, 'classes equal');
  assert.ok(maxDp < 1e-5, `probabilities within 1e-5 (max ${maxDp})`);
});

test('one sample at a time and defer mode give the same beats (synthetic signal with a pause)', () => {
  const { signal, fs } = syntheticEcg(60);
  // A 12 s flat pause leaves a 10 s block with at most one beat: 'defer' is then exact, 'causal' close.
  const sig = new Float32Array(signal.length + 12 * fs);
  sig.set(signal.subarray(0, 30 * fs));
  sig.fill(signal[30 * fs]!, 30 * fs, 42 * fs);
  sig.set(signal.subarray(30 * fs), 42 * fs);
  const batch = classifyRecordBatch(clf, sig, fs);
  const defer = runStream(sig, fs, () => 1, 'defer');
  assert.equal(defer.map((b) => b.sample), Array.from(batch.sample));
  let differ = 0;
  defer.forEach((b, i) => { for (let j = 0; j < 187; j++) if (b.window[j] !== batch.x[i * 187 + j]) differ++; });
  assert.is(differ, 0);
  const causal = runStream(sig, fs, () => 4096, 'causal');
  assert.equal(causal.map((b) => b.sample), Array.from(batch.sample));
});

test('beats are emitted while the signal streams, not only at the end', () => {
  const { signal, fs } = syntheticEcg(60);
  const s = new BeatStream(clf, { fs });
  let early = 0;
  for (let pos = 0; pos < signal.length; pos += fs) early += s.push(signal.subarray(pos, pos + fs)).length;
  const late = s.end().length;
  assert.ok(early > 50 && late < 20, `early ${early}, at the end ${late}`);
  assert.throws(() => s.push([0]), /after end/);
  assert.throws(() => new BeatStream(loadClassifier(smallModelBytes({ channels: 2 })), { fs: 360 }), /single-lead/);
});

test('a model on the patient features (15): classifyRecordBatch computes them over the record; BeatStream refuses it', () => {
  const { signal, fs } = syntheticEcg(60);
  const patient = loadClassifier(smallModelBytes({ rr: 15 }));
  const batch = classifyRecordBatch(patient, signal, fs);
  assert.ok(batch.pred.length > 50);
  // The 15 values fed per beat: the 6 local RR features, then the patient features of the same peaks.
  const rr = rrFeatures(batch.sample, fs);
  const fed = new Float32Array(batch.sample.length * 15);
  const extra = patientFeatures(signal, fs, batch.sample, rr, 6);
  for (let i = 0; i < batch.sample.length; i++) {
    fed.set(rr.subarray(i * 6, i * 6 + 6), i * 15);
    fed.set(extra.subarray(i * 9, i * 9 + 9), i * 15 + 6);
  }
  const x = kachueeBeats(signal, fs, batch.sample, { fs: 125, length: 187 });
  assert.equal(Array.from(patient.classify(x, fed).pred), Array.from(batch.pred));
  assert.throws(() => new BeatStream(patient, { fs }), /15 beat features .* classifyRecordBatch/);
  assert.throws(() => classifyRecordBatch(loadClassifier(smallModelBytes({ rr: 9 })), signal, fs), /takes 9 beat features; known sets have 6 \(local\), 15 \(patient\), 23 \(rhythm\), 20 \(irregular\)/);
  // The other whole-record sets are recognised by their width too.
  const irregular = loadClassifier(smallModelBytes({ rr: 20 }));
  const b20 = classifyRecordBatch(irregular, signal, fs);
  assert.equal(Array.from(irregular.classify(x, beatFeatureRows('irregular', signal, fs, b20.sample)).pred), Array.from(b20.pred));
  assert.throws(() => new BeatStream(irregular, { fs }), /20 beat features \(the irregular set/);
});

test.run();
