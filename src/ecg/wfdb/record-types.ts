// The shapes readRecord works with: the record it returns, its options and the file source it reads
// through. One file so the single-segment and multi-segment readers share them without a cycle.
import type { SegmentSpec } from './header.ts';

/** A record with wfdb-python's field names (camelCase); per-signal fields are arrays indexed by signal. */
export interface WfdbRecord {
  recordName: string;
  nSig: number;
  fs: number;
  counterFreq: number | undefined;
  baseCounter: number | undefined;
  /** Frames (samples per signal when every signal has one sample per frame). */
  sigLen: number;
  baseTime: string | undefined;
  baseDate: string | undefined;
  comments: string[];
  fileName: string[];
  fmt: number[];
  sampsPerFrame: number[];
  skew: number[];
  byteOffset: number[];
  adcGain: number[];
  baseline: number[];
  units: string[];
  adcRes: number[];
  adcZero: number[];
  initValue: number[];
  checksum: (number | undefined)[];
  blockSize: number[];
  sigName: string[];
  /** Digital samples, one array per signal (length sigLen x sampsPerFrame); invalid samples keep the format's marker. */
  dSignal: Int32Array[];
  /** Physical samples (dSignal - baseline) / adcGain, one array per signal; invalid samples are NaN. */
  pSignal: Float32Array[];
  /**
   * A multi-segment record's segment table, in the master header's order, with where each segment
   * starts in the continuous record (undefined for a single-segment record).
   */
  segments?: SegmentInfo[];
  /** A multi-segment record's layout: "fixed" (every segment has the same signals) or "variable" (a layout segment lists them). */
  layout?: 'fixed' | 'variable';
}

/**
 * Options of reading a WFDB record: checksum verification, which signals, and a bound on the samples a record
 * may claim.
 */
export interface ReadRecordOptions {
  /** Verify each signal's 16-bit sum against the header checksum (default true). */
  verifyChecksums?: boolean;
  /** Signals to return (indices into the header's signal lines); default all. */
  channels?: number[];
  /**
   * The most samples (all signals, samples per frame included) a record may hold: checked before
   * anything is allocated, so a header claiming a length no file backs (a null signal or segment of
   * 10^12 samples) is refused instead of exhausting memory. Default 2^28 (268,435,456 samples: 2 GiB of
   * digital and physical output); raise it to read longer recordings.
   */
  maxSamples?: number;
}

/**
 * Returns the bytes of a file named in the header; throws (naming the file) if it is missing.
 * `checkSize`, when given, throws the WfdbError readRecord would throw for a file of that many bytes
 * (truncated, or longer than the header's length allows): a source that can learn the size first
 * (fs.statSync) calls it before reading, so a hostile header cannot make it read gigabytes.
 */
export type FileSource = (fileName: string, checkSize?: (byteLength: number) => void) => Uint8Array;

/** One segment of a multi-segment record. */
export interface SegmentInfo extends SegmentSpec {
  /** The segment's first sample in the continuous record. */
  start: number;
  /** "layout" (the variable layout's signal list, 0 samples), "null" (a "~" gap: every sample invalid) or "signals". */
  kind: 'layout' | 'null' | 'signals';
}

/** The default of ReadRecordOptions.maxSamples. */
export const DEFAULT_MAX_SAMPLES = 2 ** 28;
