// The FLAC decoder of WFDB formats 508 / 516 / 524 (src/ecg/wfdb/flac.ts): (a) files the reference
// encoder (flac 1.4.2, libFLAC) wrote, compared with their recreated inputs; (b) seeded round trips
// through our test encoder over many stream shapes; (c) a stream written out byte by byte, decoded
// values derived by hand; (d) named refusals and a seeded fuzz of hostile streams, each of which must
// decode or throw a WfdbError naming the file (never an engine error, never a hang); (e) speed.
// FUZZ_SEED=s and FUZZ_ROUNDS=n (mutants per kind) run other or deeper searches locally.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/random.ts';
import { WfdbError } from '../../src/ecg/errors.ts';
import { crc16 as crc16Table, crc8 as crc8Table, Md5 } from '../../src/ecg/wfdb/flac-bits.ts';
import { decodeFlac, FLAC_TOTAL_ESTIMATE, type FlacStream } from '../../src/ecg/wfdb/flac.ts';
import { FIXTURES, type FixtureSpec, fixtureSamples } from '../fixtures/flac/signals.ts';
import {
  type BitWriter, crc8, crc16, encodeFlac, encodeFlacDetailed, type FlacEncodeOptions, fixFrameCrcs, frame, frameSpans,
  type FrameHeaderSpec, type Stereo, type SubframeKind, samplesMd5, streamHeader,
} from '../helpers/flac-encode.ts';

const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'flac');
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURE_DIR, `${name}.flac`)));
const concat = (...parts: ArrayLike<number>[]) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, o), (o += p.length);
  return out;
};

function assertSamples(got: FlacStream, want: ArrayLike<number>[], what: string): void {
  assert.is(got.channels, want.length, `${what}: channels`);
  for (let c = 0; c < want.length; c++) {
    const g = got.samples[c]!, w = want[c]!;
    assert.is(g.length, w.length, `${what}: channel ${c} length`);
    for (let i = 0; i < w.length; i++) if (g[i] !== w[i]) assert.unreachable(`${what}: channel ${c} sample ${i} is ${g[i]}, expected ${w[i]}`);
  }
}

