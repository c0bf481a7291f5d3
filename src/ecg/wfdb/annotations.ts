// WFDB annotation files in the MIT format: read and write. Reference: WFDB Programmer's Guide,
// "annot(5)". Each annotation is a little-endian 16-bit word: the high 6 bits are the code A, the low
// 10 bits the time I since the previous annotation. Pseudo-codes: SKIP (59, followed by a 32-bit
// interval stored high 16 bits first), NUM (60), SUB (61), CHN (62) and AUX (63, I bytes of text
// padded to an even length). SKIP comes before the annotation it moves; NUM, SUB, CHN and AUX follow
// the annotation they modify. chan and num carry over to later annotations, subtype and auxNote do not.
// The word 0x0000 ends the file.
import { WfdbError } from '../errors.ts';
import { codeToSymbol, symbolToCode } from './annotation-codes.ts';
import { describeValue, sourceName } from './header.ts';

/** Annotations with wfdb-python's field names (camelCase); arrays are parallel, one entry per annotation. */
export interface Annotations {
  recordName: string;
  /** Annotator name / file extension ("atr"). */
  extension: string;
  /** Sample number (frame index) of each annotation. */
  sample: Int32Array;
  symbol: string[];
  subtype: Int32Array;
  chan: Int32Array;
  num: Int32Array;
  /** Auxiliary text ("" if none); rhythm labels such as "(AFIB" arrive here on "+" annotations. */
  auxNote: string[];
}

const SKIP = 59, NUM = 60, SUB = 61, CHN = 62, AUX = 63;
const NAMES: Record<number, string> = { [NUM]: 'NUM', [SUB]: 'SUB', [CHN]: 'CHN', [AUX]: 'AUX' };

/** Parses an MIT-format annotation file. `fileName` names the file in error messages. */
export function parseAnnotations(bytes: Uint8Array, fileName = 'annotations', recordName = '', extension = ''): Annotations {
  fileName = sourceName(fileName, 'annotations');
  if (!(bytes instanceof Uint8Array)) {
    throw new WfdbError(`${fileName}: expected the annotation file's bytes as a Uint8Array, got ${describeValue(bytes)}`, fileName);
  }
  if (typeof recordName !== 'string' || typeof extension !== 'string') {
    throw new WfdbError(`${fileName}: recordName and extension must be strings, got ${describeValue(recordName)} and ${describeValue(extension)}`, fileName);
  }
  const sample: number[] = [], symbol: string[] = [], subtype: number[] = [], chan: number[] = [], num: number[] = [], aux: string[] = [];
  let t = 0, curChan = 0, curNum = 0;
  let p = 0;
  let ended = false;
  const need = (k: number, what: string): void => {
    if (p + k > bytes.length) {
      throw new WfdbError(
        `${fileName}: the file ends at byte ${bytes.length} in the middle of ${what} that starts at byte offset ${p} ` +
          `(needs ${k} bytes); the annotation file is truncated: re-fetch it`,
        fileName,
      );
    }
  };
  const decoder = new TextDecoder('utf-8');
  while (p < bytes.length) {
    need(2, 'an annotation word');
    const w = bytes[p]! | (bytes[p + 1]! << 8);
    const a = w >> 10, i = w & 0x3ff;
    if (a === 0 && i === 0) {
      ended = true;
      p += 2;
      break;
    }
    if (a === SKIP) {
      need(6, 'a SKIP pseudo-annotation');
      const hi = bytes[p + 2]! | (bytes[p + 3]! << 8);
      const lo = bytes[p + 4]! | (bytes[p + 5]! << 8);
      t += ((hi << 16) | lo) | 0;
      p += 6;
      continue;
    }
    if (a >= NUM) {
      const n = sample.length - 1;
      if (n < 0) throw new WfdbError(`${fileName}: a ${NAMES[a]} pseudo-annotation at byte offset ${p} comes before any annotation; expected an annotation word first`, fileName);
      if (a === NUM) num[n] = curNum = i;
      else if (a === SUB) subtype[n] = i;
      else if (a === CHN) chan[n] = curChan = i;
      else {
        const padded = i + (i & 1);
        need(2 + padded, `an AUX string of ${i} bytes`);
        let end = p + 2 + i;
        while (end > p + 2 && bytes[end - 1] === 0) end--;
        aux[n] = decoder.decode(bytes.subarray(p + 2, end));
        p += padded;
      }
      p += 2;
      continue;
    }
    t += i;
    if (t > 0x7fffffff || t < 0) throw new WfdbError(`${fileName}: annotation at byte offset ${p} has time ${t}, outside 0..2^31-1`, fileName);
    sample.push(t);
    symbol.push(codeToSymbol(a));
    subtype.push(0);
    chan.push(curChan);
    num.push(curNum);
    aux.push('');
    p += 2;
  }
  if (!ended) {
    throw new WfdbError(
      `${fileName}: no end-of-file word (0x0000) after ${sample.length} annotations; the file is truncated at byte ${bytes.length}: re-fetch it`,
      fileName,
    );
  }
  return {
    recordName,
    extension,
    sample: Int32Array.from(sample),
    symbol,
    subtype: Int32Array.from(subtype),
    chan: Int32Array.from(chan),
    num: Int32Array.from(num),
    auxNote: aux,
  };
}

