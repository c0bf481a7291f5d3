// Recurrent layers (LSTM, GRU): one direction of one layer per call, the whole time loop inside wasm,
// the recurrent matrix product fused with the cell (no per-step packing, no gate round trip).
//
// Layout ("feature-major"): every sequence buffer is [F, T, Bp] f32 row-major: feature f, time t,
// batch b at ((f·T + t)·Bp + b)·4 bytes, with the batch padded to Bp = a multiple of 8 (the host zero-
// fills padded columns of every input; they then carry finite values forward and exact zeros backward).
// State buffers are [H, Bp] (unit-major). H hidden units, G gate rows: G = 4H for LSTM (gate rows
// i, f, g, o as PyTorch), 3H for GRU (r, z, n). W_ih [G, I] and W_hh [G, H] are PyTorch's layouts.
//   x    [I, T, Bp]  the layer input (layer 0: the transposed batch; above: the layer below's ys).
//   bias [4H]        per tile row: LSTM b_ih + b_hh per gate (i, f, g, o); GRU [b_ir + b_hr,
//                    b_iz + b_hz, b_hn, b_in] (zeros without bias).
//   gates [G, T, Bp] written: the activated gates (LSTM i, f, g, o; GRU r, z, n), saved for the backward.
//   ys   [H, T, Bp]  h_t (the direction's slice of the layer output, also the next layer's input).
//   cs   [H, T, Bp]  LSTM: c_t.       ms [H, T, Bp]  GRU: m_t = W_hn·h_{t−1} + b_hn.
//   dy   [H, T, Bp]  output gradient (0 = none); da/dg/dhg [G, T, Bp] pre-activation gradients.
// `reverse` = 1 runs t = T−1 .. 0; "previous step" then means t + 1. `pk` is rnnScratchSize(H, I, Bp,
// 4 or 3) floats of scratch (packed weights + two contiguous [G, Bp] step buffers); `tile` is 128 bytes.
//
// Per step the gate pre-activations are computed in 4x8 tiles (4 rows x 8 batch columns) by a
// micro-kernel reading weights packed once per call and the previous step's state (forward: h,
// backward: da or dhg) from a contiguous [F, Bp] copy the cell wrote (double-buffered), so nothing is
// packed per step and no pre-activation ever goes to memory; the tile goes straight into the cell.
// Forward tiles: the 4 rows of one unit (LSTM i, f, g, o; GRU r, z, W_hn·h, W_in·x) x 8 batch entries,
// depth H over h_{t−1} (W_hh) then depth I over x_t (W_ih): the input projection is fused too.
// Backward tiles: 4 units x 8 batch entries of W_hhᵀ·da_{t+1} (depth G). Sums start from 0 and run over
// increasing depth (h part, then x part), one rounded multiply then one rounded add per term; the cell
// then adds the row bias. The scalar build follows the same order, so both builds agree bit for bit.
// (The relaxed-SIMD build accumulates tile4x8's products with f32x4.relaxed_madd, assembly/fma.ts: same
// order, one rounding per term where the CPU fuses.)
//
// Math (σ = sigmoid; simd-math.ts vsigmoid/vtanh and their bit-identical scalar forms):
// LSTM forward: a_q = (W_hh,q·h_{t−1} + W_ih,q·x_t) + bias_q; i = σ(a_i), f = σ(a_f), g = tanh(a_g),
//   o = σ(a_o); c_t = f⊙c_{t−1} + i⊙g; h_t = o⊙tanh(c_t).
// LSTM backward, t from last to first: dh = (W_hhᵀ·da_{t+1} or dh_n at the last step) + dy_t;
//   tc = tanh(c_t); dc = dc_rec + (dh⊙o)⊙(1 − tc²); da_i = (dc⊙g)⊙(i(1−i)); da_f = (dc⊙c_{t−1})⊙(f(1−f));
//   da_g = (dc⊙i)⊙(1 − g²); da_o = (dh⊙tc)⊙(o(1−o)); dc_rec = dc⊙f. dh0 = W_hhᵀ·da_first, dc0 = dc_rec.
// GRU forward (PyTorch): r = σ((W_hr·h + W_ir·x) + b_r), z = σ((W_hz·h + W_iz·x) + b_z),
//   m = W_hn·h + b_hn, n = tanh((W_in·x + b_in) + r⊙m), h_t = (h_{t−1} − n)⊙z + n.
// GRU backward: dh = (W_hhᵀ·dhg_{t+1} + dd_{t+1}, or dh_n at the last step) + dy_t;
//   da_n = (dh⊙(1−z))⊙(1−n²); da_r = (da_n⊙m)⊙(r(1−r)); da_z = (dh⊙(h_{t−1}−n))⊙(z(1−z));
//   dg = [da_r, da_z, da_n] (input side), dhg = [da_r, da_z, da_n⊙r] (recurrent side); dd_t = dh⊙z.
//   dh0 = W_hhᵀ·dhg_first + dd_first.
// Every backward value written (da, dg, dhg, dc_rec, dd) with |v| < 2^−100 is flushed to 0: gradients
// that decay through time would otherwise reach the subnormal range, where x86 arithmetic is ~100x
// slower. (NaN is kept.) The host computes the weight gradients afterwards as single GEMMs over all
// T·Bp columns (dW_hh = dhg·h_prevᵀ, dW_ih = dg·xᵀ) and the bias gradients as row sums.
import { vsigmoid, vtanh, ssigmoid, stanh } from './simd-math';
import { madd } from './fma';

