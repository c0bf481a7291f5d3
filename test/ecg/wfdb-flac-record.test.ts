// WFDB records whose signal files are FLAC streams (formats 508 / 516 / 524, WFDB 10.7): the streams
// the reference encoder wrote (test/fixtures/flac) and our test encoder's, read through readRecord and
// rdrecord: one channel per signal, samples per frame, skew, a FLAC file beside a format-212 one, a
// header without a length, checksums; and what is refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WfdbError } from '../../src/ecg/errors.ts';
import { parseHeader } from '../../src/ecg/wfdb/header.ts';
import { checksum16, readRecord } from '../../src/ecg/wfdb/record.ts';
import { rdrecord } from '../../src/node/wfdb-files.ts';
import { FIXTURES, fixtureSamples } from '../fixtures/flac/signals.ts';
import { encodeFlac } from '../helpers/flac-encode.ts';
import { encodeFormat } from './helpers.ts';

const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'flac');
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURE_DIR, `${name}.flac`)));
const samplesOf = (name: string) => fixtureSamples(FIXTURES.find((f) => f.name === name)!);

type Files = Record<string, Uint8Array>;
const source = (files: Files) => (name: string): Uint8Array => {
  const f = files[name];
  if (!f) throw new WfdbError(`${name}: file not found`, name);
  return f;
};
const read = (header: string, files: Files, options = {}) => readRecord(parseHeader(header, 'r.hea'), source(files), options);
const line = (file: string, fmt: string, s: ArrayLike<number>, name: string) =>
  `${file} ${fmt} 200 16 0 ${s[0] ?? 0} ${checksum16(s)} 0 ${name}`;

function throwsWfdb(fn: () => unknown, re: RegExp, file: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WfdbError, `expected a WfdbError, got ${String(e)}`);
    assert.match((e as Error).message, re);
    assert.is((e as WfdbError).file, file);
    return;
  }
  assert.unreachable('expected a WfdbError');
}

test('format 516: a two-signal file written by libFLAC (flac 1.4.2, -5) reads as its samples, checksums verified', () => {
  const [a, b] = samplesOf('stereo16-l5');
  const header = `r 2 360 ${a!.length}\n${line('r.dat', '516', a!, 'MLII')}\n${line('r.dat', '516', b!, 'V5')}\n`;
  const rec = read(header, { 'r.dat': fixture('stereo16-l5') });
  assert.is(rec.sigLen, a!.length);
  assert.equal(rec.fmt, [516, 516]);
  assert.equal(rec.adcRes, [16, 16]);
  assert.ok(rec.dSignal[0]!.every((v, i) => v === a![i]) && rec.dSignal[1]!.every((v, i) => v === b![i]));
  assert.ok(Math.abs(rec.pSignal[0]![100]! - a![100]! / 200) < 1e-6);
});

test('formats 508 and 524 (8- and 24-bit libFLAC streams), three and eight channels', () => {
  for (const [name, fmt] of [['stereo8-l5', 508], ['mono24-l5-b192', 524], ['three16-l5-b4096', 516], ['eight24-l5-b1152', 524]] as const) {
    const chans = samplesOf(name);
    const header = `r ${chans.length} 250 ${chans[0]!.length}\n${chans.map((c, k) => line('r.dat', String(fmt), c, `s${k}`)).join('\n')}\n`;
    const rec = read(header, { 'r.dat': fixture(name) });
    chans.forEach((c, k) => assert.ok(rec.dSignal[k]!.every((v, i) => v === c[i]), `${name} channel ${k}`));
  }
});

