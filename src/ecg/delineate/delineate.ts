// ECG wave delineation of a single lead after Laguna, Jané & Caminal (1994), "Automatic detection of
// wave boundaries in multilead ECG signals: validation with the CSE database", Comput. Biomed. Res.
// 27(1):45-60, the method of PhysioNet's ecgpuwave, which de Chazal, O'Dwyer & Reilly (2004) used for
// their QRS duration, T-wave duration and P-wave flag. No wavelets: thresholds on band-limited
// derivatives, relative to the steepest slope of each wave, within physiological search windows.
//   filters   zero-phase 2nd-order Butterworth low-pass at 40 Hz (QRS) and 12 Hz (P, T), each followed by
//             a central difference (slope.ts); the P and T filter sees the signal with every QRS
//             (onset to offset) replaced by a straight line, so the QRS does not leak into its neighbours
//   QRS       slopes chained around R (plus an adjacent small q wave above the noise); onset where
//             |d| < (first slope's peak) / 4, offset where |d| < (last slope's peak) / 2, within
//             [R - 150 ms, R + 200 ms] and the midpoints to the neighbouring beats (qrs.ts)
//   T         peak in [R + 100 ms, R + min(0.6 RR, 700 ms)], onset and offset at half the steepest flank
//             slope (t-wave.ts)
//   P         peak in the 300 ms before QRS onset (after the previous T offset), limits at half the
//             steepest flank slope, present when its slope stands out from the rest of the window's and its
//             amplitude from the high-frequency noise (p-wave.ts)
// The constants are Laguna-style thresholds: K = 2 (a boundary where the slope has fallen to half of the
// wave's steepest slope, close to the tangent method: mu +- 1.9 sigma on a Gaussian wave), except the QRS
// onset, K = 4 (with K = 2 the onset of a steep R upstroke fell on the upstroke, which lifted the baseline
// level and lost the P waves of records such as 115, 116, 123 and 201). They were set here on synthetic
// beats and MIT-BIH records (no reference delineation at hand), not copied from ecgpuwave's source.
// Input: a filtered lead (baseline wander removed; e.g. removeBaseline, then a 35-40 Hz low-pass as de
// Chazal 2004), any units and sampling rate; the thresholds are relative, so the units do not matter.
// Output: sample positions, -1 where a point was not found; P positions are -1 when no P wave is present.
import { qrsLimits, type QrsSettings } from './qrs.ts';
import { tWave, type TSettings } from './t-wave.ts';
import { pWave, type PSettings } from './p-wave.ts';
import { lowpassDerivative } from './slope.ts';

/**
 * Options of the wave delineator: the differentiators' cut-offs, the QRS search window and the QRS, P and T
 * settings (each field defaults to QRS_DEFAULTS, P_DEFAULTS and T_DEFAULTS).
 */
export interface DelineateOptions {
  /** Low-pass cut-off of the QRS differentiator, Hz (40). */
  qrsCutoff?: number;
  /** Low-pass cut-off of the P and T wave differentiator, Hz (12). */
  waveCutoff?: number;
  /** The QRS search window around R, seconds before and after (0.15 and 0.2). */
  qrsBefore?: number;
  qrsAfter?: number;
  qrs?: Partial<QrsSettings>;
  t?: Partial<TSettings>;
  p?: Partial<PSettings>;
}

/** Per-beat wave positions (samples), in the order of the given R peaks; -1: not found. */
export interface Delineation {
  qrsOnset: Int32Array;
  qrsOffset: Int32Array;
  /** 1 when a P wave precedes the QRS, else 0 (and pOnset, pPeak, pOffset are -1). */
  pPresent: Uint8Array;
  pOnset: Int32Array;
  pPeak: Int32Array;
  pOffset: Int32Array;
  tOnset: Int32Array;
  tPeak: Int32Array;
  tOffset: Int32Array;
}

