// Physiological plausibility: the share of attribution mass (Σ|a| over leads) in the waves of the beat.
//
// Regions, in ms relative to the R peak of the explained beat (t = 0) and its RR intervals:
//   QRS   [−50, +50]                                 (the R peak ± 50 ms)
//   T     [+100, +QT]  with QT = 420 ms · √(RR_prev / 1 s) (Bazett, QTc 420 ms), at least 150 ms and at
//         most RR_next − 250 ms (so it never reaches the next P wave)
//   P     [−250, −50] (this beat's P wave: PR interval 120-200 ms plus the P wave's duration), and the next
//         beat's P wave [RR_next − 250, RR_next − 50] when the window reaches it (Kachuee windows start
//         at the R peak and span 1.2 median RR, so they hold the next P wave, not this beat's)
//   other everything else (the next QRS, the isoelectric segments, zero padding)
// Overlaps are resolved QRS > T > P. The chance share of each region (its share of the window's samples)
// is reported beside the attribution share, so a method that puts 40% of its mass on a QRS covering 8%
// of the window is seen to concentrate there.
import { ExplainError } from './classifier.ts';

/** A wave region of a beat window: the QRS (R ± 50 ms), the T wave, the P waves, or everything else. */
export type Region = 'qrs' | 'p' | 't' | 'other';
/** The wave regions of physiology: 'qrs', 'p', 't' and 'other'. */
export const REGIONS: readonly Region[] = ['qrs', 'p', 't', 'other'];

/** Where the beat sits in its window: sampling rate, the R peak's sample index and the window length. */
export interface BeatGeometry {
  /** Sampling rate of the windows (Hz). */
  fs: number;
  /** Sample index of the R peak in the window (0 for Kachuee windows, `before` for centred ones). */
  rIndex: number;
  length: number;
}

/** Region of each sample of a window: 0 qrs, 1 p, 2 t, 3 other. */
export function regionMask(g: BeatGeometry, rrPrev: number, rrNext: number): Uint8Array {
  const mask = new Uint8Array(g.length).fill(3);
  const prev = rrPrev > 0 ? rrPrev : 0.8, next = rrNext > 0 ? rrNext : 0.8;
  const qt = Math.max(0.15, Math.min(0.42 * Math.sqrt(prev), next - 0.25));
  const put = (a: number, b: number, code: number) => {
    const s = Math.max(0, Math.ceil(g.rIndex + a * g.fs)), e = Math.min(g.length - 1, Math.floor(g.rIndex + b * g.fs));
    for (let t = s; t <= e; t++) if (mask[t]! > code) mask[t] = code;
  };
  put(-0.05, 0.05, 0);
  put(0.1, qt, 2);
  put(-0.25, -0.05, 1);
  put(next - 0.25, next - 0.05, 1);
  return mask;
}

/** A share (0 to 1) for each wave region. */
export interface RegionShares {
  qrs: number;
  p: number;
  t: number;
  other: number;
}

/**
 * The attribution share of each wave region for one class, and the share of the window's samples in each
 * (chance level).
 */
export interface PhysiologyRow {
  className: string;
  beats: number;
  /** Mean share of |attribution| in each region. */
  share: RegionShares;
  /** Mean share of the window's samples in each region (chance level). */
  chance: RegionShares;
}

/**
 * What physiology needs beside the attributions: the beats' geometry and leads, their previous and next RR
 * intervals (columns 0 and 1 of rr, seconds), and their classes.
 */
export interface PhysiologyInput extends BeatGeometry {
  channels: number;
  /** RR features per beat (n x R); columns 0 and 1 are the previous and next RR in seconds (ecgrad's datasets). */
  rr: Float32Array;
  rrFeatures: number;
  /** Class of each beat (true or predicted) and the class names. */
  labels: ArrayLike<number>;
  classes: string[];
}

/** Attribution shares per class (and 'all'). */
export function physiology(values: Float32Array, input: PhysiologyInput): PhysiologyRow[] {
  const { channels: C, length: L, rrFeatures: R } = input;
  const n = values.length / (C * L);
  if (input.labels.length !== n) throw new ExplainError(`physiology: ${input.labels.length} labels for ${n} beats`);
  if (R < 2 || input.rr.length !== n * R) throw new ExplainError('physiology: needs RR features (previous and next RR in seconds) for every beat');
  const acc = input.classes.map(() => ({ beats: 0, share: [0, 0, 0, 0], chance: [0, 0, 0, 0] }));
  const all = { beats: 0, share: [0, 0, 0, 0], chance: [0, 0, 0, 0] };
  for (let i = 0; i < n; i++) {
    const mask = regionMask(input, input.rr[i * R]!, input.rr[i * R + 1]!);
    const mass = [0, 0, 0, 0], count = [0, 0, 0, 0];
    for (let t = 0; t < L; t++) {
      let m = 0;
      for (let c = 0; c < C; c++) m += Math.abs(values[(i * C + c) * L + t]!);
      mass[mask[t]!]! += m;
      count[mask[t]!]!++;
    }
    const total = mass.reduce((a, b) => a + b, 0);
    const k = input.labels[i]!;
    for (const a of [acc[k]!, all]) {
      a.beats++;
      for (let r = 0; r < 4; r++) {
        a.share[r]! += total > 0 ? mass[r]! / total : 0;
        a.chance[r]! += count[r]! / L;
      }
    }
  }
  const row = (className: string, a: typeof all): PhysiologyRow => {
    const f = (v: number[]): RegionShares => ({ qrs: v[0]! / a.beats, p: v[1]! / a.beats, t: v[2]! / a.beats, other: v[3]! / a.beats });
    return { className, beats: a.beats, share: f(a.share), chance: f(a.chance) };
  };
  return [...input.classes.map((c, k) => [c, acc[k]!] as const).filter(([, a]) => a.beats > 0).map(([c, a]) => row(c, a)), row('all', all)];
}
