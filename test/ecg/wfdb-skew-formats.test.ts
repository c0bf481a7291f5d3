// Skewed signals (read by default; WFDB's checksum; the last `skew` samples), format 8 (8-bit first
// differences from the header's initial value) and format 0 (null signals, no file). Every record is
// built here in code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WfdbError } from '../../src/ecg/errors.ts';
import { parseHeader, type Header } from '../../src/ecg/wfdb/header.ts';
import { checksum16, readRecord } from '../../src/ecg/wfdb/record.ts';
import { bytesForSamples, decodeSamples, integrateDifferences } from '../../src/ecg/wfdb/signal-formats.ts';
import { encodeFormat, memoryFiles } from './helpers.ts';

/** Interleaves columns into file order (one sample per signal per frame). */
const interleave = (cols: number[][]): number[] => cols[0]!.flatMap((_, f) => cols.map((c) => c[f]!));

function throwsWfdb(fn: () => unknown, file: string, re: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WfdbError, `expected a WfdbError, got ${String(e)}`);
    assert.is((e as WfdbError).file, file);
    assert.ok((e as Error).message.startsWith(file), (e as Error).message);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable('expected a WfdbError');
}

for (const fmt of [212, 16]) {
  test(`format ${fmt}, skew 2 on signal 1, file of exactly sigLen frames (as WFDB writes it): read by default, tail invalid`, () => {
    // File columns, frame by frame. Signal B's sample t is frame t + 2 of the file.
    const a = [10, 20, 30, 40, 50, 60], bFile = [-7, -8, 1, 2, 3, 4];
    const marker = fmt === 212 ? -2048 : -32768;
    // WFDB's checksum: the sum of the signal's first sigLen frames of the file (getskewedframe).
    const text = `r 2 360 6\nr.dat ${fmt} 100 12 0 10 ${checksum16(a)} 0 A\nr.dat ${fmt}:2 100 12 0 -7 ${checksum16(bFile)} 0 B\n`;
    const rec = readRecord(parseHeader(text, 'r.hea'), memoryFiles({ 'r.dat': encodeFormat(fmt, interleave([a, bFile])) }));
    assert.is(rec.sigLen, 6);
    assert.equal(rec.skew, [0, 2]);
    assert.equal(Array.from(rec.dSignal[0]!), a);
    assert.equal(Array.from(rec.dSignal[1]!), [1, 2, 3, 4, marker, marker]);
    const p = Array.from(rec.pSignal[1]!);
    assert.equal(p.slice(0, 4), [0.01, 0.02, 0.03, 0.04].map((v) => Math.fround(v)));
    assert.ok(Number.isNaN(p[4]) && Number.isNaN(p[5]), 'the last skew samples are NaN in pSignal');
    assert.ok(Array.from(rec.pSignal[0]!).every((v) => !Number.isNaN(v)), 'the unskewed signal has no invalid tail');
  });
}

test('a skewed file holding sigLen + skew frames: every sample is read; WFDB-order and deskewed checksums both verify', () => {
  const a = [1, 2, 3, 4, 5], bFile = [99, 5, 6, 7, 8];
  const frames = interleave([a, bFile]);
  const files = memoryFiles({ 'r.dat': encodeFormat(16, frames) });
  const wfdbSum = checksum16(bFile.slice(0, 4)); // first sigLen = 4 frames of the file
  const deskewedSum = checksum16([5, 6, 7, 8]);
  for (const sum of [wfdbSum, deskewedSum]) {
    const text = `r 2 250 4\nr.dat 16 200 16 0 1 ${checksum16(a.slice(0, 4))} 0 A\nr.dat 16:1 200 16 0 99 ${sum} 0 B\n`;
    const rec = readRecord(parseHeader(text, 'r.hea'), files);
    assert.equal(Array.from(rec.dSignal[0]!), [1, 2, 3, 4]);
    assert.equal(Array.from(rec.dSignal[1]!), [5, 6, 7, 8]);
  }
});

