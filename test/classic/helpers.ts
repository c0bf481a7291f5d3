// Synthetic data for the classical-classifier tests (seeded).
import { Rng } from '../../src/core/random.ts';
import { type Matrix, matrix } from '../../src/classic/index.ts';

/** K Gaussian blobs in d dimensions, centres 6 apart on the axes, unit spread; n points per class. */
export function blobs(n: number, K: number, d: number, seed: number): { X: Matrix; y: Int32Array } {
  const rng = new Rng(seed);
  const X = new Float32Array(n * K * d), y = new Int32Array(n * K);
  for (let i = 0; i < n * K; i++) {
    const c = i % K;
    y[i] = c;
    for (let j = 0; j < d; j++) X[i * d + j] = rng.normal() + (j === c % d ? 6 * (c < d ? 1 : -1) : 0);
  }
  return { X: matrix(X, n * K, d), y };
}

/** XOR: x uniform in [-1, 1]², label 1 when the signs differ (points near the axes removed). */
export function xor(n: number, seed: number): { X: Matrix; y: Int32Array } {
  const rng = new Rng(seed);
  const X: number[] = [], y: number[] = [];
  while (y.length < n) {
    const a = rng.uniform() * 2 - 1, b = rng.uniform() * 2 - 1;
    if (Math.abs(a) < 0.1 || Math.abs(b) < 0.1) continue;
    X.push(a, b);
    y.push(a > 0 !== b > 0 ? 1 : 0);
  }
  return { X: matrix(X, n, 2), y: Int32Array.from(y) };
}

export function accuracy(y: Int32Array, p: Int32Array): number {
  let c = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === p[i]) c++;
  return c / y.length;
}
