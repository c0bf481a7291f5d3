// The bit-level tools of the FLAC decoder (flac.ts): an MSB-first bit reader over a Uint8Array with a
// 32-bit cache (unary and Rice codes in a tight loop), the frame CRCs and MD5. References: RFC 9639
// (FLAC), sections 9.1.8 (CRC-8, polynomial x^8 + x^2 + x + 1, initial 0) and 9.3 (CRC-16, polynomial
// x^16 + x^15 + x^2 + 1, initial 0), both MSB first without reflection; RFC 1321 (MD5), which
// STREAMINFO's signature of the decoded samples uses.
import { WfdbError } from '../errors.ts';

/**
 * Reads bits most significant first. `cache` holds the next `avail` (0..32) unread bits left-aligned,
 * every bit below them zero; `pos` is the next byte to load. Every read past the end of the bytes is a
 * WfdbError naming the file and the byte offset.
 */
export class BitReader {
  readonly buf: Uint8Array;
  readonly end: number;
  readonly file: string;
  pos = 0;
  cache = 0;
  avail = 0;

  constructor(buf: Uint8Array, file: string) {
    this.buf = buf;
    this.end = buf.length;
    this.file = file;
  }

  /** Starts reading at byte `byte`, dropping the cache. */
  seek(byte: number): void {
    this.pos = byte;
    this.cache = 0;
    this.avail = 0;
  }

  /** The offset of the next unread bit, from the start of the bytes. */
  bitPos(): number {
    return this.pos * 8 - this.avail;
  }

  /** A WfdbError at the next unread bit's byte. */
  fail(what: string, bit = this.bitPos()): never {
    throw new WfdbError(`${this.file}: FLAC stream, byte offset ${Math.floor(bit / 8)}: ${what}`, this.file);
  }

  private truncated(what: string): never {
    return this.fail(`the stream ends inside ${what} (truncated file?)`);
  }

  /** Loads whole bytes until more than 24 bits are cached or the bytes end. */
  private refill(): void {
    const buf = this.buf, end = this.end;
    let pos = this.pos, cache = this.cache, avail = this.avail;
    while (avail <= 24 && pos < end) {
      cache |= buf[pos++]! << (24 - avail);
      avail += 8;
    }
    this.pos = pos;
    this.cache = cache;
    this.avail = avail;
  }

  /** The next `n` bits (1..24) as an unsigned number. */
  read(n: number, what: string): number {
    if (this.avail < n) {
      this.refill();
      if (this.avail < n) this.truncated(what);
    }
    const v = this.cache >>> (32 - n);
    this.cache <<= n;
    this.avail -= n;
    return v;
  }

  /** The next `n` bits (0..48) as an unsigned number. */
  readLong(n: number, what: string): number {
    if (n === 0) return 0;
    if (n <= 24) return this.read(n, what);
    const hi = this.read(n - 24, what);
    return hi * 16777216 + this.read(24, what);
  }

  /** The next `n` bits (1..48) as a two's complement number. */
  readSigned(n: number, what: string): number {
    const v = this.readLong(n, what);
    const half = 2 ** (n - 1);
    return v >= half ? v - 2 * half : v;
  }

  /** The number of 0 bits before the next 1 bit, which is consumed too. */
  unary(what: string): number {
    let q = 0;
    for (;;) {
      if (this.avail <= 24) this.refill();
      if (this.cache !== 0) break;
      if (this.avail === 0) this.truncated(what);
      q += this.avail; // every cached bit is 0
      this.avail = 0;
    }
    const z = Math.clz32(this.cache); // < avail: the bits below the cached ones are 0
    this.cache = (this.cache << z) << 1;
    this.avail -= z + 1;
    return q + z;
  }

  /** Skips to the next byte boundary and returns the skipped bits (to check they are 0). */
  align(): number {
    const n = this.avail & 7;
    if (n === 0) return 0;
    return this.read(n, 'padding');
  }

