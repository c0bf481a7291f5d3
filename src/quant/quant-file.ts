// The quantised model file (".ecgq"), browser-safe. Layout (little-endian), like the .ecgm file:
//   0   8 bytes   magic "ECGRADQ1"
//   8   u32       H = byte length of the JSON header
//   12  H bytes   UTF-8 JSON header, space-padded to a multiple of 4:
//                 { "format": "ecgrad-quantized-model", "version": 1, "arch", "config", "meta",
//                   "quant": { "scheme", "calibrationBeats", "layers": [{ "name", "kind", "compute", "shape", "inputScale"? }] },
//                   "tensors": [{ "name", "dtype": "f32" | "i8", "shape", "offset": <bytes> }], "dataBytes": n }
//   12+H  n bytes   tensor data back to back in table order (f32 tensors first, then the i8 weights)
//   end-4 u32       CRC-32 of every byte before it
// The i8 tensors are the quantised layers' weights ("<layer>.weight", rows = output channels); their
// per-channel scales are f32 tensors "<layer>.weight_scale". Every other parameter and buffer is f32.
// Decoding checks magic, sizes, JSON, table and checksum before anything is built; loading builds the
// architecture, loads the dequantised weights and the float tensors (every name and shape checked), then
// installs the int8 forward passes (quantize.ts applyQuantization).
import { BUILD_SLACK, buildArchitecture, loadModelState, ModelFileError, type ModelHeader } from '../nn/model-file.ts';
import { firstNonFinite, isJsonObject, packContainer, unpackContainer } from '../core/container.ts';
import type { Module } from '../nn/module.ts';
import { applyQuantization, dequantize, type QuantLayer, type QuantPlan } from './quantize.ts';

/** The first 8 bytes of a quantised model file (.ecgq): "ECGRADQ1". */
export const QUANT_MAGIC = 'ECGRADQ1';
const VERSION = 1;

interface QTensorEntry {
  name: string;
  dtype: 'f32' | 'i8';
  shape: number[];
  offset: number;
}

/**
 * The JSON header of an .ecgq file: format and version, the architecture, its config and metadata, the
 * quantisation plan's layers and the tensor table.
 */
export interface QuantizedHeader {
  format: 'ecgrad-quantized-model';
  version: number;
  arch: string;
  config: Record<string, unknown>;
  meta: Record<string, unknown>;
  quant: { scheme: QuantPlan['scheme']; calibrationBeats: number; layers: Omit<QuantLayer, 'weight' | 'scale' | 'foldedBias'>[] };
  tensors: QTensorEntry[];
  dataBytes: number;
}

/** Serialises a model and its quantisation plan: int8 weights for the plan's layers, f32 for the rest. */
export function encodeQuantizedModel(model: Module, plan: QuantPlan, opts: { arch: string; config?: Record<string, unknown>; meta?: Record<string, unknown> }): Uint8Array {
  const quantised = new Set(plan.layers.map((l) => `${l.name}.weight`));
  // Folded layers' biases are replaced by the folded ones; folded batch norms are not stored.
  for (const l of plan.layers) if (l.foldedBn) quantised.add(`${l.name}.bias`);
  const folded = plan.layers.filter((l) => l.foldedBn).map((l) => `${l.foldedBn}.`);
  const floats: [string, Float32Array, number[]][] = [];
  for (const [name, t] of [...model.namedParameters(), ...model.namedBuffers()])
    if (!quantised.has(name) && !folded.some((p) => name.startsWith(p))) floats.push([name, t.data(), [...t.shape]]);
  for (const l of plan.layers) {
    floats.push([`${l.name}.weight_scale`, l.scale, [l.scale.length]]);
    if (l.foldedBias) floats.push([`${l.name}.folded_bias`, l.foldedBias, [l.foldedBias.length]]);
  }
  const tensors: QTensorEntry[] = [];
  let offset = 0;
  for (const [name, v, shape] of floats) {
    tensors.push({ name, dtype: 'f32', shape, offset });
    offset += v.length * 4;
  }
  for (const l of plan.layers) {
    tensors.push({ name: `${l.name}.weight`, dtype: 'i8', shape: l.shape, offset });
    offset += l.weight.length;
  }
  const header: QuantizedHeader = {
    format: 'ecgrad-quantized-model', version: VERSION, arch: opts.arch, config: opts.config ?? {}, meta: opts.meta ?? {},
    quant: { scheme: plan.scheme, calibrationBeats: plan.calibrationBeats, layers: plan.layers.map(({ weight: _w, scale: _s, foldedBias: _b, ...rest }) => rest) },
    tensors, dataBytes: offset,
  };
  return packContainer(QUANT_MAGIC, header, offset, (view, out, start) => {
    let at = start;
    for (const [, v] of floats) {
      for (let i = 0; i < v.length; i++) view.setFloat32(at + 4 * i, v[i]!, true);
      at += v.length * 4;
    }
    for (const l of plan.layers) {
      out.set(new Uint8Array(l.weight.buffer, l.weight.byteOffset, l.weight.length), at);
      at += l.weight.length;
    }
  });
}

