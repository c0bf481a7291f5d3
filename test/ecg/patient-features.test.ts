// Patient-normalised beat features (src/ecg/dataset/patient.ts) on synthetic records built in code, and
// their way through recordBeats, model-file metadata and the whole-record batch classifier.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PATIENT_FEATURES, patientFeatures } from '../../src/ecg/dataset/patient.ts';
import { RR_FEATURES, rrFeatures } from '../../src/ecg/dataset/rr.ts';
import { recordBeats } from '../../src/ecg/dataset/record-beats.ts';
import { rrFeatureNames } from '../../src/ecg/dataset/beat-features.ts';
import { datasetOptionsOf } from '../../src/ecg/dataset/dataset-meta.ts';
import { AAMI } from '../../src/ecg/dataset/labels.ts';
import type { WfdbRecord } from '../../src/ecg/wfdb/record.ts';
import type { Annotations } from '../../src/ecg/wfdb/annotations.ts';

const FS = 360;

/** A narrow Gaussian QRS (sigma 10 ms) with a T wave; `wide` widens the QRS to sigma 40 ms and inverts it (V-like). */
function addBeat(x: Float32Array, at: number, wide = false): void {
  for (let t = -150; t <= 250; t++) {
    const i = at + t;
    if (i < 0 || i >= x.length) continue;
    const s = t / FS;
    const qrs = wide ? -1.2 * Math.exp(-0.5 * (s / 0.04) ** 2) : 1.5 * Math.exp(-0.5 * (s / 0.01) ** 2);
    const tw = 0.3 * Math.exp(-0.5 * ((s - 0.3) / 0.05) ** 2);
    x[i]! += qrs + tw;
  }
}

/** 40 beats every 0.8 s; beat 20 comes early (0.5 s after beat 19, S-like) and beat 30 is wide (V-like). */
function synthetic(): { x: Float32Array; beats: number[]; symbols: string[] } {
  const beats: number[] = [], symbols: string[] = [];
  let at = 200;
  for (let k = 0; k < 40; k++) {
    at += k === 20 ? Math.round(0.5 * FS) : Math.round(0.8 * FS);
    beats.push(at);
    symbols.push(k === 20 ? 'A' : k === 30 ? 'V' : 'N');
  }
  const x = new Float32Array(at + 400);
  beats.forEach((b, k) => addBeat(x, b, k === 30));
  return { x, beats, symbols };
}

const col = (f: Float32Array, k: number, name: string) => f[k * PATIENT_FEATURES.length + PATIENT_FEATURES.indexOf(name)]!;

test('patient features: RR over the record median RR, and comparisons with the median beat', () => {
  const { x, beats } = synthetic();
  const rr = rrFeatures(beats, FS);
  const f = patientFeatures(x, FS, beats, rr, RR_FEATURES.length);
  assert.is(f.length, beats.length * PATIENT_FEATURES.length);
  // Median RR is 0.8 s: an ordinary beat has ratios 1; the early beat 0.5 / 0.8 before it (and its predecessor after it).
  assert.ok(Math.abs(col(f, 10, 'preRR/recRR') - 1) < 0.01);
  assert.ok(Math.abs(col(f, 20, 'preRR/recRR') - 0.5 / 0.8) < 0.01, `early beat ${col(f, 20, 'preRR/recRR')}`);
  assert.ok(Math.abs(col(f, 19, 'postRR/recRR') - 0.5 / 0.8) < 0.01);
  assert.ok(Math.abs(col(f, 20, 'postRR/recRR') - 1) < 0.01);
  // Ordinary beats match the template; the wide inverted beat does not.
  for (const name of ['qrsCorr', 'tCorr']) assert.ok(col(f, 10, name) > 0.99, `${name} ${col(f, 10, name)}`);
  assert.ok(col(f, 10, 'rmsDiff') < 0.05 && Math.abs(col(f, 10, 'amplitudeRatio') - 1) < 0.02 && Math.abs(col(f, 10, 'energyRatio') - 1) < 0.05);
  assert.ok(col(f, 30, 'qrsCorr') < 0, `wide beat qrsCorr ${col(f, 30, 'qrsCorr')}`);
  assert.ok(col(f, 30, 'rmsDiff') > 1, `wide beat rmsDiff ${col(f, 30, 'rmsDiff')}`);
  assert.ok(col(f, 30, 'energyRatio') > 1.5, `wide beat energyRatio ${col(f, 30, 'energyRatio')}`);
  for (const v of f) assert.ok(Number.isFinite(v));
});

test('patient features: beats too close to the record edges take neutral values; a record without beats gives none', () => {
  const { x, beats } = synthetic();
  const edge = [20, ...beats.slice(1, -1), x.length - 5];
  const f = patientFeatures(x, FS, edge, rrFeatures(edge, FS), RR_FEATURES.length);
  for (const k of [0, edge.length - 1]) assert.equal(Array.from(f.subarray(k * 9 + 3, k * 9 + 9)), [1, 1, 1, 0, 1, 1]);
  assert.is(patientFeatures(x, FS, [], new Float32Array(0), 6).length, 0);
  const one = patientFeatures(x, FS, [beats[5]!], rrFeatures([beats[5]!], FS), 6);
  assert.ok(Array.from(one).every(Number.isFinite));
});

test('recordBeats with rrSet "patient": 15 named features per beat, the first 6 as with the local set', () => {
  const { x, beats, symbols } = synthetic();
  const record = { recordName: 'syn', nSig: 1, fs: FS, sigLen: x.length, sigName: ['MLII'], pSignal: [x] } as unknown as WfdbRecord;
  const ann = { sample: Int32Array.from(beats), symbol: symbols } as unknown as Annotations;
  const local = recordBeats(record, ann, AAMI, { window: { before: 90, after: 126 } });
  const patient = recordBeats(record, ann, AAMI, { window: { before: 90, after: 126 }, rrSet: 'patient' });
  assert.equal(local.rrFeatures, RR_FEATURES.slice());
  assert.equal(patient.rrFeatures, [...RR_FEATURES, ...PATIENT_FEATURES]);
  assert.is(patient.rr.length, patient.y.length * 15);
  assert.equal(patient.x, local.x);
  for (let i = 0; i < local.y.length; i++)
    assert.equal(Array.from(patient.rr.subarray(i * 15, i * 15 + 6)), Array.from(local.rr.subarray(i * 6, i * 6 + 6)));
  const v = patient.symbol.indexOf('V');
  assert.ok(patient.rr[v * 15 + 6 + PATIENT_FEATURES.indexOf('qrsCorr')]! < 0);
  assert.throws(() => rrFeatureNames('global' as 'local'), /rrSet must be one of 'local', 'patient', 'rhythm'/);
});

test('a model file names its feature set: datasetOptionsOf reads it, and rejects unknown sets', () => {
  assert.equal(datasetOptionsOf({}), {});
  assert.equal(datasetOptionsOf({ rrSet: 'local' }), {});
  assert.equal(datasetOptionsOf({ rrSet: 'patient' }), { rrSet: 'patient' });
  assert.equal(datasetOptionsOf({ rrSet: 'rhythm' }), { rrSet: 'rhythm' });
  assert.throws(() => datasetOptionsOf({ rrSet: 'global' }), /unknown rrSet "global".*local, patient, rhythm/);
});

test.run();
