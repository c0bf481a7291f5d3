// Faithfulness: deletion and insertion curves (Petsiuk et al. 2018) and their AUC.
//
// Features (samples of every lead) are ranked by attribution, largest first. Deletion removes the top
// fraction f of them for f = 0, 1/steps, ..., 1 and tracks the softmax probability of the explained
// class: a faithful attribution makes it fall fast (low AUC). Insertion starts from the fully removed beat
// and restores the top features: the probability should rise fast (high AUC). A removed feature is
// replaced either
//   'baseline': by the baseline's value (zero, mean beat, blur, noise or an array, see baselines.ts), or
//   'linear':   by noisy linear imputation (ROAD, Rong et al. 2022): in 1-D, the Laplace system of ROAD
//               (each removed sample = the mean of its two neighbours) is solved by linear interpolation
//               between the kept samples around each removed run (constant continuation at the edges,
//               the baseline when a lead has no kept sample), plus Gaussian noise of std noise x the
//               beat's range (default 0.01), so the shape of the removed region does not leak the ranking.
// Each curve is computed for the attribution and for a random attribution (seeded, the control).
import { Rng } from '../core/random.ts';
import { type ExplainedModel, ExplainError } from './classifier.ts';
import type { Attribution } from './gradient.ts';
import { type Baseline, type BaselineOptions, baselineFor } from './baselines.ts';
import { trapezoidAuc } from './stats.ts';

/**
 * How the deletion / insertion curves replace removed samples: by the 'baseline''s values or by noisy
 * 'linear' imputation (ROAD, Rong et al. 2022).
 */
export type Replacement = 'baseline' | 'linear';

/**
 * Options of faithfulness: RR features, curve resolution, how removed samples are replaced (baseline or noisy
 * linear imputation), the baseline, noise and seed.
 */
export interface FaithfulnessOptions extends BaselineOptions {
  rr?: Float32Array | null;
  /** Points of each curve minus one (default 20: 5% steps). */
  steps?: number;
  /** How removed features are replaced (default 'baseline'). */
  replacement?: Replacement;
  /** Baseline for 'baseline' replacement and fully removed leads (default 'zero'). */
  baseline?: Baseline;
  /** Noise of the linear imputation, as a fraction of the beat's range (default 0.01). */
  noise?: number;
  /** Also compute the random-attribution control (default true). */
  random?: boolean;
  seed?: number;
}

/**
 * A deletion or insertion curve: the mean target probability at each removed fraction, its AUC, and each
 * beat's AUC.
 */
export interface Curve {
  /** Mean target probability over beats at each fraction (steps + 1 points). */
  curve: number[];
  auc: number;
  /** AUC of each beat. */
  perBeat: Float32Array;
}

/**
 * The deletion and insertion curves of an attribution (and of a random attribution, the control) at each
 * removed fraction.
 */
export interface FaithfulnessResult {
  fractions: number[];
  replacement: Replacement;
  deletion: Curve;
  insertion: Curve;
  randomDeletion?: Curve;
  randomInsertion?: Curve;
}

/** Noisy linear imputation of one beat: keep[j] = 1 keeps x[j]; removed runs are interpolated per lead. */
export function linearImpute(x: Float32Array, keep: Uint8Array, channels: number, length: number, fallback: Float32Array, noiseStd: number, rng: Rng): Float32Array {
  const out = new Float32Array(x.length);
  for (let c = 0; c < channels; c++) {
    const o = c * length;
    let t = 0;
    while (t < length) {
      if (keep[o + t]) {
        out[o + t] = x[o + t]!;
        t++;
        continue;
      }
      let e = t;
      while (e < length && !keep[o + e]) e++;
      const hasL = t > 0, hasR = e < length;
      const left = hasL ? x[o + t - 1]! : 0, right = hasR ? x[o + e]! : 0;
      for (let u = t; u < e; u++) {
        let v: number;
        if (hasL && hasR) v = left + ((right - left) * (u - t + 1)) / (e - t + 1);
        else if (hasL) v = left;
        else if (hasR) v = right;
        else v = fallback[o + u]!;
        out[o + u] = v + (noiseStd ? noiseStd * rng.normal() : 0);
      }
      t = e;
    }
  }
  return out;
}

/** Order of features by attribution, largest first (ties by index). */
function order(values: Float32Array): Int32Array {
  return Int32Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
}

