// WFDB annotation files in the MIT format: read and write. Reference: WFDB Programmer's Guide,
// "annot(5)", and the WFDB library's annot.c (getann, get_ann_table, putann, put_ann_table). Each
// annotation is a little-endian 16-bit word: the high 6 bits are the code A, the low 10 bits the time I
// since the previous annotation. Pseudo-codes: SKIP (59, followed by a signed 32-bit interval stored
// high 16 bits first, "PDP-11 order"), NUM (60), SUB (61), CHN (62) and AUX (63, I & 0xff bytes of text
// padded to an even length). SKIP comes before the annotation it moves; NUM, SUB, CHN and AUX follow
// the annotation they modify. As in WFDB's WFDB_Annotation, subtype and num are signed chars and chan an
// unsigned char: the low 8 bits of the 10-bit field (a written -1 is 0x3ff and reads back as -1). chan
// and num carry over to later annotations, subtype and auxNote do not. The word 0x0000 ends the file.
//
// Definitions: the leading run of NOTE (") annotations at time 0 with subtype 0 is not annotations but
// the file's definitions, read and dropped as get_ann_table does: "## time resolution: F" gives the
// annotation clock (ticks per second), "code mnemonic description" gives a code's mnemonic (and
// description), other text ("## annotation type definitions", "## end of definitions") is ignored. A
// code-0 annotation right after that run (the null annotation putann writes after the table) is dropped.
import { WfdbError } from '../errors.ts';
import { ACMAX, codeToSymbol, symbolToCode } from './annotation-codes.ts';
import { describeValue, sourceName } from './header.ts';

/** A code given its own mnemonic by a definition in the file (or for writeAnnotations). */
export interface CustomLabel {
  code: number;
  symbol: string;
  /** The description after the mnemonic ("" if none). */
  description?: string;
}

/** Annotations with wfdb-python's field names (camelCase); arrays are parallel, one entry per annotation. */
export interface Annotations {
  recordName: string;
  /** Annotator name / file extension ("atr"). */
  extension: string;
  /**
   * Sample number (frame index) of each annotation: a Float64Array, exact up to 2^53 (WFDB times are
   * 64-bit). With a "## time resolution" definition and `options.fs`, times are rescaled to the record's
   * frames and rounded (halves up), as getann does; without `options.fs` they stay in the file's ticks.
   */
  sample: Float64Array;
  symbol: string[];
  /** Signed, -128..127 (WFDB's signed char). */
  subtype: Int32Array;
  /** Unsigned, 0..255 (WFDB's unsigned char). */
  chan: Int32Array;
  /** Signed, -128..127 (WFDB's signed char). */
  num: Int32Array;
  /** Auxiliary text ("" if none); rhythm labels such as "(AFIB" arrive here on "+" annotations. */
  auxNote: string[];
  /** The "## time resolution" of the file in ticks per second (wfdb-python's `fs`); undefined if none. */
  timeResolution?: number;
  /** Codes given mnemonics by the file's definitions, in file order (later ones win). */
  customLabels?: CustomLabel[];
}

/** Options of parseAnnotations. */
export interface ParseAnnotationsOptions {
  /** The record's sampling (frame) frequency: with a "## time resolution" definition, sample = round(ticks * fs / resolution). */
  fs?: number;
}

const SKIP = 59, NUM = 60, SUB = 61, CHN = 62, AUX = 63, NOTE = 22;
const NAMES: Record<number, string> = { [NUM]: 'NUM', [SUB]: 'SUB', [CHN]: 'CHN', [AUX]: 'AUX' };
const MAXSKIP = 0x7fffffff;
const TIME_RESOLUTION = '## time resolution: ';
const signed8 = (v: number): number => ((v & 0xff) << 24) >> 24;

/** Round half up (WFDB's round_to_time for non-negative times). */
const roundTime = (x: number): number => Math.floor(x + 0.5);

/** Applies one definition text (a NOTE at time 0) as get_ann_table does; returns the time resolution if it gives one. */
function applyDefinition(aux: string, labels: Map<number, CustomLabel>): number | undefined {
  const text = aux.split('\0', 1)[0]!; // a C string: it ends at the first NUL
  if (text.length === 0) return undefined;
  if (text[0] === '#') {
    if (!text.startsWith(TIME_RESOLUTION)) return undefined;
    const m = /^[ \t\n\v\f\r]*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(text.slice(TIME_RESOLUTION.length - 1));
    const v = m ? Number(m[1]) : NaN;
    return Number.isFinite(v) ? v : undefined;
  }
  // "code mnemonic description": strtol, then skip the rest of the code's word, spaces, the mnemonic.
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)[^ \t]*[ \t]*([^ \t]*)([\s\S]?)([\s\S]*)$/.exec(text);
  if (!m) return undefined;
  const code = Number(m[1]);
  if (!(code >= 0 && code <= ACMAX) || m[2] === '') return undefined;
  labels.set(code, { code, symbol: m[2]!, description: m[4]! });
  return undefined;
}

