// k-nearest neighbours with an exact Euclidean search fast enough for ~90k x 200 features.
//
// Queries are processed in blocks of `blockSize` rows. For a block A, the SIMD GEMM gives A·Bᵀ against
// the whole training set B (held in wasm memory), and the approximate squared distances
//   d̃(a, b) = ‖a‖² + ‖b‖² − 2·fl32(a·b)
// are scanned row by row with a running top-k. fl32(a·b) differs from a·b by at most
// γ_d·‖a‖·‖b‖ (γ_d = d·u / (1 − d·u), u = 2⁻²⁴: the standard bound for any summation order), so with
// δ = 2·γ_d·‖a‖·max‖b‖ (plus a small float64 slack) every true k-nearest neighbour has
// d̃ ≤ T + 2δ, T being the k-th smallest d̃ of the row. Those candidates (usually k or a few more) are
// re-ranked by their exact float64 distance Σ(aⱼ − bⱼ)², ties broken by the lower training index.
// The result is exactly the float64 brute-force answer, at GEMM speed.
import { type ClassifierState, stateArray } from './format.ts';
import { type Matrix, checkFit, checkInt, checkPredict } from './matrix.ts';
import type { Classifier, FitOptions } from './types.ts';
import { classifierSpec } from './spec.ts';
import { WasmMatrix, withProductNT } from './wasm.ts';

/** Hyperparameters of KNearestNeighbors (every one optional in its constructor). */
export interface KnnParams {
  /** Number of neighbours (default 5). */
  k: number;
  /** 'uniform' votes, or 'distance' (weight 1 / distance; an exact match takes the vote). Default 'uniform'. */
  weights: 'uniform' | 'distance';
  /** Query rows per GEMM block (default 256). */
  blockSize: number;
}

/**
 * The k nearest training rows of each query row, with their distances, as KNearestNeighbors.kneighbors
 * returns them.
 */
export interface Neighbours {
  /** Training-row indices, rows x k, nearest first (ties: lower index first). */
  indices: Int32Array;
  /** Euclidean distances, rows x k (float64, exact for the float32 inputs). */
  distances: Float64Array;
  k: number;
}

/**
 * k-nearest neighbours with an exact Euclidean search: query blocks against the training rows on the SIMD
 * GEMM, then the candidates within the float32 error bound re-ranked by their float64 distance, so the result
 * is the float64 brute-force answer (ties: lower training index). Votes uniform or by 1/distance. The
 * constructor throws a RangeError for an invalid hyperparameter.
 */
export class KNearestNeighbors implements Classifier {
  readonly kind = 'knn';
  readonly params: KnnParams;
  nClasses = -1;
  nFeatures = -1;
  private X: Matrix | null = null;
  private y: Int32Array = new Int32Array(0);
  private norms: Float64Array = new Float64Array(0);
  private maxNorm = 0;
  private wasm: WasmMatrix | null = null;

  constructor(params: Partial<KnnParams> = {}) {
    this.params = { k: 5, weights: 'uniform', blockSize: 256, ...params };
    checkInt(this.params.k, 'k', 'KNearestNeighbors');
    checkInt(this.params.blockSize, 'blockSize', 'KNearestNeighbors');
    if (this.params.weights !== 'uniform' && this.params.weights !== 'distance')
      throw new RangeError(`KNearestNeighbors: weights must be 'uniform' or 'distance', got ${String(this.params.weights)}`);
  }

  getParams(): Record<string, unknown> {
    return { ...this.params };
  }

  fit(X: Matrix, y: Int32Array, opts: FitOptions = {}): this {
    const K = checkFit(X, y, 'KNearestNeighbors.fit', opts.nClasses);
    if (this.params.k > X.rows)
      throw new RangeError(`KNearestNeighbors.fit: k = ${this.params.k} is larger than the training set (${X.rows} rows)`);
    this.setData({ data: X.data.slice(), rows: X.rows, cols: X.cols }, y.slice(), K);
    return this;
  }

