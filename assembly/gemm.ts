// GEMM: C = alpha * op(A) * op(B) + beta * C, single precision, row-major.
//
// Layout. All matrices are row-major f32 with row strides (in elements) lda, ldb, ldc.
//   op(A) is M x K: A is stored M x K (element (i,k) at a[i*lda + k]) when transA = 0,
//                   K x M (element (i,k) at a[k*lda + i]) when transA = 1.
//   op(B) is K x N: B is stored K x N (element (k,j) at b[k*ldb + j]) when transB = 0,
//                   N x K (element (k,j) at b[j*ldb + k]) when transB = 1.
//   C is M x N (element (i,j) at c[i*ldc + j]).
// beta = 0 overwrites C without reading it; K = 0 or alpha = 0 gives C = beta*C (A and B not read);
// M = 0 or N = 0 is a no-op.
//
// Math. Each C element is computed as
//   C[i,j] = alpha * (sum_{k in block 0} a_ik b_kj) + beta * C[i,j]        (first K block)
//   C[i,j] = C[i,j] + alpha * (sum_{k in block p} a_ik b_kj)               (each later K block)
// with every sum accumulated in f32 in increasing k, one rounded multiply then one rounded add per
// term (no fused multiply-add). The SIMD and scalar builds follow exactly this order, so they agree
// bit for bit. The relaxed-SIMD build (assembly/fma.ts) keeps the order but accumulates each term with
// f32x4.relaxed_madd (fused, one rounding, where the CPU has FMA), in every path and tail alike (scalar
// tails go through lane 0 of the same instruction), so its paths still agree with each other bit for
// bit; it differs from the SIMD build by rounding. The alpha/beta epilogue is mul-then-add in all builds.
//
// Blocking (GotoBLAS / BLIS loop order). KC = 512, MC = 256, NC = 512, NC1 = 256 (64 for a packed A
// block over 192 KiB), chosen by
// measurement (BENCHMARKS.md):
//   for jc in N step NC:                 columns of C and B
//     for pc in K step KC:               depth
//       pack B[pc:pc+kc, jc:jc+nc] into strips of NR = 8 columns: strip s holds, for each k,
//         the 8 values op(B)[pc+k, jc+8s .. jc+8s+7] contiguously (zero-padded past N)
//       for ic in M step MC:
//         pack A[ic:ic+mc, pc:pc+kc] into strips of MR = 4 rows: strip r holds, for each k,
//           the 4 values op(A)[ic+4r .. ic+4r+3, pc+k] contiguously (zero-padded past M)
//         for each 8-column strip (jr), for each 4-row strip (ir): 4x8 micro-kernel over kc.
// When M fits one row block (M <= MC: Linear layers, convolutions), the loops become
//   for pc in K step KC: pack A once; for jc in N step NC1: pack B chunk; all tiles of the chunk,
// so A is never repacked and the B chunk (at most 512 KiB) stays in L2.
// Operands whose stored rows run along the strips (untransposed B, transposed A) are packed row by
// row across all strips of the panel (long sequential reads the hardware prefetcher follows; one
// strip at a time reads 16-32 bytes per row and stalls on misses for wide, strided matrices such as
// im2col). The others are packed with 4x4 shuffles, edge strips padded with zero vectors.
// The splits are balanced (K = 600 with KC = 512 gives two blocks of 300), so there is no tiny
// trailing block.
//
// Thin shapes (M < 4 or N < 4, where 4x8 tiles would waste most lanes and packing costs as much as
// the arithmetic) skip packing and compute one row (or column) of C at a time: either streaming the
// rows of op(B) (columns: of op(A)^T) into an accumulator row when they are contiguous along the
// output, or as eight (four, one) transposed dot products at a time otherwise; the latter only for
// M or N < 3 (at 3 the blocked path measured faster). Every element still sums in increasing k over
// the same K blocks and is combined with C in the same way, so results are identical whichever path
// or batch size computes them.
//
// Micro-kernel (SIMD build): 8 f32x4 accumulators hold the 4x8 tile of C; per k it loads the two B
// vectors of the strip and broadcasts each of the 4 A values (v128.load32_splat), 8 mul + 8 add.
// One k per loop iteration (unrolling by 2, 4 or 8 measured 10-45% slower: V8 spills). The kernel is
// inlined into its tile loop (faster for small K). Full tiles are written straight to C; edge tiles
// go through a 128-byte scratch tile and only the valid part is copied out.
// Scalar build: the same packing, the 4x8 tile computed as four 2x4 register blocks.
//
// Scratch (`work`, 64-byte aligned, gemmWorkSize bytes): [tile: 128 B][packed A: mc*kc f32,
// rounded to 64 B][packed B: kc*nc f32 (nc <= NC1 with a single row block)], with mc, kc, nc the
// balanced block sizes for this shape: at most 128 B + 512 KiB + 1 MiB. The thin path uses the tile and
// a 4 KiB accumulator row after it.

import { madd, maddf } from './fma';

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 512;
const MC: i32 = 256;
const NC: i32 = 512;
const NC1: i32 = 256; // column chunk when M fits one row block (a multiple of NR) ...
const NC1_LARGE_A: i32 = 64; // ... and when its packed A block is larger than LARGE_A bytes
const LARGE_A: i32 = 192 << 10;
const TILE_BYTES: usize = 128;
const THIN: i32 = 4; // M or N below this takes the thin path
const THIN_CHUNK: i32 = 1024; // floats of the thin path's accumulator row