test('a skewed signal with a wrong checksum is still refused with a WfdbError naming the file (and can be read anyway)', () => {
  const a = [1, 2, 3, 4], bFile = [5, 6, 7, 8];
  const text = `r 2 250 4\nr.dat 16 200 16 0 1 ${checksum16(a)} 0 A\nr.dat 16:1 200 16 0 5 1234 0 B\n`;
  const files = memoryFiles({ 'r.dat': encodeFormat(16, interleave([a, bFile])) });
  throwsWfdb(() => readRecord(parseHeader(text, 'r.hea'), files), 'r.dat', /checksum mismatch for signal 1 \(B\).* says 1234, the samples sum to 26 .*deskewed samples sum to 21/);
  const rec = readRecord(parseHeader(text, 'r.hea'), files, { verifyChecksums: false });
  assert.equal(Array.from(rec.dSignal[1]!), [6, 7, 8, -32768]);
});

test('skew with samples per frame and a second file: the skew counts frames', () => {
  // x: 2 samples per frame, skew 1; y in its own file, no skew.
  const xFile = [[0, 0], [1, 2], [3, 4], [5, 6]], y = [7, 8, 9, 10];
  const a = encodeFormat(16, xFile.flat());
  const text = `r 2 250 4\na.dat 16x2:1 200 16 0 0 ${checksum16(xFile.flat())} 0 X\nb.dat 80 200 8 0 7 ${checksum16(y)} 0 Y\n`;
  const rec = readRecord(parseHeader(text, 'r.hea'), memoryFiles({ 'a.dat': a, 'b.dat': encodeFormat(80, y) }));
  assert.equal(Array.from(rec.dSignal[0]!), [1, 2, 3, 4, 5, 6, -32768, -32768]);
  assert.equal(Array.from(rec.dSignal[1]!), y);
});

test('format 8: signed byte differences summed per signal from the initial value (hand-computed)', () => {
  // Two interleaved signals. A starts at 100, B at -5 (initial values in field 6).
  // Differences (bytes): A: 0, +127 (0x7f), -128 (0x80), -1 (0xff), +1;  B: +3, 0x81 (-127), 0xfe (-2), 0x7f, 0.
  const bytes = new Uint8Array([0x00, 0x03, 0x7f, 0x81, 0x80, 0xfe, 0xff, 0x7f, 0x01, 0x00]);
  const A = [100, 227, 99, 98, 99]; // 100+0, +127, -128, -1, +1
  const B = [-2, -129, -131, -4, -4]; // -5+3, -127, -2, +127, 0
  const text = `r 2 250 5\nr.dat 8 200 12 0 100 ${checksum16(A)} 0 A\nr.dat 8 100 12 0 -5 ${checksum16(B)} 0 B\n`;
  const h = parseHeader(text, 'r.hea');
  assert.equal(h.signals.map((s) => [s.fmt, s.initValue, s.adcRes]), [[8, 100, 12], [8, -5, 12]]);
  const rec = readRecord(h, memoryFiles({ 'r.dat': bytes }));
  assert.equal(Array.from(rec.dSignal[0]!), A);
  assert.equal(Array.from(rec.dSignal[1]!), B);
  assert.equal(Array.from(rec.pSignal[1]!), B.map((v) => Math.fround(v / 100)));
  assert.is(bytesForSamples(8, 10), 10);
  assert.equal(Array.from(decodeSamples(8, bytes, 0, 4)), [0, 3, 127, -127]);
});

test('format 8 with samples per frame and a skew: differences run through the file in order, then the skew applies', () => {
  // x: 2 samples per frame (init 10), y: 1 sample per frame (init 0, skew 1). Frames: [dx, dx, dy].
  const bytes = new Uint8Array([1, 2, 5, 0xff, 0xff, 0xfb, 3, 3, 0x0a]);
  const xs = [11, 13, 12, 11, 14, 17];
  const yFile = [5, 0, 10];
  const text = `r 2 250 3\nr.dat 8x2 200 12 0 10 ${checksum16(xs)} 0 X\nr.dat 8:1 200 12 0 0 ${checksum16(yFile)} 0 Y\n`;
  const rec = readRecord(parseHeader(text, 'r.hea'), memoryFiles({ 'r.dat': bytes }));
  assert.equal(Array.from(rec.dSignal[0]!), xs);
  assert.equal(Array.from(rec.dSignal[1]!), [0, 10, -32768]);
  assert.ok(Number.isNaN(rec.pSignal[1]![2]!));
});

