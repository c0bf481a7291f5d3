// Reads the samples of a single-segment WFDB record from its header and the bytes of the files the
// header names: several signals per file, several files per record, samples per frame, skew, byte
// offset, invalid-sample markers, digital and physical output and checksum verification.
// Reference: WFDB Programmer's Guide, "header(5)" and "signal(5)". Browser-safe: bytes in, arrays out.
import { WfdbError } from '../errors.ts';
import type { Header, SignalSpec } from './header.ts';
import { bytesForSamples, decodeSamples, INVALID_SAMPLE, samplesInBytes } from './signal-formats.ts';

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
}

export interface ReadRecordOptions {
  /** Verify each signal's 16-bit sum against the header checksum (default true). */
  verifyChecksums?: boolean;
  /** Signals to return (indices into the header's signal lines); default all. */
  channels?: number[];
}

/** Returns the bytes of a file named in the header; throws (naming the file) if it is missing. */
export type FileSource = (fileName: string) => Uint8Array;

/** Groups of signals stored in the same file, in header order. */
function fileGroups(signals: SignalSpec[]): { fileName: string; members: number[] }[] {
  const groups: { fileName: string; members: number[] }[] = [];
  for (let i = 0; i < signals.length; i++) {
    const s = signals[i]!;
    const last = groups[groups.length - 1];
    if (last && last.fileName === s.fileName) last.members.push(i);
    else {
      if (groups.some((g) => g.fileName === s.fileName)) {
        throw new WfdbError(`signal ${i} is stored in ${s.fileName}, but the signals of one file must be on consecutive header lines`);
      }
      groups.push({ fileName: s.fileName, members: [i] });
    }
  }
  return groups;
}

const GROUP: Readonly<Record<number, [samples: number, bytes: number]>> = {
  212: [2, 3], 310: [3, 4], 311: [3, 4], 16: [1, 2], 61: [1, 2], 160: [1, 2], 80: [1, 1], 24: [1, 3], 32: [1, 4],
};

