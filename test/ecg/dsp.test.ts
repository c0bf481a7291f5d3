// Specification of the signal processing, each against an analytic expectation: median filters equal a
// brute-force median and are fast, baseline removal removes a slow drift and DC, the Butterworth
// design has the textbook magnitude response and filtfilt applies it squared with zero phase,
// resampling reproduces a sine at the new rate and suppresses content above the new Nyquist.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/random.ts';
import { removeBaseline } from '../../src/ecg/dsp/baseline.ts';
import { butterworth, filtfilt, sosfilt, sosResponse } from '../../src/ecg/dsp/butterworth.ts';
import { medianFilter } from '../../src/ecg/dsp/median.ts';
import { minMax, zscore } from '../../src/ecg/dsp/normalize.ts';
import { resample, resampledLength } from '../../src/ecg/dsp/resample.ts';

const sine = (n: number, f: number, fs: number, amp = 1, phase = 0) =>
  Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / fs + phase));
const maxAbs = (a: ArrayLike<number>, from = 0, to = a.length) => {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
};

function bruteMedian(x: number[], w: number): number[] {
  const h = Math.floor(w / 2);
  return x.map((_, i) => {
    const s = x.slice(Math.max(0, i - h), i + h + 1).sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  });
}

test('the running median equals a brute-force median (with ties, shrinking windows at the edges)', () => {
  const rng = new Rng(1);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + rng.int(80), w = 1 + rng.int(31);
    const x = Array.from({ length: n }, () => rng.int(12) - 6);
    assert.equal(Array.from(medianFilter(x, w)), bruteMedian(x, w), `n=${n} w=${w}`);
  }
});

test('a 217-sample median over 650,000 samples takes well under a second', () => {
  const rng = new Rng(2);
  const x = Float32Array.from({ length: 650000 }, (_, i) => Math.sin(i / 40) + rng.normal());
  const t0 = performance.now();
  medianFilter(x, 217);
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
});

// A median of a smooth drift is exact for linear parts; curvature leaves < A w^2 (0.4 s)^2 / 6 = 0.034.
test('baseline removal takes out a DC offset and a 0.2 Hz drift but keeps narrow QRS-like spikes', () => {
  const fs = 360, n = 20 * fs;
  const spikes = new Float64Array(n);
  for (let b = 100; b < n; b += 288) for (let k = -4; k <= 4; k++) spikes[b + k] = 1 - Math.abs(k) / 5;
  const x = spikes.map((v, i) => v + 3 + 0.8 * Math.sin((2 * Math.PI * 0.2 * i) / fs));
  const y = removeBaseline(x, fs);
  let err = 0;
  for (let i = fs; i < n - fs; i++) err = Math.max(err, Math.abs(y[i]! - spikes[i]!));
  assert.ok(err < 0.04, `max deviation from the clean spikes: ${err}`);
});

test('Butterworth band-pass: |H| = 1 at the band centre, 1/sqrt(2) at both cut-offs, order-N roll-off', () => {
  const fs = 360;
  for (const order of [1, 2, 3, 4]) {
    const sos = butterworth(order, [5, 15], fs);
    assert.is(sos.length, order);
    const centre = (fs / Math.PI) * Math.atan(Math.sqrt(Math.tan((Math.PI * 5) / fs) * Math.tan((Math.PI * 15) / fs)));
    assert.ok(Math.abs(sosResponse(sos, centre, fs) - 1) < 1e-9);
    assert.ok(Math.abs(sosResponse(sos, 5, fs) - Math.SQRT1_2) < 1e-9);
    assert.ok(Math.abs(sosResponse(sos, 15, fs) - Math.SQRT1_2) < 1e-9);
  }
  // Far above the band the magnitude falls at 20*N dB per decade (pre-warped frequency).
  const sos = butterworth(3, [5, 15], fs);
  const r = sosResponse(sos, 60, fs) / sosResponse(sos, 120, fs);
  const warped = Math.tan((Math.PI * 120) / fs) / Math.tan((Math.PI * 60) / fs);
  assert.ok(Math.abs(Math.log(r) / Math.log(warped) - 3) < 0.15, `slope ${Math.log(r) / Math.log(warped)}`);
});

