// Heavy linear algebra of the classical classifiers on ecgrad's SIMD GEMM (src/ops/matmul.ts): a matrix
// copied once into wasm memory, and the two products the classifiers need, A·Bᵀ (kNN distance blocks,
// linear-model scores), Gᵀ·X (linear-model gradients) and RBF kernel blocks times a matrix (the SVMs' decision
// values and gradients). Temporaries live in tidy() scopes.
import { backend } from '../core/runtime.ts';
import { tidy } from '../core/memory.ts';
import type { Tensor } from '../core/tensor.ts';
import { empty, fromArray } from '../ops/creation.ts';
import { add, clamp, exp, scale } from '../ops/elementwise.ts';
import { gemmRaw } from '../ops/matmul.ts';
import type { Matrix } from './matrix.ts';

/** A rows x cols float32 matrix held in wasm memory (persistent until garbage-collected). */
export class WasmMatrix {
  readonly rows: number;
  readonly cols: number;
  private t: Tensor;
  private source: Float32Array;

  constructor(m: Matrix) {
    this.rows = m.rows;
    this.cols = m.cols;
    this.source = m.data;
    this.t = fromArray(m.data, [m.rows, m.cols]).keep();
  }

  /** Pointer to the data (re-uploaded if ecgrad was re-initialised since). */
  get ptr(): number {
    return this.tensor.ptr;
  }

  /** The data as a kept rows x cols tensor (re-uploaded if ecgrad was re-initialised since), for tensor ops. */
  get tensor(): Tensor {
    try {
      void this.t.ptr;
    } catch {
      this.t = fromArray(this.source, [this.rows, this.cols]).keep();
    }
    return this.t;
  }
}

/**
 * Computes C = A·Bᵀ for A (aRows x d, JS memory) and B (wasm) and hands a view of C (aRows x B.rows) to
 * `use`. The view is valid only inside `use`, which must not allocate wasm memory (no tensor ops).
 */
export function withProductNT<T>(a: Float32Array, aRows: number, B: WasmMatrix, use: (c: Float32Array) => T): T {
  const d = B.cols;
  if (a.length !== aRows * d) throw new RangeError(`withProductNT: A has ${a.length} values, expected ${aRows} x ${d}`);
  return tidy(() => {
    const at = fromArray(a, [aRows, d]);
    const out = empty([aRows, B.rows]);
    gemmRaw(false, true, aRows, B.rows, d, at.ptr, B.ptr, out.ptr);
    return use(backend().f32(out.ptr, aRows * B.rows));
  });
}

/** Gᵀ·X for G (X.rows x k, JS memory) and X (wasm): a k x X.cols Float32Array. */
export function productTN(g: Float32Array, k: number, X: WasmMatrix): Float32Array {
  if (g.length !== X.rows * k) throw new RangeError(`productTN: G has ${g.length} values, expected ${X.rows} x ${k}`);
  return tidy(() => {
    const gt = fromArray(g, [X.rows, k]);
    const out = empty([k, X.cols]);
    gemmRaw(true, false, k, X.cols, X.rows, gt.ptr, X.ptr, out.ptr);
    return backend().f32(out.ptr, k * X.cols).slice();
  });
}

/** X·Wᵀ for X (wasm, N x d) and W (JS memory, k x d): an N x k Float32Array. */
export function productNT(X: WasmMatrix, w: Float32Array, k: number): Float32Array {
  if (w.length !== k * X.cols) throw new RangeError(`productNT: W has ${w.length} values, expected ${k} x ${X.cols}`);
  return tidy(() => {
    const wt = fromArray(w, [k, X.cols]);
    const out = empty([X.rows, k]);
    gemmRaw(false, true, X.rows, k, X.cols, X.ptr, wt.ptr, out.ptr);
    return backend().f32(out.ptr, X.rows * k).slice();
  });
}

/** −γ‖x_k‖² of each of the n rows of x (d columns), as a 1 x n WasmMatrix for rbfProductNT. */
export function rbfRowTerms(x: Float32Array, n: number, d: number, gamma: number): WasmMatrix {
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0, o = k * d; j < d; j++) s += x[o + j]! * x[o + j]!;
    out[k] = -gamma * s;
  }
  return new WasmMatrix({ data: out, rows: 1, cols: n });
}

/**
 * Σ_k W[q, k]·exp(−γ‖a_r − x_k‖²) for the aRows rows of `a` (aRows x d, JS memory) against X (wasm, n x d) and
 * W (wasm, P x n): an aRows x P Float32Array. `xTerm` is rbfRowTerms(X). ‖a − x‖² = ‖a‖² + ‖x‖² − 2a·x from one
 * GEMM, clamped at 0; the aRows x n kernel block is exponentiated by the wasm kernels, then multiplied by Wᵀ in
 * a second GEMM (float32 sums). The caller keeps aRows x n small (the block and its temporaries are allocated).
 */
export function rbfProductNT(a: Float32Array, aRows: number, X: WasmMatrix, xTerm: WasmMatrix, W: WasmMatrix, gamma: number): Float32Array {
  const d = X.cols, n = X.rows, P = W.rows;
  if (a.length !== aRows * d) throw new RangeError(`rbfProductNT: A has ${a.length} values, expected ${aRows} x ${d}`);
  if (xTerm.cols !== n || W.cols !== n) throw new RangeError(`rbfProductNT: X has ${n} rows, its terms ${xTerm.cols} and W ${W.cols} columns`);
  const aTerm = new Float32Array(aRows);
  for (let r = 0; r < aRows; r++) {
    let s = 0;
    for (let j = 0, o = r * d; j < d; j++) s += a[o + j]! * a[o + j]!;
    aTerm[r] = -gamma * s;
  }
  return tidy(() => {
    const dots = empty([aRows, n]);
    gemmRaw(false, true, aRows, n, d, fromArray(a, [aRows, d]).ptr, X.ptr, dots.ptr);
    const kernel = exp(clamp(add(add(scale(dots, 2 * gamma), fromArray(aTerm, [aRows, 1])), xTerm.tensor), undefined, 0));
    const out = empty([aRows, P]);
    gemmRaw(false, true, aRows, P, n, kernel.ptr, W.ptr, out.ptr);
    return backend().f32(out.ptr, aRows * P).slice();
  });
}
