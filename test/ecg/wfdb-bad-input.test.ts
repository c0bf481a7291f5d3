// Bad input never yields silent zeros or a partial record: each case is an error that names the file,
// the place and what was expected.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WfdbError } from '../../src/ecg/errors.ts';
import { parseAnnotations } from '../../src/ecg/wfdb/annotations.ts';
import { parseHeader } from '../../src/ecg/wfdb/header.ts';
import { readRecord } from '../../src/ecg/wfdb/record.ts';
import { rdann, rdheader, rdrecord, wrann, wrsamp } from '../../src/node/wfdb-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'ecgrad-bad-'));
const fails = (f: () => unknown, message: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof WfdbError && message.test((e as Error).message));

function record(name: string, samples = [1, 2, 3, 4, 5, 6]): void {
  wrsamp(dir, { recordName: name, fs: 360, dSignal: [samples.filter((_, i) => i % 2 === 0), samples.filter((_, i) => i % 2 === 1)], fmt: 212 });
}

test('a missing header, signal file or annotation file is named with a hint', () => {
  fails(() => rdrecord(join(dir, 'nothere')), /nothere\.hea: file not found \(the record header\); check the data directory/);
  record('nodat');
  rmSync(join(dir, 'nodat.dat'));
  fails(() => rdrecord(join(dir, 'nodat')), /nodat\.dat: file not found \(signal file named in .*nodat\.hea\)/);
  fails(() => rdann(join(dir, 'nodat'), 'atr'), /nodat\.atr: file not found \(annotator "atr"\)/);
});

test('a truncated .dat file is reported with the byte where it ends and the bytes needed', () => {
  record('trunc');
  writeFileSync(join(dir, 'trunc.dat'), new Uint8Array(5));
  fails(() => rdrecord(join(dir, 'trunc')), /trunc\.dat: truncated: the header \(trunc\.hea\) gives 3 samples per signal, which need 9 bytes of format 212 after byte offset 0, but the file ends at byte 5/);
});