test('Butterworth low- and high-pass: unity at DC / Nyquist, 1/sqrt(2) at the cut-off', () => {
  for (const order of [1, 2, 5]) {
    const lp = butterworth(order, 40, 360, 'lowpass');
    const hp = butterworth(order, 0.5, 360, 'highpass');
    assert.ok(Math.abs(sosResponse(lp, 0, 360) - 1) < 1e-9 && Math.abs(sosResponse(lp, 40, 360) - Math.SQRT1_2) < 1e-9);
    assert.ok(Math.abs(sosResponse(hp, 180, 360) - 1) < 1e-9 && Math.abs(sosResponse(hp, 0.5, 360) - Math.SQRT1_2) < 1e-9);
  }
});

test('filtfilt passes a sine at |H|^2 with zero phase: gain 1 in band, 1/2 at a cut-off, DC removed', () => {
  const fs = 360, n = 20 * fs;
  const sos = butterworth(2, [5, 15], fs);
  const mid = [4 * fs, n - 4 * fs] as const;
  const centre = filtfilt(sos, sine(n, 8.66, fs));
  const ref = sine(n, 8.66, fs);
  const g = sosResponse(sos, 8.66, fs) ** 2;
  let err = 0;
  for (let i = mid[0]; i < mid[1]; i++) err = Math.max(err, Math.abs(centre[i]! - g * ref[i]!));
  assert.ok(err < 1e-4, `in-band error ${err} (expected gain ${g})`); // zero phase: no shift at all
  const edge = filtfilt(sos, sine(n, 15, fs));
  assert.ok(Math.abs(maxAbs(edge, ...mid) - 0.5) < 2e-3, `gain at the cut-off ${maxAbs(edge, ...mid)}`);
  const dc = filtfilt(sos, new Float64Array(n).fill(5));
  assert.ok(maxAbs(dc) < 1e-6, `DC leak ${maxAbs(dc)}`);
});

test('sosfilt state makes chunked (streaming) filtering equal to one pass', () => {
  const sos = butterworth(2, [5, 15], 360);
  const x = sine(1000, 7, 360);
  const whole = sosfilt(sos, x);
  const state = new Float64Array(2 * sos.length);
  const parts = [...sosfilt(sos, x.subarray(0, 333), state), ...sosfilt(sos, x.subarray(333), state)];
  assert.ok(maxAbs(whole.map((v, i) => v - parts[i]!)) < 1e-12);
});

test('resampling 360 -> 125 Hz reproduces a 5 Hz sine at the new sample times', () => {
  const n = 3600;
  const y = resample(sine(n, 5, 360, 1, 0.3), 360, 125);
  assert.is(y.length, resampledLength(n, 360, 125));
  assert.is(y.length, 1250);
  const want = sine(1250, 5, 125, 1, 0.3);
  let err = 0;
  for (let i = 100; i < 1150; i++) err = Math.max(err, Math.abs(y[i]! - want[i]!));
  assert.ok(err < 2e-3, `max error ${err}`);
});

test('resampling 360 -> 125 Hz suppresses a 100 Hz sine (above the new 62.5 Hz Nyquist) instead of aliasing it', () => {
  const y = resample(sine(3600, 100, 360), 360, 125);
  assert.ok(maxAbs(y, 100, 1150) < 0.01, `alias amplitude ${maxAbs(y, 100, 1150)}`);
  const up = resample(sine(1250, 5, 125), 125, 360);
  const want = sine(3600, 5, 360);
  let err = 0;
  for (let i = 300; i < 3300; i++) err = Math.max(err, Math.abs(up[i]! - want[i]!));
  assert.ok(err < 2e-3, `upsampling error ${err}`);
});

test('z-score gives mean 0 and standard deviation 1; min-max maps to [0, 1]; constants give zeros', () => {
  const x = [2, 4, 4, 4, 5, 5, 7, 9];
  assert.equal(Array.from(zscore(x)), [-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2]);
  assert.equal(Array.from(minMax(x)), [0, 2, 2, 2, 3, 3, 5, 7].map((v) => Math.fround(v / 7)));
  assert.equal(Array.from(zscore([3, 3])), [0, 0]);
  assert.equal(Array.from(minMax([3, 3])), [0, 0]);
});

test.run();
