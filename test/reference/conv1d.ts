// Float64 references for the conv1d kernels (assembly/conv1d.ts): x [B, Cin, L], w [Cout, Cin/groups, K],
// y [B, Cout, Lout], PyTorch cross-correlation with implicit zero padding (`pad` on the left; the right
// padding is whatever Lout implies). Plain nested loops straight from the definition.

type Arr = ArrayLike<number>;

export interface ConvGeom {
  B: number;
  Cin: number;
  L: number;
  Cout: number;
  K: number;
  stride: number;
  pad: number;
  dil: number;
  groups: number;
  Lout: number;
}

/** Lout for symmetric/asymmetric padding (PyTorch's formula). */
export function convOutLength(L: number, K: number, stride: number, padL: number, padR: number, dil: number): number {
  return Math.floor((L + padL + padR - dil * (K - 1) - 1) / stride) + 1;
}

/** Calls fn(b, o, c (input channel), k, l, p (input position)) for every valid tap. */
function taps(g: ConvGeom, fn: (b: number, o: number, ci: number, cw: number, k: number, l: number, p: number) => void): void {
  const Cg = g.Cin / g.groups, Og = g.Cout / g.groups;
  for (let b = 0; b < g.B; b++)
    for (let o = 0; o < g.Cout; o++) {
      const grp = Math.floor(o / Og);
      for (let c = 0; c < Cg; c++)
        for (let k = 0; k < g.K; k++)
          for (let l = 0; l < g.Lout; l++) {
            const p = l * g.stride + k * g.dil - g.pad;
            if (p >= 0 && p < g.L) fn(b, o, grp * Cg + c, c, k, l, p);
          }
    }
}

export function conv1dRef(g: ConvGeom, x: Arr, w: Arr, bias: Arr | null): Float64Array {
  const y = new Float64Array(g.B * g.Cout * g.Lout);
  const Cg = g.Cin / g.groups;
  if (bias) for (let b = 0; b < g.B; b++) for (let o = 0; o < g.Cout; o++) for (let l = 0; l < g.Lout; l++) y[(b * g.Cout + o) * g.Lout + l] = bias[o]!;
  taps(g, (b, o, ci, cw, k, l, p) => {
    y[(b * g.Cout + o) * g.Lout + l]! += w[(o * Cg + cw) * g.K + k]! * x[(b * g.Cin + ci) * g.L + p]!;
  });
  return y;
}

export function conv1dBackwardDataRef(g: ConvGeom, dy: Arr, w: Arr): Float64Array {
  const dx = new Float64Array(g.B * g.Cin * g.L);
  const Cg = g.Cin / g.groups;
  taps(g, (b, o, ci, cw, k, l, p) => {
    dx[(b * g.Cin + ci) * g.L + p]! += w[(o * Cg + cw) * g.K + k]! * dy[(b * g.Cout + o) * g.Lout + l]!;
  });
  return dx;
}

export function conv1dBackwardWeightRef(g: ConvGeom, x: Arr, dy: Arr): Float64Array {
  const Cg = g.Cin / g.groups;
  const dw = new Float64Array(g.Cout * Cg * g.K);
  taps(g, (b, o, ci, cw, k, l, p) => {
    dw[(o * Cg + cw) * g.K + k]! += dy[(b * g.Cout + o) * g.Lout + l]! * x[(b * g.Cin + ci) * g.L + p]!;
  });
  return dw;
}

export function conv1dBackwardBiasRef(g: ConvGeom, dy: Arr): Float64Array {
  const db = new Float64Array(g.Cout);
  for (let b = 0; b < g.B; b++) for (let o = 0; o < g.Cout; o++) for (let l = 0; l < g.Lout; l++) db[o]! += dy[(b * g.Cout + o) * g.Lout + l]!;
  return db;
}

/** Σ |terms| per output element (error scale for float32 comparisons), forward. */
export function conv1dAbsRef(g: ConvGeom, x: Arr, w: Arr, bias: Arr | null): Float64Array {
  const ax = Float64Array.from(x, Math.abs), aw = Float64Array.from(w, Math.abs);
  return conv1dRef(g, ax, aw, bias ? Float64Array.from(bias, Math.abs) : null);
}
