// safetensors (the Hugging Face tensor file, the usual way PyTorch state dicts travel), browser-safe:
// bytes in, bytes out. Layout (all little-endian):
//   0     u64       N = byte length of the JSON header (at most 100,000,000, as the reference reader)
//   8     N bytes   UTF-8 JSON object: { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] },
//                   ..., "__metadata__": { "<key>": "<string>" } (optional) }, space-padded at the end
//   8+N   the data buffer: each tensor's raw little-endian values, row-major, at [begin, end) of the buffer
// Reading checks everything before it returns: the header length against the file, UTF-8, JSON, every
// entry's dtype, shape and offsets (end − begin = elements × dtype size), and that the entries tile the
// data buffer exactly (sorted by offset: no gap, no overlap, nothing left over), as the Rust reference
// implementation does. Nothing is allocated from a size the file claims before that size is checked
// against the bytes actually there. Every refusal is a SafetensorsError naming the file.
// The mapping of ecgrad modules to PyTorch state-dict names lives in safetensors-state.ts.

/** The element types of the format (the F8 types are read only as raw bytes). */
export type SafetensorsDtype =
  | 'BOOL' | 'U8' | 'I8' | 'U16' | 'I16' | 'F16' | 'BF16' | 'U32' | 'I32' | 'F32' | 'U64' | 'I64' | 'F64'
  | 'F8_E4M3' | 'F8_E5M2';

/** Bytes per element of each dtype. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, U16: 2, I16: 2, F16: 2, BF16: 2, U32: 4, I32: 4, F32: 4, U64: 8, I64: 8, F64: 8,
};

/** The reference reader's limit on the JSON header, bytes. */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/** One tensor of a file: its dtype, shape and raw little-endian bytes (a view into the file's bytes). */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Raw little-endian values (elements × dtype size bytes). */
  bytes: Uint8Array;
}

/** A decoded safetensors file: its tensors in header order and its "__metadata__" strings. */
export interface SafetensorsFile {
  /** Tensors in the header's order. */
  tensors: Map<string, SafeTensor>;
  /** The optional "__metadata__" string map ({} when absent). */
  metadata: Record<string, string>;
}

/** A tensor to write: its dtype, shape and values (a typed array of the dtype's kind, or raw bytes). */
export interface SafeTensorInput {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Uint32Array | BigUint64Array;
}

/**
 * A safetensors file that cannot be read (bad header length, JSON, dtype, offsets or sizes). The message
 * names the file (`source`) and what is wrong.
 */
