// Reads the samples of a single-segment WFDB record from its header and the bytes of the files the
// header names: several signals per file, several files per record, samples per frame, skew, byte
// offset, invalid-sample markers, digital and physical output and checksum verification; formats 0
// (null signals, no file), 8 (first differences) and 508/516/524 (FLAC: one stream per file, one
// channel per signal, all with the same samples per frame, at most fmt - 500 bits; flac.ts decodes
// it) besides the fixed-width ones.
// Skew (as WFDB's getframe and wfdb-python's rdrecord): sample t of a signal with skew s is frame t + s
// of its file. The record keeps the header's length; the last s samples of such a signal have no
// frame in a file of exactly sigLen frames and are returned invalid (the format's marker, NaN
// physical), as wfdb-python returns them; rdsamp stops sigLen - max(skew) frames in instead (getframe
// hits the end of the file), so the frames rdsamp prints are exactly the first ones returned here. If
// the file holds the extra frames, they are read. Checksums are WFDB's (getskewedframe): the 16-bit sum
// of the first sigLen frames of the file for that signal, before the skew is applied; null signals
// have none.
// Reference: WFDB Programmer's Guide, "header(5)" and "signal(5)". Browser-safe: bytes in, arrays out.
import { WfdbError } from '../errors.ts';
import { describeValue, type Header, type SignalSpec } from './header.ts';
import { DEFAULT_MAX_SAMPLES, type FileSource, type ReadRecordOptions, type WfdbRecord } from './record-types.ts';
import { decodeFlac } from './flac.ts';
import { bytesForSamples, decodeSamples, integrateDifferences, INVALID_SAMPLE, samplesInBytes } from './signal-formats.ts';

/** Groups of signals stored in the same file, in header order. */
function fileGroups(signals: SignalSpec[], headerName: string): { fileName: string; members: number[] }[] {
  const groups: { fileName: string; members: number[] }[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < signals.length; i++) {
    const s = signals[i]!;
    if (s.fmt === 0) {
      // A null signal has no file (its name is usually "~"): a group of its own, never merged.
      groups.push({ fileName: s.fileName, members: [i] });
      continue;
    }
    const last = groups[groups.length - 1];
    if (last && last.fileName === s.fileName && signals[last.members[0]!]!.fmt !== 0) last.members.push(i);
    else {
      if (seen.has(s.fileName)) {
        throw new WfdbError(
          `${headerName}: signal ${i} is stored in ${s.fileName}, but the signals of one file must be on consecutive header lines`,
          headerName,
        );
      }
      seen.add(s.fileName);
      groups.push({ fileName: s.fileName, members: [i] });
    }
  }
  return groups;
}

const GROUP: Readonly<Record<number, [samples: number, bytes: number]>> = {
  8: [1, 1], 212: [2, 3], 310: [3, 4], 311: [3, 4], 16: [1, 2], 61: [1, 2], 160: [1, 2], 80: [1, 1], 24: [1, 3], 32: [1, 4],
};

/** The FLAC-compressed formats (WFDB 10.7): 8, 16 and 24 bits per sample at most. */
const FLAC_FORMATS: ReadonlySet<number> = new Set([508, 516, 524]);

/**
 * Reads the FLAC stream of one signal file and lays its channels out as WFDB frames (signal by signal,
 * `sampsPerFrame` samples each), the layout decodeSamples gives the other formats. The stream must have
 * one channel per signal of the file and at most fmt - 500 bits per sample; every signal of the file
 * has the same samples per frame (as WFDB requires). Decoding stops at `budget` samples per channel
 * (maxSamples over the file's signals); the caller checks the length against the header's.
 */