// @ts-ignore: decorator
@inline const TINY: f32 = 7.888609052210118e-31; // 2^-100

// @ts-ignore: decorator
@inline function at(base: usize, f: i32, t: i32, T: i32, Bp: i32, b: i32): usize {
  return base + ((((<usize>f * <usize>T + <usize>t) * <usize>Bp) + <usize>b) << 2);
}

// @ts-ignore: decorator
@inline function vflush(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), f32x4.splat(TINY)));
}
// @ts-ignore: decorator
@inline function sflush(v: f32): f32 {
  return abs<f32>(v) < TINY ? 0 : v;
}

/**
 * Floats of scratch (`pk`) one LSTM (gates = 4) or GRU (gates = 3) direction with input size I needs:
 * the packed weights (forward: 4·H·(H + I), backward: 4·⌈H/4⌉·G) plus two contiguous [G, Bp] step buffers.
 */
export function rnnScratchSize(H: i32, I: i32, Bp: i32, gates: i32): i32 {
  const fw = 4 * H * (H + I), bw = 4 * ((H + 3) & ~3) * gates * H;
  return (fw > bw ? fw : bw) + 2 * gates * H * Bp;
}

@inline function bufStart(pk: usize, H: i32, I: i32, G: i32): usize {
  const fw = 4 * H * (H + I), bw = 4 * ((H + 3) & ~3) * G;
  return pk + ((<usize>(fw > bw ? fw : bw)) << 2);
}

// @ts-ignore: decorator
@inline function rangeTile(pk: usize, H: i32, I: i32, Bp: i32, gates: i32): usize {
  return pk + ((<usize>rnnScratchSize(H, I, Bp, gates)) << 2);
}

/** dst[u, lo..hi) = src[u, lo..hi) for the H rows of two [H, Bp] matrices. */
function copyColumns(dst: usize, src: usize, H: i32, Bp: i32, lo: i32, hi: i32): void {
  const wb = <usize>(hi - lo) << 2;
  for (let u = 0; u < H; u++) {
    const o = (<usize>(u * Bp + lo)) << 2;
    memory.copy(dst + o, src + o, wb);
  }
}

// ---------------------------------------------------------------------------------------------
// Packing (once per call).

/**
 * Forward: per unit j a strip of depth H + I, 4 floats per depth step (the 4 tile rows):
 * k < H from W_hh, k >= H from W_ih. LSTM rows (i, f, g, o) = W_·[q·H + j]; GRU rows (r, z, n_h, n_x):
 * recurrent part [W_hr, W_hz, W_hn, 0], input part [W_ir, W_iz, 0, W_in] (r⊙ applies to W_hn·h only).
 */
function packForward(H: i32, I: i32, gru: bool, whh: usize, wih: usize, pk: usize): void {
  const D = H + I;
  for (let j = 0; j < H; j++)
    for (let k = 0; k < D; k++) {
      const dst = pk + ((<usize>(j * D + k)) << 4);
      for (let q = 0; q < 4; q++) {
        let v: f32 = 0;
        if (k < H) {
          if (!gru || q < 3) v = load<f32>(whh + ((<usize>((q * H + j) * H + k)) << 2));
        } else {
          const gq = gru && q == 3 ? 2 : q;
          if (!gru || q != 2) v = load<f32>(wih + ((<usize>((gq * H + j) * I + k - H)) << 2));
        }
        store<f32>(dst + (<usize>q << 2), v);
      }
    }
}

/** Backward: strips of 4 units, pk[((s·G) + g)·4 + r] = W[g, 4s + r] (0 past H). */
function packUnits(H: i32, G: i32, w: usize, pk: usize): void {
  for (let s = 0; s * 4 < H; s++)
    for (let g = 0; g < G; g++) {
      const dst = pk + ((<usize>(s * G + g)) << 4);
      for (let r = 0; r < 4; r++) {
        const u = s * 4 + r;
        store<f32>(dst + (<usize>r << 2), u < H ? load<f32>(w + ((<usize>(g * H + u)) << 2)) : 0);
      }
    }
}