export class SafetensorsError extends Error {
  constructor(source: string, message: string) {
    super(`safetensors file ${source}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

const isDtype = (d: unknown): d is SafetensorsDtype => typeof d === 'string' && Object.hasOwn(SAFETENSORS_DTYPE_BYTES, d);

/** Parses and verifies a safetensors file; `source` names it in errors (a path or file name). */
export function readSafetensors(bytes: Uint8Array, source = '(bytes)'): SafetensorsFile {
  const fail = (msg: string) => new SafetensorsError(source, msg);
  if (!(bytes instanceof Uint8Array)) throw new TypeError('readSafetensors: bytes must be a Uint8Array');
  if (bytes.length < 8) throw fail(`is ${bytes.length} bytes long: too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true), hi = view.getUint32(4, true);
  if (hi !== 0 || lo > SAFETENSORS_MAX_HEADER)
    throw fail(`its header length ${hi * 2 ** 32 + lo} is larger than the ${SAFETENSORS_MAX_HEADER}-byte limit (not a safetensors file?)`);
  const N = lo;
  if (N < 2) throw fail(`its header length ${N} is too small for a JSON object`);
  if (8 + N > bytes.length) throw fail(`truncated: the header says ${N} header bytes, the file has ${bytes.length - 8} after the length`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + N));
  } catch {
    throw fail('its header is not valid UTF-8');
  }
  if (text[0] !== '{') throw fail('its header does not start with "{" (not a safetensors file?)');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw fail(`its header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw fail('its header is not a JSON object');
  const dataStart = 8 + N;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: [string, SafetensorsDtype, number[], number, number][] = [];
  for (const [name, e] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!e || typeof e !== 'object' || Array.isArray(e)) throw fail('"__metadata__" must be an object of strings');
      for (const [k, v] of Object.entries(e)) if (typeof v !== 'string') throw fail(`"__metadata__" value of "${k}" is not a string`);
      metadata = { ...(e as Record<string, string>) };
      continue;
    }
    const what = `tensor ${JSON.stringify(name)}`;
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw fail(`${what}: its entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = e as Record<string, unknown>;
    if (!isDtype(dtype)) throw fail(`${what}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw fail(`${what}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1])
      throw fail(`${what}: data_offsets ${JSON.stringify(offsets)} is not [begin, end] with 0 <= begin <= end`);
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) throw fail(`${what}: data_offsets [${begin}, ${end}] run past the ${dataLength}-byte data buffer (truncated?)`);
    // Elements × size must equal the byte span; the product is checked as it grows, so it stays exact.
    let elements = (shape as number[]).includes(0) ? 0 : 1;
    for (const d of shape as number[]) {
      if (elements > dataLength) break;
      elements *= d;
    }
    if (elements * SAFETENSORS_DTYPE_BYTES[dtype] !== end - begin)
      throw fail(`${what}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${elements > dataLength ? 'more than the file holds' : `${elements * SAFETENSORS_DTYPE_BYTES[dtype]} bytes`}, data_offsets [${begin}, ${end}] give ${end - begin}`);
    entries.push([name, dtype, shape as number[], begin, end]);
  }
  // The entries must tile the data buffer: sorted by offset, each begins where the previous ended.
  const sorted = entries.map((e, i) => [e[3], e[4], i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let at = 0;
  for (const [begin, end, i] of sorted) {
    if (begin !== at)
      throw fail(`tensor ${JSON.stringify(entries[i]![0])} starts at data byte ${begin}, expected ${at}: the tensors ${begin > at ? 'leave a gap in' : 'overlap in'} the data buffer`);
    at = end;
  }
  if (at !== dataLength) throw fail(`the tensors cover ${at} data bytes but the file holds ${dataLength} after the header`);
  const tensors = new Map<string, SafeTensor>();
  for (const [name, dtype, shape, begin, end] of entries) tensors.set(name, { dtype, shape: [...shape], bytes: bytes.subarray(dataStart + begin, dataStart + end) });
  return { tensors, metadata };
}

const TYPED: Partial<Record<SafetensorsDtype, (abstract new (...a: never[]) => ArrayBufferView)[]>> = {
  F32: [Float32Array], F64: [Float64Array], I32: [Int32Array], I64: [BigInt64Array], U64: [BigUint64Array], I8: [Int8Array],
  U8: [Uint8Array], BOOL: [Uint8Array], I16: [Int16Array], U16: [Uint16Array], F16: [Uint16Array], BF16: [Uint16Array], U32: [Uint32Array],
};

/** Little-endian bytes of a typed array (a copy; typed arrays are in the platform's byte order). */
function leBytes(data: SafeTensorInput['data'], dtype: SafetensorsDtype, what: string): Uint8Array {
  const size = SAFETENSORS_DTYPE_BYTES[dtype];
  const raw = data instanceof Uint8Array && dtype !== 'U8' && dtype !== 'BOOL';
  if (!raw && !(TYPED[dtype] ?? []).some((C) => data instanceof C))
    throw new TypeError(`writeSafetensors: ${what}: a ${data.constructor.name} cannot hold ${dtype} values (give a matching typed array or raw bytes)`);
  const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(src.length);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (little || size === 1 || raw) out.set(src);
  else for (let i = 0; i < src.length; i += size) for (let b = 0; b < size; b++) out[i + b] = src[i + size - 1 - b]!;
  return out;
}

/**
 * Writes a safetensors file: the tensors in the given order, back to back, the header padded with
 * spaces so the data starts at a multiple of 8 (as the reference writer). Metadata values must be strings.
 */
export function writeSafetensors(tensors: Iterable<[string, SafeTensorInput]> | Record<string, SafeTensorInput>, metadata: Record<string, string> = {}): Uint8Array {
  const list = Symbol.iterator in tensors ? [...(tensors as Iterable<[string, SafeTensorInput]>)] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new TypeError(`writeSafetensors: metadata "${k}" must be a string`);
    header.__metadata__ = metadata;
  }
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of list) {
    if (name === '__metadata__' || Object.hasOwn(header, name)) throw new RangeError(`writeSafetensors: the name "${name}" is reserved or given twice`);
    if (!isDtype(t.dtype)) throw new RangeError(`writeSafetensors: tensor "${name}": unknown dtype ${String(t.dtype)}`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new RangeError(`writeSafetensors: tensor "${name}": bad shape [${t.shape.join(', ')}]`);
    const bytes = leBytes(t.data, t.dtype, `tensor "${name}"`);
    const need = t.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPE_BYTES[t.dtype];
    if (bytes.length !== need) throw new RangeError(`writeSafetensors: tensor "${name}": shape [${t.shape.join(', ')}] of ${t.dtype} needs ${need} bytes, got ${bytes.length}`);
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const N = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + N + offset);
  new DataView(out.buffer).setUint32(0, N, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + N);
  let at = 8 + N;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** IEEE half (binary16) bits to a number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * A tensor's values as float32: F32 exactly, F64 / F16 / BF16 / integers converted (integers beyond
 * 2^24 round to the nearest float32, as PyTorch's .float() does). BOOL and the F8 types are refused.
 */
export function safeTensorToFloat32(t: SafeTensor, what = 'tensor', source = '(bytes)'): Float32Array {
  const n = t.bytes.length / SAFETENSORS_DTYPE_BYTES[t.dtype];
  const v = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  const out = new Float32Array(n);
  const bits = new Uint32Array(1), asFloat = new Float32Array(bits.buffer);
  const read: ((i: number) => number) | undefined = {
    F32: (i: number) => v.getFloat32(4 * i, true),
    F64: (i: number) => v.getFloat64(8 * i, true),
    F16: (i: number) => halfToFloat(v.getUint16(2 * i, true)),
    BF16: (i: number) => {
      bits[0] = v.getUint16(2 * i, true) << 16;
      return asFloat[0]!;
    },
    I64: (i: number) => Number(v.getBigInt64(8 * i, true)),
    U64: (i: number) => Number(v.getBigUint64(8 * i, true)),
    I32: (i: number) => v.getInt32(4 * i, true),
    U32: (i: number) => v.getUint32(4 * i, true),
    I16: (i: number) => v.getInt16(2 * i, true),
    U16: (i: number) => v.getUint16(2 * i, true),
    I8: (i: number) => v.getInt8(i),
    U8: (i: number) => v.getUint8(i),
  }[t.dtype as string];
  if (!read) throw new SafetensorsError(source, `${what} is ${t.dtype}, which ecgrad does not read as float32`);
  for (let i = 0; i < n; i++) out[i] = read(i);
  return out;
}
