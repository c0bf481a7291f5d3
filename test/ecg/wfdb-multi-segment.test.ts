// Multi-segment records: fixed layout (segments with the same signals), variable layout (a layout
// segment; signals matched by name and rescaled to the layout's gain and baseline, as WFDB's sigmap
// does), null segments ("~" gaps), the segment table, and what is refused. Every record is built here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WfdbError } from '../../src/ecg/errors.ts';
import { formatHeader, parseHeader } from '../../src/ecg/wfdb/header.ts';
import { checksum16, readRecord } from '../../src/ecg/wfdb/record.ts';
import { rdrecord } from '../../src/node/wfdb-files.ts';
import { encodeFormat } from './helpers.ts';

type Files = Record<string, Uint8Array>;
const enc = (s: string) => new TextEncoder().encode(s);
const interleave = (cols: number[][]): number[] => cols[0]!.flatMap((_, f) => cols.map((c) => c[f]!));
/** A file source over in-memory files whose missing-file error is a WfdbError, as rdrecord's is. */
const source = (files: Files) => (name: string): Uint8Array => {
  const f = files[name];
  if (!f) throw new WfdbError(`${name}: file not found`, name);
  return f;
};

interface SigDef {
  name: string;
  gain: number;
  baseline: number;
  fmt?: number;
  samples: number[];
}

/** A single-segment record `name` (header + one .dat file) added to `files`. */
function segment(files: Files, name: string, sigs: SigDef[], fs = 360): void {
  const fmt = sigs[0]?.fmt ?? 16;
  const len = sigs[0]?.samples.length ?? 0;
  const lines = [`${name} ${sigs.length} ${fs} ${len}`];
  for (const s of sigs) lines.push(`${name}.dat ${fmt} ${s.gain}(${s.baseline})/mV 12 0 ${s.samples[0] ?? 0} ${checksum16(s.samples)} 0 ${s.name}`);
  files[`${name}.hea`] = enc(`${lines.join('\n')}\n`);
  files[`${name}.dat`] = encodeFormat(fmt, interleave(sigs.map((s) => s.samples)));
}

function throwsWfdb(fn: () => unknown, re: RegExp, file?: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WfdbError, `expected a WfdbError, got ${String(e)}`);
    assert.match((e as Error).message, re);
    if (file !== undefined) assert.is((e as WfdbError).file, file);
    return;
  }
  assert.unreachable('expected a WfdbError');
}

function fixedRecord(): Files {
  const files: Files = {};
  segment(files, 'seg1', [
    { name: 'MLII', gain: 200, baseline: 0, samples: [1, 2, 3, 4, 5] },
    { name: 'V5', gain: 200, baseline: 0, samples: [-1, -2, -3, -4, -5] },
  ]);
  segment(files, 'seg3', [
    { name: 'MLII', gain: 100, baseline: 10, samples: [110, 120, 130, 140] },
    { name: 'V5', gain: 200, baseline: 0, samples: [7, 8, 9, 10] },
  ]);
  files['multi.hea'] = enc('multi/3 2 360 12 10:00:00 01/02/2003\nseg1 5\n~ 3\nseg3 4\n# a comment\n');
  return files;
}

test('fixed layout: segments concatenated, a null segment is a gap of invalid samples, physical units per segment', () => {
  const files = fixedRecord();
  const rec = readRecord(parseHeader(new TextDecoder().decode(files['multi.hea']), 'multi.hea'), source(files));
  assert.is(rec.layout, 'fixed');
  assert.is(rec.sigLen, 12);
  assert.is(rec.baseTime, '10:00:00');
  assert.equal(rec.comments, ['a comment']);
  assert.equal(rec.sigName, ['MLII', 'V5']);
  const X = -32768; // format 16's invalid marker
  assert.equal(Array.from(rec.dSignal[0]!), [1, 2, 3, 4, 5, X, X, X, 110, 120, 130, 140]);
  assert.equal(Array.from(rec.dSignal[1]!), [-1, -2, -3, -4, -5, X, X, X, 7, 8, 9, 10]);
  // Segment 3's MLII has gain 100 and baseline 10: (110 - 10) / 100 = 1 mV.
  const p0 = Array.from(rec.pSignal[0]!);
  assert.equal(p0.slice(0, 5).map((v) => Math.round(v * 1000)), [5, 10, 15, 20, 25]);
  assert.ok(p0.slice(5, 8).every(Number.isNaN));
  assert.equal(p0.slice(8).map((v) => Math.round(v * 100)), [100, 110, 120, 130]);
  assert.equal(rec.segments, [
    { recordName: 'seg1', sigLen: 5, start: 0, kind: 'signals' },
    { recordName: '~', sigLen: 3, start: 5, kind: 'null' },
    { recordName: 'seg3', sigLen: 4, start: 8, kind: 'signals' },
  ]);
  assert.equal(rec.checksum, [undefined, undefined]);
  const one = readRecord(parseHeader(new TextDecoder().decode(files['multi.hea']), 'multi.hea'), source(files), { channels: [1] });
  assert.equal(Array.from(one.dSignal[0]!), Array.from(rec.dSignal[1]!));
  assert.equal(one.sigName, ['V5']);
});

