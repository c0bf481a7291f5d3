// The beat-feature sets of the causal window (BeatOptions.window 'causal'): the causal counterparts of
// beat-features.ts's sets, computed from the R peaks (and signal) up to each beat only, so BeatStream
// has a beat's features when it detects the beat:
//   local     the 6 causal RR features of causal-rr.ts (previous, the one before, local average, ratios)
// The whole-record sets ('patient', 'rhythm', 'irregular', 'dechazal') have no causal form yet.
import { RR_SETS, type RrSet } from './beat-features.ts';
import { CAUSAL_RR_FEATURES, causalRrFeatures } from './causal-rr.ts';

/** The sets the causal window has. */
export const CAUSAL_RR_SETS: readonly RrSet[] = ['local'];

function check(rrSet: RrSet): void {
  if (!(RR_SETS as readonly string[]).includes(rrSet)) throw new RangeError(`rrSet must be one of ${RR_SETS.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(rrSet)}`);
  if (!CAUSAL_RR_SETS.includes(rrSet))
    throw new RangeError(`the causal window has the beat-feature set${CAUSAL_RR_SETS.length > 1 ? 's' : ''} ${CAUSAL_RR_SETS.map((s) => `'${s}'`).join(', ')} only; '${rrSet}' uses statistics of the whole record: use the Kachuee window (--window kachuee) for it`);
}

/** Names of the causal beat features of a set, in column order. */
export function causalFeatureNames(rrSet: RrSet = 'local'): string[] {
  check(rrSet);
  return CAUSAL_RR_FEATURES.slice();
}

/** The causal beat-feature rows of one record (beats.length x causalFeatureNames(rrSet).length). */
export function causalFeatureRows(rrSet: RrSet, _signal: ArrayLike<number>, fs: number, beats: ArrayLike<number>): Float32Array {
  check(rrSet);
  return causalRrFeatures(beats, fs);
}
