// Seeded, bounded fuzzing of the WFDB reader (issue 15): structure-aware mutations of headers, signal
// files and annotation files, starting from small valid records generated here (formats 212, 16, 8,
// 0 and 516 (FLAC); one with samples per frame, skew and a byte offset; one without a length; multi-segment
// records of fixed and variable layout). Every mutant is read from a temp folder through rdrecord /
// rdann (or parseAnnotations in memory) and must either load, with a record that keeps the reader's
// invariants, or be refused with a WfdbError whose message names the file: never an engine error
// (TypeError, RangeError, ...), never more than 2 s, and never more than MEMORY_BOUND bytes of new
// array buffers (records are read with maxSamples 2^20: at most 8 MiB of output).
// FUZZ_SEED=s and FUZZ_ROUNDS=n (mutants per kind) run other or deeper searches locally.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/random.ts';
import { WfdbError } from '../../src/ecg/errors.ts';
import { type Annotations, parseAnnotations, writeAnnotations } from '../../src/ecg/wfdb/annotations.ts';
import { parseHeader } from '../../src/ecg/wfdb/header.ts';
import { checksum16, type WfdbRecord } from '../../src/ecg/wfdb/record.ts';
import { INVALID_SAMPLE } from '../../src/ecg/wfdb/signal-formats.ts';
import { writeRecord } from '../../src/ecg/wfdb/write.ts';
import { rdann, rdrecord } from '../../src/node/wfdb-files.ts';
import { encodeFlac } from '../helpers/flac-encode.ts';
import { encodeFormat } from './helpers.ts';

const SEED = 15 + (Number(process.env.FUZZ_SEED) || 0);
const ROUNDS = Number(process.env.FUZZ_ROUNDS) || 2000;
const SLOW_MS = 2000;
/** Records are read with this maxSamples; a mutant may not grow array-buffer memory by more than MEMORY_BOUND. */
const MAX_SAMPLES = 2 ** 20;
const MEMORY_BOUND = 32 * 2 ** 20;

const root = mkdtempSync(join(tmpdir(), 'ecgrad-wfdb-fuzz-'));
const dir = join(root, 'rec');
mkdirSync(join(dir, 'sub'), { recursive: true });
mkdirSync(join(root, 'outside'));
writeFileSync(join(root, 'outside', 'r.dat'), new Uint8Array(300));
writeFileSync(join(dir, 'x.dat'), new Uint8Array(301));
symlinkSync('/dev/zero', join(dir, 'zero.dat'));
writeFileSync(join(dir, 'big.dat'), new Uint8Array(0));
truncateSync(join(dir, 'big.dat'), 3 * 2 ** 30); // sparse: no disk used, but reading it would take 3 GB
try {
  execFileSync('mkfifo', [join(dir, 'fifo.dat')]);
} catch {
  // no mkfifo here: the name is then simply missing
}
const recordPath = join(dir, 'r');

// ---- Valid starting points ----------------------------------------------------------------------

interface Base {
  what: string;
  header: string;
  dat: Uint8Array;
  /** Other files of the record (a multi-segment record's segments), written beside r.hea. */
  extra?: Map<string, Uint8Array>;
}

/** Writes a base's files (and removes the segment files of other bases, so each mutant sees only its own). */
function writeBase(base: Base, header: string, dat: Uint8Array): void {
  for (const name of SEGMENT_FILES) if (!base.extra?.has(name)) rmSync(join(dir, name), { force: true });
  for (const [name, bytes] of base.extra ?? []) writeFileSync(join(dir, name), bytes);
  writeFileSync(`${recordPath}.hea`, header);
  writeFileSync(`${recordPath}.dat`, dat);
}

const wave = (n: number, phase: number, amp: number) => Array.from({ length: n }, (_, i) => Math.round(Math.sin(i * 0.3 + phase) * amp));

