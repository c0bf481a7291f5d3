// Recurrent layers (LSTM, GRU): one direction of one layer per call, the whole time loop inside wasm.
//
// Layout. Batch-first, f32 row-major. B batch rows, T time steps, H hidden units, G gate rows
// (G = 4H for LSTM with gate order i, f, g, o; G = 3H for GRU with gate order r, z, n, as PyTorch).
// "Row (b, t)" of a [B, T, W] buffer is the W floats at base + ((b·T + t)·W)·4.
//   xg   [B, T, G]  gate pre-activations from the input, x_t·W_ihᵀ + biases (computed by the host with
//                   one GEMM over all B·T rows); overwritten with the activated gates (the forward's
//                   saved state: LSTM i, f, g, o; GRU r, z, n).
//   hp   [B, T, H]  written: hp(b, t) = the hidden state entering step t (h0 at the first step).
//   cs   [B, T, H]  LSTM, written: the cell state after step t.
//   hns  [B, T, H]  GRU, written: W_hn·h_prev + b_hn at step t (needed by the backward).
//   y    h_t for (b, t) at y + ((b·T + t)·ldy)·4 (the caller offsets y to its direction; ldy = 0 sends
//        every row to one scratch row).
//   h0, c0, hn, cn [B, H]: initial and final states. whh [G, H]. dg, dhg [B, T, G] (backward outputs).
// `reverse` = 1 runs t = T−1 .. 0 (the backward direction of a bidirectional layer); "previous" then
// means t + 1. `work` is gemmWorkSize(B, G, H) bytes (forward) or gemmWorkSize(B, H, G) (backward).
//
// Math (σ = sigmoid, ⊙ elementwise; simd-math.ts vsigmoid/vtanh and their bit-identical scalar forms):
// LSTM forward, per step: a = xg_t + h_{t−1}·W_hhᵀ (one GEMM accumulating into xg, beta = 1);
//   i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o); c_t = f⊙c_{t−1} + i⊙g; h_t = o⊙tanh(c_t).
// LSTM backward, t from last to first: dh = dh_rec + dy_t; tc = tanh(c_t);
//   dc = dc_rec + dh⊙o⊙(1 − tc²); da_i = dc⊙g⊙i(1−i); da_f = dc⊙c_{t−1}⊙f(1−f); da_g = dc⊙i⊙(1−g²);
//   da_o = dh⊙tc⊙o(1−o); dc_rec = dc⊙f; dh_rec = da·W_hh (one GEMM). dg(b, t) = da.
//   After the loop dh_rec / dc_rec hold dh0 / dc0.
// GRU forward (PyTorch's formulation): hg = h_{t−1}·W_hhᵀ (one GEMM into a [B, G] scratch);
//   r = σ(xg_r + hg_r), z = σ(xg_z + hg_z), m = hg_n + b_hn, n = tanh(xg_n + r⊙m),
//   h_t = (h_{t−1} − n)⊙z + n. (xg_r and xg_z already contain b_hr and b_hz.)
// GRU backward: dh = dh_rec + dy_t; dn = dh⊙(1−z); da_n = dn⊙(1−n²); da_r = da_n⊙m⊙r(1−r);
//   da_z = dh⊙(h_{t−1} − n)⊙z(1−z); dg(b, t) = [da_r, da_z, da_n] (input side: dW_ih, db_ih, dx);
//   dhg(b, t) = [da_r, da_z, da_n⊙r] (recurrent side: dW_hh, db_hh); dh_rec = dh⊙z + dhg_t·W_hh (GEMM,
//   beta = 1).
// The host computes the weight gradients afterwards as single GEMMs over all B·T rows
// (dW_hh = dhgᵀ·hp, dW_ih = dgᵀ·x) and the bias gradients as column sums.
// SIMD build: 4 hidden units per f32x4 with a scalar tail; the scalar build runs the same expressions
// in the same order, so both builds agree bit for bit (the GEMM does too).
import { gemm } from './gemm';
import { vsigmoid, vtanh, ssigmoid, stanh } from './simd-math';

// @ts-ignore: decorator
@inline function row(base: usize, r: i32, ld: i32): usize {
  return base + ((<usize>r * <usize>ld) << 2);
}

// ---------------------------------------------------------------------------------------------
// Cells: one batch row, H units.