/** Parses an MIT-format annotation file. `fileName` names the file in error messages. */
export function parseAnnotations(
  bytes: Uint8Array,
  fileName = 'annotations',
  recordName = '',
  extension = '',
  options: ParseAnnotationsOptions = {},
): Annotations {
  fileName = sourceName(fileName, 'annotations');
  if (!(bytes instanceof Uint8Array)) {
    throw new WfdbError(`${fileName}: expected the annotation file's bytes as a Uint8Array, got ${describeValue(bytes)}`, fileName);
  }
  if (typeof recordName !== 'string' || typeof extension !== 'string') {
    throw new WfdbError(`${fileName}: recordName and extension must be strings, got ${describeValue(recordName)} and ${describeValue(extension)}`, fileName);
  }
  const fs = options?.fs;
  if (fs !== undefined && !(typeof fs === 'number' && Number.isFinite(fs) && fs > 0)) {
    throw new WfdbError(`${fileName}: options.fs must be a positive finite sampling frequency, got ${describeValue(fs)}`, fileName);
  }
  const sample: number[] = [], code: number[] = [], subtype: number[] = [], chan: number[] = [], num: number[] = [], aux: string[] = [];
  const at: number[] = []; // byte offset of each annotation word, for messages
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
      if (a === NUM) num[n] = curNum = signed8(i);
      else if (a === SUB) subtype[n] = signed8(i);
      else if (a === CHN) chan[n] = curChan = i & 0xff;
      else {
        const len = i & 0xff;
        const padded = len + (len & 1);
        need(2 + padded, `an AUX string of ${len} bytes`);
        let end = p + 2 + len;
        while (end > p + 2 && bytes[end - 1] === 0) end--;
        aux[n] = decoder.decode(bytes.subarray(p + 2, end));
        p += padded;
      }
      p += 2;
      continue;
    }
    t += i;
    if (t < 0 || t > Number.MAX_SAFE_INTEGER) {
      throw new WfdbError(`${fileName}: annotation at byte offset ${p} has time ${t}, outside 0..2^53-1 (a SKIP moved it there)`, fileName);
    }
    sample.push(t);
    code.push(a);
    subtype.push(0);
    chan.push(curChan);
    num.push(curNum);
    aux.push('');
    at.push(p);
    p += 2;
  }
  if (!ended) {
    throw new WfdbError(
      `${fileName}: no end-of-file word (0x0000) after ${sample.length} annotations; the file is truncated at byte ${bytes.length}: re-fetch it`,
      fileName,
    );
  }
  // Definitions: the leading NOTEs at time 0 with subtype 0 (get_ann_table), then a null annotation, if any.
  const labels = new Map<number, CustomLabel>();
  let resolution: number | undefined;
  let first = 0;
  while (first < sample.length && sample[first] === 0 && code[first] === NOTE && subtype[first] === 0) {
    const r = applyDefinition(aux[first]!, labels);
    if (r !== undefined) resolution = r;
    first++;
  }
  if (first < sample.length && code[first] === 0) first++;
  const scale = resolution !== undefined && resolution > 0 && fs !== undefined ? fs / resolution : 1;
  const n = sample.length - first;
  const outSample = new Float64Array(n);
  const symbol: string[] = new Array<string>(n);
  for (let k = 0; k < n; k++) {
    const s = sample[first + k]!;
    outSample[k] = scale === 1 ? s : roundTime(s * scale);
    if (!Number.isSafeInteger(outSample[k])) {
      throw new WfdbError(`${fileName}: annotation at byte offset ${at[first + k]} has time ${s} ticks, ${outSample[k]} samples at ${fs} Hz: beyond 2^53-1`, fileName);
    }
    const c = code[first + k]!;
    symbol[k] = labels.get(c)?.symbol ?? codeToSymbol(c);
  }
  const out: Annotations = {
    recordName,
    extension,
    sample: outSample,
    symbol,
    subtype: Int32Array.from(subtype.slice(first)),
    chan: Int32Array.from(chan.slice(first)),
    num: Int32Array.from(num.slice(first)),
    auxNote: aux.slice(first),
    customLabels: [...labels.values()],
  };
  if (resolution !== undefined) out.timeResolution = resolution;
  return out;
}

/** Input of writeAnnotations: `sample` and `symbol` are required, the rest default to 0 / "". */
export interface AnnotationInput {
  sample: ArrayLike<number>;
  symbol: readonly string[];
  /** -128..127. */
  subtype?: ArrayLike<number>;
  /** 0..255. */
  chan?: ArrayLike<number>;
  /** -128..127. */
  num?: ArrayLike<number>;
  auxNote?: readonly string[];
  /** Written as a "## time resolution: F" definition: `sample` is then in ticks of 1/F s. */
  timeResolution?: number;
  /** Written as "## annotation type definitions"; their symbols may then be used in `symbol`. */
  customLabels?: readonly CustomLabel[];
}