function bases(): Base[] {
  const out: Base[] = [];
  for (const fmt of [212, 16]) {
    const w = writeRecord({
      recordName: 'r', fs: 360, fmt, dSignal: [wave(40, 0, 1000), wave(40, 1, 900)],
      adcGain: [200, 100.5], baseline: [5, -3], sigName: ['MLII', 'V5'], comments: ['69 M', 'fuzz base'],
    });
    out.push({ what: `format ${fmt}`, header: w.header, dat: w.files.get('r.dat')! });
  }
  // Format 16 with 2 samples per frame for signal 0, skew 1 for signal 1 and a 4-byte preamble.
  const x = wave(40, 0, 3000), y = wave(20, 2, 2000);
  const frames: number[] = [];
  for (let t = 0; t < 20; t++) frames.push(x[2 * t]!, x[2 * t + 1]!, y[t]!);
  out.push({
    what: 'format 16, samples per frame, skew, byte offset',
    header:
      `r 2 250/1000(3) 19 10:00:00 01/02/2003\nr.dat 16x2+4 400(10)/uV 16 0 ${x[0]} ${checksum16(x.slice(0, 38))} 0 A\n` +
      `r.dat 16:1+4 200 12 0 ${y[1]} ${checksum16(y.slice(1))} 0 B\n# comment\n`,
    dat: Uint8Array.from([1, 2, 3, 4, ...encodeFormat(16, frames)]),
  });
  // Format 212 with no length on the record line (the file gives it) and checksums.
  const a = wave(31, 0, 2000), b = wave(31, 1, 2000);
  out.push({
    what: 'format 212 without a length',
    header: `r 2 128\nr.dat 212 200 12 0 ${a[0]} ${checksum16(a)} 0 I\nr.dat 212 200 12 0 ${b[0]} ${checksum16(b)} 0 II\n`,
    dat: encodeFormat(212, a.flatMap((v, i) => [v, b[i]!])),
  });
  // Format 8 (8-bit first differences from the header's initial value), two signals in one file.
  const c = wave(30, 0, 60), d = wave(30, 1, 40);
  const diffs: number[] = [];
  for (let t = 0; t < 30; t++) diffs.push(t ? c[t]! - c[t - 1]! : 0, t ? d[t]! - d[t - 1]! : 0);
  out.push({
    what: 'format 8',
    header: `r 2 360 30\nr.dat 8 200 10 0 ${c[0]} ${checksum16(c)} 0 A\nr.dat 8 200 10 0 ${d[0]} ${checksum16(d)} 0 B\n`,
    dat: Uint8Array.from(diffs, (v) => v & 0xff),
  });
  // Format 0: a null signal (no file) beside two format-16 signals.
  const e = wave(25, 0, 500), f = wave(25, 2, 500);
  out.push({
    what: 'format 0 beside format 16',
    header: `r 3 360 25\nr.dat 16 200 16 0 ${e[0]} ${checksum16(e)} 0 A\nr.dat 16 200 16 0 ${f[0]} ${checksum16(f)} 0 B\n~ 0 100 12 0 0 0 0 C\n`,
    dat: encodeFormat(16, e.flatMap((v, i) => [v, f[i]!])),
  });
  // Format 516 (FLAC): two signals, one stream of several frames (fixed and verbatim subframes, mid/side).
  const g = wave(200, 0, 1500), h = wave(200, 1.5, 1200);
  out.push({
    what: 'format 516 (FLAC)',
    header: `r 2 360 200\nr.dat 516 200 16 0 ${g[0]} ${checksum16(g)} 0 A\nr.dat 516 200 16 0 ${h[0]} ${checksum16(h)} 0 B\n`,
    dat: encodeFlac([g, h], { bitsPerSample: 16, blockSize: 48, md5: true }),
  });
  // Multi-segment, fixed layout: two segments and a null one between them.
  const seg = (name: string, n: number, phase: number, gains: number[], names = ['MLII', 'V5']) => {
    const w = writeRecord({ recordName: name, fs: 360, fmt: 16, dSignal: names.map((_, j) => wave(n, phase + j, 800)), adcGain: gains, sigName: names });
    return [[`${name}.hea`, new TextEncoder().encode(w.header)], [`${name}.dat`, w.files.get(`${name}.dat`)!]] as const;
  };
  out.push({
    what: 'multi-segment, fixed layout',
    header: 'r/3 2 360 30\nr_1 12\n~ 6\nr_2 12\n',
    dat: new Uint8Array(0),
    extra: new Map([...seg('r_1', 12, 0, [200, 200]), ...seg('r_2', 12, 1, [100, 200])]),
  });
  out.push({
    what: 'multi-segment, variable layout',
    header: 'r/4 2 360 25\nr_0 0\nr_1 12\n~ 3\nr_3 10\n',
    dat: new Uint8Array(0),
    extra: new Map([
      ['r_0.hea', new TextEncoder().encode('r_0 2 360 0\n~ 0 400/mV 12 0 0 0 0 MLII\n~ 0 200/mV 12 0 0 0 0 V5\n')],
      ...seg('r_1', 12, 0, [200, 100]),
      ...seg('r_3', 10, 2, [100], ['V5']),
    ]),
  });
  return out;
}
const BASES = bases();
const SEGMENT_FILES = [...new Set(BASES.flatMap((b) => [...(b.extra?.keys() ?? [])]))];