@inline function ceilDiv(a: i32, b: i32): i32 {
  return (a + b - 1) / b;
}
@inline function roundUp(a: i32, b: i32): i32 {
  return ceilDiv(a, b) * b;
}
@inline function align64(x: i32): i32 {
  return (x + 63) & ~63;
}
@inline function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/** Depth block: at most KC, balanced over ceil(K/KC) blocks. */
@inline function blockK(K: i32): i32 {
  return ceilDiv(K, ceilDiv(K, KC));
}
/** Row block: at most MC, balanced, a multiple of MR. */
@inline function blockM(M: i32): i32 {
  return roundUp(ceilDiv(M, ceilDiv(M, MC)), MR);
}
/** Column block: at most NC, balanced, a multiple of NR. */
@inline function blockN(N: i32): i32 {
  return roundUp(ceilDiv(N, ceilDiv(N, NC)), NR);
}

/**
 * Column chunk of the single-row-block path: NC1, or NC1_LARGE_A when the packed A block (mc x kc) is
 * large, so that A and the B chunk stay well inside one core's L2 (measured: 256³ 48.7 -> 50.4 GFLOP/s
 * median at 64 columns, while 64x11968x300, whose A block is small, is 3% faster at 256).
 */
@inline function blockN1(mc: i32, kc: i32): i32 {
  return mc * kc * 4 > LARGE_A ? NC1_LARGE_A : NC1;
}

/** Bytes of scratch gemm(M, N, K) needs. */
export function gemmWorkSize(M: i32, N: i32, K: i32): i32 {
  if (M <= 0 || N <= 0 || K <= 0) return 0;
  const kc = blockK(K), mc = blockM(M);
  // with a single row block, B is packed NC1 columns at a time
  const nb = mc >= M ? imin(blockN1(M, kc), roundUp(N, NR)) : blockN(N);
  const blocked = <i32>TILE_BYTES + align64(mc * kc * 4) + align64(kc * nb * 4);
  // thin shapes may take either path depending on the transposes
  const thin = <i32>TILE_BYTES + THIN_CHUNK * 4;
  return M < THIN || N < THIN ? max(blocked, thin) : blocked;
}

// ---------------------------------------------------------------------------------------------
// Packing. A panel of depth kc and width w <= W (W = 8 for B, 4 for A) is stored as kc rows of W
// floats: dst[k*W + j] = *(src + k*ks + j*js) for j < w, 0 for w <= j < W (strides in bytes).

function pack8(src: usize, ks: usize, js: usize, kc: i32, w: i32, dst: usize): void {
  let k = 0;
  if (w == 8 && js == 4) {
    // contiguous rows (B not transposed)
    for (; k < kc; k++) {
      if (ASC_FEATURE_SIMD) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      } else {
        store<u64>(dst, load<u64>(src));
        store<u64>(dst, load<u64>(src, 8), 8);
        store<u64>(dst, load<u64>(src, 16), 16);
        store<u64>(dst, load<u64>(src, 24), 24);
      }
      src += ks;
      dst += 32;
    }
    return;
  }
  if (ASC_FEATURE_SIMD && ks == 4 && w > 1) {
    // contiguous columns (B transposed): two 4x4 transposes per 4 k; missing columns read as zeros
    const z = f32x4.splat(0);
    for (; k + 4 <= kc; k += 4) {
      let p = src;
      let r0 = v128.load(p), r1 = z, r2 = z, r3 = z, r4 = z, r5 = z, r6 = z, r7 = z;
      p += js;
      if (w > 1) r1 = v128.load(p);
      p += js;
      if (w > 2) r2 = v128.load(p);
      p += js;
      if (w > 3) r3 = v128.load(p);
      p += js;
      if (w > 4) r4 = v128.load(p);
      p += js;
      if (w > 5) r5 = v128.load(p);
      p += js;
      if (w > 6) r6 = v128.load(p);
      p += js;
      if (w > 7) r7 = v128.load(p);
      let t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
      let t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
      let t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
      let t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
      v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5), 0);
      v128.store(dst, f32x4.shuffle(t0, t2, 2, 3, 6, 7), 32);
      v128.store(dst, f32x4.shuffle(t1, t3, 0, 1, 4, 5), 64);
      v128.store(dst, f32x4.shuffle(t1, t3, 2, 3, 6, 7), 96);
      t0 = f32x4.shuffle(r4, r5, 0, 4, 1, 5);
      t1 = f32x4.shuffle(r4, r5, 2, 6, 3, 7);
      t2 = f32x4.shuffle(r6, r7, 0, 4, 1, 5);
      t3 = f32x4.shuffle(r6, r7, 2, 6, 3, 7);
      v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5), 16);
      v128.store(dst, f32x4.shuffle(t0, t2, 2, 3, 6, 7), 48);
      v128.store(dst, f32x4.shuffle(t1, t3, 0, 1, 4, 5), 80);
      v128.store(dst, f32x4.shuffle(t1, t3, 2, 3, 6, 7), 112);
      src += 16;
      dst += 128;
    }
  }
  for (; k < kc; k++) {
    let j = 0;
    let p = src;
    for (; j < w; j++) {
      store<f32>(dst + (<usize>j << 2), load<f32>(p));
      p += js;
    }
    for (; j < 8; j++) store<f32>(dst + (<usize>j << 2), 0);
    src += ks;
    dst += 32;
  }
}

