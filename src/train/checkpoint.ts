// The resumable training checkpoint (".ckpt"), browser-safe: bytes in, bytes out. It is an ecgrad
// container (src/core/container.ts: magic, JSON header, data, CRC-32) with magic "ECGRADC1" and header
//   { "format": "ecgrad-checkpoint", "version": 1, "header": {...}, "table": [{ name, size, offset }],
//     "dataFloats": n }
// where "header" is everything that is not a big float array (position, history, RNG states, optimizer
// counters, ...) and the data is n little-endian float32s: the model's parameters and buffers
// ("model/<name>"), the best weights so far ("best/<name>"), the optimizer's state buffers
// ("optim/<slot>/<index>"), each at its table offset (in floats), back to back in table order.
// A checkpoint is written whole (temporary file + rename on Node), so a kill never leaves half of one.
import { firstNonFinite, packContainer, unpackContainer } from '../core/container.ts';

const MAGIC = 'ECGRADC1';
const VERSION = 1;

/**
 * A training checkpoint (.ckpt) that cannot be read or does not fit the run being resumed. The message names
 * the file (`source`) and what is wrong.
 */
export class CheckpointError extends Error {
  constructor(source: string, message: string) {
    super(`checkpoint ${source}: ${message}`);
    this.name = 'CheckpointError';
  }
}

interface Entry {
  name: string;
  size: number;
  offset: number;
}

interface CheckpointHeader {
  format: string;
  version: number;
  header: Record<string, unknown>;
  table: Entry[];
  dataFloats: number;
}

/** Encodes a JSON-serialisable header and named float32 arrays. */
export function encodeCheckpoint(header: Record<string, unknown>, arrays: Map<string, Float32Array>): Uint8Array {
  const table: Entry[] = [];
  let offset = 0;
  for (const [name, a] of arrays) {
    table.push({ name, size: a.length, offset });
    offset += a.length;
  }
  const doc: CheckpointHeader = { format: 'ecgrad-checkpoint', version: VERSION, header, table, dataFloats: offset };
  return packContainer(MAGIC, doc, offset * 4, (_view, out, start) => {
    // The data start is 4-aligned in `out`, so a Float32Array view writes native (little-endian) floats.
    const floats = new Float32Array(out.buffer, start, offset);
    for (const [i, a] of [...arrays.values()].entries()) floats.set(a, table[i]!.offset);
  });
}

/**
 * A decoded checkpoint: its JSON header (position, history, generator states, counters) and its float32
 * arrays by name.
 */
export interface DecodedCheckpoint {
  header: Record<string, unknown>;
  arrays: Map<string, Float32Array>;
}

/** Parses and verifies a checkpoint; `source` names it in errors (a path or file name). */
export function decodeCheckpoint(bytes: Uint8Array, source = '(bytes)'): DecodedCheckpoint {
  const fail = (m: string) => new CheckpointError(source, m);
  const { header: doc, view, start } = unpackContainer<CheckpointHeader>(bytes, {
    magic: MAGIC, what: 'checkpoint', fail, format: 'ecgrad-checkpoint', version: VERSION,
    dataBytes: (h) => {
      if (typeof h.header !== 'object' || h.header === null || !Array.isArray(h.table) || !Number.isSafeInteger(h.dataFloats) || h.dataFloats < 0)
        throw fail('header lacks "header", "table" or "dataFloats"');
      return h.dataFloats * 4;
    },
  });
  const arrays = new Map<string, Float32Array>();
  let next = 0;
  for (const [i, e] of doc.table.entries()) {
    if (typeof e?.name !== 'string' || !Number.isSafeInteger(e.size) || e.size < 0 || e.offset !== next || next + e.size > doc.dataFloats)
      throw fail(`array table entry ${i} (${JSON.stringify(e?.name)}) is malformed, out of order or past the data`);
    if (arrays.has(e.name)) throw fail(`array ${e.name} appears twice`);
    const a = new Float32Array(e.size);
    for (let k = 0; k < e.size; k++) a[k] = view.getFloat32(start + 4 * (e.offset + k), true);
    const bad = firstNonFinite(a);
    if (bad >= 0) throw fail(`array ${e.name} holds a non-finite value (${a[bad]} at index ${bad}): the run diverged or the file is damaged`);
    arrays.set(e.name, a);
    next += e.size;
  }
  if (next !== doc.dataFloats) throw fail(`the array table covers ${next} floats but the header says ${doc.dataFloats}`);
  return { header: doc.header, arrays };
}
