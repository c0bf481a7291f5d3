// A BeatDataset as bytes (the on-disk cache, or a dataset shipped to a browser): an ecgrad container
// (src/core/container.ts: magic, JSON header, data, CRC-32) with magic "ECGRADDS" and header
//   { "format": "ecgrad-dataset", "version": 2, protocol, seed, classes, channels, length, fs,
//     rrFeatures, records, symbol (one string), options, "lengths": [8 array lengths] }
// and data: the arrays x, rr (float32), y, record, sample, train, val, test (int32), little-endian,
// back to back in that order. Decoding checks the container and that every array's length and every
// index fits the header, so a damaged file is refused with a DatasetFileError naming it.
import { isCount, packContainer, unpackContainer } from '../../core/container.ts';
import type { BeatDataset } from './dataset.ts';

const MAGIC = 'ECGRADDS';
const VERSION = 2;
const ARRAYS = ['x', 'rr', 'y', 'record', 'sample', 'train', 'val', 'test'] as const;

/**
 * A dataset file that cannot be read (bad magic, header, sizes or checksum). The message names the file
 * (`source`) and what is wrong.
 */
export class DatasetFileError extends Error {
  constructor(source: string, message: string) {
    super(`dataset file ${source}: ${message}`);
    this.name = 'DatasetFileError';
  }
}

type Meta = Omit<BeatDataset, 'x' | 'rr' | 'y' | 'record' | 'sample' | 'split' | 'symbol'> & { symbol: string };
interface DatasetHeader extends Meta {
  format: string;
  version: number;
  lengths: number[];
}

/**
 * A BeatDataset as bytes: an ecgrad container (magic "ECGRADDS", JSON header, the arrays, CRC-32);
 * deserializeDataset reads it back.
 */
export function serializeDataset(ds: BeatDataset): Uint8Array {
  const arrays: (Float32Array | Int32Array)[] = [ds.x, ds.rr, ds.y, ds.record, ds.sample, ds.split.train, ds.split.val, ds.split.test];
  const header: DatasetHeader = {
    format: 'ecgrad-dataset', version: VERSION,
    protocol: ds.protocol, seed: ds.seed, classes: ds.classes, channels: ds.channels, length: ds.length, fs: ds.fs,
    rrFeatures: ds.rrFeatures, records: ds.records, symbol: ds.symbol.join(''), options: ds.options,
    lengths: arrays.map((a) => a.length),
  };
  const dataBytes = arrays.reduce((a, x) => a + x.byteLength, 0);
  return packContainer(MAGIC, header, dataBytes, (_view, out, start) => {
    let o = start;
    for (const a of arrays) {
      out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
      o += a.byteLength;
    }
  });
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Parses and verifies a dataset file; `source` names it in errors. */
export function deserializeDataset(bytes: Uint8Array, source = '(bytes)'): BeatDataset {
  const fail = (m: string) => new DatasetFileError(source, m);
  const { header: h, start } = unpackContainer<DatasetHeader>(bytes, {
    magic: MAGIC, what: 'dataset file', fail, format: 'ecgrad-dataset', version: VERSION,
    dataBytes: (h) => {
      if (!Array.isArray(h.lengths) || h.lengths.length !== ARRAYS.length || !h.lengths.every(isCount))
        throw fail(`header field "lengths" must list ${ARRAYS.length} array lengths (${ARRAYS.join(', ')})`);
      return h.lengths.reduce((a, n) => a + 4 * n, 0);
    },
  });
  const fields: [string, boolean][] = [
    ['channels, length, seed', isCount(h.channels) && isCount(h.length) && Number.isSafeInteger(h.seed)],
    ['fs', typeof h.fs === 'number' && h.fs > 0],
    ['classes, records, rrFeatures', strings(h.classes) && strings(h.records) && strings(h.rrFeatures)],
    ['protocol, symbol', typeof h.protocol === 'string' && typeof h.symbol === 'string'],
    ['options', typeof h.options === 'object' && h.options !== null],
  ];
  for (const [names, ok] of fields) if (!ok) throw fail(`header fields ${names} are missing or malformed`);
  const n = h.lengths[2]!;
  const want = [n * h.channels * h.length, n * h.rrFeatures.length, n, n, n];
  for (const [i, len] of want.entries())
    if (h.lengths[i] !== len) throw fail(`array ${ARRAYS[i]} holds ${h.lengths[i]} values, but ${n} beats need ${len}`);
  if ([...h.symbol].length !== n) throw fail(`"symbol" holds ${[...h.symbol].length} beat symbols for ${n} beats`);
  // One aligned copy of the data section; the arrays are views into it.
  const copy = bytes.slice(start, bytes.length - 4);
  let o = 0;
  const arrays = h.lengths.map((len, i) => {
    const a = i < 2 ? new Float32Array(copy.buffer, o, len) : new Int32Array(copy.buffer, o, len);
    o += len * 4;
    return a;
  });
  const [x, rr, y, record, sample, train, val, test] = arrays as [Float32Array, Float32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  const within = (a: Int32Array, limit: number, name: string) => {
    for (let i = 0; i < a.length; i++) if (!(a[i]! >= 0 && a[i]! < limit)) throw fail(`${name}[${i}] = ${a[i]} is outside 0..${limit - 1}`);
  };
  within(y, h.classes.length, 'y');
  within(record, h.records.length, 'record');
  for (const [name, split] of [['train', train], ['val', val], ['test', test]] as const) within(split, n, name);
  return {
    protocol: h.protocol, seed: h.seed, classes: h.classes, channels: h.channels, length: h.length, fs: h.fs,
    x, rr, rrFeatures: h.rrFeatures, y, records: h.records, record, sample, symbol: [...h.symbol],
    split: { train, val, test }, options: h.options,
  };
}
