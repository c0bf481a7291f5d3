// SHAP attributions (Lundberg & Lee 2017).
//
// GradientSHAP / expected gradients (Erion et al. 2021): for each beat, `samples` draws of a background
// beat b and α ~ U(0, 1) (plus optional Gaussian noise of std `stdev` on the point, as Captum's
// GradientShap), attribution = mean over draws of ∂f(b + α(x − b))/∂x ⊙ (x − b). Its sum approximates
// f(x) − E_b[f(b)] (the gap is reported as delta).
//
// KernelSHAP over contiguous segments (model-agnostic): the beat is cut into `segments` contiguous time
// segments (all leads together). A coalition z ∈ {0,1}^M keeps the segments with z_j = 1 and replaces
// the others by the baseline (averaging f over the background beats when several are given). The Shapley
// values solve the weighted least-squares fit of v(z) = f(x_z) − f(b) by z·φ with the Shapley kernel
// π(z) = (M − 1) / (C(M, |z|) |z| (M − |z|)), under the efficiency constraint Σ φ = f(x) − f(b), which is
// enforced exactly by eliminating one variable. With 2^M − 2 ≤ `samples` every coalition is enumerated
// (exact Shapley values); otherwise coalition sizes are drawn ∝ the kernel's mass per size, with paired
// (complementary) samples. A segment's value is spread evenly over its samples, so the per-sample
// attributions also sum to f(x) − f(b).
import { Rng } from '../core/random.ts';
import { type ExplainedModel, ExplainError, resolveTargets } from './classifier.ts';
import { type Attribution, type CommonOptions, makeAttribution } from './gradient.ts';
import { type Baseline, type BaselineOptions, baselineFor } from './baselines.ts';
import { completenessDelta } from './integrated-gradients.ts';

/**
 * Options of gradientShap: targets, RR features, the background beats (required), draws per beat, noise and
 * seed.
 */
export interface GradientShapOptions extends CommonOptions {
  /** Background beats (k x channels x length), e.g. a random sample of training beats. Required. */
  background: Float32Array;
  /** Draws per beat (default 50). */
  samples?: number;
  /** Std of Gaussian noise added to each point (default 0: expected gradients). */
  stdev?: number;
  seed?: number;
}

/**
 * GradientSHAP (expected gradients): the mean over random background beats b and points on the path from b to
 * x of (x − b) × the gradient, seeded. Throws an ExplainError for a wrong beat shape, a background that is
 * not whole beats, or an invalid option.
 */
export function gradientShap(clf: ExplainedModel, x: Float32Array, opts: GradientShapOptions): Attribution {
  const targets = resolveTargets(clf, x, opts.rr, opts.targets);
  const n = targets.length, S = clf.beatSize;
  const bg = opts.background;
  if (!(bg instanceof Float32Array) || bg.length === 0 || bg.length % S !== 0)
    throw new ExplainError(`gradient-shap: background must be a Float32Array of k x ${S} values (k background beats)`);
  const k = bg.length / S, samples = opts.samples ?? 50, stdev = opts.stdev ?? 0;
  if (!Number.isInteger(samples) || samples < 1) throw new ExplainError(`gradient-shap: samples must be a positive integer, got ${samples}`);
  const rng = new Rng(opts.seed ?? 0);
  const values = new Float32Array(n * S);
  const baselineScores = new Float32Array(n);
  // f(background): shared, unless RR features make it depend on the explained beat's RR context.
  const shared = clf.rrFeatures ? null : clf.scores(bg);
  for (let i = 0; i < n; i++) {
    const bgScoresAll = shared ?? clf.scores(bg, clf.rrRows(opts.rr, new Int32Array(k).fill(i)));
    const K = bgScoresAll.length / k;
    const xi = x.subarray(i * S, (i + 1) * S);
    const pts = new Float32Array(samples * S), diff = new Float32Array(samples * S);
    let fb = 0;
    for (let s = 0; s < samples; s++) {
      const b = rng.int(k), a = rng.uniform();
      fb += bgScoresAll[b * K + targets[i]!]!;
      for (let j = 0; j < S; j++) {
        const bj = bg[b * S + j]!;
        diff[s * S + j] = xi[j]! - bj;
        pts[s * S + j] = bj + a * (xi[j]! - bj) + (stdev ? stdev * rng.normal() : 0);
      }
    }
    baselineScores[i] = fb / samples;
    const { grads } = clf.targetGradients(pts, clf.rrRows(opts.rr, new Int32Array(samples).fill(i)), new Int32Array(samples).fill(targets[i]!));
    for (let s = 0; s < samples; s++) for (let j = 0; j < S; j++) values[i * S + j]! += (grads[s * S + j]! * diff[s * S + j]!) / samples;
  }
  const scores = clf.targetScores(x, opts.rr, targets);
  return makeAttribution(clf, 'gradient-shap', values, targets, { scores, baselineScores, delta: completenessDelta(values, S, scores, baselineScores) });
}

