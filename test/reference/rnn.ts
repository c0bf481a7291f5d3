// Float64 references for the recurrent layers (assembly/rnn.ts, src/ops/rnn.ts): plain per-step loops
// over batch-first [B, T, I] input, PyTorch's gate layouts (LSTM i, f, g, o; GRU r, z, n with
// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))), and hand-written backpropagation through time.
// dirForward/dirBackward cover one direction of one layer (also exposing the saved gates and the
// pre-activation gradients the kernels produce); rnnForward/rnnBackward stack layers and directions.
// Flat arrays are row-major; W_ih is [G, I], W_hh [G, H], biases [G] (G = 4H or 3H).

export type Kind = 'lstm' | 'gru';
type Arr = ArrayLike<number>;

export interface DirParams {
  wih: Arr;
  whh: Arr;
  bih: Arr | null;
  bhh: Arr | null;
}

export interface DirGrads {
  wih: number[];
  whh: number[];
  bih: number[];
  bhh: number[];
}

export const gatesOf = (kind: Kind) => (kind === 'lstm' ? 4 : 3);
const sig = (v: number) => 1 / (1 + Math.exp(-v));

export interface DirForward {
  /** [B, T, H] */
  y: number[];
  /** [B, H] */
  hn: number[];
  cn: number[];
  /** activated gates [B, T, G] (LSTM i, f, g, o; GRU r, z, n) */
  gates: number[];
  /** [B, T, H]: state entering step t */
  hp: number[];
  /** LSTM: cell state after step t [B, T, H]; GRU: W_hn·h_prev + b_hn [B, T, H] */
  aux: number[];
}

/** Input projection x·W_ihᵀ + b_ih (+ b_hh for LSTM, + b_hr, b_hz for GRU): [B, T, G]. */
export function inputGates(kind: Kind, B: number, T: number, I: number, H: number, x: Arr, p: DirParams): number[] {
  const G = gatesOf(kind) * H;
  const out = new Array<number>(B * T * G).fill(0);
  for (let r = 0; r < B * T; r++)
    for (let g = 0; g < G; g++) {
      let s = 0;
      for (let i = 0; i < I; i++) s += x[r * I + i]! * p.wih[g * I + i]!;
      if (p.bih) s += p.bih[g]!;
      if (p.bhh && (kind === 'lstm' || g < 2 * H)) s += p.bhh[g]!;
      out[r * G + g] = s;
    }
  return out;
}

export function dirForward(
  kind: Kind, B: number, T: number, I: number, H: number, reverse: boolean, x: Arr, p: DirParams, h0: Arr, c0: Arr,
): DirForward {
  const G = gatesOf(kind) * H;
  const xg = inputGates(kind, B, T, I, H, x, p);
  const y = new Array<number>(B * T * H).fill(0);
  const gates = new Array<number>(B * T * G).fill(0);
  const hp = new Array<number>(B * T * H).fill(0);
  const aux = new Array<number>(B * T * H).fill(0);
  const hn = new Array<number>(B * H).fill(0);
  const cn = new Array<number>(B * H).fill(0);
  for (let b = 0; b < B; b++) {
    let h = Array.from({ length: H }, (_, j) => h0[b * H + j]!);
    let c = Array.from({ length: H }, (_, j) => c0[b * H + j]!);
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const r = b * T + t;
      for (let j = 0; j < H; j++) hp[r * H + j] = h[j]!;
      const hg = new Array<number>(G).fill(0);
      for (let g = 0; g < G; g++) {
        let acc = 0;
        for (let k = 0; k < H; k++) acc += p.whh[g * H + k]! * h[k]!;
        hg[g] = acc;
      }
      const nh = new Array<number>(H), nc = new Array<number>(H);
      for (let j = 0; j < H; j++) {
        const a = (q: number) => xg[r * G + q * H + j]!;
        if (kind === 'lstm') {
          const i = sig(a(0) + hg[j]!), f = sig(a(1) + hg[H + j]!), gg = Math.tanh(a(2) + hg[2 * H + j]!), o = sig(a(3) + hg[3 * H + j]!);
          nc[j] = f * c[j]! + i * gg;
          nh[j] = o * Math.tanh(nc[j]!);
          [i, f, gg, o].forEach((v, q) => (gates[r * G + q * H + j] = v));
          aux[r * H + j] = nc[j]!;
        } else {
          const rr = sig(a(0) + hg[j]!), z = sig(a(1) + hg[H + j]!);
          const m = hg[2 * H + j]! + (p.bhh ? p.bhh[2 * H + j]! : 0);
          const n = Math.tanh(a(2) + rr * m);
          nh[j] = (1 - z) * n + z * h[j]!;
          nc[j] = 0;
          [rr, z, n].forEach((v, q) => (gates[r * G + q * H + j] = v));
          aux[r * H + j] = m;
        }
        y[r * H + j] = nh[j]!;
      }
      h = nh;
      c = nc;
    }
    for (let j = 0; j < H; j++) {
      hn[b * H + j] = h[j]!;
      cn[b * H + j] = c[j]!;
    }
  }
  return { y, hn, cn, gates, hp, aux };
}

