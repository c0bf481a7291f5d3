// WFDB header files (.hea): parse and format the record line, the signal specification lines and the
// comment lines; and the master header of a multi-segment record (record name "name/nseg", then one
// "segment-name length" line per segment, "~" naming a null segment). Reference: WFDB Programmer's
// Guide, "header(5)". Every numeric field is
// range-checked (LIMITS below): a value no recording can have is refused with the line and the field,
// never passed on to the decoder.
import { WfdbError } from '../errors.ts';

/** One signal specification line. Field names follow wfdb-python in camelCase. */
export interface SignalSpec {
  /** Name of the file holding the samples ("100.dat"); "-" means standard input (not supported for reading). */
  fileName: string;
  /**
   * Storage format: 0 (null signal, no file), 8 (8-bit first differences), 212, 16, 61, 80, 160, 310,
   * 311, 24, 32 or 508 / 516 / 524 (FLAC, 8 / 16 / 24 bits) for reading; 212, 16 or 80 for writing.
   */
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
  /**
   * The segments of a multi-segment record, in order (undefined for a single-segment record, whose
   * header has signal lines instead). readRecord reads them as one continuous record.
   */
  segments?: SegmentSpec[];
}

/** One segment line of a multi-segment master header. */
export interface SegmentSpec {
  /** The segment's record name (its header is `<recordName>.hea` beside the master), or "~" for a null segment (a gap). */
  recordName: string;
  /** Samples per signal in the segment (0 for the layout segment of a variable-layout record). */
  sigLen: number;
}

/**
 * The formats this package reads, with their natural ADC resolution in bits (formats 0 and 8 have no
 * sample width: 12, WFDB_DEFRES, the resolution WFDB's readheader gives them when the field is absent).
 */
export const FORMAT_BITS: Readonly<Record<number, number>> = {
  0: 12, 8: 12, 212: 12, 16: 16, 61: 16, 80: 8, 160: 16, 310: 10, 311: 10, 24: 24, 32: 32, 508: 8, 516: 16, 524: 24,
};

const DEFAULT_GAIN = 200;
const DEFAULT_FS = 250;
const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

/**
 * The ranges header fields must lie in. WFDB stores the digital fields (baseline, ADC zero, initial
 * value, checksum) as C ints, so they are 32-bit; frequencies and gains outside these bounds describe
 * no recording and would only make the decoder produce Infinity or allocate without end.
 */
export const HEADER_LIMITS = {
  /** Sampling and counter frequency, Hz. */
  minFs: 1e-9,
  maxFs: 1e9,
  /** Magnitude of a non-zero ADC gain (0 means the default, 200; negative gains are read as WFDB reads them). */
  minGain: 1e-12,
  maxGain: 1e12,
  /** ADC resolution in bits (0 in the header means the format's width). */
  maxAdcRes: 32,
} as const;

/** A short description of a value of the wrong type, for error messages. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  const a = (w: string) => `${/^[aeiou]/i.test(w) ? 'an' : 'a'} ${w}`;
  if (typeof v === 'object' || typeof v === 'function') return a(Object.prototype.toString.call(v).slice(8, -1));
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${a(typeof v)} (${String(v)})`;
  return a(typeof v);
}

/** The name to use for a file in messages: the caller's string, else the fallback. */
export function sourceName(fileName: unknown, fallback: string): string {
  return typeof fileName === 'string' && fileName !== '' ? fileName : fallback;
}

/**
 * Parses header text. `fileName` is used in error messages; when it names a `.hea` file, the record
 * line must name the same record (as WFDB requires: 100.hea must describe record 100).
 */