function readFlacGroup(
  members: SignalSpec[], headerName: string, files: FileSource, offset: number, budget: number,
): { raw: Int32Array; frames: number } {
  const first = members[0]!;
  const name = first.fileName;
  const spf = first.sampsPerFrame;
  if (members.some((s) => s.sampsPerFrame !== spf)) {
    throw new WfdbError(
      `${name}: the signals stored in this FLAC file have different samples per frame (${members.map((s) => s.sampsPerFrame).join(', ')}); ` +
        `WFDB requires one sampling frequency per FLAC file (${headerName})`,
      name,
    );
  }
  if (members.length > 8) throw new WfdbError(`${name}: ${members.length} signals in one FLAC file (${headerName}); FLAC holds at most 8 channels`, name);
  const checkOffset = (length: number): void => {
    if (length < offset) throw new WfdbError(`${name}: the header (${headerName}) gives a byte offset of ${offset} but the file holds only ${length} bytes`, name);
  };
  const bytes = files(name, checkOffset);
  if (!(bytes instanceof Uint8Array)) {
    throw new WfdbError(`${name}: the file source returned ${describeValue(bytes)} for this file, expected a Uint8Array`, name);
  }
  checkOffset(bytes.length);
  let stream: ReturnType<typeof decodeFlac>;
  try {
    stream = decodeFlac(offset ? bytes.subarray(offset) : bytes, name, { maxSamplesPerChannel: budget });
  } catch (e) {
    if (!(e instanceof WfdbError && e.message.includes('maxSamplesPerChannel'))) throw e;
    throw new WfdbError(
      `${name}: the FLAC stream holds more than ${budget} samples per channel, more than maxSamples allows for its ${members.length} ` +
        'signal(s); if the recording is really that long, pass a larger maxSamples to read it',
      name,
    );
  }
  if (stream.channels !== members.length) {
    throw new WfdbError(`${name}: the FLAC stream has ${stream.channels} channel(s), but the header (${headerName}) stores ${members.length} signal(s) in this file`, name);
  }
  const maxBits = first.fmt - 500;
  if (stream.bitsPerSample > maxBits) {
    throw new WfdbError(`${name}: the FLAC stream has ${stream.bitsPerSample} bits per sample, more than format ${first.fmt} allows (${maxBits})`, name);
  }
  // Samples left over after the last whole frame are dropped, as WFDB drops them (with a warning).
  const frames = Math.floor(stream.samples[0]!.length / spf);
  const frameSize = spf * members.length;
  const raw = new Int32Array(frames * frameSize);
  stream.samples.forEach((ch, k) => {
    for (let f = 0; f < frames; f++) raw.set(ch.subarray(f * spf, (f + 1) * spf), f * frameSize + k * spf);
  });
  return { raw, frames };
}

/**
 * Throws unless a record of `samples` samples (all signals) fits ReadRecordOptions.maxSamples; called
 * before anything is allocated.
 */
export function checkSampleBudget(samples: number, options: ReadRecordOptions, headerName: string, what: string): void {
  const max = options.maxSamples ?? DEFAULT_MAX_SAMPLES;
  if (samples > max) {
    throw new WfdbError(
      `${headerName}: ${what} would hold ${samples} samples (all signals), more than maxSamples (${max}); ` +
        'if the recording is really that long, pass a larger maxSamples to read it',
      headerName,
    );
  }
}

