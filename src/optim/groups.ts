// Parameter groups for weight decay: decay the weights, not the biases and normalisation parameters.
import type { Tensor } from '../core/tensor.ts';
import type { ParamGroup } from './optimizer.ts';

/** True for biases and normalisation parameters (1-D tensors, or names ending in bias). */
export function isBiasOrNorm(name: string, t: Tensor): boolean {
  return t.ndim <= 1 || /(^|\.)bias($|_)|bias_[ih]h/.test(name);
}

/**
 * Two groups: every weight with `weightDecay`, biases and norm parameters with 0 (or everything with
 * `weightDecay` when includeAll). Pass the result to SGD/Adam/AdamW.
 */
export function decayGroups(named: [string, Tensor][], weightDecay: number, opts: { includeAll?: boolean } = {}): ParamGroup[] {
  const decay: Tensor[] = [], noDecay: Tensor[] = [];
  for (const [n, t] of named) (opts.includeAll || !isBiasOrNorm(n, t) ? decay : noDecay).push(t);
  return [{ params: decay, weightDecay }, { params: noDecay, weightDecay: 0 }];
}
