// The byte container shared by ecgrad's files (.ecgm models, .ecgq quantised models, .ecgc classifiers),
// little-endian:
//   0      8 bytes  magic
//   8      u32      H = byte length of the JSON header
//   12     H bytes  UTF-8 JSON header, space-padded so the data starts at a multiple of `align`
//   12+H   n bytes  data (n given by the header)
//   end-4  u32      CRC-32 (IEEE 802.3) of every byte before it
// Reading checks magic, sizes, JSON, the header's own fields (a callback) and the checksum before
// returning, with errors that name the file.

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

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** Writes a container: `writeData(view, out, start)` fills the `dataBytes` bytes from `start`. */
export function packContainer(
  magic: string, header: unknown, dataBytes: number, writeData: (view: DataView, out: Uint8Array, start: number) => void, align = 4,
): Uint8Array {
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (align - ((12 + json.length) % align)) % align;
  if (pad) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const start = 12 + json.length;
  const out = new Uint8Array(start + dataBytes + 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = magic.charCodeAt(i);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  writeData(view, out, start);
  view.setUint32(start + dataBytes, crc32(out, 0, start + dataBytes), true);
  return out;
}

export interface ContainerSpec<H> {
  magic: string;
  /** What the file is, for messages: "model file", "classifier file", ... */
  what: string;
  fail: (message: string) => Error;
  /** The header's "format" field and the one "version" this ecgrad reads (checked before dataBytes). */
  format: string;
  version: number;
  /** Checks the header's own fields (throw through `fail`) and returns its data length in bytes. */
  dataBytes: (header: H) => number;
  /** The same CRC-32 computed faster where the platform has one (Node's zlib.crc32); default crc32 above. */
  crc32?: (bytes: Uint8Array) => number;
}

/** Reads and verifies a container; returns its header, a view over the bytes and where the data starts. */
export function unpackContainer<H>(bytes: Uint8Array, spec: ContainerSpec<H>): { header: H; view: DataView; start: number } {
  const { fail } = spec;
  if (!(bytes instanceof Uint8Array)) throw fail('expected a Uint8Array');
  if (bytes.length < 16) throw fail(`truncated: ${bytes.length} bytes, but even an empty ${spec.what} has 16`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== spec.magic) throw fail(`not an ecgrad ${spec.what} (magic "${magic.replace(/[^\x20-\x7e]/g, '?')}", expected "${spec.magic}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const H = view.getUint32(8, true);
  if (12 + H + 4 > bytes.length) throw fail(`truncated: the header claims ${H} bytes but the file has only ${bytes.length - 16} after the fixed fields`);
  let header: H;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + H)));
  } catch (e) {
    throw fail(`the JSON header (bytes 12..${12 + H}) does not parse: ${(e as Error).message}`);
  }
  const h = header as { format?: unknown; version?: unknown } | null;
  if (h?.format !== spec.format) throw fail(`header field "format" is ${JSON.stringify(h?.format)}, expected "${spec.format}"`);
  if (h.version !== spec.version) throw fail(`version ${h.version} is not supported (this ecgrad reads version ${spec.version})`);
  const start = 12 + H;
  const expected = start + spec.dataBytes(header) + 4;
  if (bytes.length !== expected)
    throw fail(`${bytes.length < expected ? 'truncated' : 'has trailing bytes'}: ${bytes.length} bytes, expected ${expected} from its header`);
  const stored = view.getUint32(bytes.length - 4, true);
  const actual = spec.crc32 ? spec.crc32(bytes.subarray(0, bytes.length - 4)) >>> 0 : crc32(bytes, 0, bytes.length - 4);
  if (stored !== actual) throw fail(`checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)}): the file is corrupt`);
  return { header, view, start };
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for a non-negative safe integer (a count, a length, an offset). */
export function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

/** Index of the first NaN or infinite value of a, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}
