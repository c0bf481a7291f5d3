// The ecgrad model file (".ecgm"), browser-safe: bytes in, bytes out. Layout (all little-endian):
//   0   8 bytes   magic "ECGRADM1"
//   8   u32       H = byte length of the JSON header
//   12  H bytes   UTF-8 JSON header, space-padded so the data starts at a multiple of 4:
//                 { "format": "ecgrad-model", "version": 1, "arch": string, "config": {...}, "meta": {...},
//                   "tensors": [{ "name", "shape": [...], "offset": <floats>, "kind": "param" | "buffer" }],
//                   "dataFloats": n }
//   12+H  4·n bytes  float32 data, tensors back to back in table order
//   end-4 u32       CRC-32 (IEEE 802.3) of every byte before it
// Decoding checks everything (magic, sizes, JSON, table, checksum) before returning, and loading checks
// every name and shape before writing (Module.loadStateDict), so a bad file never half-loads a model.
import type { Module } from './module.ts';

const MAGIC = 'ECGRADM1';
const VERSION = 1;

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in floats into the data section. */
  offset: number;
  kind: 'param' | 'buffer';
}

export interface ModelHeader {
  format: 'ecgrad-model';
  version: number;
  arch: string;
  config: Record<string, unknown>;
  meta: Record<string, unknown>;
  tensors: TensorEntry[];
  dataFloats: number;
}

export interface DecodedModel {
  header: ModelHeader;
  /** Tensor values by name (copies, in table order). */
  tensors: Map<string, Float32Array>;
}

export class ModelFileError extends Error {
  constructor(source: string, message: string) {
    super(`model file ${source}: ${message}`);
    this.name = 'ModelFileError';
  }
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE, reflected, polynomial 0xEDB88320) of bytes. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface EncodeOptions {
  arch: string;
  config?: Record<string, unknown>;
  meta?: Record<string, unknown>;
}

/** Serialises a module's parameters and buffers (bit-exact float32). */
export function encodeModel(model: Module, opts: EncodeOptions): Uint8Array {
  if (!opts.arch || typeof opts.arch !== 'string') throw new TypeError('encodeModel: arch must be a non-empty string');
  const params = model.namedParameters();
  const buffers = model.namedBuffers();
  const entries: TensorEntry[] = [];
  const datas: Float32Array[] = [];
  let offset = 0;
  for (const [list, kind] of [[params, 'param'], [buffers, 'buffer']] as const)
    for (const [name, t] of list) {
      entries.push({ name, shape: [...t.shape], offset, kind });
      datas.push(t.data());
      offset += t.size;
    }
  const header: ModelHeader = {
    format: 'ecgrad-model', version: VERSION, arch: opts.arch, config: opts.config ?? {}, meta: opts.meta ?? {},
    tensors: entries, dataFloats: offset,
  };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - ((12 + json.length) % 4)) % 4;
  if (pad) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const total = 12 + json.length + offset * 4 + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  let at = 12 + json.length;
  for (const d of datas) {
    for (let i = 0; i < d.length; i++) view.setFloat32(at + 4 * i, d[i]!, true);
    at += d.length * 4;
  }
  view.setUint32(at, crc32(out, 0, at), true);
  return out;
}

