// Decodes the kernel builds embedded in the generated modules (src/wasm/generated*.ts), written by
// scripts/build-wasm.mjs in the text form of scripts/wasm-pack.mjs (it says why: within a few percent of
// the binaries' gzip size, where hex cost 2 characters a byte):
//   `<builds>;<run lengths>;<the 256 byte values by rank, hex><one or two characters a byte>`,
// run i holding bytes of build i % builds. Plain string and typed-array work: no eval, no fetch, no
// WebAssembly feature, so it runs wherever the hex decoder did (browsers under a strict CSP, workers, workerd).

/** One embedded build's bytes, decoded on first call (the pack it sits in is decoded whole, once). */
export type EmbeddedBuild = () => Uint8Array;

/** Printable ASCII without " ' ` \ < $ (scripts/wasm-pack.mjs); the first 2 characters start a two-character code. */
let index: Int8Array | undefined;

/** The builds of a pack, in the order the generated module's comment gives. */
export function unpack(pack: string): Uint8Array[] {
  if (!index) {
    index = new Int8Array(128).fill(-1);
    for (let c = 32, i = 0; c < 127; c++) if (!'"\'`\\<$'.includes(String.fromCharCode(c))) index[c] = i++;
  }
  const a = pack.indexOf(';'), b = pack.indexOf(';', a + 1);
  const n = +pack.slice(0, a);
  const runs = pack.slice(a + 1, b).split(',').map(Number);
  const order = new Uint8Array(256);
  for (let i = 0; i < 256; i++) order[i] = parseInt(pack.slice(b + 1 + 2 * i, b + 3 + 2 * i), 16);
  const out: Uint8Array[] = [];
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    let size = 0;
    for (let r = i; r < runs.length; r += n) size += runs[r]!;
    out.push(new Uint8Array(size));
    at.push(0);
  }
  let p = b + 513, bad = !(n > 0) || a < 0 || b < 0;
  for (let r = 0; r < runs.length && !bad; r++) {
    const dst = out[r % n]!;
    let q = at[r % n]!;
    for (const end = q + runs[r]!; q < end; q++) {
      const v = index[pack.charCodeAt(p++)] ?? -1;
      const w = v < 2 ? index[pack.charCodeAt(p++)] ?? -1 : 0;
      if (v < 0 || w < 0 || p > pack.length) bad = true;
      dst[q] = order[v < 2 ? 87 + v * 89 + w : v - 2]!;
    }
    at[r % n] = q;
  }
  if (bad || p !== pack.length)
    throw new Error('ecgrad: the embedded kernel builds are corrupt (src/wasm/generated*.ts): rebuild them with npm run build:wasm, or reinstall the package');
  return out;
}

/** Getters for the builds of a pack, decoding it when one is first asked for. */
export function embeddedBuilds(pack: string): EmbeddedBuild[] {
  let bytes: Uint8Array[] | undefined;
  const n = +pack.slice(0, pack.indexOf(';'));
  return Array.from({ length: n }, (_, i) => () => (bytes ??= unpack(pack))[i]!);
}
