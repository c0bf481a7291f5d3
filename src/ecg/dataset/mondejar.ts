// The heartbeat features of Mondéjar-Guerra et al. (2019), "Heartbeat classification fusing temporal and
// morphological information of ECGs via ensemble of classifiers", Biomedical Signal Processing and Control
// 47:41-48, as their code computes them (mondejar/ecg-classification, python/features_ECG.py and
// load_MITBIH.py), from one lead (MLII). 104 features per beat, in five groups (MONDEJAR_GROUPS):
//   RR (8)         preRR, postRR, localRR (mean of the beat's own and the 9 previous pre-RR), globalRR (mean of
//                  the pre-RR of the beats within the 5 minutes before the beat), then the four over their means
//                  on the record (their "normalised RR")
//   wavelets (23)  the level-3 approximation of the db1 (Haar) decomposition of the beat window: each level
//                  a[i] = (x[2i] + x[2i+1]) / √2, an odd length extended by repeating its last sample (pywt's
//                  symmetric mode), 180 -> 90 -> 45 -> 23
//   HOS (10)       skewness m3 / m2^1.5 and Pearson kurtosis m4 / m2² (biased moments) of the 5 windows of 30
//                  samples [30(i+1) − 15, 30(i+1) + 15), i = 0..4; a flat window gives 0
//   LBP (59)       the uniform 1-D local binary pattern histogram: at every position p = 4 .. 175 the 8 bits
//                  [x[p] > x[p+n] for n = −4..−1, 1..4] (first bit most significant); the 58 uniform codes
//                  (at most two 0/1 transitions, circularly) have a bin each, every other code the last bin
//   morphology (4) from the R point (90, x[90]) to the maximum of x[0..40), the minima of x[75..85) and
//                  x[95..105) and the maximum of x[150..180): the Euclidean distances after scaling positions
//                  by the four points' range and amplitudes by the range of the four and the R value
// The beat window: 180 samples [R − 90, R + 90) at 360 Hz, of the signal after their baseline removal (median
// filters of 71 then 215 samples, subtracted), R being the annotated peak moved to the signal's maximum within
// [R − 20, R + 20) (their `maxRR`), also for the RR intervals. At another rate the same times are read by
// linear interpolation (±0.25 s as 180 points, ±20/360 s for the peak search). Samples outside the record
// read 0. Choices where their code has a defect (fixed before any run, docs/inter-patient.md attempt 6): a NaN
// morphology distance reads 0 for each of the four (their check covers only the last). The RR intervals run
// over the R peaks of every beat annotation by default; `rrFrom` gives them over other positions instead, as
// their loader (load_MITBIH.py) does with every annotation of the record, beat or not ('+' rhythm changes,
// '~' noise, '|' artifacts, 'x', '!', ...): each position is moved to its maximum as the beats are, the RR
// features are computed over all of them, and each beat takes those of its own position.
import { removeBaseline } from '../dsp/baseline.ts';

/** The sizes of the five feature groups, in column order: RR, wavelets, HOS, LBP, morphology. */
export const MONDEJAR_GROUPS: readonly number[] = [8, 23, 10, 59, 4];
export const MONDEJAR_GROUP_NAMES: readonly string[] = ['rr', 'wavelets', 'hos', 'lbp', 'morphology'];

const RR_NAMES = ['preRR', 'postRR', 'localRR', 'globalRR'];
export const MONDEJAR_FEATURES: readonly string[] = [
  ...RR_NAMES.map((n) => `mg.${n}`),
  ...RR_NAMES.map((n) => `mg.${n}Norm`),
  ...Array.from({ length: 23 }, (_, k) => `mg.wavelet${k}`),
  ...Array.from({ length: 5 }, (_, k) => `mg.skew${k}`),
  ...Array.from({ length: 5 }, (_, k) => `mg.kurtosis${k}`),
  ...Array.from({ length: 59 }, (_, k) => `mg.lbp${k}`),
  ...Array.from({ length: 4 }, (_, k) => `mg.morph${k}`),
];

const WINDOW = 180, HALF = 90, BASE_FS = 360;
const GLOBAL_SECONDS = 300;

/** The 58 uniform 8-bit patterns (their uniform_pattern_list), then one bin for all others. */
const UNIFORM_BIN = /* @__PURE__ */ (() => {
  const bin = new Uint8Array(256).fill(58);
  let next = 0;
  for (let code = 0; code < 256; code++) {
    let transitions = 0;
    for (let b = 0; b < 8; b++) if (((code >> b) & 1) !== ((code >> ((b + 1) % 8)) & 1)) transitions++;
    if (transitions <= 2) bin[code] = next++;
  }
  return bin;
})();