/** Decodes a record. `header` comes from parseHeader; `files` gives the bytes of each named file. */
export function readRecord(header: Header, files: FileSource, options: ReadRecordOptions = {}): WfdbRecord {
  const sigs = header.signals;
  const n = sigs.length;
  const dSignal: Int32Array[] = new Array(n);
  let sigLen = header.sigLen;
  for (const group of fileGroups(sigs)) {
    const first = sigs[group.members[0]!]!;
    if (first.fileName === '-') throw new WfdbError(`record ${header.recordName}: signals read from standard input ("-") are not supported`);
    const fmt = first.fmt;
    for (const j of group.members) {
      if (sigs[j]!.fmt !== fmt) {
        throw new WfdbError(`${first.fileName}: signals ${group.members[0]} and ${j} share the file but have formats ${fmt} and ${sigs[j]!.fmt}; WFDB requires one format per file`, first.fileName);
      }
    }
    const bytes = files(first.fileName);
    const offset = first.byteOffset;
    const frameSize = group.members.reduce((a, j) => a + sigs[j]!.sampsPerFrame, 0);
    const maxSkew = Math.max(...group.members.map((j) => sigs[j]!.skew));
    const avail = bytes.length - offset;
    if (avail < 0) {
      throw new WfdbError(`${first.fileName}: the header gives a byte offset of ${offset} but the file holds only ${bytes.length} bytes`, first.fileName);
    }
    const framesInFile = Math.floor(samplesInBytes(fmt, avail) / frameSize);
    if (sigLen === undefined) sigLen = framesInFile;
    const needed = bytesForSamples(fmt, sigLen * frameSize);
    if (avail < needed) {
      const at = offset + avail;
      throw new WfdbError(
        `${first.fileName}: truncated: the header (${header.recordName}.hea) gives ${sigLen} samples per signal, which need ` +
          `${needed} bytes of format ${fmt} after byte offset ${offset}, but the file ends at byte ${at} ` +
          `(${framesInFile} whole frames); re-fetch the file or correct the length on the record line`,
        first.fileName,
      );
    }
    const [gs, gb] = GROUP[fmt]!;
    const maxBytes = Math.ceil(((sigLen + maxSkew) * frameSize) / gs) * gb;
    if (avail > maxBytes) {
      throw new WfdbError(
        `${first.fileName}: the file holds ${avail} bytes of samples (${framesInFile} frames of format ${fmt}) but the header ` +
          `(${header.recordName}.hea) gives ${sigLen} samples per signal (${needed} bytes); the header's length disagrees with the data`,
        first.fileName,
      );
    }
    const frames = Math.min(framesInFile, sigLen + maxSkew);
    const raw = decodeSamples(fmt, bytes, offset, frames * frameSize);
    let within = 0;
    for (const j of group.members) {
      const s = sigs[j]!;
      const spf = s.sampsPerFrame;
      const out = new Int32Array(sigLen * spf);
      const invalid = INVALID_SAMPLE[fmt]!;
      for (let t = 0; t < sigLen; t++) {
        const f = t + s.skew;
        if (f < frames) {
          const base = f * frameSize + within;
          for (let k = 0; k < spf; k++) out[t * spf + k] = raw[base + k]!;
        } else {
          for (let k = 0; k < spf; k++) out[t * spf + k] = invalid;
        }
      }
      within += spf;
      dSignal[j] = out;
    }
  }
  sigLen ??= 0;
  if (options.verifyChecksums !== false) {
    for (let j = 0; j < n; j++) {
      const expected = sigs[j]!.checksum;
      if (expected === undefined) continue;
      const got = checksum16(dSignal[j]!);
      if (got !== ((expected << 16) >> 16)) {
        throw new WfdbError(
          `${sigs[j]!.fileName}: checksum mismatch for signal ${j} (${sigs[j]!.sigName || 'unnamed'}): the header ` +
            `(${header.recordName}.hea) says ${expected}, the samples sum to ${got} (16-bit); the data file is corrupted ` +
            'or does not belong to this header (re-download it, or pass verifyChecksums: false to read it anyway)',
          sigs[j]!.fileName,
        );
      }
    }
  }
  const channels = options.channels ?? sigs.map((_, i) => i);
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= n) throw new WfdbError(`record ${header.recordName}: channel ${c} does not exist (the record has ${n} signals)`);
  }
  const pick = <T>(f: (s: SignalSpec) => T): T[] => channels.map((c) => f(sigs[c]!));
  const d = channels.map((c) => dSignal[c]!);
  const p = channels.map((c, k) => toPhysical(d[k]!, sigs[c]!));
  return {
    recordName: header.recordName,
    nSig: channels.length,
    fs: header.fs,
    counterFreq: header.counterFreq,
    baseCounter: header.baseCounter,
    sigLen,
    baseTime: header.baseTime,
    baseDate: header.baseDate,
    comments: header.comments.slice(),
    fileName: pick((s) => s.fileName),
    fmt: pick((s) => s.fmt),
    sampsPerFrame: pick((s) => s.sampsPerFrame),
    skew: pick((s) => s.skew),
    byteOffset: pick((s) => s.byteOffset),
    adcGain: pick((s) => s.adcGain),
    baseline: pick((s) => s.baseline),
    units: pick((s) => s.units),
    adcRes: pick((s) => s.adcRes),
    adcZero: pick((s) => s.adcZero),
    initValue: pick((s) => s.initValue),
    checksum: pick((s) => s.checksum),
    blockSize: pick((s) => s.blockSize),
    sigName: pick((s) => s.sigName),
    dSignal: d,
    pSignal: p,
  };
}

/** The WFDB checksum: the sum of all samples modulo 2^16, as a signed 16-bit value. */
export function checksum16(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum = (sum + samples[i]!) | 0;
  return (sum << 16) >> 16;
}

function toPhysical(d: Int32Array, s: SignalSpec): Float32Array {
  const out = new Float32Array(d.length);
  const invalid = INVALID_SAMPLE[s.fmt]!;
  const g = s.adcGain, b = s.baseline;
  for (let i = 0; i < d.length; i++) out[i] = d[i] === invalid ? NaN : (d[i]! - b) / g;
  return out;
}
