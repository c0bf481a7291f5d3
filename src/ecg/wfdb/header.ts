// WFDB header files (.hea): parse and format the record line, the signal specification lines and the
// comment lines. Reference: WFDB Programmer's Guide, "header(5)". Single-segment records only: a
// multi-segment header (record name "name/nseg") is rejected with a clear error.
import { WfdbError } from '../errors.ts';

/** One signal specification line. Field names follow wfdb-python in camelCase. */
export interface SignalSpec {
  /** Name of the file holding the samples ("100.dat"); "-" means standard input (not supported for reading). */
  fileName: string;
  /** Storage format: 212, 16, 61, 80, 160, 310, 311, 24 or 32 for reading; 212, 16 or 80 for writing. */
  fmt: number;
  /** Samples of this signal in every frame (1 unless the record is multi-frequency). */
  sampsPerFrame: number;
  /** Skew in frames: sample t of this signal is stored in frame t + skew. */
  skew: number;
  /** Bytes to skip at the start of the file before the first sample. */
  byteOffset: number;
  /** ADC units per physical unit (200 if the header gives 0 or nothing, as WFDB does). */
  adcGain: number;
  /** Digital value that corresponds to 0 physical units (defaults to adcZero). */
  baseline: number;
  /** Physical units ("mV" if not given). */
  units: string;
  /** ADC resolution in bits (0 in the header: the format's natural width). */
  adcRes: number;
  /** ADC value at the middle of the input range. */
  adcZero: number;
  /** First sample value (defaults to adcZero). */
  initValue: number;
  /** 16-bit sum of all samples, or undefined if the header does not give one. */
  checksum: number | undefined;
  /** Block size in bytes (0: not a block-structured file). */
  blockSize: number;
  /** Signal description (lead name for ECGs: "MLII", "V5"). */
  sigName: string;
}

/** A parsed header: the record line, the signal lines and the comments. */
export interface Header {
  recordName: string;
  nSig: number;
  /** Sampling frequency in frames per second (250 if the header gives none, as WFDB does). */
  fs: number;
  /** Counter frequency (defaults to fs) and base counter value, if the header gives them. */
  counterFreq: number | undefined;
  baseCounter: number | undefined;
  /** Number of frames (samples per signal), or undefined if the header leaves it out. */
  sigLen: number | undefined;
  /** "HH:MM:SS" and "DD/MM/YYYY" as written, or undefined. */
  baseTime: string | undefined;
  baseDate: string | undefined;
  signals: SignalSpec[];
  /** Comment lines without the leading "#" (and one following space, if present). */
  comments: string[];
}

/** The formats this package reads, with their natural ADC resolution in bits. */
export const FORMAT_BITS: Readonly<Record<number, number>> = {
  212: 12, 16: 16, 61: 16, 80: 8, 160: 16, 310: 10, 311: 10, 24: 24, 32: 32,
};

const DEFAULT_GAIN = 200;
const DEFAULT_FS = 250;

/** Parses header text. `fileName` is only used in error messages. */
export function parseHeader(text: string, fileName = 'header'): Header {
  const lines = text.split(/\r?\n/);
  const comments: string[] = [];
  let header: Header | undefined;
  let lineNo = 0;
  for (const raw of lines) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      comments.push(line.slice(1).replace(/^ /, ''));
      continue;
    }
    const where = `${fileName} line ${lineNo}`;
    // A '#' after fields starts a comment on WFDB header lines.
    const hash = line.indexOf('#');
    const content = hash >= 0 ? line.slice(0, hash).trim() : line;
    if (!header) {
      header = parseRecordLine(content, where, fileName);
    } else if (header.signals.length < header.nSig) {
      header.signals.push(parseSignalLine(content, where, fileName));
    } else {
      throw new WfdbError(
        `${where}: the record line declares ${header.nSig} signal(s) but this is an extra signal line ("${line}"); ` +
          'fix the signal count on the record line or remove the line',
        fileName,
      );
    }
  }
  if (!header) throw new WfdbError(`${fileName}: no record line found (the header is empty or holds only comments)`, fileName);
  if (header.signals.length < header.nSig) {
    throw new WfdbError(
      `${fileName}: the record line declares ${header.nSig} signal(s) but only ${header.signals.length} signal line(s) follow; ` +
        'the header is truncated or the signal count is wrong',
      fileName,
    );
  }
  header.comments = comments;
  return header;
}

