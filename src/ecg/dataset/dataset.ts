// A beat dataset: rows of beat windows with RR features and class labels, the record and position of
// each beat, and the protocol's train / validation / test split. Built from per-record beats.
import type { Annotations } from '../wfdb/annotations.ts';
import type { WfdbRecord } from '../wfdb/record.ts';
import { getProtocol, type ProtocolName, type RecordLists } from './protocols.ts';
import { type BeatOptions, recordBeats } from './record-beats.ts';
import type { Splits } from './split.ts';

/**
 * The beats of a protocol's records as flat arrays, with their split: windows x [beats, channels, length],
 * beat features rr [beats, features], class indices y, and each beat's record, R-peak sample and symbol.
 * Serialisable with serializeDataset.
 */
export interface BeatDataset {
  protocol: string;
  seed: number;
  /** Class names; y holds indices into this list. */
  classes: string[];
  /** Beat windows: nBeats x channels x length, row-major. */
  x: Float32Array;
  channels: number;
  length: number;
  /** Sampling rate of the windows. */
  fs: number;
  /** RR features: nBeats x rrFeatures.length. */
  rr: Float32Array;
  rrFeatures: string[];
  y: Int32Array;
  /** Record names; `record` holds, for each beat, an index into this list. */
  records: string[];
  record: Int32Array;
  /** R peak sample (at the record's own rate, 360 Hz for MIT-BIH) of each beat. */
  sample: Int32Array;
  /** Original annotation symbol of each beat. */
  symbol: string[];
  split: Splits;
  /** The options the dataset was built with (window, leads, filter, peaks, record lists). */
  options: Omit<DatasetOptions, 'seed'>;
}

/**
 * Gives a record and its reference annotations by record name (e.g. read from files by ecgrad/node or from
 * bytes in a browser).
 */
export type RecordSource = (name: string) => { record: WfdbRecord; annotations: Annotations };

/**
 * Options of building a dataset: the beat options, the seed of the split and the inter protocol's record
 * lists.
 */
export interface DatasetOptions extends BeatOptions {
  /** Seed of the split (default 0). */
  seed?: number;
  /** The inter protocol's train and test records (default DS1 / DS2). */
  records?: RecordLists;
}

/** Builds a protocol's dataset from records supplied by `source`. */
export function buildDataset(protocolName: ProtocolName, source: RecordSource, options: DatasetOptions = {}): BeatDataset {
  const protocol = getProtocol(protocolName, options.records);
  const { seed = 0, records: lists, ...beatOptions } = options;
  const parts = protocol.records.map((name) => {
    const { record, annotations } = source(name);
    return recordBeats(record, annotations, protocol.scheme, beatOptions);
  });
  const n = parts.reduce((a, p) => a + p.y.length, 0);
  const { channels, length, fs, rrFeatures: rrNames } = parts[0]!;
  const R = rrNames.length;
  const x = new Float32Array(n * channels * length);
  const rr = new Float32Array(n * R);
  const y = new Int32Array(n), record = new Int32Array(n), sample = new Int32Array(n);
  const symbol: string[] = [];
  let o = 0;
  parts.forEach((p, r) => {
    x.set(p.x, o * channels * length);
    rr.set(p.rr, o * R);
    y.set(p.y, o);
    sample.set(p.sample, o);
    record.fill(r, o, o + p.y.length);
    symbol.push(...p.symbol);
    o += p.y.length;
  });
  return {
    protocol: protocol.name,
    seed,
    classes: protocol.scheme.classes.slice(),
    x, channels, length, fs,
    rr, rrFeatures: rrNames,
    y,
    records: protocol.records.slice(),
    record, sample, symbol,
    split: protocol.split(y, record, seed),
    options: lists ? { ...beatOptions, records: lists } : beatOptions,
  };
}

/** Per-class counts of a split (or of all rows). */
export function classCounts(ds: Pick<BeatDataset, 'y' | 'classes'>, rows?: Int32Array): Record<string, number> {
  const counts = ds.classes.map(() => 0);
  if (rows) for (const i of rows) counts[ds.y[i]!]!++;
  else for (const c of ds.y) counts[c]!++;
  return Object.fromEntries(ds.classes.map((c, i) => [c, counts[i]!]));
}