const ANN_BASE = writeAnnotations({
  sample: [0, 18, 77, 370, 1500, 1500, 70000, 3000000],
  symbol: ['"', '+', 'N', 'V', 'A', '~', 'N', '[42]'],
  subtype: [0, 0, 0, 2, 0, 1, 0, 0],
  chan: [0, 0, 0, 1, 1, 0, 0, 0],
  num: [0, 0, 3, 3, 0, 0, 0, 7],
  auxNote: ['## time resolution: 360', '(N', '', '', '(AFIB', 'noise', '', ''],
});

// ---- The property ---------------------------------------------------------------------------------

interface Outcome {
  loaded: number;
  refused: number;
  wrong: Map<string, string>; // message -> the first mutant that gave it
  slowest: number;
  /** The largest growth of array-buffer memory across one mutant, bytes. */
  memory: number;
}
const outcome = (): Outcome => ({ loaded: 0, refused: 0, wrong: new Map(), slowest: 0, memory: 0 });

const show = (s: string) => JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}...(${s.length})` : s);

/** Runs one mutant: it loads (and `check` holds for its result) or it throws a WfdbError naming one of `names`. */
function attempt<T>(o: Outcome, what: string, names: () => string[], run: () => T, check: (v: T) => string | undefined): void {
  const t = performance.now();
  const before = process.memoryUsage().arrayBuffers;
  const grown = () => {
    const m = process.memoryUsage().arrayBuffers - before;
    o.memory = Math.max(o.memory, m);
    if (m > MEMORY_BOUND && !o.wrong.has(`memory: ${what}`)) o.wrong.set(`memory: ${what}`, `${(m / 2 ** 20).toFixed(1)} MiB of new array buffers`);
  };
  try {
    const result = run();
    grown(); // while the result is alive
    const problem = check(result);
    if (problem) o.wrong.set(`loaded, but ${problem}`, what);
    else o.loaded++;
  } catch (e) {
    grown();
    o.refused++;
    const message = (e as Error)?.message ?? String(e);
    if (process.env.FUZZ_LOG) console.log(`REFUSED ${message.slice(0, 200)}`);
    if (!(e instanceof WfdbError)) {
      const key = `${(e as Error)?.name}: ${message}`;
      if (!o.wrong.has(key)) o.wrong.set(key, `${what} [${(e as Error)?.stack?.split('\n').slice(1, 4).map((l) => l.trim()).join(' < ')}]`);
    } else if (!names().some((n) => message.includes(n))) {
      const key = `WfdbError naming none of ${names().join(', ')}: ${message}`;
      if (!o.wrong.has(key)) o.wrong.set(key, what);
    }
  }
  const ms = performance.now() - t;
  o.slowest = Math.max(o.slowest, ms);
  if (ms > SLOW_MS && !o.wrong.has(`slow: ${what}`)) o.wrong.set(`slow: ${what}`, `${ms.toFixed(0)} ms`);
}

function report(kind: string, o: Outcome, n: number): void {
  console.log(
    `  ${kind}: ${n} mutants, ${o.loaded} loaded, ${o.refused} refused with WfdbError, slowest ${o.slowest.toFixed(1)} ms, ` +
      `largest memory growth ${(o.memory / 2 ** 20).toFixed(2)} MiB`,
  );
  if (o.wrong.size) assert.unreachable(`${kind}: ${o.wrong.size} problem(s):\n${[...o.wrong].slice(0, 10).map(([m, w]) => `  ${w}\n    -> ${m.slice(0, 600)}`).join('\n')}`);
  assert.is(o.loaded + o.refused, n);
}

/** A loaded record keeps the reader's invariants (what a caller relies on without checking). */
function checkRecord(rec: WfdbRecord): string | undefined {
  if (!Number.isSafeInteger(rec.sigLen) || rec.sigLen < 0) return `sigLen ${rec.sigLen}`;
  if (!(rec.fs > 0 && Number.isFinite(rec.fs))) return `fs ${rec.fs}`;
  if (rec.dSignal.length !== rec.nSig || rec.pSignal.length !== rec.nSig) return 'signal arrays do not match nSig';
  for (let j = 0; j < rec.nSig; j++) {
    const d = rec.dSignal[j]!, p = rec.pSignal[j]!;
    const n = rec.sigLen * rec.sampsPerFrame[j]!;
    if (d.length !== n || p.length !== n) return `signal ${j} holds ${d.length} samples, expected ${n}`;
    if (!Number.isFinite(rec.adcGain[j]!) || rec.adcGain[j] === 0) return `signal ${j} gain ${rec.adcGain[j]}`;
    if (!(rec.adcRes[j]! >= 1 && rec.adcRes[j]! <= 32)) return `signal ${j} ADC resolution ${rec.adcRes[j]}`;
    const invalid = rec.layout === 'variable' ? -32768 : INVALID_SAMPLE[rec.fmt[j]!]!;
    for (let i = 0; i < n; i++) {
      // A fixed-layout record keeps each segment's own marker (segments may differ in format): NaN physical is what counts.
      if (rec.layout === 'fixed' && Number.isNaN(p[i]!)) continue;
      if (d[i] === invalid ? !Number.isNaN(p[i]!) : !Number.isFinite(p[i]!)) return `signal ${j} sample ${i}: digital ${d[i]}, physical ${p[i]}`;
    }
  }
  return undefined;
}

function checkAnnotations(a: Annotations): string | undefined {
  const n = a.sample.length;
  if ([a.symbol, a.subtype, a.chan, a.num, a.auxNote].some((x) => x.length !== n)) return 'annotation arrays of different lengths';
  for (let k = 0; k < n; k++) {
    if (!(a.sample[k]! >= 0)) return `annotation ${k} at sample ${a.sample[k]}`;
    if (typeof a.symbol[k] !== 'string' || a.symbol[k] === '' || typeof a.auxNote[k] !== 'string') return `annotation ${k} symbol/aux`;
  }
  return undefined;
}

// ---- Header mutations -----------------------------------------------------------------------------

const NUMS = [
  '0', '-0', '1', '-1', '2', '+1', '1.5', '-1.5', '1e3', '1e-300', '1e300', '1e309', '-1e309', 'NaN', 'Infinity', '-Infinity',
  '0x10', '0b1', '1_000', '.5', '5.', '12', '32', '33', '64', '255', '65535', '65536', '2147483647', '2147483648', '-2147483648',
  '-2147483649', '4294967296', '9007199254740991', '9007199254740993', '9'.repeat(30), '9'.repeat(400), '', 'abc', '\u0663', '\uff11',
  '\u0000', '-', '+', '/', '(', ')', '()', 'x', ':', '~', '1e', 'e1', '00000000000000000000001',
];
const FMTS = ['212', '16', '61', '80', '160', '310', '311', '24', '32', '0', '8', '508', '516', '524', '999', '0212', '16.0', '-16'];
const FILES = [
  'r.dat', 'r.dat', './r.dat', './/r.dat', 'r.hea', 'x.dat', 'nothere.dat', '.', '..', '/', 'sub', 'sub/', 'sub/../r.dat', 'zero.dat', 'big.dat', 'fifo.dat', '/dev/zero', '../../dev/zero',
  '/dev/urandom', '../outside/r.dat', 'C:\\r.dat', '..\\r.dat', '-', 'r.dat\u0000', 'r\u00e9.dat', 'a'.repeat(300), '~', '#', 'r.dat#',
];
const NAMES = ['r', 'r', 's', 'R', 'r/2', 'r/0', '100', 'r.hea', '', '~', 'r\u0000', 'a'.repeat(300)];
const ODD = ['\r', '\n', '\r\n', '\t', '\u000b', '\f', '\u00a0', '\ufeff', '\u2028', '\u0085', '\ud800', '\u0000', '#', '"', '\\', '\u{1f600}', '\u00ff'];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}
const maybe = (rng: Rng, p: number, s: () => string) => (rng.uniform() < p ? s() : '');
const randomNum = (rng: Rng) => (rng.uniform() < 0.7 ? pick(rng, NUMS) : String(Math.floor((rng.uniform() - 0.3) * 2 ** (rng.int(64)))));

/** A hostile value for field `k` of a record line (`signal` false) or a signal line. */
function hostileField(rng: Rng, signal: boolean, k: number): string {
  if (rng.uniform() < 0.1) return randomNum(rng);
  if (!signal) {
    if (k === 0) return pick(rng, NAMES);
    if (k === 2) return `${randomNum(rng)}${maybe(rng, 0.4, () => `/${randomNum(rng)}`)}${maybe(rng, 0.3, () => `(${randomNum(rng)})`)}`;
    if (k === 4) return pick(rng, ['10:00:00', '25:61:61', '0:0', '', '12:30:00.5', randomNum(rng)]);
    if (k === 5) return pick(rng, ['01/02/2003', '32/13/0', '1/1/-1', randomNum(rng)]);
    return randomNum(rng);
  }
  if (k === 0) return pick(rng, FILES);
  if (k === 1) {
    return `${rng.uniform() < 0.8 ? pick(rng, FMTS) : randomNum(rng)}${maybe(rng, 0.3, () => `x${randomNum(rng)}`)}` +
      `${maybe(rng, 0.3, () => `:${randomNum(rng)}`)}${maybe(rng, 0.3, () => `+${randomNum(rng)}`)}`;
  }
  if (k === 2) {
    return `${randomNum(rng)}${maybe(rng, 0.4, () => `(${randomNum(rng)})`)}${maybe(rng, 0.4, () => `/${pick(rng, ['mV', 'uV', '', '/', '(', 'a b', randomNum(rng)])}`)}`;
  }
  return randomNum(rng);
}

function mutateHeader(rng: Rng, text: string): { text: string; what: string } {
  const lines = text.split('\n').filter((l) => l !== '').map((l) => (l.startsWith('#') ? [l] : l.split(' ')));
  const ops: string[] = [];
  const nOps = 1 + rng.int(3);
  for (let o = 0; o < nOps; o++) {
    const li = rng.int(lines.length);
    const line = lines[li]!;
    const isComment = line[0]!.startsWith('#');
    const op = rng.int(13);
    if (op <= 3 && !isComment) {
      // Edit one field (the most useful operator: weighted 4 of 12).
      const k = rng.int(line.length + 1);
      const v = hostileField(rng, li > 0, k);
      ops.push(`line ${li + 1} field ${k} = ${show(v)}`);
      line[k] = v;
      for (let i = 0; i < k; i++) line[i] ??= '0';
    } else if (op === 4 && line.length > 1) {
      const k = rng.int(line.length);
      ops.push(`line ${li + 1} drop field ${k}`);
      line.splice(k, 1);
    } else if (op === 5) {
      const k = rng.int(line.length);
      ops.push(`line ${li + 1} duplicate field ${k}`);
      line.splice(k, 0, line[k]!);
    } else if (op === 6) {
      ops.push(`drop line ${li + 1}`);
      lines.splice(li, 1);
      if (lines.length === 0) lines.push(['r', '0']);
    } else if (op === 7) {
      ops.push(`duplicate line ${li + 1}`);
      lines.splice(li, 0, line.slice());
    } else if (op === 8) {
      const lj = rng.int(lines.length);
      ops.push(`swap lines ${li + 1} and ${lj + 1}`);
      [lines[li], lines[lj]] = [lines[lj]!, lines[li]!];
    } else if (op === 9) {
      // A long line: one huge field, or thousands of fields, or thousands of signal lines.
      const kind = rng.int(3);
      if (kind === 0) {
        const k = rng.int(line.length);
        line[k] = `${line[k]}${'9'.repeat(1000 + rng.int(100000))}`;
        ops.push(`line ${li + 1} field ${k} made ${line[k]!.length} characters long`);
      } else if (kind === 1) {
        const n = 1000 + rng.int(5000);
        for (let i = 0; i < n; i++) line.push(pick(rng, ['0', 'x', '1e9', '(']));
        ops.push(`line ${li + 1} given ${n} more fields`);
      } else {
        const n = 1000 + rng.int(5000);
        lines[0]![1] = String(n);
        for (let i = 0; i < n; i++) lines.push(['r.dat', '16']);
        ops.push(`${n} signal lines`);
      }
    } else if (op === 11 && lines.length > 1) {
      // Another file for one signal line or for all of them.
      const name = pick(rng, FILES);
      const all = rng.uniform() < 0.5;
      ops.push(`${all ? 'every signal' : `line ${Math.max(li, 1) + 1}`} stored in ${show(name)}`);
      for (let l = 1; l < lines.length; l++) if ((all || l === Math.max(li, 1)) && !lines[l]![0]!.startsWith('#')) lines[l]![0] = name;
    } else if (op === 10 && !isComment) {
      const n = pick(rng, ['0', '1', '2', '3', '-1', '100000', '2147483648', '1e3', '']);
      ops.push(`signal count ${show(n)}`);
      lines[0]![1] = n;
    } else {
      ops.push(`line ${li + 1} comment`);
      lines.splice(li, 0, [`#${pick(rng, ['', ' x', ' ## time resolution: 2', ' \u0000'])}`]);
    }
  }
  let out = lines.map((l) => l.join(rng.uniform() < 0.9 ? ' ' : pick(rng, ['\t', '  ', ' \t ']))).join(rng.uniform() < 0.8 ? '\n' : '\r\n') + '\n';
  if (rng.uniform() < 0.25) {
    // Odd bytes somewhere, or a truncation.
    if (rng.uniform() < 0.7) {
      const at = rng.int(out.length + 1);
      const s = pick(rng, ODD).repeat(1 + rng.int(3));
      ops.push(`${show(s)} inserted at ${at}`);
      out = out.slice(0, at) + s + out.slice(at);
    } else {
      const at = rng.int(out.length);
      ops.push(`truncated at ${at}`);
      out = out.slice(0, at);
    }
  }
  return { text: out, what: ops.join('; ') };
}