function pack4(src: usize, ks: usize, js: usize, kc: i32, w: i32, dst: usize): void {
  let k = 0;
  if (w == 4 && js == 4) {
    // contiguous rows (A transposed)
    for (; k < kc; k++) {
      if (ASC_FEATURE_SIMD) {
        v128.store(dst, v128.load(src));
      } else {
        store<u64>(dst, load<u64>(src));
        store<u64>(dst, load<u64>(src, 8), 8);
      }
      src += ks;
      dst += 16;
    }
    return;
  }
  if (ASC_FEATURE_SIMD && ks == 4 && w > 1) {
    // contiguous columns (A not transposed): one 4x4 transpose per 4 k; missing rows read as zeros
    const z = f32x4.splat(0);
    for (; k + 4 <= kc; k += 4) {
      let p = src;
      let r0 = v128.load(p), r1 = z, r2 = z, r3 = z;
      p += js;
      if (w > 1) r1 = v128.load(p);
      p += js;
      if (w > 2) r2 = v128.load(p);
      p += js;
      if (w > 3) r3 = v128.load(p);
      const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
      const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
      const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
      const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
      v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5), 0);
      v128.store(dst, f32x4.shuffle(t0, t2, 2, 3, 6, 7), 16);
      v128.store(dst, f32x4.shuffle(t1, t3, 0, 1, 4, 5), 32);
      v128.store(dst, f32x4.shuffle(t1, t3, 2, 3, 6, 7), 48);
      src += 16;
      dst += 64;
    }
  }
  for (; k < kc; k++) {
    let j = 0;
    let p = src;
    for (; j < w; j++) {
      store<f32>(dst + (<usize>j << 2), load<f32>(p));
      p += js;
    }
    for (; j < 4; j++) store<f32>(dst + (<usize>j << 2), 0);
    src += ks;
    dst += 16;
  }
}

/** Packs `ns` full 8-column strips of a row-major kc x (8*ns) panel, sweeping each source row left to
 *  right (sequential reads that the hardware prefetcher follows, unlike one strip at a time). */
function packRows8(src: usize, ks: usize, kc: i32, ns: i32, dst: usize): void {
  const sstride = <usize>kc << 5;
  for (let k = 0; k < kc; k++) {
    let p = src;
    let d = dst;
    for (let s = 0; s < ns; s++) {
      if (ASC_FEATURE_SIMD) {
        v128.store(d, v128.load(p));
        v128.store(d, v128.load(p, 16), 16);
      } else {
        store<u64>(d, load<u64>(p));
        store<u64>(d, load<u64>(p, 8), 8);
        store<u64>(d, load<u64>(p, 16), 16);
        store<u64>(d, load<u64>(p, 24), 24);
      }
      p += 32;
      d += sstride;
    }
    src += ks;
    dst += 32;
  }
}

/** Packs op(B)[0:kc, 0:nc] (element (k,j) at src + k*ks + j*js) into ceil(nc/8) strips of kc x 8. */
function packB(src: usize, ks: usize, js: usize, kc: i32, nc: i32, dst: usize): void {
  let j = 0;
  if (js == 4) {
    j = nc & ~7;
    packRows8(src, ks, kc, j >> 3, dst);
  }
  for (; j < nc; j += NR) {
    pack8(src + <usize>j * js, ks, js, kc, imin(NR, nc - j), dst + (<usize>(j * kc) << 2));
  }
}

/** packRows8 for 4-wide strips (transposed A: rows of the stored K x M matrix are contiguous). */
function packRows4(src: usize, ks: usize, kc: i32, ns: i32, dst: usize): void {
  const sstride = <usize>kc << 4;
  for (let k = 0; k < kc; k++) {
    let p = src;
    let d = dst;
    for (let s = 0; s < ns; s++) {
      if (ASC_FEATURE_SIMD) {
        v128.store(d, v128.load(p));
      } else {
        store<u64>(d, load<u64>(p));
        store<u64>(d, load<u64>(p, 8), 8);
      }
      p += 16;
      d += sstride;
    }
    src += ks;
    dst += 16;
  }
}

/** Packs op(A)[0:mc, 0:kc] (element (i,k) at src + i*is + k*ks) into ceil(mc/4) strips of kc x 4. */
function packA(src: usize, is: usize, ks: usize, mc: i32, kc: i32, dst: usize): void {
  let i = 0;
  if (is == 4) {
    i = mc & ~3;
    packRows4(src, ks, kc, i >> 2, dst);
  }
  for (; i < mc; i += MR) {
    pack4(src + <usize>i * is, ks, is, kc, imin(MR, mc - i), dst + (<usize>(i * kc) << 2));
  }
}

// ---------------------------------------------------------------------------------------------
// Micro-kernel: the 4x8 tile C[0:mr, 0:nr] (mr <= 4, nr <= 8) at c from packed strips pa (kc x 4)
// and pb (kc x 8).

/** Writes the valid mr x nr part of the 4x8 tile at `tile` (row stride 8 floats) into C. */
function storePartial(tile: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32): void {
  const ldcb = <usize>ldc << 2;
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const p = c + (<usize>j << 2);
      const v = alpha * load<f32>(tile + (<usize>j << 2));
      if (beta == 0) store<f32>(p, v);
      else if (beta == 1) store<f32>(p, v + load<f32>(p));
      else store<f32>(p, v + beta * load<f32>(p));
    }
    tile += 32;
    c += ldcb;
  }
}