/** True when the bytes start with the .ecgq magic (tells a quantised model file from an .ecgm). */
export function isQuantizedModelFile(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 8)) === QUANT_MAGIC;
}

/** Parses and verifies a quantised model file; returns the header, the plan and the float tensors. */
export function decodeQuantizedModel(bytes: Uint8Array, source = '(bytes)'): { header: QuantizedHeader; plan: QuantPlan; floats: Map<string, Float32Array> } {
  const fail = (msg: string) => new ModelFileError(source, msg);
  const { header, view, start } = unpackContainer<QuantizedHeader>(bytes, {
    magic: QUANT_MAGIC, what: 'quantised model file', fail, format: 'ecgrad-quantized-model', version: VERSION,
    dataBytes: (h) => {
      if (typeof h.arch !== 'string' || !Array.isArray(h.tensors) || !Number.isInteger(h.dataBytes) || !Array.isArray(h.quant?.layers))
        throw fail('header lacks "arch", "tensors", "dataBytes" or "quant.layers"');
      if (!isJsonObject(h.config) || !isJsonObject(h.meta)) throw fail('header fields "config" and "meta" must be JSON objects');
      return h.dataBytes;
    },
  });
  const floats = new Map<string, Float32Array>();
  const int8 = new Map<string, Int8Array>();
  let next = 0;
  for (const [i, e] of header.tensors.entries()) {
    const size = Array.isArray(e?.shape) && e.shape.every((d) => Number.isInteger(d) && d >= 0) ? e.shape.reduce((a, b) => a * b, 1) : -1;
    if (typeof e?.name !== 'string' || size < 0 || e.offset !== next || (e.dtype !== 'f32' && e.dtype !== 'i8'))
      throw fail(`tensor table entry ${i} (${JSON.stringify(e?.name)}) is malformed or out of order`);
    if (floats.has(e.name) || int8.has(e.name)) throw fail(`tensor ${e.name} appears twice`);
    if (next + size * (e.dtype === 'f32' ? 4 : 1) > header.dataBytes)
      throw fail(`tensor ${e.name} (shape [${e.shape.join(', ')}]) runs past the ${header.dataBytes} data bytes`);
    if (e.dtype === 'f32') {
      const v = new Float32Array(size);
      for (let k = 0; k < size; k++) v[k] = view.getFloat32(start + next + 4 * k, true);
      const bad = firstNonFinite(v);
      if (bad >= 0) throw fail(`tensor ${e.name} holds a non-finite value (${v[bad]} at index ${bad}): the model diverged or the file is damaged`);
      floats.set(e.name, v);
      next += 4 * size;
    } else {
      int8.set(e.name, new Int8Array(bytes.buffer.slice(bytes.byteOffset + start + next, bytes.byteOffset + start + next + size)));
      next += size;
    }
  }
  if (next !== header.dataBytes) throw fail(`the tensor table covers ${next} bytes but the header says ${header.dataBytes}`);
  const layers: QuantLayer[] = header.quant.layers.map((l, i) => {
    if (typeof l?.name !== 'string') throw fail(`quantised layer entry ${i} has no name`);
    const weight = int8.get(`${l.name}.weight`), scale = floats.get(`${l.name}.weight_scale`);
    if (!weight || !scale) throw fail(`quantised layer ${l.name} lacks its int8 weight or its scales`);
    if (!Array.isArray(l.shape) || scale.length !== l.shape[0] || weight.length !== l.shape.reduce((a, b) => a * b, 1))
      throw fail(`quantised layer ${l.name}: weight, scales and shape [${l.shape}] do not agree`);
    floats.delete(`${l.name}.weight_scale`);
    int8.delete(`${l.name}.weight`);
    if (!l.foldedBn) return { ...l, weight, scale };
    const foldedBias = floats.get(`${l.name}.folded_bias`);
    if (!foldedBias || foldedBias.length !== l.shape[0]) throw fail(`quantised layer ${l.name} folds ${l.foldedBn} but lacks its folded bias of ${l.shape[0]} values`);
    floats.delete(`${l.name}.folded_bias`);
    return { ...l, weight, scale, foldedBias };
  });
  if (int8.size) throw fail(`int8 tensor(s) ${[...int8.keys()].join(', ')} belong to no quantised layer`);
  return { header, plan: { scheme: header.quant.scheme, calibrationBeats: header.quant.calibrationBeats, layers }, floats };
}

