// Specification of MIT-format annotation files (annot(5)): codes and symbols, the SKIP, NUM, SUB, CHN
// and AUX pseudo-codes, signed subtype/num and unsigned chan, SKIPs past 2^31, the definitions at time 0
// (time resolution, custom codes), round trips through writeAnnotations, and truncated files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAnnotations, writeAnnotations } from '../../src/ecg/wfdb/annotations.ts';
import { ANNOTATION_CODES, codeToSymbol, isBeatSymbol, symbolToCode } from '../../src/ecg/wfdb/annotation-codes.ts';
import { WfdbError } from '../../src/ecg/errors.ts';
import { rdann } from '../../src/node/wfdb-files.ts';
import { mitdbDir } from './helpers.ts';
import { join } from 'node:path';

const word = (a: number, i: number) => [((a << 10) | i) & 0xff, ((a << 10) | i) >> 8];

test('hand-assembled words decode: times accumulate, SKIP moves far, SUB/CHN/NUM/AUX modify the annotation before them', () => {
  const bytes = Uint8Array.from([
    ...word(28, 18), ...word(63, 3), 0x28, 0x4e, 0x00, 0x00, // '+' at 18, aux "(N\0" (NUL stripped)
    ...word(1, 59), // N at 77
    ...word(59, 0), 0x01, 0x00, 0x10, 0x00, ...word(5, 0), // SKIP 65552 then V at 77 + 65552
    ...word(61, 2), ...word(62, 1), ...word(60, 7), // subtype 2, chan 1, num 7 for that V
    ...word(8, 10), // A: chan 1 and num 7 carry over, subtype resets
    0, 0,
  ]);
  const a = parseAnnotations(bytes, 'x.atr', 'x', 'atr');
  assert.equal(Array.from(a.sample), [18, 77, 77 + 65552, 77 + 65552 + 10]);
  assert.equal(a.symbol, ['+', 'N', 'V', 'A']);
  assert.equal(a.auxNote, ['(N', '', '', '']);
  assert.equal(Array.from(a.subtype), [0, 0, 2, 0]);
  assert.equal(Array.from(a.chan), [0, 0, 1, 1]);
  assert.equal(Array.from(a.num), [0, 0, 7, 7]);
});

test('every standard code maps to its symbol and back; unassigned codes read as "[n]"', () => {
  assert.is(ANNOTATION_CODES.length, 40); // codes 0-41 without the unassigned 15 and 17
  for (const c of ANNOTATION_CODES) assert.is(symbolToCode(codeToSymbol(c.code)), c.code);
  assert.is(codeToSymbol(15), '[15]');
  assert.is(symbolToCode('[42]'), 42);
  assert.equal(['N', 'L', 'R', 'a', 'V', 'F', 'J', 'A', 'S', 'E', 'j', '/', 'Q', 'e', 'f'].every(isBeatSymbol), true);
  assert.equal(['+', '~', '|', '!', 'x', '"', '[', ']'].some(isBeatSymbol), false);
});

test('writeAnnotations round-trips every field, including long gaps, signed fields and odd-length aux notes', () => {
  const ann = {
    sample: [0, 5, 1028, 1028, 100000, 3000000],
    symbol: ['N', 'N', '+', 'V', 'r', '[42]'],
    subtype: [0, 3, 0, -1, -128, 127],
    chan: [0, 0, 1, 255, 0, 2],
    num: [0, 4, 4, -1, 9, -128],
    auxNote: ['', '', '(AFIB', '', 'é', ''],
  };
  const a = parseAnnotations(writeAnnotations(ann));
  assert.ok(a.sample instanceof Float64Array);
  assert.equal(Array.from(a.sample), ann.sample);
  assert.equal(a.symbol, ann.symbol);
  assert.equal(Array.from(a.subtype), ann.subtype);
  assert.equal(Array.from(a.chan), ann.chan);
  assert.equal(Array.from(a.num), ann.num);
  assert.equal(a.auxNote, ann.auxNote);
  assert.is(a.timeResolution, undefined);
  assert.equal(a.customLabels, []);
});

test('subtype and num are signed chars, chan an unsigned char: the low 8 bits of the 10-bit field, as rdann and wfdb-python', () => {
  const bytes = Uint8Array.from([
    ...word(14, 100), ...word(61, 1023), // "~" with subtype 0x3ff: -1 (MIT-BIH 101, 105, 203, 208, 210)
    ...word(1, 10), ...word(62, 1023), ...word(60, 1023), // chan 0x3ff: 255, num 0x3ff: -1
    ...word(1, 10), ...word(61, 0x180), ...word(62, 0x180), ...word(60, 0x17f), // 0x80 / 0x80 / 0x7f: -128, 128, 127
    ...word(1, 10), // chan and num carry over, subtype resets
    0, 0,
  ]);
  const a = parseAnnotations(bytes, 'x.atr');
  assert.equal(Array.from(a.subtype), [-1, 0, -128, 0]);
  assert.equal(Array.from(a.chan), [0, 255, 128, 128]);
  assert.equal(Array.from(a.num), [0, -1, 127, 127]);
  // writeAnnotations writes them back as WFDB's putann does (DATA & value: -1 is 0x3ff)
  const w = writeAnnotations({ sample: [100], symbol: ['~'], subtype: [-1] });
  assert.equal(Array.from(w), [...word(14, 100), ...word(61, 1023), 0, 0]);
  assert.throws(() => writeAnnotations({ sample: [1], symbol: ['N'], subtype: [1023] }), /subtype 1023; expected an integer -128\.\.127/);
  assert.throws(() => writeAnnotations({ sample: [1], symbol: ['N'], chan: [-1] }), /chan -1; expected an integer 0\.\.255/);
});

