// Anti-aliased rational resampling (e.g. 360 -> 125 Hz = x25/72) by direct polyphase evaluation of a
// Blackman-windowed sinc: output k sits at input time k * fsIn / fsOut, and the kernel's cut-off is
// `rolloff` x the lower Nyquist frequency, so content above the new Nyquist is removed before it can
// alias. Each phase's taps are normalised to sum to 1 (exact DC gain); samples beyond the ends repeat
// the end values. Reference: Smith, "Digital Audio Resampling" (ccrma.stanford.edu/~jos/resample).

/** Options of resample: the anti-aliasing cut-off and the windowed-sinc kernel's half-width. */
export interface ResampleOptions {
  /** Cut-off as a fraction of min(fsIn, fsOut) / 2 (default 0.9). */
  rolloff?: number;
  /** Kernel half-width in zero crossings of the cut-off (default 16). */
  zeros?: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Integer ratio L / M with fsOut / fsIn = L / M (frequencies rounded to 1/1000 Hz). */
function ratio(fsIn: number, fsOut: number): [number, number] {
  const a = Math.round(fsOut * 1000), b = Math.round(fsIn * 1000);
  const g = gcd(a, b);
  return [a / g, b / g];
}

/** Number of output samples for n input samples. */
export function resampledLength(n: number, fsIn: number, fsOut: number): number {
  const [L, M] = ratio(fsIn, fsOut);
  return Math.ceil((n * L) / M);
}

/**
 * The polyphase windowed-sinc filter of resample() (Blackman window, cut-off rolloff·min(fsIn, fsOut)/2):
 * table[phase·taps + j] is the weight of input sample i0 − K + 1 + j for the output at time
 * i0 + phase / L; each phase's weights sum to 1. Shared with the streaming resampler so both agree exactly.
 */
export function polyphaseTable(fsIn: number, fsOut: number, L: number, options: ResampleOptions = {}): { K: number; taps: number; table: Float64Array } {
  const cut = ((options.rolloff ?? 0.9) * Math.min(fsIn, fsOut)) / 2 / fsIn; // cycles per input sample
  const half = (options.zeros ?? 16) / (2 * cut); // kernel half-width in input samples
  const K = Math.ceil(half);
  const taps = 2 * K;
  // table[phase][j]: weight of input sample i0 - K + 1 + j for output at time i0 + phase / L.
  const table = new Float64Array(L * taps);
  for (let ph = 0; ph < L; ph++) {
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const tau = ph / L + K - 1 - j; // output time minus input sample time
      let w = 0;
      if (Math.abs(tau) < half) {
        const u = tau / half; // -1..1
        const win = 0.42 + 0.5 * Math.cos(Math.PI * u) + 0.08 * Math.cos(2 * Math.PI * u);
        const arg = 2 * cut * tau;
        w = 2 * cut * (arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg)) * win;
      }
      table[ph * taps + j] = w;
      sum += w;
    }
    for (let j = 0; j < taps; j++) table[ph * taps + j]! /= sum;
  }
  return { K, taps, table };
}

/**
 * sum_j table[base + j] · sample(j) for j < taps (even), in resample()'s order: four lanes by j % 4, a
 * last pair in lanes 0 and 1, then (lane0 + lane1) + (lane2 + lane3). Used at the edges and by the
 * streaming resampler, so batch and streaming outputs are bit-identical.
 */
export function polyphaseSum(table: Float64Array, base: number, taps: number, sample: (j: number) => number): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  let j = 0;
  for (; j + 3 < taps; j += 4) {
    a0 += table[base + j]! * sample(j);
    a1 += table[base + j + 1]! * sample(j + 1);
    a2 += table[base + j + 2]! * sample(j + 2);
    a3 += table[base + j + 3]! * sample(j + 3);
  }
  if (j < taps) {
    a0 += table[base + j]! * sample(j);
    a1 += table[base + j + 1]! * sample(j + 1);
  }
  return a0 + a1 + (a2 + a3);
}

/** Resamples x from fsIn to fsOut. */
export function resample(input: ArrayLike<number>, fsIn: number, fsOut: number, options: ResampleOptions = {}): Float32Array {
  if (!(fsIn > 0 && fsOut > 0)) throw new RangeError(`resample: frequencies must be positive, got ${fsIn} -> ${fsOut}`);
  // One monomorphic array type for the inner loop (callers pass Float32Array, Float64Array or number[];
  // a polymorphic read there costs 4x the whole resampling).
  const x = input instanceof Float64Array ? input : Float64Array.from(input);
  const n = x.length;
  const [L, M] = ratio(fsIn, fsOut);
  const nOut = Math.ceil((n * L) / M);
  const out = new Float32Array(nOut);
  if (n === 0) return out;
  if (L === M) {
    for (let i = 0; i < n; i++) out[i] = x[i]!;
    return out;
  }
  const { K, taps, table } = polyphaseTable(fsIn, fsOut, L, options);
  for (let k = 0; k < nOut; k++) {
    const pos = k * M;
    const i0 = Math.floor(pos / L);
    const ph = pos - i0 * L;
    const base = ph * taps;
    const first = i0 - K + 1;
    // Four partial sums (tap j goes to lane j % 4; taps is even, so a last pair goes to lanes 0, 1): the
    // add chains run in parallel. polyphaseSum() is the same order for the streaming resampler.
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let j = 0;
    if (first >= 0 && first + taps <= n) {
      for (let i = first; j + 3 < taps; j += 4, i += 4) {
        a0 += table[base + j]! * x[i]!;
        a1 += table[base + j + 1]! * x[i + 1]!;
        a2 += table[base + j + 2]! * x[i + 2]!;
        a3 += table[base + j + 3]! * x[i + 3]!;
      }
      if (j < taps) {
        a0 += table[base + j]! * x[first + j]!;
        a1 += table[base + j + 1]! * x[first + j + 1]!;
      }
      out[k] = a0 + a1 + (a2 + a3);
    } else {
      out[k] = polyphaseSum(table, base, taps, (t) => x[Math.min(n - 1, Math.max(0, first + t))]!);
    }
  }
  return out;
}

/** Maps a sample index from fsIn to the nearest sample at fsOut. */
export function resampleIndex(sample: number, fsIn: number, fsOut: number): number {
  return Math.round((sample * fsOut) / fsIn);
}
