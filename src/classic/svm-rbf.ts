// A binary C-support-vector classifier with the RBF kernel, solved by SMO as libsvm does (Chang & Lin 2011;
// Fan, Chen & Lin 2005, second-order working-set selection). The dual:
//   min_α ½ αᵀQα − Σα_i   subject to  Σ y_i α_i = 0,  0 ≤ α_i ≤ C_i,   Q_ij = y_i y_j K(x_i, x_j),
//   K(x, z) = exp(−γ‖x − z‖²),
// with a per-sample bound C_i (C times the class weight of its label, as libsvm's weighted C). Each step picks
// i = argmax over I_up of −y_i ∇_i and j minimising the second-order decrease among I_low, updates α_i, α_j
// analytically within their box and the gradient ∇ = Qα − 1 with two kernel rows; it stops when the maximal
// violation m(α) − M(α) < tol. The bias is libsvm's ρ (mean of y_i ∇_i over free α_i, else the midpoint of
// the bounds), and f(x) = Σ y_i α_i K(x_i, x) − ρ: positive for the +1 class.
// Kernel rows exp(−γ(‖x‖² + ‖z‖² − 2x·z)) are computed from float32 dot products (in JS for few features,
// on the SIMD GEMM otherwise) and kept as float32 in an LRU cache of a bounded number of rows (cacheBytes). By
// default no shrinking: every step scans all n samples (O(n) per step besides the rows), which is simple and
// exact; `shrinking: true` follows libsvm's shrinking heuristic (Solver::do_shrinking, be_shrunk,
// reconstruct_gradient, with its active-set swaps, so that ties between equal violators break as in libsvm):
// bounded samples whose gradient says they stay bounded leave the scans, and the whole gradient is rebuilt
// (from Ḡ_i = Σ_{j at bound} C_j Q_ij and the free α) before the solver stops, once, at 10·tol, and whenever
// the active set looks optimal.
import { WasmMatrix, rbfProductNT, rbfRowTerms, withProductNT } from './wasm.ts';

export interface SvmProblem {
  /** n x d row-major features. */
  x: Float32Array;
  n: number;
  d: number;
  /** +1 / −1 per sample. */
  y: Int8Array;
  /** The upper bound of each α_i. */
  c: Float64Array;
}

export interface SolveOptions {
  gamma: number;
  /** Stopping tolerance on the maximal KKT violation (libsvm's eps, default 1e-3). */
  tol?: number;
  /** Kernel-row cache budget in bytes (default 128 MiB). */
  cacheBytes?: number;
  /** Step limit (default 10,000,000, libsvm's); reaching it ends the solve with the current α. */
  maxIter?: number;
  /**
   * The starting point: 'zero' (α = 0, libsvm's) or 'bound' (α_i = C_i, feasible only when the bounds of
   * the two classes sum to the same total, as with balanced class weights; otherwise 'zero' is used). With
   * a small C nearly every sample ends at its bound, so 'bound' needs far fewer steps; its gradient costs
   * one pass over the kernel matrix on the SIMD GEMM. Both reach the same optimal α (the dual is convex),
   * but when no α is strictly between its bounds ρ is only fixed to an interval, and libsvm's value (the
   * midpoint, or the yG of an α left a rounding error below its bound on its path) depends on the path:
   * use 'zero' to reproduce libsvm.
   */
  start?: 'zero' | 'bound';
  /** libsvm's shrinking (scikit-learn's default `shrinking=True`; default false here): the same optimum, libsvm's path. */
  shrinking?: boolean;
}

export interface BinarySvm {
  /** Indices (into the problem) of the support vectors (α_i > 0), ascending. */
  support: Int32Array;
  /** y_i α_i of each support vector. */
  coef: Float64Array;
  rho: number;
  iterations: number;
}

const TAU = 1e-12;
/** From this many features on, kernel rows run on the SIMD GEMM (measured: below it the JS loop is as fast). */
const GEMM_MIN_FEATURES = 16;

/** Squared norms of the n rows of x (d columns). */
export function rowNorms(x: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let f = 0, o = i * d; f < d; f++) s += x[o + f]! * x[o + f]!;
    out[i] = s;
  }
  return out;
}

/** K(x_i, x_k) for every k into `out`, from the dot products x_i·x_k in `dots`. */
function kernelFromDots(dots: ArrayLike<number>, norms: Float64Array, ni: number, gamma: number, out: Float32Array): void {
  for (let k = 0; k < out.length; k++) {
    const d2 = ni + norms[k]! - 2 * dots[k]!;
    out[k] = Math.exp(-gamma * (d2 > 0 ? d2 : 0));
  }
}