function curves(clf: ExplainedModel, x: Float32Array, attr: Float32Array, targets: Int32Array, base: Float32Array, opts: FaithfulnessOptions, seed: number): { del: Curve; ins: Curve } {
  const S = clf.beatSize, n = targets.length, steps = opts.steps ?? 20;
  const rep = opts.replacement ?? 'baseline';
  const rng = new Rng(seed);
  const delCurves = new Float64Array(steps + 1), insCurves = new Float64Array(steps + 1);
  const delAuc = new Float32Array(n), insAuc = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x.subarray(i * S, (i + 1) * S), bi = base.subarray(i * S, (i + 1) * S);
    let lo = Infinity, hi = -Infinity;
    for (const v of xi) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const noiseStd = (opts.noise ?? 0.01) * (hi - lo);
    const ord = order(attr.subarray(i * S, (i + 1) * S));
    const batch = new Float32Array(2 * (steps + 1) * S);
    for (let k = 0; k <= steps; k++) {
      const count = Math.round((k / steps) * S);
      const delKeep = new Uint8Array(S).fill(1), insKeep = new Uint8Array(S);
      for (let r = 0; r < count; r++) {
        delKeep[ord[r]!] = 0;
        insKeep[ord[r]!] = 1;
      }
      for (const [keep, row] of [[delKeep, k], [insKeep, steps + 1 + k]] as const) {
        let v: Float32Array;
        if (rep === 'linear') v = linearImpute(xi, keep, clf.channels, clf.length, bi, noiseStd, rng);
        else {
          v = new Float32Array(S);
          for (let j = 0; j < S; j++) v[j] = keep[j] ? xi[j]! : bi[j]!;
        }
        batch.set(v, row * S);
      }
    }
    const p = clf.targetScores(batch, clf.rrRows(opts.rr, new Int32Array(2 * (steps + 1)).fill(i)), new Int32Array(2 * (steps + 1)).fill(targets[i]!), 'probability');
    const d = p.subarray(0, steps + 1), s = p.subarray(steps + 1);
    for (let k = 0; k <= steps; k++) {
      delCurves[k]! += d[k]! / n;
      insCurves[k]! += s[k]! / n;
    }
    delAuc[i] = trapezoidAuc(d);
    insAuc[i] = trapezoidAuc(s);
  }
  const mk = (c: Float64Array, per: Float32Array): Curve => ({ curve: Array.from(c), auc: trapezoidAuc(c), perBeat: per });
  return { del: mk(delCurves, delAuc), ins: mk(insCurves, insAuc) };
}

/**
 * Deletion and insertion curves (Petsiuk et al. 2018) of an attribution of beats x (n × channels × length):
 * samples ranked by attribution, largest first, are removed (or restored) in steps, tracking the softmax
 * probability of the explained class; a faithful attribution makes deletion fall fast (low AUC) and insertion
 * rise fast (high AUC). Throws an ExplainError when the attribution does not fit x or an option is invalid.
 */
export function faithfulness(clf: ExplainedModel, x: Float32Array, attribution: Attribution, opts: FaithfulnessOptions = {}): FaithfulnessResult {
  const n = clf.check(x, opts.rr, 'faithfulness');
  if (attribution.values.length !== x.length || attribution.n !== n)
    throw new ExplainError(`faithfulness: the attribution has ${attribution.values.length} values for ${x.length} input values`);
  const steps = opts.steps ?? 20;
  if (!Number.isInteger(steps) || steps < 1) throw new ExplainError(`faithfulness: steps must be a positive integer, got ${steps}`);
  const rep = opts.replacement ?? 'baseline';
  if (rep !== 'baseline' && rep !== 'linear') throw new ExplainError(`faithfulness: replacement must be 'baseline' or 'linear', got ${String(rep)}`);
  const base = baselineFor(opts.baseline ?? 'zero', x, clf.channels, clf.length, opts);
  const seed = opts.seed ?? 0;
  const { del, ins } = curves(clf, x, attribution.values, attribution.targets, base, opts, seed);
  const result: FaithfulnessResult = { fractions: Array.from({ length: steps + 1 }, (_, k) => k / steps), replacement: rep, deletion: del, insertion: ins };
  if (opts.random ?? true) {
    const rng = new Rng(seed + 7919);
    const r = Float32Array.from({ length: x.length }, () => rng.uniform());
    const c = curves(clf, x, r, attribution.targets, base, opts, seed);
    result.randomDeletion = c.del;
    result.randomInsertion = c.ins;
  }
  return result;
}
