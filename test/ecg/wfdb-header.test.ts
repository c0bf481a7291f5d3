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
  ['multi-segment record without its segment lines', 'multi/3 2 360 100\n', /declares 3 segment\(s\) but only 0 segment line/],
  ['multi-segment record with an extra segment line', 'multi/1 2 360 100\na 100\nb 5\n', /extra segment line/],
  ['segment lengths that disagree with the record line', 'multi/2 2 360 100\na 60\nb 50\n', /segments hold 110/],
  ['a segment name that is a path', 'multi/1 2 360 100\n../x 100\n', /not a plain record name/],
  ['a segment count of 0', 'multi/0 2 360 100\n', /number of segments/],
  ['non-numeric frequency', 'r 1 abc 100\nr.dat 16\n', /r\.hea line 1: sampling frequency must be a number, got "abc"/],
  ['non-numeric length', 'r 1 360 1e3x\nr.dat 16\n', /line 1: number of samples per signal must be an integer, got "1e3x"/],
  ['unknown format', 'r 1 360 100\nr.dat 999 200\n', /r\.hea line 2: unknown or unsupported signal format 999; supported formats are/],
  ['non-numeric gain', 'r 1 360 100\nr.dat 16 abc\n', /line 2: ADC gain must be a number, got "abc"/],
  ['missing signal line', 'r 2 360 100\nr.dat 16\n', /declares 2 signal\(s\) but only 1 signal line\(s\) follow/],
  ['extra signal line', 'r 1 360 100\nr.dat 16\nr.dat 16\n', /line 3: the record line declares 1 signal\(s\) but this is an extra signal line/],
  ['empty header', '# only a comment\n', /no record line found/],
  // issue 15, point 5: fields no recording can have are refused with the line and the field.
  ['record line naming another record', 's 1 360 100\nr.dat 16\n', /r\.hea line 1: the record line names record "s", but the file is r\.hea/],
  ['ADC resolution of 33 bits', 'r 1 360 100\nr.dat 16 200 33\n', /r\.hea line 2: ADC resolution must be an integer in 0\.\.32, got 33/],
  ['negative ADC resolution', 'r 1 360 100\nr.dat 16 200 -1\n', /r\.hea line 2: ADC resolution must be an integer in 0\.\.32, got -1/],
  ['baseline beyond 32 bits', 'r 1 360 100\nr.dat 16 200(99999999999)\n', /line 2: baseline must be an integer in -2147483648\.\.2147483647/],
  ['ADC zero beyond 32 bits', 'r 1 360 100\nr.dat 16 200 16 4294967296\n', /line 2: ADC zero must be an integer in/],
  ['checksum of 30 digits', `r 1 360 100\nr.dat 16 200 16 0 0 ${'9'.repeat(30)}\n`, /line 2: checksum must be an integer in .* got 9{30}/],
  ['infinite gain', 'r 1 360 100\nr.dat 16 Infinity\n', /line 2: ADC gain must be a number, got "Infinity"/],
  ['NaN gain', 'r 1 360 100\nr.dat 16 NaN\n', /line 2: ADC gain must be a number, got "NaN"/],
  ['gain of 1e300', 'r 1 360 100\nr.dat 16 1e300\n', /line 2: ADC gain 1e300 is outside 1e-12\.\.1000000000000/],
  ['gain of 1e-300', 'r 1 360 100\nr.dat 16 -1e-300(5)\n', /line 2: ADC gain -1e-300 is outside/],
  ['sampling frequency of 1e300', 'r 1 1e300 100\nr.dat 16\n', /line 1: the sampling frequency must be in 1e-9\.\.1000000000 Hz, got 1e\+300/],
  ['zero counter frequency', 'r 1 360/0 100\nr.dat 16\n', /line 1: the counter frequency must be in/],
  ['length of 400 digits', `r 1 360 ${'9'.repeat(400)}\nr.dat 16\n`, /line 1: number of samples per signal must be an integer in 0\.\.9007199254740991, got 9{40}\.\.\. \(400 characters\)/],
  ['negative length', 'r 1 360 -5\nr.dat 16\n', /line 1: number of samples per signal must be an integer in 0\.\./],
  ['huge samples per frame', 'r 1 360 100\nr.dat 16x99999999999\n', /line 2: samples per frame must be an integer in 1\.\.2147483647/],
  ['zero samples per frame', 'r 1 360 100\nr.dat 16x0\n', /line 2: samples per frame must be an integer in 1\.\./],
  ['huge skew', 'r 1 360 100\nr.dat 16:99999999999\n', /line 2: skew must be an integer in/],
  ['byte offset of 30 digits', `r 1 360 100\nr.dat 16+${'1'.repeat(30)}\n`, /line 2: byte offset must be an integer in 0\.\.9007199254740991/],
];
for (const [what, text, message] of bad) {
  test(`a header with a ${what} is rejected with the line and what was expected`, () => {
    assert.throws(() => parseHeader(text, 'r.hea'), (e: unknown) => e instanceof WfdbError && message.test((e as Error).message));
  });
}

test('what WFDB reads stays readable: gain 0 (default 200), negative gains, resolution 0, a header path with folders', () => {
  const h = parseHeader('r 2 0.5 10\nr.dat 16 0 0\nr.dat 16 -50(3)/uV 32 -2147483648 2147483647 -2147483648 0 inverted\n', '/data/set/r.hea');
  assert.equal(h.signals.map((s) => [s.adcGain, s.adcRes, s.baseline]), [[200, 16, 0], [-50, 32, 3]]);
  assert.is(h.fs, 0.5);
  // Without a .hea file name there is no name to compare the record line with.
  assert.is(parseHeader('s 1 360 1\ns.dat 16\n', 'uploaded text').recordName, 's');
});

test('parseHeader of a non-string (issue 15, point 10) is a WfdbError naming the file, not an engine error', () => {
  for (const v of [12345, null, undefined, new Uint8Array(3), { length: 3 }, ['r 1']]) {
    assert.throws(
      () => parseHeader(v as never, 'x.hea'),
      (e: unknown) => e instanceof WfdbError && /^x\.hea: expected the header text as a string, got /.test((e as Error).message),
    );
  }
  assert.throws(() => parseHeader(1 as never, 7 as never), (e: unknown) => e instanceof WfdbError && /^header: expected/.test((e as Error).message));
});

test.run();