@inline function kernel4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32, tile: usize): void {
  if (ASC_FEATURE_SIMD) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
    let b0: v128, b1: v128, av: v128;
    // one k per iteration: unrolling (2, 4, 8) measured slower under V8 (longer live ranges spill)
    for (let k = 0; k < kc; k++) {
      b0 = v128.load(pb, 0); b1 = v128.load(pb, 16);
      av = v128.load32_splat(pa, 0);
      c0 = madd(av, b0, c0); c1 = madd(av, b1, c1);
      av = v128.load32_splat(pa, 4);
      c2 = madd(av, b0, c2); c3 = madd(av, b1, c3);
      av = v128.load32_splat(pa, 8);
      c4 = madd(av, b0, c4); c5 = madd(av, b1, c5);
      av = v128.load32_splat(pa, 12);
      c6 = madd(av, b0, c6); c7 = madd(av, b1, c7);
      pa += 16;
      pb += 32;
    }
    if (mr == 4 && nr == 8) {
      if (alpha != 1) {
        const va = f32x4.splat(alpha);
        c0 = f32x4.mul(va, c0); c1 = f32x4.mul(va, c1); c2 = f32x4.mul(va, c2); c3 = f32x4.mul(va, c3);
        c4 = f32x4.mul(va, c4); c5 = f32x4.mul(va, c5); c6 = f32x4.mul(va, c6); c7 = f32x4.mul(va, c7);
      }
      const ldcb = <usize>ldc << 2;
      const c0p = c, c1p = c + ldcb, c2p = c1p + ldcb, c3p = c2p + ldcb;
      if (beta == 0) {
        v128.store(c0p, c0); v128.store(c0p, c1, 16);
        v128.store(c1p, c2); v128.store(c1p, c3, 16);
        v128.store(c2p, c4); v128.store(c2p, c5, 16);
        v128.store(c3p, c6); v128.store(c3p, c7, 16);
      } else if (beta == 1) {
        v128.store(c0p, f32x4.add(c0, v128.load(c0p))); v128.store(c0p, f32x4.add(c1, v128.load(c0p, 16)), 16);
        v128.store(c1p, f32x4.add(c2, v128.load(c1p))); v128.store(c1p, f32x4.add(c3, v128.load(c1p, 16)), 16);
        v128.store(c2p, f32x4.add(c4, v128.load(c2p))); v128.store(c2p, f32x4.add(c5, v128.load(c2p, 16)), 16);
        v128.store(c3p, f32x4.add(c6, v128.load(c3p))); v128.store(c3p, f32x4.add(c7, v128.load(c3p, 16)), 16);
      } else {
        const vb = f32x4.splat(beta);
        v128.store(c0p, f32x4.add(c0, f32x4.mul(vb, v128.load(c0p))));
        v128.store(c0p, f32x4.add(c1, f32x4.mul(vb, v128.load(c0p, 16))), 16);
        v128.store(c1p, f32x4.add(c2, f32x4.mul(vb, v128.load(c1p))));
        v128.store(c1p, f32x4.add(c3, f32x4.mul(vb, v128.load(c1p, 16))), 16);
        v128.store(c2p, f32x4.add(c4, f32x4.mul(vb, v128.load(c2p))));
        v128.store(c2p, f32x4.add(c5, f32x4.mul(vb, v128.load(c2p, 16))), 16);
        v128.store(c3p, f32x4.add(c6, f32x4.mul(vb, v128.load(c3p))));
        v128.store(c3p, f32x4.add(c7, f32x4.mul(vb, v128.load(c3p, 16))), 16);
      }
    } else {
      v128.store(tile, c0, 0); v128.store(tile, c1, 16);
      v128.store(tile, c2, 32); v128.store(tile, c3, 48);
      v128.store(tile, c4, 64); v128.store(tile, c5, 80);
      v128.store(tile, c6, 96); v128.store(tile, c7, 112);
      storePartial(tile, c, ldc, mr, nr, alpha, beta);
    }
  } else {
    // four 2x4 register blocks (8 scalar accumulators each)
    for (let i0 = 0; i0 < mr; i0 += 2) {
      for (let j0 = 0; j0 < nr; j0 += 4) {
        let s00: f32 = 0, s01: f32 = 0, s02: f32 = 0, s03: f32 = 0;
        let s10: f32 = 0, s11: f32 = 0, s12: f32 = 0, s13: f32 = 0;
        let qa = pa + (<usize>i0 << 2);
        let qb = pb + (<usize>j0 << 2);
        for (let k = 0; k < kc; k++) {
          const a0 = load<f32>(qa), a1 = load<f32>(qa, 4);
          const b0 = load<f32>(qb), b1 = load<f32>(qb, 4), b2 = load<f32>(qb, 8), b3 = load<f32>(qb, 12);
          s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
          s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
          qa += 16;
          qb += 32;
        }
        const t = tile + (<usize>(i0 * 8 + j0) << 2);
        store<f32>(t, s00, 0); store<f32>(t, s01, 4); store<f32>(t, s02, 8); store<f32>(t, s03, 12);
        store<f32>(t, s10, 32); store<f32>(t, s11, 36); store<f32>(t, s12, 40); store<f32>(t, s13, 44);
      }
    }
    storePartial(tile, c, ldc, mr, nr, alpha, beta);
  }
}

/** All 4x8 tiles of an mc x nc block of C from packed A (mc x kc) and packed B (kc x nc). */
function macroKernel(mc: i32, nc: i32, kc: i32, alpha: f32, beta: f32, ap: usize, bp: usize, c: usize, ldc: i32, tile: usize): void {
  const rowStep = <usize>ldc << 4; // 4 rows of C
  const aStep = <usize>kc << 4; // one packed A strip
  const bStep = <usize>kc << 5; // one packed B strip
  let pb = bp;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = imin(NR, nc - jr);
    let pa = ap;
    let cp = c + (<usize>jr << 2);
    for (let ir = 0; ir < mc; ir += MR) {
      kernel4x8(kc, pa, pb, cp, ldc, imin(MR, mc - ir), nr, alpha, beta, tile);
      pa += aStep;
      cp += rowStep;
    }
    pb += bStep;
  }
}

// ---------------------------------------------------------------------------------------------
// Thin path (M < THIN or N < THIN): one row (or column) of C at a time, no packing. The 4x8 tiles
// would waste most of their lanes and packing the other operand would cost as much as the
// arithmetic. Each element is still accumulated in increasing k over the same balanced K blocks
// and combined with C exactly as in the blocked path, so results do not depend on the path.

