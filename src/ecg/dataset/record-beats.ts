// The beats of one record as rows of a dataset: signal windows (Kachuee 187-sample segments by default,
// or R-centred windows), RR features, symbols and positions. R peaks come from the reference
// annotations (default) or from the Pan-Tompkins detector, whose detections take the label of the
// reference beat within 150 ms (unmatched detections are dropped).
import { removeBaseline } from '../dsp/baseline.ts';
import { bandpass } from '../dsp/butterworth.ts';
import { resample, resampleIndex } from '../dsp/resample.ts';
import { compareAnnotations } from '../qrs/compare.ts';
import { panTompkins } from '../qrs/pan-tompkins.ts';
import type { Annotations } from '../wfdb/annotations.ts';
import { isBeatSymbol } from '../wfdb/annotation-codes.ts';
import type { WfdbRecord } from '../wfdb/record.ts';
import type { LabelScheme } from './labels.ts';
import { beatFeatureRows, isDechazalRelative, rrFeatureNames, type RrSet } from './beat-features.ts';
import { dechazalRelativeRows, dechazalRows } from './dechazal.ts';
import { mondejarRows } from './mondejar.ts';
import { centredWindows, kachueeBeats, type KachueeOptions } from './windows.ts';
import { causalBeats } from './causal-window.ts';
import { causalFeatureNames, causalFeatureRows } from './causal-features.ts';

/**
 * How a record's beats become rows: the window, the sampling rate, the leads, the beat-feature set and where
 * the R peaks come from.
 */
export interface BeatOptions {
  /**
   * 'kachuee' (default: 187 samples at 125 Hz from the R peak), 'causal' (187 samples at 125 Hz around
   * the R peak, 0.24 s of look-ahead, causal normalisation and beat features: causal-window.ts,
   * causal-features.ts) or an R-centred window in samples at `fs`.
   */
  window?: 'kachuee' | 'causal' | { before: number; after: number };
  kachuee?: KachueeOptions;
  /** Rate of centred windows (default: the record's rate; other rates resample first). */
  fs?: number;
  /** Which signals become the window's channels: see Leads (default 'mlii'). */
  leads?: Leads;
  /** Filtering before windowing: default 'none' for Kachuee windows, 'baseline' (median filters) for centred ones. */
  filter?: 'none' | 'baseline' | 'bandpass';
  /** Where R peaks come from (default 'reference'). */
  peaks?: 'reference' | 'detected';
  /**
   * The beat features beside the window (beat-features.ts): 'local' (default: the 6 RR features of
   * rr.ts), 'patient' (+ the 9 patient-normalised features of patient.ts) or 'rhythm' (+ the 8 rhythm
   * features of rhythm.ts); the last two are for the inter-patient protocol.
   */
  rrSet?: RrSet;
}

/**
 * The beats of one record as rows: windows x [beats, channels, length], beat features, class indices, symbols
 * and R-peak positions.
 */
export interface RecordBeats {
  /** nBeats x channels x length. */
  x: Float32Array;
  /** nBeats x rrFeatures.length beat features (the rrSet's, beat-features.ts). */
  rr: Float32Array;
  rrFeatures: string[];
  /** Class index in the scheme. */
  y: Int32Array;
  symbol: string[];
  /** R peak position at the record's rate. */
  sample: Int32Array;
  channels: number;
  length: number;
  fs: number;
  /** Names of the leads used, in channel order. */
  leads: string[];
}

/**
 * The leads of the windows, by signal name. 'mlii' (default) is the modified limb lead MLII (signal 0 in
 * the few records without one: 102 and 104, which have V5 and V2); 'both' is that lead and then the
 * record's other signal. A list names signals exactly ('MLII', 'V1', ...), with two aliases: 'first'
 * (the 'mlii' choice) and 'second' (the other signal). MIT-BIH's second signal is V1 in 40 records and
 * V2, V4 or V5 in the others (100: V5, 103: V2, 117: V2, 123: V5, 124: V4, ...), so a list naming
 * 'V1' refuses those records (the error lists their signals) while 'second' (= 'both') takes whichever
 * precordial lead the record has.
 */
export type Leads = 'mlii' | 'both' | readonly string[];

/** The lead names of a Leads option, as a list (for messages, metadata and the CLI). */
export function leadList(leads: Leads = 'mlii'): string[] {
  return leads === 'mlii' ? ['first'] : leads === 'both' ? ['first', 'second'] : leads.slice();
}

/** Signal indices of the leads in `rec`; a record lacking a named lead is an error listing its signals. */
export function leadIndices(rec: WfdbRecord, leads: Leads = 'mlii'): number[] {
  const m = rec.sigName.indexOf('MLII');
  const first = m >= 0 ? m : 0;
  const second = rec.sigName.findIndex((_, i) => i !== first);
  const list = leadList(leads);
  if (!list.length) throw new RangeError('leads: the list of leads is empty');
  const out = list.map((name) => {
    const i = name === 'first' ? first : name === 'second' ? second : rec.sigName.indexOf(name);
    if (i < 0) throw new RangeError(`record ${rec.recordName} has no lead ${name === 'second' ? 'besides its first' : `"${name}"`}; its signals are ${rec.sigName.join(', ')}`);
    return i;
  });
  const twice = out.find((i, k) => out.indexOf(i) !== k);
  if (twice !== undefined) throw new RangeError(`leads ${list.join(',')} name the signal ${rec.sigName[twice]} of record ${rec.recordName} twice`);
  return out;
}

