// FLAC decoding for WFDB signal formats 508, 516 and 524 (WFDB 10.7 stores such a signal file as a
// plain FLAC stream, one FLAC channel per signal, written by libFLAC). Reference: RFC 9639, "Free
// Lossless Audio Codec (FLAC)" (https://xiph.org/flac/format.html).
//   Stream:   "fLaC", metadata blocks (STREAMINFO first; the others are skipped by their length), frames.
//   Frame:    header (sync 0xFFF8 / 0xFFF9, block size, sample rate, channel assignment, sample size,
//             UTF-8-coded frame or sample number, optional 8/16-bit block size and sample rate, CRC-8),
//             one subframe per channel, zero padding to a byte, CRC-16 of the whole frame.
//   Subframe: CONSTANT, VERBATIM, FIXED (orders 0..4) or LPC (orders 1..32), each with optional wasted
//             bits; predictors' residuals Rice-coded in 2^p partitions (4- or 5-bit parameters, an
//             escape to raw bits). Stereo decorrelation: left/side, side/right, mid/side (the side
//             channel is coded with one bit more).
// Arithmetic is exact: samples are held as float64 (a 32-bit stream's side channel has 33 bits), and an
// LPC sum (|sample| <= 2^32, |coefficient| <= 2^14, 32 terms) stays below 2^53. Every decoded sample is
// checked against its declared width. Every violation is a WfdbError naming the file, the byte offset
// and what was wrong; the decoded total is bounded (maxSamplesPerChannel, FLAC_MAX_DECODED_SAMPLES),
// and output grows with what was decoded, never with what a header claims. Stream-level checks: every
// frame agrees with STREAMINFO (channels, bits per sample, sample rate, block size at most its maximum),
// frames are numbered in order, fixed blocking keeps one block size (only the last frame shorter), a
// known total must be met exactly (libFLAC's 2^36 - 1, written when it cannot seek back, is an upper
// bound), nothing follows the last frame, and a non-zero STREAMINFO MD5 must match the decoded samples.
import { WfdbError } from '../errors.ts';
import { BitReader, crc8, crc16, Md5 } from './flac-bits.ts';

export interface FlacStream {
  channels: number;
  bitsPerSample: number;
  sampleRate: number;
  /**
   * STREAMINFO's total samples per channel, undefined if 0 (unknown). libFLAC writes 2^36 - 1
   * (FLAC_TOTAL_ESTIMATE) when it could not seek back to fill it in: the stream may then be shorter.
   */
  totalSamples: number | undefined;
  /** One array per channel, each of the decoded length. */
  samples: Int32Array[];
}

export interface FlacOptions {
  /** Refuse a stream with more samples per channel than this (default: no limit but the cap). */
  maxSamplesPerChannel?: number;
}

/** The most samples (all channels together) one stream may decode to: 2^28, 1 GiB of Int32 output. */
export const FLAC_MAX_DECODED_SAMPLES = 2 ** 28;

/** The STREAMINFO total libFLAC writes for a stream whose length it does not know (an upper bound). */
export const FLAC_TOTAL_ESTIMATE = 2 ** 36 - 1;

const BLOCK_SIZES = [0, 192, 576, 1152, 2304, 4608, -8, -16, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];
const SAMPLE_RATES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];
const SAMPLE_SIZES = [0, 8, 12, -1, 16, 20, 24, 32];
const ASSIGNMENTS = ['', '', '', '', '', '', '', '', 'left/side', 'side/right', 'mid/side'];

interface StreamInfo {
  minBlock: number;
  maxBlock: number;
  sampleRate: number;
  channels: number;
  bps: number;
  total: number;
  md5: Uint8Array;
}

/**
 * Decodes a whole FLAC stream. Refuses (WfdbError naming `fileName` and the byte offset) anything RFC
 * 9639 does not allow, any CRC or MD5 mismatch, a truncated stream, frames that disagree with STREAMINFO
 * (channels, bits per sample, sample rate, block size, numbering) and samples outside their width.
 */