function variableRecord(): Files {
  const files: Files = {};
  // The layout: three signals, with the gains and baselines that hold throughout; 0 samples, format 0.
  files['var_layout.hea'] = enc(
    'var_layout 3 125 0\n~ 0 200(0)/mV 12 0 0 0 0 I\n~ 0 100(10)/mV 12 0 0 0 0 II\n~ 0 50/mV 12 0 0 0 0 V\n',
  );
  // Segment 1: II and I, reordered; I at gain 100 (scale 2), baseline 5 (offset -10).
  segment(files, 'var_1', [
    { name: 'II', gain: 100, baseline: 10, samples: [10, 11, 12] },
    { name: 'I', gain: 100, baseline: 5, samples: [5, 6, -7] },
  ], 125);
  // Segment 3: only V, format 212, gain 200 (scale 0.25), one invalid sample (212's marker).
  segment(files, 'var_3', [{ name: 'V', gain: 200, baseline: 0, fmt: 212, samples: [400, -2048, 7, -7] }], 125);
  files['var.hea'] = enc('var/4 3 125\nvar_layout 0\nvar_1 3\n~ 2\nvar_3 4\n');
  return files;
}

test("variable layout: signals matched by name, rescaled to the layout's gain and baseline (WFDB's sigmap), missing ones invalid", () => {
  const files = variableRecord();
  const rec = readRecord(parseHeader(new TextDecoder().decode(files['var.hea']), 'var.hea'), source(files));
  assert.is(rec.layout, 'variable');
  assert.is(rec.sigLen, 9);
  assert.equal(rec.sigName, ['I', 'II', 'V']);
  assert.equal(rec.adcGain, [200, 100, 50]);
  assert.equal(rec.baseline, [0, 10, 0]);
  const X = -32768;
  // I: d * 2 + (0 - 2 * 5) = 2d - 10: 0, 2, -24; absent from segment 3.
  assert.equal(Array.from(rec.dSignal[0]!), [0, 2, -24, X, X, X, X, X, X]);
  // II: same gain and baseline (scale 1, offset 0).
  assert.equal(Array.from(rec.dSignal[1]!), [10, 11, 12, X, X, X, X, X, X]);
  // V: trunc(d * 0.25): 100, invalid stays invalid, trunc(1.75) = 1, trunc(-1.75) = -1 (toward zero, as C casts).
  assert.equal(Array.from(rec.dSignal[2]!), [X, X, X, X, X, 100, X, 1, -1]);
  assert.equal(Array.from(rec.pSignal[0]!.subarray(0, 3)).map((v) => Math.round(v * 1000)), [0, 10, -120]);
  assert.equal(Array.from(rec.pSignal[2]!).map((v) => (Number.isNaN(v) ? 'NaN' : Math.round(v * 100))), ['NaN', 'NaN', 'NaN', 'NaN', 'NaN', 200, 'NaN', 2, -2]);
  assert.equal(rec.segments!.map((g) => [g.kind, g.start]), [['layout', 0], ['signals', 0], ['null', 3], ['signals', 5]]);
});

test('rdrecord reads a multi-segment record from a folder as readRecord does from memory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-multi-'));
  try {
    for (const files of [fixedRecord(), variableRecord()]) for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    for (const [name, files] of [['multi', fixedRecord()], ['var', variableRecord()]] as const) {
      const fromDisk = rdrecord(join(dir, name));
      const fromMemory = readRecord(parseHeader(new TextDecoder().decode(files[`${name}.hea`]), `${name}.hea`), source(files));
      assert.equal(fromDisk.dSignal.map((d) => Array.from(d)), fromMemory.dSignal.map((d) => Array.from(d)));
      assert.equal(fromDisk.segments, fromMemory.segments);
    }
    // A segment whose header is missing: the error names the file.
    rmSync(join(dir, 'seg3.hea'));
    throwsWfdb(() => rdrecord(join(dir, 'multi')), /seg3\.hea: file not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a master header round-trips through formatHeader', () => {
  const h = parseHeader('multi/3 2 360 12 10:00:00 01/02/2003\nseg1 5\n~ 3\nseg3 4\n', 'multi.hea');
  assert.equal(h.segments, [{ recordName: 'seg1', sigLen: 5 }, { recordName: '~', sigLen: 3 }, { recordName: 'seg3', sigLen: 4 }]);
  assert.equal(parseHeader(formatHeader(h), 'multi.hea'), h);
});

