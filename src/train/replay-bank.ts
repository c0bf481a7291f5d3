// Replay banks (browser-safe: bytes in, bytes out, no file system): the replay beats personalize() mixes
// into every step (options.replay), as a safetensors file, so a page or a process without the training
// set can personalise with replay. Tensors:
//   x   F32 [n, channels, length]   the windows, as the model takes them
//   rr  F32 [n, R]                  the beat features (R = the dataset's feature count; 0 columns when none)
//   y   I32 [n]                     class indices into the classes named in the metadata
// and "__metadata__" strings: format "ecgrad-replay-bank", version "1", protocol, classes (JSON), window
// ('kachuee' | 'causal'), rrSet, leads (JSON), records (JSON: the model's custom record lists, or null),
// rrFeatures (JSON: the feature names), channels, length, seed, count, minPerClass. checkReplayBank
// refuses a bank whose protocol, classes, window, rrSet, leads, record lists or beat shape differ from a
// model's (its metadata and config), naming the file and the first mismatch. The Node helpers that build
// a bank from the training split and read / write files are in src/node/replay-bank.ts.
import { readSafetensors, SafetensorsError, writeSafetensors, type SafeTensor } from '../nn/safetensors.ts';
import { datasetOptionsOf } from '../ecg/dataset/dataset-meta.ts';
import type { ModelHeader } from '../nn/model-file.ts';

/** The "format" metadata value of a replay bank file. */
export const REPLAY_BANK_FORMAT = 'ecgrad-replay-bank';

/**
 * What a replay bank was built from: the model's protocol, classes and dataset options (window, rrSet,
 * leads, record lists), the beat shape, and the sample drawn (seed, count, fewest beats per class).
 */
export interface ReplayBankMeta {
  protocol: string;
  classes: string[];
  window: 'kachuee' | 'causal';
  rrSet: string;
  leads: 'mlii' | 'both' | string[];
  /** The model's custom record lists, or null for the protocol's own. */
  records: { train: string[]; test: string[] } | null;
  /** Names of the beat-feature columns of rr. */
  rrFeatures: string[];
  channels: number;
  length: number;
  /** The seed of the stratified sample of the training split. */
  seed: number;
  /** Beats in the bank. */
  count: number;
  /** Fewest beats of each class in the sample (all of a smaller class). */
  minPerClass: number;
}

/** A replay bank: its beats (personalize()'s options.replay) and what they were built from. */
export interface ReplayBank {
  beats: { x: Float32Array; rr: Float32Array; y: Int32Array };
  meta: ReplayBankMeta;
}

/**
 * A replay bank that cannot be read, or that does not match the model it is meant for. The message names
 * the file (`source`) and what is wrong.
 */
export class ReplayBankError extends Error {
  constructor(source: string, message: string) {
    super(`replay bank ${source}: ${message}`);
    this.name = 'ReplayBankError';
  }
}

/** The bank metadata a model asks for: protocol, classes, dataset options and beat shape (not seed or count). */
export type ReplayBankKey = Omit<ReplayBankMeta, 'rrFeatures' | 'seed' | 'count' | 'minPerClass'> & { rrFeatures: number };

/**
 * What a model's replay bank must have been built from (its metadata and config). Throws a ReplayBankError
 * naming `source` (the model) when the model file does not record its protocol or classes.
 */
export function replayBankKeyOf(header: Pick<ModelHeader, 'meta' | 'config'>, source = 'the model'): ReplayBankKey {
  const meta = header.meta ?? {};
  const fail = (m: string) => new ReplayBankError(`for ${source}`, m);
  if (typeof meta.protocol !== 'string')
    throw fail('the model file does not record the protocol it was trained on (meta.protocol), so no replay bank can be matched to it');
  if (!Array.isArray(meta.classes) || !meta.classes.every((c) => typeof c === 'string'))
    throw fail('the model file does not name its classes (meta.classes), so no replay bank can be matched to it');
  let o;
  try {
    o = datasetOptionsOf(meta);
  } catch (e) {
    throw fail((e as Error).message);
  }
  const c = header.config as { channels?: unknown; length?: unknown; rrFeatures?: unknown };
  if (!Number.isInteger(c.channels) || !Number.isInteger(c.length)) throw fail('the model\'s config has no beat input (channels, length)');
  return {
    protocol: meta.protocol, classes: meta.classes as string[], window: o.window ?? 'kachuee', rrSet: o.rrSet ?? 'local',
    leads: (o.leads ?? 'mlii') as ReplayBankMeta['leads'], records: o.records ? { train: [...o.records.train], test: [...o.records.test] } : null,
    channels: c.channels as number, length: c.length as number, rrFeatures: Number.isInteger(c.rrFeatures) ? (c.rrFeatures as number) : 0,
  };
}

