// Specification of signal reading (signal(5)) and writing: every format, interleaving, several files,
// samples per frame, skew, byte offset, invalid samples, physical units, checksums and round trips.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHeader } from '../../src/ecg/wfdb/header.ts';
import { checksum16, readRecord } from '../../src/ecg/wfdb/record.ts';
import { INVALID_SAMPLE } from '../../src/ecg/wfdb/signal-formats.ts';
import { writeRecord } from '../../src/ecg/wfdb/write.ts';
import { encodeFormat, memoryFiles } from './helpers.ts';

const RANGE: Record<number, [number, number]> = {
  212: [-2047, 2047], 16: [-32767, 32767], 61: [-32767, 32767], 80: [-127, 127], 160: [-32767, 32767],
  310: [-511, 511], 311: [-511, 511], 24: [-8388607, 8388607], 32: [-2147483647, 2147483647],
};

function ramp(fmt: number, n: number, phase: number): number[] {
  const [lo, hi] = RANGE[fmt]!;
  const out = [lo, hi, 0, -1, 1];
  for (let i = out.length; i < n; i++) out.push(Math.round(Math.sin(i * 0.37 + phase) * hi * 0.9));
  return out.slice(0, n);
}

for (const fmt of [212, 16, 61, 80, 160, 310, 311, 24, 32]) {
  for (const n of [7, 8, 9]) {
    test(`format ${fmt}: two interleaved signals of ${n} samples decode exactly and their checksums verify`, () => {
      const a = ramp(fmt, n, 0), b = ramp(fmt, n, 1);
      const inter = a.flatMap((v, i) => [v, b[i]!]);
      const text = `r 2 360 ${n}\nr.dat ${fmt} 100 0 0 ${a[0]} ${checksum16(a)} 0 A\nr.dat ${fmt} 100 0 0 ${b[0]} ${checksum16(b)} 0 B\n`;
      const rec = readRecord(parseHeader(text, 'r.hea'), memoryFiles({ 'r.dat': encodeFormat(fmt, inter) }));
      assert.equal(Array.from(rec.dSignal[0]!), a);
      assert.equal(Array.from(rec.dSignal[1]!), b);
      assert.equal(rec.sigName, ['A', 'B']);
    });
  }
}

test('the invalid-sample marker of each format reads as NaN in pSignal and stays in dSignal', () => {
  for (const fmt of [212, 16, 61, 80, 160, 310, 311, 24, 32]) {
    const inv = INVALID_SAMPLE[fmt]!;
    const s = [10, inv, -10];
    const rec = readRecord(parseHeader(`r 1 100 3\nr.dat ${fmt} 10(2)\n`), memoryFiles({ 'r.dat': encodeFormat(fmt, s) }));
    assert.equal(Array.from(rec.dSignal[0]!), s, `format ${fmt}`);
    assert.equal(Array.from(rec.pSignal[0]!), [0.8, NaN, -1.2].map(Math.fround), `format ${fmt}`);
  }
});

test('physical values are (digital - baseline) / gain with the header units', () => {
  const rec = readRecord(parseHeader('r 1 360 3\nr.dat 16 200(1024)/mV 11 1024\n'), memoryFiles({ 'r.dat': encodeFormat(16, [1024, 1224, 824]) }));
  assert.equal(Array.from(rec.pSignal[0]!), [0, 1, -1]);
  assert.equal(rec.units, ['mV']);
});

test('several files per record, byte offset, samples per frame and skew are honoured', () => {
  // File a.dat: 4-byte preamble then frames of [x (2 samples per frame), y]; file b.dat: z with skew 1.
  const x = [1, 2, 3, 4, 5, 6], y = [-1, -2, -3], z = [100, 7, 8, 9];
  const frames: number[] = [];
  for (let t = 0; t < 3; t++) frames.push(x[2 * t]!, x[2 * t + 1]!, y[t]!);
  const a = new Uint8Array([9, 9, 9, 9, ...encodeFormat(16, frames)]);
  const text = 'r 3 250 3\na.dat 16x2+4 200 16 0 1 21 0 X\na.dat 16+4 200 16 0 -1 -6 0 Y\nb.dat 80:1 200 8 0 7 24 0 Z\n';
  const rec = readRecord(parseHeader(text), memoryFiles({ 'a.dat': a, 'b.dat': encodeFormat(80, z) }));
  assert.equal(Array.from(rec.dSignal[0]!), x);
  assert.equal(Array.from(rec.dSignal[1]!), y);
  assert.equal(Array.from(rec.dSignal[2]!), [7, 8, 9]);
  assert.equal(rec.sampsPerFrame, [2, 1, 1]);
});