const cases: [string, (f: Files) => void, RegExp, string][] = [
  ['a segment sampled at another frequency', (f) => segment(f, 'seg3', [{ name: 'MLII', gain: 200, baseline: 0, samples: [1, 2, 3, 4] }, { name: 'V5', gain: 200, baseline: 0, samples: [1, 2, 3, 4] }], 250), /sampled at 250 Hz, but the record at 360 Hz/, 'seg3.hea'],
  ['a segment header whose length disagrees with the master', (f) => segment(f, 'seg3', [{ name: 'MLII', gain: 200, baseline: 0, samples: [1, 2, 3] }, { name: 'V5', gain: 200, baseline: 0, samples: [1, 2, 3] }]), /gives 3 samples per signal, but multi\.hea gives segment 2 4/, 'seg3.hea'],
  ['a fixed-layout segment with another number of signals', (f) => segment(f, 'seg3', [{ name: 'MLII', gain: 200, baseline: 0, samples: [1, 2, 3, 4] }]), /has 1 signal\(s\).*but the record has 2.*need a layout segment/, 'seg3.hea'],
  ['a segment that is itself multi-segment', (f) => { f['seg3.hea'] = enc('seg3/1 2 360 4\nseg1 4\n'); }, /is itself a multi-segment record/, 'seg3.hea'],
  ['a segment listed twice', (f) => { f['multi.hea'] = enc('multi/3 2 360 13\nseg1 5\n~ 3\nseg1 5\n'); }, /names record seg1 again/, 'multi.hea'],
  ['a corrupted segment signal file (checksum)', (f) => { const b = f['seg1.dat']!; b[0] = b[0]! ^ 1; }, /checksum mismatch/, 'seg1.dat'],
  ['a null segment of 10^12 samples (no file backs it)', (f) => { f['multi.hea'] = enc('multi/3 2 360\nseg1 5\n~ 1000000000000\nseg3 4\n'); }, /would hold 2000000000018 samples.*more than maxSamples \(268435456\)/, 'multi.hea'],
  ['only null segments', (f) => { f['multi.hea'] = enc('multi/1 2 360\n~ 5\n'); }, /every segment is a null segment/, 'multi.hea'],
];
for (const [what, damage, re, file] of cases) {
  test(`refused with a WfdbError naming the file: ${what}`, () => {
    const files = fixedRecord();
    damage(files);
    throwsWfdb(() => readRecord(parseHeader(new TextDecoder().decode(files['multi.hea']), 'multi.hea'), source(files)), re, file);
  });
}

test('a variable layout whose signal count disagrees with the master header is refused', () => {
  const files = variableRecord();
  files['var.hea'] = enc('var/4 2 125\nvar_layout 0\nvar_1 3\n~ 2\nvar_3 4\n');
  throwsWfdb(() => readRecord(parseHeader(new TextDecoder().decode(files['var.hea']), 'var.hea'), source(files)), /gives 2 signals but its layout segment var_layout\.hea lists 3/, 'var.hea');
});

test('maxSamples bounds single-segment records too: a null signal of 10^12 samples is a WfdbError, not a RangeError', () => {
  throwsWfdb(() => readRecord(parseHeader('r 1 360 1000000000000\n~ 0\n', 'r.hea'), source({})), /would hold 1000000000000 samples/, 'r.hea');
  const small = readRecord(parseHeader('r 1 360 10\n~ 0\n', 'r.hea'), source({}), { maxSamples: 10 });
  assert.is(small.dSignal[0]!.length, 10);
  throwsWfdb(() => readRecord(parseHeader('r 1 360 10\n~ 0\n', 'r.hea'), source({}), { maxSamples: 9 }), /more than maxSamples \(9\)/, 'r.hea');
  throwsWfdb(() => readRecord(parseHeader('r 1 360 10\n~ 0\n', 'r.hea'), source({}), { maxSamples: -1 }), /maxSamples option must be a number >= 0/);
});

test.run();
