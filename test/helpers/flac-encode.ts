// A small FLAC encoder for tests (our own, after RFC 9639): STREAMINFO, then frames of CONSTANT,
// VERBATIM and FIXED (orders 0..4) subframes with Rice-coded residuals (4- or 5-bit parameters, escape
// partitions, any partition order), optional wasted bits, the four channel assignments (independent,
// left/side, side/right, mid/side), fixed or variable blocking, any block size 1..65535. It chooses by
// estimated size (the decoder does not care which is chosen); every choice can be forced, and the
// pieces (BitWriter, frameHeader, frame, streamHeader, CRCs) build hand-made and hostile streams.
import { createHash } from 'node:crypto';

/** MSB-first bit writer. */
export class BitWriter {
  private buf = new Uint8Array(1024);
  private len = 0;
  private acc = 0;
  private n = 0; // bits pending in acc (< 8)

  private push(byte: number): void {
    if (this.len === this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.len++] = byte;
  }

  /** The low `n` bits (0..53) of the non-negative integer `v`. */
  bits(v: number, n: number): this {
    if (n > 16) {
      const lowBits = 16;
      this.bits(Math.floor(v / 65536), n - lowBits);
      return this.bits(v % 65536, lowBits);
    }
    if (n === 0) return this;
    this.acc = (this.acc << n) | (v & ((1 << n) - 1));
    this.n += n;
    while (this.n >= 8) {
      this.n -= 8;
      this.push((this.acc >>> this.n) & 0xff);
    }
    this.acc &= (1 << this.n) - 1;
    return this;
  }

  /** `v` as an `n`-bit two's complement number. */
  signed(v: number, n: number): this {
    return this.bits(v < 0 ? v + 2 ** n : v, n);
  }

  /** `q` zero bits, then a one. */
  unary(q: number): this {
    for (; q >= 16; q -= 16) this.bits(0, 16);
    return this.bits(1, q + 1);
  }

  /** A zig-zag Rice code of `v` with parameter `k`. */
  rice(v: number, k: number): this {
    const u = v >= 0 ? 2 * v : -2 * v - 1;
    if (k <= 16 && u < 2 ** 31) {
      let q = u >>> k;
      for (; q >= 16; q -= 16) this.bits(0, 16);
      this.bits(1, q + 1);
      return this.bits(u & ((1 << k) - 1), k);
    }
    const m = 2 ** k;
    this.unary(Math.floor(u / m));
    return this.bits(u % m, k);
  }

  /** Zero bits to the next byte boundary. */
  align(): this {
    if (this.n > 0) this.bits(0, 8 - this.n);
    return this;
  }

