// Specification of header parsing (header(5)): record line, signal lines, defaults, comments, errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatHeader, parseHeader } from '../../src/ecg/wfdb/header.ts';
import { WfdbError } from '../../src/ecg/errors.ts';

const MITDB_100 = '100 2 360 650000\r\n100.dat 212 200 11 1024 995 -22131 0 MLII\r\n100.dat 212 200 11 1024 1011 20052 0 V5\r\n# 69 M 1085 1629 x1\r\n# Aldomet, Inderal\r\n';

test('the record line and signal lines of MIT-BIH record 100 parse into wfdb-python fields', () => {
  const h = parseHeader(MITDB_100, '100.hea');
  assert.is(h.recordName, '100');
  assert.is(h.nSig, 2);
  assert.is(h.fs, 360);
  assert.is(h.sigLen, 650000);
  assert.equal(h.signals.map((s) => s.sigName), ['MLII', 'V5']);
  const s = h.signals[0]!;
  assert.equal(
    [s.fileName, s.fmt, s.adcGain, s.baseline, s.units, s.adcRes, s.adcZero, s.initValue, s.checksum, s.blockSize],
    ['100.dat', 212, 200, 1024, 'mV', 11, 1024, 995, -22131, 0],
  );
  assert.equal(h.comments, ['69 M 1085 1629 x1', 'Aldomet, Inderal']);
});

test('every optional field of the record and signal lines is read', () => {
  const h = parseHeader(
    'rec 2 500/1000(20) 1200 12:30:00 25/12/2020\n' +
      'a.dat 16x2:3+512 100(-5)/uV 16 7 12 345 0 lead I with spaces\n' +
      'b.dat 80 0 0 0\n',
  );
  assert.equal([h.fs, h.counterFreq, h.baseCounter, h.sigLen, h.baseTime, h.baseDate], [500, 1000, 20, 1200, '12:30:00', '25/12/2020']);
  const [a, b] = h.signals as [typeof h.signals[0], typeof h.signals[0]];
  assert.equal([a.fmt, a.sampsPerFrame, a.skew, a.byteOffset, a.adcGain, a.baseline, a.units], [16, 2, 3, 512, 100, -5, 'uV']);
  assert.equal([a.adcRes, a.adcZero, a.initValue, a.checksum, a.sigName], [16, 7, 12, 345, 'lead I with spaces']);
  // gain 0 means 200, resolution 0 means the format's width, baseline defaults to the ADC zero.
  assert.equal([b.adcGain, b.adcRes, b.baseline, b.units, b.checksum], [200, 8, 0, 'mV', undefined]);
});

test('formatHeader writes what parseHeader reads back', () => {
  const h = parseHeader('rec 1 360 10 10:00:00 01/02/2003\nrec.dat 16:2+4 250.5(3)/mV 16 1 5 -7 0 MLII\n# note');
  assert.equal(parseHeader(formatHeader(h)), h);
});

const bad: [string, string, RegExp][] = [
  ['multi-segment record', 'multi/3 2 360 100\n', /multi-segment records are not supported/],
  ['non-numeric frequency', 'r 1 abc 100\nr.dat 16\n', /r\.hea line 1: sampling frequency must be a number, got "abc"/],
  ['non-numeric length', 'r 1 360 1e3x\nr.dat 16\n', /line 1: number of samples per signal must be an integer, got "1e3x"/],
  ['unknown format', 'r 1 360 100\nr.dat 999 200\n', /r\.hea line 2: unknown or unsupported signal format 999; supported formats are/],
  ['non-numeric gain', 'r 1 360 100\nr.dat 16 abc\n', /line 2: ADC gain must be a number, got "abc"/],
  ['missing signal line', 'r 2 360 100\nr.dat 16\n', /declares 2 signal\(s\) but only 1 signal line\(s\) follow/],
  ['extra signal line', 'r 1 360 100\nr.dat 16\nr.dat 16\n', /line 3: the record line declares 1 signal\(s\) but this is an extra signal line/],
  ['empty header', '# only a comment\n', /no record line found/],
];
for (const [what, text, message] of bad) {
  test(`a header with a ${what} is rejected with the line and what was expected`, () => {
    assert.throws(() => parseHeader(text, 'r.hea'), (e: unknown) => e instanceof WfdbError && message.test((e as Error).message));
  });
}

test.run();
