// End-to-end float32 finite-difference gradient check of tensor ops: central differences with eps 1e-3
// against the autograd gradients of sum(f(x)·w) for fixed random weights w (so upstream gradients are
// not uniform). Passes when |analytic − numeric| <= rtol·max(|a|, |n|) + atol for every element.
import { fromArray, grad, noGrad, randn, type Tensor } from '../../src/all.ts';

export interface GradCheckInput {
  data: ArrayLike<number>;
  shape: number[];
}

export function gradCheck(
  name: string,
  f: (...xs: Tensor[]) => Tensor,
  inputs: GradCheckInput[],
  { eps = 1e-3, rtol = 1e-2, atol = 2e-3, seed = 7 } = {},
): void {
  const xs = inputs.map((x) => Float64Array.from(x.data));
  let weights: Tensor | null = null;
  const objective = (...ts: Tensor[]): Tensor => {
    const y = f(...ts);
    weights ??= randn(y.shape, { seed }).keep();
    return y.mul(weights).sum();
  };
  const tensors = () => xs.map((x, i) => fromArray(x, inputs[i]!.shape));
  const analytic = grad(objective, tensors()).map((g) => g.data());
  const value = (): number => noGrad(() => objective(...tensors()).item());
  xs.forEach((x, k) => {
    for (let i = 0; i < x.length; i++) {
      const orig = x[i]!;
      x[i] = orig + eps;
      const up = value();
      x[i] = orig - eps;
      const down = value();
      x[i] = orig;
      // The perturbation actually applied is what float32 can represent.
      const h = Math.fround(orig + eps) - Math.fround(orig - eps);
      const numeric = (up - down) / h;
      const a = analytic[k]![i]!;
      if (!(Math.abs(a - numeric) <= rtol * Math.max(Math.abs(a), Math.abs(numeric)) + atol))
        throw new Error(`${name}: d/dinput${k}[${i}] analytic ${a} vs numeric ${numeric}`);
    }
  });
}

/** Values uniformly in ±[lo, hi] (away from 0) from a seed. */
export function awayFromZero(n: number, seed: number, lo = 0.2, hi = 1.5): Float64Array {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Float64Array.from({ length: n }, () => (next() < 0.5 ? -1 : 1) * (lo + (hi - lo) * next()));
}

/** Values uniformly in [lo, hi) from a seed. */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * next());
}
