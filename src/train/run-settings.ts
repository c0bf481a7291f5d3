// The settings of a training run beyond the trainer's own (settings.ts): which protocol, which beat
// features beside the window, and which stratified subsets (--quick, --train-beats, ...). `ecgrad train`
// and `ecgrad compare` take exactly RUN_SETTINGS (+ the classifiers' CLASSIC_SETTINGS) as options.
import { PROTOCOLS } from '../ecg/dataset/protocols.ts';
import { RR_SETS, type RrSet } from '../ecg/dataset/beat-features.ts';
import { booleanSetting, choiceSetting, intSetting, resolveSettings, SettingError, TRAIN_SETTINGS, type SettingSpecs, type TrainSettings } from './settings.ts';

/** What --quick means: a stratified sample of the training and validation splits and few epochs. */
export const QUICK = { trainBeats: 16000, valBeats: 3000, epochs: 4 } as const;

export interface DataSettings {
  /** A protocol of PROTOCOLS (intra, inter, arrhythminet). */
  protocol: string;
  /** Feed the beat features beside the window (implied by an rrSet other than 'local'). */
  rr: boolean;
  /** The beat-feature set of the dataset. */
  rrSet: RrSet;
  /** Stratified samples of QUICK's sizes and at most QUICK.epochs epochs. */
  quick: boolean;
  trainBeats?: number;
  valBeats?: number;
  /** Evaluate on a stratified subset of the test split (smoke tests only). */
  testBeats?: number;
}

export const DATA_SETTINGS: SettingSpecs<DataSettings> = {
  protocol: choiceSetting('protocol', `one of ${Object.keys(PROTOCOLS).join(', ')}`, Object.keys(PROTOCOLS), 'intra'),
  rr: booleanSetting('rr', 'feed the RR-interval features beside the beat (6 values; 15 with --rr-set patient, 23 with rhythm, 20 with irregular)'),
  rrSet: choiceSetting('rr-set', 'beat features beside the window: "local" (6 RR features), "patient" (also 9 patient-normalised RR and median-beat features), "rhythm" (patient + 8 rhythm features: de Chazal RR averages, P/QRS ratio) or "irregular" (patient + 5 RR-irregularity features), docs/inter-patient.md; implies --rr', RR_SETS, 'local'),
  quick: booleanSetting('quick', `a quick run: ${QUICK.trainBeats} training and ${QUICK.valBeats} validation beats (stratified samples) and at most ${QUICK.epochs} epochs; the test split stays whole`),
  trainBeats: intSetting('train-beats', 'train on a stratified sample of this many training beats', 1),
  valBeats: intSetting('val-beats', 'validate on a stratified sample of this many validation beats', 1),
  testBeats: intSetting('test-beats', 'evaluate on a stratified sample of this many test beats (smoke tests; reports say so)', 1),
};

export type RunSettings = TrainSettings & DataSettings;

export const RUN_SETTINGS: SettingSpecs<RunSettings> = { ...DATA_SETTINGS, ...TRAIN_SETTINGS };

/** Complete, checked run settings: defaults filled in, --rr implied by a feature set, sv-f1 only with S and V. */
export function runSettings(given: Partial<RunSettings> = {}): RunSettings {
  const s = resolveSettings(RUN_SETTINGS, given);
  if (s.rrSet !== 'local') s.rr = true;
  if (s.select === 'sv-f1' && !PROTOCOLS[s.protocol as keyof typeof PROTOCOLS]?.scheme.classes.includes('S'))
    throw new SettingError('select', 'sv-f1 needs the AAMI classes S and V (protocols intra and inter)', s.protocol);
  return s;
}
