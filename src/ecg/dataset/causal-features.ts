// The beat-feature sets of the causal window (BeatOptions.window 'causal'): the causal counterparts of
// beat-features.ts's sets, computed from the R peaks and windows up to each beat only, so BeatStream
// has a beat's features when it detects the beat:
//   local     the 6 causal RR features of causal-rr.ts (previous, the one before, local average, ratios)
//   patient   local + the 9 causal patient-relative features of causal-patient.ts (RR over the recent
//             median RR, comparisons with the median of the recent beats' windows)
// The other whole-record sets ('rhythm', 'irregular', 'dechazal', ...) have no causal form.
import { RR_SETS, type RrSet } from './beat-features.ts';
import { CAUSAL_RR_FEATURES, causalRrFeatures } from './causal-rr.ts';
import { CAUSAL_PATIENT_FEATURES, causalPatientFeatures } from './causal-patient.ts';
import { causalBeats, causalWindowSpec } from './causal-window.ts';

/** The sets the causal window has. */
export const CAUSAL_RR_SETS: readonly RrSet[] = ['local', 'patient'];

function check(rrSet: RrSet): void {
  if (!(RR_SETS as readonly string[]).includes(rrSet)) throw new RangeError(`rrSet must be one of ${RR_SETS.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(rrSet)}`);
  if (!CAUSAL_RR_SETS.includes(rrSet))
    throw new RangeError(`the causal window has the beat-feature sets ${CAUSAL_RR_SETS.map((s) => `'${s}'`).join(', ')} only; '${rrSet}' uses statistics of the whole record: use the Kachuee window (--window kachuee) for it`);
}

/** Names of the causal beat features of a set, in column order. */
export function causalFeatureNames(rrSet: RrSet = 'local'): string[] {
  check(rrSet);
  return rrSet === 'patient' ? [...CAUSAL_RR_FEATURES, ...CAUSAL_PATIENT_FEATURES] : CAUSAL_RR_FEATURES.slice();
}

/** The causal set of a model's beat-feature width (6: local, 15: patient). */
export function causalSetOfWidth(width: number): RrSet | undefined {
  return CAUSAL_RR_SETS.find((s) => causalFeatureNames(s).length === width);
}

/**
 * The causal beat-feature rows of one record (beats.length x causalFeatureNames(rrSet).length), from one
 * lead (`signal` at `fs`, unfiltered as the windows) and the sorted R peaks of all its beats.
 */
export function causalFeatureRows(rrSet: RrSet, signal: ArrayLike<number>, fs: number, beats: ArrayLike<number>): Float32Array {
  check(rrSet);
  const local = causalRrFeatures(beats, fs);
  if (rrSet === 'local') return local;
  const R = CAUSAL_RR_FEATURES.length, P = CAUSAL_PATIENT_FEATURES.length, W = R + P, n = beats.length;
  const windows = causalBeats(signal, fs, beats);
  const patient = causalPatientFeatures(windows, local, R, causalWindowSpec(), 125);
  const out = new Float32Array(n * W);
  for (let k = 0; k < n; k++) {
    out.set(local.subarray(k * R, (k + 1) * R), k * W);
    out.set(patient.subarray(k * P, (k + 1) * P), k * W + R);
  }
  return out;
}
