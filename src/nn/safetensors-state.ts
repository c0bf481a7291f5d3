// ecgrad models as PyTorch state dicts in safetensors files (browser-safe: bytes in, bytes out).
//
// Names: an ecgrad module path is a PyTorch module path (Sequential children "0", "1", ..., named children
// as their attribute), and parameters carry PyTorch's names: Conv1d / Linear `weight`, `bias`; LSTM / GRU
// `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0` (+ `_reverse`, `_l1`, ...), in PyTorch's gate
// order. The one difference is BatchNorm1d's buffers, camelCase here: runningMean ↔ running_mean,
// runningVar ↔ running_var, numBatchesTracked ↔ num_batches_tracked (int64 in PyTorch, a float here).
// So a PyTorch module written with the same attribute names as the ecgrad model (docs/interop.md has
// every zoo model's) exchanges state dicts with it 1:1.
//
//   modelToSafetensors(model, { arch, config })  → bytes: F32 tensors (I64 num_batches_tracked), PyTorch
//                                                  names and order, metadata { format: "pt", ecgrad.* }
//   loadSafetensors(model, bytes, { source })      checks every name, shape, dtype and value, then loads
//   modelFromSafetensors(bytes)                    builds the registered architecture its metadata names
import { buildArchitecture, BUILD_SLACK } from './model-file.ts';
import type { Module } from './module.ts';
import { BatchNorm1d } from './batchnorm.ts';
import type { Tensor } from '../core/tensor.ts';
import { firstNonFinite } from '../core/container.ts';
import {
  readSafetensors, safeTensorToFloat32, SafetensorsError, writeSafetensors, type SafeTensorInput, type SafetensorsDtype,
} from './safetensors.ts';

/** BatchNorm1d buffer names: ecgrad → PyTorch. */
export const TORCH_BATCHNORM_BUFFERS: Readonly<Record<string, string>> = {
  runningMean: 'running_mean', runningVar: 'running_var', numBatchesTracked: 'num_batches_tracked',
};

/**
 * One tensor of a module's state under both names, PyTorch's and ecgrad's, with the dtype PyTorch stores it
 * in.
 */
export interface TorchStateEntry {
  /** The PyTorch state-dict name, e.g. "features.1.running_mean". */
  torch: string;
  /** The ecgrad state-dict name, e.g. "features.1.runningMean". */
  ecgrad: string;
  kind: 'param' | 'buffer';
  /** The dtype PyTorch stores it in: F32, or I64 for num_batches_tracked. */
  dtype: 'F32' | 'I64';
  tensor: Tensor;
}

/**
 * A model's state dict under PyTorch's names, in PyTorch's order (module by module, pre-order: each
 * module's parameters, then its buffers, then its children).
 */
export function torchStateDict(model: Module): TorchStateEntry[] {
  const params = new Map(model.namedParameters());
  const buffers = new Map(model.namedBuffers());
  const out: TorchStateEntry[] = [];
  for (const [path, m] of model.namedModules()) {
    const own = (all: Map<string, Tensor>) =>
      [...all].filter(([name]) => (path ? name.startsWith(`${path}.`) && !name.slice(path.length + 1).includes('.') : !name.includes('.')));
    const join = (n: string) => (path ? `${path}.${n}` : n);
    for (const [name, tensor] of own(params)) out.push({ torch: name, ecgrad: name, kind: 'param', dtype: 'F32', tensor });
    for (const [name, tensor] of own(buffers)) {
      const local = path ? name.slice(path.length + 1) : name;
      const torchLocal = m instanceof BatchNorm1d ? (TORCH_BATCHNORM_BUFFERS[local] ?? local) : local;
      out.push({ torch: join(torchLocal), ecgrad: name, kind: 'buffer', dtype: torchLocal === 'num_batches_tracked' ? 'I64' : 'F32', tensor });
    }
  }
  return out;
}

/**
 * Options of writing a module as safetensors: the architecture and config stored as metadata, more metadata
 * and a name prefix.
 */
export interface ToSafetensorsOptions {
  /** Registered architecture name, stored as metadata "ecgrad.arch" (lets modelFromSafetensors rebuild it). */
  arch?: string;
  /** The architecture's config (its ModelInput for zoo models), stored as JSON in "ecgrad.config". */
  config?: Record<string, unknown>;
  /** More metadata (string values). */
  metadata?: Record<string, string>;
  /** Prepended to every name (e.g. "model."); default none. */
  prefix?: string;
}

/** The model's parameters and buffers as a safetensors file with PyTorch state-dict names. */
export function modelToSafetensors(model: Module, opts: ToSafetensorsOptions = {}): Uint8Array {
  const prefix = opts.prefix ?? '';
  const tensors: [string, SafeTensorInput][] = torchStateDict(model).map((e) => {
    const values = e.tensor.data();
    const data = e.dtype === 'I64' ? BigInt64Array.from(values, (v) => BigInt(Math.round(v))) : values;
    return [prefix + e.torch, { dtype: e.dtype, shape: e.tensor.shape, data }];
  });
  const metadata: Record<string, string> = { format: 'pt', ...(opts.metadata ?? {}) };
  if (opts.arch !== undefined) metadata['ecgrad.arch'] = opts.arch;
  if (opts.config !== undefined) metadata['ecgrad.config'] = JSON.stringify(opts.config);
  return writeSafetensors(tensors, metadata);
}