/** The beat's 180-point window around `r` (a fractional sample position at `fs`), 0 outside the signal. */
function beatWindow(x: ArrayLike<number>, fs: number, r: number, out: Float64Array): void {
  const step = fs / BASE_FS;
  for (let k = 0; k < WINDOW; k++) {
    const t = r + (k - HALF) * step;
    const i = Math.floor(t), f = t - i;
    const a = i >= 0 && i < x.length ? x[i]! : 0;
    const b = f > 0 && i + 1 >= 0 && i + 1 < x.length ? x[i + 1]! : 0;
    out[k] = f > 0 ? a + f * (b - a) : a;
  }
}

/** The level-3 Haar approximation of the window (23 values). */
function waveletApprox(w: Float64Array, out: Float32Array, o: number): void {
  let a = Array.from(w);
  for (let level = 0; level < 3; level++) {
    const n = a.length, m = (n + 1) >> 1, next = new Array<number>(m);
    for (let i = 0; i < m; i++) next[i] = (a[2 * i]! + (2 * i + 1 < n ? a[2 * i + 1]! : a[n - 1]!)) * Math.SQRT1_2;
    a = next;
  }
  for (let i = 0; i < a.length; i++) out[o + i] = a[i]!;
}

/** Skewness and Pearson kurtosis (biased) of w[from..to); [0, 0] when the window is flat. */
function skewKurtosis(w: Float64Array, from: number, to: number): [number, number] {
  const n = to - from;
  let mean = 0;
  for (let i = from; i < to; i++) mean += w[i]!;
  mean /= n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = from; i < to; i++) {
    const d = w[i]! - mean, d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  if (!(m2 > 0)) return [0, 0];
  return [m3 / m2 ** 1.5, m4 / (m2 * m2)];
}

/** Index and value of the first maximum (sign 1) or minimum (sign −1) of w[from..to). */
function extremum(w: Float64Array, from: number, to: number, sign: 1 | -1): [number, number] {
  let at = from;
  for (let i = from + 1; i < to; i++) if (sign * w[i]! > sign * w[at]!) at = i;
  return [at, w[at]!];
}

function morphology(w: Float64Array, out: Float32Array, o: number): void {
  const pts = [extremum(w, 0, 40, 1), extremum(w, 75, 85, -1), extremum(w, 95, 105, -1), extremum(w, 150, 180, 1)];
  const rv = w[HALF]!;
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  const xMax = Math.max(...xs), xMin = Math.min(...xs);
  const yMax = Math.max(...ys, rv), yMin = Math.min(...ys, rv);
  const rx = (HALF - xMin) / (xMax - xMin), ry = (rv - yMin) / (yMax - yMin);
  for (let k = 0; k < 4; k++) {
    const dx = rx - (xs[k]! - xMin) / (xMax - xMin), dy = ry - (ys[k]! - yMin) / (yMax - yMin);
    const d = Math.hypot(dx, dy);
    out[o + k] = Number.isFinite(d) ? d : 0;
  }
}

function lbpHistogram(w: Float64Array, out: Float32Array, o: number): void {
  for (let p = 4; p < WINDOW - 4; p++) {
    let code = 0;
    for (const n of [-4, -3, -2, -1, 1, 2, 3, 4]) code = (code << 1) | (w[p]! > w[p + n]! ? 1 : 0);
    out[o + UNIFORM_BIN[code]!]! += 1;
  }
}

/**
 * The 96 window descriptors of one 180-sample beat window `w` (R at index 90) into out[o..o+96): wavelets
 * (23), skewness (5), kurtosis (5), uniform LBP (59), morphology (4).
 */
export function describeBeat(w: Float64Array, out: Float32Array, o: number): void {
  if (w.length !== WINDOW) throw new RangeError(`describeBeat: the window has ${w.length} samples, expected ${WINDOW}`);
  waveletApprox(w, out, o);
  for (let i = 0; i < 5; i++) {
    const [s, ku] = skewKurtosis(w, 30 * (i + 1) - 15, 30 * (i + 1) + 15);
    out[o + 23 + i] = s;
    out[o + 28 + i] = ku;
  }
  out.fill(0, o + 33, o + 92);
  lbpHistogram(w, out, o + 33);
  morphology(w, out, o + 92);
}

