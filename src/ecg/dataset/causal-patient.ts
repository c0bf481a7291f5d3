// Causal patient-relative features (the causal window's 'patient' set, `--window causal --rr-set
// patient`): how a beat departs from its wearer's recent rhythm and dominant morphology, as patient.ts
// measures it over the whole record, but with running estimates over the beats up to this one, so
// BeatStream has them when the beat is detected. Computed from the beats' causal windows
// (causal-window.ts: 0..1, normalised over the past 10 s) and causal RR rows (causal-rr.ts), in order:
//   recRR            median of the up to CAUSAL_PATIENT.intervals (300, ~4-5 min) most recent intervals,
//                    the beat's own previous one included (patient.ts: the record's median RR)
//   preRR/recRR, prePreRR/recRR, localRR/recRR        (1 while there is no interval yet)
//   template         per-sample median of the segments of the up to CAUSAL_PATIENT.beats (64) most recent
//                    beats, this one included (patient.ts: all beats of the record)
//   the segment      window samples from R - 0.25 s to the window's end (R + 0.232 s at 125 Hz), each
//                    beat's and the template's centred on its own mean over the segment (a baseline proxy)
//   pCorr, qrsCorr, stCorr   Pearson correlation of beat and template over R - 0.25 .. R - 0.08 s (P wave),
//                    R - 0.08 .. R + 0.08 s (QRS) and R + 0.08 s .. the end (ST segment; patient.ts's tCorr
//                    reaches R + 0.45 s, past the look-ahead)
//   rmsDiff          RMS(beat - template) / RMS(template) over the segment
//   amplitudeRatio   (max - min) of the beat's QRS / that of the template's
//   energyRatio      QRS energy of the beat / that of the template
// The first beat is its own template (correlations 1, ratios 1, rmsDiff 0). One class, CausalPatient,
// computes them offline (causalPatientFeatures) and in BeatStream alike.
import type { CausalWindowSpec } from './causal-window.ts';

export const CAUSAL_PATIENT_FEATURES: readonly string[] = [
  'preRR/recRR', 'prePreRR/recRR', 'localRR/recRR', 'pCorr', 'qrsCorr', 'stCorr', 'rmsDiff', 'amplitudeRatio', 'energyRatio',
];

/** How many recent intervals recRR and how many recent beats the template take. */
export const CAUSAL_PATIENT = { intervals: 300, beats: 64 } as const;

function pearson(a: Float64Array, b: Float64Array, from: number, to: number): number {
  let ma = 0, mb = 0;
  for (let i = from; i < to; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= to - from; mb /= to - from;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = from; i < to; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

function centred(x: ArrayLike<number>, from: number, to: number, out: Float64Array): void {
  let m = 0;
  for (let i = from; i < to; i++) m += x[i]!;
  m /= to - from;
  for (let i = from; i < to; i++) out[i - from] = x[i]! - m;
}

/** The running estimates of one wearer: feed every beat in order. */
export class CausalPatient {
  private readonly s0: number;
  private readonly q0: number;
  private readonly q1: number;
  private readonly seg: number;
  private readonly intervals = new Float64Array(CAUSAL_PATIENT.intervals);
  private nIntervals = 0;
  private readonly segments: Float64Array;
  private nBeats = 0;
  private readonly column = new Float64Array(CAUSAL_PATIENT.beats);
  private readonly beat: Float64Array;
  private readonly template: Float64Array;

  constructor(spec: CausalWindowSpec, fs: number) {
    this.s0 = Math.max(0, spec.before - Math.round(0.25 * fs));
    this.q0 = spec.before - Math.round(0.08 * fs) - this.s0;
    this.q1 = Math.min(spec.length, spec.before + Math.round(0.08 * fs)) - this.s0;
    this.seg = spec.length - this.s0;
    if (this.q0 < 1 || this.q1 >= this.seg) throw new RangeError(`causal patient features: the window (${spec.before} samples before R, ${spec.after} from R on at ${fs} Hz) is too short for the P / QRS / ST segments`);
    this.segments = new Float64Array(CAUSAL_PATIENT.beats * this.seg);
    this.beat = new Float64Array(this.seg);
    this.template = new Float64Array(this.seg);
  }

  /** The next beat's 9 features into out[o ..], from its window and its causal RR row (preRR, prePreRR, localRR first). */
  next(window: ArrayLike<number>, rr: ArrayLike<number>, out: Float32Array, o = 0): void {
    const { seg, s0, q0, q1 } = this;
    const pre = rr[0]!;
    if (pre > 0) this.intervals[this.nIntervals++ % CAUSAL_PATIENT.intervals] = pre;
    const n = Math.min(this.nIntervals, CAUSAL_PATIENT.intervals);
    const recent = this.intervals.slice(0, n).sort();
    const recRR = n ? (n % 2 ? recent[n >> 1]! : (recent[(n >> 1) - 1]! + recent[n >> 1]!) / 2) : 0;
    for (let j = 0; j < 3; j++) out[o + j] = recRR > 0 ? rr[j]! / recRR : 1;

    centred(window, s0, s0 + seg, this.beat);
    this.segments.set(this.beat, (this.nBeats++ % CAUSAL_PATIENT.beats) * seg);
    const k = Math.min(this.nBeats, CAUSAL_PATIENT.beats);
    const col = this.column.subarray(0, k);
    for (let t = 0; t < seg; t++) {
      for (let b = 0; b < k; b++) col[b] = this.segments[b * seg + t]!;
      col.sort();
      this.template[t] = k % 2 ? col[k >> 1]! : (col[(k >> 1) - 1]! + col[k >> 1]!) / 2;
    }
    const x = this.beat, tp = this.template;
    let tRms = 0, diff = 0, tMax = -Infinity, tMin = Infinity, mx = -Infinity, mn = Infinity, tEnergy = 0, energy = 0;
    for (let t = 0; t < seg; t++) {
      tRms += tp[t]! * tp[t]!;
      diff += (x[t]! - tp[t]!) ** 2;
    }
    for (let t = q0; t < q1; t++) {
      tMax = Math.max(tMax, tp[t]!); tMin = Math.min(tMin, tp[t]!);
      mx = Math.max(mx, x[t]!); mn = Math.min(mn, x[t]!);
      tEnergy += tp[t]! * tp[t]!; energy += x[t]! * x[t]!;
    }
    tRms = Math.sqrt(tRms / seg);
    out[o + 3] = pearson(x, tp, 0, q0);
    out[o + 4] = pearson(x, tp, q0, q1);
    out[o + 5] = pearson(x, tp, q1, seg);
    out[o + 6] = tRms > 0 ? Math.sqrt(diff / seg) / tRms : 0;
    out[o + 7] = tMax > tMin ? (mx - mn) / (tMax - tMin) : 1;
    out[o + 8] = tEnergy > 0 ? energy / tEnergy : 1;
  }
}

/**
 * Causal patient features of every beat of a record, in order: windows holds beats x spec.length causal
 * windows, rr beats x rrWidth causal RR rows (preRR, prePreRR, localRR first); fs is the windows' rate.
 */
export function causalPatientFeatures(windows: Float32Array, rr: Float32Array, rrWidth: number, spec: CausalWindowSpec, fs: number): Float32Array {
  const n = rr.length / rrWidth, F = CAUSAL_PATIENT_FEATURES.length;
  const out = new Float32Array(n * F);
  const state = new CausalPatient(spec, fs);
  for (let k = 0; k < n; k++) state.next(windows.subarray(k * spec.length, (k + 1) * spec.length), rr.subarray(k * rrWidth, k * rrWidth + 3), out, k * F);
  return out;
}
