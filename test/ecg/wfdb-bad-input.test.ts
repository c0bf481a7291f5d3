// Bad input never yields silent zeros or a partial record: each case is an error that names the file,
// the place and what was expected.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WfdbError } from '../../src/ecg/errors.ts';
import { rdann, rdrecord, wrsamp } from '../../src/node/wfdb-files.ts';

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
  writeFileSync(join(dir, 'fmt.hea'), 'fmt 1 360 3\nfmt.dat 8 200\n');
  fails(() => rdrecord(join(dir, 'fmt')), /fmt\.hea line 2: unknown or unsupported signal format 8/);
  writeFileSync(join(dir, 'nan.hea'), 'nan 1 360 3\nnan.dat 16 200 11 zero\n');
  fails(() => rdrecord(join(dir, 'nan')), /nan\.hea line 2: ADC zero must be an integer, got "zero"/);
});

test('a checksum mismatch names the file, the signal and both sums; it can be turned off deliberately', () => {
  record('sum');
  writeFileSync(join(dir, 'sum.dat'), Uint8Array.from([1, 0, 2, 3, 0, 4, 5, 0, 7]));
  fails(() => rdrecord(join(dir, 'sum')), /sum\.dat: checksum mismatch for signal 1 \(unnamed\): the header \(sum\.hea\) says 12, the samples sum to 13/);
  assert.equal(Array.from(rdrecord(join(dir, 'sum'), { verifyChecksums: false }).dSignal[1]!), [2, 4, 7]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