// @ts-ignore: decorator
@inline function lstmCell(H: i32, g: usize, cp: usize, c: usize, hout: usize, yout: usize): void {
  const Hb = <usize>H << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= H; j += 4) {
      const o4 = <usize>j << 2;
      const pi = g + o4, pf = pi + Hb, pg = pf + Hb, po = pg + Hb;
      const i = vsigmoid(v128.load(pi));
      const f = vsigmoid(v128.load(pf));
      const gg = vtanh(v128.load(pg));
      const o = vsigmoid(v128.load(po));
      v128.store(pi, i); v128.store(pf, f); v128.store(pg, gg); v128.store(po, o);
      const cv = f32x4.add(f32x4.mul(f, v128.load(cp + o4)), f32x4.mul(i, gg));
      v128.store(c + o4, cv);
      const h = f32x4.mul(o, vtanh(cv));
      v128.store(hout + o4, h);
      v128.store(yout + o4, h);
    }
  }
  for (; j < H; j++) {
    const o4 = <usize>j << 2;
    const pi = g + o4, pf = pi + Hb, pg = pf + Hb, po = pg + Hb;
    const i = ssigmoid(load<f32>(pi));
    const f = ssigmoid(load<f32>(pf));
    const gg = stanh(load<f32>(pg));
    const o = ssigmoid(load<f32>(po));
    store<f32>(pi, i); store<f32>(pf, f); store<f32>(pg, gg); store<f32>(po, o);
    const cv = f * load<f32>(cp + o4) + i * gg;
    store<f32>(c + o4, cv);
    const h = o * stanh(cv);
    store<f32>(hout + o4, h);
    store<f32>(yout + o4, h);
  }
}

// @ts-ignore: decorator
@inline function lstmCellBackward(H: i32, g: usize, cp: usize, c: usize, dy: usize, dh: usize, dc: usize, da: usize): void {
  const Hb = <usize>H << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; j + 4 <= H; j += 4) {
      const o4 = <usize>j << 2;
      const pi = g + o4, pf = pi + Hb, pg = pf + Hb, po = pg + Hb;
      const i = v128.load(pi), f = v128.load(pf), gg = v128.load(pg), o = v128.load(po);
      const dhv = f32x4.add(v128.load(dh + o4), v128.load(dy + o4));
      const tc = vtanh(v128.load(c + o4));
      const dcv = f32x4.add(v128.load(dc + o4), f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc))));
      const qi = da + o4, qf = qi + Hb, qg = qf + Hb, qo = qg + Hb;
      v128.store(qi, f32x4.mul(f32x4.mul(dcv, gg), f32x4.mul(i, f32x4.sub(one, i))));
      v128.store(qf, f32x4.mul(f32x4.mul(dcv, v128.load(cp + o4)), f32x4.mul(f, f32x4.sub(one, f))));
      v128.store(qg, f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(gg, gg))));
      v128.store(qo, f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(o, f32x4.sub(one, o))));
      v128.store(dc + o4, f32x4.mul(dcv, f));
    }
  }
  for (; j < H; j++) {
    const o4 = <usize>j << 2;
    const pi = g + o4, pf = pi + Hb, pg = pf + Hb, po = pg + Hb;
    const i = load<f32>(pi), f = load<f32>(pf), gg = load<f32>(pg), o = load<f32>(po);
    const dhv = load<f32>(dh + o4) + load<f32>(dy + o4);
    const tc = stanh(load<f32>(c + o4));
    const dcv = load<f32>(dc + o4) + (dhv * o) * (<f32>1 - tc * tc);
    const qi = da + o4, qf = qi + Hb, qg = qf + Hb, qo = qg + Hb;
    store<f32>(qi, (dcv * gg) * (i * (<f32>1 - i)));
    store<f32>(qf, (dcv * load<f32>(cp + o4)) * (f * (<f32>1 - f)));
    store<f32>(qg, (dcv * i) * (<f32>1 - gg * gg));
    store<f32>(qo, (dhv * tc) * (o * (<f32>1 - o)));
    store<f32>(dc + o4, dcv * f);
  }
}

