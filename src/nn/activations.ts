// Activation and reshaping layers without parameters, wrapping the tensor ops.
import { Module } from './module.ts';
import type { Tensor } from '../core/tensor.ts';

/** ReLU as a layer: max(x, 0). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor { return x.relu(); }
}

/** Leaky ReLU as a layer: x for x > 0, slope·x otherwise (slope default 0.01). */
export class LeakyReLU extends Module {
  constructor(readonly slope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return x.leakyRelu(this.slope); }
}

/** ELU as a layer: x for x > 0, alpha·(exp(x) − 1) otherwise (alpha default 1). */
export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return x.elu(this.alpha); }
}

/** GELU, exact erf form: x·Φ(x) (PyTorch's default nn.GELU()). */
export class GELU extends Module {
  forward(x: Tensor): Tensor { return x.gelu(); }
}

/** The logistic function as a layer: 1 / (1 + e^−x). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return x.sigmoid(); }
}

/** The hyperbolic tangent as a layer. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return x.tanh(); }
}

/** Softmax as a layer, along `axis` (default the last). */
export class Softmax extends Module {
  constructor(readonly axis = -1) { super(); }
  forward(x: Tensor): Tensor { return x.softmax(this.axis); }
}

/** Flattens every axis from startAxis on (default 1: keep the batch axis). */
export class Flatten extends Module {
  constructor(readonly startAxis = 1, readonly endAxis = -1) { super(); }
  forward(x: Tensor): Tensor { return x.flatten(this.startAxis, this.endAxis); }
}