export function parseHeader(text: string, fileName = 'header'): Header {
  fileName = sourceName(fileName, 'header');
  if (typeof text !== 'string') {
    throw new WfdbError(
      `${fileName}: expected the header text as a string, got ${describeValue(text)}; decode the file's bytes first ` +
        '(new TextDecoder().decode(bytes))',
      fileName,
    );
  }
  const lines = text.split(/\r?\n/);
  const comments: string[] = [];
  let header: Header | undefined;
  let lineNo = 0;
  let recordLineNo = 0;
  let nSeg = 0;
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
      const parsed = parseRecordLine(content, where, fileName);
      header = parsed.header;
      nSeg = parsed.nSeg;
      recordLineNo = lineNo;
    } else if (header.segments) {
      if (header.segments.length >= nSeg) {
        throw new WfdbError(
          `${where}: the record line declares ${nSeg} segment(s) but this is an extra segment line ("${shorten(line)}"); ` +
            'fix the segment count on the record line or remove the line',
          fileName,
        );
      }
      header.segments.push(parseSegmentLine(content, where, fileName));
    } else if (header.signals.length < header.nSig) {
      header.signals.push(parseSignalLine(content, where, fileName));
    } else {
      throw new WfdbError(
        `${where}: the record line declares ${header.nSig} signal(s) but this is an extra signal line ("${shorten(line)}"); ` +
          'fix the signal count on the record line or remove the line',
        fileName,
      );
    }
  }
  if (!header) throw new WfdbError(`${fileName}: no record line found (the header is empty or holds only comments)`, fileName);
  if (header.segments && header.segments.length < nSeg) {
    throw new WfdbError(
      `${fileName}: the record line declares ${nSeg} segment(s) but only ${header.segments.length} segment line(s) follow; ` +
        'the header is truncated or the segment count is wrong',
      fileName,
    );
  }
  if (header.segments && header.sigLen !== undefined) {
    const total = header.segments.reduce((a, g) => a + g.sigLen, 0);
    if (total !== header.sigLen) {
      throw new WfdbError(
        `${fileName} line ${recordLineNo}: the record line gives ${header.sigLen} samples per signal, but its segments hold ${total}; ` +
          'fix the length on the record line or the segment lengths',
        fileName,
      );
    }
  }
  if (!header.segments && header.signals.length < header.nSig) {
    throw new WfdbError(
      `${fileName}: the record line declares ${header.nSig} signal(s) but only ${header.signals.length} signal line(s) follow; ` +
        'the header is truncated or the signal count is wrong',
      fileName,
    );
  }
  const base = fileName.split(/[\\/]/).pop()!;
  if (base.endsWith('.hea') && base.length > 4 && base.slice(0, -4) !== header.recordName) {
    throw new WfdbError(
      `${fileName} line ${recordLineNo}: the record line names record "${shorten(header.recordName)}", but the file is ${base}; ` +
        `a header must describe its own record (rename the file to ${shorten(header.recordName)}.hea or fix the record name)`,
      fileName,
    );
  }
  header.comments = comments;
  return header;
}

/** The largest segment count read (WFDB has no limit; a master header of 1 MiB holds about 100,000 lines). */
const MAX_SEGMENTS = 1_000_000;

function parseRecordLine(content: string, where: string, fileName: string): { header: Header; nSeg: number } {
  const f = content.split(/\s+/);
  let nameField = f[0]!;
  let nSeg = 0;
  const slash = nameField.indexOf('/');
  if (slash >= 0) {
    // "name/nseg": the master header of a multi-segment record.
    nSeg = int(nameField.slice(slash + 1), where, 'number of segments (after "/" in the record name)', fileName, 1, MAX_SEGMENTS);
    nameField = nameField.slice(0, slash);
    if (nameField === '') throw new WfdbError(`${where}: the record name before "/${nSeg}" is empty`, fileName);
  }
  if (f.length < 2) throw new WfdbError(`${where}: the record line needs at least a name and a signal count, got "${shorten(content)}"`, fileName);
  const nSig = int(f[1]!, where, 'number of signals', fileName, 0, INT32_MAX);
  let fs = DEFAULT_FS;
  let counterFreq: number | undefined;
  let baseCounter: number | undefined;
  if (f[2] !== undefined) {
    const m = /^([^/()]+)(?:\/([^()]+)(?:\(([^)]*)\))?)?$/.exec(f[2]);
    if (!m) throw new WfdbError(`${where}: expected "frequency[/counterfreq[(basecounter)]]", got "${shorten(f[2])}"`, fileName);
    fs = num(m[1]!, where, 'sampling frequency', fileName);
    if (!(fs > 0)) throw new WfdbError(`${where}: the sampling frequency must be positive, got "${shorten(m[1]!)}"`, fileName);
    frequency(fs, where, 'sampling frequency', fileName);
    if (m[2] !== undefined) counterFreq = frequency(num(m[2], where, 'counter frequency', fileName), where, 'counter frequency', fileName);
    if (m[3] !== undefined) baseCounter = num(m[3], where, 'base counter value', fileName);
  }
  const sigLen = f[3] !== undefined ? int(f[3], where, 'number of samples per signal', fileName, 0, Number.MAX_SAFE_INTEGER) : undefined;
  const header: Header = {
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
  if (nSeg > 0) header.segments = [];
  return { header, nSeg };
}