/** Writes acc[0:n] into C (element j at cp + j*cs): C = alpha*acc + beta*C (beta = 0: not read). */
function combine(n: i32, acc: usize, cp: usize, cs: usize, alpha: f32, beta: f32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD && cs == 4) {
    const va = f32x4.splat(alpha), vb = f32x4.splat(beta);
    for (; j + 4 <= n; j += 4) {
      let v = v128.load(acc);
      if (alpha != 1) v = f32x4.mul(va, v);
      if (beta == 1) v = f32x4.add(v, v128.load(cp));
      else if (beta != 0) v = f32x4.add(v, f32x4.mul(vb, v128.load(cp)));
      v128.store(cp, v);
      acc += 16;
      cp += 16;
    }
  }
  for (; j < n; j++) {
    const v = alpha * load<f32>(acc);
    if (beta == 0) store<f32>(cp, v);
    else if (beta == 1) store<f32>(cp, v + load<f32>(cp));
    else store<f32>(cp, v + beta * load<f32>(cp));
    acc += 4;
    cp += cs;
  }
}

/**
 * acc[j] = sum_{k < kc} x_k * Y[k, j] for j < n, in increasing k, with x_k at x + k*xs and Y[k, j] at
 * y + k*ys + 4j (rows of Y contiguous): streams Y row by row, four rows per pass over acc.
 */
function axpyRows(n: i32, kc: i32, x: usize, xs: usize, y: usize, ys: usize, acc: usize): void {
  memory.fill(acc, 0, <usize>n << 2);
  let k = 0;
  for (; k + 4 <= kc; k += 4) {
    const x0 = load<f32>(x), x1 = load<f32>(x + xs), x2 = load<f32>(x + 2 * xs), x3 = load<f32>(x + 3 * xs);
    const y0 = y, y1 = y + ys, y2 = y1 + ys, y3 = y2 + ys;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const v0 = f32x4.splat(x0), v1 = f32x4.splat(x1), v2 = f32x4.splat(x2), v3 = f32x4.splat(x3);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        let v = v128.load(acc + o);
        v = madd(v0, v128.load(y0 + o), v);
        v = madd(v1, v128.load(y1 + o), v);
        v = madd(v2, v128.load(y2 + o), v);
        v = madd(v3, v128.load(y3 + o), v);
        v128.store(acc + o, v);
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      let s = load<f32>(acc + o);
      s = maddf(x0, load<f32>(y0 + o), s);
      s = maddf(x1, load<f32>(y1 + o), s);
      s = maddf(x2, load<f32>(y2 + o), s);
      s = maddf(x3, load<f32>(y3 + o), s);
      store<f32>(acc + o, s);
    }
    x += xs << 2;
    y += ys << 2;
  }
  for (; k < kc; k++) {
    const x0 = load<f32>(x);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const v0 = f32x4.splat(x0);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(acc + o, madd(v0, v128.load(y + o), v128.load(acc + o)));
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(acc + o, maddf(x0, load<f32>(y + o), load<f32>(acc + o)));
    }
    x += xs;
    y += ys;
  }
}

/**
 * C[j] = alpha * sum_{k < kc} x_k * Y[k, j] + beta * C[j] for j < n, in increasing k, with x_k at
 * x + k*xs, Y[k, j] at y + j*yjs + 4k (columns of Y contiguous) and C[j] at cp + j*cs. SIMD: eight
 * columns at a time, 4x4 shuffles turn four k of eight columns into k-major vectors.
 */
function dotCols(n: i32, kc: i32, x: usize, xs: usize, y: usize, yjs: usize, cp: usize, cs: usize, alpha: f32, beta: f32, tile: usize): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 8 <= n; j += 8) {
      let lo = f32x4.splat(0), hi = f32x4.splat(0);
      let px = x;
      let py = y;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        let p = py;
        const r0 = v128.load(p); p += yjs;
        const r1 = v128.load(p); p += yjs;
        const r2 = v128.load(p); p += yjs;
        const r3 = v128.load(p); p += yjs;
        const r4 = v128.load(p); p += yjs;
        const r5 = v128.load(p); p += yjs;
        const r6 = v128.load(p); p += yjs;
        const r7 = v128.load(p);
        const x0 = v128.load32_splat(px); px += xs;
        const x1 = v128.load32_splat(px); px += xs;
        const x2 = v128.load32_splat(px); px += xs;
        const x3 = v128.load32_splat(px); px += xs;
        let t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
        let t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
        let t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
        let t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
        let u0 = f32x4.shuffle(r4, r5, 0, 4, 1, 5);
        let u1 = f32x4.shuffle(r4, r5, 2, 6, 3, 7);
        let u2 = f32x4.shuffle(r6, r7, 0, 4, 1, 5);
        let u3 = f32x4.shuffle(r6, r7, 2, 6, 3, 7);
        lo = madd(x0, f32x4.shuffle(t0, t2, 0, 1, 4, 5), lo);
        hi = madd(x0, f32x4.shuffle(u0, u2, 0, 1, 4, 5), hi);
        lo = madd(x1, f32x4.shuffle(t0, t2, 2, 3, 6, 7), lo);
        hi = madd(x1, f32x4.shuffle(u0, u2, 2, 3, 6, 7), hi);
        lo = madd(x2, f32x4.shuffle(t1, t3, 0, 1, 4, 5), lo);
        hi = madd(x2, f32x4.shuffle(u1, u3, 0, 1, 4, 5), hi);
        lo = madd(x3, f32x4.shuffle(t1, t3, 2, 3, 6, 7), lo);
        hi = madd(x3, f32x4.shuffle(u1, u3, 2, 3, 6, 7), hi);
        py += 16;
      }
      v128.store(tile, lo);
      v128.store(tile, hi, 16);
      // remaining k (fewer than 4), element by element in the same order
      for (; k < kc; k++) {
        const xv = load<f32>(px);
        let p = py;
        for (let jj = 0; jj < 8; jj++) {
          const q = tile + (<usize>jj << 2);
          store<f32>(q, maddf(xv, load<f32>(p), load<f32>(q)));
          p += yjs;
        }
        px += xs;
        py += 4;
      }
      combine(8, tile, cp, cs, alpha, beta);
      y += yjs << 3;
      cp += cs << 3;
    }
    if (j + 4 <= n) {
      // four columns: one transpose per four k
      let lo = f32x4.splat(0);
      let px = x;
      let py = y;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        let p = py;
        const r0 = v128.load(p); p += yjs;
        const r1 = v128.load(p); p += yjs;
        const r2 = v128.load(p); p += yjs;
        const r3 = v128.load(p);
        const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
        const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
        const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
        lo = madd(v128.load32_splat(px), f32x4.shuffle(t0, t2, 0, 1, 4, 5), lo); px += xs;
        lo = madd(v128.load32_splat(px), f32x4.shuffle(t0, t2, 2, 3, 6, 7), lo); px += xs;
        lo = madd(v128.load32_splat(px), f32x4.shuffle(t1, t3, 0, 1, 4, 5), lo); px += xs;
        lo = madd(v128.load32_splat(px), f32x4.shuffle(t1, t3, 2, 3, 6, 7), lo); px += xs;
        py += 16;
      }
      v128.store(tile, lo);
      for (; k < kc; k++) {
        const xv = load<f32>(px);
        let p = py;
        for (let jj = 0; jj < 4; jj++) {
          const q = tile + (<usize>jj << 2);
          store<f32>(q, maddf(xv, load<f32>(p), load<f32>(q)));
          p += yjs;
        }
        px += xs;
        py += 4;
      }
      combine(4, tile, cp, cs, alpha, beta);
      y += yjs << 2;
      cp += cs << 2;
      j += 4;
    }
  }
  for (; j < n; j++) {
    let s: f32 = 0;
    let px = x;
    let py = y;
    for (let k = 0; k < kc; k++) {
      s = maddf(load<f32>(px), load<f32>(py), s);
      px += xs;
      py += 4;
    }
    store<f32>(tile, s);
    combine(1, tile, cp, cs, alpha, beta);
    y += yjs;
    cp += cs;
  }
}