// @ts-ignore: decorator
@inline function gruCell(H: i32, g: usize, hg: usize, bhn: usize, hprev: usize, m: usize, hout: usize, yout: usize): void {
  const Hb = <usize>H << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= H; j += 4) {
      const o4 = <usize>j << 2;
      const pr = g + o4, pz = pr + Hb, pn = pz + Hb;
      const qr = hg + o4, qz = qr + Hb, qn = qz + Hb;
      const r = vsigmoid(f32x4.add(v128.load(pr), v128.load(qr)));
      const z = vsigmoid(f32x4.add(v128.load(pz), v128.load(qz)));
      const mv = f32x4.add(v128.load(qn), v128.load(bhn + o4));
      const n = vtanh(f32x4.add(v128.load(pn), f32x4.mul(r, mv)));
      v128.store(pr, r); v128.store(pz, z); v128.store(pn, n);
      v128.store(m + o4, mv);
      const h = f32x4.add(f32x4.mul(f32x4.sub(v128.load(hprev + o4), n), z), n);
      v128.store(hout + o4, h);
      v128.store(yout + o4, h);
    }
  }
  for (; j < H; j++) {
    const o4 = <usize>j << 2;
    const pr = g + o4, pz = pr + Hb, pn = pz + Hb;
    const qr = hg + o4, qz = qr + Hb, qn = qz + Hb;
    const r = ssigmoid(load<f32>(pr) + load<f32>(qr));
    const z = ssigmoid(load<f32>(pz) + load<f32>(qz));
    const mv = load<f32>(qn) + load<f32>(bhn + o4);
    const n = stanh(load<f32>(pn) + r * mv);
    store<f32>(pr, r); store<f32>(pz, z); store<f32>(pn, n);
    store<f32>(m + o4, mv);
    const h = (load<f32>(hprev + o4) - n) * z + n;
    store<f32>(hout + o4, h);
    store<f32>(yout + o4, h);
  }
}

// @ts-ignore: decorator
@inline function gruCellBackward(H: i32, g: usize, hprev: usize, m: usize, dy: usize, dh: usize, da: usize, dha: usize): void {
  const Hb = <usize>H << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; j + 4 <= H; j += 4) {
      const o4 = <usize>j << 2;
      const pr = g + o4, pz = pr + Hb, pn = pz + Hb;
      const r = v128.load(pr), z = v128.load(pz), n = v128.load(pn);
      const dhv = f32x4.add(v128.load(dh + o4), v128.load(dy + o4));
      const dan = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
      const dar = f32x4.mul(f32x4.mul(dan, v128.load(m + o4)), f32x4.mul(r, f32x4.sub(one, r)));
      const daz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(v128.load(hprev + o4), n)), f32x4.mul(z, f32x4.sub(one, z)));
      const qr = da + o4, qz = qr + Hb, qn = qz + Hb;
      v128.store(qr, dar); v128.store(qz, daz); v128.store(qn, dan);
      const sr = dha + o4, sz = sr + Hb, sn = sz + Hb;
      v128.store(sr, dar); v128.store(sz, daz); v128.store(sn, f32x4.mul(dan, r));
      v128.store(dh + o4, f32x4.mul(dhv, z));
    }
  }
  for (; j < H; j++) {
    const o4 = <usize>j << 2;
    const pr = g + o4, pz = pr + Hb, pn = pz + Hb;
    const r = load<f32>(pr), z = load<f32>(pz), n = load<f32>(pn);
    const dhv = load<f32>(dh + o4) + load<f32>(dy + o4);
    const dan = (dhv * (<f32>1 - z)) * (<f32>1 - n * n);
    const dar = (dan * load<f32>(m + o4)) * (r * (<f32>1 - r));
    const daz = (dhv * (load<f32>(hprev + o4) - n)) * (z * (<f32>1 - z));
    const qr = da + o4, qz = qr + Hb, qn = qz + Hb;
    store<f32>(qr, dar); store<f32>(qz, daz); store<f32>(qn, dan);
    const sr = dha + o4, sz = sr + Hb, sn = sz + Hb;
    store<f32>(sr, dar); store<f32>(sz, daz); store<f32>(sn, dan * r);
    store<f32>(dh + o4, dhv * z);
  }
}

// ---------------------------------------------------------------------------------------------
// Whole-sequence kernels (one direction of one layer).

/** Copies h0 (or any [B, H] matrix) into rows (b, t) of the [B, T, H] buffer dst. */
function copyIntoSlot(B: i32, T: i32, H: i32, src: usize, dst: usize, t: i32): void {
  const Hb = <usize>H << 2;
  for (let b = 0; b < B; b++) memory.copy(row(dst, b * T + t, H), row(src, b, H), Hb);
}

/** LSTM forward over T steps (see header). */
export function lstmForward(
  B: i32, T: i32, H: i32, reverse: i32,
  xg: usize, hp: usize, cs: usize, y: usize, ldy: i32,
  h0: usize, c0: usize, hn: usize, cn: usize, whh: usize, work: usize,
): void {
  if (B <= 0 || T <= 0 || H <= 0) return;
  const G = 4 * H;
  const step = reverse ? -1 : 1;
  let t = reverse ? T - 1 : 0;
  copyIntoSlot(B, T, H, h0, hp, t);
  for (let s = 0; s < T; s++, t += step) {
    gemm(0, 1, B, G, H, 1, row(hp, t, H), T * H, whh, H, 1, row(xg, t, G), T * G, work);
    const last = s == T - 1;
    for (let b = 0; b < B; b++) {
      const r = b * T + t;
      const cp = s == 0 ? row(c0, b, H) : row(cs, r - step, H);
      const c = row(cs, r, H);
      const hout = last ? row(hn, b, H) : row(hp, r + step, H);
      lstmCell(H, row(xg, r, G), cp, c, hout, row(y, r, ldy));
      if (last) memory.copy(row(cn, b, H), c, <usize>H << 2);
    }
  }
}

