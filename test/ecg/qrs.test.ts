// Specification of QRS detection: EC57-style beat matching, the Pan-Tompkins detector on a synthetic
// ECG with known beats, streaming equal to batch, and the target on the whole MIT-BIH database.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/random.ts';
import { compareAnnotations, vfEpisodes } from '../../src/ecg/qrs/compare.ts';
import { PanTompkins, panTompkins } from '../../src/ecg/qrs/pan-tompkins.ts';
import { MITDB_RECORDS } from '../../src/ecg/mitdb.ts';
import { evaluateQrs } from '../../src/node/qrs-eval.ts';
import { mitdbDir } from './helpers.ts';

test('compareAnnotations matches within 150 ms, one to one, closest pairs first', () => {
  // fs 100: the window is 15 samples.
  const c = compareAnnotations([100, 200, 300, 400], [85, 190, 205, 316, 600], 100);
  // 100~85 (15 apart: inside), 200~205 (closer than 190), 300 and 316 are 16 apart, 400 has nothing.
  assert.equal([c.tp, c.fn, c.fp], [2, 2, 3]);
  assert.equal(Array.from(c.refMatch), [0, 2, -1, -1]);
  assert.equal(Array.from(c.testMatch), [0, -1, 1, -1, -1]);
  assert.equal([c.se, c.ppv], [50, 40]);
  const none = compareAnnotations([], [], 360);
  assert.equal([none.se, none.ppv], [100, 100]);
});

test('excluded intervals (VF episodes from "[" to "]") drop out of both sets', () => {
  const ann = { sample: [10, 500, 900, 2000], symbol: ['N', '[', ']', '['] };
  const ep = vfEpisodes(ann, 3000);
  assert.equal(ep, [[500, 900], [2000, 3000]]);
  const c = compareAnnotations([10, 1000], [10, 600, 700, 1000, 2500], 360, 0.15, { exclude: ep });
  assert.equal([c.tp, c.fn, c.fp], [2, 0, 0]);
});

/** A synthetic ECG: QRS-like biphasic spikes, broad T waves, baseline wander and noise. */
function syntheticEcg(fs: number, seconds: number, seed: number): { x: Float32Array; beats: number[] } {
  const rng = new Rng(seed);
  const n = Math.round(fs * seconds);
  const x = new Float32Array(n);
  const beats: number[] = [];
  for (let t = Math.round(0.7 * fs); t < n - fs; t += Math.round(fs * (0.6 + 0.5 * rng.uniform()))) beats.push(t);
  const g = (i: number, c: number, w: number) => Math.exp(-0.5 * ((i - c) / w) ** 2);
  for (const b of beats) {
    const amp = 0.8 + 0.6 * rng.uniform();
    for (let i = Math.max(0, b - fs); i < Math.min(n, b + fs); i++) {
      x[i]! += amp * (g(i, b, 0.01 * fs) - 0.3 * g(i, b + 0.025 * fs, 0.012 * fs)) + 0.3 * amp * g(i, b + 0.28 * fs, 0.05 * fs);
    }
  }
  for (let i = 0; i < n; i++) x[i]! += 0.3 * Math.sin((2 * Math.PI * 0.25 * i) / fs) + 0.02 * rng.normal();
  return { x, beats };
}

test('Pan-Tompkins finds every beat of a synthetic ECG at 360 and 250 Hz, within 30 ms, no false detections', () => {
  for (const fs of [360, 250]) {
    const { x, beats } = syntheticEcg(fs, 120, fs);
    const det = panTompkins(x, fs);
    const c = compareAnnotations(beats, det, fs, 0.03);
    assert.equal([c.fn, c.fp], [0, 0], `fs ${fs}: ${c.fn} missed, ${c.fp} false`);
  }
});

test('the streaming detector, fed in chunks of any size, gives the batch result within its latency', () => {
  const fs = 360;
  const { x } = syntheticEcg(fs, 60, 7);
  const batch = Array.from(panTompkins(x, fs));
  const rng = new Rng(3);
  const det = new PanTompkins(fs);
  const stream: number[] = [];
  let i = 0;
  while (i < x.length) {
    const k = Math.min(x.length - i, 1 + rng.int(500));
    for (let j = i; j < i + k; j++) {
      for (const p of det.push(x[j]!)) {
        assert.ok(j - p <= det.latency, `QRS at ${p} reported at ${j}, later than the latency ${det.latency}`);
        stream.push(p);
      }
    }
    i += k;
  }
  stream.push(...det.flush());
  assert.equal(stream, batch);
});

test('on all 48 MIT-BIH records (VF episodes excluded) gross Se and +P are at least 99.5%, in well under a minute', () => {
  const r = evaluateQrs(mitdbDir(), MITDB_RECORDS);
  console.log(`  QRS gross Se ${r.gross.se}% +P ${r.gross.ppv}% (FN ${r.gross.fn}, FP ${r.gross.fp}) in ${r.seconds} s`);
  assert.is(r.gross.beats, 109494);
  assert.ok(r.gross.se >= 99.5, `Se ${r.gross.se}`);
  assert.ok(r.gross.ppv >= 99.5, `+P ${r.gross.ppv}`);
  assert.ok(r.seconds < 30, `${r.seconds} s`);
});

test.run();
