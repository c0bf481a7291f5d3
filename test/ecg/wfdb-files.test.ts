// Issue 15, point 7: the file names in a header are data. rdrecord reads only regular files inside the
// record's folder (no absolute paths, no ".." segments, never a device, FIFO or folder) and checks a
// signal file's size against the header before reading it. Every file is generated in a temp folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WfdbError } from '../../src/ecg/errors.ts';
import { rdann, rdheader, rdrecord, wrann, wrsamp } from '../../src/node/wfdb-files.ts';

const root = mkdtempSync(join(tmpdir(), 'ecgrad-wfdb-files-'));
const dir = join(root, 'rec');
const outside = join(root, 'outside');
mkdirSync(dir);
mkdirSync(outside);
// A valid record outside the record folder, as a traversal target: 2 signals, 3 samples, format 212.
wrsamp(outside, { recordName: '100', fs: 360, dSignal: [[1, 3, 5], [2, 4, 6]], fmt: 212 });

const fails = (f: () => unknown, message: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof WfdbError && message.test((e as Error).message));

/** A header in the record folder naming `file` for both signals (format 212, `len` samples or none). */
function header(name: string, file: string, len: number | null = 3): string {
  writeFileSync(join(dir, `${name}.hea`), `${name} 2 360${len === null ? '' : ` ${len}`}\n${file} 212\n${file} 212\n`);
  return join(dir, name);
}

const quick = <T>(f: () => T): T => {
  const t = performance.now();
  try {
    return f();
  } finally {
    assert.ok(performance.now() - t < 1000, `took ${(performance.now() - t).toFixed(0)} ms`);
  }
};

