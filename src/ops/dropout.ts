// Inverted dropout with a counter-based mask (assembly/dropout.ts): element i of a call with key k is
// kept when hash(k, i) ≥ p (24-bit uniform), kept values are scaled by 1/(1 − p). The mask is a pure
// function of the key, so the backward regenerates it (same kernel on dy) and nothing is stored.
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { backend } from '../core/runtime.ts';
import { Rng } from '../core/random.ts';
import { empty } from './creation.ts';

/** Options of the dropout op: whether it is active and the key of its mask. */
export interface DropoutOptions {
  /** Active (default true); false returns the input unchanged. */
  training?: boolean;
  /** The 32-bit mask key; without it one is drawn from the dropout generator (see dropoutSeed). */
  key?: number;
}

let dropoutRng = new Rng(0xd0);

/** Re-seeds the generator that supplies keys to dropout() calls without their own key. */
export function dropoutSeed(seed: number): void {
  dropoutRng = new Rng(seed);
}

export function checkDropoutP(p: number, name: string): void {
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new RangeError(`${name}: p must be in [0, 1), got ${p}`);
}

/** y = x·mask/(1 − p) in training (mask ~ Bernoulli(1 − p), fixed by the key); x itself otherwise. */
export function dropout(x: Tensor, p = 0.5, opts: DropoutOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError('dropout: input must be a Tensor');
  checkDropoutP(p, 'dropout');
  if (opts.training === false || p === 0) return x;
  const key = (opts.key ?? dropoutRng.nextU32()) | 0;
  const threshold = Math.round(p * 16777216);
  const scale = 1 / (1 - p);
  const k = backend().k;
  const out = empty(x.shape);
  if (x.size) k.dropout(x.ptr, out.ptr, x.size, key, threshold, scale);
  return record(out, 'dropout', [x], (g) => {
    const dx = empty(x.shape);
    if (dx.size) k.dropout(g.ptr, dx.ptr, dx.size, key, threshold, scale);
    return [dx];
  });
}