test('the SKIP interval is a signed 32-bit value in PDP-11 order; times past 2^31 - 1 are read and written', () => {
  const big = 2 ** 31 + 5; // SKIP 0x7fffffff then SKIP 6: the first annotation lands at 2^31 + 5
  const bytes = Uint8Array.from([
    ...word(59, 0), 0xff, 0x7f, 0xff, 0xff, ...word(59, 0), 0x00, 0x00, 0x06, 0x00, ...word(1, 0),
    ...word(59, 0), 0xff, 0xff, 0xfe, 0xff, ...word(5, 0), // SKIP -2: V at 2^31 + 3
    ...word(1, 1023),
    0, 0,
  ]);
  const a = parseAnnotations(bytes, 'x.atr');
  assert.equal(Array.from(a.sample), [big, big - 2, big - 2 + 1023]);
  assert.equal(a.symbol, ['N', 'V', 'N']);
  const far = [10, 2 ** 31 - 1, 2 ** 31, 5 * 2 ** 32 + 7, 2 ** 52];
  const back = parseAnnotations(writeAnnotations({ sample: far, symbol: far.map(() => 'N') }));
  assert.equal(Array.from(back.sample), far);
  // still refused: a time before 0 (a SKIP back too far), with the file's name
  const neg = Uint8Array.from([...word(59, 0), 0xff, 0xff, 0xf0, 0xff, ...word(1, 0), 0, 0]);
  assert.throws(() => parseAnnotations(neg, 'neg.atr'), (e: unknown) => e instanceof WfdbError && /^neg\.atr: annotation at byte offset 6 has time -16/.test((e as Error).message));
});

test('a "## time resolution" definition rescales the times to the record\'s samples (round half up, as getann); it is not an annotation', () => {
  // gqrs -H style: 4 ticks per sample of a 360 Hz record
  const bytes = writeAnnotations({ timeResolution: 1440, sample: [2, 1440, 1442, 14401], symbol: ['N', 'N', 'V', 'N'] });
  const raw = parseAnnotations(bytes, 'x.qrs');
  assert.is(raw.timeResolution, 1440);
  assert.equal(Array.from(raw.sample), [2, 1440, 1442, 14401]); // no record fs given: the file's ticks, as wfdb-python
  assert.equal(raw.symbol, ['N', 'N', 'V', 'N']);
  const a = parseAnnotations(bytes, 'x.qrs', 'x', 'qrs', { fs: 360 });
  assert.equal(Array.from(a.sample), [1, 360, 361, 3600]); // 0.5 -> 1, 360.5 -> 361, 3600.25 -> 3600
  assert.is(a.timeResolution, 1440);
  // the definition word by word: NOTE at 0 with aux "## time resolution: 1440", then SKIP -1 and a null annotation
  const text = '## time resolution: 1440';
  assert.equal(Array.from(bytes.subarray(0, 4 + text.length)), [...word(22, 0), ...word(63, text.length), ...Array.from(text, (c) => c.charCodeAt(0))]);
  // a lower resolution than the record's: times scale up
  const low = writeAnnotations({ timeResolution: 100, sample: [3, 250], symbol: ['N', 'N'] });
  assert.equal(Array.from(parseAnnotations(low, 'x.qrs', 'x', 'qrs', { fs: 250 }).sample), [8, 625]); // 7.5 -> 8
  assert.throws(() => parseAnnotations(low, 'x.qrs', 'x', 'qrs', { fs: 0 }), (e: unknown) => e instanceof WfdbError && /^x\.qrs: options\.fs must be a positive/.test((e as Error).message));
});

test('custom code definitions give their mnemonics; the definition block is not returned as annotations or beats', () => {
  const bytes = writeAnnotations({
    customLabels: [{ code: 42, symbol: 'CAL', description: 'Calibration pulse' }, { code: 43, symbol: 'PVCx' }],
    sample: [0, 10, 20, 30],
    symbol: ['N', 'CAL', 'PVCx', '[44]'],
  });
  const a = parseAnnotations(bytes, 'x.ann');
  assert.equal(a.symbol, ['N', 'CAL', 'PVCx', '[44]']);
  assert.equal(Array.from(a.sample), [0, 10, 20, 30]);
  assert.equal(a.auxNote, ['', '', '', '']);
  assert.equal(a.customLabels, [
    { code: 42, symbol: 'CAL', description: 'Calibration pulse' },
    { code: 43, symbol: 'PVCx', description: '' },
  ]);
  assert.equal(a.symbol.filter(isBeatSymbol), ['N']);
});

