// Float64 references for the reduction kernels (assembly/reduce.ts). x is viewed as [outer, n, inner]
// (element (o,k,i) at (o·n + k)·inner + i); reduced outputs are [outer, inner]. Forward and backward
// per op, plain TypeScript in float64.
import { ReduceOp as R, ArgReduceOp as A } from '../../src/wasm/opcodes.ts';

type Arr = ArrayLike<number>;

const idx = (o: number, k: number, i: number, n: number, inner: number) => (o * n + k) * inner + i;

/** SUM / MEAN / MAX / MIN over the middle axis (NaN-propagating MAX/MIN). */
export function reduceRef(op: number, x: Arr, outer: number, n: number, inner: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let acc = op === R.SUM || op === R.MEAN ? 0 : op === R.MAX ? -Infinity : Infinity;
      for (let k = 0; k < n; k++) {
        const v = x[idx(o, k, i, n, inner)]!;
        if (op === R.SUM || op === R.MEAN) acc += v;
        else if (Number.isNaN(v) || Number.isNaN(acc)) acc = NaN;
        else acc = op === R.MAX ? Math.max(acc, v) : Math.min(acc, v);
      }
      out.push(op === R.MEAN ? acc / n : acc);
    }
  return out;
}

/** Backward of SUM/MEAN: dx[o,k,i] = dy[o,i] (/ n for MEAN). */
export function reduceSumBackwardRef(op: number, dy: Arr, outer: number, n: number, inner: number): number[] {
  const dx = new Array<number>(outer * n * inner);
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < n; k++)
      for (let i = 0; i < inner; i++) dx[idx(o, k, i, n, inner)] = op === R.MEAN ? dy[o * inner + i]! / n : dy[o * inner + i]!;
  return dx;
}

/** Index of the first maximum (ARGMAX) / minimum (ARGMIN); the first NaN counts as the extreme. */
export function argReduceRef(op: number, x: Arr, outer: number, n: number, inner: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let best = x[idx(o, 0, i, n, inner)]!, bi = 0;
      for (let k = 1; k < n && !Number.isNaN(best); k++) {
        const v = x[idx(o, k, i, n, inner)]!;
        if (Number.isNaN(v) || (op === A.ARGMAX ? v > best : v < best)) {
          best = v;
          bi = k;
        }
      }
      out.push(bi);
    }
  return out;
}

/** Backward of MAX/MIN: dy routed to the first position where x equals the extreme. */
export function reduceExtremeBackwardRef(op: number, x: Arr, dy: Arr, outer: number, n: number, inner: number): number[] {
  const am = argReduceRef(op === R.MAX ? A.ARGMAX : A.ARGMIN, x, outer, n, inner);
  const dx = new Array<number>(outer * n * inner).fill(0);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) dx[idx(o, am[o * inner + i]!, i, n, inner)] = dy[o * inner + i]!;
  return dx;
}

function lanes(outer: number, inner: number, f: (o: number, i: number) => void): void {
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) f(o, i);
}

export function softmaxRef(x: Arr, outer: number, n: number, inner: number): number[] {
  const out = new Array<number>(outer * n * inner);
  lanes(outer, inner, (o, i) => {
    let m = -Infinity;
    for (let k = 0; k < n; k++) m = Math.max(m, x[idx(o, k, i, n, inner)]!);
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.exp(x[idx(o, k, i, n, inner)]! - m);
    for (let k = 0; k < n; k++) out[idx(o, k, i, n, inner)] = Math.exp(x[idx(o, k, i, n, inner)]! - m) / s;
  });
  return out;
}

export function logSoftmaxRef(x: Arr, outer: number, n: number, inner: number): number[] {
  const out = new Array<number>(outer * n * inner);
  lanes(outer, inner, (o, i) => {
    let m = -Infinity;
    for (let k = 0; k < n; k++) m = Math.max(m, x[idx(o, k, i, n, inner)]!);
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.exp(x[idx(o, k, i, n, inner)]! - m);
    const ls = Math.log(s);
    for (let k = 0; k < n; k++) out[idx(o, k, i, n, inner)] = x[idx(o, k, i, n, inner)]! - m - ls;
  });
  return out;
}

/** dx = y·(dy − Σ dy·y) with y = softmax(x). */
export function softmaxBackwardRef(y: Arr, dy: Arr, outer: number, n: number, inner: number): number[] {
  const dx = new Array<number>(outer * n * inner);
  lanes(outer, inner, (o, i) => {
    let d = 0;
    for (let k = 0; k < n; k++) d += dy[idx(o, k, i, n, inner)]! * y[idx(o, k, i, n, inner)]!;
    for (let k = 0; k < n; k++) {
      const j = idx(o, k, i, n, inner);
      dx[j] = y[j]! * (dy[j]! - d);
    }
  });
  return dx;
}

/** dx = dy − exp(y)·Σ dy with y = logSoftmax(x). */
export function logSoftmaxBackwardRef(y: Arr, dy: Arr, outer: number, n: number, inner: number): number[] {
  const dx = new Array<number>(outer * n * inner);
  lanes(outer, inner, (o, i) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += dy[idx(o, k, i, n, inner)]!;
    for (let k = 0; k < n; k++) {
      const j = idx(o, k, i, n, inner);
      dx[j] = dy[j]! - Math.exp(y[j]!) * s;
    }
  });
  return dx;
}

export function sumSquaresRef(x: Arr): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

/** d(Σ x²)/dx = 2x, times the upstream scalar gradient. */
export function sumSquaresBackwardRef(x: Arr, dy = 1): number[] {
  return Array.from(x, (v) => 2 * v * dy);
}

export function dotRef(x: Arr, y: Arr): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

/** [d/dx, d/dy] of Σ x·y, times the upstream scalar gradient. */
export function dotBackwardRef(x: Arr, y: Arr, dz = 1): [number[], number[]] {
  return [Array.from(y, (v) => v * dz), Array.from(x, (v) => v * dz)];
}

/** Σ |x|: scale for the absolute error of a float32 sum. */
export function absSum(x: Arr): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]!);
  return s;
}
