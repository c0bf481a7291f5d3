// Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4 / 7.5) in float64 with a backtracking Armijo
// line search, for smooth convex objectives (multinomial logistic regression).

/**
 * Options of lbfgs: iteration limit, gradient and function-decrease tolerances, and the memory of the update.
 */
export interface LbfgsOptions {
  /** Maximum iterations (default 500). */
  maxIter?: number;
  /** Stop when the largest |gradient| component falls below this (default 1e-5). */
  gradTol?: number;
  /** Stop when the relative decrease of f over an iteration falls below this (default 1e-10). */
  fTol?: number;
  /** History size (default 10). */
  memory?: number;
}

/**
 * What lbfgs returns: the minimiser, its objective value, the iterations, whether a tolerance was met and the
 * largest gradient component.
 */
export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  converged: boolean;
  gradMax: number;
}

/** Minimises f; `fg(x, g)` returns f(x) and writes the gradient into g. */
export function lbfgs(fg: (x: Float64Array, g: Float64Array) => number, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const { maxIter = 500, gradTol = 1e-5, fTol = 1e-10, memory = 10 } = opts;
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = fg(x, g);
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  const d = new Float64Array(n), xNew = new Float64Array(n), gNew = new Float64Array(n);
  const alpha = new Float64Array(memory);
  const infNorm = (v: Float64Array) => { let m = 0; for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!)); return m; };
  const dot = (a: Float64Array, b: Float64Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; };
  let it = 0;
  let gmax = infNorm(g);
  while (it < maxIter && gmax > gradTol) {
    it++;
    // Two-loop recursion: d = -H·g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let j = S.length - 1; j >= 0; j--) {
      const a = rho[j]! * dot(S[j]!, d);
      alpha[j] = a;
      const yj = Y[j]!;
      for (let i = 0; i < n; i++) d[i]! -= a * yj[i]!;
    }
    if (S.length) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let i = 0; i < n; i++) d[i]! *= gamma;
    }
    for (let j = 0; j < S.length; j++) {
      const b = rho[j]! * dot(Y[j]!, d);
      const sj = S[j]!;
      for (let i = 0; i < n; i++) d[i]! += (alpha[j]! - b) * sj[i]!;
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      slope = dot(g, d);
    }
    let step = S.length ? 1 : Math.min(1, 1 / Math.max(Math.sqrt(-slope), 1e-12));
    let fNew = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
      fNew = fg(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) break; // the line search failed: we are at the precision limit
    const s = new Float64Array(n), yv = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      yv[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, yv);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(yv, yv))) {
      if (S.length === memory) { S.shift(); Y.shift(); rho.shift(); }
      S.push(s); Y.push(yv); rho.push(1 / sy);
    }
    const rel = (f - fNew) / Math.max(Math.abs(f), Math.abs(fNew), 1);
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    gmax = infNorm(g);
    if (rel < fTol) break;
  }
  return { x, f, iterations: it, converged: gmax <= gradTol, gradMax: gmax };
}
