// The classifier file (".ecgc"), browser-safe: bytes in, bytes out. A sibling of the model file
// (src/nn/model-file.ts, docs/model-format.md) with typed arrays instead of float32 tensors, so float64
// weights and int32 tree structure round-trip exactly. Layout (little-endian):
//   0   8 bytes   magic "ECGRADC1"
//   8   u32       H = byte length of the JSON header
//   12  H bytes   UTF-8 JSON header, space-padded so the data section starts at a multiple of 8:
//                 { "format": "ecgrad-classifier", "version": 1, "kind": string, "nClasses": n,
//                   "nFeatures": d, "params": {...}, "meta": {...},
//                   "arrays": [{ "name", "dtype": "f32" | "f64" | "i32" | "u8", "length", "offset" }],
//                   "dataBytes": n }
//   12+H  dataBytes   the arrays back to back in table order, each starting at a multiple of 8 bytes
//                     (offsets in bytes from the start of the data section)
//   end-4 u32       CRC-32 (IEEE 802.3) of every byte before it
// Decoding verifies magic, sizes, JSON, the table and the checksum before returning anything.
import { isJsonObject, packContainer, unpackContainer } from '../core/container.ts';

const MAGIC = 'ECGRADC1';
const VERSION = 1;
/** Class counts above this are refused: predictions allocate rows x classes. */
const MAX_CLASSES = 65536;

/** A typed array of a classifier's saved state (float32, float64, int32 or uint8), stored exactly. */
export type StateArray = Float32Array | Float64Array | Int32Array | Uint8Array;
export type DType = 'f32' | 'f64' | 'i32' | 'u8';

/** Everything a classifier needs to be rebuilt: its kind, hyperparameters and fitted arrays. */
export interface ClassifierState {
  kind: string;
  nClasses: number;
  nFeatures: number;
  params: Record<string, unknown>;
  arrays: Record<string, StateArray>;
  meta?: Record<string, unknown>;
}

/**
 * One row of a classifier file's array table: name, dtype, length (elements) and byte offset into the data.
 */
export interface ArrayEntry {
  name: string;
  dtype: DType;
  length: number;
  offset: number;
}

/**
 * The JSON header of an .ecgc file: format and version, the classifier's kind, classes, features,
 * hyperparameters and metadata, and the array table.
 */
export interface ClassifierHeader {
  format: 'ecgrad-classifier';
  version: number;
  kind: string;
  nClasses: number;
  nFeatures: number;
  params: Record<string, unknown>;
  meta: Record<string, unknown>;
  arrays: ArrayEntry[];
  dataBytes: number;
}

/**
 * A classifier file (.ecgc) that cannot be read: bad magic, header, array table, sizes, checksum or state.
 * The message names the file (`source`) and what is wrong.
 */
export class ClassifierFileError extends Error {
  constructor(source: string, message: string) {
    super(`classifier file ${source}: ${message}`);
    this.name = 'ClassifierFileError';
  }
}

const SIZES: Record<DType, number> = { f32: 4, f64: 8, i32: 4, u8: 1 };

function dtypeOf(a: StateArray): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint8Array) return 'u8';
  throw new TypeError('encodeClassifier: arrays must be Float32Array, Float64Array, Int32Array or Uint8Array');
}

const align8 = (n: number) => (n + 7) & ~7;

/** Serialises a classifier state (bit-exact). */
export function encodeClassifierState(state: ClassifierState): Uint8Array {
  if (!state.kind || typeof state.kind !== 'string') throw new TypeError('encodeClassifier: kind must be a non-empty string');
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(state.arrays)) {
    const dtype = dtypeOf(a);
    entries.push({ name, dtype, length: a.length, offset });
    offset = align8(offset + a.length * SIZES[dtype]);
  }
  const header: ClassifierHeader = {
    format: 'ecgrad-classifier', version: VERSION, kind: state.kind, nClasses: state.nClasses, nFeatures: state.nFeatures,
    params: state.params, meta: state.meta ?? {}, arrays: entries, dataBytes: offset,
  };
  return packContainer(MAGIC, header, offset, (view, out, start) => {
    for (const e of entries) {
      const a = state.arrays[e.name]!;
      const at = start + e.offset;
      switch (e.dtype) {
        case 'f32': for (let i = 0; i < a.length; i++) view.setFloat32(at + 4 * i, a[i]!, true); break;
        case 'f64': for (let i = 0; i < a.length; i++) view.setFloat64(at + 8 * i, a[i]!, true); break;
        case 'i32': for (let i = 0; i < a.length; i++) view.setInt32(at + 4 * i, a[i]!, true); break;
        case 'u8': out.set(a as Uint8Array, at); break;
      }
    }
  }, 8);
}