/**
 * Throws a ReplayBankError naming the bank (`source`) and the mismatch when `bank` was not built for the
 * model of `header` (protocol, classes, window, rrSet, leads, record lists, channels, length, feature count).
 */
export function checkReplayBank(bank: ReplayBank, header: Pick<ModelHeader, 'meta' | 'config'>, source = '(bytes)'): void {
  const want = replayBankKeyOf(header);
  const m = bank.meta;
  const fail = (what: string, got: unknown, expected: unknown) =>
    new ReplayBankError(source, `does not match the model: the bank's ${what} is ${JSON.stringify(got)}, the model's is ${JSON.stringify(expected)} (make a bank for this model: ecgrad replay-bank --model-file <model> --out <bank>)`);
  for (const k of ['protocol', 'classes', 'window', 'rrSet', 'leads', 'records', 'channels', 'length'] as const)
    if (JSON.stringify(m[k]) !== JSON.stringify(want[k])) throw fail(k, m[k], want[k]);
  if (want.rrFeatures > 0 && m.rrFeatures.length !== want.rrFeatures) throw fail('beat-feature count', m.rrFeatures.length, want.rrFeatures);
}

/** The bank's bytes: a safetensors file with tensors x, rr, y and the metadata (see the file's header). */
export function encodeReplayBank(bank: ReplayBank): Uint8Array {
  const { x, rr, y } = bank.beats, m = bank.meta;
  const n = y.length, per = m.channels * m.length, R = m.rrFeatures.length;
  if (!(x instanceof Float32Array) || !(rr instanceof Float32Array) || !(y instanceof Int32Array))
    throw new TypeError('encodeReplayBank: beats must be { x: Float32Array, rr: Float32Array, y: Int32Array }');
  if (x.length !== n * per) throw new RangeError(`encodeReplayBank: x holds ${x.length} values, ${n} beats x ${m.channels} x ${m.length} = ${n * per} expected`);
  if (rr.length !== n * R) throw new RangeError(`encodeReplayBank: rr holds ${rr.length} values, ${n} beats x ${R} features = ${n * R} expected`);
  if (m.count !== n) throw new RangeError(`encodeReplayBank: meta.count is ${m.count}, the beats are ${n}`);
  for (const v of y) if (!(v >= 0 && v < m.classes.length)) throw new RangeError(`encodeReplayBank: label ${v} is not a class index (${m.classes.length} classes)`);
  const meta: Record<string, string> = {
    format: REPLAY_BANK_FORMAT, version: '1', protocol: m.protocol, classes: JSON.stringify(m.classes), window: m.window, rrSet: m.rrSet,
    leads: JSON.stringify(m.leads), records: JSON.stringify(m.records), rrFeatures: JSON.stringify(m.rrFeatures), channels: String(m.channels),
    length: String(m.length), seed: String(m.seed), count: String(n), minPerClass: String(m.minPerClass),
  };
  return writeSafetensors([
    ['x', { dtype: 'F32', shape: [n, m.channels, m.length], data: x }],
    ['rr', { dtype: 'F32', shape: [n, R], data: rr }],
    ['y', { dtype: 'I32', shape: [n], data: y }],
  ], meta);
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/**
 * Reads and verifies a replay bank file (`source` names it in errors): a safetensors file (readSafetensors
 * checks the layout) with the tensors and metadata encodeReplayBank writes, consistent shapes, finite
 * values and labels that are class indices. Throws a ReplayBankError naming the file and what is wrong.
 */
export function decodeReplayBank(bytes: Uint8Array, source = '(bytes)'): ReplayBank {
  const fail = (m: string) => new ReplayBankError(source, m);
  let file;
  try {
    file = readSafetensors(bytes, source);
  } catch (e) {
    if (e instanceof SafetensorsError) throw fail(`is not a readable safetensors file: ${e.message}`);
    throw e;
  }
  const md = file.metadata;
  if (md.format !== REPLAY_BANK_FORMAT) throw fail(`its metadata format is ${JSON.stringify(md.format ?? null)}, not "${REPLAY_BANK_FORMAT}" (not a replay bank: make one with ecgrad replay-bank)`);
  if (md.version !== '1') throw fail(`is version ${JSON.stringify(md.version ?? null)}; this ecgrad reads version "1" (a newer ecgrad wrote it?)`);
  const json = (k: string): unknown => {
    if (typeof md[k] !== 'string') throw fail(`its metadata has no "${k}"`);
    try {
      return JSON.parse(md[k]);
    } catch {
      throw fail(`its metadata "${k}" is not JSON: ${JSON.stringify(md[k]).slice(0, 80)}`);
    }
  };
  const int = (k: string, min: number): number => {
    const s = md[k];
    const v = typeof s === 'string' && /^\d{1,15}$/.test(s) ? Number(s) : NaN;
    if (!(v >= min)) throw fail(`its metadata "${k}" is ${JSON.stringify(s ?? null)}, not an integer >= ${min}`);
    return v;
  };
  const str = (k: string): string => {
    if (typeof md[k] !== 'string' || !md[k]) throw fail(`its metadata has no "${k}"`);
    return md[k];
  };
  const classes = json('classes'), leads = json('leads'), records = json('records'), rrFeatures = json('rrFeatures');
  if (!isStrings(classes) || classes.length < 1) throw fail('its metadata "classes" is not a list of class names');
  if (!(leads === 'mlii' || leads === 'both' || (isStrings(leads) && leads.length > 0))) throw fail('its metadata "leads" is not "mlii", "both" or a list of signal names');
  if (records !== null && !(records && typeof records === 'object' && isStrings((records as { train?: unknown }).train) && isStrings((records as { test?: unknown }).test)))
    throw fail('its metadata "records" is neither null nor {"train": [...], "test": [...]}');
  if (!isStrings(rrFeatures)) throw fail('its metadata "rrFeatures" is not a list of feature names');
  const window = str('window');
  if (window !== 'kachuee' && window !== 'causal') throw fail(`its metadata "window" is ${JSON.stringify(window)}, not "kachuee" or "causal"`);
  const meta: ReplayBankMeta = {
    protocol: str('protocol'), classes, window, rrSet: str('rrSet'), leads: leads as ReplayBankMeta['leads'],
    records: records as ReplayBankMeta['records'], rrFeatures, channels: int('channels', 1), length: int('length', 1), seed: int('seed', 0),
    count: int('count', 1), minPerClass: int('minPerClass', 0),
  };
  const names = [...file.tensors.keys()].sort().join(', ');
  if (names !== 'rr, x, y') throw fail(`holds the tensors [${names}]; a replay bank holds exactly rr, x and y`);
  const n = meta.count, R = rrFeatures.length;
  const expect = (name: string, dtype: string, shape: number[]): SafeTensor => {
    const t = file.tensors.get(name)!;
    if (t.dtype !== dtype || t.shape.join(',') !== shape.join(','))
      throw fail(`tensor ${name} is ${t.dtype} [${t.shape.join(', ')}]; the metadata (count ${n}, ${meta.channels} x ${meta.length} windows, ${R} features) asks for ${dtype} [${shape.join(', ')}]`);
    return t;
  };
  const f32 = (t: SafeTensor, name: string) => {
    const v = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
    const out = new Float32Array(t.bytes.length / 4);
    for (let i = 0; i < out.length; i++) {
      out[i] = v.getFloat32(4 * i, true);
      if (!Number.isFinite(out[i]!)) throw fail(`${name}[${i}] is ${out[i]}: replay beats must be finite`);
    }
    return out;
  };
  const x = f32(expect('x', 'F32', [n, meta.channels, meta.length]), 'x');
  const rr = f32(expect('rr', 'F32', [n, R]), 'rr');
  const ty = expect('y', 'I32', [n]);
  const yv = new DataView(ty.bytes.buffer, ty.bytes.byteOffset, ty.bytes.byteLength);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = yv.getInt32(4 * i, true);
    if (!(y[i]! >= 0 && y[i]! < classes.length)) throw fail(`label y[${i}] = ${y[i]} is not a class index (classes ${classes.join(' ')})`);
  }
  return { beats: { x, rr, y }, meta };
}

/**
 * The bank's beats as personalize() takes them for a model that takes `rrFeatures` beat features (0: rr
 * is dropped).
 */
export function replayBeatsOf(bank: ReplayBank, rrFeatures: number): { x: Float32Array; rr: Float32Array | null; y: Int32Array } {
  return { x: bank.beats.x, rr: rrFeatures > 0 ? bank.beats.rr : null, y: bank.beats.y };
}