/** Row i of the kernel matrix: in JS for few features, on the SIMD GEMM (one row against all) otherwise. */
function kernelRowMaker(p: SvmProblem, norms: Float64Array, gamma: number): (i: number, out: Float32Array) => void {
  const { x, n, d } = p;
  if (d < GEMM_MIN_FEATURES || n < 256) {
    const dots = new Float64Array(n);
    return (i, out) => {
      const o = i * d;
      for (let k = 0; k < n; k++) {
        let dot = 0;
        for (let f = 0, q = k * d; f < d; f++) dot += x[o + f]! * x[q + f]!;
        dots[k] = dot;
      }
      kernelFromDots(dots, norms, norms[i]!, gamma, out);
    };
  }
  const X = new WasmMatrix({ data: x, rows: n, cols: d });
  return (i, out) => withProductNT(x.subarray(i * d, (i + 1) * d), 1, X, (dots) => kernelFromDots(dots, norms, norms[i]!, gamma, out));
}

/** True when α = C satisfies Σ y_i α_i = 0 (to rounding). */
function boundsBalance(y: Int8Array, c: Float64Array): boolean {
  let pos = 0, neg = 0;
  for (let t = 0; t < y.length; t++) if (y[t] === 1) pos += c[t]!; else neg += c[t]!;
  return pos > 0 && Math.abs(pos - neg) <= 1e-9 * pos;
}

/** ∇ = Qα − 1 at α = C: ∇_i = y_i Σ_k K_ik y_k C_k − 1, by blocks of rows on the wasm kernels (float32 sums). */
function boundGradient(p: SvmProblem, gamma: number, G: Float64Array): void {
  const { x, n, d, y, c } = p;
  const X = new WasmMatrix({ data: x, rows: n, cols: d }), xTerm = rbfRowTerms(x, n, d, gamma);
  const v = new WasmMatrix({ data: Float32Array.from(c, (ck, k) => y[k]! * ck), rows: 1, cols: n });
  const block = Math.max(1, Math.min(256, Math.floor(2 ** 22 / n)));
  for (let i0 = 0; i0 < n; i0 += block) {
    const rows = Math.min(block, n - i0);
    const s = rbfProductNT(x.subarray(i0 * d, (i0 + rows) * d), rows, X, xTerm, v, gamma);
    for (let r = 0; r < rows; r++) G[i0 + r] = y[i0 + r]! * s[r]! - 1;
  }
}

/** An LRU cache of kernel rows. */
class RowCache {
  private rows = new Map<number, Float32Array>();
  constructor(
    private readonly make: (i: number, out: Float32Array) => void,
    private readonly n: number,
    private readonly capacity: number,
  ) {}
  get(i: number): Float32Array {
    const hit = this.rows.get(i);
    if (hit) {
      this.rows.delete(i);
      this.rows.set(i, hit);
      return hit;
    }
    let buf: Float32Array;
    if (this.rows.size >= this.capacity) {
      const oldest = this.rows.keys().next().value as number;
      buf = this.rows.get(oldest)!;
      this.rows.delete(oldest);
    } else buf = new Float32Array(this.n);
    this.make(i, buf);
    this.rows.set(i, buf);
    return buf;
  }
}