export function decodeFlac(bytes: Uint8Array, fileName: string, options: FlacOptions = {}): FlacStream {
  const file = String(fileName);
  const fail = (offset: number, what: string): never => {
    throw new WfdbError(`${file}: FLAC stream, byte offset ${offset}: ${what}`, file);
  };
  if (!(bytes instanceof Uint8Array)) throw new WfdbError(`${file}: expected the FLAC stream's bytes as a Uint8Array, got ${typeof bytes}`, file);
  const maxOption = options?.maxSamplesPerChannel;
  if (maxOption !== undefined && !(typeof maxOption === 'number' && (Number.isSafeInteger(maxOption) || maxOption === Infinity) && maxOption >= 0))
    throw new WfdbError(`${file}: options.maxSamplesPerChannel must be an integer >= 0, got ${String(maxOption)}`, file);

  // ---- Marker and metadata ----
  if (bytes.length < 4 || bytes[0] !== 0x66 || bytes[1] !== 0x4c || bytes[2] !== 0x61 || bytes[3] !== 0x43)
    fail(0, `expected the marker "fLaC", found ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing'}`);
  let p = 4;
  let info: StreamInfo | undefined;
  for (let last = false; !last; ) {
    if (p + 4 > bytes.length) fail(p, 'the stream ends inside a metadata block header (truncated file?)');
    last = (bytes[p]! & 0x80) !== 0;
    const type = bytes[p]! & 0x7f;
    const length = (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (type === 127) fail(p, 'metadata block type 127 is invalid');
    if (p + 4 + length > bytes.length) fail(p, `metadata block of type ${type} claims ${length} bytes, but only ${bytes.length - p - 4} follow`);
    if (info === undefined) {
      if (type !== 0) fail(p, `the first metadata block has type ${type}; expected STREAMINFO (type 0)`);
      if (length !== 34) fail(p, `STREAMINFO has ${length} bytes; expected 34`);
      info = readStreamInfo(bytes, p + 4, fail);
    } else if (type === 0) fail(p, 'a second STREAMINFO block');
    p += 4 + length;
  }
  const si = info!;
  const C = si.channels;

  // ---- Limits and output ----
  const estimate = si.total === FLAC_TOTAL_ESTIMATE;
  const known = si.total > 0 && !estimate;
  const cap = Math.floor(FLAC_MAX_DECODED_SAMPLES / C);
  const limit = Math.min(maxOption ?? Infinity, cap);
  if (known && si.total > limit)
    fail(21, `STREAMINFO declares ${si.total} samples per channel, more than the limit of ${limit}${limit === cap ? ` (${FLAC_MAX_DECODED_SAMPLES} samples in all)` : ' (options.maxSamplesPerChannel)'}`);
  let capacity = Math.min(limit, known ? si.total : 0, 8 * bytes.length);
  let out: Int32Array[] = Array.from({ length: C }, () => new Int32Array(capacity));
  const scratch: Float64Array[] = [];
  const checkMd5 = si.md5.some((b) => b !== 0);
  const md5 = checkMd5 ? new Md5() : undefined;
  const bytesPerSample = (si.bps + 7) >> 3;
  let md5Buf = new Uint8Array(0);

  // ---- Frames ----
  const r = new BitReader(bytes, file);
  let n = 0; // samples per channel decoded so far
  let frame = 0;
  let variable = false;
  let fixedBlock = 0;
  let shortAt = -1; // byte offset of a short fixed-blocking frame (only the last may be short)
  while (p < bytes.length) {
    if (known && n === si.total) fail(p, `${bytes.length - p} bytes follow the last frame (STREAMINFO's ${si.total} samples are all decoded)`);
    const start = p;
    const h = readFrameHeader(bytes, p, si, fail);
    if (frame === 0) variable = h.variable;
    else if (h.variable !== variable) fail(start, `the blocking strategy changes from ${variable ? 'variable' : 'fixed'} to ${h.variable ? 'variable' : 'fixed'} at frame ${frame}`);
    const B = h.blockSize;
    if (variable) {
      if (h.number !== n) fail(start, `frame ${frame} starts at sample ${h.number}; expected ${n}`);
    } else {
      if (h.number !== frame) fail(start, `frame number ${h.number}; expected ${frame}`);
      if (shortAt >= 0) fail(start, `a frame follows the shorter frame at byte offset ${shortAt}; with fixed blocking only the last frame may be shorter`);
      if (frame === 0) fixedBlock = B;
      else if (B > fixedBlock) fail(start, `frame ${frame} has ${B} samples, more than the ${fixedBlock} of the frames before it (fixed blocking)`);
      else if (B < fixedBlock) shortAt = start;
    }
    if (n + B > limit)
      fail(start, `the stream holds more than ${limit} samples per channel, the limit${limit === cap ? ` (${FLAC_MAX_DECODED_SAMPLES} samples in all)` : ' (options.maxSamplesPerChannel)'}`);
    if (known && n + B > si.total) fail(start, `frame ${frame} ends at sample ${n + B}, beyond STREAMINFO's total of ${si.total} samples`);

    // Subframes.
    while (scratch.length < C) scratch.push(new Float64Array(B));
    for (let c = 0; c < C; c++) if (scratch[c]!.length < B) scratch[c] = new Float64Array(B);
    r.seek(h.end);
    const a = h.assignment;
    for (let c = 0; c < C; c++) {
      const side = (a === 8 && c === 1) || (a === 9 && c === 0) || (a === 10 && c === 1);
      decodeSubframe(r, scratch[c]!, B, si.bps + (side ? 1 : 0), c);
    }
    if (r.align() !== 0) r.fail('the padding after the last subframe is not zero', r.bitPos() - 1);
    const footer = r.bitPos() / 8;
    if (footer + 2 > bytes.length) fail(footer, 'the stream ends inside a frame footer (truncated file?)');
    const want = (bytes[footer]! << 8) | bytes[footer + 1]!;
    const got = crc16(bytes, start, footer);
    if (want !== got) fail(footer, `frame ${frame}: CRC-16 is 0x${hex(got, 4)} but the footer says 0x${hex(want, 4)} (damaged frame)`);
    p = footer + 2;

    // Output.
    if (n + B > capacity) {
      capacity = Math.min(limit, Math.max(n + B, 2 * capacity));
      try {
        out = out.map((o) => {
          const grown = new Int32Array(capacity);
          grown.set(o.subarray(0, n));
          return grown;
        });
      } catch {
        fail(start, `cannot allocate ${C} x ${capacity} samples for the decoded stream (out of memory)`);
      }
    }
    if (a >= 8) decorrelate(scratch[0]!, scratch[1]!, B, a, si.bps, (i, c, v) => fail(start, `frame ${frame}: sample ${i} of channel ${c} decodes (${ASSIGNMENTS[a]}) to ${v}, outside the ${si.bps}-bit range`));
    for (let c = 0; c < C; c++) out[c]!.set(scratch[c]!.subarray(0, B), n);
    if (md5) {
      const need = B * C * bytesPerSample;
      if (md5Buf.length < need) md5Buf = new Uint8Array(need);
      md5.update(md5Buf, 0, interleave(out, n, B, bytesPerSample, md5Buf));
    }
    n += B;
    frame++;
  }
  if (known && n < si.total) fail(bytes.length, `the stream ends after ${n} of STREAMINFO's ${si.total} samples per channel (truncated file?)`);
  if (md5) {
    const d = md5.digest();
    if (d.some((b, i) => b !== si.md5[i]))
      fail(26, `the MD5 signature of the decoded samples is ${hex16(d)}, STREAMINFO says ${hex16(si.md5)}`);
  }
  return {
    channels: C,
    bitsPerSample: si.bps,
    sampleRate: si.sampleRate,
    totalSamples: si.total === 0 ? undefined : si.total,
    samples: out.map((o) => (o.length === n ? o : o.slice(0, n))),
  };
}

const hex = (v: number, digits: number) => v.toString(16).padStart(digits, '0');
const hex16 = (b: Uint8Array) => Array.from(b, (x) => hex(x, 2)).join('');

function readStreamInfo(b: Uint8Array, at: number, fail: (offset: number, what: string) => never): StreamInfo {
  const minBlock = (b[at]! << 8) | b[at + 1]!;
  const maxBlock = (b[at + 2]! << 8) | b[at + 3]!;
  const minFrame = (b[at + 4]! << 16) | (b[at + 5]! << 8) | b[at + 6]!;
  const maxFrame = (b[at + 7]! << 16) | (b[at + 8]! << 8) | b[at + 9]!;
  const sampleRate = (b[at + 10]! << 12) | (b[at + 11]! << 4) | (b[at + 12]! >> 4);
  const channels = ((b[at + 12]! >> 1) & 7) + 1;
  const bps = (((b[at + 12]! & 1) << 4) | (b[at + 13]! >> 4)) + 1;
  const total = (b[at + 13]! & 0x0f) * 4294967296 + ((b[at + 14]! << 24) >>> 0) + ((b[at + 15]! << 16) | (b[at + 16]! << 8) | b[at + 17]!);
  if (minBlock < 16) fail(at, `STREAMINFO's minimum block size is ${minBlock}; expected 16..65535`);
  if (maxBlock < minBlock) fail(at + 2, `STREAMINFO's maximum block size ${maxBlock} is below its minimum ${minBlock}`);
  if (minFrame !== 0 && maxFrame !== 0 && maxFrame < minFrame) fail(at + 7, `STREAMINFO's maximum frame size ${maxFrame} is below its minimum ${minFrame}`);
  if (bps < 4) fail(at + 12, `STREAMINFO declares ${bps} bits per sample; expected 4..32`);
  return { minBlock, maxBlock, sampleRate, channels, bps, total, md5: b.slice(at + 18, at + 34) };
}

interface FrameHeader {
  variable: boolean;
  blockSize: number;
  assignment: number;
  number: number;
  /** Byte offset of the first subframe. */
  end: number;
}

function readFrameHeader(b: Uint8Array, start: number, si: StreamInfo, fail: (offset: number, what: string) => never): FrameHeader {
  const len = b.length;
  if (start + 6 > len) fail(start, `${len - start} bytes follow the last frame, too few for a frame header (truncated file?)`);
  if (b[start] !== 0xff || (b[start + 1]! & 0xfc) !== 0xf8)
    fail(start, `expected a frame sync code (ff f8 or ff f9), found ${hex(b[start]!, 2)} ${hex(b[start + 1]!, 2)}`);
  if (b[start + 1]! & 2) fail(start + 1, 'the reserved bit after the frame sync code is set');
  const variable = (b[start + 1]! & 1) === 1;
  const bsCode = b[start + 2]! >> 4, srCode = b[start + 2]! & 15;
  const assignment = b[start + 3]! >> 4, ssCode = (b[start + 3]! >> 1) & 7;
  if (bsCode === 0) fail(start + 2, 'block size code 0 is reserved');
  if (srCode === 15) fail(start + 2, 'sample rate code 15 is invalid');
  if (assignment > 10) fail(start + 3, `channel assignment ${assignment} is reserved`);
  if (ssCode === 3) fail(start + 3, 'sample size code 3 is reserved');
  if (b[start + 3]! & 1) fail(start + 3, 'the reserved bit after the sample size is set');
  // The frame (fixed blocking) or first sample (variable blocking) number, UTF-8-like coded.
  let p = start + 4;
  const first = b[p]!;
  let extra: number, number: number;
  if (first < 0x80) extra = 0, number = first;
  else if ((first & 0xe0) === 0xc0) extra = 1, number = first & 0x1f;
  else if ((first & 0xf0) === 0xe0) extra = 2, number = first & 0x0f;
  else if ((first & 0xf8) === 0xf0) extra = 3, number = first & 0x07;
  else if ((first & 0xfc) === 0xf8) extra = 4, number = first & 0x03;
  else if ((first & 0xfe) === 0xfc) extra = 5, number = first & 0x01;
  else if (first === 0xfe && variable) extra = 6, number = 0;
  else return fail(p, `invalid first byte 0x${hex(first, 2)} of the coded ${variable ? 'sample' : 'frame'} number`);
  if (p + 1 + extra > len) fail(p, 'the stream ends inside a frame header (truncated file?)');
  for (let k = 1; k <= extra; k++) {
    const c = b[p + k]!;
    if ((c & 0xc0) !== 0x80) fail(p + k, `invalid continuation byte 0x${hex(c, 2)} of the coded ${variable ? 'sample' : 'frame'} number`);
    number = number * 64 + (c & 0x3f);
  }
  p += 1 + extra;
  let blockSize = BLOCK_SIZES[bsCode]!;
  const tailBytes = (blockSize < 0 ? -blockSize / 8 : 0) + (srCode === 12 ? 1 : srCode >= 13 ? 2 : 0);
  if (p + tailBytes + 1 > len) fail(p, 'the stream ends inside a frame header (truncated file?)');
  if (blockSize === -8) blockSize = b[p++]! + 1;
  else if (blockSize === -16) blockSize = ((b[p]! << 8) | b[p + 1]!) + 1, p += 2;
  let rate = srCode === 0 ? si.sampleRate : SAMPLE_RATES[srCode] ?? 0;
  if (srCode === 12) rate = b[p++]! * 1000;
  else if (srCode === 13) rate = (b[p]! << 8) | b[p + 1]!, p += 2;
  else if (srCode === 14) rate = ((b[p]! << 8) | b[p + 1]!) * 10, p += 2;
  const want = crc8(b, start, p);
  if (want !== b[p]) fail(p, `frame header CRC-8 is 0x${hex(want, 2)} but the header says 0x${hex(b[p]!, 2)} (damaged frame header)`);
  // Consistency with STREAMINFO (checked after the CRC, so damage reads as damage).
  if (blockSize > 65535) fail(start + 2, `block size ${blockSize} exceeds 65535`);
  if (blockSize > si.maxBlock) fail(start + 2, `block size ${blockSize} exceeds STREAMINFO's maximum of ${si.maxBlock}`);
  if (rate !== si.sampleRate) fail(start + 2, `sample rate ${rate} Hz differs from STREAMINFO's ${si.sampleRate} Hz`);
  const channels = assignment < 8 ? assignment + 1 : 2;
  if (channels !== si.channels) fail(start + 3, `${channels} channels; STREAMINFO declares ${si.channels}`);
  const bps = ssCode === 0 ? si.bps : SAMPLE_SIZES[ssCode]!;
  if (bps !== si.bps) fail(start + 3, `${bps} bits per sample; STREAMINFO declares ${si.bps}`);
  return { variable, blockSize, assignment, number, end: p + 1 };
}

/** Decodes one subframe of `B` samples of width `bits` (the side channel's has one more) into `s`. */
function decodeSubframe(r: BitReader, s: Float64Array, B: number, bits: number, channel: number): void {
  const at = r.bitPos();
  const what = `the subframe of channel ${channel}`;
  if (r.read(1, what) !== 0) r.fail(`${what}: the padding bit before its type is set`, at);
  const type = r.read(6, what);
  let wasted = 0;
  if (r.read(1, what) === 1) {
    wasted = r.unary(what) + 1;
    if (wasted >= bits) r.fail(`${what} has ${wasted} wasted bits of its ${bits}`, at);
  }
  const w = bits - wasted;
  if (type === 0) {
    s.fill(r.readSigned(w, what), 0, B);
  } else if (type === 1) {
    for (let i = 0; i < B; i++) s[i] = r.readSigned(w, what);
  } else if (type >= 8 && type <= 12) {
    const order = type - 8;
    if (order > B) r.fail(`${what}: FIXED predictor order ${order} exceeds the block size ${B}`, at);
    for (let i = 0; i < order; i++) s[i] = r.readSigned(w, what);
    readResidual(r, s, B, order, what);
    predictFixed(r, s, B, order, w, what, at);
  } else if (type >= 32) {
    const order = type - 31;
    if (order > B) r.fail(`${what}: LPC order ${order} exceeds the block size ${B}`, at);
    for (let i = 0; i < order; i++) s[i] = r.readSigned(w, what);
    const precision = r.read(4, what) + 1;
    if (precision === 16) r.fail(`${what}: LPC coefficient precision code 15 is invalid`);
    const shift = r.readSigned(5, what);
    if (shift < 0) r.fail(`${what}: LPC shift ${shift} is negative`);
    const coefs = new Float64Array(order);
    for (let j = 0; j < order; j++) coefs[j] = r.readSigned(precision, what);
    readResidual(r, s, B, order, what);
    predictLpc(r, s, B, coefs, shift, w, what, at);
  } else {
    r.fail(`${what}: subframe type ${type} is reserved`, at);
  }
  if (wasted > 0) {
    const m = 2 ** wasted;
    for (let i = 0; i < B; i++) s[i]! *= m;
  }
}

/** Reads the coded residual of a predictor of order `order` into s[order..B). */
function readResidual(r: BitReader, s: Float64Array, B: number, order: number, what: string): void {
  const method = r.read(2, what);
  if (method > 1) r.fail(`${what}: residual coding method ${method} is reserved`);
  const paramBits = method === 0 ? 4 : 5;
  const escapeCode = method === 0 ? 15 : 31;
  const partOrder = r.read(4, what);
  const parts = 1 << partOrder;
  const per = B >> partOrder;
  if (per * parts !== B) r.fail(`${what}: block size ${B} is not a multiple of the ${parts} residual partitions (order ${partOrder})`);
  if (per < order) r.fail(`${what}: the first of ${parts} residual partitions would hold ${per - order} samples (${per} minus the predictor order ${order})`);
  let at = order;
  for (let k = 0; k < parts; k++) {
    const count = k === 0 ? per - order : per;
    const param = r.read(paramBits, what);
    if (param === escapeCode) {
      const raw = r.read(5, what);
      if (raw === 0) s.fill(0, at, at + count);
      else for (let i = at; i < at + count; i++) s[i] = r.readSigned(raw, what);
    } else {
      r.rice(s, at, count, param);
    }
    at += count;
  }
}

function outOfRange(r: BitReader, what: string, at: number, i: number, v: number, w: number): never {
  return r.fail(`${what}: sample ${i} predicts to ${v}, outside the subframe's ${w}-bit range`, at);
}

/** s[i] += the FIXED predictor of order 0..4 from the samples before it (exact: |s| < 2^33). */
function predictFixed(r: BitReader, s: Float64Array, B: number, order: number, w: number, what: string, at: number): void {
  const hi = 2 ** (w - 1) - 1, lo = -(2 ** (w - 1));
  switch (order) {
    case 0:
      for (let i = 0; i < B; i++) {
        const v = s[i]!;
        if (v < lo || v > hi) outOfRange(r, what, at, i, v, w);
      }
      break;
    case 1:
      for (let i = 1; i < B; i++) {
        const v = s[i]! + s[i - 1]!;
        if (v < lo || v > hi) outOfRange(r, what, at, i, v, w);
        s[i] = v;
      }
      break;
    case 2:
      for (let i = 2; i < B; i++) {
        const v = s[i]! + 2 * s[i - 1]! - s[i - 2]!;
        if (v < lo || v > hi) outOfRange(r, what, at, i, v, w);
        s[i] = v;
      }
      break;
    case 3:
      for (let i = 3; i < B; i++) {
        const v = s[i]! + 3 * (s[i - 1]! - s[i - 2]!) + s[i - 3]!;
        if (v < lo || v > hi) outOfRange(r, what, at, i, v, w);
        s[i] = v;
      }
      break;
    default:
      for (let i = 4; i < B; i++) {
        const v = s[i]! + 4 * (s[i - 1]! + s[i - 3]!) - 6 * s[i - 2]! - s[i - 4]!;
        if (v < lo || v > hi) outOfRange(r, what, at, i, v, w);
        s[i] = v;
      }
  }
}

/** s[i] += floor(sum_j coefs[j] * s[i-1-j] / 2^shift): exact in float64 (the sum stays below 2^53). */
function predictLpc(r: BitReader, s: Float64Array, B: number, coefs: Float64Array, shift: number, w: number, what: string, at: number): void {
  const hi = 2 ** (w - 1) - 1, lo = -(2 ** (w - 1));
  const order = coefs.length;
  const scale = 2 ** -shift;
  for (let i = order; i < B; i++) {
    let sum = 0;
    for (let j = 0, k = i - 1; j < order; j++, k--) sum += coefs[j]! * s[k]!;
    const v = s[i]! + Math.floor(sum * scale);
    if (v < lo || v > hi) outOfRange(r, what, at, i, v, w);
    s[i] = v;
  }
}

/** Undoes stereo decorrelation in place (channel 0 becomes left, channel 1 right) and checks the width. */
function decorrelate(s0: Float64Array, s1: Float64Array, B: number, assignment: number, bps: number, bad: (i: number, c: number, v: number) => never): void {
  const hi = 2 ** (bps - 1) - 1, lo = -(2 ** (bps - 1));
  for (let i = 0; i < B; i++) {
    let left: number, right: number;
    if (assignment === 8) left = s0[i]!, right = left - s1[i]!;
    else if (assignment === 9) right = s1[i]!, left = s0[i]! + right;
    else {
      const side = s1[i]!;
      const mid = 2 * s0[i]! + (side % 2 !== 0 ? 1 : 0);
      left = (mid + side) / 2;
      right = (mid - side) / 2;
    }
    if (left < lo || left > hi) bad(i, 0, left);
    if (right < lo || right > hi) bad(i, 1, right);
    s0[i] = left;
    s1[i] = right;
  }
}

/** Writes samples [n, n + B) of every channel, interleaved, little-endian, `size` bytes each (MD5 input). */
function interleave(out: Int32Array[], n: number, B: number, size: number, buf: Uint8Array): number {
  const C = out.length;
  let o = 0;
  for (let i = n; i < n + B; i++) {
    for (let c = 0; c < C; c++) {
      const v = out[c]![i]!;
      buf[o++] = v & 0xff;
      if (size > 1) buf[o++] = (v >> 8) & 0xff;
      if (size > 2) buf[o++] = (v >> 16) & 0xff;
      if (size > 3) buf[o++] = (v >> 24) & 0xff;
    }
  }
  return o;
}