/**
 * The beats of one record as dataset rows: the beats the scheme labels, their windows (Kachuee segments by
 * default, or R-centred windows), beat features, labels and positions. R peaks come from the reference
 * annotations or from Pan-Tompkins (detections take the label of the reference beat within 150 ms). Throws a
 * RangeError when the record lacks a lead `leads` names.
 */
export function recordBeats(rec: WfdbRecord, ann: Annotations, scheme: LabelScheme, options: BeatOptions = {}): RecordBeats {
  const fs = rec.fs;
  const win = options.window ?? 'kachuee';
  const lanes = leadIndices(rec, options.leads ?? 'mlii');
  const refSample: number[] = [], refSymbol: string[] = [], refIndex: number[] = [];
  for (let i = 0; i < ann.symbol.length; i++) {
    if (isBeatSymbol(ann.symbol[i]!)) {
      refSample.push(ann.sample[i]!);
      refSymbol.push(ann.symbol[i]!);
      refIndex.push(i);
    }
  }
  let peaks: number[], symbols: string[];
  if ((options.peaks ?? 'reference') === 'detected') {
    if (options.rrSet === 'mondejar-ann') throw new RangeError("the 'mondejar-ann' beat features run over the reference annotations; they cannot take detected peaks");
    peaks = Array.from(panTompkins(rec.pSignal[lanes[0]!]!, fs));
    const c = compareAnnotations(refSample, peaks, fs, 0.15);
    symbols = peaks.map((_, j) => (c.testMatch[j]! >= 0 ? refSymbol[c.testMatch[j]!]! : ''));
  } else {
    peaks = refSample;
    symbols = refSymbol;
  }
  const causal = win === 'causal';
  const rrNames = causal ? causalFeatureNames(options.rrSet) : rrFeatureNames(options.rrSet);
  const R = rrNames.length;
  // The beat features come from the first window lead; de Chazal's from MLII and the second lead.
  const twoLeadSet = options.rrSet === 'dechazal' || isDechazalRelative(options.rrSet);
  const featureLeads = twoLeadSet ? leadIndices(rec, 'both') : lanes;
  const secondLead = featureLeads[1] === undefined ? undefined : rec.pSignal[featureLeads[1]];
  const rrAll = causal
    ? causalFeatureRows(options.rrSet ?? 'local', rec.pSignal[featureLeads[0]!]!, fs, peaks)
    : options.rrSet === 'dechazal'
      ? dechazalRows(rec.pSignal[featureLeads[0]!]!, secondLead, fs, peaks)
      : isDechazalRelative(options.rrSet)
      ? dechazalRelativeRows(rec.pSignal[featureLeads[0]!]!, secondLead, fs, peaks, options.rrSet)
      : options.rrSet === 'mondejar'
      ? mondejarRows(rec.pSignal[featureLeads[0]!]!, fs, peaks)
      : options.rrSet === 'mondejar-ann'
      ? mondejarRows(rec.pSignal[featureLeads[0]!]!, fs, peaks, { positions: ann.sample, index: refIndex })
      : beatFeatureRows(options.rrSet ?? 'local', rec.pSignal[featureLeads[0]!]!, fs, peaks);
  const filter = options.filter ?? (win === 'kachuee' || causal ? 'none' : 'baseline');
  const prepared = lanes.map((c) => {
    const x = rec.pSignal[c]!;
    return filter === 'baseline' ? removeBaseline(x, fs) : filter === 'bandpass' ? bandpass(x, fs) : x;
  });
  let length: number, outFs: number;
  let perLane: Float32Array[];
  let fits: Uint8Array;
  if (win === 'kachuee') {
    length = options.kachuee?.length ?? 187;
    outFs = options.kachuee?.fs ?? 125;
    perLane = prepared.map((x) => kachueeBeats(x, fs, peaks, options.kachuee));
    fits = new Uint8Array(peaks.length).fill(1);
  } else if (causal) {
    length = 187;
    outFs = 125;
    perLane = prepared.map((x) => causalBeats(x, fs, peaks));
    fits = new Uint8Array(peaks.length).fill(1);
  } else {
    outFs = options.fs ?? fs;
    length = win.before + win.after;
    const at = outFs === fs ? peaks : peaks.map((s) => resampleIndex(s, fs, outFs));
    const cut = prepared.map((x) => centredWindows(outFs === fs ? x : resample(x, fs, outFs), at, win.before, win.after));
    perLane = cut.map((c) => c.windows);
    fits = cut[0]!.fits;
  }
  const keep: number[] = [];
  for (let k = 0; k < peaks.length; k++) if (fits[k] && symbols[k] && scheme.classOf(symbols[k]!) >= 0) keep.push(k);
  const ch = lanes.length;
  const x = new Float32Array(keep.length * ch * length);
  const rr = new Float32Array(keep.length * R);
  keep.forEach((k, row) => {
    for (let c = 0; c < ch; c++) x.set(perLane[c]!.subarray(k * length, (k + 1) * length), (row * ch + c) * length);
    rr.set(rrAll.subarray(k * R, k * R + R), row * R);
  });
  return {
    x,
    rr,
    rrFeatures: rrNames,
    y: Int32Array.from(keep, (k) => scheme.classOf(symbols[k]!)),
    symbol: keep.map((k) => symbols[k]!),
    sample: Int32Array.from(keep, (k) => peaks[k]!),
    channels: ch,
    length,
    fs: outFs,
    leads: lanes.map((c) => rec.sigName[c]!),
  };
}
