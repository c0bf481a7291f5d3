// The settings of a training run beyond the trainer's own (settings.ts): which protocol, which beat
// features beside the window, and which stratified subsets (--quick, --train-beats, ...). `ecgrad train`
// and `ecgrad compare` take exactly RUN_SETTINGS (+ the classifiers' CLASSIC_SETTINGS) as options.
import { DS1, DS2, getProtocol, PROTOCOLS, type ProtocolName } from '../ecg/dataset/protocols.ts';
import { RR_SETS, type RrSet } from '../ecg/dataset/beat-features.ts';
import type { Leads } from '../ecg/dataset/record-beats.ts';
import { WINDOW_KINDS } from '../ecg/dataset/dataset-meta.ts';
import { booleanSetting, choiceSetting, intSetting, resolveSettings, SettingError, type SettingSpec, type SettingSpecs } from '../core/settings.ts';
import { TRAIN_SETTINGS, type TrainSettings } from './settings.ts';

/** The beat window constructions (--window): 'kachuee' (windows.ts) or 'causal' (causal-window.ts). */
export type WindowKind = (typeof WINDOW_KINDS)[number];

/** What --quick means: a stratified sample of the training and validation splits and few epochs. */
export const QUICK = { trainBeats: 16000, valBeats: 3000, epochs: 4 } as const;

/** The note a --quick run's report carries: it checks the pipeline, its figures are no result. */
export function quickNote(): string {
  return `a --quick smoke run (${QUICK.trainBeats} training and ${QUICK.valBeats} validation beats, at most ${QUICK.epochs} epochs): it checks that the pipeline works; its figures are not results`;
}

/** The data-side settings of a run: protocol, beat features, subsets, leads, window and record lists. */
export interface DataSettings {
  /** A protocol of PROTOCOLS (intra, inter, arrhythminet). */
  protocol: ProtocolName;
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
  /** The window's leads (record-beats.ts Leads: 'mlii', 'both' or signal names). */
  leads: Leads;
  /** The beat window: 'kachuee' (windows.ts) or 'causal' (causal-window.ts, with causal beat features; it streams with ~0.4 s delay). */
  window: WindowKind;
  /** The inter protocol's training and test records (default DS1 and DS2). */
  trainRecords?: readonly string[];
  testRecords?: readonly string[];
  /** Synthetic premature S beats added per training record (src/train/premature.ts withPrematureBeats; needs --rr and the local features). */
  synthPremature?: number;
}

const NAMED_LISTS: Record<string, readonly string[]> = { DS1, DS2 };

/** A comma-separated record list; "DS1" and "DS2" stand for de Chazal's lists. */
function recordListSetting(flag: string, description: string): SettingSpec<readonly string[]> {
  const check = (v: unknown): readonly string[] => {
    if (!Array.isArray(v) || !v.length || !v.every((r) => typeof r === 'string' && r)) throw new SettingError(flag, 'must be a non-empty list of record names', v);
    return v;
  };
  return {
    flag, description, type: 'string', check,
    parse: (text) => check(text.split(',').map((r) => r.trim()).filter(Boolean).flatMap((r) => NAMED_LISTS[r.toUpperCase()] ?? [r])),
  };
}

function checkLeads(v: unknown): Leads {
  if (v === 'mlii' || v === 'both') return v;
  if (Array.isArray(v) && v.length && v.every((n) => typeof n === 'string' && n)) return v as readonly string[];
  throw new SettingError('leads', 'must be "mlii", "both" or signal names such as MLII,V1 (aliases: first, second)', v);
}

const LEADS: SettingSpec<Leads> = {
  flag: 'leads', type: 'string', default: 'mlii', check: checkLeads,
  description: 'leads of the beat windows: "mlii", "both" (MLII and the record\'s other lead: V1, or V2/V4/V5 in 7 records), or signal names such as MLII,V1 (a record without one is an error)',
  parse: (text) => {
    const t = text.trim();
    return checkLeads(t === 'mlii' || t === 'both' ? t : t.split(',').map((n) => n.trim()).filter(Boolean));
  },
};

/**
 * The data-side settings of train, compare and cv (protocol, beat features, subsets, leads, window, record
 * lists), one SettingSpec each: the CLI derives its options, defaults and messages from them.
 */