/**
 * One output vector: C[j] (at cp + j*cs) = alpha * sum_k x_k Y[k, j] + beta*C[j] for j < n, k < K,
 * with x_k at x + k*xs and Y[k, j] at y + k*yks + j*yjs (one of yks, yjs is 4), over balanced K
 * blocks like the blocked path.
 */
function thinVector(n: i32, K: i32, x: usize, xs: usize, y: usize, yks: usize, yjs: usize, cp: usize, cs: usize, alpha: f32, beta: f32, work: usize): void {
  const kcB = blockK(K);
  const tile = work, acc = work + TILE_BYTES;
  if (yjs == 4) {
    for (let j0 = 0; j0 < n; j0 += THIN_CHUNK) {
      const nn = imin(THIN_CHUNK, n - j0);
      for (let pc = 0; pc < K; pc += kcB) {
        const kc = imin(kcB, K - pc);
        axpyRows(nn, kc, x + <usize>pc * xs, xs, y + <usize>pc * yks + (<usize>j0 << 2), yks, acc);
        combine(nn, acc, cp + <usize>j0 * cs, cs, alpha, pc == 0 ? beta : 1);
      }
    }
  } else {
    for (let pc = 0; pc < K; pc += kcB) {
      const kc = imin(kcB, K - pc);
      dotCols(n, kc, x + <usize>pc * xs, xs, y + <usize>pc * yks, yjs, cp, cs, alpha, pc == 0 ? beta : 1, tile);
    }
  }
}

/** C = beta*C (beta = 0 writes zeros without reading). */
function scaleC(M: i32, N: i32, beta: f32, c: usize, ldc: i32): void {
  if (beta == 1) return;
  const ldcb = <usize>ldc << 2;
  for (let i = 0; i < M; i++) {
    if (beta == 0) memory.fill(c, 0, <usize>N << 2);
    else for (let j = 0; j < N; j++) {
      const p = c + (<usize>j << 2);
      store<f32>(p, beta * load<f32>(p));
    }
    c += ldcb;
  }
}