test(`${ROUNDS} header mutants: each loads or is refused with a WfdbError naming the file`, () => {
  const rng = new Rng(SEED);
  const o = outcome();
  for (let r = 0; r < ROUNDS; r++) {
    const base = BASES[r % BASES.length]!;
    const { text, what } = mutateHeader(rng, base.header);
    writeBase(base, text, base.dat);
    // The file names a refusal may cite: the header, a signal file it names, or a segment's files.
    const names = () => {
      try {
        const h = parseHeader(text, 'r.hea');
        return ['r.hea', ...h.signals.map((s) => s.fileName), ...(h.segments ?? []).map((g) => `${g.recordName}.hea`), ...SEGMENT_FILES];
      } catch {
        return ['r.hea'];
      }
    };
    attempt(o, `${base.what}: ${what}`, names, () => rdrecord(recordPath, { verifyChecksums: rng.uniform() < 0.5, maxSamples: MAX_SAMPLES }), checkRecord);
  }
  report('headers', o, ROUNDS);
});

// ---- Signal file mutations ------------------------------------------------------------------------

function mutateSignal(rng: Rng, dat: Uint8Array): { bytes: Uint8Array; what: string } {
  const n = dat.length;
  const random = (len: number) => Uint8Array.from({ length: len }, () => rng.int(256));
  switch (rng.int(9)) {
    case 0: { const k = rng.int(n); return { bytes: dat.slice(0, k), what: `truncated to ${k}` }; }
    case 1: { const k = 1 + rng.int(4); return { bytes: dat.slice(0, n - k), what: `last ${k} bytes cut` }; }
    case 2: { const k = 1 + rng.int(8); return { bytes: Uint8Array.from([...dat, ...random(k)]), what: `${k} bytes appended` }; }
    case 3: {
      const b = dat.slice();
      const k = 1 + rng.int(8);
      for (let i = 0; i < k; i++) b[rng.int(n)]! ^= 1 << rng.int(8);
      return { bytes: b, what: `${k} bits flipped` };
    }
    case 4: { const k = rng.int(2 * n + 2); return { bytes: random(k), what: `${k} random bytes` }; }
    case 5: return { bytes: new Uint8Array(0), what: 'empty' };
    case 6: { const v = pick(rng, [0, 0xff, 0x80, 0x08, 0x7f]); return { bytes: new Uint8Array(n).fill(v), what: `filled with ${v}` }; }
    case 7: return { bytes: Uint8Array.from([...dat, ...dat]), what: 'doubled' };
    default: {
      const b = dat.slice();
      const at = rng.int(n);
      b.fill(rng.int(256), at, at + 1 + rng.int(16));
      return { bytes: b, what: `run of one byte at ${at}` };
    }
  }
}

