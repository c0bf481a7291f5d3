// The named sets of per-beat features that go beside the signal window (BeatOptions.rrSet, CLI
// `--rr-set`, model metadata `rrSet`), and the one function that computes a record's rows of each:
//   local     the 6 RR features of rr.ts (previous, next, local average and their ratios)
//   patient   local + the 9 patient-normalised features of patient.ts (RR over the record's median RR,
//             similarity to the record's median beat)
//   rhythm    patient + the 8 rhythm features of rhythm.ts (de Chazal's 5-minute and centred RR
//             averages, RR over them and over the record's mean RR, the beat's P/QRS size ratio)
//   irregular patient + the 5 RR-irregularity features of irregularity.ts (how irregular the rhythm
//             around the beat is, its own intervals left out)
//   dechazal  the 43 features of de Chazal et al. 2004 alone (dechazal.ts: RR intervals, QRS and T-wave
//             durations and the P-wave flag from the delineator, both leads' QRS and T-wave samples);
//             it needs the record's second lead
//   mondejar  the 104 features of Mondéjar-Guerra et al. 2019 alone (mondejar.ts: RR and normalised RR,
//             wavelet, HOS, uniform-LBP and morphology descriptors of MLII's beat window)
//   mondejar-ann  the same 104, the RR intervals running over every annotation of the record, beat or not, as
//             their loader computes them (load_MITBIH.py; needs the reference annotations)
// Every set but 'local' uses statistics of the whole record (offline; BeatStream takes 'local' only).
import { removeBaseline } from '../dsp/baseline.ts';
import { PATIENT_FEATURES, patientFeatures } from './patient.ts';
import { IRREGULARITY_FEATURES, irregularityFeatures } from './irregularity.ts';
import { RHYTHM_FEATURES, rhythmFeatures } from './rhythm.ts';
import { RR_FEATURES, rrFeatures } from './rr.ts';
import { DECHAZAL_FEATURES, type DechazalRelativeSet, dechazalRelativeNames } from './dechazal.ts';
import { MONDEJAR_FEATURES } from './mondejar.ts';

/**
 * The named sets of per-beat features beside the signal window (BeatOptions.rrSet, CLI --rr-set): 'local' (6
 * RR features), 'patient' (+ 9 patient-normalised ones), 'rhythm' (+ 8 rhythm ones), 'irregular' (+ 5
 * RR-irregularity ones), 'dechazal' (de Chazal's 43; needs a second lead), its patient-relative variants
 * 'dechazal-relative' (44), 'dechazal-relative-p' (60) and 'dechazal-relative-irregular' (49), 'mondejar'
 * (Mondéjar-Guerra's 104) and 'mondejar-ann' (the same, RR over every annotation as their loader).
 */
export const RR_SETS = ['local', 'patient', 'rhythm', 'irregular', 'dechazal', 'dechazal-relative', 'dechazal-relative-p', 'dechazal-relative-irregular', 'mondejar', 'mondejar-ann'] as const;
/** The name of a beat-feature set, one of RR_SETS. */
export type RrSet = (typeof RR_SETS)[number];

/** True for a known set name. */
export function isRrSet(v: unknown): v is RrSet {
  return typeof v === 'string' && (RR_SETS as readonly string[]).includes(v);
}

/** True for the patient-relative de Chazal sets (two leads, the delineator; dechazalRelativeRows). */
export function isDechazalRelative(rrSet: RrSet | undefined): rrSet is DechazalRelativeSet {
  return rrSet === 'dechazal-relative' || rrSet === 'dechazal-relative-p' || rrSet === 'dechazal-relative-irregular';
}

/** Names of the beat features of a set, in column order. */
export function rrFeatureNames(rrSet: RrSet = 'local'): string[] {
  if (!isRrSet(rrSet)) throw new RangeError(`rrSet must be one of ${RR_SETS.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(rrSet)}`);
  if (rrSet === 'dechazal') return DECHAZAL_FEATURES.slice();
  if (isDechazalRelative(rrSet)) return dechazalRelativeNames(rrSet);
  if (rrSet === 'mondejar' || rrSet === 'mondejar-ann') return MONDEJAR_FEATURES.slice();
  return [...RR_FEATURES, ...(rrSet === 'local' ? [] : PATIENT_FEATURES), ...(rrSet === 'rhythm' ? RHYTHM_FEATURES : []), ...(rrSet === 'irregular' ? IRREGULARITY_FEATURES : [])];
}

/** The number of beat features of each set, to recognise a model's set by its input width. */
export function rrSetOfWidth(width: number): RrSet | undefined {
  return RR_SETS.find((s) => rrFeatureNames(s).length === width);
}

/**
 * The beat-feature rows of one record: beats.length x rrFeatureNames(rrSet).length values, from one lead
 * (`signal`, at `fs`; MLII) and the sorted R-peak positions of all its beats. Not 'dechazal' (see
 * dechazalRows: it needs the delineator, kept out of the inference bundle).
 */
export function beatFeatureRows(rrSet: RrSet, signal: ArrayLike<number>, fs: number, beats: ArrayLike<number>): Float32Array {
  const names = rrFeatureNames(rrSet);
  if (rrSet === 'dechazal' || isDechazalRelative(rrSet))
    throw new RangeError(`the '${rrSet}' beat features need the wave delineator and two leads: use dechazalRows or dechazalRelativeRows (src/ecg/dataset/dechazal.ts), as recordBeats does; they are not in the inference entry`);
  if (rrSet === 'mondejar' || rrSet === 'mondejar-ann')
    throw new RangeError(`the '${rrSet}' beat features are computed by mondejarRows (src/ecg/dataset/mondejar.ts), as recordBeats does; they are not in the inference entry`);
  const local = rrFeatures(beats, fs);
  if (rrSet === 'local') return local;
  const R = RR_FEATURES.length, P = PATIENT_FEATURES.length, W = names.length, n = beats.length;
  const filtered = removeBaseline(signal, fs); // once, for the patient and rhythm features
  const patient = patientFeatures(signal, fs, beats, local, R, filtered);
  const extra = rrSet === 'rhythm' ? rhythmFeatures(signal, fs, beats, filtered) : rrSet === 'irregular' ? irregularityFeatures(beats, fs) : null;
  const E = W - R - P;
  const out = new Float32Array(n * W);
  for (let k = 0; k < n; k++) {
    out.set(local.subarray(k * R, (k + 1) * R), k * W);
    out.set(patient.subarray(k * P, (k + 1) * P), k * W + R);
    if (extra) out.set(extra.subarray(k * E, (k + 1) * E), k * W + R + P);
  }
  return out;
}
