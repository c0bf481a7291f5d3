// Feature matrices for the classical classifiers, from the same beats as the neural models: the raw
// (resampled) beat samples of every channel, the dataset's RR features, and a small set of morphology
// features per channel. Standardisation (StandardScaler) is fitted on the training split only.
//
// Morphology features of a channel's window x (length L, rate fs). The "valid" part is x up to its last
// non-zero sample (the Kachuee windows are zero-padded after 1.2 x the local median RR):
//   max, min            largest and smallest sample
//   argmax, argmin      their positions, as fractions of L
//   validLength         length of the valid part / L (encodes the local RR in Kachuee windows)
//   mean, std           over the valid part
//   energy              mean of x² over the valid part
//   qrsWidth            QRS width proxy in seconds: the run of samples around the largest deviation
//                       from the valid part's median that stay beyond half of that deviation
//   maxSlope            largest |x[t+1] − x[t]| · fs over the valid part (units per second)
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import { type Matrix, checkMatrix } from './matrix.ts';
import { type ClassifierState, stateArray } from './format.ts';

/**
 * The names of the morphology features computed per channel of a beat window (extremes and their positions,
 * valid length, mean, standard deviation, energy, QRS width, steepest slope); buildFeatures prefixes each
 * with its channel.
 */
export const MORPHOLOGY_FEATURES: readonly string[] = [
  'max', 'min', 'argmax', 'argmin', 'validLength', 'mean', 'std', 'energy', 'qrsWidth', 'maxSlope',
];

/**
 * Which features buildFeatures puts in a classifier's matrix: the raw beat samples, the dataset's RR features
 * and the morphology features (all on by default).
 */
export interface FeatureOptions {
  /** Raw beat samples of every channel (default true). */
  beat?: boolean;
  /** RR features (default true). */
  rr?: boolean;
  /** Morphology features per channel (default true). */
  morphology?: boolean;
}

/** The feature groups, in column order. */
export const FEATURE_GROUPS = ['beat', 'rr', 'morphology'] as const;

/**
 * FeatureOptions from group names (any order). Throws a RangeError whose message completes "--<option> ...":
 * 'takes beat, rr and morphology, got "x"' or 'is empty; ...'.
 */
export function featureOptionsFromGroups(groups: readonly string[]): Required<FeatureOptions> {
  for (const g of groups) if (!(FEATURE_GROUPS as readonly string[]).includes(g)) throw new RangeError(`takes beat, rr and morphology, got "${g}"`);
  if (!groups.length) throw new RangeError('is empty; name at least one of beat, rr, morphology');
  return { beat: groups.includes('beat'), rr: groups.includes('rr'), morphology: groups.includes('morphology') };
}

/** "beat+rr+morphology"-style name of the enabled groups (as stored in .ecgc metadata). */
export function featureGroupsName(f: FeatureOptions = {}): string {
  return FEATURE_GROUPS.filter((g) => f[g] ?? true).join('+');
}

type DatasetLike = Pick<BeatDataset, 'x' | 'rr' | 'rrFeatures' | 'channels' | 'length' | 'fs' | 'y'>;

function resolve(opts: FeatureOptions): Required<FeatureOptions> {
  const r = { beat: opts.beat ?? true, rr: opts.rr ?? true, morphology: opts.morphology ?? true };
  if (!r.beat && !r.rr && !r.morphology) throw new RangeError('buildFeatures: at least one of beat, rr, morphology must be enabled');
  return r;
}

/** Names of the feature columns, in order. */
export function featureNames(ds: Pick<BeatDataset, 'channels' | 'length' | 'rrFeatures'>, opts: FeatureOptions = {}): string[] {
  const o = resolve(opts), names: string[] = [];
  const ch = (c: number) => (ds.channels > 1 ? `ch${c}.` : '');
  if (o.beat) for (let c = 0; c < ds.channels; c++) for (let t = 0; t < ds.length; t++) names.push(`${ch(c)}beat[${t}]`);
  if (o.rr) for (const r of ds.rrFeatures) names.push(`rr.${r}`);
  if (o.morphology) for (let c = 0; c < ds.channels; c++) for (const m of MORPHOLOGY_FEATURES) names.push(`${ch(c)}morph.${m}`);
  return names;
}