test(`${ROUNDS} signal file mutants: each loads or is refused with a WfdbError naming the file`, () => {
  const rng = new Rng(SEED + 1);
  const o = outcome();
  for (let r = 0; r < ROUNDS; r++) {
    const base = BASES[r % BASES.length]!;
    if (base.extra) {
      // A multi-segment base: mutate one segment's header or signal file.
      const names = [...base.extra.keys()];
      const name = pick(rng, names);
      const { bytes, what } = name.endsWith('.hea')
        ? (() => { const m = mutateHeader(rng, new TextDecoder().decode(base.extra.get(name))); return { bytes: new TextEncoder().encode(m.text), what: m.what }; })()
        : mutateSignal(rng, base.extra.get(name)!);
      writeBase({ ...base, extra: new Map([...base.extra, [name, bytes]]) }, base.header, base.dat);
      const cite = () => ['r.hea', ...names, ...FILES];
      attempt(o, `${base.what}: ${name} ${what}`, cite, () => rdrecord(recordPath, { verifyChecksums: rng.uniform() < 0.5, maxSamples: MAX_SAMPLES }), checkRecord);
      continue;
    }
    const { bytes, what } = mutateSignal(rng, base.dat);
    writeBase(base, base.header, bytes);
    attempt(o, `${base.what}: ${what}`, () => ['r.dat', 'r.hea'], () => rdrecord(recordPath, { verifyChecksums: rng.uniform() < 0.5, maxSamples: MAX_SAMPLES }), checkRecord);
  }
  report('signal files', o, ROUNDS);
});

