// The ensemble of RBF support-vector machines of Mondéjar-Guerra et al. (2019), as their code builds it
// (mondejar/ecg-classification: train_SVM.py, aggregation_voting_strategies.py, basic_fusion.py):
//   - one multi-class SVM per feature group (their RR + normalised RR, wavelets, HOS, LBP and morphology
//     descriptors: src/ecg/dataset/mondejar.ts), each one-vs-one over the first `trainClasses` classes (N, S,
//     V, F; their code leaves Q out; rows of later classes are not trained on and never predicted);
//   - per pair (a, b), a < b, a binary C-SVC (svm-rbf.ts) with +1 for a, RBF γ = 1 / (group size) (scikit-
//     learn's gamma='auto'), bound C·w_c for a sample of class c, w_c = n / n_c (their class_weight);
//     solved from α = C (`start: 'bound'`, default; with C = 0.001 nearly every beat ends at its bound, so
//     this takes ~50x fewer steps than libsvm's α = 0; the same optimal α, and the same ρ whenever some α
//     is free; `start: 'zero'` with `shrinking: true` and `order: 'class'` follows libsvm's path, see svm-rbf.ts);
//   - scores: class a gets σ(f_ab(x)), class b gets σ(−f_ab(x)), summed over the pairs (their
//     ovo_voting_exp); the groups' scores are multiplied (their product rule); the label is the argmax.
// Groups: `groups` (column counts, in column order) when given; otherwise the five 'mondejar' groups when
// the matrix's column names hold that set (any order), else one group of all columns (a plain RBF SVM).
// predictProba gives the product scores normalised to sum 1 (0 for untrained classes).
import { MONDEJAR_FEATURES, MONDEJAR_GROUPS } from '../ecg/dataset/mondejar.ts';
import { type ClassifierState, stateArray } from './format.ts';
import { type Matrix, argmaxRows, checkFit, checkInt, checkPositive, checkPredict } from './matrix.ts';
import { classifierSpec } from './spec.ts';
import { solveBinarySvm } from './svm-rbf.ts';
import type { Classifier, FitOptions } from './types.ts';
import { WasmMatrix, rbfProductNT, rbfRowTerms } from './wasm.ts';

/**
 * Hyperparameters of SvmEnsemble (every one optional in its constructor; the constructor throws a RangeError
 * for an invalid one).
 */
export interface SvmEnsembleParams {
  /** The box constraint before class weights (their C_value, default 0.001). */
  C: number;
  /** Stopping tolerance of the solver (default 1e-3, libsvm's). */
  tol: number;
  /** Column counts of the groups, in column order; [] (default): found from the column names (header). */
  groups: number[];
  /** The first classes trained on and predicted (default 4: N, S, V, F). */
  trainClasses: number;
  /** 'balanced' (default: w_c = n / n_c) or 'none'. */
  classWeight: 'balanced' | 'none';
  /** Kernel-row cache of the solver, MiB (default 256). */
  cacheMiB: number;
  /** The solver's starting point (svm-rbf.ts): 'bound' (default: α = C, where most beats end) or 'zero' (libsvm's). */
  start: 'bound' | 'zero';
  /** libsvm's shrinking heuristic in the solver (svm-rbf.ts; default false; scikit-learn's default is true). */
  shrinking: boolean;
  /**
   * The order of a pair's samples in its solver problem: 'rows' (default: by training row) or 'class' (libsvm's
   * svm_group_classes: the first class's rows, then the second's, each by row), which decides how ties between
   * equal violators break, hence libsvm's path: with start 'zero' and shrinking, the solver follows libsvm's steps.
   */
  order: 'rows' | 'class';
}

/** One group's fitted SVMs: its columns, its support vectors (union over pairs) and their coefficients. */
interface GroupModel {
  columns: Int32Array;
  /** nSV x columns.length support-vector rows. */
  sv: Float32Array;
  /** pairs x nSV: y·α of each support vector in each pair's SVM (0 where it is not one). */
  coef: Float64Array;
  /** pairs: ρ of each pair. */
  rho: Float64Array;
  gamma: number;
  /** The arrays prediction reads, uploaded to wasm memory on first use. */
  wasm?: { sv: WasmMatrix; svTerm: WasmMatrix; coef: WasmMatrix };
}