/** The default QRS settings of the delineator (seconds and ratios; see QrsSettings). */
export const QRS_DEFAULTS: Readonly<QrsSettings> = { core: 0.08, significance: 0.1, gap: 0.025, adjacent: 0.04, adjacentGap: 0.02, noiseK: 4, kOn: 4, kOff: 2 };
/** The default T-wave settings of the delineator (seconds and ratios; see TSettings). */
export const T_DEFAULTS: Readonly<TSettings> = { start: 0.1, rrFraction: 0.6, maxEnd: 0.7, kOn: 2, kOff: 2, maxFlank: 0.25 };
/** The default P-wave settings of the delineator (seconds and ratios; see PSettings). */
export const P_DEFAULTS: Readonly<PSettings> = { before: 0.3, gap: 0.02, kOn: 2, kOff: 2, slopeRatio: 3, minAmplitude: 0.01, hfRatio: 4, minDuration: 0.04, maxDuration: 0.2 };

/**
 * The noise level (standard deviation) of a derivative: its 10th percentile of |d| over 0.1257, the value
 * for Gaussian noise. A low percentile, so that the slopes of the waves themselves hardly count, however
 * densely beats fill the signal (every 4th sample on long signals, plenty for a level).
 */
function noiseLevel(x: ArrayLike<number>): number {
  const step = x.length > 40000 ? 4 : 1;
  const a = new Float32Array(Math.ceil(x.length / step));
  for (let i = 0, j = 0; i < x.length; i += step, j++) a[j] = Math.abs(x[i]!);
  a.sort();
  return a.length ? a[Math.floor(a.length * 0.1)]! / 0.1257 : 0;
}

function validate(signal: ArrayLike<number>, fs: number, peaks: ArrayLike<number>): void {
  if (!(typeof fs === 'number' && Number.isFinite(fs) && fs > 0)) throw new RangeError(`delineate: fs must be a positive finite number of Hz, got ${fs}`);
  const n = signal.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(signal[i]!)) throw new RangeError(`delineate: signal sample ${i} is ${signal[i]} (replace invalid samples before delineating)`);
  }
  for (let k = 0; k < peaks.length; k++) {
    const p = peaks[k]!;
    if (!Number.isInteger(p)) throw new RangeError(`delineate: R peak ${k} is ${p}, not an integer sample position`);
    if (p < 0 || p >= n) throw new RangeError(`delineate: R peak ${k} at sample ${p} lies outside the signal (0..${n - 1})`);
    if (k > 0 && p <= peaks[k - 1]!) throw new RangeError(`delineate: R peaks must be strictly increasing, but peak ${k} (${p}) follows peak ${k - 1} (${peaks[k - 1]})`);
  }
}

/**
 * Delineates every beat of a filtered single-lead ECG: QRS onset and offset, the P wave (presence, onset,
 * peak, offset) and the T wave (onset, peak, offset), from the sorted R-peak positions (annotations or a
 * QRS detector's output).
 */