// ---- Annotation file mutations --------------------------------------------------------------------

const word = (a: number, i: number) => [((a << 10) | (i & 0x3ff)) & 0xff, ((a << 10) | (i & 0x3ff)) >> 8];

/** One crafted pseudo-annotation or annotation word sequence. */
function crafted(rng: Rng): { bytes: number[]; what: string } {
  const i = pick(rng, [0, 1, 2, 255, 256, 511, 512, 1022, 1023, rng.int(1024)]);
  switch (rng.int(7)) {
    case 0: {
      const v = pick(rng, [0, 1, -1, 1023, 1024, 2 ** 31 - 1, -(2 ** 31), 2 ** 30, rng.nextU32()]) >>> 0;
      const hi = v >>> 16, lo = v & 0xffff;
      return { bytes: [...word(59, i), hi & 0xff, hi >> 8, lo & 0xff, lo >> 8], what: `SKIP ${v | 0}` };
    }
    case 1: {
      const k = rng.int(i + 2);
      return { bytes: [...word(63, i), ...Array.from({ length: k }, () => rng.int(256))], what: `AUX of ${i} bytes with ${k} following` };
    }
    case 2: return { bytes: word(60, i), what: `NUM ${i}` };
    case 3: return { bytes: word(61, i), what: `SUB ${i}` };
    case 4: return { bytes: word(62, i), what: `CHN ${i}` };
    case 5: { const a = rng.int(64); return { bytes: word(a, i), what: `code ${a} time ${i}` }; }
    default: return { bytes: [0, 0], what: 'end-of-file word' };
  }
}

