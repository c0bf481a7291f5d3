// Activation calibration for int8 inference: records what each quantised layer sees on calibration
// beats and picks the clipping range that minimises the quantisation error.
//
// Per layer we keep the exact max |x| and an evenly strided sample of |x| (at most `perCall` values per
// forward call, `maxSamples` in all). The clip c is chosen among 100 candidates c = max·i/100
// (i = 20..100) to minimise the mean squared error of symmetric 8-bit quantisation on the sample:
//   err(c) = mean_v (v - min(round(v / s), 127)·s)²,  s = c / 127.
// Clipping a rare outlier trades a large error on it for a finer step everywhere else; taking the max
// alone (i = 100) is one of the candidates, so the choice is never worse than max calibration on the sample.

/**
 * Calibration of one quantised layer's input: keeps the exact max |x| and a strided sample of |x| over
 * forward calls, and picks the clip (among 100 fractions of the max) that minimises the mean squared error of
 * symmetric 8-bit quantisation on the sample.
 */
export class RangeObserver {
  max = 0;
  private samples: number[] = [];

  constructor(readonly perCall = 8192, readonly maxSamples = 262144) {}

  observe(values: Float32Array): void {
    const n = values.length;
    if (n === 0) return;
    let m = this.max;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(values[i]!);
      if (a > m) m = a;
    }
    if (!Number.isFinite(m)) throw new RangeError('calibration: a layer received a non-finite activation (NaN or Infinity); check the calibration beats');
    this.max = m;
    if (this.samples.length >= this.maxSamples) return;
    const step = Math.max(1, Math.floor(n / this.perCall));
    for (let i = Math.floor(step / 2); i < n && this.samples.length < this.maxSamples; i += step) this.samples.push(Math.abs(values[i]!));
  }

  get count(): number {
    return this.samples.length;
  }

  /** The clip (largest representable magnitude) with the least quantisation error on the sample. */
  clip(): number {
    if (this.max === 0) return 1;
    const v = Float64Array.from(this.samples);
    let best = this.max, bestErr = Infinity;
    for (let i = 100; i >= 20; i--) {
      const c = (this.max * i) / 100;
      const err = quantError(v, c / 127);
      if (err < bestErr) {
        bestErr = err;
        best = c;
      }
    }
    return best;
  }
}

/** Mean squared error of symmetric int8 quantisation with step s over |values|. */
export function quantError(values: Float64Array, s: number): number {
  let e = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const q = Math.min(Math.round(v / s), 127) * s;
    e += (v - q) * (v - q);
  }
  return values.length ? e / values.length : 0;
}

/** Per-row symmetric int8 quantisation of a rows x depth matrix: q = round(w / s_r), s_r = max|w_r| / 127. */
export function quantizeRows(w: Float32Array, rows: number, depth: number): { q: Int8Array; scale: Float32Array } {
  const q = new Int8Array(rows * depth), scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let k = 0; k < depth; k++) m = Math.max(m, Math.abs(w[r * depth + k]!));
    const s = m > 0 ? m / 127 : 1;
    scale[r] = s;
    const sf = scale[r]!;
    for (let k = 0; k < depth; k++) q[r * depth + k] = Math.max(-127, Math.min(127, Math.round(w[r * depth + k]! / sf)));
  }
  return { q, scale };
}