function pairsOf(K: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) out.push([a, b]);
  return out;
}

/** The columns of each group (see the header). */
function resolveGroups(X: Matrix, groups: number[]): Int32Array[] {
  if (groups.length) {
    const total = groups.reduce((a, b) => a + b, 0);
    if (total !== X.cols) throw new RangeError(`SvmEnsemble.fit: the groups [${groups.join(', ')}] cover ${total} columns, the matrix has ${X.cols}`);
    let at = 0;
    return groups.map((g) => Int32Array.from({ length: g }, () => at++));
  }
  const names = X.names;
  if (names) {
    const index = MONDEJAR_FEATURES.map((f) => names.findIndex((n) => n === f || n.endsWith(`.${f}`)));
    if (index.every((i) => i >= 0) && X.cols === MONDEJAR_FEATURES.length) {
      let at = 0;
      return MONDEJAR_GROUPS.map((g) => Int32Array.from({ length: g }, () => index[at++]!));
    }
  }
  return [Int32Array.from({ length: X.cols }, (_, i) => i)];
}

function gather(X: Matrix, rows: ArrayLike<number>, columns: Int32Array): Float32Array {
  const d = columns.length, out = new Float32Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) {
    const o = rows[r]! * X.cols;
    for (let j = 0; j < d; j++) out[r * d + j] = X.data[o + columns[j]!]!;
  }
  return out;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** A group's support vectors, −γ‖sv‖² (1 x nSV) and its coefficients (pairs x nSV) in wasm memory, made once. */
function uploaded(g: GroupModel): NonNullable<GroupModel['wasm']> {
  const d = g.columns.length, nSV = g.sv.length / d;
  g.wasm ??= {
    sv: new WasmMatrix({ data: g.sv, rows: nSV, cols: d }),
    svTerm: rbfRowTerms(g.sv, nSV, d, g.gamma),
    coef: new WasmMatrix({ data: Float32Array.from(g.coef), rows: g.rho.length, cols: nSV }),
  };
  return g.wasm;
}

/** The pairs' decision values f_q(x) = Σ_s coef[q, s]·exp(−γ‖x − sv_s‖²) − ρ_q of `rows` rows `a` of one group (rows x pairs). */
function decisionValues(g: GroupModel, a: Float32Array, rows: number): Float32Array {
  const w = uploaded(g), P = g.rho.length;
  const f = rbfProductNT(a, rows, w.sv, w.svTerm, w.coef, g.gamma);
  for (let r = 0; r < rows; r++) for (let q = 0; q < P; q++) f[r * P + q]! -= g.rho[q]!;
  return f;
}

/** One-vs-one RBF SVMs per feature group, combined by the product rule (see the file header). */
export class SvmEnsemble implements Classifier {
  readonly kind: string = 'svm-ensemble';
  readonly params: SvmEnsembleParams;
  nClasses = -1;
  nFeatures = -1;
  /** Classes trained on (min(trainClasses, nClasses)). */
  trained = 0;
  groups: GroupModel[] = [];
  /** Solver steps of each (group, pair), for reports. */
  iterations: number[] = [];

  constructor(params: Partial<SvmEnsembleParams> = {}) {
    this.params = { C: 0.001, tol: 1e-3, groups: [], trainClasses: 4, classWeight: 'balanced', cacheMiB: 256, start: 'bound', shrinking: false, order: 'rows', ...params };
    const p = this.params;
    checkPositive(p.C, 'C', 'SvmEnsemble');
    checkPositive(p.tol, 'tol', 'SvmEnsemble');
    checkPositive(p.cacheMiB, 'cacheMiB', 'SvmEnsemble');
    checkInt(p.trainClasses, 'trainClasses', 'SvmEnsemble', 2);
    if (!Array.isArray(p.groups) || p.groups.some((g) => !Number.isInteger(g) || g < 1))
      throw new RangeError(`SvmEnsemble: groups must be an array of positive column counts, got ${JSON.stringify(p.groups)}`);
    if (p.start !== 'bound' && p.start !== 'zero') throw new RangeError(`SvmEnsemble: start must be 'bound' or 'zero', got ${String(p.start)}`);
    if (typeof p.shrinking !== 'boolean') throw new RangeError(`SvmEnsemble: shrinking must be true or false, got ${JSON.stringify(p.shrinking)}`);
    if (p.order !== 'rows' && p.order !== 'class') throw new RangeError(`SvmEnsemble: order must be 'rows' or 'class', got ${String(p.order)}`);
    if (p.classWeight !== 'balanced' && p.classWeight !== 'none')
      throw new RangeError(`SvmEnsemble: classWeight must be 'balanced' or 'none', got ${String(p.classWeight)}`);
  }

