// The fidelity options of the Mondéjar-Guerra (2019) reproduction (docs/inter-patient.md, attempt 7), on
// small synthetic inputs made here: RR intervals over every annotation as their loader computes them
// (mondejarRows' rrFrom, the 'mondejar-ann' set through recordBeats) and the training labels of their loader
// (e and j as S, trainingLabels / --train-labels mondejar).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mondejarIntervals, mondejarRows, realignPeaks } from '../../../src/ecg/dataset/mondejar.ts';
import { removeBaseline } from '../../../src/ecg/dsp/baseline.ts';
import { rrFeatureNames, beatFeatureRows } from '../../../src/ecg/dataset/beat-features.ts';
import { recordBeats } from '../../../src/ecg/dataset/record-beats.ts';
import { AAMI } from '../../../src/ecg/dataset/labels.ts';
import { MONDEJAR_FEATURES } from '../../../src/ecg/dataset/mondejar.ts';
import { TRAIN_LABELS, trainingLabels } from '../../../src/classic/registry.ts';
import type { BeatDataset } from '../../../src/ecg/dataset/dataset.ts';
import type { WfdbRecord } from '../../../src/ecg/wfdb/record.ts';
import type { Annotations } from '../../../src/ecg/wfdb/annotations.ts';

const FS = 360, F = MONDEJAR_FEATURES.length;

/** A signal of narrow peaks at `at` (height 1 + k/10 for the k-th), 0 elsewhere. */
function peaks(at: number[], length: number): Float32Array {
  const x = new Float32Array(length);
  at.forEach((s, k) => {
    for (let d = -3; d <= 3; d++) x[s + d] = (1 + k / 10) * (1 - Math.abs(d) / 4);
  });
  return x;
}

