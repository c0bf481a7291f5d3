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
import { firstNonFinite, isJsonObject, packContainer, unpackContainer } from '../core/container.ts';
import { withAllocationBudget } from '../core/memory.ts';

const MAGIC = 'ECGRADM1';
const VERSION = 1;

/** One row of a model file's tensor table: name, shape, offset into the data (in floats) and kind. */
export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in floats into the data section. */
  offset: number;
  kind: 'param' | 'buffer';
}

/**
 * The JSON header of an .ecgm file: format and version, the architecture and its config, metadata, and the
 * tensor table.
 */
export interface ModelHeader {
  format: 'ecgrad-model';
  version: number;
  arch: string;
  config: Record<string, unknown>;
  meta: Record<string, unknown>;
  tensors: TensorEntry[];
  dataFloats: number;
}

/** A decoded .ecgm file: its header and its tensors by name. */
export interface DecodedModel {
  header: ModelHeader;
  /** Tensor values by name (copies, in table order). */
  tensors: Map<string, Float32Array>;
}

/**
 * A model file (.ecgm) that cannot be read: bad magic, header, table, sizes or checksum, weights that do
 * not fit the model, or an architecture that is not registered. The message names the file (`source`)
 * and what is wrong.
 */
export class ModelFileError extends Error {
  constructor(source: string, message: string) {
    super(`model file ${source}: ${message}`);
    this.name = 'ModelFileError';
  }
}

export { crc32 } from '../core/container.ts';

/**
 * What encodeModel stores beside the weights: the architecture name, its config (to rebuild it) and free
 * metadata.
 */
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
  return packContainer(MAGIC, header, offset * 4, (view, _out, start) => {
    let at = start;
    for (const d of datas) {
      for (let i = 0; i < d.length; i++) view.setFloat32(at + 4 * i, d[i]!, true);
      at += d.length * 4;
    }
  });
}

/** Parses and verifies a model file; `source` names it in errors (a path or file name). */
export function decodeModel(bytes: Uint8Array, source = '(bytes)'): DecodedModel {
  const fail = (msg: string) => new ModelFileError(source, msg);
  const { header, view, start: dataStart } = unpackContainer<ModelHeader>(bytes, {
    magic: MAGIC, what: 'model file', fail, format: 'ecgrad-model', version: VERSION,
    dataBytes: (h) => {
      if (typeof h.arch !== 'string' || !Array.isArray(h.tensors) || !Number.isSafeInteger(h.dataFloats) || h.dataFloats < 0)
        throw fail('header lacks "arch", "tensors" or "dataFloats"');
      if (!isJsonObject(h.config) || !isJsonObject(h.meta)) throw fail('header fields "config" and "meta" must be JSON objects');
      return h.dataFloats * 4;
    },
  });
  const tensors = new Map<string, Float32Array>();
  let next = 0;
  for (const [i, e] of header.tensors.entries()) {
    const size = Array.isArray(e?.shape) && e.shape.every((d) => Number.isInteger(d) && d >= 0) ? e.shape.reduce((a, b) => a * b, 1) : -1;
    if (typeof e?.name !== 'string' || size < 0 || e.offset !== next || (e.kind !== 'param' && e.kind !== 'buffer'))
      throw fail(`tensor table entry ${i} (${JSON.stringify(e?.name)}) is malformed or out of order`);
    if (tensors.has(e.name)) throw fail(`tensor ${e.name} appears twice`);
    if (next + size > header.dataFloats) throw fail(`tensor ${e.name} (shape [${e.shape.join(', ')}]) runs past the ${header.dataFloats} data floats`);
    const v = new Float32Array(size);
    for (let k = 0; k < size; k++) v[k] = view.getFloat32(dataStart + 4 * (next + k), true);
    const bad = firstNonFinite(v);
    if (bad >= 0) throw fail(`tensor ${e.name} holds a non-finite value (${v[bad]} at index ${bad}): the model diverged or the file is damaged`);
    tensors.set(e.name, v);
    next += size;
  }
  if (next !== header.dataFloats) throw fail(`the tensor table covers ${next} floats but the header says ${header.dataFloats}`);
  return { header, tensors };
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

/** Floats a model's construction may allocate beyond the values its file stores (init scratch, small tables). */
export const BUILD_SLACK = 1 << 20;

/** The names of the architectures registered for modelFromBytes (registerArchitecture), sorted. */
export function architectures(): string[] {
  return [...registry.keys()].sort();
}

/** Builds a registered architecture from a file's config (untrained values); `source` names the file in errors. */
export function buildArchitecture(arch: string, config: Record<string, unknown>, source = '(bytes)', maxFloats = Infinity): Module {
  const factory = registry.get(arch);
  if (!factory) throw new ModelFileError(source, `architecture "${arch}" is not registered (known: ${architectures().join(', ') || 'none'})`);
  try {
    return withAllocationBudget(maxFloats, `its "${arch}" config`, () => factory(config));
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(source, `its "${arch}" config ${JSON.stringify(config)} does not build a model: ${(e as Error).message}`);
  }
}

/** Builds the model a file describes (its architecture must be registered) and loads its values. */
export function modelFromBytes(bytes: Uint8Array, source = '(bytes)'): { model: Module; header: ModelHeader } {
  const decoded = decodeModel(bytes, source);
  // The model can hold no more values than the file stores (plus scratch): a hostile config fails fast.
  const model = buildArchitecture(decoded.header.arch, decoded.header.config, source, decoded.header.dataFloats + BUILD_SLACK);
  loadModelState(model, decoded, { source });
  return { model, header: decoded.header };
}