test('samples per frame, skew, a header without a length, and a FLAC file beside a format-212 file', () => {
  const n = 600;
  const x = Array.from({ length: 2 * n }, (_, i) => Math.round(900 * Math.sin(i / 17)));
  const y = Array.from({ length: 2 * n }, (_, i) => Math.round(-700 * Math.cos(i / 23)));
  const z = Array.from({ length: n }, (_, i) => (i * 37) % 2000 - 1000);
  // Two samples per frame: channel k holds 2n samples of signal k; signal B skewed by 3 frames.
  const flac = encodeFlac([x, y], { bitsPerSample: 16, blockSize: 256 });
  const bFrames = y.slice(0, 2 * n);
  const header =
    `r 3 360 ${n - 3}\n${line('r.dat', '516x2', x.slice(0, 2 * (n - 3)), 'A')}\n` +
    `r.dat 516x2:3 200 16 0 ${y[6]} ${checksum16(bFrames.slice(0, 2 * (n - 3)))} 0 B\n${line('z.dat', '212', z.slice(0, n - 3), 'C')}\n`;
  const files = { 'r.dat': flac, 'z.dat': encodeFormat(212, z.slice(0, n - 3)) };
  const rec = read(header, files);
  assert.equal(rec.sampsPerFrame, [2, 2, 1]);
  assert.equal(Array.from(rec.dSignal[0]!), x.slice(0, 2 * (n - 3)));
  assert.equal(Array.from(rec.dSignal[1]!), y.slice(6, 6 + 2 * (n - 3)), 'sample t of B is frame t + 3 of the file');
  assert.equal(Array.from(rec.dSignal[2]!), z.slice(0, n - 3));
  // Without a length on the record line, the FLAC stream gives it.
  const noLength = read(`r 1 360\n${line('m.dat', '516', x, 'A')}\n`, { 'm.dat': encodeFlac([x], { bitsPerSample: 16, blockSize: 1000 }) });
  assert.is(noLength.sigLen, x.length);
});

test('rdrecord reads a FLAC record from a folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-flac-'));
  try {
    const [a, b] = samplesOf('stereo16-l8-b1000');
    writeFileSync(join(dir, 'r.hea'), `r 2 360 ${a!.length}\n${line('r.dat', '516', a!, 'MLII')}\n${line('r.dat', '516', b!, 'V5')}\n`);
    writeFileSync(join(dir, 'r.dat'), fixture('stereo16-l8-b1000'));
    const rec = rdrecord(join(dir, 'r'));
    assert.ok(rec.dSignal[1]!.every((v, i) => v === b![i]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refused with a WfdbError naming the file', () => {
  const [a, b] = samplesOf('stereo16-l5');
  const two = `r 2 360 ${a!.length}\n${line('r.dat', '516', a!, 'A')}\n${line('r.dat', '516', b!, 'B')}\n`;
  const files = { 'r.dat': fixture('stereo16-l5') };
  throwsWfdb(() => read(`r 1 360 ${a!.length}\n${line('r.dat', '516', a!, 'A')}\n`, files), /the FLAC stream has 2 channel\(s\), but the header \(r\.hea\) stores 1 signal/, 'r.dat');
  throwsWfdb(() => read(two.replaceAll(' 516 ', ' 508 '), files), /16 bits per sample, more than format 508 allows \(8\)/, 'r.dat');
  throwsWfdb(() => read(two.replace('r.dat 516 ', 'r.dat 516x2 '), files), /different samples per frame \(2, 1\)/, 'r.dat');
  throwsWfdb(() => read(two.replace(`r 2 360 ${a!.length}`, `r 2 360 ${a!.length + 1}`), files), /truncated: .* FLAC stream holds 6000 frames/, 'r.dat');
  throwsWfdb(() => read(two.replace(`r 2 360 ${a!.length}`, `r 2 360 ${a!.length - 10}`), files), /FLAC stream holds 6000 frames but the header \(r\.hea\) gives 5990 samples per signal/, 'r.dat');
  throwsWfdb(() => read(two.replace('r.dat 516 ', 'r.dat 516+99999999 '), files), /byte offset of 99999999/, 'r.dat');
  const damaged = fixture('stereo16-l5');
  damaged[damaged.length >> 1]! ^= 0x10;
  throwsWfdb(() => read(two, { 'r.dat': damaged }), /r\.dat: /, 'r.dat');
  const wrongSum = two.replace(` ${checksum16(a!)} 0 A`, ` ${(checksum16(a!) + 1) | 0} 0 A`);
  throwsWfdb(() => read(wrongSum, files), /checksum mismatch for signal 0/, 'r.dat');
  // maxSamples: checked on the header's length first; without one, on the stream as it decodes.
  throwsWfdb(() => read(two, files, { maxSamples: 1000 }), /would hold 12000 samples/, 'r.hea');
  throwsWfdb(() => read(two.replace(`r 2 360 ${a!.length}`, 'r 2 360'), files, { maxSamples: 1000 }), /more than 500 samples per channel, more than maxSamples allows for its 2 signal/, 'r.dat');
});

test.run();