function mutateAnnotations(rng: Rng): { bytes: Uint8Array; what: string } {
  const base = ANN_BASE;
  const n = base.length;
  switch (rng.int(7)) {
    case 0: {
      const k = rng.int(200);
      const b = Array.from({ length: k }, () => rng.int(256));
      if (rng.uniform() < 0.5) b.push(0, 0);
      return { bytes: Uint8Array.from(b), what: `${b.length} random bytes` };
    }
    case 1: {
      const b = base.slice();
      const k = 1 + rng.int(8);
      for (let i = 0; i < k; i++) b[rng.int(n)]! ^= 1 << rng.int(8);
      return { bytes: b, what: `${k} bits flipped` };
    }
    case 2: { const k = rng.int(n); return { bytes: base.slice(0, k), what: `truncated to ${k}` }; }
    case 3:
    case 4: {
      // Crafted words inserted at a word boundary (at the start, so before any annotation, 1 time in 8).
      const parts: number[] = [];
      const what: string[] = [];
      for (let k = 0; k < 1 + rng.int(3); k++) {
        const c = crafted(rng);
        parts.push(...c.bytes);
        what.push(c.what);
      }
      const at = rng.uniform() < 0.125 ? 0 : 2 * rng.int(n / 2);
      return { bytes: Uint8Array.from([...base.subarray(0, at), ...parts, ...base.subarray(at)]), what: `${what.join(', ')} at ${at}` };
    }
    case 5: return { bytes: base.slice(0, n - 2), what: 'no end-of-file word' };
    default: return { bytes: Uint8Array.from([...base, rng.int(256)]), what: 'odd length' };
  }
}

