// Butterworth filters as second-order sections (SOS), designed here from the analog prototype: poles
// on the unit circle, low-pass to low/high/band-pass transformation, bilinear transform with
// frequency pre-warping, gain normalised at DC, Nyquist or the band centre. Filtering: causal sosfilt
// (transposed direct form II) and zero-phase filtfilt (forward-backward, odd extension at the ends,
// steady-state initial conditions), whose magnitude response is |H(f)|^2. References: Oppenheim &
// Schafer, "Discrete-Time Signal Processing", 7.1; scipy.signal.butter / sosfiltfilt.

/** One section: [b0, b1, b2, 1, a1, a2] (scipy's layout). */
export type Sos = number[][];

type C = [number, number];
const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const sub = (a: C, b: C): C => [a[0] - b[0], a[1] - b[1]];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const div = (a: C, b: C): C => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};
const csqrt = (a: C): C => {
  const r = Math.hypot(a[0], a[1]);
  const re = Math.sqrt((r + a[0]) / 2);
  const im = Math.sqrt(Math.max(0, (r - a[0]) / 2));
  return [re, a[1] < 0 ? -im : im];
};

/** The kind of Butterworth filter to design: 'lowpass', 'highpass' or 'bandpass'. */
export type FilterType = 'lowpass' | 'highpass' | 'bandpass';

/**
 * Designs a digital Butterworth filter of `order` (per edge) as SOS. `cutoff` in Hz: one frequency for
 * low/high-pass, [low, high] for band-pass (a band-pass of order N has 2N poles, N sections).
 */
export function butterworth(order: number, cutoff: number | [number, number], fs: number, type: FilterType = 'bandpass'): Sos {
  if (!Number.isInteger(order) || order < 1) throw new RangeError(`butterworth: order must be a positive integer, got ${order}`);
  const edges = Array.isArray(cutoff) ? cutoff : [cutoff];
  if ((type === 'bandpass') !== (edges.length === 2)) throw new RangeError(`butterworth: a ${type} filter needs ${type === 'bandpass' ? 'two cut-offs [low, high]' : 'one cut-off'}`);
  for (const f of edges) if (!(f > 0 && f < fs / 2)) throw new RangeError(`butterworth: cut-off ${f} Hz must lie strictly between 0 and fs/2 = ${fs / 2} Hz`);
  if (type === 'bandpass' && !(edges[0]! < edges[1]!)) throw new RangeError(`butterworth: band-pass needs low < high, got [${edges}]`);
  const warp = (f: number) => 2 * fs * Math.tan((Math.PI * f) / fs);
  const proto: C[] = [];
  for (let k = 0; k < order; k++) {
    const th = (Math.PI * (2 * k + order + 1)) / (2 * order);
    proto.push([Math.cos(th), Math.sin(th)]);
  }
  let analog: C[];
  let zeroRow: number[];
  let refOmega: number; // digital frequency (rad/sample) where the gain is set to 1
  if (type === 'lowpass') {
    const W = warp(edges[0]!);
    analog = proto.map((p) => mul(p, [W, 0]));
    zeroRow = [1, 2, 1];
    refOmega = 0;
  } else if (type === 'highpass') {
    const W = warp(edges[0]!);
    analog = proto.map((p) => div([W, 0], p));
    zeroRow = [1, -2, 1];
    refOmega = Math.PI;
  } else {
    const W1 = warp(edges[0]!), W2 = warp(edges[1]!);
    const w0sq = W1 * W2, bw = W2 - W1;
    analog = [];
    for (const p of proto) {
      const pb = mul(p, [bw, 0]);
      const disc = csqrt(sub(mul(pb, pb), [4 * w0sq, 0]));
      analog.push(mul(add(pb, disc), [0.5, 0]), mul(sub(pb, disc), [0.5, 0]));
    }
    zeroRow = [1, 0, -1];
    refOmega = 2 * Math.atan(Math.sqrt(w0sq) / (2 * fs));
  }
  const fs2: C = [2 * fs, 0];
  const digital = analog.map((s) => div(add(fs2, s), sub(fs2, s)));
  // Pair poles into sections: complex poles with their conjugates, real poles two by two.
  const complex = digital.filter((p) => p[1] > 1e-10);
  const real = digital.filter((p) => Math.abs(p[1]) <= 1e-10).map((p) => p[0]).sort((a, b) => a - b);
  const sos: Sos = complex.map((p) => [...zeroRow, 1, -2 * p[0], p[0] * p[0] + p[1] * p[1]]);
  for (let i = 0; i + 1 < real.length; i += 2) sos.push([...zeroRow, 1, -(real[i]! + real[i + 1]!), real[i]! * real[i + 1]!]);
  if (real.length % 2 === 1) {
    const p = real[real.length - 1]!;
    sos.push(type === 'lowpass' ? [1, 1, 0, 1, -p, 0] : [1, -1, 0, 1, -p, 0]);
  }
  const g = sosGain(sos, refOmega);
  sos[0] = sos[0]!.map((v, i) => (i < 3 ? v / g : v));
  return sos;
}