// ---------------------------------------------------------------------------------------------
// Micro-kernel: tile[r·8 + c] (+)= Σ_{k<K} a[k·4 + r] · b[k·ldb + c], r < 4, c < 8 (acc = 1 continues
// the sums already in the tile).

function tile4x8(K: i32, a: usize, b: usize, ldb: i32, tile: usize, acc: i32): void {
  const ldbB = <usize>ldb << 2;
  if (ASC_FEATURE_SIMD) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
    if (acc) {
      c0 = v128.load(tile, 0); c1 = v128.load(tile, 16); c2 = v128.load(tile, 32); c3 = v128.load(tile, 48);
      c4 = v128.load(tile, 64); c5 = v128.load(tile, 80); c6 = v128.load(tile, 96); c7 = v128.load(tile, 112);
    }
    for (let k = 0; k < K; k++) {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      let av = v128.load32_splat(a);
      c0 = madd(av, b0, c0); c1 = madd(av, b1, c1);
      av = v128.load32_splat(a, 4);
      c2 = madd(av, b0, c2); c3 = madd(av, b1, c3);
      av = v128.load32_splat(a, 8);
      c4 = madd(av, b0, c4); c5 = madd(av, b1, c5);
      av = v128.load32_splat(a, 12);
      c6 = madd(av, b0, c6); c7 = madd(av, b1, c7);
      a += 16;
      b += ldbB;
    }
    v128.store(tile, c0, 0); v128.store(tile, c1, 16);
    v128.store(tile, c2, 32); v128.store(tile, c3, 48);
    v128.store(tile, c4, 64); v128.store(tile, c5, 80);
    v128.store(tile, c6, 96); v128.store(tile, c7, 112);
  } else {
    if (!acc) memory.fill(tile, 0, 128);
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < 4; r++) {
        const av = load<f32>(a + (<usize>r << 2));
        const tr = tile + (<usize>r << 5);
        for (let c = 0; c < 8; c++) {
          const p = tr + (<usize>c << 2);
          store<f32>(p, load<f32>(p) + av * load<f32>(b + (<usize>c << 2)));
        }
      }
      a += 16;
      b += ldbB;
    }
  }
}

/**
 * Batched 2-D transpose: for p < n, dst_p[c·ldd + r] = src_p[r·lds + c] (r < rows, c < cols), with
 * src_p = src + p·sstep and dst_p = dst + p·dstep (all in floats). Used to move sequences between
 * batch-first [B, T, F] and the kernels' [F, T, Bp] layout (one call per direction of travel).
 */