export interface DirBackward {
  dx: number[];
  grads: DirGrads;
  dh0: number[];
  dc0: number[];
  /** pre-activation gradients [B, T, G] (input side) */
  dg: number[];
  /** GRU: recurrent-side pre-activation gradients [B, T, G] (LSTM: same as dg) */
  dhg: number[];
}

/** BPTT for one direction given dy [B, T, H], dhn, dcn [B, H] (dcn ignored for GRU). */
export function dirBackward(
  kind: Kind, B: number, T: number, I: number, H: number, reverse: boolean, x: Arr, p: DirParams, c0: Arr,
  fw: DirForward, dy: Arr, dhn: Arr, dcn: Arr,
): DirBackward {
  const G = gatesOf(kind) * H;
  const dg = new Array<number>(B * T * G).fill(0);
  const dhg = new Array<number>(B * T * G).fill(0);
  const dh0 = new Array<number>(B * H).fill(0);
  const dc0 = new Array<number>(B * H).fill(0);
  for (let b = 0; b < B; b++) {
    let dh = Array.from({ length: H }, (_, j) => dhn[b * H + j]!);
    let dc = Array.from({ length: H }, (_, j) => (kind === 'lstm' ? dcn[b * H + j]! : 0));
    for (let s = T - 1; s >= 0; s--) {
      const t = reverse ? T - 1 - s : s;
      const r = b * T + t;
      const prevR = reverse ? r + 1 : r - 1;
      const gv = (q: number, j: number) => fw.gates[r * G + q * H + j]!;
      const ndc = new Array<number>(H).fill(0);
      const direct = new Array<number>(H).fill(0);
      for (let j = 0; j < H; j++) {
        const dhv = dh[j]! + dy[r * H + j]!;
        if (kind === 'lstm') {
          const [i, f, g, o] = [gv(0, j), gv(1, j), gv(2, j), gv(3, j)];
          const c = fw.aux[r * H + j]!;
          const cp = s === 0 ? c0[b * H + j]! : fw.aux[prevR * H + j]!;
          const tc = Math.tanh(c);
          const dcv = dc[j]! + dhv * o * (1 - tc * tc);
          const da = [dcv * g * i * (1 - i), dcv * cp * f * (1 - f), dcv * i * (1 - g * g), dhv * tc * o * (1 - o)];
          da.forEach((v, q) => (dg[r * G + q * H + j] = dhg[r * G + q * H + j] = v));
          ndc[j] = dcv * f;
        } else {
          const [rr, z, n] = [gv(0, j), gv(1, j), gv(2, j)];
          const hprev = fw.hp[r * H + j]!;
          const m = fw.aux[r * H + j]!;
          const dan = dhv * (1 - z) * (1 - n * n);
          const dar = dan * m * rr * (1 - rr);
          const daz = dhv * (hprev - n) * z * (1 - z);
          [dar, daz, dan].forEach((v, q) => (dg[r * G + q * H + j] = v));
          [dar, daz, dan * rr].forEach((v, q) => (dhg[r * G + q * H + j] = v));
          direct[j] = dhv * z;
        }
      }
      const ndh = direct;
      for (let k = 0; k < H; k++) {
        let acc = 0;
        for (let g = 0; g < G; g++) acc += dhg[r * G + g]! * p.whh[g * H + k]!;
        ndh[k] = ndh[k]! + acc;
      }
      dh = ndh;
      dc = ndc;
    }
    for (let j = 0; j < H; j++) {
      dh0[b * H + j] = dh[j]!;
      dc0[b * H + j] = dc[j]!;
    }
  }
  const dx = new Array<number>(B * T * I).fill(0);
  const grads: DirGrads = {
    wih: new Array<number>(G * I).fill(0), whh: new Array<number>(G * H).fill(0),
    bih: new Array<number>(G).fill(0), bhh: new Array<number>(G).fill(0),
  };
  for (let r = 0; r < B * T; r++)
    for (let g = 0; g < G; g++) {
      const a = dg[r * G + g]!, ah = dhg[r * G + g]!;
      grads.bih[g]! += a;
      grads.bhh[g]! += ah;
      for (let i = 0; i < I; i++) {
        grads.wih[g * I + i]! += a * x[r * I + i]!;
        dx[r * I + i]! += a * p.wih[g * I + i]!;
      }
      for (let k = 0; k < H; k++) grads.whh[g * H + k]! += ah * fw.hp[r * H + k]!;
    }
  return { dx, grads, dh0, dc0, dg, dhg };
}