  private setData(X: Matrix, y: Int32Array, K: number): void {
    this.X = X;
    this.y = y;
    this.nClasses = K;
    this.nFeatures = X.cols;
    this.norms = rowNorms2(X);
    this.maxNorm = Math.sqrt(this.norms.reduce((a, b) => Math.max(a, b), 0));
    this.wasm = null;
  }

  /** The k nearest training rows of each row of Q (exact; see the file header). */
  kneighbors(Q: Matrix, k = this.params.k): Neighbours {
    checkPredict(Q, 'KNearestNeighbors.kneighbors', this.nFeatures);
    const X = this.X!;
    checkInt(k, 'k', 'KNearestNeighbors.kneighbors');
    if (k > X.rows) throw new RangeError(`KNearestNeighbors.kneighbors: k = ${k} is larger than the training set (${X.rows} rows)`);
    this.wasm ??= new WasmMatrix(X);
    const W = this.wasm, d = X.cols, N = X.rows, nb = this.norms;
    const gamma = (d * 2 ** -24) / (1 - d * 2 ** -24);
    const indices = new Int32Array(Q.rows * k), distances = new Float64Array(Q.rows * k);
    const topS = new Float64Array(k), topI = new Int32Array(k);
    let cand = new Int32Array(Math.max(64, 8 * k));
    const block = this.params.blockSize;
    for (let q0 = 0; q0 < Q.rows; q0 += block) {
      const rows = Math.min(block, Q.rows - q0);
      const a = Q.data.subarray(q0 * d, (q0 + rows) * d);
      withProductNT(a, rows, W, (g) => {
        for (let r = 0; r < rows; r++) {
          const qi = q0 + r, ao = qi * d;
          let na = 0;
          for (let j = 0; j < d; j++) na += Q.data[ao + j]! * Q.data[ao + j]!;
          // s = ‖b‖² − 2·g (‖a‖² is constant along the row); the bound is on s as well.
          const slack = 2 * (2 * gamma * Math.sqrt(na) * this.maxNorm) + 1e-12 * (na + this.maxNorm * this.maxNorm) + 1e-30;
          let filled = 0, kth = Infinity, nc = 0;
          const go = r * N;
          for (let j = 0; j < N; j++) {
            const s = nb[j]! - 2 * g[go + j]!;
            if (s > kth + slack) continue;
            if (nc === cand.length) {
              // Compact: keep only what can still qualify.
              let w = 0;
              for (let t = 0; t < nc; t++) {
                const c = cand[t]!;
                if (nb[c]! - 2 * g[go + c]! <= kth + slack) cand[w++] = c;
              }
              nc = w;
              if (nc > cand.length / 2) {
                const bigger = new Int32Array(cand.length * 2);
                bigger.set(cand.subarray(0, nc));
                cand = bigger;
              }
            }
            cand[nc++] = j;
            if (s < kth || filled < k) {
              // Insert into the running top-k of s (sorted ascending).
              let p = filled < k ? filled++ : k - 1;
              while (p > 0 && topS[p - 1]! > s) {
                topS[p] = topS[p - 1]!;
                topI[p] = topI[p - 1]!;
                p--;
              }
              topS[p] = s;
              topI[p] = j;
              if (filled === k) kth = topS[k - 1]!;
            }
          }
          // Exact float64 re-ranking of the candidates.
          const limit = kth + slack;
          const ci: number[] = [], cd: number[] = [];
          for (let t = 0; t < nc; t++) {
            const c = cand[t]!;
            if (nb[c]! - 2 * g[go + c]! > limit) continue;
            let s = 0;
            const bo = c * d;
            for (let j = 0; j < d; j++) {
              const diff = Q.data[ao + j]! - X.data[bo + j]!;
              s += diff * diff;
            }
            ci.push(c);
            cd.push(s);
          }
          const ord = ci.map((_, t) => t).sort((u, v) => cd[u]! - cd[v]! || ci[u]! - ci[v]!);
          for (let t = 0; t < k; t++) {
            indices[qi * k + t] = ci[ord[t]!]!;
            distances[qi * k + t] = Math.sqrt(cd[ord[t]!]!);
          }
        }
      });
    }
    return { indices, distances, k };
  }