/** Builds the model a quantised file describes, in eval mode, ready for int8 inference. */
export function quantizedModelFromBytes(bytes: Uint8Array, source = '(bytes)'): { model: Module; header: ModelHeader; quant: QuantizedHeader['quant'] } {
  const { header, plan, floats } = decodeQuantizedModel(bytes, source);
  const model = buildArchitecture(header.arch, header.config, source, header.dataBytes + BUILD_SLACK);
  const tensors = new Map(floats);
  const shapes = new Map<string, number[]>();
  for (const e of header.tensors) if (e.dtype === 'f32') shapes.set(e.name, e.shape);
  for (const l of plan.layers) {
    tensors.set(`${l.name}.weight`, dequantize(l));
    shapes.set(`${l.name}.weight`, l.shape);
  }
  // Tensors the file leaves out on purpose: the original biases of folded layers and the folded batch
  // norms' parameters (never used: the folded layers carry them). Filled with neutral values.
  const own = model.stateDict();
  const folded = plan.layers.filter((l) => l.foldedBn);
  for (const [name, t] of own) {
    const skipped = folded.some((l) => name === `${l.name}.bias` || name.startsWith(`${l.foldedBn}.`));
    if (skipped && !tensors.has(name)) {
      tensors.set(name, new Float32Array(t.size).fill(/\.(weight|runningVar)$/.test(name) ? 1 : 0));
      shapes.set(name, [...t.shape]);
    }
  }
  const entries = [...tensors.keys()].map((name, i) => ({ name, shape: shapes.get(name)!, offset: i, kind: 'param' as const }));
  const pseudo: ModelHeader = { format: 'ecgrad-model', version: 1, arch: header.arch, config: header.config, meta: header.meta, tensors: entries, dataFloats: 0 };
  loadModelState(model, { header: pseudo, tensors }, { source });
  model.eval(); // quantised models are for inference (training mode would run the float path)
  try {
    applyQuantization(model, plan);
  } catch (e) {
    throw new ModelFileError(source, (e as Error).message);
  }
  const modelHeader: ModelHeader = { ...pseudo, meta: { ...header.meta, quantized: header.quant.scheme } };
  return { model, header: modelHeader, quant: header.quant };
}
