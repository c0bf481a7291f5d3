// Decoding and encoding of WFDB sample storage formats. Reference: WFDB Programmer's Guide,
// "signal(5)". All formats store samples in file order (frame by frame, signal by signal).
//   212: two 12-bit two's-complement samples in 3 bytes (low 8 bits of s0, then s1's high nibble and
//        s0's high nibble, then low 8 bits of s1).
//   16 / 61: 16-bit two's complement, little- / big-endian.   24 / 32: 24- / 32-bit little-endian.
//   80 / 160: 8- / 16-bit offset binary (stored value minus 128 / 32768).
//   310: three 10-bit samples in two little-endian 16-bit words: s0 = bits 1-10 of word 0, s1 = bits
//        1-10 of word 1, s2 = bits 11-15 of word 0 (low 5 bits) and of word 1 (high 5 bits).
//   311: three 10-bit samples in one little-endian 32-bit word: bits 0-9, 10-19 and 20-29.
//   8:   8-bit first differences: each byte is a signed (two's complement) difference from the
//        signal's previous sample; the value before sample 0 is the header's initial value. Decoded
//        here to the differences; readRecord sums them per signal (as WFDB's getvec does, in 32-bit
//        int arithmetic, with no clamping on reading).
//   0:   null signal: no file, no bytes; every sample is invalid (WFDB_INVALID_SAMPLE, -32768).
// The most negative value of each format is the "invalid sample" marker (WFDB_INVALID_SAMPLE); for
// formats 0 and 8, whose values are not bounded by a sample width, it is WFDB_INVALID_SAMPLE itself
// (-32768), the value WFDB's getvec returns for a missing sample and rdsamp -p prints as "-".
import { WfdbError } from '../errors.ts';

/** The digital value that marks a missing (invalid) sample, by format. */
export const INVALID_SAMPLE: Readonly<Record<number, number>> = {
  0: -32768, 8: -32768, 212: -2048, 16: -32768, 61: -32768, 80: -128, 160: -32768, 310: -512, 311: -512, 24: -8388608, 32: -2147483648,
  508: -128, 516: -32768, 524: -8388608,
};

/** Formats this package can write. */
export const WRITABLE_FORMATS: readonly number[] = [212, 16, 80];

/**
 * Bytes needed to hold `n` samples in `fmt`, counting only the bytes that carry bits of those samples
 * (a final partial group of 212 / 310 / 311 may be shorter than a whole group, as WFDB writes it).
 */
export function bytesForSamples(fmt: number, n: number): number {
  switch (fmt) {
    case 0: return 0;
    case 8: case 80: return n;
    case 16: case 61: case 160: return 2 * n;
    case 24: return 3 * n;
    case 32: return 4 * n;
    case 212: return Math.ceil(n * 1.5);
    case 310: return 4 * Math.floor(n / 3) + [0, 2, 4][n % 3]!;
    case 311: return 4 * Math.floor(n / 3) + [0, 2, 3][n % 3]!;
    case 508: case 516: case 524: throw new WfdbError(`format ${fmt} is FLAC-compressed: its size does not follow from the sample count (readRecord decodes it with decodeFlac)`);
    default: throw new WfdbError(`unknown signal format ${fmt}`);
  }
}

/** The largest number of whole samples that `nBytes` bytes of `fmt` hold. */
export function samplesInBytes(fmt: number, nBytes: number): number {
  switch (fmt) {
    case 0: throw new WfdbError('format 0 (null signal) stores no samples in a file');
    case 8: case 80: return nBytes;
    case 16: case 61: case 160: return Math.floor(nBytes / 2);
    case 24: return Math.floor(nBytes / 3);
    case 32: return Math.floor(nBytes / 4);
    case 212: return Math.floor(nBytes / 3) * 2 + (nBytes % 3 >= 2 ? 1 : 0);
    case 310: { const r = nBytes % 4; return Math.floor(nBytes / 4) * 3 + (r >= 2 ? 1 : 0); }
    case 311: { const r = nBytes % 4; return Math.floor(nBytes / 4) * 3 + (r === 3 ? 2 : r === 2 ? 1 : 0); }
    case 508: case 516: case 524: throw new WfdbError(`format ${fmt} is FLAC-compressed: its size does not follow from the sample count (readRecord decodes it with decodeFlac)`);
    default: throw new WfdbError(`unknown signal format ${fmt}`);
  }
}

/**
 * Decodes `n` samples of format `fmt` from `bytes` starting at byte `start`. The caller checks that
 * enough bytes are present (bytesForSamples); missing bytes of a final partial group read as zero bits.
 * Format 8 gives the signed 8-bit differences (see integrateDifferences); format 0 gives `n` invalid samples.
 */
