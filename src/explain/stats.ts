// Small statistics for the evaluation: ranks with ties averaged, Spearman's rank correlation, the
// trapezoid area under a curve, means.

/** Ranks 1..n, ties given their average rank (as scipy.stats.rankdata). */
export function ranks(a: ArrayLike<number>): Float64Array {
  const n = a.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i]! - a[j]!);
  const r = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && a[idx[j + 1]!] === a[idx[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]!] = avg;
    i = j + 1;
  }
  return r;
}

/** Pearson correlation; NaN when either side is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new RangeError(`pearson: lengths ${n} and ${b.length} differ`);
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) (ma += a[i]!), (mb += b[i]!);
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** Spearman's rank correlation (Pearson on average ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(ranks(a), ranks(b));
}

/** Area under y(x) by the trapezoid rule; x defaults to an even grid on [0, 1]. */
export function trapezoidAuc(y: ArrayLike<number>, x?: ArrayLike<number>): number {
  const n = y.length;
  if (n < 2) return 0;
  let s = 0;
  for (let i = 1; i < n; i++) {
    const dx = x ? x[i]! - x[i - 1]! : 1 / (n - 1);
    s += (dx * (y[i]! + y[i - 1]!)) / 2;
  }
  return s;
}

/** Mean of the finite values (NaN when there are none). */
export function finiteMean(a: ArrayLike<number>): number {
  let s = 0, k = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]!)) (s += a[i]!), k++;
  return k ? s / k : NaN;
}

/** Absolute values, per beat row, summed over leads: n x length. */
export function timeMagnitude(values: Float32Array, n: number, channels: number, length: number): Float32Array {
  const out = new Float32Array(n * length);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < channels; c++)
      for (let t = 0; t < length; t++) out[i * length + t]! += Math.abs(values[(i * channels + c) * length + t]!);
  return out;
}

/**
 * Mean over beats of the Spearman correlation of |a_i| and |b_i| (rows of `size` values). A constant row
 * (e.g. a Grad-CAM map that vanished) carries no ranking: against a non-constant row it counts as 0,
 * against another constant row as 1.
 */
export function meanAbsSpearman(a: Float32Array, b: Float32Array, size: number): { mean: number; perBeat: Float32Array } {
  const n = a.length / size;
  const perBeat = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const ai = a.subarray(i * size, (i + 1) * size).map(Math.abs), bi = b.subarray(i * size, (i + 1) * size).map(Math.abs);
    const r = spearman(ai, bi);
    perBeat[i] = Number.isNaN(r) ? (isConstant(ai) && isConstant(bi) ? 1 : 0) : r;
  }
  return { mean: finiteMean(perBeat), perBeat };
}

function isConstant(a: ArrayLike<number>): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return false;
  return true;
}