/** Reads a single-segment record; `channels` are checked signal indices. */
export function readSingleSegment(header: Header, files: FileSource, options: ReadRecordOptions, channels: number[]): WfdbRecord {
  const headerName = `${header.recordName}.hea`;
  const sigs = header.signals;
  const n = sigs.length;
  const samplesPerFrame = sigs.reduce((a, s) => a + s.sampsPerFrame, 0);
  if (header.sigLen !== undefined) checkSampleBudget(header.sigLen * samplesPerFrame, options, headerName, 'the record');
  const dSignal: Int32Array[] = new Array(n);
  /** WFDB's checksum of each signal: its first sigLen frames in the file (before deskewing). */
  const fileSum: (number | undefined)[] = new Array(n).fill(undefined);
  /** The sum of the samples returned that exist in the file (the deskewed ones, without the invalid tail). */
  const readSum: number[] = new Array(n).fill(0);
  let sigLen = header.sigLen;
  const nullSignals: number[] = [];
  for (const group of fileGroups(sigs, headerName)) {
    const first = sigs[group.members[0]!]!;
    if (first.fmt === 0) {
      nullSignals.push(group.members[0]!);
      continue;
    }
    if (first.fileName === '-') throw new WfdbError(`${headerName}: signals read from standard input ("-") are not supported`, headerName);
    const fmt = first.fmt;
    let frameSize = 0, maxSkew = 0;
    for (const j of group.members) {
      const s = sigs[j]!;
      if (s.fmt !== fmt) {
        throw new WfdbError(`${first.fileName}: signals ${group.members[0]} and ${j} share the file but have formats ${fmt} and ${s.fmt}; WFDB requires one format per file`, first.fileName);
      }
      frameSize += s.sampsPerFrame;
      maxSkew = Math.max(maxSkew, s.skew);
    }
    const offset = first.byteOffset;
    let raw: Int32Array, frames: number;
    if (FLAC_FORMATS.has(fmt)) {
      const members = group.members.map((j) => sigs[j]!);
      const budget = Math.floor((options.maxSamples ?? DEFAULT_MAX_SAMPLES) / members.length);
      ({ raw, frames } = readFlacGroup(members, headerName, files, offset, budget));
      sigLen ??= frames;
      if (frames < sigLen) {
        throw new WfdbError(
          `${first.fileName}: truncated: the header (${headerName}) gives ${sigLen} samples per signal, but the FLAC stream holds ` +
            `${frames} frames; re-fetch the file or correct the length on the record line`,
          first.fileName,
        );
      }
      if (frames > sigLen + maxSkew) {
        throw new WfdbError(
          `${first.fileName}: the FLAC stream holds ${frames} frames but the header (${headerName}) gives ${sigLen} samples per signal; ` +
            "the header's length disagrees with the data",
          first.fileName,
        );
      }
    } else {
      const [gs, gb] = GROUP[fmt]!;
      // The checks a file of `length` bytes must pass, before (if the source can tell the size) and after reading.
      const checkSize = (length: number): void => {
        const avail = length - offset;
        if (avail < 0) {
          throw new WfdbError(`${first.fileName}: the header (${headerName}) gives a byte offset of ${offset} but the file holds only ${length} bytes`, first.fileName);
        }
        if (sigLen === undefined) return;
        const framesInFile = Math.floor(samplesInBytes(fmt, avail) / frameSize);
        const needed = bytesForSamples(fmt, sigLen * frameSize);
        if (avail < needed) {
          throw new WfdbError(
            `${first.fileName}: truncated: the header (${headerName}) gives ${sigLen} samples per signal, which need ` +
              `${needed} bytes of format ${fmt} after byte offset ${offset}, but the file ends at byte ${length} ` +
              `(${framesInFile} whole frames); re-fetch the file or correct the length on the record line`,
            first.fileName,
          );
        }
        const maxBytes = Math.ceil(((sigLen + maxSkew) * frameSize) / gs) * gb;
        if (avail > maxBytes) {
          throw new WfdbError(
            `${first.fileName}: the file holds ${avail} bytes of samples (${framesInFile} frames of format ${fmt}) but the header ` +
              `(${headerName}) gives ${sigLen} samples per signal (${needed} bytes); the header's length disagrees with the data`,
            first.fileName,
          );
        }
      };
      const bytes = files(first.fileName, checkSize);
      if (!(bytes instanceof Uint8Array)) {
        throw new WfdbError(`${first.fileName}: the file source returned ${describeValue(bytes)} for this file, expected a Uint8Array`, first.fileName);
      }
      checkSize(bytes.length); // the byte offset, and the size if the length is known
      const avail = bytes.length - offset;
      if (sigLen === undefined) {
        // A header without a length: the first file gives it (and must hold no more than whole frames).
        sigLen = Math.floor(samplesInBytes(fmt, avail) / frameSize);
        checkSize(bytes.length);
      }
      const framesInFile = Math.floor(samplesInBytes(fmt, avail) / frameSize);
      frames = Math.min(framesInFile, sigLen + maxSkew);
      raw = decodeSamples(fmt, bytes, offset, frames * frameSize);
      if (fmt === 8) {
        integrateDifferences(raw, frameSize, group.members.map((j) => sigs[j]!.sampsPerFrame), group.members.map((j) => sigs[j]!.initValue));
      }
    }
    const sumFrames = Math.min(sigLen, frames);
    let within = 0;
    for (const j of group.members) {
      const s = sigs[j]!;
      const spf = s.sampsPerFrame;
      const out = new Int32Array(sigLen * spf);
      const invalid = INVALID_SAMPLE[fmt]!;
      let present = 0;
      for (let t = 0; t < sigLen; t++) {
        const f = t + s.skew;
        if (f < frames) {
          const base = f * frameSize + within;
          for (let k = 0; k < spf; k++) {
            out[t * spf + k] = raw[base + k]!;
            present = (present + raw[base + k]!) | 0;
          }
        } else {
          for (let k = 0; k < spf; k++) out[t * spf + k] = invalid;
        }
      }
      let sum = 0;
      for (let f = 0; f < sumFrames; f++) {
        const base = f * frameSize + within;
        for (let k = 0; k < spf; k++) sum = (sum + raw[base + k]!) | 0;
      }
      fileSum[j] = (sum << 16) >> 16;
      readSum[j] = (present << 16) >> 16;
      within += spf;
      dSignal[j] = out;
    }
  }
  sigLen ??= 0;
  checkSampleBudget(sigLen * samplesPerFrame, options, headerName, 'the record');
  for (const j of nullSignals) {
    dSignal[j] = new Int32Array(sigLen * sigs[j]!.sampsPerFrame).fill(INVALID_SAMPLE[0]!);
  }
  if (options.verifyChecksums !== false) {
    for (let j = 0; j < n; j++) {
      const expected = sigs[j]!.checksum;
      const got = fileSum[j];
      if (expected === undefined || got === undefined) continue; // null signals carry no checksum (as in WFDB)
      const want = (expected << 16) >> 16;
      // WFDB's sum (file order, first sigLen frames) is the reference; for a skewed signal the sum of the
      // samples returned that exist is accepted too (writers that sum the deskewed signal). Both are the
      // same for an unskewed signal.
      if (got !== want && readSum[j] !== want) {
        throw new WfdbError(
          `${sigs[j]!.fileName}: checksum mismatch for signal ${j} (${sigs[j]!.sigName || 'unnamed'}): the header ` +
            `(${headerName}) says ${expected}, the samples sum to ${got} (16-bit` +
            (sigs[j]!.skew > 0 ? `, over the first ${sigLen} frames of the file; the deskewed samples sum to ${readSum[j]}` : '') + `); the data file is corrupted ` +
            'or does not belong to this header (re-download it, or pass verifyChecksums: false to read it anyway)',
          sigs[j]!.fileName,
        );
      }
    }
  }
  const d = channels.map((c) => dSignal[c]!);
  const p = channels.map((c, k) => toPhysical(d[k]!, sigs[c]!));
  return assembleRecord(header, sigs, channels, sigLen, d, p);
}

/**
 * A WfdbRecord from the header's record fields and the chosen signals' specifications and samples
 * (the single-segment and the multi-segment reader both end here).
 */
export function assembleRecord(
  header: Header, specs: readonly SignalSpec[], channels: number[], sigLen: number, dSignal: Int32Array[], pSignal: Float32Array[],
): WfdbRecord {
  const pick = <T>(f: (s: SignalSpec) => T): T[] => channels.map((c) => f(specs[c]!));
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
    dSignal,
    pSignal,
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