/** Encodes annotations in the MIT format (the inverse of parseAnnotations), definitions first as putann writes them. Samples must not decrease. */
export function writeAnnotations(ann: AnnotationInput): Uint8Array {
  const n = ann.sample.length;
  if (ann.symbol.length !== n) throw new WfdbError(`writeAnnotations: ${n} samples but ${ann.symbol.length} symbols`);
  const bytesOut: number[] = [];
  const word = (a: number, i: number): void => {
    const w = (a << 10) | (i & 0x3ff);
    bytesOut.push(w & 0xff, w >> 8);
  };
  const skip = (d: number): void => {
    word(SKIP, 0);
    bytesOut.push((d >>> 16) & 0xff, (d >>> 24) & 0xff, d & 0xff, (d >>> 8) & 0xff);
  };
  const encoder = new TextEncoder();
  const auxWord = (text: string, what: string): void => {
    const b = encoder.encode(text);
    if (b.length > 255) throw new WfdbError(`writeAnnotations: ${what} has an aux note of ${b.length} bytes; WFDB allows at most 255`);
    word(AUX, b.length);
    for (const x of b) bytesOut.push(x);
    if (b.length & 1) bytesOut.push(0);
  };
  // Definitions (put_ann_table): NOTEs at time 0, then a null annotation at time 0 (SKIP -1, code 0 at +1).
  const custom = new Map<string, number>();
  let defined = false;
  if (ann.timeResolution !== undefined) {
    const f = ann.timeResolution;
    if (!(typeof f === 'number' && Number.isFinite(f) && f > 0)) throw new WfdbError(`writeAnnotations: timeResolution must be a positive finite frequency, got ${describeValue(f)}`);
    word(NOTE, 0);
    auxWord(`${TIME_RESOLUTION}${Number(f.toPrecision(12))}`, 'the time resolution');
    defined = true;
  }
  if (ann.customLabels !== undefined && ann.customLabels.length > 0) {
    word(NOTE, 0);
    auxWord('## annotation type definitions', 'the definitions');
    for (const l of ann.customLabels) {
      if (!Number.isInteger(l.code) || l.code < 1 || l.code > ACMAX) throw new WfdbError(`writeAnnotations: custom label "${l.symbol}" has code ${l.code}; expected an integer 1..${ACMAX}`);
      if (typeof l.symbol !== 'string' || !/^[^\s\0]+$/.test(l.symbol)) throw new WfdbError(`writeAnnotations: custom label for code ${l.code} has symbol ${describeValue(l.symbol)}; expected a non-empty string without spaces`);
      word(NOTE, 0);
      auxWord(`${l.code} ${l.symbol} ${l.description ?? ''}`, `custom label "${l.symbol}"`);
      custom.set(l.symbol, l.code);
    }
    word(NOTE, 0);
    auxWord('## end of definitions', 'the definitions');
    defined = true;
  }
  if (defined) {
    skip(-1);
    word(0, 1);
  }
  let prev = 0, curChan = 0, curNum = 0;
  for (let k = 0; k < n; k++) {
    const s = ann.sample[k]!;
    const code = custom.get(ann.symbol[k]!) ?? symbolToCode(ann.symbol[k]!);
    if (code === undefined) throw new WfdbError(`writeAnnotations: annotation ${k} has symbol "${ann.symbol[k]}", which is not a standard WFDB annotation symbol nor one of customLabels`);
    if (!Number.isSafeInteger(s) || s < prev) throw new WfdbError(`writeAnnotations: annotation ${k} is at sample ${s}; samples must be integers in non-decreasing order (previous: ${prev})`);
    let dt = s - prev;
    while (dt > MAXSKIP) {
      skip(MAXSKIP);
      dt -= MAXSKIP;
    }
    if (code === 0) {
      // A code-0 word with a zero interval would read as the end of the file: SKIP to just before, as putann does.
      skip(dt - 1);
      word(0, 1);
    } else if (dt > 1023) {
      skip(dt);
      word(code, 0);
    } else {
      word(code, dt);
    }
    prev = s;
    const sub = ann.subtype?.[k] ?? 0;
    const ch = ann.chan?.[k] ?? curChan;
    const nm = ann.num?.[k] ?? curNum;
    for (const [v, what, lo, hi] of [[sub, 'subtype', -128, 127], [ch, 'chan', 0, 255], [nm, 'num', -128, 127]] as const) {
      if (!Number.isInteger(v) || v < lo || v > hi) throw new WfdbError(`writeAnnotations: annotation ${k} has ${what} ${v}; expected an integer ${lo}..${hi} (WFDB's ${lo < 0 ? 'signed' : 'unsigned'} char)`);
    }
    if (sub !== 0) word(SUB, sub);
    if (ch !== curChan) word(CHN, (curChan = ch));
    if (nm !== curNum) word(NUM, (curNum = nm));
    const text = ann.auxNote?.[k] ?? '';
    if (text.length > 0) auxWord(text, `annotation ${k}`);
  }
  word(0, 0);
  return Uint8Array.from(bytesOut);
}
