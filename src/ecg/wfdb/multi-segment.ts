// Multi-segment records (WFDB header(5), "multi-segment records"; WFDB signal.c, sigmap): a master
// header names segments, each a single-segment record beside it (`<segment>.hea` and its signal
// files), or "~" for a null segment (a gap of that many samples); the record is their concatenation.
// - Fixed layout: every segment has the record's signals in the same order (same count, same samples
//   per frame). Digital samples are concatenated as stored; physical samples use each segment's own
//   gain and baseline.
// - Variable layout: the first segment is a layout header (0 samples) listing every signal of the
//   record with the gain G and baseline B that hold throughout. A segment signal is matched to the first
//   layout signal with the same description; its sample d (gain g, baseline b) becomes
//   trunc(d * G/g + B - (G/g) * b), as sigmap computes it. Layout signals a segment lacks are invalid.
// Invalid samples (a segment's format marker, layout signals a segment lacks, null segments) are
// WFDB_INVALID_SAMPLE (-32768) in a variable layout, the record format's marker in a fixed one, and NaN
// physical. Each segment's checksums are verified as for a single-segment record; the record-level
// `checksum` field is undefined (no one sum covers the segments). Browser-safe.
import { WfdbError } from '../errors.ts';
import { describeValue, type Header, parseHeader, type SignalSpec } from './header.ts';
import type { FileSource, ReadRecordOptions, SegmentInfo, WfdbRecord } from './record-types.ts';
import { INVALID_SAMPLE } from './signal-formats.ts';
import { assembleRecord, checkSampleBudget, readSingleSegment } from './single-segment.ts';

/** The largest segment header read (as for any header). */
const MAX_SEGMENT_HEADER_BYTES = 1024 * 1024;
/** WFDB_INVALID_SAMPLE: the invalid marker of every signal of a variable-layout record. */
const WFDB_INVALID = -32768;

