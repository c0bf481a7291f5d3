// Synthetic premature beats for personalisation (personalize()'s `premature` option): the wearer's own
// normal (N) beat given the timing of a real supraventricular (S) beat of the replay set. Most wearers
// have no S beat in their labelled minutes, so a copy fine-tuned on them learns "this patient's beats
// are N" and stops reaching the S output; an S beat of a patient shares that patient's N morphology
// (the QRS and T wave; the Kachuee window starts at the R peak) and differs in timing. The synthetic
// beat keeps the wearer beat's window and its local heart rate and takes the S beat's rhythm:
//   interval features (seconds: preRR, postRR, prePreRR, localRR)  S value x (wearer localRR / S localRR)
//   ratio features ('a/b' of two intervals)                         the S beat's value (scale-free)
// so every ratio of the synthetic beat is the S beat's and its localRR is the wearer's. Beat-feature sets
// with other features (the patient-relative and morphology sets) are refused: their values would need
// the wearer's whole record.
import { rrFeatureNames, isRrSet, type RrSet } from '../ecg/dataset/beat-features.ts';
import { causalFeatureNames } from '../ecg/dataset/causal-features.ts';

/** The interval features (seconds) premature synthesis rescales. */
const INTERVALS = ['preRR', 'postRR', 'prePreRR', 'localRR'] as const;

/** How a beat-feature row is turned into a premature one: per column, rescale (an interval) or copy (a ratio). */
export interface PrematurePlan {
  names: string[];
  /** Column of localRR. */
  local: number;
  /** Per column: true for an interval in seconds (rescaled), false for a ratio (copied). */
  interval: boolean[];
}

/**
 * The beat-feature names of a model file's metadata (window and rrSet, as the dataset options record them),
 * or null when the model takes no beat features.
 */
export function beatFeatureNamesOf(meta: Record<string, unknown>, width: number): string[] | null {
  if (width === 0) return null;
  const set = meta.rrSet === undefined ? 'local' : meta.rrSet;
  if (!isRrSet(set)) return null;
  const names = meta.window === 'causal' ? causalFeatureNames(set as RrSet) : rrFeatureNames(set as RrSet);
  return names.length === width ? names : null;
}

/** The plan for these feature names; a string saying why not when a feature is neither an interval nor a ratio of two. */
export function prematurePlan(names: readonly string[]): PrematurePlan | string {
  const isInterval = (n: string) => (INTERVALS as readonly string[]).includes(n);
  const local = names.indexOf('localRR');
  if (local < 0) return `the beat features (${names.join(', ')}) have no localRR`;
  const interval: boolean[] = [];
  for (const n of names) {
    if (isInterval(n)) interval.push(true);
    else if (n.split('/').length === 2 && n.split('/').every(isInterval)) interval.push(false);
    else return `the beat feature ${n} is neither an RR interval nor a ratio of two (premature synthesis takes the 'local' beat-feature set)`;
  }
  return { names: names.slice(), local, interval };
}

/**
 * Writes the premature version of wearer beat row `w` (at wOff) with the timing of S beat row `s` (at sOff)
 * into out[oOff .. oOff + R). An S row without a positive localRR lends its values unscaled.
 */
export function prematureRow(plan: PrematurePlan, w: Float32Array, wOff: number, s: Float32Array, sOff: number, out: Float32Array, oOff: number): void {
  const R = plan.names.length;
  const sLocal = s[sOff + plan.local]!, wLocal = w[wOff + plan.local]!;
  const scale = sLocal > 0 && wLocal > 0 ? wLocal / sLocal : 1;
  for (let j = 0; j < R; j++) out[oOff + j] = plan.interval[j] ? s[sOff + j]! * scale : s[sOff + j]!;
}