export function decodeSamples(fmt: number, bytes: Uint8Array, start: number, n: number): Int32Array {
  const out = new Int32Array(n);
  const b = (i: number): number => (i < bytes.length ? bytes[i]! : 0);
  let p = start;
  switch (fmt) {
    case 0:
      out.fill(INVALID_SAMPLE[0]!);
      break;
    case 8:
      for (let i = 0; i < n; i++, p++) out[i] = bytes[p]! << 24 >> 24;
      break;
    case 212: {
      let i = 0;
      for (; i + 1 < n; i += 2, p += 3) {
        const b0 = bytes[p]!, b1 = bytes[p + 1]!, b2 = bytes[p + 2]!;
        out[i] = (((b1 & 0x0f) << 8) | b0) << 20 >> 20;
        out[i + 1] = (((b1 & 0xf0) << 4) | b2) << 20 >> 20;
      }
      if (i < n) out[i] = (((b(p + 1) & 0x0f) << 8) | b(p)) << 20 >> 20;
      break;
    }
    case 16:
      for (let i = 0; i < n; i++, p += 2) out[i] = ((bytes[p + 1]! << 8) | bytes[p]!) << 16 >> 16;
      break;
    case 61:
      for (let i = 0; i < n; i++, p += 2) out[i] = ((bytes[p]! << 8) | bytes[p + 1]!) << 16 >> 16;
      break;
    case 80:
      for (let i = 0; i < n; i++, p++) out[i] = bytes[p]! - 128;
      break;
    case 160:
      for (let i = 0; i < n; i++, p += 2) out[i] = ((bytes[p + 1]! << 8) | bytes[p]!) - 32768;
      break;
    case 24:
      for (let i = 0; i < n; i++, p += 3) out[i] = ((bytes[p + 2]! << 16) | (bytes[p + 1]! << 8) | bytes[p]!) << 8 >> 8;
      break;
    case 32:
      for (let i = 0; i < n; i++, p += 4) out[i] = (bytes[p + 3]! << 24) | (bytes[p + 2]! << 16) | (bytes[p + 1]! << 8) | bytes[p]!;
      break;
    case 310:
      for (let i = 0; i < n; i += 3, p += 4) {
        const w0 = b(p) | (b(p + 1) << 8);
        const w1 = b(p + 2) | (b(p + 3) << 8);
        out[i] = ((w0 >> 1) & 0x3ff) << 22 >> 22;
        if (i + 1 < n) out[i + 1] = ((w1 >> 1) & 0x3ff) << 22 >> 22;
        if (i + 2 < n) out[i + 2] = (((w0 >> 11) & 0x1f) | (((w1 >> 11) & 0x1f) << 5)) << 22 >> 22;
      }
      break;
    case 311:
      for (let i = 0; i < n; i += 3, p += 4) {
        const w = (b(p) | (b(p + 1) << 8) | (b(p + 2) << 16) | (b(p + 3) << 24)) >>> 0;
        out[i] = (w & 0x3ff) << 22 >> 22;
        if (i + 1 < n) out[i + 1] = ((w >>> 10) & 0x3ff) << 22 >> 22;
        if (i + 2 < n) out[i + 2] = ((w >>> 20) & 0x3ff) << 22 >> 22;
      }
      break;
    default:
      throw new WfdbError(`unknown signal format ${fmt}`);
  }
  return out;
}

/**
 * Turns the decoded differences of format 8 (file order, `frameSize` samples per frame) into samples, in
 * place: for each signal (a run of `spf[k]` samples within the frame, in order) the running sum starts
 * at `init[k]` (the header's initial value) and adds each difference, frame after frame, in 32-bit
 * two's-complement arithmetic as WFDB does (`is->samp += r8(ig)`; wfdb-python: cumsum + init_value).
 */
export function integrateDifferences(raw: Int32Array, frameSize: number, spf: readonly number[], init: readonly number[]): void {
  const frames = Math.floor(raw.length / frameSize);
  let within = 0;
  for (let k = 0; k < spf.length; k++) {
    let acc = init[k]! | 0;
    const m = spf[k]!;
    for (let f = 0; f < frames; f++) {
      const base = f * frameSize + within;
      for (let c = 0; c < m; c++) {
        acc = (acc + raw[base + c]!) | 0;
        raw[base + c] = acc;
      }
    }
    within += m;
  }
}

/** Smallest and largest value `fmt` can store (the smallest is the invalid-sample marker). */
export function formatRange(fmt: number): [number, number] {
  const lo = INVALID_SAMPLE[fmt];
  if (lo === undefined) throw new WfdbError(`unknown signal format ${fmt}`);
  return [lo, -lo - 1];
}

/** Encodes samples (in file order) in format 212, 16 or 80. Values outside the format's range throw. */
export function encodeSamples(fmt: number, samples: ArrayLike<number>): Uint8Array {
  if (!WRITABLE_FORMATS.includes(fmt)) {
    throw new WfdbError(`cannot write format ${fmt}; writable formats are ${WRITABLE_FORMATS.join(', ')}`);
  }
  const n = samples.length;
  const [lo, hi] = formatRange(fmt);
  for (let i = 0; i < n; i++) {
    const v = samples[i]!;
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new WfdbError(`sample ${i} is ${v}, which format ${fmt} cannot store (integers ${lo}..${hi}; ${lo} marks an invalid sample)`);
    }
  }
  const out = new Uint8Array(bytesForSamples(fmt, n));
  let p = 0;
  if (fmt === 80) {
    for (let i = 0; i < n; i++) out[i] = samples[i]! + 128;
  } else if (fmt === 16) {
    for (let i = 0; i < n; i++, p += 2) {
      const v = samples[i]! & 0xffff;
      out[p] = v & 0xff;
      out[p + 1] = v >> 8;
    }
  } else {
    for (let i = 0; i < n; i += 2, p += 3) {
      const a = samples[i]! & 0xfff;
      out[p] = a & 0xff;
      if (i + 1 < n) {
        const c = samples[i + 1]! & 0xfff;
        out[p + 1] = (a >> 8) | ((c >> 8) << 4);
        out[p + 2] = c & 0xff;
      } else {
        out[p + 1] = a >> 8;
      }
    }
  }
  return out;
}
