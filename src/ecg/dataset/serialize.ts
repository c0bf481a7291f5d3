// A compact binary form of a BeatDataset (for the on-disk cache): the magic "ECGRADDS", a uint32
// version, a uint32 JSON length, the JSON of the small fields (padded to 4 bytes), then the typed
// arrays back to back, each 4-byte aligned, in the order listed in the JSON.
import type { BeatDataset } from './dataset.ts';

const MAGIC = 'ECGRADDS';
const VERSION = 1;
const ARRAYS = ['x', 'rr', 'y', 'record', 'sample', 'train', 'val', 'test'] as const;

export function serializeDataset(ds: BeatDataset): Uint8Array {
  const arrays: (Float32Array | Int32Array)[] = [ds.x, ds.rr, ds.y, ds.record, ds.sample, ds.split.train, ds.split.val, ds.split.test];
  const meta = {
    protocol: ds.protocol, seed: ds.seed, classes: ds.classes, channels: ds.channels, length: ds.length, fs: ds.fs,
    rrFeatures: ds.rrFeatures, records: ds.records, symbol: ds.symbol.join(''), options: ds.options,
    lengths: arrays.map((a) => a.length),
  };
  let json = new TextEncoder().encode(JSON.stringify(meta));
  const pad = (4 - (json.length % 4)) % 4;
  if (pad) json = Uint8Array.from([...json, ...new Array<number>(pad).fill(32)]);
  const total = 16 + json.length + arrays.reduce((a, x) => a + x.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, 16);
  let o = 16 + json.length;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
    o += a.byteLength;
  }
  return out;
}

export function deserializeDataset(bytes: Uint8Array, name = 'dataset cache'): BeatDataset {
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== MAGIC) throw new Error(`${name}: not an ecgrad dataset file (magic "${magic}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) throw new Error(`${name}: dataset file version ${version}, expected ${VERSION}; delete it to rebuild`);
  const jsonLen = view.getUint32(12, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + jsonLen)));
  let o = 16 + jsonLen;
  const copy = bytes.slice(o); // aligned copy of the array section
  o = 0;
  const arrays = (meta.lengths as number[]).map((len, i) => {
    const Ctor = i < 2 ? Float32Array : Int32Array;
    if (o + len * 4 > copy.byteLength) throw new Error(`${name}: truncated (array ${ARRAYS[i]} needs ${len * 4} bytes at offset ${16 + jsonLen + o})`);
    const a = new Ctor(copy.buffer, o, len);
    o += len * 4;
    return a;
  });
  const [x, rr, y, record, sample, train, val, test] = arrays as [Float32Array, Float32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  return {
    protocol: meta.protocol, seed: meta.seed, classes: meta.classes, channels: meta.channels, length: meta.length, fs: meta.fs,
    x, rr, rrFeatures: meta.rrFeatures, y, records: meta.records, record, sample, symbol: [...(meta.symbol as string)],
    split: { train, val, test }, options: meta.options,
  };
}
