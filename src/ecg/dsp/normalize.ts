// Amplitude normalisation: z-score ((x - mean) / standard deviation) and min-max (to [0, 1]).
// A constant input has no scale; both return zeros for it rather than dividing by zero.

/** (x - mean) / std (population std). */
export function zscore(x: ArrayLike<number>): Float32Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n || 1;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i]! - mean) ** 2;
  const sd = Math.sqrt(v / (n || 1));
  const out = new Float32Array(n);
  if (sd > 0) for (let i = 0; i < n; i++) out[i] = (x[i]! - mean) / sd;
  return out;
}

/** (x - min) / (max - min), into `out` (a new array by default). */
export function minMax(x: ArrayLike<number>, out: Float32Array = new Float32Array(x.length)): Float32Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const r = hi - lo;
  for (let i = 0; i < x.length; i++) out[i] = r > 0 ? (x[i]! - lo) / r : 0;
  return out;
}