/** Solves the dual above and returns the support vectors, their coefficients and ρ. */
export function solveBinarySvm(p: SvmProblem, opts: SolveOptions): BinarySvm {
  const { n, y, c } = p;
  const tol = opts.tol ?? 1e-3, maxIter = opts.maxIter ?? 10_000_000, shrinking = opts.shrinking === true;
  if (!(opts.gamma > 0)) throw new RangeError(`solveBinarySvm: gamma must be > 0, got ${opts.gamma}`);
  if (y.length !== n || c.length !== n || p.x.length !== n * p.d) throw new RangeError(`solveBinarySvm: x, y and c disagree on the sample count (${n})`);
  const norms = rowNorms(p.x, n, p.d);
  const capacity = Math.max(2, Math.floor((opts.cacheBytes ?? 128 * 2 ** 20) / (4 * Math.max(1, n))));
  const cache = new RowCache(kernelRowMaker(p, norms, opts.gamma), n, capacity);
  const alpha = new Float64Array(n);
  const G = new Float64Array(n).fill(-1);
  const bound = opts.start === 'bound' && boundsBalance(y, c);
  if (bound) {
    alpha.set(c);
    boundGradient(p, opts.gamma, G);
  }
  // 0: α at 0, 1: free, 2: α at its bound C_i.
  const status = new Uint8Array(n);
  const setStatus = (t: number) => (status[t] = alpha[t]! >= c[t]! ? 2 : alpha[t]! <= 0 ? 0 : 1);
  for (let t = 0; t < n; t++) setStatus(t);
  const upper = (t: number) => status[t] === 2;
  const lower = (t: number) => status[t] === 0;
  // Positions 0..active−1 are scanned; pos[k] is the sample at position k (libsvm's active_set swaps, kept as
  // a permutation of sample indices). Without shrinking it stays the identity and active = n.
  const pos = Int32Array.from({ length: n }, (_, k) => k);
  let active = n;
  // Ḡ_t = Σ_{j at bound} C_j Q_tj (libsvm's G_bar), kept only when shrinking: at α = C it is ∇ + 1.
  const Gbar = shrinking ? (bound ? Float64Array.from(G, (g) => g + 1) : new Float64Array(n)) : undefined;
  const reconstruct = () => {
    if (active === n || !Gbar) return;
    for (let k = active; k < n; k++) G[pos[k]!] = Gbar[pos[k]!]! - 1;
    let free = 0;
    for (let k = 0; k < active; k++) if (status[pos[k]!] === 1) free++;
    if (free * n > 2 * active * (n - active)) {
      for (let k = active; k < n; k++) {
        const i = pos[k]!, Ki = cache.get(i);
        for (let q = 0; q < active; q++) {
          const j = pos[q]!;
          if (status[j] === 1) G[i]! += alpha[j]! * (y[i]! * y[j]! * Ki[j]!);
        }
      }
    } else {
      for (let q = 0; q < active; q++) {
        const j = pos[q]!;
        if (status[j] !== 1) continue;
        const Kj = cache.get(j), aj = alpha[j]!;
        for (let k = active; k < n; k++) {
          const i = pos[k]!;
          G[i]! += aj * (y[j]! * y[i]! * Kj[i]!);
        }
      }
    }
  };
  let unshrunk = false;
  const beShrunk = (t: number, g1: number, g2: number) =>
    upper(t) ? (y[t] === 1 ? -G[t]! > g1 : -G[t]! > g2) : lower(t) ? (y[t] === 1 ? G[t]! > g2 : G[t]! > g1) : false;
  const doShrinking = () => {
    let g1 = -Infinity, g2 = -Infinity; // max −y∇ over I_up, max y∇ over I_low
    for (let k = 0; k < active; k++) {
      const t = pos[k]!;
      if (y[t] === 1) {
        if (!upper(t) && -G[t]! >= g1) g1 = -G[t]!;
        if (!lower(t) && G[t]! >= g2) g2 = G[t]!;
      } else {
        if (!upper(t) && -G[t]! >= g2) g2 = -G[t]!;
        if (!lower(t) && G[t]! >= g1) g1 = G[t]!;
      }
    }
    if (!unshrunk && g1 + g2 <= tol * 10) {
      unshrunk = true;
      reconstruct();
      active = n;
    }
    for (let k = 0; k < active; k++) {
      if (!beShrunk(pos[k]!, g1, g2)) continue;
      active--;
      while (active > k) {
        if (!beShrunk(pos[active]!, g1, g2)) {
          const t = pos[k]!;
          pos[k] = pos[active]!;
          pos[active] = t;
          break;
        }
        active--;
      }
    }
  };
  /** libsvm's working set (i, j) among the active positions, or null when they meet the stopping rule. */
  const select = (): [number, number] | null => {
    let gmax = -Infinity, i = -1;
    for (let k = 0; k < active; k++) {
      const t = pos[k]!;
      if (y[t] === 1) {
        if (status[t] !== 2 && -G[t]! >= gmax) (gmax = -G[t]!), (i = t);
      } else if (status[t] !== 0 && G[t]! >= gmax) (gmax = G[t]!), (i = t);
    }
    if (i < 0) return null;
    const Ki = cache.get(i);
    let gmax2 = -Infinity, j = -1, best = Infinity;
    for (let k = 0; k < active; k++) {
      const t = pos[k]!;
      if (y[t] === 1) {
        if (status[t] === 0) continue;
        const diff = gmax + G[t]!;
        if (G[t]! >= gmax2) gmax2 = G[t]!;
        if (diff > 0) {
          const quad = 2 - 2 * Ki[t]!;
          const obj = -(diff * diff) / (quad > 0 ? quad : TAU);
          if (obj <= best) (best = obj), (j = t);
        }
      } else {
        if (status[t] === 2) continue;
        const diff = gmax - G[t]!;
        if (-G[t]! >= gmax2) gmax2 = -G[t]!;
        if (diff > 0) {
          const quad = 2 - 2 * Ki[t]!;
          const obj = -(diff * diff) / (quad > 0 ? quad : TAU);
          if (obj <= best) (best = obj), (j = t);
        }
      }
    }
    return gmax + gmax2 < tol || j < 0 ? null : [i, j];
  };
  let iter = 0;
  let counter = Math.min(n, 1000) + 1;
  while (iter < maxIter) {
    if (shrinking && --counter === 0) {
      counter = Math.min(n, 1000);
      doShrinking();
    }
    let ws = select();
    if (!ws) {
      if (active === n) break;
      reconstruct();
      active = n;
      ws = select();
      if (!ws) break;
      counter = 1;
    }
    iter++;
    const [i, j] = ws;
    const Ki = cache.get(i), Kj = cache.get(j);
    const yi = y[i]!, yj = y[j]!, Ci = c[i]!, Cj = c[j]!;
    const Qij = yi * yj * Ki[j]!;
    const ai = alpha[i]!, aj = alpha[j]!;
    let ni: number, nj: number;
    if (yi !== yj) {
      const quad = 2 + 2 * Qij;
      const delta = (-G[i]! - G[j]!) / (quad > 0 ? quad : TAU);
      const diff = ai - aj;
      ni = ai + delta;
      nj = aj + delta;
      if (diff > 0) {
        if (nj < 0) (nj = 0), (ni = diff);
      } else if (ni < 0) (ni = 0), (nj = -diff);
      if (diff > Ci - Cj) {
        if (ni > Ci) (ni = Ci), (nj = Ci - diff);
      } else if (nj > Cj) (nj = Cj), (ni = Cj + diff);
    } else {
      const quad = 2 - 2 * Qij;
      const delta = (G[i]! - G[j]!) / (quad > 0 ? quad : TAU);
      const sum = ai + aj;
      ni = ai - delta;
      nj = aj + delta;
      if (sum > Ci) {
        if (ni > Ci) (ni = Ci), (nj = sum - Ci);
      } else if (nj < 0) (nj = 0), (ni = sum);
      if (sum > Cj) {
        if (nj > Cj) (nj = Cj), (ni = sum - Cj);
      } else if (ni < 0) (ni = 0), (nj = sum);
    }
    alpha[i] = ni;
    alpha[j] = nj;
    const di = (ni - ai) * yi, dj = (nj - aj) * yj;
    // ∇_t += Q_ti Δα_i + Q_tj Δα_j, Q_tk = y_t y_k K_tk, over the active positions.
    for (let k = 0; k < active; k++) {
      const t = pos[k]!;
      G[t]! += y[t]! * (Ki[t]! * di + Kj[t]! * dj);
    }
    const ui = upper(i), uj = upper(j);
    setStatus(i);
    setStatus(j);
    if (Gbar) {
      // Ḡ follows the samples that reach or leave their bound (over all n, as libsvm's G_bar).
      if (ui !== upper(i)) for (let t = 0; t < n; t++) Gbar[t]! += (ui ? -Ci : Ci) * (yi * y[t]! * Ki[t]!);
      if (uj !== upper(j)) for (let t = 0; t < n; t++) Gbar[t]! += (uj ? -Cj : Cj) * (yj * y[t]! * Kj[t]!);
    }
  }
  if (active < n) {
    reconstruct();
    active = n;
  }
  // ρ as libsvm's calculate_rho.
  let ub = Infinity, lb = -Infinity, free = 0, sumFree = 0;
  for (let k = 0; k < n; k++) {
    const t = pos[k]!;
    const yG = y[t]! * G[t]!;
    if (upper(t)) {
      if (y[t] === -1) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else if (lower(t)) {
      if (y[t] === 1) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else {
      free++;
      sumFree += yG;
    }
  }
  const rho = free > 0 ? sumFree / free : (ub + lb) / 2;
  const sv: number[] = [];
  for (let t = 0; t < n; t++) if (alpha[t]! > 0) sv.push(t);
  return { support: Int32Array.from(sv), coef: Float64Array.from(sv, (t) => y[t]! * alpha[t]!), rho, iterations: iter };
}
