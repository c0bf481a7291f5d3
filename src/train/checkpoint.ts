// The resumable training checkpoint (".ckpt"), browser-safe: bytes in, bytes out. Layout (little-endian):
//   0   8 bytes   magic "ECGRADC1"
//   8   u32       H = byte length of the JSON header
//   12  H bytes   UTF-8 JSON header (space-padded so the data starts at a multiple of 4): everything that
//                 is not a big float array (position, history, RNG states, optimizer counters, ...) plus
//                 a table { name, size, offset } of the float32 arrays
//   12+H  4·n     float32 data: the model's parameters and buffers ("model/<name>"), the best weights so
//                 far ("best/<name>"), the optimizer's state buffers ("optim/<slot>/<index>")
//   end-4 u32     CRC-32 of every byte before it
// A checkpoint is written whole (temporary file + rename on Node), so a kill never leaves half of one.
import { crc32 } from '../nn/model-file.ts';

const MAGIC = 'ECGRADC1';
const VERSION = 1;

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

/** Encodes a JSON-serialisable header and named float32 arrays. */
export function encodeCheckpoint(header: Record<string, unknown>, arrays: Map<string, Float32Array>): Uint8Array {
  const table: Entry[] = [];
  let offset = 0;
  for (const [name, a] of arrays) {
    table.push({ name, size: a.length, offset });
    offset += a.length;
  }
  let json = new TextEncoder().encode(JSON.stringify({ format: 'ecgrad-checkpoint', version: VERSION, header, table, dataFloats: offset }));
  const pad = (4 - ((12 + json.length) % 4)) % 4;
  if (pad) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(12 + json.length + offset * 4 + 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  const start = 12 + json.length;
  // The data start is 4-aligned in `out`, so a Float32Array view writes native (little-endian) floats.
  const floats = new Float32Array(out.buffer, start, offset);
  for (const [i, a] of [...arrays.values()].entries()) floats.set(a, table[i]!.offset);
  view.setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

export interface DecodedCheckpoint {
  header: Record<string, unknown>;
  arrays: Map<string, Float32Array>;
}

export function decodeCheckpoint(bytes: Uint8Array, source = '(bytes)'): DecodedCheckpoint {
  const fail = (m: string) => new CheckpointError(source, m);
  if (bytes.length < 16) throw fail(`truncated (${bytes.length} bytes)`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== MAGIC) throw fail(`not an ecgrad checkpoint (magic "${magic.replace(/[^\x20-\x7e]/g, '?')}", expected "${MAGIC}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = view.getUint32(8, true);
  if (12 + h + 4 > bytes.length) throw fail('truncated header');
  const stored = view.getUint32(bytes.length - 4, true);
  if (stored !== crc32(bytes, 0, bytes.length - 4)) throw fail('checksum mismatch: the file is corrupt');
  let doc: { format: string; version: number; header: Record<string, unknown>; table: Entry[]; dataFloats: number };
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h)));
  } catch (e) {
    throw fail(`the JSON header does not parse: ${(e as Error).message}`);
  }
  if (doc.format !== 'ecgrad-checkpoint' || doc.version !== VERSION) throw fail(`format ${doc.format} version ${doc.version} is not supported`);
  if (12 + h + doc.dataFloats * 4 + 4 !== bytes.length) throw fail('size does not match its header');
  const arrays = new Map<string, Float32Array>();
  const start = 12 + h;
  for (const e of doc.table) {
    const a = new Float32Array(e.size);
    for (let k = 0; k < e.size; k++) a[k] = view.getFloat32(start + 4 * (e.offset + k), true);
    arrays.set(e.name, a);
  }
  return { header: doc.header, arrays };
}
