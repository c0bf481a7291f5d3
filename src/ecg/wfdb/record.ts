// readRecord: the samples of a WFDB record from its header and the bytes of the files it names. A
// single-segment record is decoded by single-segment.ts, a multi-segment one (a master header naming
// segment records) by multi-segment.ts, as one continuous record. This file checks the arguments and
// dispatches. Browser-safe: bytes in, arrays out.
import { WfdbError } from '../errors.ts';
import { describeValue, FORMAT_BITS, type Header, type SignalSpec } from './header.ts';
import { readMultiSegment } from './multi-segment.ts';
import type { FileSource, ReadRecordOptions, WfdbRecord } from './record-types.ts';
import { readSingleSegment } from './single-segment.ts';

export type { FileSource, ReadRecordOptions, SegmentInfo, WfdbRecord } from './record-types.ts';
export { checksum16 } from './single-segment.ts';

const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/**
 * Checks a Header given to readRecord (parseHeader's output passes; a hand-built or modified object
 * may not): every field readRecord uses has the type and range parseHeader guarantees.
 */
function checkHeader(header: unknown): asserts header is Header {
  if (header === null || typeof header !== 'object') {
    throw new WfdbError(`readRecord: expected a header (the result of parseHeader), got ${describeValue(header)}`);
  }
  const h = header as Partial<Header>;
  const name = typeof h.recordName === 'string' ? `${h.recordName}.hea` : 'header';
  const bad = (what: string): never => {
    throw new WfdbError(`${name}: ${what} (readRecord expects a header as parseHeader returns it)`, name);
  };
  if (typeof h.recordName !== 'string') bad(`recordName is ${describeValue(h.recordName)}, expected a string`);
  if (!Array.isArray(h.signals)) bad(`signals is ${describeValue(h.signals)}, expected an array of signal specifications`);
  if (h.sigLen !== undefined && !isInt(h.sigLen, 0, Number.MAX_SAFE_INTEGER)) bad(`sigLen is ${String(h.sigLen)}, expected undefined or an integer >= 0`);
  if (!Array.isArray(h.comments)) bad('comments is not an array');
  if (h.segments !== undefined) {
    if (!Array.isArray(h.segments) || h.segments.length === 0) bad(`segments is ${describeValue(h.segments)}, expected undefined or a non-empty array of segment specifications`);
    h.segments!.forEach((g, i) => {
      if (g === null || typeof g !== 'object' || typeof g.recordName !== 'string' || g.recordName === '' || !isInt(g.sigLen, 0, Number.MAX_SAFE_INTEGER)) {
        bad(`segment ${i} is not a segment specification (recordName: a non-empty string, sigLen: an integer >= 0)`);
      }
    });
    if (!isInt(h.nSig, 0, 2 ** 31 - 1)) bad(`nSig is ${String(h.nSig)}, expected an integer >= 0`);
  }
  h.signals!.forEach((s: Partial<SignalSpec> | null, i) => {
    if (s === null || typeof s !== 'object') return bad(`signal ${i} is ${describeValue(s)}, expected a signal specification`);
    if (typeof s.fileName !== 'string' || s.fileName === '') bad(`signal ${i} has no file name`);
    if (typeof s.fmt !== 'number' || !Object.hasOwn(FORMAT_BITS, s.fmt)) bad(`signal ${i} has format ${String(s.fmt)}; readable formats are ${Object.keys(FORMAT_BITS).join(', ')}`);
    if (!isInt(s.sampsPerFrame, 1, 2 ** 31 - 1)) bad(`signal ${i} has ${String(s.sampsPerFrame)} samples per frame, expected an integer >= 1`);
    if (!isInt(s.skew, 0, 2 ** 31 - 1)) bad(`signal ${i} has skew ${String(s.skew)}, expected an integer >= 0`);
    if (!isInt(s.byteOffset, 0, Number.MAX_SAFE_INTEGER)) bad(`signal ${i} has byte offset ${String(s.byteOffset)}, expected an integer >= 0`);
    if (typeof s.adcGain !== 'number' || !Number.isFinite(s.adcGain) || s.adcGain === 0) bad(`signal ${i} has ADC gain ${String(s.adcGain)}, expected a finite non-zero number`);
    if (typeof s.baseline !== 'number' || !Number.isFinite(s.baseline)) bad(`signal ${i} has baseline ${String(s.baseline)}, expected a finite number`);
    if (s.fmt === 8 && !isInt(s.initValue, -(2 ** 31), 2 ** 31 - 1)) bad(`signal ${i} (format 8) has initial value ${String(s.initValue)}, expected a 32-bit integer`);
    if (s.checksum !== undefined && !isInt(s.checksum, -(2 ** 31), 2 ** 31 - 1)) bad(`signal ${i} has checksum ${String(s.checksum)}, expected undefined or a 32-bit integer`);
  });
}

/** Decodes a record. `header` comes from parseHeader; `files` gives the bytes of each named file. */
export function readRecord(header: Header, files: FileSource, options: ReadRecordOptions = {}): WfdbRecord {
  checkHeader(header);
  const headerName = `${header.recordName}.hea`;
  if (typeof files !== 'function') {
    throw new WfdbError(`${headerName}: readRecord needs a function that returns the bytes of a named file, got ${describeValue(files)}`, headerName);
  }
  if (options === null || typeof options !== 'object') {
    throw new WfdbError(`${headerName}: readRecord options must be an object, got ${describeValue(options)}`, headerName);
  }
  if (options.maxSamples !== undefined && !(typeof options.maxSamples === 'number' && options.maxSamples >= 0)) {
    throw new WfdbError(`${headerName}: the maxSamples option must be a number >= 0, got ${describeValue(options.maxSamples)}`, headerName);
  }
  // A master header's signal count is only a claim until the segment headers are read: the
  // multi-segment reader lists the default channels from the signals it finds.
  const n = header.segments ? header.nSig : header.signals.length;
  const channels = options.channels;
  if (channels !== undefined) {
    if (!Array.isArray(channels)) throw new WfdbError(`${headerName}: the channels option must be an array of signal indices, got ${describeValue(channels)}`, headerName);
    for (const c of channels) {
      if (!Number.isInteger(c) || c < 0 || c >= n) throw new WfdbError(`${headerName}: channel ${String(c)} does not exist (the record has ${n} signals)`, headerName);
    }
  }
  return header.segments
    ? readMultiSegment(header, files, options, channels)
    : readSingleSegment(header, files, options, channels ?? header.signals.map((_, i) => i));
}