/** Runs `f`, expecting a WfdbError whose message names the file and matches `re`. */
function refuses(f: () => unknown, re: RegExp, file = 'x.flac'): string {
  try {
    f();
  } catch (e) {
    assert.instance(e, WfdbError, `expected a WfdbError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    const m = (e as Error).message;
    assert.ok(m.includes(file), `message does not name the file: ${m}`);
    assert.ok(/byte offset \d+/.test(m) || /options\./.test(m), `message gives no byte offset: ${m}`);
    assert.ok(re.test(m), `expected a message matching ${re}, got: ${m}`);
    return m;
  }
  assert.unreachable(`expected a WfdbError matching ${re}`);
  return '';
}

// ---- (a) Files written by the reference encoder -------------------------------------------------

for (const spec of FIXTURES) {
  test(`reference encoder (flac 1.4.2): ${spec.name}.flac decodes to its input exactly`, () => {
    const d = decodeFlac(fixture(spec.name), `${spec.name}.flac`);
    assertSamples(d, fixtureSamples(spec), spec.name);
    assert.is(d.bitsPerSample, spec.bitsPerSample);
    assert.is(d.sampleRate, 96000);
    assert.is(d.totalSamples, spec.pipe ? undefined : spec.length);
  });
}

/** Sets STREAMINFO's total samples (36 bits at byte 21) and MD5 (bytes 26..41) in a copy. */
function withStreamInfo(bytes: Uint8Array, total: number, md5?: Uint8Array): Uint8Array {
  const b = bytes.slice();
  b[21] = (b[21]! & 0xf0) | Math.floor(total / 2 ** 32);
  new DataView(b.buffer).setUint32(22, total % 2 ** 32);
  if (md5) b.set(md5, 26);
  return b;
}

test('reference encoder: the non-seekable WFDB case (total 2^36 - 1, no MD5) reads the stream as long as it is', () => {
  const spec = FIXTURES.find((s) => s.name === 'stereo16-l5')!;
  const d = decodeFlac(withStreamInfo(fixture(spec.name), FLAC_TOTAL_ESTIMATE, new Uint8Array(16)), 'est.flac');
  assertSamples(d, fixtureSamples(spec), 'estimate');
  assert.is(d.totalSamples, FLAC_TOTAL_ESTIMATE);
  const unknown = decodeFlac(withStreamInfo(fixture(spec.name), 0, new Uint8Array(16)), 'zero.flac');
  assertSamples(unknown, fixtureSamples(spec), 'unknown');
  assert.is(unknown.totalSamples, undefined);
});

test('reference encoder: a wrong MD5 or total in STREAMINFO, a limit below the length, a cut file are refused', () => {
  const spec = FIXTURES.find((s) => s.name === 'stereo16-l8-b1000')!;
  const bytes = fixture(spec.name);
  const md5 = bytes.slice(26, 42);
  md5[3]! ^= 0x40;
  refuses(() => decodeFlac(withStreamInfo(bytes, spec.length, md5), 'x.flac'), /byte offset 26: the MD5 signature of the decoded samples is [0-9a-f]{32}, STREAMINFO says/);
  refuses(() => decodeFlac(withStreamInfo(bytes, spec.length + 1), 'x.flac'), /ends after 5000 of STREAMINFO's 5001 samples per channel/);
  refuses(() => decodeFlac(withStreamInfo(bytes, spec.length - 1), 'x.flac'), /frame 4 ends at sample 5000, beyond STREAMINFO's total of 4999/);
  refuses(() => decodeFlac(bytes, 'x.flac', { maxSamplesPerChannel: 4999 }), /STREAMINFO declares 5000 samples per channel, more than the limit of 4999 \(options.maxSamplesPerChannel\)/);
  assert.is(decodeFlac(bytes, 'x.flac', { maxSamplesPerChannel: 5000 }).samples[1]!.length, 5000);
  refuses(() => decodeFlac(withStreamInfo(bytes, FLAC_TOTAL_ESTIMATE), 'x.flac', { maxSamplesPerChannel: 4000 }), /more than 4000 samples per channel, the limit \(options.maxSamplesPerChannel\)/);
  const spans = frameSpans(bytes);
  refuses(() => decodeFlac(bytes.slice(0, spans[3]!.end), 'x.flac'), /ends after 4000 of STREAMINFO's 5000 samples/);
  refuses(() => decodeFlac(bytes.slice(0, spans[3]!.end - 1), 'x.flac'), /truncated|CRC-16/);
  refuses(() => decodeFlac(concat(bytes, [0]), 'x.flac'), /1 bytes follow the last frame/);
  refuses(() => decodeFlac(withStreamInfo(bytes.slice(0, spans[3]!.end), 0), 'x.flac', { maxSamplesPerChannel: 3999 }), /more than 3999 samples per channel/);
  refuses(() => decodeFlac(bytes, 'x.flac', { maxSamplesPerChannel: -1 }), /options.maxSamplesPerChannel must be an integer >= 0, got -1/);
});

test('MD5 (RFC 1321 test suite) and the table CRCs agree with the bitwise ones', () => {
  const hexOf = (s: string, chunk = 0) => {
    const m = new Md5();
    const b = new TextEncoder().encode(s);
    if (chunk) for (let i = 0; i < b.length; i += chunk) m.update(b, i, Math.min(b.length, i + chunk));
    else m.update(b);
    return Array.from(m.digest(), (x) => x.toString(16).padStart(2, '0')).join('');
  };
  assert.is(hexOf(''), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.is(hexOf('abc'), '900150983cd24fb0d6963f7d28e17f72');
  assert.is(hexOf('message digest'), 'f96b697d7cb7938d525a2f31aaf161d0');
  const digits = '12345678901234567890'.repeat(4);
  assert.is(hexOf(digits), '57edf4a22be3c955ac49da2e2107b67a');
  assert.is(hexOf(digits, 7), '57edf4a22be3c955ac49da2e2107b67a');
  const rng = new Rng(3);
  for (let t = 0; t < 50; t++) {
    const b = Uint8Array.from({ length: rng.int(300) }, () => rng.int(256));
    const m = new Md5();
    m.update(b);
    assert.equal(m.digest(), samplesMd5([Array.from(b, (v) => (v << 24) >> 24)], 8));
    assert.is(crc8Table(b, 0, b.length), crc8(b));
    assert.is(crc16Table(b, 0, b.length), crc16(b));
  }
});

// ---- (b) Round trips through the test encoder ---------------------------------------------------

function randomSignal(rng: Rng, n: number, bps: number): number[] {
  const max = 2 ** (bps - 1) - 1, min = -(2 ** (bps - 1));
  const clamp = (v: number) => Math.max(min, Math.min(max, Math.round(v)));
  const kind = rng.int(6);
  const x: number[] = [];
  let v = rng.int(max - min + 1) + min;
  for (let i = 0; i < n; i++) {
    if (kind === 0) v = clamp(v + (rng.uniform() - 0.5) * 2 ** Math.min(bps - 2, 6)); // random walk
    else if (kind === 1) v = rng.int(max - min + 1) + min; // white, full scale
    else if (kind === 2) v = rng.uniform() < 0.02 ? (rng.uniform() < 0.5 ? min : max) : v; // steps between the extremes
    else if (kind === 3) v = clamp(Math.sin(i / (3 + (n % 17))) * max * 0.9 + rng.normal()); // smooth
    else if (kind === 4) v = i % 2 ? min : max; // alternating extremes
    // kind 5: constant
    x.push(v);
  }
  return x;
}

function randomShape(rng: Rng, k: number): { channels: number[][]; opts: FlacEncodeOptions; what: string } {
  const C = 1 + rng.int(8) < 4 ? 1 + rng.int(8) : 2;
  const bps = [4, 8, 12, 16, 20, 24, 32, 5 + rng.int(27)][rng.int(8)]!;
  const n = [0, 1, 15, 16, 17, 100, 1000, 4096, 4097, rng.int(5000)][rng.int(10)]!;
  const wasted = rng.uniform() < 0.25 ? 1 + rng.int(Math.max(1, bps - 2)) : 0;
  const channels = Array.from({ length: C }, () => randomSignal(rng, n, bps - wasted).map((v) => v * 2 ** wasted));
  if (C === 2 && rng.uniform() < 0.5) channels[1] = channels[0]!.map((v, i) => (rng.uniform() < 0.9 ? v : channels[1]![i]!)); // correlated: stereo modes pay
  const kinds: SubframeKind[] = ['auto', 'auto', 'constant', 'verbatim', 'fixed0', 'fixed1', 'fixed2', 'fixed3', 'fixed4'];
  const stereos: Stereo[] = ['auto', 'independent', 'left-side', 'side-right', 'mid-side'];
  const opts: FlacEncodeOptions = {
    bitsPerSample: bps,
    sampleRate: [96000, 44100, 360, 250, 1000, 128000, 655350, 1048575, 0][rng.int(9)],
    partitionOrder: rng.uniform() < 0.5 ? 'auto' : rng.int(5),
    method: ([0, 1, 'auto'] as const)[rng.int(3)],
    escape: (['auto', 'never', 'always'] as const)[rng.int(3)],
    wastedBits: rng.uniform() < 0.8,
    totalSamples: (['count', 'count', 'unknown', 'estimate'] as const)[rng.int(4)],
    md5: rng.uniform() < 0.7,
    sampleRateIn: rng.uniform() < 0.3 ? 'streaminfo' : 'code',
    sampleSizeIn: rng.uniform() < 0.3 ? 'streaminfo' : 'code',
    stereo: stereos[rng.int(stereos.length)],
  };
  if (rng.uniform() < 0.3) opts.blockSizes = Array.from({ length: 1 + rng.int(4) }, () => 1 + rng.int(3000));
  else opts.blockSize = [16, 192, 576, 1000, 1152, 4096, 4608, 256, 17 + rng.int(5000)][rng.int(9)];
  const forced = rng.uniform() < 0.5;
  opts.subframe = (f, c) => (forced ? kinds[(f * 7 + c * 3 + k) % kinds.length]! : 'auto');
  if (rng.uniform() < 0.3) opts.blockSizeCode = (f) => (f % 2 ? 7 : undefined);
  if (rng.uniform() < 0.2) opts.metadata = [{ type: 1, data: new Uint8Array(rng.int(40)) }, { type: 2 + rng.int(100), data: Uint8Array.from({ length: rng.int(20) }, () => rng.int(256)) }];
  return { channels, opts, what: `shape ${k}: ${C} channels, ${bps} bits (${wasted} wasted), ${n} samples, ${JSON.stringify({ ...opts, subframe: forced ? 'forced' : 'auto' })}` };
}

test('round trips through the test encoder: 250 seeded random shapes decode exactly', () => {
  const rng = new Rng(508);
  for (let k = 0; k < 250; k++) {
    const { channels, opts, what } = randomShape(rng, k);
    let bytes: Uint8Array;
    try {
      bytes = encodeFlac(channels, opts);
    } catch (e) {
      // a forced subframe kind may not code a block (CONSTANT of varying samples): let the encoder choose
      if (!/cannot code/.test(String(e))) throw e;
      bytes = encodeFlac(channels, { ...opts, subframe: undefined });
    }
    const d = decodeFlac(bytes, 'rt.flac');
    assertSamples(d, channels, what);
    assert.is(d.bitsPerSample, opts.bitsPerSample);
    assert.is(d.sampleRate, opts.sampleRate);
    const N = channels[0]!.length;
    assert.is(d.totalSamples, opts.totalSamples === 'unknown' || (opts.totalSamples === 'count' && N === 0) ? undefined : opts.totalSamples === 'estimate' ? FLAC_TOTAL_ESTIMATE : N, what);
  }
});

test('round trips: every stereo assignment and subframe kind at 32 bits (a 33-bit side channel) and at 24', () => {
  for (const bps of [32, 24]) {
    const max = 2 ** (bps - 1) - 1, min = -(2 ** (bps - 1));
    const L = [max, min, 0, max, min, -1, 1, max, max, min, 12345, -54321, ...Array.from({ length: 40 }, (_, i) => (i * 7919) % 1000)];
    const R = L.map((v, i) => (i % 3 ? -v - 1 : min));
    for (const stereo of ['independent', 'left-side', 'side-right', 'mid-side'] as const)
      for (const kind of ['verbatim', 'fixed0', 'fixed1', 'auto'] as const) {
        let bytes: Uint8Array;
        try {
          bytes = encodeFlac([L, R], { bitsPerSample: bps, stereo, subframe: () => kind, blockSize: 20 });
        } catch {
          continue; // residuals of the forced predictor do not fit 32 bits
        }
        assertSamples(decodeFlac(bytes, 'x.flac'), [L, R], `${bps} bits ${stereo} ${kind}`);
      }
  }
});

// ---- (c) A stream written out by hand --------------------------------------------------------------

test('hand-made stream: a CONSTANT frame of 16 and a FIXED order-2 frame of 5, decoded values derived by hand', () => {
  const bytes = Uint8Array.from([
    0x66, 0x4c, 0x61, 0x43, // "fLaC"
    0x80, 0x00, 0x00, 0x22, // last metadata block, type 0 (STREAMINFO), 34 bytes
    0x00, 0x10, 0x00, 0x10, // min / max block size 16
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // min / max frame size unknown
    0x17, 0x70, 0x00, 0x70, // sample rate 96000 (0x17700, 20 bits), 1 channel (0, 3 bits), 8 bits (7, 5 bits), total's top 4 bits 0
    0x00, 0x00, 0x00, 0x15, // total samples 21
    ...new Array(16).fill(0), // MD5 unknown
    // Frame 0: sync ff f8 (fixed blocking); block size code 6 (8-bit size - 1 at the end), rate code 11
    // (96 kHz); mono, sample size code 1 (8 bits); frame number 0; size - 1 = 15; CRC-8 0x9b.
    0xff, 0xf8, 0x6b, 0x02, 0x00, 0x0f, 0x9b,
    0x00, // subframe: pad 0, type 000000 (CONSTANT), no wasted bits
    0xfd, // the value: -3 in 8 bits
    0x78, 0x7f, // CRC-16
    // Frame 1: the same codes, frame number 1, size - 1 = 4, CRC-8 0xbf.
    0xff, 0xf8, 0x6b, 0x02, 0x01, 0x04, 0xbf,
    0x14, // pad 0, type 001010 (FIXED, order 2), no wasted bits
    0x0a, 0x0c, // warm-up samples 10, 12
    // residual: method 00, partition order 0000, Rice parameter 0001, then 1 -> zig-zag 2 -> "01"+"0",
    // -1 -> 1 -> "1"+"1", 0 -> 0 -> "1"+"0": 00 0000 0001 010 11 10, padded: 00000000 01010111 00000000
    0x00, 0x57, 0x00,
    0x3f, 0xfb, // CRC-16
  ]);
  assert.is(crc8([0xff, 0xf8, 0x6b, 0x02, 0x00, 0x0f]), 0x9b);
  assert.is(crc16(bytes, 42, 51), 0x787f);
  const d = decodeFlac(bytes, 'hand.flac');
  // Frame 1, order 2: s[i] = r[i] + 2 s[i-1] - s[i-2]: 1 + 24 - 10 = 15, -1 + 30 - 12 = 17, 0 + 34 - 15 = 19.
  assert.equal(Array.from(d.samples[0]!), [...new Array(16).fill(-3), 10, 12, 15, 17, 19]);
  assert.equal({ ...d, samples: [] }, { channels: 1, bitsPerSample: 8, sampleRate: 96000, totalSamples: 21, samples: [] });
  // The same frames from the test encoder's pieces.
  const h = (number: number, blockSize: number): FrameHeaderSpec => ({ blockSize, number, assignment: 0, sampleRate: 96000, bitsPerSample: 8 });
  const built = concat(
    streamHeader({ minBlock: 16, maxBlock: 16, sampleRate: 96000, channels: 1, bitsPerSample: 8, totalSamples: 21 }),
    frame(h(0, 16), (w) => w.bits(0, 8).signed(-3, 8)),
    frame(h(1, 5), (w) => w.bits(0x14, 8).signed(10, 8).signed(12, 8).bits(0, 2).bits(0, 4).bits(1, 4).rice(1, 1).rice(-1, 1).rice(0, 1)),
  );
  assert.equal(built, bytes);
});

// ---- (d) Named refusals ---------------------------------------------------------------------------

const SI = { minBlock: 16, maxBlock: 4096, sampleRate: 96000, channels: 1, bitsPerSample: 16, totalSamples: 0 };
const H = (o: Partial<FrameHeaderSpec> = {}): FrameHeaderSpec => ({ blockSize: 16, number: 0, assignment: 0, sampleRate: 96000, bitsPerSample: 16, ...o });
const stream = (frames: Uint8Array[], si: Partial<typeof SI> = {}) => concat(streamHeader({ ...SI, ...si }), ...frames);
/** A mono FIXED subframe of order `order` (16-bit warm-up), then `residual` (method, order, params). */
const fixedSub = (order: number, warm: number[], residual: (w: BitWriter) => void) => (w: BitWriter) => {
  w.bits(0, 1).bits(8 + order, 6).bits(0, 1);
  for (const v of warm) w.signed(v, 16);
  residual(w);
};

test('refused: bad marker, metadata problems, STREAMINFO out of range', () => {
  const good = stream([frame(H(), (w) => w.bits(0, 8).signed(5, 16))]);
  assert.equal(Array.from(decodeFlac(good, 'x.flac').samples[0]!), new Array(16).fill(5));
  refuses(() => decodeFlac(new Uint8Array(0), 'x.flac'), /byte offset 0: expected the marker "fLaC", found nothing/);
  refuses(() => decodeFlac(concat([0x49, 0x44, 0x33, 3], good.subarray(4)), 'x.flac'), /expected the marker "fLaC", found 49 44 33 03/);
  refuses(() => decodeFlac(good.slice(0, 30), 'x.flac'), /byte offset 4: metadata block of type 0 claims 34 bytes, but only 22 follow/);
  refuses(() => decodeFlac(good.slice(0, 6), 'x.flac'), /byte offset 4: the stream ends inside a metadata block header/);
  const b = good.slice();
  b[4] = 0x81;
  refuses(() => decodeFlac(b, 'x.flac'), /the first metadata block has type 1; expected STREAMINFO/);
  b[4] = 0xff;
  refuses(() => decodeFlac(b, 'x.flac'), /metadata block type 127 is invalid/);
  b[4] = 0x80, b[7] = 33;
  refuses(() => decodeFlac(b, 'x.flac'), /STREAMINFO has 33 bytes; expected 34/);
  const two = concat(streamHeader(SI, [{ type: 0, data: new Uint8Array(34) }]), good.subarray(42));
  refuses(() => decodeFlac(two, 'x.flac'), /byte offset 42: a second STREAMINFO block/);
  const skipped = concat(streamHeader(SI, [{ type: 4, data: new Uint8Array(9) }, { type: 126, data: new Uint8Array(0) }]), good.subarray(42));
  assert.is(decodeFlac(skipped, 'x.flac').samples[0]!.length, 16);
  refuses(() => decodeFlac(stream([], { minBlock: 15 }), 'x.flac'), /byte offset 8: STREAMINFO's minimum block size is 15; expected 16..65535/);
  refuses(() => decodeFlac(stream([], { minBlock: 4096, maxBlock: 4095 }), 'x.flac'), /maximum block size 4095 is below its minimum 4096/);
  refuses(() => decodeFlac(stream([], { bitsPerSample: 3 }), 'x.flac'), /STREAMINFO declares 3 bits per sample; expected 4..32/);
  assert.equal(decodeFlac(stream([]), 'x.flac').samples, [new Int32Array(0)]);
});

test('refused: frame header codes, CRC-8, CRC-16, numbering, consistency with STREAMINFO', () => {
  const sub = (w: BitWriter) => w.bits(0, 8).signed(5, 16);
  const ok = frame(H(), sub);
  const edit = (f: Uint8Array, at: number, v: number) => {
    const c = f.slice();
    c[at] = v;
    return fixFrameCrcs(c, { start: 0, crc8At: 6, end: c.length }); // ff f8 6b 00 00 0f crc
  };
  refuses(() => decodeFlac(stream([edit(ok, 1, 0xfa)]), 'x.flac'), /byte offset 43: the reserved bit after the frame sync code is set/);
  refuses(() => decodeFlac(stream([edit(ok, 2, 0x0b)]), 'x.flac'), /byte offset 44: block size code 0 is reserved/);
  refuses(() => decodeFlac(stream([edit(ok, 2, 0x6f)]), 'x.flac'), /sample rate code 15 is invalid/);
  refuses(() => decodeFlac(stream([edit(ok, 3, 0xb8)]), 'x.flac'), /byte offset 45: channel assignment 11 is reserved/);
  refuses(() => decodeFlac(stream([edit(ok, 3, 0x06)]), 'x.flac'), /sample size code 3 is reserved/);
  refuses(() => decodeFlac(stream([edit(ok, 3, 0x09)]), 'x.flac'), /the reserved bit after the sample size is set/);
  refuses(() => decodeFlac(stream([edit(ok, 4, 0x80)]), 'x.flac'), /byte offset 46: invalid first byte 0x80 of the coded frame number/);
  refuses(() => decodeFlac(stream([edit(ok, 3, 0x18)]), 'x.flac'), /2 channels; STREAMINFO declares 1/);
  refuses(() => decodeFlac(stream([edit(ok, 3, 0x02)]), 'x.flac'), /8 bits per sample; STREAMINFO declares 16/);
  refuses(() => decodeFlac(stream([frame(H({ sampleRate: 44100 }), sub)]), 'x.flac'), /sample rate 44100 Hz differs from STREAMINFO's 96000 Hz/);
  const badCrc8 = ok.slice();
  badCrc8[6]! ^= 1;
  refuses(() => decodeFlac(stream([badCrc8]), 'x.flac'), /byte offset 48: frame header CRC-8 is 0x[0-9a-f]{2} but the header says/);
  const badCrc16 = ok.slice();
  badCrc16[8]! ^= 0x10;
  refuses(() => decodeFlac(stream([badCrc16]), 'x.flac'), /byte offset 52: frame 0: CRC-16 is 0x[0-9a-f]{4} but the footer says/);
  refuses(() => decodeFlac(stream([frame(H(), sub), frame(H(), sub)]), 'x.flac'), /frame number 0; expected 1/);
  refuses(() => decodeFlac(stream([frame(H(), sub), frame(H({ number: 1, variable: true }), sub)]), 'x.flac'), /the blocking strategy changes from fixed to variable at frame 1/);
  refuses(() => decodeFlac(stream([frame(H({ variable: true, number: 3 }), sub)]), 'x.flac'), /frame 0 starts at sample 3; expected 0/);
  assert.is(decodeFlac(stream([frame(H({ variable: true }), sub), frame(H({ variable: true, number: 16 }), sub)]), 'x.flac').samples[0]!.length, 32);
  refuses(() => decodeFlac(stream([frame(H(), sub), frame(H({ number: 1, blockSize: 17 }), (w) => w.bits(0, 8).signed(5, 16))]), 'x.flac'), /frame 1 has 17 samples, more than the 16 of the frames before it/);
  refuses(() => decodeFlac(stream([frame(H(), sub), frame(H({ number: 1, blockSize: 8 }), sub), frame(H({ number: 2, blockSize: 8 }), sub)]), 'x.flac'), /byte offset 66: a frame follows the shorter frame at byte offset 54/);
  refuses(() => decodeFlac(stream([frame(H({ blockSize: 4097 }), sub)]), 'x.flac'), /block size 4097 exceeds STREAMINFO's maximum of 4096/);
  refuses(() => decodeFlac(stream([frame(H({ blockSize: 65536, blockSizeCode: 7 }), sub)], { maxBlock: 65535 }), 'x.flac'), /block size 65536 exceeds 65535/);
  refuses(() => decodeFlac(stream([ok.slice(0, 5)]), 'x.flac'), /too few for a frame header/);
  refuses(() => decodeFlac(stream([ok.slice(0, 11)]), 'x.flac'), /byte offset 52: the stream ends inside a frame footer/);
  refuses(() => decodeFlac(stream([ok.slice(0, 9)]), 'x.flac'), /byte offset 50: the stream ends inside the subframe of channel 0/);
  refuses(() => decodeFlac(stream([ok, new Uint8Array([0xff, 0xf8, 0, 0, 0, 0, 0, 0])]), 'x.flac'), /byte offset 56: block size code 0 is reserved/);
  refuses(() => decodeFlac(stream([ok, new Uint8Array(8)]), 'x.flac'), /byte offset 54: expected a frame sync code \(ff f8 or ff f9\), found 00 00/);
});

test('refused: subframe types, wasted bits, predictor orders, LPC fields, residual coding, widths', () => {
  const one = (write: (w: BitWriter) => void, h: Partial<FrameHeaderSpec> = {}, si: Partial<typeof SI> = {}) => () => decodeFlac(stream([frame(H(h), write)], si), 'x.flac');
  refuses(one((w) => w.bits(0x80, 8)), /the subframe of channel 0: the padding bit before its type is set/);
  refuses(one((w) => w.bits(2 << 1, 8)), /subframe type 2 is reserved/);
  refuses(one((w) => w.bits(13 << 1, 8)), /subframe type 13 is reserved/);
  refuses(one((w) => w.bits(1, 8).unary(15).signed(0, 1)), /has 16 wasted bits of its 16/);
  refuses(one(fixedSub(4, [1, 2, 3, 4], () => {}), { blockSize: 3 }), /FIXED predictor order 4 exceeds the block size 3/);
  const lpc = (order: number, precision: number, shift: number, coefs: number[], residual: (w: BitWriter) => void) => (w: BitWriter) => {
    w.bits(0, 1).bits(31 + order, 6).bits(0, 1);
    for (let i = 0; i < order; i++) w.signed(i, 16);
    w.bits(precision - 1, 4).signed(shift, 5);
    for (const c of coefs) w.signed(c, precision);
    residual(w);
  };
  refuses(one(lpc(32, 15, 0, [], () => {}), { blockSize: 31 }), /LPC order 32 exceeds the block size 31/);
  refuses(one(lpc(2, 16, 0, [], () => {})), /LPC coefficient precision code 15 is invalid/);
  refuses(one(lpc(2, 15, -3, [1, 1], () => {})), /LPC shift -3 is negative/);
  // LPC order 32 with 15-bit coefficients over 16-bit samples: the exact sum needs more than 32 bits.
  const big = Array.from({ length: 32 }, (_, j) => (j % 2 ? -16384 : 16383));
  refuses(one(lpc(32, 15, 0, big, (w) => w.bits(0, 2).bits(0, 4).bits(15, 4).bits(0, 5)), { blockSize: 40 }), /sample 32 predicts to -?\d+, outside the subframe's 16-bit range/);
  refuses(one(fixedSub(2, [0, 0], (w) => w.bits(2, 2))), /residual coding method 2 is reserved/);
  refuses(one(fixedSub(0, [], (w) => w.bits(0, 2).bits(5, 4))), /block size 16 is not a multiple of the 32 residual partitions \(order 5\)/);
  refuses(one(fixedSub(3, [0, 0, 0], (w) => w.bits(0, 2).bits(3, 4))), /the first of 8 residual partitions would hold -1 samples/);
  // Rice parameter 30 (5-bit method) with a long quotient: the residual does not fit 32 bits.
  refuses(one(fixedSub(0, [], (w) => w.bits(1, 2).bits(0, 4).bits(30, 5).unary(4).bits(0, 30))), /Rice-coded residual 0 of a partition \(quotient 4, parameter 30\) does not fit 32 bits/);
  // The largest Rice value that fits: zig-zag 2^32 - 1 is -2^31, then out of the 16-bit range.
  refuses(one(fixedSub(0, [], (w) => {
    w.bits(1, 2).bits(0, 4).bits(30, 5).unary(3).bits(2 ** 30 - 1, 30);
    for (let i = 1; i < 16; i++) w.unary(0).bits(0, 30);
  })), /sample 0 predicts to -2147483648, outside the subframe's 16-bit range/);
  refuses(one(fixedSub(1, [32767], (w) => w.bits(0, 2).bits(0, 4).bits(0, 4).rice(1, 0).bits(2 ** 14 - 1, 14))), /sample 1 predicts to 32768, outside the subframe's 16-bit range/);
  refuses(one(fixedSub(0, [], (w) => w.bits(0, 2).bits(0, 4).bits(15, 4).bits(31, 5).signed(-(2 ** 30), 31).bits(0, 31 * 15))), /sample 0 predicts to -1073741824, outside the subframe's 16-bit range/);
  refuses(one((w) => w.bits(1 << 1, 8).signed(1, 16)), /the stream ends inside the subframe of channel 0|CRC-16|truncated/);
  refuses(one((w) => w.bits(0, 8).signed(5, 16).bits(1, 8)), /the padding after the last subframe is not zero|CRC-16|follow/);
  // Mid/side reconstruction beyond 16 bits: mid 32767, side -2 -> left 32766, right 32768.
  const ms = (w: BitWriter) => w.bits(0, 8).signed(32767, 16).bits(0, 8).signed(-2, 17);
  refuses(() => decodeFlac(stream([frame(H({ assignment: 10 }), ms)], { channels: 2 }), 'x.flac'), /frame 0: sample 0 of channel 1 decodes \(mid\/side\) to 32768, outside the 16-bit range/);
  // A FIXED predictor's escape partition with 0 raw bits: all residuals 0.
  const flat = decodeFlac(stream([frame(H(), fixedSub(1, [-7], (w) => w.bits(0, 2).bits(0, 4).bits(15, 4).bits(0, 5)))]), 'x.flac');
  assert.equal(Array.from(flat.samples[0]!), new Array(16).fill(-7));
});

test('refused: a constant-subframe bomb is bounded by maxSamplesPerChannel (and FLAC_MAX_DECODED_SAMPLES)', () => {
  // 600 frames of 65535 constant samples: 39 M samples from 7 KB; the limit refuses before allocating them.
  const frames = Array.from({ length: 600 }, (_, f) => frame(H({ blockSize: 65535, number: f }), (w) => w.bits(0, 8).signed(1, 16)));
  const bomb = stream(frames, { maxBlock: 65535 });
  const t = performance.now();
  refuses(() => decodeFlac(bomb, 'x.flac', { maxSamplesPerChannel: 2 ** 20 }), /more than 1048576 samples per channel, the limit \(options.maxSamplesPerChannel\)/);
  assert.ok(performance.now() - t < 2000);
});

// ---- (d) Seeded fuzz of hostile streams -----------------------------------------------------------

const SEED = 524 + (Number(process.env.FUZZ_SEED) || 0);
const ROUNDS = Number(process.env.FUZZ_ROUNDS) || 260;
const SLOW_MS = 2000;

interface Base {
  what: string;
  bytes: Uint8Array;
  frames: { start: number; crc8At: number; end: number }[];
}

function fuzzBases(): Base[] {
  const rng = new Rng(SEED);
  const out: Base[] = [];
  const ecg = (spec: Partial<FixtureSpec>) => fixtureSamples({ name: '', channels: 2, bitsPerSample: 16, length: 3000, noise: 2, flags: [], ...spec });
  const add = (what: string, channels: ArrayLike<number>[], o: FlacEncodeOptions) => out.push({ what, ...encodeFlacDetailed(channels, o) });
  add('ours: stereo 16-bit, mid/side, FIXED', ecg({}), { bitsPerSample: 16, blockSize: 1000 });
  add('ours: mono 24-bit, wasted bits, escapes, 5-bit Rice', ecg({ channels: 1, bitsPerSample: 24, wasted: 3, noise: 30 }), { bitsPerSample: 24, blockSize: 576, escape: 'always', method: 1 });
  add('ours: 3 channels 8-bit, variable blocking, verbatim/constant', ecg({ channels: 3, bitsPerSample: 8, length: 1500 }), {
    bitsPerSample: 8, blockSizes: [300, 17, 555], subframe: (f, c) => (['verbatim', 'auto', 'fixed3'] as const)[(f + c) % 3]!, md5: true,
  });
  add('ours: 32-bit side/right', [randomSignal(rng, 800, 32), randomSignal(rng, 800, 32)], { bitsPerSample: 32, stereo: 'side-right', blockSize: 256 });
  for (const name of ['stereo16-l8-b1000', 'mono24-tones-l5', 'four16-mixed-l5', 'eight24-l5-b1152']) {
    const bytes = fixture(name);
    out.push({ what: `reference: ${name}`, bytes, frames: frameSpans(bytes) });
  }
  return out;
}

/** A frame of random codes and random subframe bits, with valid CRCs: it reaches every check. */
function randomFrame(rng: Rng, channels: number): Uint8Array {
  const int = (n: number) => rng.int(n);
  const h: FrameHeaderSpec = {
    blockSize: [1, 2, 16, 31, 32, 192, 4096, 65535, 65536, 1 + int(300)][int(10)]!,
    number: int(3) === 0 ? int(2 ** 31) : int(4),
    variable: int(4) === 0,
    assignment: int(5) === 0 ? int(16) : int(2) ? channels - 1 : 8 + int(3),
    sampleRate: [96000, 44100, 12000, 7, 65535 * 10][int(5)]!,
    bitsPerSample: [16, 8, 24, 20, 32, 12][int(6)]!,
    blockSizeCode: int(3) === 0 ? int(16) : undefined,
    sampleRateIn: int(2) ? 'streaminfo' : 'code',
    sampleSizeIn: int(2) ? 'streaminfo' : 'code',
  };
  return frame(h, (w) => {
    const subs = h.assignment < 8 ? h.assignment + 1 : 2;
    for (let c = 0; c < subs; c++) {
      const type = [0, 1, 8 + int(5), 32 + int(32), int(64)][int(5)]!;
      w.bits(int(20) === 0 ? 1 : 0, 1).bits(type, 6);
      if (int(4) === 0) w.bits(1, 1).unary(int(40));
      else w.bits(0, 1);
      const n = int(6) === 0 ? 4000 : int(80);
      for (let k = 0; k < n; k++) {
        const r = int(10);
        if (r === 0) w.bits(0, 16); // long zero runs: huge Rice quotients
        else if (r === 1) w.bits(0xffff, 16);
        else if (r === 2) w.bits(int(4), 2).bits(int(16), 4).bits(int(32), 5); // residual headers
        else w.bits(int(256), 8);
      }
    }
  });
}

test(`fuzz: ${ROUNDS} mutants per kind of reference and test-encoder streams decode or throw a WfdbError naming the file`, () => {
  const rng = new Rng(SEED);
  const int = (n: number) => rng.int(n);
  const bases = fuzzBases();
  for (const b of bases) decodeFlac(b.bytes, 'valid.flac'); // the starting points are valid
  const source = 'fuzzed.flac';
  const kinds: [string, (b: Base) => Uint8Array][] = [
    ['truncated', (b) => b.bytes.slice(0, int(b.bytes.length))],
    ['bit flipped', (b) => {
      const c = b.bytes.slice();
      c[int(c.length)]! ^= 1 << int(8);
      return c;
    }],
    ['frame body flipped, CRC-16 fixed', (b) => {
      const c = b.bytes.slice();
      const f = b.frames[int(b.frames.length)]!;
      for (let k = 0; k <= int(4); k++) c[f.crc8At + 1 + int(f.end - 2 - f.crc8At - 1)]! ^= 1 << int(8);
      return fixFrameCrcs(c, f);
    }],
    ['frame header edited, CRCs fixed', (b) => {
      const c = b.bytes.slice();
      const f = b.frames[int(b.frames.length)]!;
      const at = f.start + 1 + int(f.crc8At - f.start - 1);
      c[at] = int(2) ? int(256) : c[at]! ^ (1 << int(8));
      return fixFrameCrcs(c, f);
    }],
    ['STREAMINFO edited', (b) => {
      const c = b.bytes.slice();
      for (let k = 0; k <= int(3); k++) c[8 + int(34)] = int(3) ? int(256) : c[8 + int(34)]! ^ (1 << int(8));
      return c;
    }],
    ['metadata header edited', (b) => {
      const c = b.bytes.slice();
      c[4 + int(4)] = int(256);
      return c;
    }],
    ['frames dropped, repeated or swapped', (b) => {
      const parts = b.frames.map((f) => b.bytes.subarray(f.start, f.end));
      const i = int(parts.length), j = int(parts.length);
      const r = int(3);
      if (r === 0) parts.splice(i, 1);
      else if (r === 1) parts.splice(i, 0, parts[j]!);
      else [parts[i], parts[j]] = [parts[j]!, parts[i]!];
      return concat(b.bytes.subarray(0, b.frames[0]!.start), ...parts);
    }],
    ['garbage inserted or appended', (b) => {
      const at = int(3) ? b.bytes.length : int(b.bytes.length);
      const junk = Uint8Array.from({ length: 2 + int(64) }, () => (int(4) ? int(256) : 0xff));
      if (int(4) === 0) junk.set([0xff, 0xf8]);
      return concat(b.bytes.subarray(0, at), junk, b.bytes.subarray(at));
    }],
    ['random frame with valid CRCs', (b) => {
      const C = ((b.bytes[20]! >> 1) & 7) + 1;
      const at = int(2) ? b.frames[int(b.frames.length)]!.start : b.bytes.length;
      return concat(b.bytes.subarray(0, at), randomFrame(rng, C), b.bytes.subarray(at));
    }],
  ];
  const counts = new Map<string, [number, number]>();
  const wrong = new Map<string, string>();
  const t0 = performance.now();
  let slowest = 0;
  for (let r = 0; r < ROUNDS; r++)
    for (const [kind, make] of kinds) {
      const base = bases[int(bases.length)]!;
      const bytes = make(base);
      const c = counts.get(kind) ?? [0, 0];
      const t = performance.now();
      try {
        decodeFlac(bytes, source);
      } catch (e) {
        c[1]++;
        if (!(e instanceof WfdbError) || !e.message.includes(source) || !/byte offset \d+/.test(e.message)) {
          const m = `${(e as Error)?.name}: ${(e as Error)?.message}`;
          if (!wrong.has(m)) wrong.set(m, `${kind} of ${base.what} [${(e as Error)?.stack?.split('\n').slice(1, 4).map((l) => l.trim()).join(' < ')}]`);
        }
      }
      const ms = performance.now() - t;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < SLOW_MS, `${kind} of ${base.what}: decoding took ${ms.toFixed(0)} ms`);
      c[0]++;
      counts.set(kind, c);
    }
  const total = [...counts.values()].reduce((s, [n]) => s + n, 0);
  const refused = [...counts.values()].reduce((s, [, n]) => s + n, 0);
  const ms = performance.now() - t0;
  console.log(`  FLAC fuzz: ${total} mutants (${[...counts].map(([k, [n, f]]) => `${k} ${f}/${n}`).join(', ')} refused), ${refused} refused, ${total - refused} decoded; ${(ms / 1000).toFixed(2)} s, slowest ${slowest.toFixed(0)} ms`);
  if (wrong.size) assert.unreachable(`expected only WfdbErrors naming ${source} and an offset; got:\n${[...wrong].slice(0, 8).map(([m, w]) => `  ${w}: ${m}`).join('\n')}`);
  assert.ok(total >= 2000 || process.env.FUZZ_ROUNDS !== undefined, `only ${total} mutants`);
  assert.ok(ms < 10000 || process.env.FUZZ_ROUNDS !== undefined, `the fuzz took ${ms.toFixed(0)} ms`);
});

// ---- (e) Speed --------------------------------------------------------------------------------------

test('speed: 30 min of 2-channel 360 Hz 16-bit ECG (1.3 M samples) decodes well under a second', () => {
  const spec: FixtureSpec = { name: 'speed', channels: 2, bitsPerSample: 16, length: 30 * 60 * 360, noise: 3, flags: [] };
  const x = fixtureSamples(spec);
  const bytes = encodeFlac(x, { bitsPerSample: 16, blockSize: 4096, partitionOrder: 4 });
  decodeFlac(encodeFlac([x[0]!.subarray(0, 20000), x[1]!.subarray(0, 20000)], { bitsPerSample: 16 }), 'warm.flac');
  let t = performance.now();
  const d = decodeFlac(bytes, 'speed.flac');
  const ours = performance.now() - t;
  assertSamples(d, x, 'speed');
  // The reference encoder's LPC stream (-8), decoded repeatedly to the same sample count.
  const ref = fixture('stereo16-l8-b1000');
  const reps = Math.ceil((2 * spec.length) / 10000);
  t = performance.now();
  for (let k = 0; k < reps; k++) decodeFlac(ref, 'ref.flac');
  const lpc = performance.now() - t;
  const rate = (ms: number) => ((2 * spec.length) / ms / 1000).toFixed(1);
  console.log(`  FLAC speed: ${2 * spec.length} samples (${(bytes.length / 1024).toFixed(0)} KB, FIXED + Rice, MD5 checked) in ${ours.toFixed(0)} ms (${rate(ours)} M samples/s); libFLAC -8 (LPC) stream x${reps} in ${lpc.toFixed(0)} ms (${rate(lpc)} M samples/s)`);
  assert.ok(ours < 3000 && lpc < 3000);
});

test.run();