export function delineate(signal: ArrayLike<number>, fs: number, peaks: ArrayLike<number>, options: DelineateOptions = {}): Delineation {
  validate(signal, fs, peaks);
  const qs: QrsSettings = { ...QRS_DEFAULTS, ...options.qrs };
  const ts: TSettings = { ...T_DEFAULTS, ...options.t };
  const ps: PSettings = { ...P_DEFAULTS, ...options.p };
  const n = signal.length, m = peaks.length;
  const out: Delineation = {
    qrsOnset: new Int32Array(m).fill(-1), qrsOffset: new Int32Array(m).fill(-1),
    pPresent: new Uint8Array(m), pOnset: new Int32Array(m).fill(-1), pPeak: new Int32Array(m).fill(-1), pOffset: new Int32Array(m).fill(-1),
    tOnset: new Int32Array(m).fill(-1), tPeak: new Int32Array(m).fill(-1), tOffset: new Int32Array(m).fill(-1),
  };
  if (m === 0 || n < 3) return out;
  const q = lowpassDerivative(signal, fs, options.qrsCutoff ?? 40);
  const noise = noiseLevel(q.d);
  const before = Math.round((options.qrsBefore ?? 0.15) * fs), after = Math.round((options.qrsAfter ?? 0.2) * fs);
  const baseline = new Float64Array(m), qrsAmp = new Float64Array(m);
  const base = Math.max(1, Math.round(0.02 * fs));
  for (let k = 0; k < m; k++) {
    const r = peaks[k]!;
    const lo = Math.max(0, r - before, k > 0 ? Math.ceil((peaks[k - 1]! + r) / 2) : 0);
    const hi = Math.min(n - 1, r + after, k < m - 1 ? Math.floor((r + peaks[k + 1]!) / 2) : n - 1);
    const [on, off] = qrsLimits(q.d, fs, r, lo, hi, qs, noise);
    out.qrsOnset[k] = on;
    out.qrsOffset[k] = off;
    let mn = Infinity, mx = -Infinity;
    for (let i = on >= 0 ? on : lo; i <= (off >= 0 ? off : hi); i++) {
      mn = Math.min(mn, q.lp[i]!);
      mx = Math.max(mx, q.lp[i]!);
    }
    qrsAmp[k] = mx - mn;
  }
  // The P and T differentiator runs on the signal with each QRS replaced by a straight line from its
  // onset to its offset, so that the 12 Hz low-pass does not smear the QRS into the PR and ST segments.
  const bridged = Float64Array.from(signal);
  for (let k = 0; k < m; k++) {
    const on = out.qrsOnset[k]!, off = out.qrsOffset[k]!;
    if (on < 0 || off <= on) continue;
    const a = bridged[on]!, z = bridged[off]!;
    for (let i = on + 1; i < off; i++) bridged[i] = a + ((z - a) * (i - on)) / (off - on);
  }
  const w = lowpassDerivative(bridged, fs, options.waveCutoff ?? 12);
  // baseline: the mean low-passed level over the 20 ms before QRS onset
  for (let k = 0; k < m; k++) {
    const on = out.qrsOnset[k]!;
    const e = on >= 0 ? on : Math.max(0, peaks[k]! - Math.round(0.06 * fs));
    let sum = 0, cnt = 0;
    for (let i = Math.max(0, e - base); i <= e; i++, cnt++) sum += w.lp[i]!;
    baseline[k] = sum / cnt;
  }
  for (let k = 0; k < m; k++) {
    const r = peaks[k]!, off = out.qrsOffset[k]!;
    if (off < 0) continue;
    const rr = k < m - 1 ? peaks[k + 1]! - r : k > 0 ? r - peaks[k - 1]! : fs;
    const nextOn = k < m - 1 ? out.qrsOnset[k + 1]! : -1;
    const end = k < m - 1 ? (nextOn > off ? nextOn - 1 : peaks[k + 1]! - Math.round(0.1 * fs)) : n - 2;
    const t = tWave(w.lp, w.d, fs, r, off, rr, end, baseline[k]!, ts);
    out.tOnset[k] = t.on;
    out.tPeak[k] = t.peak;
    out.tOffset[k] = t.off;
  }
  for (let k = 0; k < m; k++) {
    const on = out.qrsOnset[k]!;
    if (on < 0) continue;
    let lo = 1;
    if (k > 0) lo = Math.max(out.tOffset[k - 1]!, out.tPeak[k - 1]!, out.qrsOffset[k - 1]!, peaks[k - 1]!) + 1;
    const p = pWave(bridged, w.lp, w.d, fs, on, lo, baseline[k]!, qrsAmp[k]!, ps);
    if (!p.present) continue;
    out.pPresent[k] = 1;
    out.pOnset[k] = p.on;
    out.pPeak[k] = p.peak;
    out.pOffset[k] = p.off;
  }
  return out;
}