test('a header whose length disagrees with a longer data file is reported', () => {
  record('long');
  writeFileSync(join(dir, 'long.dat'), new Uint8Array(30));
  fails(() => rdrecord(join(dir, 'long')), /long\.dat: the file holds 30 bytes of samples .* but the header \(long\.hea\) gives 3 samples per signal \(9 bytes\); the header's length disagrees/);
});

test('an unknown format and a non-numeric field name the header line', () => {
  writeFileSync(join(dir, 'fmt.hea'), 'fmt 1 360 3\nfmt.dat 9 200\n');
  fails(() => rdrecord(join(dir, 'fmt')), /fmt\.hea line 2: unknown or unsupported signal format 9/);
  writeFileSync(join(dir, 'nan.hea'), 'nan 1 360 3\nnan.dat 16 200 11 zero\n');
  fails(() => rdrecord(join(dir, 'nan')), /nan\.hea line 2: ADC zero must be an integer, got "zero"/);
});

test('a checksum mismatch names the file, the signal and both sums; it can be turned off deliberately', () => {
  record('sum');
  writeFileSync(join(dir, 'sum.dat'), Uint8Array.from([1, 0, 2, 3, 0, 4, 5, 0, 7]));
  fails(() => rdrecord(join(dir, 'sum')), /sum\.dat: checksum mismatch for signal 1 \(unnamed\): the header \(sum\.hea\) says 12, the samples sum to 13/);
  assert.equal(Array.from(rdrecord(join(dir, 'sum'), { verifyChecksums: false }).dSignal[1]!), [2, 4, 7]);
});

// Issue 15, point 10: the exported functions called with the wrong kinds of argument.
test('parseAnnotations with a non-Uint8Array is a WfdbError naming the file', () => {
  for (const v of ['abc', 12, null, [0, 0], new ArrayBuffer(2), new Int16Array(1)]) {
    fails(() => parseAnnotations(v as never, 'x.atr'), /^x\.atr: expected the annotation file's bytes as a Uint8Array, got /);
  }
  fails(() => parseAnnotations(new Uint8Array(2), 'x.atr', 5 as never), /^x\.atr: recordName and extension must be strings/);
  // A Node Buffer is a Uint8Array and is read.
  assert.is(parseAnnotations(Buffer.from([0, 0]), 'x.atr').symbol.length, 0);
});

test('readRecord with a bad header, file source, options or channels is a WfdbError naming the header', () => {
  const text = 'r 2 360 3\nr.dat 212\nr.dat 212\n';
  const h = parseHeader(text, 'r.hea');
  const src = () => new Uint8Array(9);
  for (const v of [null, 5, 'r 1 360', {}]) fails(() => readRecord(v as never, src), /header|readRecord: expected a header/);
  fails(() => readRecord({ ...h, signals: 'x' } as never, src), /^r\.hea: signals is a string, expected an array/);
  fails(() => readRecord({ ...h, sigLen: -1 }, src), /^r\.hea: sigLen is -1/);
  fails(() => readRecord({ ...h, sigLen: Infinity }, src), /^r\.hea: sigLen is Infinity/);
  for (const [field, value, message] of [
    ['fmt', 999, /signal 0 has format 999; readable formats are/],
    ['fmt', 'constructor', /signal 0 has format constructor/],
    ['sampsPerFrame', 0, /signal 0 has 0 samples per frame/],
    ['skew', -1, /signal 0 has skew -1/],
    ['byteOffset', 1.5, /signal 0 has byte offset 1\.5/],
    ['adcGain', NaN, /signal 0 has ADC gain NaN/],
    ['adcGain', 0, /signal 0 has ADC gain 0/],
    ['baseline', Infinity, /signal 0 has baseline Infinity/],
    ['checksum', 2 ** 40, /signal 0 has checksum/],
    ['fileName', 7, /signal 0 has no file name/],
  ] as const) {
    fails(() => readRecord({ ...h, signals: [{ ...h.signals[0]!, [field]: value }, h.signals[1]!] }, src), message);
  }
  fails(() => readRecord({ ...h, signals: [null as never] }, src), /^r\.hea: signal 0 is null/);
  fails(() => readRecord(h, 'r.dat' as never), /^r\.hea: readRecord needs a function that returns the bytes of a named file, got a string/);
  fails(() => readRecord(h, src, 3 as never), /^r\.hea: readRecord options must be an object/);
  fails(() => readRecord(h, src, { channels: 'a' as never }), /^r\.hea: the channels option must be an array/);
  fails(() => readRecord(h, src, { channels: [2] }), /^r\.hea: channel 2 does not exist \(the record has 2 signals\)/);
  fails(() => readRecord(h, () => 'bytes' as never), /^r\.dat: the file source returned a string for this file, expected a Uint8Array/);
  fails(() => readRecord(h, () => [1, 2, 3] as never), /^r\.dat: the file source returned an Array for this file/);
  fails(() => readRecord(parseHeader('r 3 360 3\na.dat 212\nb.dat 212\na.dat 212\n', 'r.hea'), src), /^r\.hea: signal 2 is stored in a\.dat, but the signals of one file must be on consecutive/);
});

test('rdheader, rdrecord, rdann and wrann with bad paths are WfdbErrors', () => {
  fails(() => rdheader(42 as never), /rdheader: the record path must be a non-empty string, got a number \(42\)/);
  fails(() => rdrecord('' as never), /rdrecord: the record path must be a non-empty string/);
  fails(() => rdrecord(join(dir, 'a\0b')), /the record path ".*a\\0b" contains a NUL character/);
  fails(() => rdann(join(dir, 'x'), 7 as never), /rdann: the annotator \(extension\) must be a non-empty string, got a number \(7\)/);
  fails(() => rdann(join(dir, 'x'), '/../../etc/passwd'), /rdann: the annotator \(extension\) "\/\.\.\/\.\.\/etc\/passwd" contains a path separator/);
  fails(() => wrann(dir, '../up', 'atr', { sample: [], symbol: [] }), /wrann: the record name "\.\.\/up" contains a path separator/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
