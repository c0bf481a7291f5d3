// Float64 re-implementations of PyTorch's optimizer update rules (torch.optim.SGD, Adam, AdamW with
// amsgrad = false, maximize = false), one step at a time on plain arrays, for assembly/optim.ts.

export interface SgdOptions { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean }

/** One SGD step in place on p (and buf); `first` is true on the optimizer's first step for these params. */
export function sgdStepRef(p: number[], g: ArrayLike<number>, buf: number[], o: SgdOptions, first: boolean): void {
  for (let i = 0; i < p.length; i++) {
    let d = g[i]!;
    if (o.weightDecay !== 0) d = d + o.weightDecay * p[i]!;
    if (o.momentum !== 0) {
      buf[i] = first ? d : o.momentum * buf[i]! + (1 - o.dampening) * d;
      d = o.nesterov ? d + o.momentum * buf[i]! : buf[i]!;
    }
    p[i] = p[i]! - o.lr * d;
  }
}

export interface AdamOptions { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean }

/** Bias corrections [1 − β1^t, 1 − β2^t] for step t ≥ 1. */
export function biasCorrections(o: AdamOptions, t: number): [number, number] {
  return [1 - Math.pow(o.beta1, t), 1 - Math.pow(o.beta2, t)];
}

/**
 * One Adam (decoupled = false) / AdamW (decoupled = true) step in place on p, m, v, with the bias
 * corrections of step t given explicitly (as the host computes them; see biasCorrections).
 */
export function adamStepRef(p: number[], g: ArrayLike<number>, m: number[], v: number[], o: AdamOptions, bc1: number, bc2: number): void {
  const stepSize = o.lr / bc1, bc2s = Math.sqrt(bc2);
  for (let i = 0; i < p.length; i++) {
    let gi = g[i]!;
    if (o.decoupled) p[i] = p[i]! * (1 - o.lr * o.weightDecay);
    else if (o.weightDecay !== 0) gi = gi + o.weightDecay * p[i]!;
    m[i] = o.beta1 * m[i]! + (1 - o.beta1) * gi;
    v[i] = o.beta2 * v[i]! + (1 - o.beta2) * gi * gi;
    p[i] = p[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2s + o.eps);
  }
}