/**
 * Options of loading a safetensors state dict into a module: the name for errors, strictness and a name
 * prefix.
 */
export interface LoadSafetensorsOptions {
  /** Names the file in errors (default "(bytes)"). */
  source?: string;
  /** Refuse tensors the model lacks and missing tensors (default true). */
  strict?: boolean;
  /** Stripped from the file's names before matching (e.g. "module." of DataParallel); names without it are ignored. */
  prefix?: string;
}

const FLOAT_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F64', 'F16', 'BF16'];

/**
 * Loads a safetensors state dict with PyTorch names into `model`. Every name, shape, dtype and value is
 * checked before anything is written, so a file that does not fit never half-loads the model; refusals
 * are SafetensorsErrors naming the file. Parameters must be floating point (F32, or F64 / F16 / BF16,
 * converted); buffers may be any numeric dtype. A missing num_batches_tracked is allowed (PyTorch allows
 * it too, for checkpoints older than that buffer) and leaves the model's counter unchanged.
 */
export function loadSafetensors(model: Module, bytes: Uint8Array, opts: LoadSafetensorsOptions = {}): void {
  const source = opts.source ?? '(bytes)';
  const strict = opts.strict ?? true;
  const prefix = opts.prefix ?? '';
  const file = readSafetensors(bytes, source);
  const fileTensors = new Map([...file.tensors].filter(([n]) => n.startsWith(prefix)).map(([n, t]) => [n.slice(prefix.length), t]));
  const problems: string[] = [];
  const values = new Map<string, Float32Array>();
  const expected = torchStateDict(model);
  for (const e of expected) {
    const t = fileTensors.get(e.torch);
    if (!t) {
      if (strict && !e.torch.endsWith('num_batches_tracked')) problems.push(`missing ${prefix}${e.torch} (shape [${e.tensor.shape.join(', ')}])`);
      continue;
    }
    if (t.shape.length !== e.tensor.shape.length || t.shape.some((d, i) => d !== e.tensor.shape[i])) {
      problems.push(`${prefix}${e.torch}: file has shape [${t.shape.join(', ')}], model expects [${e.tensor.shape.join(', ')}]`);
      continue;
    }
    if (e.kind === 'param' && !FLOAT_DTYPES.includes(t.dtype)) {
      problems.push(`${prefix}${e.torch} is ${t.dtype}; a parameter must be F32, F64, F16 or BF16`);
      continue;
    }
    const v = safeTensorToFloat32(t, `tensor ${prefix}${e.torch}`, source);
    const bad = firstNonFinite(v);
    if (bad >= 0) throw new SafetensorsError(source, `tensor ${prefix}${e.torch} holds a non-finite value (${v[bad]} at index ${bad}) as float32`);
    values.set(e.ecgrad, v);
  }
  if (strict) {
    const known = new Set(expected.map((e) => e.torch));
    for (const name of fileTensors.keys()) if (!known.has(name)) problems.push(`unexpected tensor ${prefix}${name}`);
  }
  if (problems.length)
    throw new SafetensorsError(source, `does not fit this ${model.constructor.name} model: ${problems.slice(0, 6).join('; ')}${problems.length > 6 ? `; and ${problems.length - 6} more` : ''}`);
  model.loadStateDict(values, false);
}

/**
 * Builds the registered architecture a file's metadata names ("ecgrad.arch", "ecgrad.config": what
 * modelToSafetensors writes when given arch and config) and loads the file into it. `arch` / `config`
 * override the metadata (for files written by PyTorch).
 */
export function modelFromSafetensors(bytes: Uint8Array, opts: { source?: string; arch?: string; config?: Record<string, unknown>; prefix?: string } = {}): { model: Module; arch: string; config: Record<string, unknown> } {
  const source = opts.source ?? '(bytes)';
  const { metadata, tensors } = readSafetensors(bytes, source);
  const arch = opts.arch ?? metadata['ecgrad.arch'];
  if (arch === undefined) throw new SafetensorsError(source, 'names no architecture (metadata "ecgrad.arch"); give the architecture and its config');
  let config = opts.config;
  if (!config) {
    try {
      config = JSON.parse(metadata['ecgrad.config'] ?? 'null') as Record<string, unknown>;
    } catch {
      throw new SafetensorsError(source, 'its metadata "ecgrad.config" is not JSON');
    }
    if (!config || typeof config !== 'object' || Array.isArray(config)) throw new SafetensorsError(source, 'its metadata "ecgrad.config" is not a JSON object');
  }
  let floats = 0;
  for (const t of tensors.values()) floats += t.shape.reduce((a, b) => a * b, 1);
  let model: Module;
  try {
    model = buildArchitecture(arch, config, source, floats + BUILD_SLACK);
  } catch (e) {
    throw new SafetensorsError(source, (e as Error).message.replace(/^model file [^:]*: /, ''));
  }
  loadSafetensors(model, bytes, { source, prefix: opts.prefix });
  return { model, arch, config };
}