/** Parses and verifies a model file; `source` names it in errors (a path or file name). */
export function decodeModel(bytes: Uint8Array, source = '(bytes)'): DecodedModel {
  const fail = (msg: string) => new ModelFileError(source, msg);
  if (!(bytes instanceof Uint8Array)) throw fail('expected a Uint8Array');
  if (bytes.length < 16) throw fail(`truncated: ${bytes.length} bytes, but even an empty model file has 16`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== MAGIC) throw fail(`not an ecgrad model file (magic "${magic.replace(/[^\x20-\x7e]/g, '?')}", expected "${MAGIC}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getUint32(8, true);
  if (12 + headerBytes + 4 > bytes.length)
    throw fail(`truncated: the header claims ${headerBytes} bytes but the file has only ${bytes.length - 16} after the fixed fields`);
  let header: ModelHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerBytes)));
  } catch (e) {
    throw fail(`the JSON header (bytes 12..${12 + headerBytes}) does not parse: ${(e as Error).message}`);
  }
  if (header?.format !== 'ecgrad-model') throw fail(`header field "format" is ${JSON.stringify(header?.format)}, expected "ecgrad-model"`);
  if (header.version !== VERSION) throw fail(`version ${header.version} is not supported (this ecgrad reads version ${VERSION})`);
  if (typeof header.arch !== 'string' || !Array.isArray(header.tensors) || !Number.isInteger(header.dataFloats))
    throw fail('header lacks "arch", "tensors" or "dataFloats"');
  const expected = 12 + headerBytes + header.dataFloats * 4 + 4;
  if (bytes.length !== expected)
    throw fail(`${bytes.length < expected ? 'truncated' : 'has trailing bytes'}: ${bytes.length} bytes, expected ${expected} from its header`);
  const stored = view.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes, 0, bytes.length - 4);
  if (stored !== actual) throw fail(`checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)}): the file is corrupt`);
  const tensors = new Map<string, Float32Array>();
  let next = 0;
  const dataStart = 12 + headerBytes;
  for (const [i, e] of header.tensors.entries()) {
    const size = Array.isArray(e?.shape) && e.shape.every((d) => Number.isInteger(d) && d >= 0) ? e.shape.reduce((a, b) => a * b, 1) : -1;
    if (typeof e?.name !== 'string' || size < 0 || e.offset !== next)
      throw fail(`tensor table entry ${i} (${JSON.stringify(e?.name)}) is malformed or out of order`);
    if (tensors.has(e.name)) throw fail(`tensor ${e.name} appears twice`);
    const v = new Float32Array(size);
    for (let k = 0; k < size; k++) v[k] = view.getFloat32(dataStart + 4 * (next + k), true);
    tensors.set(e.name, v);
    next += size;
  }
  if (next !== header.dataFloats) throw fail(`the tensor table covers ${next} floats but the header says ${header.dataFloats}`);
  return { header, tensors };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Loads decoded values into a model after checking the architecture name (when `arch` is given) and
 * every tensor name and shape; nothing is written unless everything matches.
 */
export function loadModelState(model: Module, decoded: DecodedModel, opts: { arch?: string; source?: string } = {}): void {
  const { header } = decoded;
  const source = opts.source ?? '(bytes)';
  if (opts.arch !== undefined && header.arch !== opts.arch)
    throw new ModelFileError(source, `holds a "${header.arch}" model, not "${opts.arch}"`);
  const own = model.stateDict();
  const problems: string[] = [];
  for (const e of header.tensors) {
    const t = own.get(e.name);
    if (!t) problems.push(`unexpected tensor ${e.name}`);
    else if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i]))
      problems.push(`${e.name}: file has shape [${e.shape.join(', ')}], model expects [${t.shape.join(', ')}]`);
  }
  for (const name of own.keys()) if (!decoded.tensors.has(name)) problems.push(`missing tensor ${name}`);
  if (problems.length) throw new ModelFileError(source, `does not fit this ${header.arch} model: ${problems.slice(0, 6).join('; ')}`);
  model.loadStateDict(decoded.tensors);
}

type Factory = (config: Record<string, unknown>) => Module;
const registry = new Map<string, Factory>();

/** Registers how to build an architecture from its config, so model files can be loaded by name. */
export function registerArchitecture(arch: string, factory: Factory): void {
  registry.set(arch, factory);
}

export function architectures(): string[] {
  return [...registry.keys()].sort();
}

/** Builds a registered architecture from a file's config (untrained values); `source` names the file in errors. */
export function buildArchitecture(arch: string, config: Record<string, unknown>, source = '(bytes)'): Module {
  const factory = registry.get(arch);
  if (!factory) throw new ModelFileError(source, `architecture "${arch}" is not registered (known: ${architectures().join(', ') || 'none'})`);
  return factory(config);
}

/** Builds the model a file describes (its architecture must be registered) and loads its values. */
export function modelFromBytes(bytes: Uint8Array, source = '(bytes)'): { model: Module; header: ModelHeader } {
  const decoded = decodeModel(bytes, source);
  const model = buildArchitecture(decoded.header.arch, decoded.header.config, source);
  loadModelState(model, decoded, { source });
  return { model, header: decoded.header };
}