test(`${ROUNDS} annotation file mutants: each loads or is refused with a WfdbError naming the file`, () => {
  const rng = new Rng(SEED + 2);
  const o = outcome();
  for (let r = 0; r < ROUNDS; r++) {
    const { bytes, what } = mutateAnnotations(rng);
    if (r % 10 === 0) {
      writeFileSync(`${recordPath}.atr`, bytes);
      attempt(o, `(rdann) ${what}`, () => ['r.atr'], () => rdann(recordPath, 'atr'), checkAnnotations);
    } else {
      attempt(o, what, () => ['r.atr'], () => parseAnnotations(bytes, 'r.atr', 'r', 'atr'), checkAnnotations);
    }
  }
  report('annotation files', o, ROUNDS);
});

test('the starting points themselves load', () => {
  for (const base of BASES) {
    writeBase(base, base.header, base.dat);
    const rec = rdrecord(recordPath);
    assert.is(checkRecord(rec), undefined, base.what);
    assert.is(rec.nSig, base.what.startsWith('format 0') ? 3 : 2);
    if (base.extra) assert.is(rec.layout, base.what.includes('variable') ? 'variable' : 'fixed', base.what);
    if (base.what === 'format 8') assert.equal(Array.from(rec.dSignal[0]!), wave(30, 0, 60), 'format 8 decodes its differences');
  }
  assert.is(parseAnnotations(ANN_BASE).symbol.length, 7); // its "## time resolution" NOTE at sample 0 is a definition, not an annotation
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
