// A streaming form of src/ecg/dsp/resample.ts: the same polyphase table, the same tap order and the same
// clamping at both ends, so feeding a signal in chunks of any size and then calling end() gives exactly
// the samples resample() gives on the whole signal. Output k needs input up to floor(k·M/L) + K, so
// it lags the input by K input samples (K = ceil(kernel half-width); 52 samples for 360 -> 125 Hz).
import { polyphaseSum, polyphaseTable } from '../ecg/dsp/resample.ts';

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** A growable Float32 buffer that forgets its head (absolute indices stay valid). */
export class SampleBuffer {
  private data = new Float32Array(4096);
  /** Absolute index of data[0]. */
  private base = 0;
  /** Absolute length (samples ever appended). */
  length = 0;

  push(v: number): void {
    const at = this.length - this.base;
    if (at === this.data.length) {
      const next = new Float32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[at] = v;
    this.length++;
  }

  at(i: number): number {
    return this.data[i - this.base]!;
  }

  /** A view of [from, to) (valid until the next push or trim). */
  view(from: number, to: number): Float32Array {
    return this.data.subarray(from - this.base, to - this.base);
  }

  /** Forgets samples before `keep` (when that frees at least half the buffer). */
  trim(keep: number): void {
    const drop = Math.min(keep, this.length) - this.base;
    if (drop <= 0 || drop < this.data.length / 2) return;
    this.data.copyWithin(0, drop, this.length - this.base);
    this.base += drop;
  }

  get first(): number {
    return this.base;
  }
}

export class StreamResampler {
  readonly L: number;
  readonly M: number;
  private readonly K: number;
  private readonly taps: number;
  private readonly table: Float64Array;
  readonly input = new SampleBuffer();
  /** Output samples produced so far. */
  produced = 0;
  private ended = false;

  constructor(
    readonly fsIn: number,
    readonly fsOut: number,
    options: { rolloff?: number; zeros?: number } = {},
  ) {
    if (!(fsIn > 0 && fsOut > 0)) throw new RangeError(`resample: frequencies must be positive, got ${fsIn} -> ${fsOut}`);
    const a = Math.round(fsOut * 1000), b = Math.round(fsIn * 1000);
    const g = gcd(a, b);
    this.L = a / g;
    this.M = b / g;
    const L = this.L;
    // Same filter as resample() (one shared table builder), so batch and streaming agree exactly.
    const { K, taps, table } = L === this.M ? { K: 0, taps: 0, table: new Float64Array(0) } : polyphaseTable(fsIn, fsOut, L, options);
    this.K = K;
    this.taps = taps;
    this.table = table;
  }

  /** Appends input samples and writes every output sample they complete to `out`. */
  push(x: ArrayLike<number>, out: SampleBuffer): void {
    if (this.ended) throw new Error('resampler: push after end()');
    for (let i = 0; i < x.length; i++) this.input.push(x[i]!);
    this.run(out, false);
  }

  /** Ends the input: writes the remaining output samples (the last ones see the end value repeated). */
  end(out: SampleBuffer): void {
    this.ended = true;
    this.run(out, true);
  }

  /** Total output length once ended (ceil(n·L/M)). */
  get finalLength(): number {
    return Math.ceil((this.input.length * this.L) / this.M);
  }

  private run(out: SampleBuffer, final: boolean): void {
    const n = this.input.length;
    const { L, M, K, taps, table } = this;
    if (L === M) {
      for (; this.produced < n; this.produced++) out.push(this.input.at(this.produced));
      this.input.trim(this.produced);
      return;
    }
    const nOut = final ? Math.ceil((n * L) / M) : Infinity;
    for (;;) {
      const k = this.produced;
      if (k >= nOut) break;
      const pos = k * M;
      const i0 = Math.floor(pos / L);
      if (!final && i0 + K >= n) break;
      if (n === 0) break;
      const base = (pos - i0 * L) * taps;
      const first = i0 - K + 1;
      out.push(polyphaseSum(table, base, taps, (j) => this.input.at(Math.min(n - 1, Math.max(0, first + j)))));
      this.produced++;
    }
    const nextFirst = Math.floor((this.produced * M) / L) - K + 1;
    this.input.trim(Math.max(0, nextFirst - 1));
  }
}