/** Morphology features of one window (see the file header), written into out at offset o. */
export function morphology(x: Float32Array, fs: number, out: Float32Array | Float64Array, o = 0): void {
  const L = x.length;
  let last = L - 1;
  while (last > 0 && x[last] === 0) last--;
  const n = last + 1;
  let mx = -Infinity, mn = Infinity, imx = 0, imn = 0, sum = 0, sq = 0, slope = 0;
  for (let t = 0; t < n; t++) {
    const v = x[t]!;
    if (v > mx) { mx = v; imx = t; }
    if (v < mn) { mn = v; imn = t; }
    sum += v;
    sq += v * v;
    if (t + 1 < n) slope = Math.max(slope, Math.abs(x[t + 1]! - v));
  }
  const mean = sum / n;
  const sorted = Float32Array.from(x.subarray(0, n)).sort();
  const med = n % 2 ? sorted[(n - 1) >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  let peak = 0, ip = 0;
  for (let t = 0; t < n; t++) {
    const dv = Math.abs(x[t]! - med);
    if (dv > peak) { peak = dv; ip = t; }
  }
  let width = 0;
  if (peak > 0) {
    let a = ip, b = ip;
    while (a > 0 && Math.abs(x[a - 1]! - med) >= peak / 2) a--;
    while (b + 1 < n && Math.abs(x[b + 1]! - med) >= peak / 2) b++;
    width = (b - a + 1) / fs;
  }
  out[o] = mx;
  out[o + 1] = mn;
  out[o + 2] = imx / L;
  out[o + 3] = imn / L;
  out[o + 4] = n / L;
  out[o + 5] = mean;
  out[o + 6] = Math.sqrt(Math.max(0, sq / n - mean * mean));
  out[o + 7] = sq / n;
  out[o + 8] = width;
  out[o + 9] = slope * fs;
}

/** The (unstandardised) feature matrix of the given rows of a dataset (default: all rows). */
export function buildFeatures(ds: DatasetLike, rows?: ArrayLike<number>, opts: FeatureOptions = {}): Matrix {
  const o = resolve(opts);
  const n = rows ? rows.length : ds.y.length;
  const C = ds.channels, L = ds.length, R = ds.rrFeatures.length, M = MORPHOLOGY_FEATURES.length;
  const d = (o.beat ? C * L : 0) + (o.rr ? R : 0) + (o.morphology ? C * M : 0);
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const i = rows ? rows[r]! : r;
    if (!(i >= 0 && i < ds.y.length)) throw new RangeError(`buildFeatures: row ${i} is out of range (dataset has ${ds.y.length} beats)`);
    let at = r * d;
    const beat = ds.x.subarray(i * C * L, (i + 1) * C * L);
    if (o.beat) { out.set(beat, at); at += C * L; }
    if (o.rr) { out.set(ds.rr.subarray(i * R, (i + 1) * R), at); at += R; }
    if (o.morphology) for (let c = 0; c < C; c++) { morphology(beat.subarray(c * L, (c + 1) * L), ds.fs, out, at); at += M; }
  }
  return { data: out, rows: n, cols: d, names: featureNames(ds, opts) };
}

/** Per-column standardisation (x − mean) / std, fitted on training rows; constant columns get std 1. */
export class StandardScaler {
  readonly kind = 'standard-scaler';
  mean = new Float64Array(0);
  scale = new Float64Array(0);

  fit(X: Matrix): this {
    checkMatrix(X, 'StandardScaler.fit');
    if (X.rows === 0) throw new RangeError('StandardScaler.fit: X has no rows');
    const { rows: n, cols: d, data } = X;
    const mean = new Float64Array(d), v = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]!;
    for (let j = 0; j < d; j++) mean[j]! /= n;
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) v[j]! += (data[i * d + j]! - mean[j]!) ** 2;
    this.mean = mean;
    this.scale = v.map((s) => { const sd = Math.sqrt(s / n); return sd > 1e-12 ? sd : 1; });
    return this;
  }

  transform(X: Matrix): Matrix {
    const d = this.mean.length;
    if (!d) throw new Error('StandardScaler.transform: the scaler is not fitted; call fit(X) first');
    if (X.cols !== d) throw new RangeError(`StandardScaler.transform: X has ${X.cols} columns, the scaler was fitted on ${d}`);
    const out = new Float32Array(X.data.length);
    for (let i = 0; i < X.rows; i++) for (let j = 0; j < d; j++) out[i * d + j] = (X.data[i * d + j]! - this.mean[j]!) / this.scale[j]!;
    return X.names ? { data: out, rows: X.rows, cols: d, names: X.names } : { data: out, rows: X.rows, cols: d };
  }

  fitTransform(X: Matrix): Matrix {
    return this.fit(X).transform(X);
  }

  toState(): ClassifierState {
    return { kind: this.kind, nClasses: 0, nFeatures: this.mean.length, params: {}, arrays: { mean: this.mean, scale: this.scale } };
  }

  static fromState(s: ClassifierState): StandardScaler {
    const m = new StandardScaler();
    m.mean = stateArray(s, 'mean', Float64Array, s.nFeatures);
    m.scale = stateArray(s, 'scale', Float64Array, s.nFeatures);
    return m;
  }
}