  /** Vote weights per class (rows x K) from neighbours. */
  private votes(nb: Neighbours, rows: number): Float64Array {
    const K = this.nClasses, k = nb.k, out = new Float64Array(rows * K);
    for (let i = 0; i < rows; i++) {
      if (this.params.weights === 'distance') {
        // An exact match (distance 0) takes the whole vote, shared among exact matches.
        let zeros = 0;
        for (let t = 0; t < k; t++) if (nb.distances[i * k + t] === 0) zeros++;
        for (let t = 0; t < k; t++) {
          const dist = nb.distances[i * k + t]!;
          const w = zeros ? (dist === 0 ? 1 : 0) : 1 / dist;
          out[i * K + this.y[nb.indices[i * k + t]!]!]! += w;
        }
      } else for (let t = 0; t < k; t++) out[i * K + this.y[nb.indices[i * k + t]!]!]! += 1;
    }
    return out;
  }

  predictProba(X: Matrix): Matrix {
    checkPredict(X, 'KNearestNeighbors.predictProba', this.nFeatures);
    const K = this.nClasses, v = this.votes(this.kneighbors(X), X.rows), out = new Float32Array(X.rows * K);
    for (let i = 0; i < X.rows; i++) {
      let s = 0;
      for (let c = 0; c < K; c++) s += v[i * K + c]!;
      for (let c = 0; c < K; c++) out[i * K + c] = v[i * K + c]! / s;
    }
    return { data: out, rows: X.rows, cols: K };
  }

  /** Majority (or distance-weighted) vote; a tie goes to the tied class of the nearest neighbour. */
  predict(X: Matrix): Int32Array {
    checkPredict(X, 'KNearestNeighbors.predict', this.nFeatures);
    const nb = this.kneighbors(X), K = this.nClasses, k = nb.k, v = this.votes(nb, X.rows);
    const out = new Int32Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let best = -1;
      for (let c = 0; c < K; c++) if (best < 0 || v[i * K + c]! > v[i * K + best]!) best = c;
      const top = v[i * K + best]!;
      for (let t = 0; t < k; t++) {
        const c = this.y[nb.indices[i * k + t]!]!;
        if (v[i * K + c] === top) { best = c; break; }
      }
      out[i] = best;
    }
    return out;
  }

  toState(): ClassifierState {
    if (!this.X) throw new Error('KNearestNeighbors.toState: the classifier is not fitted');
    return { kind: this.kind, nClasses: this.nClasses, nFeatures: this.nFeatures, params: this.getParams(), arrays: { X: this.X.data, y: this.y } };
  }

  static fromState(s: ClassifierState): KNearestNeighbors {
    const m = new KNearestNeighbors(s.params as Partial<KnnParams>);
    const y = stateArray(s, 'y', Int32Array);
    const X = stateArray(s, 'X', Float32Array, y.length * s.nFeatures);
    if (m.params.k > y.length) throw new RangeError(`k = ${m.params.k} is larger than the ${y.length} stored training rows`);
    if (!Number.isInteger(s.nClasses) || s.nClasses < 1 || y.some((c) => !(c >= 0 && c < s.nClasses)))
      throw new RangeError(`the stored labels must lie in 0..${s.nClasses - 1}`);
    m.setData({ data: X, rows: y.length, cols: s.nFeatures }, y, s.nClasses);
    return m;
  }
}

function rowNorms2(X: Matrix): Float64Array {
  const out = new Float64Array(X.rows), d = X.cols;
  for (let i = 0; i < X.rows; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X.data[i * d + j]! * X.data[i * d + j]!;
    out[i] = s;
  }
  return out;
}

/** The registry entry of 'knn' (KNearestNeighbors, k = 1 in comparisons). */
export const knnSpec = classifierSpec({
  name: 'knn', label: 'k-nearest neighbours', classifier: KNearestNeighbors, defaults: { k: 1 },
  description: 'k-nearest neighbours in the standardised features (Euclidean), k = 1',
});
