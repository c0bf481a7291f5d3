// Dropout(p, { seed }): inverted dropout in training (kept values scaled by 1/(1 − p)), identity in eval.
// Each training forward draws a fresh 32-bit mask key from the layer's own generator (seeded; without a
// seed, from the global init generator), so the same seed and call sequence give identical masks; the
// backward regenerates the same mask from the key (src/ops/dropout.ts).
import { Module } from './module.ts';
import type { Tensor } from '../core/tensor.ts';
import { Rng } from '../core/random.ts';
import { checkDropoutP, dropout } from '../ops/dropout.ts';
import { layerRng } from './init.ts';

export interface DropoutOptions {
  seed?: number;
}

/**
 * Dropout as a layer: in training mode zeroes each element with probability p (default 0.5) and scales the
 * rest by 1/(1 − p); in eval mode the identity. Its masks come from its own generator (seeded by `seed`, or
 * drawn from the layer generator), so runs are reproducible. Throws a RangeError for p outside [0, 1).
 */
export class Dropout extends Module {
  private readonly rng: Rng;
  constructor(readonly p = 0.5, opts: DropoutOptions = {}) {
    super();
    checkDropoutP(p, 'Dropout');
    this.rng = opts.seed === undefined ? new Rng(layerRng().nextU32()) : new Rng(opts.seed);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return dropout(x, this.p, { key: this.rng.nextU32() });
  }
}