  getParams(): Record<string, unknown> {
    return { ...this.params, groups: [...this.params.groups] };
  }

  fit(X: Matrix, y: Int32Array, opts: FitOptions = {}): this {
    const K = checkFit(X, y, 'SvmEnsemble.fit', opts.nClasses);
    const T = Math.min(this.params.trainClasses, K);
    const byClass: number[][] = Array.from({ length: T }, () => []);
    for (let i = 0; i < y.length; i++) if (y[i]! < T) byClass[y[i]!]!.push(i);
    const missing = byClass.findIndex((r) => r.length === 0);
    if (missing >= 0) throw new RangeError(`SvmEnsemble.fit: class ${missing} has no training rows (every trained class needs some)`);
    const n = byClass.reduce((a, r) => a + r.length, 0);
    const weight = byClass.map((r) => (this.params.classWeight === 'balanced' ? n / r.length : 1));
    const pairs = pairsOf(T);
    this.groups = [];
    this.iterations = [];
    for (const columns of resolveGroups(X, this.params.groups)) {
      const d = columns.length, gamma = 1 / d;
      const perPair: { rows: number[]; support: Int32Array; coef: Float64Array; rho: number }[] = [];
      for (const [a, b] of pairs) {
        const rows = this.params.order === 'class' ? [...byClass[a]!, ...byClass[b]!] : [...byClass[a]!, ...byClass[b]!].sort((u, v) => u - v);
        const ys = Int8Array.from(rows, (r) => (y[r] === a ? 1 : -1));
        const c = Float64Array.from(rows, (r) => this.params.C * weight[y[r]!]!);
        const s = solveBinarySvm({ x: gather(X, rows, columns), n: rows.length, d, y: ys, c }, { gamma, tol: this.params.tol, cacheBytes: this.params.cacheMiB * 2 ** 20, start: this.params.start, shrinking: this.params.shrinking });
        perPair.push({ rows, support: s.support, coef: s.coef, rho: s.rho });
        this.iterations.push(s.iterations);
      }
      // The union of the pairs' support vectors, by training row.
      const union = [...new Set(perPair.flatMap((p) => Array.from(p.support, (k) => p.rows[k]!)))].sort((u, v) => u - v);
      const slot = new Map(union.map((r, k) => [r, k]));
      const coef = new Float64Array(pairs.length * union.length);
      perPair.forEach((p, q) => p.support.forEach((k, t) => (coef[q * union.length + slot.get(p.rows[k]!)!] = p.coef[t]!)));
      this.groups.push({ columns, sv: gather(X, union, columns), coef, rho: Float64Array.from(perPair, (p) => p.rho), gamma });
    }
    this.nClasses = K;
    this.nFeatures = X.cols;
    this.trained = T;
    return this;
  }

  /** The product-rule scores, normalised (X.rows x nClasses). */
  predictProba(X: Matrix): Matrix {
    checkPredict(X, 'SvmEnsemble.predictProba', this.nFeatures);
    const K = this.nClasses, T = this.trained, pairs = pairsOf(T), out = new Float32Array(X.rows * K);
    const score = new Float64Array(X.rows * T).fill(1);
    for (const g of this.groups) {
      const nSV = g.sv.length / g.columns.length;
      if (nSV === 0) continue; // a group without support vectors (a damaged file) leaves the scores as they are
      // rows per block: the block's kernel matrix (rows x nSV float32) and its temporaries stay near 16 MiB each
      const block = Math.max(1, Math.min(256, Math.floor(2 ** 22 / nSV)));
      for (let r0 = 0; r0 < X.rows; r0 += block) {
        const rows = Math.min(block, X.rows - r0);
        const f = decisionValues(g, gather(X, Array.from({ length: rows }, (_, i) => r0 + i), g.columns), rows);
        for (let r = 0; r < rows; r++) {
          const votes = new Float64Array(T);
          pairs.forEach(([ca, cb], q) => {
            const v = f[r * pairs.length + q]!;
            votes[ca]! += sigmoid(v);
            votes[cb]! += sigmoid(-v);
          });
          for (let c = 0; c < T; c++) score[(r0 + r) * T + c]! *= votes[c]!;
        }
      }
    }
    for (let r = 0; r < X.rows; r++) {
      let sum = 0;
      for (let c = 0; c < T; c++) sum += score[r * T + c]!;
      for (let c = 0; c < T; c++) out[r * K + c] = sum > 0 ? score[r * T + c]! / sum : 1 / T;
    }
    return { data: out, rows: X.rows, cols: K };
  }

