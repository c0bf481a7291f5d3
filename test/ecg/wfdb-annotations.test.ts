// Specification of MIT-format annotation files (annot(5)): codes and symbols, the SKIP, NUM, SUB, CHN
// and AUX pseudo-codes, round trips through writeAnnotations, and truncated files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAnnotations, writeAnnotations } from '../../src/ecg/wfdb/annotations.ts';
import { ANNOTATION_CODES, codeToSymbol, isBeatSymbol, symbolToCode } from '../../src/ecg/wfdb/annotation-codes.ts';
import { WfdbError } from '../../src/ecg/errors.ts';

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

test('writeAnnotations round-trips every field, including long gaps and odd-length aux notes', () => {
  const ann = {
    sample: [0, 5, 1028, 1028, 100000, 3000000],
    symbol: ['"', 'N', '+', 'V', 'r', '[42]'],
    subtype: [0, 3, 0, 1023, 0, 0],
    chan: [0, 0, 1, 1, 0, 2],
    num: [0, 4, 4, 0, 9, 9],
    auxNote: ['## time resolution: 360', '', '(AFIB', '', 'é', ''],
  };
  const a = parseAnnotations(writeAnnotations(ann));
  assert.equal(Array.from(a.sample), ann.sample);
  assert.equal(a.symbol, ann.symbol);
  assert.equal(Array.from(a.subtype), ann.subtype);
  assert.equal(Array.from(a.chan), ann.chan);
  assert.equal(Array.from(a.num), ann.num);
  assert.equal(a.auxNote, ann.auxNote);
});

test('writeAnnotations refuses unknown symbols and decreasing samples', () => {
  assert.throws(() => writeAnnotations({ sample: [1], symbol: ['?!'] }), /not a standard WFDB annotation symbol/);
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