function parseSegmentLine(content: string, where: string, fileName: string): SegmentSpec {
  const f = content.split(/\s+/);
  if (f.length < 2) throw new WfdbError(`${where}: a segment line needs a record name and a length, got "${shorten(content)}"`, fileName);
  const recordName = f[0]!;
  // A segment is a record beside the master header: a plain name, never a path.
  if (recordName !== '~' && (/[\\/\0]/.test(recordName) || recordName === '.' || recordName === '..')) {
    throw new WfdbError(
      `${where}: the segment name "${shorten(recordName)}" is not a plain record name; segments must be records in the master header's folder`,
      fileName,
    );
  }
  const sigLen = int(f[1]!, where, `length of segment ${shorten(recordName)}`, fileName, 0, Number.MAX_SAFE_INTEGER);
  return { recordName, sigLen };
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
  if (fields.length < 2) throw new WfdbError(`${where}: a signal line needs at least a file name and a format, got "${shorten(content)}"`, fileName);
  const fmtField = fields[1]!;
  const fm = /^(\d+)(?:x(\d+))?(?::(-?\d+))?(?:\+(\d+))?$/.exec(fmtField);
  if (!fm) {
    throw new WfdbError(`${where}: expected "format[xsamplesperframe][:skew][+byteoffset]" in field 2, got "${shorten(fmtField)}"`, fileName);
  }
  const fmt = Number(fm[1]);
  if (!Object.hasOwn(FORMAT_BITS, fmt)) {
    throw new WfdbError(
      `${where}: unknown or unsupported signal format ${fmt}; supported formats are ${Object.keys(FORMAT_BITS).join(', ')}`,
      fileName,
    );
  }
  const sampsPerFrame = fm[2] !== undefined ? int(fm[2], where, 'samples per frame', fileName, 1, INT32_MAX) : 1;
  const skew = fm[3] !== undefined ? int(fm[3], where, 'skew', fileName, INT32_MIN, INT32_MAX) : 0;
  if (skew < 0) throw new WfdbError(`${where}: negative skew ${skew} is not supported`, fileName);
  const byteOffset = fm[4] !== undefined ? int(fm[4], where, 'byte offset', fileName, 0, Number.MAX_SAFE_INTEGER) : 0;

  let adcGain = DEFAULT_GAIN;
  let baseline: number | undefined;
  let units = 'mV';
  if (fields[2] !== undefined) {
    const gm = /^([^(/]+)(?:\(([^)]*)\))?(?:\/(.+))?$/.exec(fields[2]);
    if (!gm) throw new WfdbError(`${where}: expected "gain[(baseline)][/units]" in field 3, got "${shorten(fields[2])}"`, fileName);
    const g = num(gm[1]!, where, 'ADC gain', fileName);
    if (g !== 0 && !(Math.abs(g) >= HEADER_LIMITS.minGain && Math.abs(g) <= HEADER_LIMITS.maxGain)) {
      throw new WfdbError(
        `${where}: ADC gain ${gm[1]} is outside ${HEADER_LIMITS.minGain}..${HEADER_LIMITS.maxGain} (in magnitude; 0 means the default ${DEFAULT_GAIN}); ` +
          'no recording has that many ADC units per physical unit',
        fileName,
      );
    }
    adcGain = g === 0 ? DEFAULT_GAIN : g;
    if (gm[2] !== undefined) baseline = int(gm[2], where, 'baseline', fileName, INT32_MIN, INT32_MAX);
    if (gm[3] !== undefined) units = gm[3];
  }
  const adcResField = fields[3] !== undefined ? int(fields[3], where, 'ADC resolution', fileName, 0, HEADER_LIMITS.maxAdcRes) : 0;
  const adcRes = adcResField === 0 ? FORMAT_BITS[fmt]! : adcResField;
  const adcZero = fields[4] !== undefined ? int(fields[4], where, 'ADC zero', fileName, INT32_MIN, INT32_MAX) : 0;
  const initValue = fields[5] !== undefined ? int(fields[5], where, 'initial value', fileName, INT32_MIN, INT32_MAX) : adcZero;
  const checksum = fields[6] !== undefined ? int(fields[6], where, 'checksum', fileName, INT32_MIN, INT32_MAX) : undefined;
  const blockSize = fields[7] !== undefined ? int(fields[7], where, 'block size', fileName, 0, INT32_MAX) : 0;
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
  if (s.trim() === '' || !Number.isFinite(v)) throw new WfdbError(`${where}: ${what} must be a number, got "${shorten(s)}"`, fileName);
  return v;
}

function int(s: string, where: string, what: string, fileName: string, lo: number, hi: number): number {
  if (!/^[-+]?\d+$/.test(s)) throw new WfdbError(`${where}: ${what} must be an integer, got "${shorten(s)}"`, fileName);
  const v = Number(s);
  if (!(v >= lo && v <= hi)) throw new WfdbError(`${where}: ${what} must be an integer in ${lo}..${hi}, got ${shorten(s)}`, fileName);
  return v;
}

function frequency(v: number, where: string, what: string, fileName: string): number {
  if (!(v >= HEADER_LIMITS.minFs && v <= HEADER_LIMITS.maxFs)) {
    throw new WfdbError(`${where}: the ${what} must be in ${HEADER_LIMITS.minFs}..${HEADER_LIMITS.maxFs} Hz, got ${v}`, fileName);
  }
  return v;
}

/** A field as quoted in a message: long values are cut (a hostile line may be megabytes long). */
function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}... (${s.length} characters)` : s;
}

/** Formats a header as WFDB writes it (LF line endings). Inverse of parseHeader for the fields it sets. */
export function formatHeader(h: Header): string {
  const rec: string[] = [h.segments ? `${h.recordName}/${h.segments.length}` : h.recordName, String(h.nSig)];
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
  for (const g of h.segments ?? []) out.push(`${g.recordName} ${g.sigLen}`);
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
