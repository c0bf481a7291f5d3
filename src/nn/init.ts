// Deterministic parameter initialisation (PyTorch's formulas), from a seed. Layers take `{ seed }`;
// without one they draw from the global init generator, re-seeded by manualSeed-like initSeed(n).
import { Rng } from '../core/random.ts';
import { checkAllocation } from '../core/memory.ts';
import { fromArray } from '../ops/creation.ts';
import type { Tensor } from '../core/tensor.ts';

let initRng = new Rng(0x5eed);

/** Re-seeds the generator used by layers constructed without their own seed. */
export function initSeed(seed: number): void {
  initRng = new Rng(seed);
}

/** A generator for one layer: its own seed when given, else the global init generator. */
export function layerRng(seed?: number): Rng {
  return seed === undefined ? initRng : new Rng(seed);
}

function filled(shape: number[], draw: () => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  checkAllocation(n);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = draw();
  return fromArray(v, shape);
}

/** U(-bound, bound). */
export function uniformInit(shape: number[], bound: number, rng: Rng): Tensor {
  return filled(shape, () => (2 * rng.uniform() - 1) * bound);
}

/** N(0, std²). */
export function normalInit(shape: number[], std: number, rng: Rng): Tensor {
  return filled(shape, () => std * rng.normal());
}

/** Kaiming/He uniform: bound = gain·sqrt(3 / fanIn), gain = sqrt(2 / (1 + a²)). a = sqrt(5) is PyTorch's default for Linear/Conv weights. */
export function kaimingUniform(shape: number[], fanIn: number, rng: Rng, a = 0): Tensor {
  const gain = Math.sqrt(2 / (1 + a * a));
  return uniformInit(shape, gain * Math.sqrt(3 / Math.max(fanIn, 1)), rng);
}

/** Kaiming/He normal: std = sqrt(2 / fanIn) (ReLU gain). */
export function kaimingNormal(shape: number[], fanIn: number, rng: Rng): Tensor {
  return normalInit(shape, Math.sqrt(2 / Math.max(fanIn, 1)), rng);
}

/** Xavier/Glorot uniform: bound = gain·sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform(shape: number[], fanIn: number, fanOut: number, rng: Rng, gain = 1): Tensor {
  return uniformInit(shape, gain * Math.sqrt(6 / Math.max(fanIn + fanOut, 1)), rng);
}

/** Xavier/Glorot normal: std = gain·sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal(shape: number[], fanIn: number, fanOut: number, rng: Rng, gain = 1): Tensor {
  return normalInit(shape, gain * Math.sqrt(2 / Math.max(fanIn + fanOut, 1)), rng);
}

/**
 * A weight initialisation by name: 'default' is PyTorch's (Kaiming uniform with a = √5); the others are the
 * Kaiming (He) and Xavier (Glorot) uniform and normal formulas.
 */
export type InitName = 'default' | 'kaimingUniform' | 'kaimingNormal' | 'xavierUniform' | 'xavierNormal';

/** Weight init by name; 'default' is PyTorch's (Kaiming uniform with a = sqrt(5)). */
export function initWeight(name: InitName, shape: number[], fanIn: number, fanOut: number, rng: Rng): Tensor {
  switch (name) {
    case 'default': return kaimingUniform(shape, fanIn, rng, Math.sqrt(5));
    case 'kaimingUniform': return kaimingUniform(shape, fanIn, rng);
    case 'kaimingNormal': return kaimingNormal(shape, fanIn, rng);
    case 'xavierUniform': return xavierUniform(shape, fanIn, fanOut, rng);
    case 'xavierNormal': return xavierNormal(shape, fanIn, fanOut, rng);
    default: throw new RangeError(`unknown init "${String(name)}"; use default, kaimingUniform, kaimingNormal, xavierUniform or xavierNormal`);
  }
}

/** PyTorch's default bias init: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
export function defaultBias(shape: number[], fanIn: number, rng: Rng): Tensor {
  return uniformInit(shape, 1 / Math.sqrt(Math.max(fanIn, 1)), rng);
}