/** Parses and verifies a classifier file; `source` names it in errors. */
export function decodeClassifierState(bytes: Uint8Array, source = '(bytes)'): ClassifierState & { header: ClassifierHeader } {
  const fail = (msg: string) => new ClassifierFileError(source, msg);
  const { header, view, start } = unpackContainer<ClassifierHeader>(bytes, {
    magic: MAGIC, what: 'classifier file', fail, format: 'ecgrad-classifier', version: VERSION,
    dataBytes: (h) => {
      if (typeof h.kind !== 'string' || !Array.isArray(h.arrays) || !Number.isInteger(h.dataBytes))
        throw fail('header lacks "kind", "arrays" or "dataBytes"');
      if (!isJsonObject(h.params) || (h.meta !== undefined && !isJsonObject(h.meta))) throw fail('header fields "params" and "meta" must be JSON objects');
      if (!Number.isSafeInteger(h.nClasses) || h.nClasses < 1 || h.nClasses > MAX_CLASSES || !Number.isSafeInteger(h.nFeatures) || h.nFeatures < 1)
        throw fail(`header fields "nClasses" (1..${MAX_CLASSES}) and "nFeatures" (>= 1) must be integers, got ${JSON.stringify(h.nClasses)} and ${JSON.stringify(h.nFeatures)}`);
      return h.dataBytes;
    },
  });
  const arrays: Record<string, StateArray> = {};
  let next = 0;
  for (const [i, e] of header.arrays.entries()) {
    const size = SIZES[e?.dtype as DType];
    if (typeof e?.name !== 'string' || !size || !Number.isInteger(e.length) || e.length < 0 || e.offset !== next || e.name in arrays)
      throw fail(`array table entry ${i} (${JSON.stringify(e?.name)}) is malformed, duplicated or out of order`);
    if (e.offset + e.length * size > header.dataBytes)
      throw fail(`array ${e.name} (${e.length} values of ${e.dtype}) runs past the ${header.dataBytes} data bytes`);
    const at = start + e.offset;
    let a: StateArray;
    switch (e.dtype) {
      case 'f32': a = new Float32Array(e.length); for (let k = 0; k < e.length; k++) a[k] = view.getFloat32(at + 4 * k, true); break;
      case 'f64': a = new Float64Array(e.length); for (let k = 0; k < e.length; k++) a[k] = view.getFloat64(at + 8 * k, true); break;
      case 'i32': a = new Int32Array(e.length); for (let k = 0; k < e.length; k++) a[k] = view.getInt32(at + 4 * k, true); break;
      default: a = bytes.slice(at, at + e.length);
    }
    // NaN is refused (nothing fitted holds one); +-Infinity is allowed (the log-prior of an absent class).
    if (e.dtype === 'f32' || e.dtype === 'f64') {
      const nan = (a as Float32Array | Float64Array).findIndex(Number.isNaN);
      if (nan >= 0) throw fail(`array ${e.name} holds NaN at index ${nan}: the fit failed or the file is damaged`);
    }
    arrays[e.name] = a;
    next = align8(next + e.length * size);
  }
  if (next !== header.dataBytes) throw fail(`the array table covers ${next} bytes but the header says ${header.dataBytes}`);
  return { kind: header.kind, nClasses: header.nClasses, nFeatures: header.nFeatures, params: header.params, meta: header.meta, arrays, header };
}

/** Fetches a typed array of a state, checking its type and length (loading never trusts the file). */
export function stateArray<T extends StateArray>(
  state: ClassifierState, name: string, ctor: { new (n: number): T; name: string }, length?: number,
): T {
  const a = state.arrays[name];
  if (!(a instanceof ctor)) throw new Error(`${state.kind}: array "${name}" is missing or not a ${ctor.name}`);
  if (length !== undefined && a.length !== length)
    throw new Error(`${state.kind}: array "${name}" has ${a.length} values, expected ${length}`);
  return a as T;
}