export function gemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0) {
    scaleC(M, N, beta, c, ldc);
    return;
  }
  // byte strides of op(A) along i and k, and of op(B) along k and j
  const ldaB = <usize>lda << 2, ldbB = <usize>ldb << 2, ldcB = <usize>ldc << 2;
  const aIs: usize = transA ? 4 : ldaB;
  const aKs: usize = transA ? ldaB : 4;
  const bKs: usize = transB ? 4 : ldbB;
  const bJs: usize = transB ? ldbB : 4;
  // thin path: rows of C when M is small, columns when N is small (the dot-product form, needed when
  // the long operand is not contiguous along the output, only below 3: at 3 the blocked path wins)
  if (M < (bJs == 4 ? THIN : THIN - 1)) {
    // each row of C: x = op(A)[i, :], Y = op(B)
    for (let i = 0; i < M; i++) {
      thinVector(N, K, a + <usize>i * aIs, aKs, b, bKs, bJs, c + <usize>i * ldcB, 4, alpha, beta, work);
    }
    return;
  }
  if (N < (aIs == 4 ? THIN : THIN - 1)) {
    // each column of C: x = op(B)[:, j], Y[k, i] = op(A)[i, k]
    for (let j = 0; j < N; j++) {
      thinVector(M, K, b + <usize>j * bJs, bKs, a, aKs, aIs, c + (<usize>j << 2), ldcB, alpha, beta, work);
    }
    return;
  }
  const kcB = blockK(K), mcB = blockM(M);
  const tile = work;
  const ap = work + TILE_BYTES;
  const bp = ap + <usize>align64(mcB * kcB * 4);
  if (mcB >= M) {
    // One row block: A is packed once per depth block, B one NC1-column chunk at a time.
    for (let pc = 0; pc < K; pc += kcB) {
      const kc = imin(kcB, K - pc);
      const bt: f32 = pc == 0 ? beta : 1;
      packA(a + <usize>pc * aKs, aIs, aKs, M, kc, ap);
      const ncB = blockN1(M, kcB);
      for (let jc = 0; jc < N; jc += ncB) {
        const nc = imin(ncB, N - jc);
        packB(b + <usize>pc * bKs + <usize>jc * bJs, bKs, bJs, kc, nc, bp);
        macroKernel(M, nc, kc, alpha, bt, ap, bp, c + (<usize>jc << 2), ldc, tile);
      }
    }
    return;
  }
  const ncB = blockN(N);
  for (let jc = 0; jc < N; jc += ncB) {
    const nc = imin(ncB, N - jc);
    for (let pc = 0; pc < K; pc += kcB) {
      const kc = imin(kcB, K - pc);
      const bt: f32 = pc == 0 ? beta : 1;
      packB(b + <usize>pc * bKs + <usize>jc * bJs, bKs, bJs, kc, nc, bp);
      for (let ic = 0; ic < M; ic += mcB) {
        const mc = imin(mcB, M - ic);
        packA(a + <usize>ic * aIs + <usize>pc * aKs, aIs, aKs, mc, kc, ap);
        macroKernel(mc, nc, kc, alpha, bt, ap, bp, c + <usize>ic * ldcB + (<usize>jc << 2), ldc, tile);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Prepacked A (conv1d Winograd: the same transformed weights multiply every chunk of columns).
// gemmPackA packs op(A) (M x K) once in the blocked path's layout; gemmPrepackedA then computes
// C = alpha·op(A)·B + beta·C exactly as gemm (same blocks, same micro-kernel, so the same bits) without
// repacking A. Only for shapes gemm computes in one row block and one depth block on the blocked path:
// gemmPackASize returns 0 otherwise (and the caller uses gemm).

/** Floats·4 of the packed A for an M x K op(A), or 0 when gemmPrepackedA does not apply (M < 4, M > MC, K > KC). */
export function gemmPackASize(M: i32, K: i32): i32 {
  if (M < THIN || M > MC || K <= 0 || K > KC) return 0;
  return roundUp(M, MR) * K * 4;
}

/** Packs op(A) (M x K; A stored M x K when transA = 0, K x M when 1) into ap (gemmPackASize bytes). */
export function gemmPackA(transA: i32, M: i32, K: i32, a: usize, lda: i32, ap: usize): void {
  const ldaB = <usize>lda << 2;
  packA(a, transA ? 4 : ldaB, transA ? ldaB : 4, M, K, ap);
}

/** gemm(transA, 0, M, N, K, alpha, A, ..., B, ldb, beta, C, ldc, work) with A already packed by gemmPackA. N >= 4. */
export function gemmPrepackedA(M: i32, N: i32, K: i32, alpha: f32, ap: usize, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, work: usize): void {
  if (M <= 0 || N <= 0) return;
  if (alpha == 0) {
    scaleC(M, N, beta, c, ldc);
    return;
  }
  const tile = work;
  const bp = work + TILE_BYTES + <usize>align64(blockM(M) * blockK(K) * 4);
  const bKs = <usize>ldb << 2;
  const ncB = blockN1(M, K);
  for (let jc = 0; jc < N; jc += ncB) {
    const nc = imin(ncB, N - jc);
    packB(b + (<usize>jc << 2), bKs, 4, K, nc, bp);
    macroKernel(M, nc, K, alpha, beta, ap, bp, c + (<usize>jc << 2), ldc, tile);
  }
}

// ---------------------------------------------------------------------------------------------
// A packed whole (the kernel threads' column split: every chunk of C's columns multiplies the same
// A, so it is packed once for the call instead of once per chunk). gemmPackWholeA packs op(A) (M x K,
// any M >= 4, any K) as the blocked path's panels, row block after row block: for each row block ic
// (mc rows, mcB = blockM(M)), for each depth block pc (kc, kcB = blockK(K)), the mc x kc panel of
// 4-row strips (roundUp(mc, 4) * kc floats); the row block's panels together take roundUp(mc, 4) * K
// floats. gemmWholeA then computes C = alpha·op(A)·op(B) + beta·C with the same K blocks, the same
// micro-kernel and the same epilogue as gemm, so the same bits (a C element's sum does not depend on
// the column or row blocking, only on the K blocks), for N >= 1 (a chunk narrower than 4 columns is
// computed on 8-column strips padded with zeros, which the thin path's bits equal). Threads builds only:
// the other builds compile these entry points to stubs (size 0, no-ops), so their binaries do not grow.

/** Bytes of op(A) packed whole (M x K), or 0 when M < 4 (gemm's thin path: nothing to pack). */
export function gemmWholeASize(M: i32, K: i32): i32 {
  if (!ASC_FEATURE_THREADS || M < THIN || K <= 0) return 0;
  return roundUp(M, MR) * K * 4;
}

/** Packs op(A) (M x K; A stored M x K when transA = 0, K x M when 1) whole into ap (gemmWholeASize bytes). */
export function gemmPackWholeA(transA: i32, M: i32, K: i32, a: usize, lda: i32, ap: usize): void {
  if (!ASC_FEATURE_THREADS) return;
  const ldaB = <usize>lda << 2;
  const aIs: usize = transA ? 4 : ldaB, aKs: usize = transA ? ldaB : 4;
  const kcB = blockK(K), mcB = blockM(M);
  for (let ic = 0; ic < M; ic += mcB) {
    const mc = imin(mcB, M - ic), rows = roundUp(mc, MR);
    for (let pc = 0; pc < K; pc += kcB) {
      const kc = imin(kcB, K - pc);
      packA(a + <usize>ic * aIs + <usize>pc * aKs, aIs, aKs, mc, kc, ap + (<usize>(ic * K + rows * pc) << 2));
    }
  }
}

/**
 * gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, work) with op(A) packed whole by
 * gemmPackWholeA (M >= 4; work: gemmWorkSize(M, N, K) bytes).
 */
export function gemmWholeA(transB: i32, M: i32, N: i32, K: i32, alpha: f32, ap: usize, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, work: usize): void {
  if (!ASC_FEATURE_THREADS) return;
  blockedWhole(0, transB, M, N, K, alpha, 0, 0, ap, b, ldb, 0, beta, c, ldc, work);
}

/**
 * The blocked loops of gemm with op(A) (ap != 0) or op(B) (bp != 0) already packed whole (gemmPackWholeA /
 * gemmPackWholeB layouts); the other operand is packed here, one panel at a time, into work.
 */
function blockedWhole(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  a: usize, lda: i32, ap: usize, b: usize, ldb: i32, bp: usize, beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0) {
    scaleC(M, N, beta, c, ldc);
    return;
  }
  const ldaB = <usize>lda << 2, ldbB = <usize>ldb << 2, ldcB = <usize>ldc << 2;
  const aIs: usize = transA ? 4 : ldaB, aKs: usize = transA ? ldaB : 4;
  const bKs: usize = transB ? 4 : ldbB, bJs: usize = transB ? ldbB : 4;
  const kcB = blockK(K), mcB = blockM(M);
  // column blocks: the whole packing's when B is packed whole, else those gemmWorkSize's B panel holds
  const ncB = bp || mcB < M ? blockN(N) : imin(blockN1(M, kcB), roundUp(N, NR));
  const tile = work;
  const aPanel = work + TILE_BYTES;
  const bPanel = aPanel + <usize>align64(mcB * kcB * 4);
  for (let jc = 0; jc < N; jc += ncB) {
    const nc = imin(ncB, N - jc), cols = roundUp(nc, NR);
    for (let pc = 0; pc < K; pc += kcB) {
      const kc = imin(kcB, K - pc);
      const bt: f32 = pc == 0 ? beta : 1;
      let bq = bPanel;
      if (bp) bq = bp + (<usize>(jc * K + cols * pc) << 2);
      else packB(b + <usize>pc * bKs + <usize>jc * bJs, bKs, bJs, kc, nc, bPanel);
      for (let ic = 0; ic < M; ic += mcB) {
        const mc = imin(mcB, M - ic);
        let aq = aPanel;
        if (ap) aq = ap + (<usize>(ic * K + roundUp(mc, MR) * pc) << 2);
        else packA(a + <usize>ic * aIs + <usize>pc * aKs, aIs, aKs, mc, kc, aPanel);
        macroKernel(mc, nc, kc, alpha, bt, aq, bq, c + <usize>ic * ldcB + (<usize>jc << 2), ldc, tile);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// B packed whole (the kernel threads' row split: every chunk of C's rows multiplies the same B, e.g.
// the LSTM weight gradients' 11,968 x 64 operand, so it is packed once for the call instead of once per
// chunk). gemmPackWholeB packs op(B) (K x N, any N >= 4, any K) as the general path's panels, column
// block after column block: for each column block jc (nc columns, ncB = blockN(N)), for each depth block
// pc (kc, kcB = blockK(K)), the kc x nc panel of 8-column strips (roundUp(nc, 8) * kc floats); a column
// block's panels together take roundUp(nc, 8) * K floats. gemmWholeB then computes C = alpha·op(A)·op(B)
// + beta·C with the same K blocks, micro-kernel and epilogue as gemm, so the same bits (a C element's sum
// depends only on the K blocks), for any M >= 1. Threads builds only, as gemmWholeA.

/** Bytes of op(B) packed whole (K x N), or 0 when N < 4 (gemm's thin path: nothing to pack). */
export function gemmWholeBSize(N: i32, K: i32): i32 {
  if (!ASC_FEATURE_THREADS || N < THIN || K <= 0) return 0;
  return roundUp(N, NR) * K * 4;
}

/** Packs op(B) (K x N; B stored K x N when transB = 0, N x K when 1) whole into bp (gemmWholeBSize bytes). */
export function gemmPackWholeB(transB: i32, N: i32, K: i32, b: usize, ldb: i32, bp: usize): void {
  if (!ASC_FEATURE_THREADS) return;
  const ldbB = <usize>ldb << 2;
  const bKs: usize = transB ? 4 : ldbB, bJs: usize = transB ? ldbB : 4;
  const kcB = blockK(K), ncB = blockN(N);
  for (let jc = 0; jc < N; jc += ncB) {
    const nc = imin(ncB, N - jc), cols = roundUp(nc, NR);
    for (let pc = 0; pc < K; pc += kcB) {
      const kc = imin(kcB, K - pc);
      packB(b + <usize>pc * bKs + <usize>jc * bJs, bKs, bJs, kc, nc, bp + (<usize>(jc * K + cols * pc) << 2));
    }
  }
}

/**
 * gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, work) with op(B) packed whole by
 * gemmPackWholeB (N >= 4; work: gemmWorkSize(M, N, K) bytes).
 */
export function gemmWholeB(transA: i32, M: i32, N: i32, K: i32, alpha: f32, a: usize, lda: i32, bp: usize, beta: f32, c: usize, ldc: i32, work: usize): void {
  if (!ASC_FEATURE_THREADS) return;
  blockedWhole(transA, 0, M, N, K, alpha, a, lda, 0, 0, 0, bp, beta, c, ldc, work);
}