function parseRecordLine(content: string, where: string, fileName: string): Header {
  const f = content.split(/\s+/);
  const nameField = f[0]!;
  if (nameField.includes('/')) {
    throw new WfdbError(
      `${where}: "${nameField}" is a multi-segment record; multi-segment records are not supported ` +
        '(read each segment as its own record instead)',
      fileName,
    );
  }
  if (f.length < 2) throw new WfdbError(`${where}: the record line needs at least a name and a signal count, got "${content}"`, fileName);
  const nSig = int(f[1]!, where, 'number of signals', fileName);
  if (nSig < 0) throw new WfdbError(`${where}: the number of signals must be >= 0, got ${nSig}`, fileName);
  let fs = DEFAULT_FS;
  let counterFreq: number | undefined;
  let baseCounter: number | undefined;
  if (f[2] !== undefined) {
    const m = /^([^/()]+)(?:\/([^()]+)(?:\(([^)]*)\))?)?$/.exec(f[2]);
    if (!m) throw new WfdbError(`${where}: expected "frequency[/counterfreq[(basecounter)]]", got "${f[2]}"`, fileName);
    fs = num(m[1]!, where, 'sampling frequency', fileName);
    if (!(fs > 0)) throw new WfdbError(`${where}: the sampling frequency must be positive, got "${m[1]}"`, fileName);
    if (m[2] !== undefined) counterFreq = num(m[2], where, 'counter frequency', fileName);
    if (m[3] !== undefined) baseCounter = num(m[3], where, 'base counter value', fileName);
  }
  const sigLen = f[3] !== undefined ? int(f[3], where, 'number of samples per signal', fileName) : undefined;
  if (sigLen !== undefined && sigLen < 0) throw new WfdbError(`${where}: the number of samples must be >= 0, got ${sigLen}`, fileName);
  return {
    recordName: nameField,
    nSig,
    fs,
    counterFreq,
    baseCounter,
    sigLen,
    baseTime: f[4],
    baseDate: f[5],
    signals: [],
    comments: [],
  };
}

