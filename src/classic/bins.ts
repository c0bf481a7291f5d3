// Feature binning for the tree learners (histogram split search).
//
// Each feature gets increasing thresholds t_0 < t_1 < ... (at most maxBins − 1). A value x falls in bin
// c = #{t : t < x}, so bin c holds (t_{c−1}, t_c] and "bin ≤ b" is exactly "x ≤ t_b": a split found on
// bins is applied to raw values with the stored float threshold. With at most maxBins distinct values a
// feature is binned exactly (thresholds are the midpoints between consecutive distinct values, as CART
// does); otherwise thresholds sit at quantiles of the training values.
import type { Matrix } from './matrix.ts';

export interface Bins {
  /** Per feature, its increasing thresholds (bins = thresholds.length + 1). */
  thresholds: Float32Array[];
  /** Bin codes, column-major: codes[f * rows + i]. */
  codes: Uint8Array;
  rows: number;
  cols: number;
}

/** The float32 midpoint of a < b that is still strictly below b (so b goes right). */
function midpoint(a: number, b: number): number {
  const m = Math.fround((a + b) / 2);
  return m >= b || m < a ? a : m;
}

/**
 * Sorts a float32 column by LSD radix sort on order-preserving integer keys (3 passes of 11 bits):
 * writes the sorted values into `sorted` and their original positions into `order`.
 */
let scratch: { n: number; k1: Uint32Array; k2: Uint32Array; i1: Int32Array; i2: Int32Array } | null = null;

export function radixArgsort(col: Float32Array, sorted: Float32Array, order: Int32Array): void {
  const n = col.length;
  const bits = new Uint32Array(col.buffer, col.byteOffset, n);
  if (!scratch || scratch.n < n) scratch = { n, k1: new Uint32Array(n), k2: new Uint32Array(n), i1: new Int32Array(n), i2: new Int32Array(n) };
  let keys = scratch.k1, idx = scratch.i1, keys2 = scratch.k2, idx2 = scratch.i2;
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    keys[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    idx[i] = i;
  }
  const count = new Int32Array(2048);
  for (let shift = 0; shift < 33; shift += 11) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(keys[i]! >>> shift) & 2047]!++;
    let sum = 0;
    for (let c = 0; c < 2048; c++) { const t = count[c]!; count[c] = sum; sum += t; }
    for (let i = 0; i < n; i++) {
      const k = keys[i]!, p = count[(k >>> shift) & 2047]!++;
      keys2[p] = k;
      idx2[p] = idx[i]!;
    }
    [keys, keys2] = [keys2, keys];
    [idx, idx2] = [idx2, idx];
  }
  for (let i = 0; i < n; i++) {
    order[i] = idx[i]!;
    sorted[i] = col[idx[i]!]!;
  }
}

/** Thresholds of one sorted column (see the file header). */
function thresholdsOfSorted(col: Float32Array, maxBins: number): Float32Array {
  const n = col.length;
  let distinct = n > 0 ? 1 : 0;
  for (let i = 1; i < n; i++) if (col[i] !== col[i - 1]) distinct++;
  const t: number[] = [];
  if (distinct <= maxBins) {
    for (let i = 1; i < n; i++) if (col[i] !== col[i - 1]) t.push(midpoint(col[i - 1]!, col[i]!));
  } else {
    for (let q = 1; q < maxBins; q++) {
      let p = Math.floor((q * n) / maxBins);
      // Move the cut to the next change of value at or after p (binary search past a run of equal values).
      if (col[p] === col[p - 1]) {
        const v = col[p - 1]!;
        let lo = p, hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (col[mid]! <= v) lo = mid + 1;
          else hi = mid;
        }
        p = lo;
      }
      if (p >= n) break;
      const th = midpoint(col[p - 1]!, col[p]!);
      if (!t.length || th > t[t.length - 1]!) t.push(th);
    }
  }
  return Float32Array.from(t);
}

function checkMaxBins(maxBins: number): void {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 256) throw new RangeError(`bins: maxBins must be an integer in 2..256, got ${maxBins}`);
}

/** Per-feature thresholds of X. */
export function fitThresholds(X: Matrix, maxBins = 256): Float32Array[] {
  return binMatrix(X, maxBins).thresholds;
}

/** Bin codes of X (column-major) for given thresholds. */
export function applyThresholds(X: Matrix, thresholds: Float32Array[]): Uint8Array {
  const { rows: n, cols: d, data } = X;
  if (thresholds.length !== d) throw new RangeError(`bins: ${thresholds.length} threshold lists for ${d} columns`);
  const codes = new Uint8Array(n * d);
  for (let f = 0; f < d; f++) {
    const t = thresholds[f]!, m = t.length, o = f * n;
    for (let i = 0; i < n; i++) {
      const x = data[i * d + f]!;
      let lo = 0, hi = m; // the count of thresholds below x
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (t[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      codes[o + i] = lo;
    }
  }
  return codes;
}

/** Thresholds and codes of X in one pass per feature (a radix argsort, then a walk in sorted order). */
export function binMatrix(X: Matrix, maxBins = 256): Bins {
  checkMaxBins(maxBins);
  const { rows: n, cols: d, data } = X;
  const sorted = new Float32Array(n), order = new Int32Array(n);
  const codes = new Uint8Array(n * d);
  const thresholds: Float32Array[] = [];
  // Column-major copy first (sequential reads), so each feature is contiguous.
  const cm = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const ro = i * d;
    for (let f = 0; f < d; f++) cm[f * n + i] = data[ro + f]!;
  }
  for (let f = 0; f < d; f++) {
    radixArgsort(cm.subarray(f * n, (f + 1) * n), sorted, order);
    const t = thresholdsOfSorted(sorted, maxBins);
    thresholds.push(t);
    let c = 0;
    const o = f * n;
    for (let p = 0; p < n; p++) {
      const v = sorted[p]!;
      while (c < t.length && t[c]! < v) c++;
      codes[o + order[p]!] = c;
    }
  }
  return { thresholds, codes, rows: n, cols: d };
}