/** R peaks moved to the signal's first maximum within [r − s, r + s) (s = 20 samples at 360 Hz). */
export function realignPeaks(x: ArrayLike<number>, fs: number, beats: ArrayLike<number>): Float64Array {
  const s = Math.max(1, Math.round((20 * fs) / BASE_FS));
  const out = new Float64Array(beats.length);
  for (let k = 0; k < beats.length; k++) {
    const r = beats[k]!;
    if (r > s && r < x.length - s) {
      let at = r - s;
      for (let i = r - s + 1; i < r + s; i++) if (x[i]! > x[at]!) at = i;
      out[k] = at;
    } else out[k] = r;
  }
  return out;
}

/** Their RR features (pre, post, local, global; seconds) of peaks `r`, beats.length x 4. */
export function mondejarIntervals(r: ArrayLike<number>, fs: number): Float64Array {
  const n = r.length, out = new Float64Array(n * 4);
  if (n < 2) return out;
  const pre = new Float64Array(n), post = new Float64Array(n);
  for (let i = 1; i < n; i++) pre[i] = (r[i]! - r[i - 1]!) / fs;
  pre[0] = pre[1]!;
  for (let i = 0; i < n - 1; i++) post[i] = (r[i + 1]! - r[i]!) / fs;
  post[n - 1] = post[n - 2]!;
  let lo = 0, windowSum = 0; // pre[lo..i−1]: the beats within 5 minutes before beat i
  for (let i = 0; i < n; i++) {
    let local = 0;
    const from = Math.max(0, i - 9);
    for (let j = from; j <= i; j++) local += pre[j]!;
    local /= i - from + 1;
    if (i > 0) windowSum += pre[i - 1]!;
    while (lo < i && (r[i]! - r[lo]!) / fs >= GLOBAL_SECONDS) windowSum -= pre[lo++]!;
    const global = i === 0 || lo === i ? pre[i]! : windowSum / (i - lo);
    out.set([pre[i]!, post[i]!, local, global], i * 4);
  }
  return out;
}

/**
 * The positions the RR intervals run over when they are not the beats': `positions` (sorted samples, e.g.
 * every annotation of the record) and, for each beat, the index of its own position in that list.
 */
export interface RrPositions {
  positions: ArrayLike<number>;
  index: ArrayLike<number>;
}

/** Each beat's 4 RR features (beats x 4) over `rrFrom`'s positions, moved to their maxima of `x`. */
function intervalsOver(x: Float32Array, fs: number, beats: ArrayLike<number>, rrFrom: RrPositions): Float64Array {
  const { positions, index } = rrFrom;
  if (index.length !== beats.length) throw new RangeError(`mondejarRows: rrFrom.index has ${index.length} entries for ${beats.length} beats`);
  for (let k = 0; k < beats.length; k++) {
    const i = index[k]!;
    if (!(Number.isInteger(i) && i >= 0 && i < positions.length) || positions[i] !== beats[k])
      throw new RangeError(`mondejarRows: rrFrom.index[${k}] = ${i} does not point at beat ${k}'s sample ${beats[k]} in rrFrom.positions`);
  }
  const all = mondejarIntervals(realignPeaks(x, fs, positions), fs);
  const out = new Float64Array(beats.length * 4);
  for (let k = 0; k < beats.length; k++) out.set(all.subarray(index[k]! * 4, index[k]! * 4 + 4), k * 4);
  return out;
}

/**
 * The 104 Mondéjar-Guerra features of every beat of a record, from MLII (`signal`, physical units, at `fs`)
 * and the sorted annotated R positions of all its beats: beats.length x MONDEJAR_FEATURES.length values. The
 * RR group runs over the beats' own peaks, or over `rrFrom`'s positions when given (see the header).
 */
export function mondejarRows(signal: ArrayLike<number>, fs: number, beats: ArrayLike<number>, rrFrom?: RrPositions): Float32Array {
  const n = beats.length, F = MONDEJAR_FEATURES.length;
  const out = new Float32Array(n * F);
  if (n === 0) return out;
  const x = removeBaseline(signal, fs, { first: 71 / BASE_FS, second: 215 / BASE_FS });
  const r = realignPeaks(x, fs, beats);
  const rr = rrFrom ? intervalsOver(x, fs, beats, rrFrom) : mondejarIntervals(r, fs);
  const means = [0, 0, 0, 0];
  for (let k = 0; k < n; k++) for (let j = 0; j < 4; j++) means[j]! += rr[k * 4 + j]! / n;
  const w = new Float64Array(WINDOW);
  for (let k = 0; k < n; k++) {
    const o = k * F;
    for (let j = 0; j < 4; j++) {
      out[o + j] = rr[k * 4 + j]!;
      out[o + 4 + j] = means[j]! > 0 ? rr[k * 4 + j]! / means[j]! : 0;
    }
    beatWindow(x, fs, r[k]!, w);
    describeBeat(w, out, o + 8);
  }
  return out;
}