test('format 8: sums wrap in 32-bit arithmetic as in WFDB, and integrateDifferences works in place', () => {
  const raw = Int32Array.from([127, -128, 1]);
  integrateDifferences(raw, 1, [1], [2 ** 31 - 100]);
  // 2^31 - 100 + 127 wraps below zero; subtracting 128 wraps back above.
  assert.equal(Array.from(raw), [2 ** 31 + 27 - 2 ** 32, 2 ** 31 - 101, 2 ** 31 - 100]);
});

test('format 8: a truncated file or a bad checksum is a WfdbError naming the file', () => {
  throwsWfdb(() => readRecord(parseHeader('r 1 250 4\nr.dat 8 200 12 0 0\n', 'r.hea'), memoryFiles({ 'r.dat': new Uint8Array(3) })), 'r.dat', /truncated/);
  throwsWfdb(() => readRecord(parseHeader('r 1 250 2\nr.dat 8 200 12 0 7 0 0\n', 'r.hea'), memoryFiles({ 'r.dat': new Uint8Array([1, 1]) })), 'r.dat', /checksum mismatch .*says 0, the samples sum to 17/);
});

test('format 0: a null signal reads no file and returns invalid samples (-32768, NaN) for the record length', () => {
  const a = [1, 2, 3, 4];
  // Two null signals named "~" on non-consecutive lines; their checksum fields are ignored, as in WFDB.
  const text = `r 3 250 4\n~ 0 200 12 0 0 77 0 N1\nr.dat 16 200 16 0 1 ${checksum16(a)} 0 A\n~ 0 200\n`;
  const h = parseHeader(text, 'r.hea');
  assert.equal(h.signals.map((s) => s.fmt), [0, 16, 0]);
  const rec = readRecord(h, memoryFiles({ 'r.dat': encodeFormat(16, a) }));
  assert.equal(Array.from(rec.dSignal[0]!), [-32768, -32768, -32768, -32768]);
  assert.equal(Array.from(rec.dSignal[1]!), a);
  assert.equal(Array.from(rec.dSignal[2]!), [-32768, -32768, -32768, -32768]);
  assert.ok(Array.from(rec.pSignal[2]!).every(Number.isNaN));
  assert.equal(rec.fmt, [0, 16, 0]);
});

test('format 0: the length comes from the header, or from a real file when the header gives none; alone it is 0', () => {
  const none = () => { throw new Error('no file should be opened for a null signal'); };
  assert.is(readRecord(parseHeader('r 1 250 3\n~ 0\n', 'r.hea'), none).dSignal[0]!.length, 3);
  assert.is(readRecord(parseHeader('r 1 250\n~ 0\n', 'r.hea'), none).sigLen, 0);
  const rec = readRecord(parseHeader('r 2 250\nr.dat 80\n~ 0\n', 'r.hea'), memoryFiles({ 'r.dat': encodeFormat(80, [1, 2]) }));
  assert.equal([rec.sigLen, Array.from(rec.dSignal[1]!)], [2, [-32768, -32768]]);
});

test('header validation accepts formats 0 and 8 and still refuses unknown ones; hand-built headers are checked', () => {
  assert.is(parseHeader('r 1 250 3\nr.dat 8\n', 'r.hea').signals[0]!.fmt, 8);
  assert.is(parseHeader('r 1 250 3\n~ 0\n', 'r.hea').signals[0]!.fmt, 0);
  throwsWfdb(() => parseHeader('r 1 250 3\nr.dat 9\n', 'r.hea'), 'r.hea', /unknown or unsupported signal format 9; supported formats are 0, 8, /);
  const h = parseHeader('r 1 250 2\nr.dat 8\n', 'r.hea');
  const bad = { ...h, signals: [{ ...h.signals[0]!, initValue: 0.5 }] } as Header;
  throwsWfdb(() => readRecord(bad, memoryFiles({ 'r.dat': new Uint8Array(2) })), 'r.hea', /format 8\) has initial value 0\.5/);
});

test.run();