/** Input of writeAnnotations: `sample` and `symbol` are required, the rest default to 0 / "". */
export interface AnnotationInput {
  sample: ArrayLike<number>;
  symbol: readonly string[];
  subtype?: ArrayLike<number>;
  chan?: ArrayLike<number>;
  num?: ArrayLike<number>;
  auxNote?: readonly string[];
}

/** Encodes annotations in the MIT format (the inverse of parseAnnotations). Samples must not decrease. */
export function writeAnnotations(ann: AnnotationInput): Uint8Array {
  const n = ann.sample.length;
  if (ann.symbol.length !== n) throw new WfdbError(`writeAnnotations: ${n} samples but ${ann.symbol.length} symbols`);
  const bytesOut: number[] = [];
  const word = (a: number, i: number): void => {
    bytesOut.push(((a << 10) | (i & 0x3ff)) & 0xff, ((a << 10) | (i & 0x3ff)) >> 8);
  };
  const encoder = new TextEncoder();
  let prev = 0, curChan = 0, curNum = 0;
  for (let k = 0; k < n; k++) {
    const s = ann.sample[k]!;
    const code = symbolToCode(ann.symbol[k]!);
    if (code === undefined) throw new WfdbError(`writeAnnotations: annotation ${k} has symbol "${ann.symbol[k]}", which is not a standard WFDB annotation symbol`);
    if (!Number.isInteger(s) || s < prev) throw new WfdbError(`writeAnnotations: annotation ${k} is at sample ${s}; samples must be integers in non-decreasing order (previous: ${prev})`);
    const dt = s - prev;
    if (dt > 1023) {
      word(SKIP, 0);
      bytesOut.push((dt >>> 16) & 0xff, (dt >>> 24) & 0xff, dt & 0xff, (dt >>> 8) & 0xff);
      word(code, 0);
    } else {
      word(code, dt);
    }
    prev = s;
    const sub = ann.subtype?.[k] ?? 0;
    const ch = ann.chan?.[k] ?? curChan;
    const nm = ann.num?.[k] ?? curNum;
    for (const [v, what] of [[sub, 'subtype'], [ch, 'chan'], [nm, 'num']] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 1023) throw new WfdbError(`writeAnnotations: annotation ${k} has ${what} ${v}; expected an integer 0..1023`);
    }
    if (sub !== 0) word(SUB, sub);
    if (ch !== curChan) word(CHN, (curChan = ch));
    if (nm !== curNum) word(NUM, (curNum = nm));
    const text = ann.auxNote?.[k] ?? '';
    if (text.length > 0) {
      const b = encoder.encode(text);
      if (b.length > 255) throw new WfdbError(`writeAnnotations: annotation ${k} has an aux note of ${b.length} bytes; WFDB allows at most 255`);
      word(AUX, b.length);
      for (const x of b) bytesOut.push(x);
      if (b.length & 1) bytesOut.push(0);
    }
  }
  word(0, 0);
  return Uint8Array.from(bytesOut);
}