test('a skewed signal whose shifted frames run past the file end reads the invalid marker there', () => {
  const rec = readRecord(parseHeader('r 1 250 3\nb.dat 80:2\n'), memoryFiles({ 'b.dat': encodeFormat(80, [1, 2, 3]) }));
  assert.equal(Array.from(rec.dSignal[0]!), [3, -128, -128]);
});

test('a header without a length takes it from the file size', () => {
  const rec = readRecord(parseHeader('r 2 360\nr.dat 212\nr.dat 212\n'), memoryFiles({ 'r.dat': encodeFormat(212, [1, 2, 3, 4, 5, 6]) }));
  assert.is(rec.sigLen, 3);
});

test('the channels option selects signals', () => {
  const rec = readRecord(parseHeader('r 2 360 2\nr.dat 16 200 16 0 0 4 0 A\nr.dat 16 200 16 0 0 6 0 B\n'), memoryFiles({ 'r.dat': encodeFormat(16, [1, 2, 3, 4]) }), { channels: [1] });
  assert.equal(rec.sigName, ['B']);
  assert.equal(Array.from(rec.dSignal[0]!), [2, 4]);
});

for (const fmt of [212, 16, 80]) {
  test(`writeRecord in format ${fmt} round-trips digital samples, metadata and checksums (odd and even lengths)`, () => {
    for (const n of [5, 6]) {
      const a = ramp(fmt, n, 0), b = ramp(fmt, n, 2);
      const w = writeRecord({ recordName: 'w', fs: 128, dSignal: [a, b], fmt, adcGain: [50, 60], baseline: [3, -4], units: ['mV', 'uV'], sigName: ['I', 'II'], comments: ['hello'] });
      const h = parseHeader(w.header, 'w.hea');
      const rec = readRecord(h, memoryFiles(Object.fromEntries(w.files)));
      assert.equal(rec.dSignal.map((d) => Array.from(d)), [a, b]);
      assert.equal([rec.fs, rec.sigLen, rec.adcGain, rec.baseline, rec.units, rec.sigName, rec.comments], [128, n, [50, 60], [3, -4], ['mV', 'uV'], ['I', 'II'], ['hello']]);
      assert.equal(rec.checksum, [checksum16(a), checksum16(b)]);
      assert.equal(encodeFormat(fmt, a.flatMap((v, i) => [v, b[i]!])), w.files.get('w.dat'));
    }
  });
}

test('writeRecord from physical samples keeps values to within half an ADC step, NaN as invalid', () => {
  const p = [0.5, -1.25, NaN, 2];
  const w = writeRecord({ recordName: 'p', fs: 360, pSignal: [p], fmt: 212 });
  const rec = readRecord(parseHeader(w.header), memoryFiles(Object.fromEntries(w.files)));
  const step = 1 / rec.adcGain[0]!;
  rec.pSignal[0]!.forEach((v, i) => {
    if (Number.isNaN(p[i]!)) assert.ok(Number.isNaN(v));
    else assert.ok(Math.abs(v - p[i]!) <= step / 2 + 1e-6, `sample ${i}: ${v} vs ${p[i]}`);
  });
});

test('signals of different formats are written to separate files of one record', () => {
  const w = writeRecord({ recordName: 'm', fs: 100, dSignal: [[1, 2, 3], [4, 5, 6]], fmt: [16, 80] });
  assert.equal([...w.files.keys()], ['m_0.dat', 'm_1.dat']);
  const rec = readRecord(parseHeader(w.header), memoryFiles(Object.fromEntries(w.files)));
  assert.equal(rec.dSignal.map((d) => Array.from(d)), [[1, 2, 3], [4, 5, 6]]);
});

test('values a format cannot store are refused when writing', () => {
  assert.throws(() => writeRecord({ recordName: 'x', fs: 1, dSignal: [[3000]], fmt: 212 }), /format 212 cannot store/);
  assert.throws(() => writeRecord({ recordName: 'x', fs: 1, dSignal: [[1]], fmt: 24 }), /cannot write format 24/);
});

test.run();