export function rnnTranspose(n: i32, rows: i32, cols: i32, src: usize, lds: i32, sstep: i32, dst: usize, ldd: i32, dstep: i32): void {
  const ldsB = <usize>lds << 2, lddB = <usize>ldd << 2;
  for (let p = 0; p < n; p++) {
    const sp = src + ((<usize>p * <usize>sstep) << 2), dp = dst + ((<usize>p * <usize>dstep) << 2);
    let r = 0;
    if (ASC_FEATURE_SIMD) {
      for (; r + 4 <= rows; r += 4) {
        let c = 0;
        const s0 = sp + <usize>r * ldsB;
        for (; c + 4 <= cols; c += 4) {
          const q = s0 + (<usize>c << 2);
          const r0 = v128.load(q), r1 = v128.load(q + ldsB), r2 = v128.load(q + 2 * ldsB), r3 = v128.load(q + 3 * ldsB);
          const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
          const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
          const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
          const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
          const d = dp + <usize>c * lddB + (<usize>r << 2);
          v128.store(d, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
          v128.store(d + lddB, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
          v128.store(d + 2 * lddB, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
          v128.store(d + 3 * lddB, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
        }
        for (; c < cols; c++)
          for (let i = 0; i < 4; i++)
            store<f32>(dp + <usize>c * lddB + (<usize>(r + i) << 2), load<f32>(sp + <usize>(r + i) * ldsB + (<usize>c << 2)));
      }
    }
    for (; r < rows; r++)
      for (let c = 0; c < cols; c++)
        store<f32>(dp + <usize>c * lddB + (<usize>r << 2), load<f32>(sp + <usize>r * ldsB + (<usize>c << 2)));
  }
}

// ---------------------------------------------------------------------------------------------
// LSTM

/** LSTM forward of one direction (see header). h0, c0, hn, cn: [H, Bp]. */
export function lstmSeqForward(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, x: usize, wih: usize, whh: usize, bias: usize,
  h0: usize, c0: usize, xg: usize, ys: usize, cs: usize, hn: usize, cn: usize, pk: usize, tile: usize,
): void {
  lstmForward(H, T, Bp, I, reverse, x, wih, whh, bias, h0, c0, xg, ys, cs, hn, cn, pk, tile, 0, Bp);
}

/** lstmSeqForward of the batch columns [lo, hi) (see "Range entry points"). */
export function lstmSeqForwardRange(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, x: usize, wih: usize, whh: usize, bias: usize,
  h0: usize, c0: usize, xg: usize, ys: usize, cs: usize, hn: usize, cn: usize, pk: usize, lo: i32, hi: i32,
): void {
  lstmForward(H, T, Bp, I, reverse, x, wih, whh, bias, h0, c0, xg, ys, cs, hn, cn, pk, rangeTile(pk, H, I, Bp, 4), lo, hi);
}

function lstmForward(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, x: usize, wih: usize, whh: usize, bias: usize,
  h0: usize, c0: usize, xg: usize, ys: usize, cs: usize, hn: usize, cn: usize, pk: usize, tile: usize, lo: i32, hi: i32,
): void {
  if (H <= 0 || T <= 0 || Bp <= 0 || lo >= hi) return;
  packForward(H, I, false, whh, wih, pk);
  const hb0 = bufStart(pk, H, I, 4 * H), hb1 = hb0 + ((<usize>(H * Bp)) << 2);
  let hprev = h0, hcur = hb0;
  const step = reverse ? -1 : 1;
  let t = reverse ? T - 1 : 0;
  for (let s = 0; s < T; s++, t += step) {
    const tp = t - step;
    for (let j = 0; j < H; j++) {
      const apk = pk + ((<usize>(j * (H + I))) << 4);
      const bi = load<f32>(bias + (<usize>j << 2)), bf = load<f32>(bias + (<usize>(H + j) << 2));
      const bg = load<f32>(bias + (<usize>(2 * H + j) << 2)), bo = load<f32>(bias + (<usize>(3 * H + j) << 2));
      for (let b0 = lo; b0 < hi; b0 += 8) {
        tile4x8(H, apk, hprev + (<usize>b0 << 2), Bp, tile, 0);
        tile4x8(I, apk + (<usize>H << 4), at(x, 0, t, T, Bp, b0), T * Bp, tile, 1);
        const hc = hcur + ((<usize>(j * Bp + b0)) << 2);
        const pi = at(xg, j, t, T, Bp, b0), pf = at(xg, H + j, t, T, Bp, b0);
        const pg = at(xg, 2 * H + j, t, T, Bp, b0), po = at(xg, 3 * H + j, t, T, Bp, b0);
        const cp = s == 0 ? c0 + ((<usize>(j * Bp + b0)) << 2) : at(cs, j, tp, T, Bp, b0);
        const cc = at(cs, j, t, T, Bp, b0), hh = at(ys, j, t, T, Bp, b0);
        if (ASC_FEATURE_SIMD) {
          for (let v: usize = 0; v < 32; v += 16) {
            const i = vsigmoid(f32x4.add(v128.load(tile + v), f32x4.splat(bi)));
            const f = vsigmoid(f32x4.add(v128.load(tile + 32 + v), f32x4.splat(bf)));
            const g = vtanh(f32x4.add(v128.load(tile + 64 + v), f32x4.splat(bg)));
            const o = vsigmoid(f32x4.add(v128.load(tile + 96 + v), f32x4.splat(bo)));
            v128.store(pi + v, i); v128.store(pf + v, f); v128.store(pg + v, g); v128.store(po + v, o);
            const c = f32x4.add(f32x4.mul(f, v128.load(cp + v)), f32x4.mul(i, g));
            v128.store(cc + v, c);
            const h = f32x4.mul(o, vtanh(c));
            v128.store(hh + v, h);
            v128.store(hc + v, h);
          }
        } else {
          for (let v: usize = 0; v < 32; v += 4) {
            const i = ssigmoid(load<f32>(tile + v) + bi);
            const f = ssigmoid(load<f32>(tile + 32 + v) + bf);
            const g = stanh(load<f32>(tile + 64 + v) + bg);
            const o = ssigmoid(load<f32>(tile + 96 + v) + bo);
            store<f32>(pi + v, i); store<f32>(pf + v, f); store<f32>(pg + v, g); store<f32>(po + v, o);
            const c = f * load<f32>(cp + v) + i * g;
            store<f32>(cc + v, c);
            const h = o * stanh(c);
            store<f32>(hh + v, h);
            store<f32>(hc + v, h);
          }
        }
      }
    }
    hprev = hcur;
    hcur = hcur == hb0 ? hb1 : hb0;
  }
  const tl = t - step;
  copyColumns(hn, hprev, H, Bp, lo, hi);
  for (let j = 0; j < H; j++) memory.copy(cn + ((<usize>(j * Bp + lo)) << 2), at(cs, j, tl, T, Bp, lo), <usize>(hi - lo) << 2);
}

/**
 * LSTM backward through time of one direction (see header). gates/cs/c0 as left by lstmSeqForward;
 * dy [H, T, Bp] or 0; dhn, dcn [H, Bp]. Writes da [4H, T, Bp], dh0 [H, Bp], dc0 [H, Bp] (dc0 is also
 * the running dc).
 */
export function lstmSeqBackward(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, gates: usize, cs: usize, c0: usize, whh: usize,
  dy: usize, dhn: usize, dcn: usize, da: usize, dh0: usize, dc0: usize, pk: usize, tile: usize,
): void {
  lstmBackward(H, T, Bp, I, reverse, gates, cs, c0, whh, dy, dhn, dcn, da, dh0, dc0, pk, tile, 0, Bp);
}

/** lstmSeqBackward of the batch columns [lo, hi) (see "Range entry points"). */
export function lstmSeqBackwardRange(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, gates: usize, cs: usize, c0: usize, whh: usize,
  dy: usize, dhn: usize, dcn: usize, da: usize, dh0: usize, dc0: usize, pk: usize, lo: i32, hi: i32,
): void {
  lstmBackward(H, T, Bp, I, reverse, gates, cs, c0, whh, dy, dhn, dcn, da, dh0, dc0, pk, rangeTile(pk, H, I, Bp, 4), lo, hi);
}

function lstmBackward(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, gates: usize, cs: usize, c0: usize, whh: usize,
  dy: usize, dhn: usize, dcn: usize, da: usize, dh0: usize, dc0: usize, pk: usize, tile: usize, lo: i32, hi: i32,
): void {
  if (H <= 0 || T <= 0 || Bp <= 0 || lo >= hi) return;
  const G = 4 * H;
  packUnits(H, G, whh, pk);
  const db0 = bufStart(pk, H, I, G), db1 = db0 + ((<usize>(G * Bp)) << 2);
  let dprev = db0, dcur = db1;
  copyColumns(dc0, dcn, H, Bp, lo, hi);
  const step = reverse ? -1 : 1;
  let t = reverse ? 0 : T - 1;
  for (let s = T - 1; s >= 0; s--, t -= step) {
    const tp = t - step;
    for (let k0 = 0; k0 < H; k0 += 4) {
      const apk = pk + ((<usize>(k0 / 4 * G)) << 4);
      const nu = H - k0 < 4 ? H - k0 : 4;
      for (let b0 = lo; b0 < hi; b0 += 8) {
        if (s == T - 1) {
          for (let r = 0; r < nu; r++) memory.copy(tile + (<usize>r << 5), dhn + ((<usize>((k0 + r) * Bp + b0)) << 2), 32);
        } else tile4x8(G, apk, dprev + (<usize>b0 << 2), Bp, tile, 0);
        for (let r = 0; r < nu; r++) {
          const u = k0 + r;
          const tr = tile + (<usize>r << 5);
          const pi = at(gates, u, t, T, Bp, b0), pf = at(gates, H + u, t, T, Bp, b0);
          const pg = at(gates, 2 * H + u, t, T, Bp, b0), po = at(gates, 3 * H + u, t, T, Bp, b0);
          const qi = at(da, u, t, T, Bp, b0), qf = at(da, H + u, t, T, Bp, b0);
          const qg = at(da, 2 * H + u, t, T, Bp, b0), qo = at(da, 3 * H + u, t, T, Bp, b0);
          const ri = dcur + ((<usize>(u * Bp + b0)) << 2), HBb = (<usize>(H * Bp)) << 2;
          const cc = at(cs, u, t, T, Bp, b0);
          const cp = s == 0 ? c0 + ((<usize>(u * Bp + b0)) << 2) : at(cs, u, tp, T, Bp, b0);
          const dcp = dc0 + ((<usize>(u * Bp + b0)) << 2);
          const dyp = dy ? at(dy, u, t, T, Bp, b0) : 0;
          if (ASC_FEATURE_SIMD) {
            const one = f32x4.splat(1);
            for (let v: usize = 0; v < 32; v += 16) {
              let dh = v128.load(tr + v);
              if (dy) dh = f32x4.add(dh, v128.load(dyp + v));
              const i = v128.load(pi + v), f = v128.load(pf + v), g = v128.load(pg + v), o = v128.load(po + v);
              const tc = vtanh(v128.load(cc + v));
              const dc = f32x4.add(v128.load(dcp + v), f32x4.mul(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc))));
              const ai = vflush(f32x4.mul(f32x4.mul(dc, g), f32x4.mul(i, f32x4.sub(one, i))));
              const af = vflush(f32x4.mul(f32x4.mul(dc, v128.load(cp + v)), f32x4.mul(f, f32x4.sub(one, f))));
              const ag = vflush(f32x4.mul(f32x4.mul(dc, i), f32x4.sub(one, f32x4.mul(g, g))));
              const ao = vflush(f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(one, o))));
              v128.store(qi + v, ai); v128.store(qf + v, af); v128.store(qg + v, ag); v128.store(qo + v, ao);
              v128.store(ri + v, ai); v128.store(ri + HBb + v, af); v128.store(ri + 2 * HBb + v, ag); v128.store(ri + 3 * HBb + v, ao);
              v128.store(dcp + v, vflush(f32x4.mul(dc, f)));
            }
          } else {
            for (let v: usize = 0; v < 32; v += 4) {
              let dh = load<f32>(tr + v);
              if (dy) dh = dh + load<f32>(dyp + v);
              const i = load<f32>(pi + v), f = load<f32>(pf + v), g = load<f32>(pg + v), o = load<f32>(po + v);
              const tc = stanh(load<f32>(cc + v));
              const dc = load<f32>(dcp + v) + (dh * o) * (<f32>1 - tc * tc);
              const ai = sflush((dc * g) * (i * (<f32>1 - i)));
              const af = sflush((dc * load<f32>(cp + v)) * (f * (<f32>1 - f)));
              const ag = sflush((dc * i) * (<f32>1 - g * g));
              const ao = sflush((dh * tc) * (o * (<f32>1 - o)));
              store<f32>(qi + v, ai); store<f32>(qf + v, af); store<f32>(qg + v, ag); store<f32>(qo + v, ao);
              store<f32>(ri + v, ai); store<f32>(ri + HBb + v, af); store<f32>(ri + 2 * HBb + v, ag); store<f32>(ri + 3 * HBb + v, ao);
              store<f32>(dcp + v, sflush(dc * f));
            }
          }
        }
      }
    }
    const sw = dprev;
    dprev = dcur;
    dcur = sw;
  }
  // dh0 = W_hhᵀ·da at the first processed step of the forward
  for (let k0 = 0; k0 < H; k0 += 4) {
    const apk = pk + ((<usize>(k0 / 4 * G)) << 4);
    const nu = H - k0 < 4 ? H - k0 : 4;
    for (let b0 = lo; b0 < hi; b0 += 8) {
      tile4x8(G, apk, dprev + (<usize>b0 << 2), Bp, tile, 0);
      for (let r = 0; r < nu; r++) memory.copy(dh0 + ((<usize>((k0 + r) * Bp + b0)) << 2), tile + (<usize>r << 5), 32);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GRU

/** GRU forward of one direction (see header). bhn [H] (zeros without bias); h0, hn [H, Bp]. */
export function gruSeqForward(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, x: usize, wih: usize, whh: usize, bias: usize, h0: usize,
  xg: usize, ys: usize, ms: usize, hn: usize, pk: usize, tile: usize,
): void {
  gruForward(H, T, Bp, I, reverse, x, wih, whh, bias, h0, xg, ys, ms, hn, pk, tile, 0, Bp);
}

/** gruSeqForward of the batch columns [lo, hi) (see "Range entry points"). */
export function gruSeqForwardRange(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, x: usize, wih: usize, whh: usize, bias: usize, h0: usize,
  xg: usize, ys: usize, ms: usize, hn: usize, pk: usize, lo: i32, hi: i32,
): void {
  gruForward(H, T, Bp, I, reverse, x, wih, whh, bias, h0, xg, ys, ms, hn, pk, rangeTile(pk, H, I, Bp, 3), lo, hi);
}

function gruForward(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, x: usize, wih: usize, whh: usize, bias: usize, h0: usize,
  xg: usize, ys: usize, ms: usize, hn: usize, pk: usize, tile: usize, lo: i32, hi: i32,
): void {
  if (H <= 0 || T <= 0 || Bp <= 0 || lo >= hi) return;
  packForward(H, I, true, whh, wih, pk);
  const hb0 = bufStart(pk, H, I, 3 * H), hb1 = hb0 + ((<usize>(H * Bp)) << 2);
  let hprev = h0, hcur = hb0;
  const step = reverse ? -1 : 1;
  let t = reverse ? T - 1 : 0;
  for (let s = 0; s < T; s++, t += step) {
    for (let j = 0; j < H; j++) {
      const apk = pk + ((<usize>(j * (H + I))) << 4);
      const br = load<f32>(bias + (<usize>j << 2)), bz = load<f32>(bias + (<usize>(H + j) << 2));
      const bj = load<f32>(bias + (<usize>(2 * H + j) << 2)), bn = load<f32>(bias + (<usize>(3 * H + j) << 2));
      for (let b0 = lo; b0 < hi; b0 += 8) {
        const hp = hprev + ((<usize>(j * Bp + b0)) << 2);
        const hc = hcur + ((<usize>(j * Bp + b0)) << 2);
        tile4x8(H, apk, hprev + (<usize>b0 << 2), Bp, tile, 0);
        tile4x8(I, apk + (<usize>H << 4), at(x, 0, t, T, Bp, b0), T * Bp, tile, 1);
        const pr = at(xg, j, t, T, Bp, b0), pz = at(xg, H + j, t, T, Bp, b0), pn = at(xg, 2 * H + j, t, T, Bp, b0);
        const pm = at(ms, j, t, T, Bp, b0), hh = at(ys, j, t, T, Bp, b0);
        if (ASC_FEATURE_SIMD) {
          for (let v: usize = 0; v < 32; v += 16) {
            const r = vsigmoid(f32x4.add(v128.load(tile + v), f32x4.splat(br)));
            const z = vsigmoid(f32x4.add(v128.load(tile + 32 + v), f32x4.splat(bz)));
            const m = f32x4.add(v128.load(tile + 64 + v), f32x4.splat(bj));
            const n = vtanh(f32x4.add(f32x4.add(v128.load(tile + 96 + v), f32x4.splat(bn)), f32x4.mul(r, m)));
            v128.store(pr + v, r); v128.store(pz + v, z); v128.store(pn + v, n);
            v128.store(pm + v, m);
            const h = f32x4.add(f32x4.mul(f32x4.sub(v128.load(hp + v), n), z), n);
            v128.store(hh + v, h);
            v128.store(hc + v, h);
          }
        } else {
          for (let v: usize = 0; v < 32; v += 4) {
            const r = ssigmoid(load<f32>(tile + v) + br);
            const z = ssigmoid(load<f32>(tile + 32 + v) + bz);
            const m = load<f32>(tile + 64 + v) + bj;
            const n = stanh((load<f32>(tile + 96 + v) + bn) + r * m);
            store<f32>(pr + v, r); store<f32>(pz + v, z); store<f32>(pn + v, n);
            store<f32>(pm + v, m);
            const h = (load<f32>(hp + v) - n) * z + n;
            store<f32>(hh + v, h);
            store<f32>(hc + v, h);
          }
        }
      }
    }
    hprev = hcur;
    hcur = hcur == hb0 ? hb1 : hb0;
  }
  copyColumns(hn, hprev, H, Bp, lo, hi);
}

/**
 * GRU backward through time of one direction (see header). gates/ys/ms as left by gruSeqForward,
 * h0 its initial state; dy [H, T, Bp] or 0; dhn [H, Bp]. Writes dg, dhg [3H, T, Bp] and dh0 [H, Bp];
 * dd [H, Bp] is scratch.
 */
export function gruSeqBackward(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, gates: usize, ys: usize, h0: usize, ms: usize, whh: usize,
  dy: usize, dhn: usize, dg: usize, dhg: usize, dd: usize, dh0: usize, pk: usize, tile: usize,
): void {
  gruBackward(H, T, Bp, I, reverse, gates, ys, h0, ms, whh, dy, dhn, dg, dhg, dd, dh0, pk, tile, 0, Bp);
}

/** gruSeqBackward of the batch columns [lo, hi) (see "Range entry points"; only those columns of dd are used). */
export function gruSeqBackwardRange(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, gates: usize, ys: usize, h0: usize, ms: usize, whh: usize,
  dy: usize, dhn: usize, dg: usize, dhg: usize, dd: usize, dh0: usize, pk: usize, lo: i32, hi: i32,
): void {
  gruBackward(H, T, Bp, I, reverse, gates, ys, h0, ms, whh, dy, dhn, dg, dhg, dd, dh0, pk, rangeTile(pk, H, I, Bp, 3), lo, hi);
}

function gruBackward(
  H: i32, T: i32, Bp: i32, I: i32, reverse: i32, gates: usize, ys: usize, h0: usize, ms: usize, whh: usize,
  dy: usize, dhn: usize, dg: usize, dhg: usize, dd: usize, dh0: usize, pk: usize, tile: usize, lo: i32, hi: i32,
): void {
  if (H <= 0 || T <= 0 || Bp <= 0 || lo >= hi) return;
  const G = 3 * H;
  packUnits(H, G, whh, pk);
  const db0 = bufStart(pk, H, I, G), db1 = db0 + ((<usize>(G * Bp)) << 2);
  let dprev = db0, dcur = db1;
  for (let u = 0; u < H; u++) memory.fill(dd + ((<usize>(u * Bp + lo)) << 2), 0, <usize>(hi - lo) << 2);
  const step = reverse ? -1 : 1;
  let t = reverse ? 0 : T - 1;
  for (let s = T - 1; s >= 0; s--, t -= step) {
    const tp = t - step;
    for (let k0 = 0; k0 < H; k0 += 4) {
      const apk = pk + ((<usize>(k0 / 4 * G)) << 4);
      const nu = H - k0 < 4 ? H - k0 : 4;
      for (let b0 = lo; b0 < hi; b0 += 8) {
        if (s == T - 1) {
          for (let r = 0; r < nu; r++) memory.copy(tile + (<usize>r << 5), dhn + ((<usize>((k0 + r) * Bp + b0)) << 2), 32);
        } else tile4x8(G, apk, dprev + (<usize>b0 << 2), Bp, tile, 0);
        for (let r = 0; r < nu; r++) {
          const u = k0 + r;
          const tr = tile + (<usize>r << 5);
          const pr = at(gates, u, t, T, Bp, b0), pz = at(gates, H + u, t, T, Bp, b0), pn = at(gates, 2 * H + u, t, T, Bp, b0);
          const qr = at(dg, u, t, T, Bp, b0), qz = at(dg, H + u, t, T, Bp, b0), qn = at(dg, 2 * H + u, t, T, Bp, b0);
          const sr = at(dhg, u, t, T, Bp, b0), sz = at(dhg, H + u, t, T, Bp, b0), sn = at(dhg, 2 * H + u, t, T, Bp, b0);
          const ri = dcur + ((<usize>(u * Bp + b0)) << 2), HBb = (<usize>(H * Bp)) << 2;
          const hp = s == 0 ? h0 + ((<usize>(u * Bp + b0)) << 2) : at(ys, u, tp, T, Bp, b0);
          const pm = at(ms, u, t, T, Bp, b0);
          const pd = dd + ((<usize>(u * Bp + b0)) << 2);
          const dyp = dy ? at(dy, u, t, T, Bp, b0) : 0;
          if (ASC_FEATURE_SIMD) {
            const one = f32x4.splat(1);
            for (let v: usize = 0; v < 32; v += 16) {
              let dh = f32x4.add(v128.load(tr + v), v128.load(pd + v));
              if (dy) dh = f32x4.add(dh, v128.load(dyp + v));
              const r = v128.load(pr + v), z = v128.load(pz + v), n = v128.load(pn + v);
              const dan = vflush(f32x4.mul(f32x4.mul(dh, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n))));
              const dar = vflush(f32x4.mul(f32x4.mul(dan, v128.load(pm + v)), f32x4.mul(r, f32x4.sub(one, r))));
              const daz = vflush(f32x4.mul(f32x4.mul(dh, f32x4.sub(v128.load(hp + v), n)), f32x4.mul(z, f32x4.sub(one, z))));
              v128.store(qr + v, dar); v128.store(qz + v, daz); v128.store(qn + v, dan);
              const anr = vflush(f32x4.mul(dan, r));
              v128.store(sr + v, dar); v128.store(sz + v, daz); v128.store(sn + v, anr);
              v128.store(ri + v, dar); v128.store(ri + HBb + v, daz); v128.store(ri + 2 * HBb + v, anr);
              v128.store(pd + v, vflush(f32x4.mul(dh, z)));
            }
          } else {
            for (let v: usize = 0; v < 32; v += 4) {
              let dh = load<f32>(tr + v) + load<f32>(pd + v);
              if (dy) dh = dh + load<f32>(dyp + v);
              const r = load<f32>(pr + v), z = load<f32>(pz + v), n = load<f32>(pn + v);
              const dan = sflush((dh * (<f32>1 - z)) * (<f32>1 - n * n));
              const dar = sflush((dan * load<f32>(pm + v)) * (r * (<f32>1 - r)));
              const daz = sflush((dh * (load<f32>(hp + v) - n)) * (z * (<f32>1 - z)));
              store<f32>(qr + v, dar); store<f32>(qz + v, daz); store<f32>(qn + v, dan);
              const anr = sflush(dan * r);
              store<f32>(sr + v, dar); store<f32>(sz + v, daz); store<f32>(sn + v, anr);
              store<f32>(ri + v, dar); store<f32>(ri + HBb + v, daz); store<f32>(ri + 2 * HBb + v, anr);
              store<f32>(pd + v, sflush(dh * z));
            }
          }
        }
      }
    }
    const sw = dprev;
    dprev = dcur;
    dcur = sw;
  }
  // dh0 = W_hhᵀ·dhg_first + dd_first
  for (let k0 = 0; k0 < H; k0 += 4) {
    const apk = pk + ((<usize>(k0 / 4 * G)) << 4);
    const nu = H - k0 < 4 ? H - k0 : 4;
    for (let b0 = lo; b0 < hi; b0 += 8) {
      tile4x8(G, apk, dprev + (<usize>b0 << 2), Bp, tile, 0);
      for (let r = 0; r < nu; r++) {
        const o = (<usize>((k0 + r) * Bp + b0)) << 2;
        const tr = tile + (<usize>r << 5);
        for (let v: usize = 0; v < 32; v += 4) store<f32>(dh0 + o + v, load<f32>(tr + v) + load<f32>(dd + o + v));
      }
    }
  }
}