/** Reads a multi-segment record; `channels` are checked indices into the record's signals (default all). */
export function readMultiSegment(master: Header, files: FileSource, options: ReadRecordOptions, selected: number[] | undefined): WfdbRecord {
  const masterName = `${master.recordName}.hea`;
  const segs = master.segments!;
  const table: SegmentInfo[] = [];
  let start = 0;
  for (const g of segs) {
    table.push({ recordName: g.recordName, sigLen: g.sigLen, start, kind: g.recordName === '~' ? 'null' : 'signals' });
    start += g.sigLen;
  }
  const total = start;

  // First pass: every segment header (small), checked against the master before any sample is read.
  const seen = new Set<string>();
  const headers: (Header | undefined)[] = segs.map((g, i) => (g.recordName === '~' ? undefined : segmentHeader(master, g.recordName, i, g.sigLen, files, seen)));
  const first = headers[0];
  const variable = first !== undefined && first.sigLen === 0 && segs[0]!.sigLen === 0;
  if (variable) table[0]!.kind = 'layout';
  let specs: SignalSpec[];
  if (variable) {
    specs = first.signals;
    if (specs.length !== master.nSig) {
      throw new WfdbError(
        `${masterName}: the master header gives ${master.nSig} signals but its layout segment ${first.recordName}.hea lists ${specs.length}; fix the count on the record line`,
        masterName,
      );
    }
  } else {
    const ref = headers.find((h) => h !== undefined);
    if (ref === undefined) {
      if (master.nSig > 0) {
        throw new WfdbError(`${masterName}: every segment is a null segment ("~"), so no segment says what the ${master.nSig} signals are`, masterName);
      }
      specs = [];
    } else specs = ref.signals;
    headers.forEach((h, i) => {
      if (h === undefined) return;
      const same = h.signals.length === master.nSig && h.signals.every((s, j) => s.sampsPerFrame === specs[j]!.sampsPerFrame);
      if (!same) {
        throw new WfdbError(
          `${h.recordName}.hea: segment ${i} of ${masterName} has ${h.signals.length} signal(s) (samples per frame ` +
            `${h.signals.map((s) => s.sampsPerFrame).join(', ') || 'none'}), but the record has ${master.nSig} (samples per frame ` +
            `${specs.map((s) => s.sampsPerFrame).join(', ') || 'none'}); segments that differ need a layout segment (a variable-layout record)`,
          `${h.recordName}.hea`,
        );
      }
    });
  }
  const spf = specs.map((s) => s.sampsPerFrame);
  checkSampleBudget(total * spf.reduce((a, b) => a + b, 0), options, masterName, 'the multi-segment record');

  const invalid = specs.map((s) => (variable ? WFDB_INVALID : INVALID_SAMPLE[s.fmt]!));
  const dSignal = specs.map((_, j) => new Int32Array(total * spf[j]!).fill(invalid[j]!));
  const pSignal = specs.map((_, j) => new Float32Array(total * spf[j]!).fill(NaN));

  // Second pass: the samples, one segment at a time.
  headers.forEach((h, i) => {
    if (h === undefined || (variable && i === 0)) return; // a null segment or the layout: nothing to read
    const seg = table[i]!;
    const all = h.signals.map((_, j) => j);
    const rec = readSingleSegment(h, files, { verifyChecksums: options.verifyChecksums, maxSamples: options.maxSamples }, all);
    if (rec.sigLen !== seg.sigLen) {
      throw new WfdbError(
        `${h.recordName}.hea: segment ${i} of ${masterName} holds ${rec.sigLen} samples per signal, but the master header gives it ${seg.sigLen}`,
        `${h.recordName}.hea`,
      );
    }
    if (!variable) {
      for (let j = 0; j < specs.length; j++) {
        dSignal[j]!.set(rec.dSignal[j]!, seg.start * spf[j]!);
        pSignal[j]!.set(rec.pSignal[j]!, seg.start * spf[j]!);
      }
      return;
    }
    // Variable layout: each layout signal takes the first... (sigmap: each segment signal maps to the
    // first layout signal with its description; a later segment signal of the same name wins).
    const source: (number | undefined)[] = specs.map(() => undefined);
    h.signals.forEach((s, k) => {
      const j = specs.findIndex((l) => l.sigName === s.sigName);
      if (j >= 0) source[j] = k;
    });
    specs.forEach((l, j) => {
      const k = source[j];
      if (k === undefined) return;
      const s = h.signals[k]!;
      const scale = l.adcGain / s.adcGain;
      const offset = l.baseline - scale * s.baseline;
      const segInvalid = INVALID_SAMPLE[s.fmt]!;
      const from = rec.dSignal[k]!, fromSpf = s.sampsPerFrame, toSpf = spf[j]!;
      const d = dSignal[j]!, p = pSignal[j]!;
      const kmax = Math.min(fromSpf, toSpf);
      for (let t = 0; t < seg.sigLen; t++) {
        for (let q = 0; q < kmax; q++) {
          const raw = from[t * fromSpf + q]!;
          if (raw === segInvalid) continue; // stays invalid
          const v = Math.trunc(raw * scale + offset);
          const at = (seg.start + t) * toSpf + q;
          // A mapped value outside 32 bits (a hostile gain ratio) cannot be stored: invalid, as it has no digital value.
          if (v >= -(2 ** 31) && v < 2 ** 31 && v !== WFDB_INVALID) {
            d[at] = v;
            p[at] = (v - l.baseline) / l.adcGain;
          }
        }
      }
    });
  });

  const channels = selected ?? specs.map((_, j) => j);
  // No one checksum covers the segments: the record-level field is undefined.
  const unsummed = specs.map((s) => ({ ...s, checksum: undefined }));
  const record = assembleRecord(master, unsummed, channels, total, channels.map((c) => dSignal[c]!), channels.map((c) => pSignal[c]!));
  return { ...record, segments: table, layout: variable ? 'variable' : 'fixed' };
}

/** Reads and checks the header of segment `index`: a single-segment record at the master's frequency. */
function segmentHeader(master: Header, name: string, index: number, sigLen: number, files: FileSource, seen: Set<string>): Header {
  const masterName = `${master.recordName}.hea`;
  const file = `${name}.hea`;
  if (seen.has(name)) {
    throw new WfdbError(`${masterName}: segment ${index} names record ${name} again; each segment of a record is read once, so a segment may be listed once`, masterName);
  }
  seen.add(name);
  const tooBig = (length: number): void => {
    if (length > MAX_SEGMENT_HEADER_BYTES) {
      throw new WfdbError(`${file}: the segment header holds ${length} bytes, more than the ${MAX_SEGMENT_HEADER_BYTES} read from a header`, file);
    }
  };
  const bytes = files(file, tooBig);
  if (!(bytes instanceof Uint8Array)) {
    throw new WfdbError(`${file}: the file source returned ${describeValue(bytes)} for this segment header, expected a Uint8Array`, file);
  }
  tooBig(bytes.length);
  const h = parseHeader(new TextDecoder().decode(bytes), file);
  if (h.segments) {
    throw new WfdbError(`${file}: segment ${index} of ${masterName} is itself a multi-segment record; segments must be single-segment records`, file);
  }
  if (h.fs !== master.fs) {
    throw new WfdbError(`${file}: segment ${index} of ${masterName} is sampled at ${h.fs} Hz, but the record at ${master.fs} Hz; every segment must have the record's frequency`, file);
  }
  if (h.sigLen !== undefined && h.sigLen !== sigLen) {
    throw new WfdbError(`${file}: the segment header gives ${h.sigLen} samples per signal, but ${masterName} gives segment ${index} ${sigLen}`, file);
  }
  return h;
}