test('rrFrom: the RR group runs over every given position (moved to its maximum), each beat taking its own row', () => {
  const beats = [400, 760, 1120, 1480, 1840, 2200];
  // A rhythm annotation ('+') 3 samples before the third beat and a noise annotation ('~') between beats 4 and 5.
  const all = [400, 760, 1117, 1120, 1480, 1700, 1840, 2200];
  const index = [0, 1, 3, 4, 6, 7];
  const x = peaks(beats, 2600);
  const own = mondejarRows(x, FS, beats), over = mondejarRows(x, FS, beats, { positions: all, index });
  // The descriptors of the window do not change; only the 8 RR columns do.
  for (let k = 0; k < beats.length; k++)
    assert.equal(Array.from(over.subarray(k * F + 8, (k + 1) * F)), Array.from(own.subarray(k * F + 8, (k + 1) * F)), `beat ${k} window features`);
  // The '+' moves onto the third beat's peak (its maximum within ±20 samples): the beat's pre-RR is 0 s, and
  // the '~' (at 1700, in a flat stretch) moves to the first sample of its search window, 1680, as Python's max
  // of enumerate() does, so the beat after it has pre-RR (1840 − 1680) / 360.
  const ref = mondejarIntervals(realignPeaks(removeBaseline(x, FS, { first: 71 / FS, second: 215 / FS }), FS, all), FS);
  const pre = (k: number) => over[k * F]!;
  assert.ok(Math.abs(pre(2) - 0) < 1e-6, `pre-RR of the beat after the '+': ${pre(2)}`);
  assert.ok(Math.abs(pre(4) - 160 / FS) < 1e-6, `pre-RR of the beat after the '~': ${pre(4)}`);
  assert.ok(Math.abs(own.subarray(4 * F)[0]! - 360 / FS) < 1e-6, 'over the beats alone it is 1 s');
  index.forEach((i, k) => {
    for (let j = 0; j < 4; j++) assert.ok(Math.abs(over[k * F + j]! - ref[i * 4 + j]!) < 1e-6, `beat ${k} RR ${j}`);
  });
  // Normalised RR: over the means of the beats' own rows.
  for (let j = 0; j < 4; j++) {
    let mean = 0;
    for (let k = 0; k < beats.length; k++) mean += over[k * F + j]! / beats.length;
    for (let k = 0; k < beats.length; k++) assert.ok(Math.abs(over[k * F + 4 + j]! - over[k * F + j]! / mean) < 1e-5, `normalised ${j}, beat ${k}`);
  }
  // Positions equal to the beats give the beats' own features exactly.
  assert.equal(Array.from(mondejarRows(x, FS, beats, { positions: beats, index: [0, 1, 2, 3, 4, 5] })), Array.from(own));
  assert.throws(() => mondejarRows(x, FS, beats, { positions: all, index: [0, 1, 2, 3, 4] }), /rrFrom.index has 5 entries for 6 beats/);
  assert.throws(() => mondejarRows(x, FS, beats, { positions: all, index: [0, 1, 2, 4, 6, 7] }), /rrFrom.index\[2\] = 2 does not point at beat 2's sample 1120/);
});

test("the 'mondejar-ann' set: recordBeats passes every annotation of the record, beat or not; refused with detected peaks", () => {
  const beats = [400, 760, 1120, 1480, 1840, 2200];
  const x = peaks(beats, 2600);
  const record = { recordName: 'syn', nSig: 1, fs: FS, sigLen: x.length, sigName: ['MLII'], pSignal: [x] } as unknown as WfdbRecord;
  const sample = [30, 400, 760, 1117, 1120, 1480, 1700, 1840, 2200];
  const symbol = ['+', 'N', 'A', '+', 'N', 'V', '~', 'N', 'N'];
  const ann = { sample: Float64Array.from(sample), symbol } as unknown as Annotations;
  assert.equal(rrFeatureNames('mondejar-ann'), MONDEJAR_FEATURES.slice());
  const win = { before: 90, after: 90 };
  const a = recordBeats(record, ann, AAMI, { window: win, rrSet: 'mondejar' });
  const b = recordBeats(record, ann, AAMI, { window: win, rrSet: 'mondejar-ann' });
  assert.equal(b.symbol, ['N', 'A', 'N', 'V', 'N', 'N']);
  assert.equal(Array.from(a.rr), Array.from(mondejarRows(x, FS, beats)));
  assert.equal(Array.from(b.rr), Array.from(mondejarRows(x, FS, beats, { positions: sample, index: [1, 2, 4, 5, 7, 8] })));
  assert.ok(Math.abs(b.rr[2 * F]!) < 1e-6 && Math.abs(a.rr[2 * F]! - 1) < 1e-6, 'the third beat: pre-RR 0 after the "+", 1 s over the beats');
  assert.throws(() => recordBeats(record, ann, AAMI, { window: win, rrSet: 'mondejar-ann', peaks: 'detected' }), /cannot take detected peaks/);
  assert.throws(() => beatFeatureRows('mondejar-ann', x, FS, beats), /'mondejar-ann' beat features are computed by mondejarRows/);
});

test('training labels: their loader counts e and j as S; other symbols keep the dataset label; unknown classes refused', () => {
  const ds = { classes: ['N', 'S', 'V', 'F', 'Q'], symbol: ['N', 'e', 'j', 'A', 'V', 'L', 'j'], y: Int32Array.from([0, 0, 0, 1, 2, 0, 0]) } as unknown as BeatDataset;
  const rows = Int32Array.from([0, 1, 2, 3, 4, 5]);
  assert.equal(Array.from(trainingLabels(ds, rows)), [0, 0, 0, 1, 2, 0]);
  assert.equal(Array.from(trainingLabels(ds, rows, TRAIN_LABELS.aami)), [0, 0, 0, 1, 2, 0]);
  assert.equal(Array.from(trainingLabels(ds, rows, TRAIN_LABELS.mondejar)), [0, 1, 1, 1, 2, 0]);
  assert.equal(Array.from(trainingLabels(ds, Int32Array.from([6, 0]), TRAIN_LABELS.mondejar)), [1, 0]);
  assert.throws(() => trainingLabels(ds, rows, { e: 'SVEB' }), /symbol "e" maps to class "SVEB", which the dataset does not have \(classes: N, S, V, F, Q\)/);
});

test.run();
