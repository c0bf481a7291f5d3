// Writing WFDB records (the equivalent of wfdb-python's wrsamp): header text plus the bytes of the
// signal files, in format 212, 16 or 80, one sample per frame. Reference: WFDB Programmer's Guide,
// "header(5)" and "signal(5)". Browser-safe: returns strings and byte arrays; src/node writes files.
import { WfdbError } from '../errors.ts';
import { FORMAT_BITS, formatHeader, type Header, type SignalSpec } from './header.ts';
import { checksum16 } from './record.ts';
import { encodeSamples, formatRange, INVALID_SAMPLE, WRITABLE_FORMATS } from './signal-formats.ts';

/**
 * A record to write as WFDB files: name, rate, digital or physical samples per signal, and the formats, gains
 * and other header fields.
 */
export interface WriteRecordInput {
  recordName: string;
  fs: number;
  /** Digital samples, one array per signal (all the same length). Give this or pSignal. */
  dSignal?: ArrayLike<number>[];
  /** Physical samples, one array per signal; NaN is written as the invalid-sample marker. */
  pSignal?: ArrayLike<number>[];
  /** Format of every signal (one value for all, or one per signal); default 212. */
  fmt?: number | number[];
  /** ADC gain per signal; with pSignal and no gain, a gain is chosen that uses the format's range. */
  adcGain?: number[];
  baseline?: number[];
  units?: string[];
  sigName?: string[];
  comments?: string[];
  baseTime?: string;
  baseDate?: string;
}

/**
 * A record written as WFDB files: the header's text and parsed form, and the bytes of each signal file by
 * name.
 */
export interface WrittenRecord {
  /** The text of `<recordName>.hea`. */
  header: string;
  /** The parsed form of that header. */
  parsed: Header;
  /** Bytes of each signal file, by file name. */
  files: Map<string, Uint8Array>;
}

/** Builds the header and signal files of a record. Signals of one format share `<name>.dat`. */
export function writeRecord(input: WriteRecordInput): WrittenRecord {
  const { recordName } = input;
  if (!/^[\w-]+$/.test(recordName)) throw new WfdbError(`writeRecord: record name "${recordName}" may contain only letters, digits, "_" and "-"`);
  const nSig = (input.dSignal ?? input.pSignal ?? []).length;
  if (!input.dSignal && !input.pSignal) throw new WfdbError('writeRecord: give dSignal or pSignal');
  const fmts = Array.isArray(input.fmt) ? input.fmt : new Array<number>(nSig).fill(input.fmt ?? 212);
  if (fmts.length !== nSig) throw new WfdbError(`writeRecord: ${fmts.length} formats for ${nSig} signals`);
  for (const f of fmts) if (!WRITABLE_FORMATS.includes(f)) throw new WfdbError(`writeRecord: cannot write format ${f}; writable formats are ${WRITABLE_FORMATS.join(', ')}`);
  const sigLen = nSig ? (input.dSignal ?? input.pSignal)![0]!.length : 0;
  const gains: number[] = [], baselines: number[] = [];
  const digital: Int32Array[] = [];
  for (let j = 0; j < nSig; j++) {
    const fmt = fmts[j]!;
    const [lo, hi] = formatRange(fmt);
    if (input.dSignal) {
      const d = input.dSignal[j]!;
      if (d.length !== sigLen) throw new WfdbError(`writeRecord: signal ${j} has ${d.length} samples, signal 0 has ${sigLen}`);
      digital.push(Int32Array.from(d));
      gains.push(input.adcGain?.[j] ?? 200);
      baselines.push(input.baseline?.[j] ?? 0);
    } else {
      const p = input.pSignal![j]!;
      if (p.length !== sigLen) throw new WfdbError(`writeRecord: signal ${j} has ${p.length} samples, signal 0 has ${sigLen}`);
      let maxAbs = 0;
      for (let i = 0; i < p.length; i++) if (Number.isFinite(p[i]!)) maxAbs = Math.max(maxAbs, Math.abs(p[i]!));
      const baseline = input.baseline?.[j] ?? 0;
      const gain = input.adcGain?.[j] ?? (maxAbs > 0 ? Math.floor(((hi - 1 - Math.abs(baseline)) / maxAbs) * 1000) / 1000 : 200);
      const d = new Int32Array(sigLen);
      for (let i = 0; i < sigLen; i++) {
        const v = p[i]!;
        if (Number.isNaN(v)) d[i] = INVALID_SAMPLE[fmt]!;
        else {
          const q = Math.round(v * gain + baseline);
          if (q <= lo || q > hi) throw new WfdbError(`writeRecord: signal ${j} sample ${i} (${v}) maps to ${q}, outside format ${fmt}'s range ${lo + 1}..${hi}; lower adcGain`);
          d[i] = q;
        }
      }
      digital.push(d);
      gains.push(gain);
      baselines.push(baseline);
    }
  }
  const oneFile = fmts.every((f) => f === fmts[0]);
  const fileOf = (j: number): string => (oneFile ? `${recordName}.dat` : `${recordName}_${j}.dat`);
  const files = new Map<string, Uint8Array>();
  const groups = new Map<string, number[]>();
  for (let j = 0; j < nSig; j++) groups.set(fileOf(j), [...(groups.get(fileOf(j)) ?? []), j]);
  for (const [name, members] of groups) {
    const interleaved = new Int32Array(sigLen * members.length);
    for (let i = 0; i < sigLen; i++) for (let k = 0; k < members.length; k++) interleaved[i * members.length + k] = digital[members[k]!]![i]!;
    files.set(name, encodeSamples(fmts[members[0]!]!, interleaved));
  }
  const signals: SignalSpec[] = digital.map((d, j) => ({
    fileName: fileOf(j),
    fmt: fmts[j]!,
    sampsPerFrame: 1,
    skew: 0,
    byteOffset: 0,
    adcGain: gains[j]!,
    baseline: baselines[j]!,
    units: input.units?.[j] ?? 'mV',
    adcRes: FORMAT_BITS[fmts[j]!]!,
    adcZero: 0,
    initValue: d.length ? d[0]! : 0,
    checksum: checksum16(d),
    blockSize: 0,
    sigName: input.sigName?.[j] ?? '',
  }));
  for (const s of signals) {
    if (/\s/.test(s.units)) throw new WfdbError(`writeRecord: units "${s.units}" must not contain spaces`);
  }
  const parsed: Header = {
    recordName,
    nSig,
    fs: input.fs,
    counterFreq: undefined,
    baseCounter: undefined,
    sigLen,
    baseTime: input.baseTime,
    baseDate: input.baseTime !== undefined ? input.baseDate : undefined,
    signals,
    comments: input.comments ?? [],
  };
  return { header: formatHeader(parsed), parsed, files };
}