  /**
   * Decodes `count` Rice-coded residuals with parameter `k` (0..30) into `out[at..]`: a unary quotient
   * q, then k low bits; the value u = q * 2^k + low is zig-zag coded (0, -1, 1, -2, ... as 0, 1, 2, 3,
   * ...). Residuals must fit 32-bit two's complement (RFC 9639, 9.2.7), so u must fit 32 bits.
   */
  rice(out: Float64Array, at: number, count: number, k: number): void {
    const buf = this.buf, end = this.end;
    let pos = this.pos, cache = this.cache, avail = this.avail;
    const scale = 2 ** k;
    const stop = at + count;
    for (let i = at; i < stop; i++) {
      let q = 0;
      for (;;) {
        while (avail <= 24 && pos < end) {
          cache |= buf[pos++]! << (24 - avail);
          avail += 8;
        }
        if (cache !== 0) break;
        if (avail === 0) {
          this.pos = pos, this.cache = cache, this.avail = avail;
          this.truncated('a Rice-coded residual');
        }
        q += avail;
        avail = 0;
      }
      const z = Math.clz32(cache);
      q += z;
      cache = (cache << z) << 1;
      avail -= z + 1;
      let low = 0;
      if (k !== 0) {
        if (avail < k) {
          while (avail <= 24 && pos < end) {
            cache |= buf[pos++]! << (24 - avail);
            avail += 8;
          }
        }
        if (avail >= k) {
          low = cache >>> (32 - k);
          cache <<= k;
          avail -= k;
        } else {
          // k is 25..30 and fewer bits are cached: take what is there, then the rest.
          if (pos >= end) {
            this.pos = pos, this.cache = cache, this.avail = avail;
            this.truncated('a Rice-coded residual');
          }
          const n1 = avail, n2 = k - avail;
          const hi = n1 === 0 ? 0 : cache >>> (32 - n1);
          cache = 0;
          avail = 0;
          while (avail <= 24 && pos < end) {
            cache |= buf[pos++]! << (24 - avail);
            avail += 8;
          }
          if (avail < n2) {
            this.pos = pos, this.cache = cache, this.avail = avail;
            this.truncated('a Rice-coded residual');
          }
          low = hi * 2 ** n2 + (cache >>> (32 - n2));
          cache <<= n2;
          avail -= n2;
        }
      }
      const u = q * scale + low;
      if (u > 0xffffffff) {
        this.pos = pos, this.cache = cache, this.avail = avail;
        this.fail(`Rice-coded residual ${i - at} of a partition (quotient ${q}, parameter ${k}) does not fit 32 bits`);
      }
      out[i] = (u >>> 1) ^ -(u & 1);
    }
    this.pos = pos;
    this.cache = cache;
    this.avail = avail;
  }
}

// ---- CRCs ---------------------------------------------------------------------------------------

const CRC8 = new Uint8Array(256);
const CRC16 = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  CRC8[i] = c;
  let d = i << 8;
  for (let b = 0; b < 8; b++) d = d & 0x8000 ? ((d << 1) ^ 0x8005) & 0xffff : (d << 1) & 0xffff;
  CRC16[i] = d;
}

/** CRC-8 of bytes[start..end) (the frame header's check). */
export function crc8(bytes: Uint8Array, start: number, end: number): number {
  let c = 0;
  for (let i = start; i < end; i++) c = CRC8[c ^ bytes[i]!]!;
  return c;
}

/** CRC-16 of bytes[start..end) (the frame footer's check, over the whole frame). */
export function crc16(bytes: Uint8Array, start: number, end: number): number {
  let c = 0;
  for (let i = start; i < end; i++) c = ((c << 8) & 0xffff) ^ CRC16[(c >>> 8) ^ bytes[i]!]!;
  return c;
}

// ---- MD5 (RFC 1321) -----------------------------------------------------------------------------

const MD5_K = Int32Array.from([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);
const MD5_S = Uint8Array.from([7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]);

/** Incremental MD5: update() with bytes as they come, digest() once at the end. */
export class Md5 {
  private readonly h = Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  private readonly block = new Uint8Array(64);
  private readonly w = new Int32Array(16);
  private fill = 0;
  private length = 0;

  update(data: Uint8Array, start = 0, end = data.length): void {
    this.length += end - start;
    let i = start;
    if (this.fill > 0) {
      while (i < end && this.fill < 64) this.block[this.fill++] = data[i++]!;
      if (this.fill < 64) return;
      this.compress(this.block, 0);
      this.fill = 0;
    }
    for (; i + 64 <= end; i += 64) this.compress(data, i);
    while (i < end) this.block[this.fill++] = data[i++]!;
  }

  digest(): Uint8Array {
    const bits = this.length * 8;
    const tail = new Uint8Array(this.fill < 56 ? 64 : 128);
    tail.set(this.block.subarray(0, this.fill));
    tail[this.fill] = 0x80;
    const n = tail.length;
    const lo = bits % 4294967296, hi = Math.floor(bits / 4294967296);
    for (let b = 0; b < 4; b++) {
      tail[n - 8 + b] = (lo >>> (8 * b)) & 0xff;
      tail[n - 4 + b] = (hi >>> (8 * b)) & 0xff;
    }
    this.compress(tail, 0);
    if (n === 128) this.compress(tail, 64);
    const out = new Uint8Array(16);
    for (let j = 0; j < 16; j++) out[j] = (this.h[j >> 2]! >>> (8 * (j & 3))) & 0xff;
    return out;
  }

  private compress(d: Uint8Array, at: number): void {
    const w = this.w, h = this.h;
    for (let j = 0; j < 16; j++) {
      const o = at + 4 * j;
      w[j] = d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24);
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, e = h[3]!;
    for (let i = 0; i < 64; i++) {
      let f: number, g: number;
      if (i < 16) f = (b & c) | (~b & e), g = i;
      else if (i < 32) f = (e & b) | (~e & c), g = (5 * i + 1) & 15;
      else if (i < 48) f = b ^ c ^ e, g = (3 * i + 5) & 15;
      else f = c ^ (b | ~e), g = (7 * i) & 15;
      const s = MD5_S[((i >> 4) << 2) | (i & 3)]!;
      const x = (a + f + MD5_K[i]! + w[g]!) | 0;
      a = e;
      e = c;
      c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + e) | 0;
  }
}