/**
 * LSTM backward through time (see header). dy: output gradient rows (b, t) with stride ldy (0: one
 * zero row); dhn / dcn: [B, H] final-state gradients with row strides ldhn / ldcn (0: one zero row).
 * gates/cs/c0 as left by lstmForward. Writes dg [B, T, 4H]; dh and dc ([B, H] scratch) end as dh0, dc0.
 */
export function lstmBackward(
  B: i32, T: i32, H: i32, reverse: i32,
  gates: usize, cs: usize, c0: usize, dy: usize, ldy: i32,
  dhn: usize, ldhn: i32, dcn: usize, ldcn: i32, whh: usize,
  dg: usize, dh: usize, dc: usize, work: usize,
): void {
  if (B <= 0 || T <= 0 || H <= 0) return;
  const G = 4 * H;
  const Hb = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    memory.copy(row(dh, b, H), row(dhn, b, ldhn), Hb);
    memory.copy(row(dc, b, H), row(dcn, b, ldcn), Hb);
  }
  const step = reverse ? -1 : 1;
  let t = reverse ? 0 : T - 1;
  for (let s = T - 1; s >= 0; s--, t -= step) {
    for (let b = 0; b < B; b++) {
      const r = b * T + t;
      const cp = s == 0 ? row(c0, b, H) : row(cs, r - step, H);
      lstmCellBackward(H, row(gates, r, G), cp, row(cs, r, H), row(dy, r, ldy), row(dh, b, H), row(dc, b, H), row(dg, r, G));
    }
    gemm(0, 0, B, H, G, 1, row(dg, t, G), T * G, whh, H, 0, dh, H, work);
  }
}

/** GRU forward over T steps (see header). hg: [B, 3H] scratch; bhn: [H] (zeros without bias). */
export function gruForward(
  B: i32, T: i32, H: i32, reverse: i32,
  xg: usize, hp: usize, hns: usize, y: usize, ldy: i32,
  h0: usize, hn: usize, whh: usize, bhn: usize, hg: usize, work: usize,
): void {
  if (B <= 0 || T <= 0 || H <= 0) return;
  const G = 3 * H;
  const step = reverse ? -1 : 1;
  let t = reverse ? T - 1 : 0;
  copyIntoSlot(B, T, H, h0, hp, t);
  for (let s = 0; s < T; s++, t += step) {
    gemm(0, 1, B, G, H, 1, row(hp, t, H), T * H, whh, H, 0, hg, G, work);
    const last = s == T - 1;
    for (let b = 0; b < B; b++) {
      const r = b * T + t;
      const hout = last ? row(hn, b, H) : row(hp, r + step, H);
      gruCell(H, row(xg, r, G), row(hg, b, G), bhn, row(hp, r, H), row(hns, r, H), hout, row(y, r, ldy));
    }
  }
}

/**
 * GRU backward through time (see header). Writes dg and dhg [B, T, 3H]; dh ([B, H] scratch) ends as dh0.
 */
export function gruBackward(
  B: i32, T: i32, H: i32, reverse: i32,
  gates: usize, hp: usize, hns: usize, dy: usize, ldy: i32, dhn: usize, ldhn: i32, whh: usize,
  dg: usize, dhg: usize, dh: usize, work: usize,
): void {
  if (B <= 0 || T <= 0 || H <= 0) return;
  const G = 3 * H;
  const Hb = <usize>H << 2;
  for (let b = 0; b < B; b++) memory.copy(row(dh, b, H), row(dhn, b, ldhn), Hb);
  const step = reverse ? -1 : 1;
  let t = reverse ? 0 : T - 1;
  for (let s = T - 1; s >= 0; s--, t -= step) {
    for (let b = 0; b < B; b++) {
      const r = b * T + t;
      gruCellBackward(H, row(gates, r, G), row(hp, r, H), row(hns, r, H), row(dy, r, ldy), row(dh, b, H), row(dg, r, G), row(dhg, r, G));
    }
    gemm(0, 0, B, H, G, 1, row(dhg, t, G), T * G, whh, H, 1, dh, H, work);
  }
}