test('a header naming ../outside/100.dat or an absolute path is refused, not read', () => {
  fails(() => rdrecord(header('up', '../outside/100.dat')), /up\.hea: the signal file name "\.\.\/outside\/100\.dat" has a "\.\." segment; signal files must be inside the record's folder/);
  fails(() => rdrecord(header('up2', 'sub/../../outside/100.dat')), /has a "\.\." segment/);
  fails(() => rdrecord(header('back', '..\\outside\\100.dat')), /has a "\.\." segment/);
  fails(() => rdrecord(header('abs', join(outside, '100.dat'))), /abs\.hea: the signal file name ".*100\.dat" is an absolute path/);
  fails(() => rdrecord(header('win', 'C:\\data\\100.dat')), /win\.hea: the signal file name "C:\\\\data\\\\100\.dat" is an absolute path/);
  fails(() => rdrecord(header('nul', 'a\0b.dat')), /nul\.hea: the signal file name "a\\u0000b\.dat" contains a NUL character/);
});

test('/dev/zero and /dev/urandom are refused at once, named directly or through a link in the folder', () => {
  fails(() => quick(() => rdrecord(header('zero', '../../dev/zero'))), /has a "\.\." segment/);
  fails(() => quick(() => rdrecord(header('rand', '/dev/urandom'))), /is an absolute path/);
  symlinkSync('/dev/zero', join(dir, 'zero.dat'));
  symlinkSync('/dev/urandom', join(dir, 'rand.dat'));
  for (const [name, len] of [['zero', 3], ['rand', null]] as const) {
    fails(() => quick(() => rdrecord(header(`${name}l`, `${name}.dat`, len))), new RegExp(`${name}\\.dat: is a character device, not a regular file \\(signal file named in .*${name}l\\.hea\\); only plain files are read`));
  }
  // A header or an annotation file that is a device is refused too.
  symlinkSync('/dev/zero', join(dir, 'dev.hea'));
  symlinkSync('/dev/zero', join(dir, 'dev.atr'));
  fails(() => quick(() => rdheader(join(dir, 'dev'))), /dev\.hea: is a character device, not a regular file \(the record header\)/);
  fails(() => quick(() => rdann(join(dir, 'dev'), 'atr')), /dev\.atr: is a character device, not a regular file \(annotator "atr"\)/);
});

test('a folder or a FIFO named as a signal file is refused without blocking', () => {
  mkdirSync(join(dir, 'folder.dat'));
  fails(() => rdrecord(header('folder', 'folder.dat')), /folder\.dat: is a folder, not a regular file/);
  try {
    execFileSync('mkfifo', [join(dir, 'fifo.dat')]);
  } catch {
    return; // no mkfifo on this system
  }
  fails(() => quick(() => rdrecord(header('fifo', 'fifo.dat'))), /fifo\.dat: is a FIFO \(named pipe\), not a regular file/);
});

test('a signal file far larger than the header needs is refused before it is read', () => {
  // 3 GB, sparse: reading it would take seconds and gigabytes; the size check answers at once.
  writeFileSync(join(dir, 'big.dat'), new Uint8Array(0));
  truncateSync(join(dir, 'big.dat'), 3 * 2 ** 30);
  fails(() => quick(() => rdrecord(header('big', 'big.dat'))), /big\.dat: the file holds 3221225472 bytes of samples .* but the header \(big\.hea\) gives 3 samples per signal \(9 bytes\); the header's length disagrees with the data/);
  // Without a length on the record line the file defines it, up to what one read can hold.
  fails(() => quick(() => rdrecord(header('bignolen', 'big.dat', null))), /big\.dat: the file holds 3221225472 bytes, more than the 2147483647 bytes ecgrad reads from one file \(signal file named in/);
  rmSync(join(dir, 'big.dat'));
  // A truncated file is also refused from its size, before reading.
  writeFileSync(join(dir, 'short.dat'), new Uint8Array(4));
  fails(() => rdrecord(header('short', 'short.dat')), /short\.dat: truncated: the header \(short\.hea\) gives 3 samples per signal, which need 9 bytes/);
});

test('files inside the folder, in subfolders and through links to regular files still read', () => {
  wrsamp(dir, { recordName: 'ok', fs: 360, dSignal: [[1, 3, 5], [2, 4, 6]], fmt: 212 });
  assert.equal(rdrecord(join(dir, 'ok')).dSignal.map((d) => Array.from(d)), [[1, 3, 5], [2, 4, 6]]);
  mkdirSync(join(dir, 'sub'));
  wrsamp(join(dir, 'sub'), { recordName: 'in', fs: 360, dSignal: [[7, 8], [9, 10]], fmt: 212 });
  assert.equal(rdrecord(header('nested', 'sub/in.dat', 2)).dSignal.map((d) => Array.from(d)), [[7, 8], [9, 10]]);
  symlinkSync(join(outside, '100.dat'), join(dir, 'linked.dat'));
  assert.equal(rdrecord(header('linked', 'linked.dat')).dSignal.map((d) => Array.from(d)), [[1, 3, 5], [2, 4, 6]]);
  wrann(dir, 'ok', 'atr', { sample: [1, 2], symbol: ['N', 'V'] });
  assert.equal(rdann(join(dir, 'ok'), 'atr').symbol, ['N', 'V']);
});

test('one file named under several spellings is read once, not once per name', () => {
  wrsamp(dir, { recordName: 'twice', fs: 360, dSignal: [[1, 2, 3]], fmt: 16 });
  writeFileSync(join(dir, 'twice.hea'), 'twice 3 360 3\ntwice.dat 16\n./twice.dat 16\n.//twice.dat 16\n');
  fails(() => rdrecord(join(dir, 'twice')), /twice\.dat: the header names this file twice, as "twice\.dat" and as "\.\/twice\.dat" \(signal file named in .*twice\.hea\); a header may name each signal file once/);
  // A record that is read twice in a row is fine: the names are tracked per call.
  assert.is(rdrecord(join(dir, 'ok')).nSig, 2);
  assert.is(rdrecord(join(dir, 'ok')).nSig, 2);
});

test('a header over 1 MiB is refused before it is read', () => {
  writeFileSync(join(dir, 'huge.hea'), `${'#'.repeat(2 ** 20)}\n`);
  fails(() => quick(() => rdheader(join(dir, 'huge'))), /huge\.hea: the file holds 1048577 bytes, more than the 1048576 bytes ecgrad reads from one file \(the record header\)/);
});

test('a header file whose record line names another record is refused (point 5, through rdheader)', () => {
  writeFileSync(join(dir, '100.hea'), '101 1 360 3\n101.dat 16\n');
  fails(() => rdheader(join(dir, '100')), /100\.hea line 1: the record line names record "101", but the file is 100\.hea/);
});

test('rdann rescales a high-resolution annotator by the record header\'s frequency', () => {
  const d = join(root, 'hires');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'h.hea'), 'h 1 360 1000\nh.dat 16 200 16 0 0 0 0 ECG\n');
  // 1440 ticks per second at 360 Hz: tick 4000 is sample 1000.
  wrann(d, 'h', 'qrs', { sample: [4000, 8002], symbol: ['N', 'N'], timeResolution: 1440 });
  const a = rdann(join(d, 'h'), 'qrs');
  assert.equal(Array.from(a.sample), [1000, 2001]);
  assert.is(a.timeResolution, 1440);
  rmSync(join(d, 'h.hea'));
  assert.equal(Array.from(rdann(join(d, 'h'), 'qrs').sample), [4000, 8002]); // no header: the annotator's own ticks
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