test('hand-built definitions: what get_ann_table reads, what it ignores, and where the block ends', () => {
  const note = (text: string) => {
    const b = Array.from(new TextEncoder().encode(text));
    return [...word(22, 0), ...word(63, b.length), ...b, ...(b.length & 1 ? [0] : [])];
  };
  const bytes = Uint8Array.from([
    ...note('## annotation type definitions'),
    ...note('  42   CAL   Calibration pulse'), // spaces around the code and mnemonic
    ...note('43\tXY'), // a tab, no description
    ...note('50 BIG too high a code'), // ignored: above ACMAX
    ...note('x 44 no code'), // ignored: no number first
    ...note('just a comment'), // a NOTE at 0 that defines nothing: still dropped, as rdann drops it
    ...note('## end of definitions'),
    ...word(59, 0), 0xff, 0xff, 0xff, 0xff, ...word(0, 1), // SKIP -1 and the null annotation: dropped
    ...word(42, 5), ...word(43, 1), ...word(44, 1),
    ...word(22, 0), ...word(63, 2), 0x34, 0x32, // a NOTE after the block is an annotation
    ...word(0, 3), // a code-0 annotation not ending the block is an annotation
    0, 0,
  ]);
  const a = parseAnnotations(bytes, 'x.ann');
  assert.equal(a.symbol, ['CAL', 'XY', '[44]', '"', ' ']);
  assert.equal(Array.from(a.sample), [5, 6, 7, 7, 10]);
  assert.equal(a.auxNote, ['', '', '', '42', '']);
  // the description starts one character after the mnemonic, as setanndesc(a, p2 + 1) in get_ann_table
  assert.equal(a.customLabels, [{ code: 42, symbol: 'CAL', description: '  Calibration pulse' }, { code: 43, symbol: 'XY', description: '' }]);
  // a NOTE at time 0 with a subtype is not a definition (get_ann_table stops there), nor one at time 1
  const sub = parseAnnotations(Uint8Array.from([...note('42 CAL'), ...word(61, 1), ...word(1, 1), 0, 0]));
  assert.equal(sub.symbol, ['"', 'N']);
  assert.equal(sub.customLabels, []);
  const later = parseAnnotations(Uint8Array.from([...word(1, 1), ...note('42 CAL').map((x, i) => (i === 0 ? 0 : x)), 0, 0]));
  assert.equal(later.symbol, ['N', '"']);
});

test('MIT-BIH: the 8 "~" annotations with subtype 0x3ff read as -1, as rdann prints them; no definitions', () => {
  const dir = mitdbDir();
  const found: string[] = [];
  for (const r of ['101', '105', '203', '208', '210']) {
    const a = rdann(join(dir, r), 'atr');
    for (let k = 0; k < a.sample.length; k++) if (a.subtype[k]! < 0) found.push(`${r}:${a.sample[k]}:${a.symbol[k]}:${a.subtype[k]}`);
    assert.is(a.timeResolution, undefined);
    assert.equal(a.customLabels, []);
  }
  assert.equal(found, [
    '101:115124:~:-1', '105:433555:~:-1', '105:472412:~:-1', '105:478528:~:-1', '105:595042:~:-1',
    '203:199185:~:-1', '208:457582:~:-1', '210:346090:~:-1',
  ]);
});

test('writeAnnotations refuses unknown symbols and decreasing samples', () => {
  assert.throws(() => writeAnnotations({ sample: [1], symbol: ['?!'] }), /not a standard WFDB annotation symbol/);
  assert.throws(() => writeAnnotations({ sample: [0], symbol: ['N'], customLabels: [{ code: 42, symbol: 'A B' }] }), /without spaces/);
  assert.throws(() => writeAnnotations({ sample: [0], symbol: ['N'], timeResolution: -1 }), /timeResolution must be a positive/);
  assert.throws(() => writeAnnotations({ sample: [5, 4], symbol: ['N', 'N'] }), /non-decreasing/);
});

const truncations: [string, number[], RegExp][] = [
  ['in the middle of a word', [...word(1, 5), 0x07], /x\.atr: the file ends at byte 3 in the middle of an annotation word that starts at byte offset 2/],
  ['in the middle of a SKIP', [...word(59, 0), 1, 0], /ends at byte 4 in the middle of a SKIP pseudo-annotation that starts at byte offset 0/],
  ['in the middle of an AUX string', [...word(28, 1), ...word(63, 5), 0x28, 0x41], /in the middle of an AUX string of 5 bytes that starts at byte offset 2/],
  ['before the end-of-file word', [...word(1, 5), ...word(1, 5)], /no end-of-file word \(0x0000\) after 2 annotations; the file is truncated at byte 4/],
];
for (const [what, bytes, message] of truncations) {
  test(`an annotation file cut ${what} is an error naming the byte offset`, () => {
    assert.throws(() => parseAnnotations(Uint8Array.from(bytes), 'x.atr'), (e: unknown) => e instanceof WfdbError && message.test((e as Error).message));
  });
}

test.run();