export const DATA_SETTINGS: SettingSpecs<DataSettings> = {
  protocol: choiceSetting('protocol', `one of ${Object.keys(PROTOCOLS).join(', ')}`, Object.keys(PROTOCOLS) as ProtocolName[], 'intra'),
  rr: booleanSetting('rr', 'feed the RR-interval features beside the beat (6 values; 15 with --rr-set patient, 23 with rhythm, 20 with irregular)'),
  rrSet: choiceSetting('rr-set', 'beat features beside the window: "local" (6 RR features), "patient" (also 9 patient-normalised RR and median-beat features), "rhythm" (patient + 8 rhythm features: de Chazal RR averages, P/QRS ratio) or "irregular" (patient + 5 RR-irregularity features); two-lead sets for classifiers: "dechazal" (43), "dechazal-relative" (44), "dechazal-relative-p" (60), "dechazal-relative-irregular" (49), "mondejar" / "mondejar-ann" (104); docs/inter-patient.md; implies --rr', RR_SETS, 'local'),
  quick: booleanSetting('quick', `a quick run: ${QUICK.trainBeats} training and ${QUICK.valBeats} validation beats (stratified samples) and at most ${QUICK.epochs} epochs; the test split stays whole`),
  trainBeats: intSetting('train-beats', 'train on a stratified sample of this many training beats', 1),
  valBeats: intSetting('val-beats', 'validate on a stratified sample of this many validation beats', 1),
  testBeats: intSetting('test-beats', 'evaluate on a stratified sample of this many test beats (smoke tests; reports say so)', 1),
  leads: LEADS,
  window: choiceSetting('window', '"kachuee" (187 samples from the R peak, min-max over 10 s blocks) or "causal" (R-centred, 0.24 s look-ahead, normalised over the past 10 s, causal RR features; streams within ~0.4 s: src/ecg/dataset/causal-window.ts); recorded in the model file', WINDOW_KINDS, 'kachuee'),
  trainRecords: recordListSetting('train-records', 'inter protocol: the records to train on, comma-separated (DS1 stands for its 22 records; 4 are held out for validation; default DS1)'),
  testRecords: recordListSetting('test-records', 'inter protocol: the records to test on (default DS2)'),
  synthPremature: intSetting('synth-premature', 'add this many synthetic premature S beats per training record: its N beats with the RR timing of real S training beats (intervals rescaled to the beat\'s local RR; needs --rr with the local features; validation and test stay real)', 0),
};

/** The settings of a run: training and data settings together. */
export type RunSettings = TrainSettings & DataSettings;

/** Every setting of a run: DATA_SETTINGS and TRAIN_SETTINGS. */
export const RUN_SETTINGS: SettingSpecs<RunSettings> = { ...DATA_SETTINGS, ...TRAIN_SETTINGS };

/** Complete, checked run settings: defaults filled in, --rr implied by a feature set, sv-f1 only with S and V. */
export function runSettings(given: Partial<RunSettings> = {}): RunSettings {
  const s = resolveSettings(RUN_SETTINGS, given);
  if (s.rrSet !== 'local') s.rr = true;
  if (s.trainRecords || s.testRecords) {
    try {
      getProtocol(s.protocol, recordLists(s)!);
    } catch (e) {
      throw new SettingError(s.trainRecords ? 'train-records' : 'test-records', `is not usable (${(e as Error).message})`, s.trainRecords ?? s.testRecords);
    }
  }
  if (s.synthPremature && !s.rr) throw new SettingError('synth-premature', 'needs the RR beat features beside the window (--rr): the synthetic beats differ from their N source only in timing', s.synthPremature);
  if (s.select === 'sv-f1' && !PROTOCOLS[s.protocol]?.scheme.classes.includes('S'))
    throw new SettingError('select', 'sv-f1 needs the AAMI classes S and V (protocols intra and inter)', s.protocol);
  return s;
}

/** The record lists of the settings (undefined when neither is given: the protocol's own). */
export function recordLists(s: Pick<DataSettings, 'trainRecords' | 'testRecords'>): { train: readonly string[]; test: readonly string[] } | undefined {
  if (!s.trainRecords && !s.testRecords) return undefined;
  return { train: s.trainRecords ?? DS1, test: s.testRecords ?? DS2 };
}
