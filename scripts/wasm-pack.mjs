// The text form of the embedded kernel builds (scripts/build-wasm.mjs writes it, src/wasm/embedded.ts reads
// it). Two things make it gzip close to the binary, where hex did not:
//  - one character per byte for the 87 most frequent bytes of the pack and two for the other 169 (an
//    alphabet of 89 printable ASCII characters without " ' ` \ < $, so the literal needs no escape with
//    any quote a minifier picks, nor in an inline <script>), so a repeat in the bytes is a repeat in the
//    text, of about the same length;
//  - the builds of a pack (SIMD and scalar) interleaved function by function: each scalar function body
//    right after the SIMD body it shares most with (a monotone alignment maximising the deflate saving),
//    so gzip's 32 KB window sees both copies of what the two compilations have in common.
// The format: `<builds>;<run lengths, comma-separated>;<the 256 byte values by rank, hex><encoded bytes>`;
// run i holds bytes of build i % builds, and each build is its runs concatenated in order.
import { deflateRawSync } from 'node:zlib';

export const ALPHABET = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => !'"\'`\\<$'.includes(c)).join('');
/** Characters that start a two-character code. */
const PREFIXES = 2;

function leb(b, p) {
  let r = 0, s = 0, c;
  do {
    c = b[p++];
    r |= (c & 0x7f) << s;
    s += 7;
  } while (c & 0x80);
  return [r >>> 0, p];
}

/** A module split at function-body boundaries: [everything up to the first body, body 0, ..., the rest]. */
function split(b) {
  let p = 8;
  while (p < b.length) {
    const id = b[p++];
    const [n, q] = leb(b, p);
    if (id === 10) {
      let [count, r] = leb(b, q);
      const cuts = [r];
      for (let i = 0; i < count; i++) {
        let size;
        [size, r] = leb(b, r);
        cuts.push((r += size));
      }
      const pieces = cuts.map((c, i) => b.subarray(i === 0 ? 0 : cuts[i - 1], c));
      return [...pieces, b.subarray(r)];
    }
    p = q + n;
  }
  return [b];
}

/** Runs of `a` and `b` (alternating, `a` first) with each piece of b after the piece of a it shares most with. */
function interleave(a, b) {
  const A = split(a), B = split(b);
  const d = (x) => deflateRawSync(x, { level: 9 }).length;
  const da = A.map(d), db = B.map(d);
  const save = B.map((x, i) => A.map((y, j) => Math.max(0, db[i] - (d(Buffer.concat([y, x])) - da[j]))));
  const D = Array.from({ length: A.length + 1 }, () => new Float64Array(B.length + 1));
  for (let j = 1; j <= A.length; j++)
    for (let i = 1; i <= B.length; i++) D[j][i] = Math.max(D[j - 1][i], D[j][i - 1], D[j - 1][i - 1] + save[i - 1][j - 1]);
  const pairs = [];
  for (let j = A.length, i = B.length; j > 0 && i > 0; ) {
    if (D[j][i] === D[j - 1][i]) j--;
    else if (D[j][i] === D[j][i - 1]) i--;
    else pairs.unshift([--j, --i]);
  }
  const runs = [];
  let ja = 0, ib = 0;
  for (const [j, i] of [...pairs, [A.length - 1, B.length - 1]]) {
    runs.push(Buffer.concat(A.slice(ja, j + 1)), Buffer.concat(B.slice(ib, i + 1)));
    ja = j + 1;
    ib = i + 1;
  }
  return runs;
}

/** The pack of one or two builds (Buffers). */
export function packWasm(builds) {
  if (builds.length > 2) throw new Error('packWasm: one or two builds');
  const runs = builds.length === 2 ? interleave(builds[0], builds[1]) : [builds[0]];
  const bytes = Buffer.concat(runs);
  const freq = new Array(256).fill(0);
  for (const x of bytes) freq[x]++;
  const order = Array.from({ length: 256 }, (_, i) => i).sort((x, y) => freq[y] - freq[x] || x - y);
  const single = ALPHABET.length - PREFIXES;
  const code = [];
  order.forEach((x, r) => {
    code[x] = r < single ? ALPHABET[PREFIXES + r] : ALPHABET[Math.floor((r - single) / ALPHABET.length)] + ALPHABET[(r - single) % ALPHABET.length];
  });
  let text = '';
  for (const x of bytes) text += code[x];
  const pack = `${builds.length};${runs.map((r) => r.length).join(',')};${Buffer.from(order).toString('hex')}${text}`;
  const back = unpackWasm(pack);
  if (back.length !== builds.length || back.some((x, i) => !x.equals(builds[i]))) throw new Error('packWasm: the pack does not decode to its builds');
  return pack;
}

/** The decoder of src/wasm/embedded.ts in JavaScript, to check each pack as it is written. */
export function unpackWasm(pack) {
  const a = pack.indexOf(';'), b = pack.indexOf(';', a + 1);
  const n = Number(pack.slice(0, a));
  const runs = pack.slice(a + 1, b).split(',').map(Number);
  const order = Buffer.from(pack.slice(b + 1, b + 513), 'hex');
  const index = new Map([...ALPHABET].map((c, i) => [c, i]));
  const out = Array.from({ length: n }, () => []);
  let p = b + 513;
  runs.forEach((len, r) => {
    for (let k = 0; k < len; k++) {
      const v = index.get(pack[p++]);
      out[r % n].push(v >= PREFIXES ? order[v - PREFIXES] : order[ALPHABET.length - PREFIXES + v * ALPHABET.length + index.get(pack[p++])]);
    }
  });
  if (p !== pack.length) throw new Error('unpackWasm: trailing characters');
  return out.map((x) => Buffer.from(x));
}