/** |H(e^{jω})| of a cascade at ω in radians per sample. */
export function sosGain(sos: Sos, omega: number): number {
  const z1: C = [Math.cos(-omega), Math.sin(-omega)];
  const z2 = mul(z1, z1);
  let h: C = [1, 0];
  for (const [b0, b1, b2, , a1, a2] of sos) {
    const num = add(add([b0!, 0], mul([b1!, 0], z1)), mul([b2!, 0], z2));
    const den = add(add([1, 0], mul([a1!, 0], z1)), mul([a2!, 0], z2));
    h = mul(h, div(num, den));
  }
  return Math.hypot(h[0], h[1]);
}

/** |H(f)| of a cascade at frequency f (Hz) for sampling frequency fs. */
export function sosResponse(sos: Sos, f: number, fs: number): number {
  return sosGain(sos, (2 * Math.PI * f) / fs);
}

/** Causal filtering; `state` (2 values per section) carries over between calls for streaming. */
export function sosfilt(sos: Sos, x: ArrayLike<number>, state?: Float64Array): Float64Array {
  const n = x.length;
  const y = Float64Array.from(x as ArrayLike<number>);
  const zi = state ?? new Float64Array(2 * sos.length);
  for (let s = 0; s < sos.length; s++) {
    const [b0, b1, b2, , a1, a2] = sos[s]! as [number, number, number, number, number, number];
    let z1 = zi[2 * s]!, z2 = zi[2 * s + 1]!;
    for (let i = 0; i < n; i++) {
      const xi = y[i]!;
      const yi = b0 * xi + z1;
      z1 = b1 * xi - a1 * yi + z2;
      z2 = b2 * xi - a2 * yi;
      y[i] = yi;
    }
    zi[2 * s] = z1;
    zi[2 * s + 1] = z2;
  }
  return y;
}

/** Steady-state section states for a constant input of 1 (scipy's sosfilt_zi). */
export function sosfiltZi(sos: Sos): Float64Array {
  const zi = new Float64Array(2 * sos.length);
  let level = 1;
  for (let s = 0; s < sos.length; s++) {
    const [b0, b1, b2, , a1, a2] = sos[s]! as number[];
    const g = (b0! + b1! + b2!) / (1 + a1! + a2!);
    const z2 = (b2! - a2! * g) * level;
    const z1 = (b1! - a1! * g) * level + z2;
    zi[2 * s] = z1;
    zi[2 * s + 1] = z2;
    level *= g;
  }
  return zi;
}

/**
 * Zero-phase filtering: forward then backward, after extending both ends by odd reflection of
 * `padLength` samples (default 3 x (2 x sections + 1), as scipy; capped at n - 1).
 */
export function filtfilt(sos: Sos, x: ArrayLike<number>, padLength?: number): Float32Array {
  const n = x.length;
  if (n === 0) return new Float32Array(0);
  const pad = Math.min(n - 1, padLength ?? 3 * (2 * sos.length + 1));
  const ext = new Float64Array(n + 2 * pad);
  const x0 = x[0]!, xn = x[n - 1]!;
  for (let i = 0; i < pad; i++) ext[i] = 2 * x0 - x[pad - i]!;
  for (let i = 0; i < n; i++) ext[pad + i] = x[i]!;
  for (let i = 0; i < pad; i++) ext[pad + n + i] = 2 * xn - x[n - 2 - i]!;
  const zi = sosfiltZi(sos);
  const fwd = sosfilt(sos, ext, zi.map((v) => v * ext[0]!));
  fwd.reverse();
  const back = sosfilt(sos, fwd, zi.map((v) => v * fwd[0]!));
  back.reverse();
  return Float32Array.from(back.subarray(pad, pad + n));
}

/** Zero-phase Butterworth band-pass of a signal (defaults: order 2, 0.5-40 Hz). */
export function bandpass(x: ArrayLike<number>, fs: number, options: { low?: number; high?: number; order?: number } = {}): Float32Array {
  const sos = butterworth(options.order ?? 2, [options.low ?? 0.5, options.high ?? 40], fs, 'bandpass');
  return filtfilt(sos, x);
}
