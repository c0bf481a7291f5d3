// Sequential: runs child modules in order; children are named "0", "1", ... like PyTorch's.
import { Module } from './module.ts';
import type { Tensor } from '../core/tensor.ts';

/**
 * Layers applied in order: forward(x) runs each layer on the previous one's output. Children are named "0",
 * "1", ... (as PyTorch's nn.Sequential).
 */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.child(String(i), m));
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.layers) h = m.forward(h);
    return h;
  }
}