export interface RnnConfig {
  kind: Kind;
  B: number;
  T: number;
  I: number;
  H: number;
  L: number;
  /** directions (1 or 2) */
  D: number;
}

export interface RnnForward {
  /** [B, T, D·H] of the last layer */
  y: number[];
  /** [L·D, B, H] */
  hn: number[];
  cn: number[];
  layerInputs: number[][];
  dirs: DirForward[];
}

const zerosN = (n: number) => new Array<number>(n).fill(0);
const part = (a: Arr | null | undefined, k: number, n: number) => (a ? Array.from({ length: n }, (_, i) => a[k * n + i]!) : zerosN(n));

/** Stacked (multi-layer, optionally bidirectional) forward; params[l·D + d]; h0/c0 [L·D, B, H] or null. */
export function rnnForward(cfg: RnnConfig, x: Arr, params: DirParams[], h0: Arr | null = null, c0: Arr | null = null): RnnForward {
  const { kind, B, T, H, L, D } = cfg;
  let input: number[] = Array.from(x);
  let I = cfg.I;
  const hn: number[] = [], cn: number[] = [], layerInputs: number[][] = [], dirs: DirForward[] = [];
  for (let l = 0; l < L; l++) {
    layerInputs.push(input);
    const out = zerosN(B * T * D * H);
    for (let d = 0; d < D; d++) {
      const k = l * D + d;
      const fw = dirForward(kind, B, T, I, H, d === 1, input, params[k]!, part(h0, k, B * H), part(c0, k, B * H));
      dirs.push(fw);
      for (let r = 0; r < B * T; r++) for (let j = 0; j < H; j++) out[r * D * H + d * H + j] = fw.y[r * H + j]!;
      hn.push(...fw.hn);
      cn.push(...fw.cn);
    }
    input = out;
    I = D * H;
  }
  return { y: input, hn, cn, layerInputs, dirs };
}

export interface RnnBackward {
  dx: number[];
  grads: DirGrads[];
  dh0: number[];
  dc0: number[];
}

/** BPTT through the stack for output gradients dy [B, T, D·H], dhn / dcn [L·D, B, H] (null = 0). */
export function rnnBackward(
  cfg: RnnConfig, params: DirParams[], fw: RnnForward, c0: Arr | null, dy: Arr | null, dhn: Arr | null, dcn: Arr | null,
): RnnBackward {
  const { kind, B, T, H, L, D } = cfg;
  let dOut: number[] = dy ? Array.from(dy) : zerosN(B * T * D * H);
  const grads: DirGrads[] = new Array(L * D);
  const dh0 = zerosN(L * D * B * H), dc0 = zerosN(L * D * B * H);
  for (let l = L - 1; l >= 0; l--) {
    const I = l === 0 ? cfg.I : D * H;
    const dIn = zerosN(B * T * I);
    for (let d = 0; d < D; d++) {
      const k = l * D + d;
      const dyd = zerosN(B * T * H);
      for (let r = 0; r < B * T; r++) for (let j = 0; j < H; j++) dyd[r * H + j] = dOut[r * D * H + d * H + j]!;
      const bw = dirBackward(kind, B, T, I, H, d === 1, fw.layerInputs[l]!, params[k]!, part(c0, k, B * H), fw.dirs[k]!, dyd,
        part(dhn, k, B * H), part(dcn, k, B * H));
      grads[k] = bw.grads;
      for (let i = 0; i < dIn.length; i++) dIn[i]! += bw.dx[i]!;
      for (let i = 0; i < B * H; i++) {
        dh0[k * B * H + i] = bw.dh0[i]!;
        dc0[k * B * H + i] = bw.dc0[i]!;
      }
    }
    dOut = dIn;
  }
  return { dx: dOut, grads, dh0, dc0 };
}