function parseSignalLine(content: string, where: string, fileName: string): SignalSpec {
  // The description is everything after the eighth field and may contain spaces.
  const fields: string[] = [];
  let rest = content;
  while (fields.length < 8 && rest.length > 0) {
    const m = /^(\S+)\s*/.exec(rest)!;
    fields.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  const description = rest.trim();
  if (fields.length < 2) throw new WfdbError(`${where}: a signal line needs at least a file name and a format, got "${content}"`, fileName);
  const fmtField = fields[1]!;
  const fm = /^(\d+)(?:x(\d+))?(?::(-?\d+))?(?:\+(\d+))?$/.exec(fmtField);
  if (!fm) {
    throw new WfdbError(`${where}: expected "format[xsamplesperframe][:skew][+byteoffset]" in field 2, got "${fmtField}"`, fileName);
  }
  const fmt = Number(fm[1]);
  if (!(fmt in FORMAT_BITS)) {
    throw new WfdbError(
      `${where}: unknown or unsupported signal format ${fmt}; supported formats are ${Object.keys(FORMAT_BITS).join(', ')}`,
      fileName,
    );
  }
  const sampsPerFrame = fm[2] !== undefined ? Number(fm[2]) : 1;
  if (sampsPerFrame < 1) throw new WfdbError(`${where}: samples per frame must be >= 1, got ${sampsPerFrame}`, fileName);
  const skew = fm[3] !== undefined ? Number(fm[3]) : 0;
  if (skew < 0) throw new WfdbError(`${where}: negative skew ${skew} is not supported`, fileName);
  const byteOffset = fm[4] !== undefined ? Number(fm[4]) : 0;

  let adcGain = DEFAULT_GAIN;
  let baseline: number | undefined;
  let units = 'mV';
  if (fields[2] !== undefined) {
    const gm = /^([^(/]+)(?:\(([^)]*)\))?(?:\/(.+))?$/.exec(fields[2]);
    if (!gm) throw new WfdbError(`${where}: expected "gain[(baseline)][/units]" in field 3, got "${fields[2]}"`, fileName);
    const g = num(gm[1]!, where, 'ADC gain', fileName);
    adcGain = g === 0 ? DEFAULT_GAIN : g;
    if (gm[2] !== undefined) baseline = int(gm[2], where, 'baseline', fileName);
    if (gm[3] !== undefined) units = gm[3];
  }
  const adcResField = fields[3] !== undefined ? int(fields[3], where, 'ADC resolution', fileName) : 0;
  const adcRes = adcResField === 0 ? FORMAT_BITS[fmt]! : adcResField;
  const adcZero = fields[4] !== undefined ? int(fields[4], where, 'ADC zero', fileName) : 0;
  const initValue = fields[5] !== undefined ? int(fields[5], where, 'initial value', fileName) : adcZero;
  const checksum = fields[6] !== undefined ? int(fields[6], where, 'checksum', fileName) : undefined;
  const blockSize = fields[7] !== undefined ? int(fields[7], where, 'block size', fileName) : 0;
  return {
    fileName: fields[0]!,
    fmt,
    sampsPerFrame,
    skew,
    byteOffset,
    adcGain,
    baseline: baseline ?? adcZero,
    units,
    adcRes,
    adcZero,
    initValue,
    checksum,
    blockSize,
    sigName: description,
  };
}

function num(s: string, where: string, what: string, fileName: string): number {
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new WfdbError(`${where}: ${what} must be a number, got "${s}"`, fileName);
  return v;
}

function int(s: string, where: string, what: string, fileName: string): number {
  if (!/^[-+]?\d+$/.test(s)) throw new WfdbError(`${where}: ${what} must be an integer, got "${s}"`, fileName);
  return Number(s);
}

/** Formats a header as WFDB writes it (LF line endings). Inverse of parseHeader for the fields it sets. */
export function formatHeader(h: Header): string {
  const rec: string[] = [h.recordName, String(h.nSig)];
  let fsField = String(h.fs);
  if (h.counterFreq !== undefined) {
    fsField += `/${h.counterFreq}`;
    if (h.baseCounter !== undefined) fsField += `(${h.baseCounter})`;
  }
  rec.push(fsField);
  if (h.sigLen !== undefined) {
    rec.push(String(h.sigLen));
    if (h.baseTime !== undefined) {
      rec.push(h.baseTime);
      if (h.baseDate !== undefined) rec.push(h.baseDate);
    }
  }
  const out = [rec.join(' ')];
  for (const s of h.signals) {
    let fmt = String(s.fmt);
    if (s.sampsPerFrame !== 1) fmt += `x${s.sampsPerFrame}`;
    if (s.skew !== 0) fmt += `:${s.skew}`;
    if (s.byteOffset !== 0) fmt += `+${s.byteOffset}`;
    let gain = String(s.adcGain);
    if (s.baseline !== s.adcZero) gain += `(${s.baseline})`;
    gain += `/${s.units}`;
    const f = [s.fileName, fmt, gain, String(s.adcRes), String(s.adcZero), String(s.initValue)];
    f.push(String(s.checksum ?? 0), String(s.blockSize));
    if (s.sigName) f.push(s.sigName);
    out.push(f.join(' '));
  }
  for (const c of h.comments) out.push(`# ${c}`);
  return out.join('\n') + '\n';
}