  predict(X: Matrix): Int32Array {
    return argmaxRows(this.predictProba(X).data, X.rows, this.nClasses);
  }

  toState(): ClassifierState {
    const arrays: ClassifierState['arrays'] = { shape: Int32Array.from([this.trained, this.groups.length]) };
    this.groups.forEach((g, i) => {
      arrays[`group${i}.columns`] = g.columns;
      arrays[`group${i}.sv`] = g.sv;
      arrays[`group${i}.coef`] = g.coef;
      arrays[`group${i}.rho`] = g.rho;
    });
    return { kind: this.kind, nClasses: this.nClasses, nFeatures: this.nFeatures, params: this.getParams(), arrays };
  }

  static fromState(s: ClassifierState): SvmEnsemble {
    return SvmEnsemble.restore(new SvmEnsemble(s.params as Partial<SvmEnsembleParams>), s);
  }

  /** Fills `m` from a saved state, checking every array against the others. */
  protected static restore<M extends SvmEnsemble>(m: M, s: ClassifierState): M {
    const shape = stateArray(s, 'shape', Int32Array, 2);
    const [T, G] = [shape[0]!, shape[1]!];
    if (!(T >= 2 && T <= s.nClasses)) throw new Error(`${s.kind}: ${T} trained classes for ${s.nClasses} classes`);
    if (!(G >= 1 && G <= s.nFeatures)) throw new Error(`${s.kind}: ${G} feature groups for ${s.nFeatures} features`);
    const P = (T * (T - 1)) / 2;
    for (let i = 0; i < G; i++) {
      const columns = stateArray(s, `group${i}.columns`, Int32Array);
      if (columns.length < 1 || columns.some((c) => !(c >= 0 && c < s.nFeatures))) throw new Error(`${s.kind}: group ${i} names columns outside 0..${s.nFeatures - 1}`);
      const sv = stateArray(s, `group${i}.sv`, Float32Array);
      if (sv.length % columns.length !== 0) throw new Error(`${s.kind}: group ${i} has ${sv.length} support-vector values for ${columns.length} columns`);
      const nSV = sv.length / columns.length;
      const coef = stateArray(s, `group${i}.coef`, Float64Array, P * nSV);
      const rho = stateArray(s, `group${i}.rho`, Float64Array, P);
      m.groups.push({ columns, sv, coef, rho, gamma: 1 / columns.length });
    }
    m.nClasses = s.nClasses;
    m.nFeatures = s.nFeatures;
    m.trained = T;
    return m;
  }
}

/** Mondéjar-Guerra et al. (2019): SvmEnsemble with their settings under its own registry name; pair it with --rr-set mondejar --features rr. */
export class Mondejar2019 extends SvmEnsemble {
  override readonly kind: string = 'mondejar2019';

  static override fromState(s: ClassifierState): Mondejar2019 {
    return SvmEnsemble.restore(new Mondejar2019(s.params as Partial<SvmEnsembleParams>), s);
  }
}

/** The registry entry of `mondejar2019`. */
export const mondejar2019Spec = classifierSpec({
  name: 'mondejar2019',
  label: 'Mondéjar-Guerra 2019 (ensemble of RBF SVMs, product rule)',
  description: 'Mondéjar-Guerra et al. (2019): one RBF SVM (C 0.001, class-weighted, one-vs-one) per feature group, scores by summed sigmoids, groups by the product rule; pair it with --rr-set mondejar --features rr',
  classifier: Mondejar2019,
  inComparison: false,
});