/**
 * A black-box classifier: outputs (rows x classes) for a batch of beats (rows x channels x length).
 * `beat[r]` is the index of the explained beat that row r is a perturbation of (for per-beat context such
 * as RR features); classifiers that need no context ignore it.
 */
export type PredictFn = (x: Float32Array, beat: Int32Array) => Float32Array;

/** Options of kernelShap: the beat shape, targets, segments, coalitions per beat, the baseline and seed. */
export interface KernelShapOptions extends BaselineOptions {
  channels?: number;
  length: number;
  /** Class per beat (or one for all). Default: the class predict() scores highest. */
  targets?: number | ArrayLike<number>;
  /** Number of contiguous segments (default 16), or explicit segment starts (ascending, first 0). */
  segments?: number | number[];
  /** Coalitions per beat (default 512). */
  samples?: number;
  /** Baseline: a kind, one beat, or k background beats (k x size, f averaged over them). Default 'zero'. */
  baseline?: Baseline;
  seed?: number;
}

/**
 * A KernelSHAP attribution: each sample gets its segment's Shapley value; also the values per segment and the
 * segment starts.
 */
export interface KernelShapResult extends Attribution {
  /** Shapley value of each segment (n x M). */
  segmentValues: Float32Array;
  /** Segment starts (length M) and the beat length as the final end. */
  segmentStarts: number[];
}

function segmentStarts(length: number, segments: number | number[]): number[] {
  if (Array.isArray(segments)) {
    if (segments[0] !== 0 || segments.some((s, i) => !Number.isInteger(s) || s >= length || (i > 0 && s <= segments[i - 1]!)))
      throw new ExplainError(`kernel-shap: segment starts must be ascending integers in [0, ${length}) starting at 0`);
    return segments.slice();
  }
  if (!Number.isInteger(segments) || segments < 2 || segments > length)
    throw new ExplainError(`kernel-shap: segments must be an integer in [2, ${length}], got ${segments}`);
  return Array.from({ length: segments }, (_, j) => Math.round((j * length) / segments));
}

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Solves A y = b (A symmetric positive semi-definite, small) by Gaussian elimination with partial pivoting and a tiny ridge. */
function solve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const M = Float64Array.from(A), y = Float64Array.from(b);
  let tr = 0;
  for (let i = 0; i < n; i++) tr += M[i * n + i]!;
  for (let i = 0; i < n; i++) M[i * n + i]! += 1e-10 * (tr / n || 1);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]!) > Math.abs(M[p * n + c]!)) p = r;
    if (p !== c) {
      for (let j = 0; j < n; j++) [M[c * n + j], M[p * n + j]] = [M[p * n + j]!, M[c * n + j]!];
      [y[c], y[p]] = [y[p]!, y[c]!];
    }
    const d = M[c * n + c]!;
    if (Math.abs(d) < 1e-300) continue;
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c]! / d;
      if (!f) continue;
      for (let j = c; j < n; j++) M[r * n + j]! -= f * M[c * n + j]!;
      y[r]! -= f * y[c]!;
    }
  }
  const out = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = y[r]!;
    for (let j = r + 1; j < n; j++) s -= M[r * n + j]! * out[j]!;
    const d = M[r * n + r]!;
    out[r] = Math.abs(d) < 1e-300 ? 0 : s / d;
  }
  return out;
}