  bitLength(): number {
    return this.len * 8 + this.n;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

// ---- CRCs (bitwise, independent of the decoder's tables) -----------------------------------------

export function crc8(b: ArrayLike<number>, start = 0, end = b.length): number {
  let c = 0;
  for (let i = start; i < end; i++) {
    c ^= b[i]!;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  }
  return c;
}

const CRC16_TABLE = Array.from({ length: 256 }, (_, i) => {
  let c = i << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
  return c;
});

export function crc16(b: ArrayLike<number>, start = 0, end = b.length): number {
  let c = 0;
  for (let i = start; i < end; i++) c = ((c << 8) & 0xffff) ^ CRC16_TABLE[(c >> 8) ^ b[i]!]!;
  return c;
}

// ---- Stream header --------------------------------------------------------------------------------

export interface StreamInfoSpec {
  minBlock: number;
  maxBlock: number;
  minFrame?: number;
  maxFrame?: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  totalSamples: number;
  md5?: Uint8Array;
}

/** "fLaC", STREAMINFO and the given further metadata blocks (the last one flagged last). */
export function streamHeader(si: StreamInfoSpec, extra: { type: number; data: Uint8Array }[] = []): Uint8Array {
  const w = new BitWriter();
  w.bits(0x664c6143, 32);
  w.bits(extra.length === 0 ? 1 : 0, 1).bits(0, 7).bits(34, 24);
  w.bits(si.minBlock, 16).bits(si.maxBlock, 16).bits(si.minFrame ?? 0, 24).bits(si.maxFrame ?? 0, 24);
  w.bits(si.sampleRate, 20).bits(si.channels - 1, 3).bits(si.bitsPerSample - 1, 5).bits(si.totalSamples, 36);
  const md5 = si.md5 ?? new Uint8Array(16);
  for (const b of md5) w.bits(b, 8);
  extra.forEach((m, i) => {
    w.bits(i === extra.length - 1 ? 1 : 0, 1).bits(m.type, 7).bits(m.data.length, 24);
    for (const b of m.data) w.bits(b, 8);
  });
  return w.bytes();
}

// ---- Frames ---------------------------------------------------------------------------------------

const BS_TABLE: Record<number, number> = { 192: 1, 576: 2, 1152: 3, 2304: 4, 4608: 5, 256: 8, 512: 9, 1024: 10, 2048: 11, 4096: 12, 8192: 13, 16384: 14, 32768: 15 };
const SR_TABLE: Record<number, number> = { 88200: 1, 176400: 2, 192000: 3, 8000: 4, 16000: 5, 22050: 6, 24000: 7, 32000: 8, 44100: 9, 48000: 10, 96000: 11 };
const SS_TABLE: Record<number, number> = { 8: 1, 12: 2, 16: 4, 20: 5, 24: 6, 32: 7 };

export interface FrameHeaderSpec {
  blockSize: number;
  /** Frame number (fixed blocking) or first sample number (variable blocking). */
  number: number;
  variable?: boolean;
  /** 0..7 independent (channels - 1), 8 left/side, 9 side/right, 10 mid/side. */
  assignment: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Force the block size code (6 / 7 write blockSize - 1 in 8 / 16 bits at the end). */
  blockSizeCode?: number;
  /** 'streaminfo' writes code 0; 'code' (default) the table code or an 8/16-bit field. */
  sampleRateIn?: 'streaminfo' | 'code';
  sampleSizeIn?: 'streaminfo' | 'code';
}

/** The UTF-8-like coding of a frame or sample number (up to 36 bits). */
export function codedNumber(v: number): number[] {
  if (v < 0x80) return [v];
  const out: number[] = [];
  let n = 1;
  while (v >= 2 ** (6 * n + (6 - n))) n++; // n continuation bytes hold 6n bits, the first 6 - n
  for (let k = 0; k < n; k++) {
    out.unshift(0x80 | (v % 64));
    v = Math.floor(v / 64);
  }
  out.unshift(((0xff00 >> (n + 1)) & 0xff) | v);
  return out;
}

/** The frame header's bytes including its CRC-8. */
export function frameHeader(h: FrameHeaderSpec): number[] {
  const B = h.blockSize;
  const bsCode = h.blockSizeCode ?? BS_TABLE[B] ?? (B <= 256 ? 6 : 7);
  let srCode = 0;
  const srTail: number[] = [];
  if (h.sampleRateIn !== 'streaminfo') {
    const r = h.sampleRate;
    if (SR_TABLE[r] !== undefined) srCode = SR_TABLE[r]!;
    else if (r % 1000 === 0 && r / 1000 <= 255) srCode = 12, srTail.push(r / 1000);
    else if (r <= 65535) srCode = 13, srTail.push(r >> 8, r & 255);
    else if (r % 10 === 0 && r / 10 <= 65535) srCode = 14, srTail.push((r / 10) >> 8, (r / 10) & 255);
  }
  const ssCode = h.sampleSizeIn === 'streaminfo' ? 0 : (SS_TABLE[h.bitsPerSample] ?? 0);
  const bytes = [0xff, 0xf8 | (h.variable ? 1 : 0), (bsCode << 4) | srCode, (h.assignment << 4) | (ssCode << 1), ...codedNumber(h.number)];
  if (bsCode === 6) bytes.push((B - 1) & 0xff);
  if (bsCode === 7) bytes.push(((B - 1) >> 8) & 0xff, (B - 1) & 0xff);
  bytes.push(...srTail);
  bytes.push(crc8(bytes));
  return bytes;
}

/** A whole frame: the header, the subframes `write` writes, padding and the CRC-16. */
export function frame(h: FrameHeaderSpec, write: (w: BitWriter) => void): Uint8Array {
  const w = new BitWriter();
  for (const b of frameHeader(h)) w.bits(b, 8);
  write(w);
  w.align();
  const body = w.bytes();
  const out = new Uint8Array(body.length + 2);
  out.set(body);
  const c = crc16(body);
  out[body.length] = c >> 8;
  out[body.length + 1] = c & 0xff;
  return out;
}

/** Recomputes a frame's CRC-8 (the byte at `crc8At`) and CRC-16 (its last two bytes) in place. */
export function fixFrameCrcs(bytes: Uint8Array, f: { start: number; crc8At: number; end: number }): Uint8Array {
  bytes[f.crc8At] = crc8(bytes, f.start, f.crc8At);
  const c = crc16(bytes, f.start, f.end - 2);
  bytes[f.end - 2] = c >> 8;
  bytes[f.end - 1] = c & 0xff;
  return bytes;
}

// ---- Subframes ------------------------------------------------------------------------------------

export type SubframeKind = 'auto' | 'constant' | 'verbatim' | 'fixed0' | 'fixed1' | 'fixed2' | 'fixed3' | 'fixed4';

export interface ResidualOptions {
  /** Partition order, or 'auto' (the smallest estimate among the allowed ones). */
  partitionOrder?: number | 'auto';
  /** 0: 4-bit parameters, 1: 5-bit; 'auto': 0 unless a parameter above 14 is wanted. */
  method?: 0 | 1 | 'auto';
  /** Escape partitions (raw bits): when smaller, never, or always. */
  escape?: 'auto' | 'never' | 'always';
}

interface Plan {
  kind: SubframeKind;
  wasted: number;
  bits: number; // estimated size
}

const FIXED_COEFS = [[], [1], [2, -1], [3, -3, 1], [4, -6, 4, -1]];

function fixedResidual(x: Float64Array, order: number): Float64Array | undefined {
  const c = FIXED_COEFS[order]!;
  const r = new Float64Array(Math.max(0, x.length - order));
  for (let i = order; i < x.length; i++) {
    let p = 0;
    for (let j = 0; j < order; j++) p += c[j]! * x[i - 1 - j]!;
    const v = x[i]! - p;
    if (v < -(2 ** 31) || v > 2 ** 31 - 1) return undefined;
    r[i - order] = v;
  }
  return r;
}

interface PartitionPlan {
  order: number;
  method: 0 | 1;
  params: { escape: boolean; k: number; raw: number }[];
  bits: number;
}

const INV_POW2 = Array.from({ length: 31 }, (_, k) => 2 ** -k);

/** The two's complement width holding v (|v| <= 2^31). */
function bitsFor(v: number): number {
  return 33 - Math.clz32(v < 0 ? -v - 1 : v);
}

function planResidual(r: Float64Array, B: number, order: number, o: ResidualOptions): PartitionPlan {
  const valid = (p: number) => B % (1 << p) === 0 && B >> p >= order;
  let orders: number[];
  if (typeof o.partitionOrder === 'number') {
    let p = o.partitionOrder; // the largest valid order up to the asked one
    while (p > 0 && !valid(p)) p--;
    orders = [p];
  } else {
    orders = [];
    for (let p = 0; p <= 8 && valid(p); p++) orders.push(p);
  }
  // Zig-zag sums and extremes per partition at the finest order, then merged pairwise for coarser ones.
  const top = Math.max(...orders);
  const per = B >> top;
  let sums: number[] = [], los: number[] = [], his: number[] = [], counts: number[] = [];
  for (let k = 0, at = 0; k < 1 << top; k++) {
    const count = k === 0 ? per - order : per;
    let sum = 0, lo = 0, hi = 0;
    for (let i = at; i < at + count; i++) {
      const v = r[i]!;
      sum += v >= 0 ? 2 * v : -2 * v - 1;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    sums.push(sum), los.push(lo), his.push(hi), counts.push(count);
    at += count;
  }
  let best: PartitionPlan | undefined;
  for (let p = top; p >= 0; p--) {
    if (orders.includes(p)) {
      const params: PartitionPlan['params'] = [];
      let bits = 6;
      let needBig = false;
      for (let k = 0; k < sums.length; k++) {
        const count = counts[k]!, sum = sums[k]!;
        // exact bits need sum(u >> k); sum / 2^k is a close estimate, smallest near k = log2(mean)
        let bestK = 0, bestBits = Infinity;
        const k0 = count > 0 && sum > count ? Math.floor(Math.log2(sum / count)) : 0;
        for (let kk = Math.max(0, k0 - 1); kk <= Math.min(30, k0 + 2); kk++) {
          const est = count * (kk + 1) + Math.floor(sum * INV_POW2[kk]!);
          if (est < bestBits) bestBits = est, bestK = kk;
        }
        const raw = los[k] === 0 && his[k] === 0 ? 0 : Math.max(bitsFor(los[k]!), bitsFor(his[k]!));
        const rawBits = 5 + count * raw;
        const esc = raw <= 31 && (o.escape === 'always' || (o.escape !== 'never' && rawBits < bestBits)); // 5-bit raw width
        if (!esc && bestK > 14) needBig = true;
        params.push({ escape: esc, k: bestK, raw });
        bits += (esc ? rawBits : bestBits) + 5;
      }
      const method: 0 | 1 = o.method === 1 || needBig ? 1 : 0;
      if (o.method === 0 && needBig) for (const q of params) if (!q.escape && q.k > 14) q.k = 14;
      if (!best || bits < best.bits) best = { order: p, method, params, bits };
    }
    if (p === 0) break;
    const half = sums.length >> 1;
    const next = [[], [], [], []] as number[][];
    for (let k = 0; k < half; k++) {
      next[0]!.push(sums[2 * k]! + sums[2 * k + 1]!);
      next[1]!.push(counts[2 * k]! + counts[2 * k + 1]!);
      next[2]!.push(Math.min(los[2 * k]!, los[2 * k + 1]!));
      next[3]!.push(Math.max(his[2 * k]!, his[2 * k + 1]!));
    }
    [sums, counts, los, his] = next as [number[], number[], number[], number[]];
  }
  return best!;
}

function writeResidual(w: BitWriter, r: Float64Array, B: number, order: number, plan: PartitionPlan): void {
  w.bits(plan.method, 2).bits(plan.order, 4);
  const parts = 1 << plan.order, per = B >> plan.order;
  const pbits = plan.method === 0 ? 4 : 5, escapeCode = plan.method === 0 ? 15 : 31;
  let at = 0;
  for (let k = 0; k < parts; k++) {
    const count = k === 0 ? per - order : per;
    const q = plan.params[k]!;
    if (q.escape) {
      w.bits(escapeCode, pbits).bits(q.raw, 5);
      if (q.raw > 0) for (let i = at; i < at + count; i++) w.signed(r[i]!, q.raw);
    } else {
      w.bits(q.k, pbits);
      for (let i = at; i < at + count; i++) w.rice(r[i]!, q.k);
    }
    at += count;
  }
}

function trailingZeros(x: ArrayLike<number>, width: number): number {
  let all = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v !== 0) {
      let t = 0;
      let a = Math.abs(v);
      while (a % 2 === 0) a /= 2, t++;
      if (all === 0 || t < all) all = t;
      if (all === 0) return 0;
    }
  }
  return Math.min(all, width - 1);
}

function planSubframe(x: ArrayLike<number>, width: number, forced: SubframeKind, useWasted: boolean, ro: ResidualOptions): Plan & { shifted: Float64Array; residual?: Float64Array; partitions?: PartitionPlan } {
  const B = x.length;
  const wasted = useWasted ? trailingZeros(x, width) : 0;
  const shifted = new Float64Array(B);
  const scale = 2 ** wasted;
  for (let i = 0; i < B; i++) shifted[i] = x[i]! / scale;
  const w = width - wasted;
  const head = 8 + (wasted > 0 ? wasted : 0);
  const candidates: (Plan & { residual?: Float64Array; partitions?: PartitionPlan })[] = [];
  let allEqual = true;
  for (let i = 1; i < B && allEqual; i++) allEqual = shifted[i] === shifted[0];
  if ((forced === 'constant' || forced === 'auto') && allEqual) candidates.push({ kind: 'constant', wasted, bits: head + w });
  if (forced === 'verbatim' || forced === 'auto') candidates.push({ kind: 'verbatim', wasted, bits: head + w * B });
  for (let order = 0; order <= 4; order++) {
    const kind = `fixed${order}` as SubframeKind;
    if (forced !== kind && forced !== 'auto') continue;
    if (order > B) continue;
    const residual = fixedResidual(shifted, order);
    if (!residual) continue;
    const partitions = planResidual(residual, B, order, ro);
    candidates.push({ kind, wasted, bits: head + order * w + partitions.bits, residual, partitions });
  }
  if (candidates.length === 0) throw new Error(`flac-encode: subframe kind ${forced} cannot code this block`);
  const best = candidates.reduce((a, b) => (b.bits < a.bits ? b : a));
  return { ...best, shifted };
}

function writeSubframe(w: BitWriter, plan: ReturnType<typeof planSubframe>, width: number): void {
  const x = plan.shifted;
  const sw = width - plan.wasted;
  const type = plan.kind === 'constant' ? 0 : plan.kind === 'verbatim' ? 1 : 8 + Number(plan.kind.slice(5));
  w.bits(0, 1).bits(type, 6);
  if (plan.wasted > 0) w.bits(1, 1).unary(plan.wasted - 1);
  else w.bits(0, 1);
  if (plan.kind === 'constant') w.signed(x[0]!, sw);
  else if (plan.kind === 'verbatim') for (const v of x) w.signed(v, sw);
  else {
    const order = type - 8;
    for (let i = 0; i < order; i++) w.signed(x[i]!, sw);
    writeResidual(w, plan.residual!, x.length, order, plan.partitions!);
  }
}

// ---- Whole streams --------------------------------------------------------------------------------

export type Stereo = 'independent' | 'left-side' | 'side-right' | 'mid-side' | 'auto';

export interface FlacEncodeOptions extends ResidualOptions {
  bitsPerSample: number;
  sampleRate?: number;
  /** Fixed blocking with this block size (default 4096)... */
  blockSize?: number;
  /** ...or variable blocking, cycling through these sizes. */
  blockSizes?: number[];
  /** Two channels only: the assignment, or 'auto' (the smallest estimate; default). */
  stereo?: Stereo | ((frame: number) => Stereo);
  subframe?: (frame: number, channel: number) => SubframeKind;
  wastedBits?: boolean;
  /** STREAMINFO total: the sample count (default), 0 (unknown) or 2^36 - 1 (libFLAC's estimate). */
  totalSamples?: 'count' | 'unknown' | 'estimate';
  md5?: boolean;
  sampleRateIn?: 'streaminfo' | 'code';
  sampleSizeIn?: 'streaminfo' | 'code';
  blockSizeCode?: (frame: number) => number | undefined;
  metadata?: { type: number; data: Uint8Array }[];
}

export interface EncodedFlac {
  bytes: Uint8Array;
  /** Each frame: its first byte, the byte of its CRC-8, the byte after its CRC-16. */
  frames: { start: number; crc8At: number; end: number }[];
}

/** The MD5 of the interleaved little-endian samples, ceil(bps / 8) bytes each (STREAMINFO's signature). */
export function samplesMd5(channels: ArrayLike<number>[], bps: number): Uint8Array {
  const size = (bps + 7) >> 3;
  const n = channels[0]?.length ?? 0;
  const buf = Buffer.alloc(n * channels.length * size);
  let o = 0;
  for (let i = 0; i < n; i++)
    for (const ch of channels) {
      let v = ch[i]!;
      for (let b = 0; b < size; b++) buf[o++] = v & 0xff, v >>= 8;
    }
  return new Uint8Array(createHash('md5').update(buf).digest());
}

export function encodeFlacDetailed(channels: ArrayLike<number>[], o: FlacEncodeOptions): EncodedFlac {
  const C = channels.length, bps = o.bitsPerSample, rate = o.sampleRate ?? 96000;
  const N = channels[0]?.length ?? 0;
  if (C < 1 || C > 8 || channels.some((c) => c.length !== N)) throw new Error('flac-encode: 1..8 channels of equal length');
  const variable = o.blockSizes !== undefined;
  const sizes = o.blockSizes ?? [o.blockSize ?? 4096];
  const ro: ResidualOptions = { partitionOrder: o.partitionOrder ?? 'auto', method: o.method ?? 'auto', escape: o.escape ?? 'auto' };
  const frames: Uint8Array[] = [];
  const used: number[] = [];
  for (let at = 0, f = 0; at < N; f++) {
    const B = Math.min(sizes[f % sizes.length]!, N - at);
    used.push(B);
    const block = channels.map((c) => Float64Array.from({ length: B }, (_, i) => c[at + i]!));
    let assignment = C - 1;
    let plans: ReturnType<typeof planSubframe>[];
    const kind = (c: number) => o.subframe?.(f, c) ?? 'auto';
    const wasted = o.wastedBits ?? true;
    if (C === 2) {
      const stereo = typeof o.stereo === 'function' ? o.stereo(f) : (o.stereo ?? 'auto');
      const [L, R] = block as [Float64Array, Float64Array];
      const S = L.map((v, i) => v - R[i]!);
      const M = L.map((v, i) => Math.floor((v + R[i]!) / 2));
      const memo = new Map<string, ReturnType<typeof planSubframe>>();
      const once = (key: string, make: () => ReturnType<typeof planSubframe>) => memo.get(key) ?? memo.set(key, make()).get(key)!;
      const pl = () => once('L', () => planSubframe(L, bps, kind(0), wasted, ro)), pr = () => once('R', () => planSubframe(R, bps, kind(1), wasted, ro));
      const ps = (c: number) => once(`S${c}`, () => planSubframe(S, bps + 1, kind(c), wasted, ro)), pm = () => once('M', () => planSubframe(M, bps, kind(0), wasted, ro));
      const options: [number, () => ReturnType<typeof planSubframe>[]][] = [
        [1, () => [pl(), pr()]], [8, () => [pl(), ps(1)]], [9, () => [ps(0), pr()]], [10, () => [pm(), ps(1)]],
      ];
      const pick = stereo === 'auto' ? options : options.filter(([a]) => a === { independent: 1, 'left-side': 8, 'side-right': 9, 'mid-side': 10 }[stereo]);
      let best: [number, ReturnType<typeof planSubframe>[]] | undefined;
      for (const [a, make] of pick) {
        const p = make();
        if (!best || p[0]!.bits + p[1]!.bits < best[1][0]!.bits + best[1][1]!.bits) best = [a, p];
      }
      [assignment, plans] = best!;
    } else plans = block.map((x, c) => planSubframe(x, bps, kind(c), wasted, ro));
    const widths = plans.map((_, c) => bps + ((assignment === 8 && c === 1) || (assignment === 9 && c === 0) || (assignment === 10 && c === 1) ? 1 : 0));
    frames.push(frame(
      { blockSize: B, number: variable ? at : f, variable, assignment, sampleRate: rate, bitsPerSample: bps, blockSizeCode: o.blockSizeCode?.(f), sampleRateIn: o.sampleRateIn, sampleSizeIn: o.sampleSizeIn },
      (w) => plans.forEach((p, c) => writeSubframe(w, p, widths[c]!)),
    ));
    at += B;
  }
  const maxBlock = Math.max(16, ...used, ...(variable ? [] : sizes));
  const minBlock = variable ? Math.max(16, Math.min(maxBlock, ...sizes)) : maxBlock;
  const head = streamHeader({
    minBlock, maxBlock, minFrame: frames.length ? Math.min(...frames.map((x) => x.length)) : 0, maxFrame: frames.length ? Math.max(...frames.map((x) => x.length)) : 0,
    sampleRate: rate, channels: C, bitsPerSample: bps,
    totalSamples: o.totalSamples === 'unknown' ? 0 : o.totalSamples === 'estimate' ? 2 ** 36 - 1 : N,
    md5: o.md5 === false ? undefined : samplesMd5(channels, bps),
  }, o.metadata);
  const total = head.length + frames.reduce((s, x) => s + x.length, 0);
  const bytes = new Uint8Array(total);
  bytes.set(head);
  const spans: EncodedFlac['frames'] = [];
  let p = head.length;
  for (const x of frames) {
    bytes.set(x, p);
    spans.push({ start: p, crc8At: p + headerLength(x) - 1, end: p + x.length });
    p += x.length;
  }
  return { bytes, frames: spans };
}

export function encodeFlac(channels: ArrayLike<number>[], o: FlacEncodeOptions): Uint8Array {
  return encodeFlacDetailed(channels, o).bytes;
}

/** The length of the frame header starting at `at` (CRC-8 included), from its codes. */
export function headerLength(b: Uint8Array, at = 0): number {
  const bs = b[at + 2]! >> 4, sr = b[at + 2]! & 15;
  const first = b[at + 4]!;
  let n = 1;
  if (first >= 0xc0) n = first === 0xfe ? 7 : Math.clz32(~(first << 24)) ;
  return 4 + n + (bs === 6 ? 1 : bs === 7 ? 2 : 0) + (sr === 12 ? 1 : sr === 13 || sr === 14 ? 2 : 0) + 1;
}

/** The frames of a valid stream (for instance one the reference encoder wrote), found by their CRCs. */
export function frameSpans(b: Uint8Array): EncodedFlac['frames'] {
  let p = 4;
  for (let last = false; !last; ) {
    last = (b[p]! & 0x80) !== 0;
    p += 4 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }
  const spans: EncodedFlac['frames'] = [];
  while (p < b.length) {
    const h = headerLength(b, p);
    if (crc8(b, p, p + h - 1) !== b[p + h - 1]) throw new Error(`frameSpans: no valid frame header at ${p}`);
    let end = p + h + 2;
    for (; end <= b.length; end++) {
      if (end < b.length && !(b[end] === 0xff && (b[end + 1]! & 0xfe) === 0xf8)) continue;
      if (crc16(b, p, end - 2) === ((b[end - 2]! << 8) | b[end - 1]!)) break;
    }
    if (end > b.length) throw new Error(`frameSpans: no frame end after ${p}`);
    spans.push({ start: p, crc8At: p + h - 1, end });
    p = end;
  }
  return spans;
}
