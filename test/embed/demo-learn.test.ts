// The demo's "learn this wearer" arithmetic (demo/learn.ts), in Node: which label scheme a model's classes
// are, the labels of detected beats from annotations (150 ms window, one annotation per beat, symbols
// outside the scheme left out), the cut at minute N, and the before/after figures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { annotatedLabels, cutIndex, figures, schemeOf, MATCH_SECONDS } from '../../demo/learn.ts';
import { AAMI, ARRHYTHMINET } from '../../src/ecg/dataset/labels.ts';

const fs = 360;
const ann = (pairs: [number, string][]) => ({ sample: Float64Array.from(pairs, (p) => p[0]), symbol: pairs.map((p) => p[1]) });

test('schemeOf: the scheme whose classes are the model classes, in order; otherwise null', () => {
  assert.is(schemeOf(['N', 'S', 'V', 'F', 'Q']), AAMI);
  assert.is(schemeOf(['N', 'L', 'R', 'A', 'V']), ARRHYTHMINET);
  assert.is(schemeOf(['S', 'N', 'V', 'F', 'Q']), null);
  assert.is(schemeOf(['0', '1']), null);
  assert.is(schemeOf(['N', 'S', 'V', 'F']), null);
});

test('annotatedLabels: nearest annotation within 150 ms, AAMI classes of the symbols', () => {
  const tol = Math.floor(MATCH_SECONDS * fs);
  const a = ann([[100, 'N'], [500, 'V'], [900, 'A'], [1300, 'L'], [1700, '/']]);
  const got = annotatedLabels(Int32Array.from([100 + tol, 500 - 3, 900, 1300 + tol + 1, 1700]), fs, a, AAMI);
  assert.equal(Array.from(got), [0, 2, 1, -1, 4]);
});

test('annotatedLabels: non-beat and out-of-scheme symbols are not beats; no detection -> -1', () => {
  const a = ann([[100, '+'], [104, '~'], [500, 'F'], [900, '|']]);
  assert.equal(Array.from(annotatedLabels(Int32Array.from([100, 500, 900]), fs, a, AAMI)), [-1, 3, -1]);
  // F is not an ArrhythmiNet class.
  assert.equal(Array.from(annotatedLabels(Int32Array.from([100, 500, 900]), fs, a, ARRHYTHMINET)), [-1, -1, -1]);
  assert.equal(Array.from(annotatedLabels(new Int32Array(0), fs, a, AAMI)), []);
  assert.equal(Array.from(annotatedLabels(Int32Array.from([5]), fs, ann([]), AAMI)), [-1]);
});

test('annotatedLabels: each annotation labels one detection (the first one in time); unsorted annotations', () => {
  const a = ann([[520, 'N'], [500, 'V']]);
  // Two detections near the pair: each takes the nearest unused one.
  assert.equal(Array.from(annotatedLabels(Int32Array.from([498, 503]), fs, a, AAMI)), [2, 0]);
  // Two detections near one annotation: the second gets none.
  assert.equal(Array.from(annotatedLabels(Int32Array.from([100, 110]), fs, ann([[105, 'V']]), AAMI)), [2, -1]);
});

test('cutIndex: the first beat at or after minute N', () => {
  const s = Int32Array.from([0, 59 * fs, 60 * fs - 1, 60 * fs, 61 * fs]);
  assert.is(cutIndex(s, fs, 1), 3);
  assert.is(cutIndex(s, fs, 0.5), 1);
  assert.is(cutIndex(s, fs, 5), 5);
  assert.is(cutIndex(new Int32Array(0), fs, 5), 0);
});

test('figures: agreement over annotated beats, S and V counts (tp, support, predicted)', () => {
  const classes = ['N', 'S', 'V', 'F', 'Q'];
  const y = Int32Array.from([0, 1, 1, 2, 2, -1, 0]);
  const p = Int32Array.from([0, 1, 0, 2, 1, 2, 2]);
  const f = figures(y, p, classes);
  assert.is(f.beats, 6);
  assert.is(f.agree, 3);
  assert.equal(f.perClass.S, { support: 2, predicted: 2, tp: 1 });
  assert.equal(f.perClass.V, { support: 2, predicted: 2, tp: 1 }); // the unlabelled beat's V call is not scored
  assert.equal(Object.keys(figures(y, p, ['N', 'L', 'R', 'A', 'V']).perClass), ['V']);
});

test.run();