/** Coalitions (rows of M bits) and their regression weights. */
function coalitions(M: number, samples: number, rng: Rng): { z: Uint8Array[]; w: number[] } {
  const z: Uint8Array[] = [], w: number[] = [];
  if (M <= 30 && 2 ** M - 2 <= samples) {
    for (let mask = 1; mask < 2 ** M - 1; mask++) {
      const c = new Uint8Array(M);
      let s = 0;
      for (let j = 0; j < M; j++) if ((mask >>> j) & 1) (c[j] = 1), s++;
      z.push(c);
      w.push((M - 1) / (choose(M, s) * s * (M - s)));
    }
    return { z, w };
  }
  const sizeMass = Array.from({ length: M - 1 }, (_, i) => (M - 1) / ((i + 1) * (M - 1 - i)));
  const total = sizeMass.reduce((a, b) => a + b, 0);
  const perm = Int32Array.from({ length: M }, (_, i) => i);
  for (let t = 0; t < samples; t += 2) {
    let u = rng.uniform() * total, s = 1;
    while (s < M - 1 && u > sizeMass[s - 1]!) u -= sizeMass[s++ - 1]!;
    for (let i = 0; i < s; i++) {
      const j = i + rng.int(M - i);
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    const c = new Uint8Array(M);
    for (let i = 0; i < s; i++) c[perm[i]!] = 1;
    z.push(c, c.map((v) => 1 - v));
    w.push(1, 1);
  }
  return { z, w };
}

/**
 * KernelSHAP (Lundberg & Lee 2017) over contiguous segments of each beat: a weighted linear regression on
 * `samples` coalitions (segments kept or replaced by the baseline) through a predict function, so it works
 * for any classifier, classical ones included. Throws an ExplainError for a wrong beat shape or option.
 */
export function kernelShap(predict: PredictFn, x: Float32Array, opts: KernelShapOptions): KernelShapResult {
  if (typeof predict !== 'function') throw new ExplainError('kernel-shap: predict must be a function (beats, beatIndex) => outputs');
  const C = opts.channels ?? 1, L = opts.length, S = C * L;
  if (!Number.isInteger(L) || L < 2) throw new ExplainError(`kernel-shap: length must be an integer >= 2, got ${String(L)}`);
  if (!(x instanceof Float32Array) || x.length === 0 || x.length % S !== 0)
    throw new ExplainError(`kernel-shap: got ${x.length} values, which is not a whole number of beats of ${C} x ${L}`);
  const n = x.length / S;
  const starts = segmentStarts(L, opts.segments ?? 16);
  const M = starts.length;
  const segOf = new Int32Array(L);
  for (let j = 0; j < M; j++) for (let t = starts[j]!; t < (starts[j + 1] ?? L); t++) segOf[t] = j;
  const samples = opts.samples ?? 512;
  if (!Number.isInteger(samples) || samples < 2) throw new ExplainError(`kernel-shap: samples must be an integer >= 2, got ${samples}`);
  // Background beats: k x S (shared) or one per beat.
  const baseline = opts.baseline ?? 'zero';
  let bgShared: Float32Array | null = null;
  let bgPerBeat: Float32Array | null = null;
  if (baseline instanceof Float32Array && baseline.length % S === 0 && baseline.length !== x.length) bgShared = baseline;
  else bgPerBeat = baselineFor(baseline, x, C, L, opts);
  const K0 = predict(x.subarray(0, S), new Int32Array(1)).length;
  const fx = predict(x, Int32Array.from({ length: n }, (_, i) => i));
  if (fx.length !== n * K0) throw new ExplainError(`kernel-shap: predict returned ${fx.length} values for ${n} beats (expected ${n} x ${K0})`);
  const targets = opts.targets === undefined
    ? Int32Array.from({ length: n }, (_, i) => { let b = 0; for (let k = 1; k < K0; k++) if (fx[i * K0 + k]! > fx[i * K0 + b]!) b = k; return b; })
    : typeof opts.targets === 'number' ? new Int32Array(n).fill(opts.targets) : Int32Array.from(opts.targets);
  if (targets.length !== n || targets.some((t) => !(t >= 0 && t < K0)))
    throw new ExplainError(`kernel-shap: targets must be ${n} class indices in [0, ${K0})`);
  const rng = new Rng(opts.seed ?? 0);
  const values = new Float32Array(n * S), segmentValues = new Float32Array(n * M);
  const scores = new Float32Array(n), baselineScores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x.subarray(i * S, (i + 1) * S);
    const bgs = bgShared ?? bgPerBeat!.subarray(i * S, (i + 1) * S);
    const k = bgs.length / S;
    const { z, w } = coalitions(M, samples, rng);
    // Rows: the empty coalition, then each coalition, each against every background beat.
    const rows = z.length + 1;
    const batch = new Float32Array(rows * k * S);
    for (let r = 0; r < rows; r++)
      for (let b = 0; b < k; b++) {
        const o = (r * k + b) * S;
        for (let c = 0; c < C; c++)
          for (let t = 0; t < L; t++) {
            const j = c * L + t;
            batch[o + j] = r > 0 && z[r - 1]![segOf[t]!] ? xi[j]! : bgs[b * S + j]!;
          }
      }
    const out = predict(batch, new Int32Array(rows * k).fill(i));
    if (out.length !== rows * k * K0) throw new ExplainError(`kernel-shap: predict returned ${out.length} values for ${rows * k} rows`);
    const v = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let b = 0; b < k; b++) s += out[(r * k + b) * K0 + targets[i]!]!;
      v[r] = s / k;
    }
    const f0 = v[0]!, f1 = fx[i * K0 + targets[i]!]!, total = f1 - f0;
    // Eliminate φ_{M−1}: v − z_last·total = Σ_{j<M−1} (z_j − z_last) φ_j.
    const P = M - 1;
    const A = new Float64Array(P * P), bvec = new Float64Array(P);
    const d = new Float64Array(P);
    for (let r = 0; r < z.length; r++) {
      const zr = z[r]!, last = zr[M - 1]!;
      for (let j = 0; j < P; j++) d[j] = zr[j]! - last;
      const y = v[r + 1]! - f0 - last * total, wr = w[r]!;
      for (let a = 0; a < P; a++) {
        if (!d[a]) continue;
        bvec[a]! += wr * d[a]! * y;
        for (let b = 0; b < P; b++) if (d[b]) A[a * P + b]! += wr * d[a]! * d[b]!;
      }
    }
    const phi = solve(A, bvec, P);
    let s = 0;
    for (let j = 0; j < P; j++) {
      segmentValues[i * M + j] = phi[j]!;
      s += phi[j]!;
    }
    segmentValues[i * M + P] = total - s;
    for (let t = 0; t < L; t++) {
      const j = segOf[t]!, len = (starts[j + 1] ?? L) - starts[j]!;
      for (let c = 0; c < C; c++) values[i * S + c * L + t] = segmentValues[i * M + j]! / (len * C);
    }
    scores[i] = f1;
    baselineScores[i] = f0;
  }
  return {
    method: 'kernel-shap', values, n, channels: C, length: L, targets, scores, baselineScores,
    delta: completenessDelta(values, S, scores, baselineScores), segmentValues, segmentStarts: starts,
  };
}

/** A PredictFn for an ecgrad model (its explained output; RR rows picked per explained beat). */
export function predictFn(clf: ExplainedModel, rr?: Float32Array | null): PredictFn {
  return (batch, beat) => clf.scores(batch, clf.rrRows(rr, beat));
}

/** KernelSHAP of an ecgrad model (its explained output). */
export function kernelShapModel(clf: ExplainedModel, x: Float32Array, opts: Omit<KernelShapOptions, 'channels' | 'length'> & CommonOptions = {}): KernelShapResult {
  const targets = resolveTargets(clf, x, opts.rr, opts.targets);
  const res = kernelShap(predictFn(clf, opts.rr), x, { ...opts, channels: clf.channels, length: clf.length, targets });
  return { ...res, ...makeAttribution(clf, 'kernel-shap', res.values, targets, res) };
}
