// The zoo models the interop tests (safetensors, ONNX) run: every registered architecture at the intra
// input (187 samples, 1 lead, 5 classes, 125 Hz), with 6 RR features for the models that take them; their
// weights set by fillDeterministic (a seeded generator over the PyTorch state dict, independent of
// ecgrad's init code, so the files PyTorch read when the fixtures were made can be rebuilt byte for byte);
// and the fixed input batch.
import { Rng } from '../../src/core/random.ts';
import { fromArray } from '../../src/ops/creation.ts';
import type { Tensor } from '../../src/core/tensor.ts';
import type { Module } from '../../src/nn/module.ts';
import { BatchNorm1d } from '../../src/nn/batchnorm.ts';
import { modelSpec, MODEL_SPECS } from '../../src/models/registry.ts';
import type { ModelInput } from '../../src/models/spec.ts';
import { torchStateDict } from '../../src/nn/safetensors-state.ts';

export const BATCH = 4;

export interface ZooCase {
  name: string;
  input: ModelInput;
}

/** Every registered model; the PyTorch reference models take no RR features. */
export function zooCases(): ZooCase[] {
  return MODEL_SPECS.map((s) => ({
    name: s.name,
    input: { length: 187, channels: 1, classes: 5, rrFeatures: s.inComparison === false ? 0 : 6, fs: 125, seed: 0 },
  }));
}

/**
 * Sets every parameter and buffer from a seeded generator, in PyTorch state-dict order: weights
 * U(±1/√fan_in), biases U(±0.1), BatchNorm γ U(0.5, 1.5), β U(±0.2), running mean U(±0.3), running
 * variance U(0.5, 2), num_batches_tracked 11. Depends only on the names and shapes.
 */
export function fillDeterministic(model: Module, seed: number): void {
  const rng = new Rng(seed);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng.uniform();
  const bns = new Set([...model.namedModules()].filter(([, m]) => m instanceof BatchNorm1d).map(([p]) => p));
  for (const e of torchStateDict(model)) {
    const n = e.tensor.size;
    const leaf = e.torch.slice(e.torch.lastIndexOf('.') + 1);
    const bn = bns.has(e.torch.slice(0, Math.max(0, e.torch.lastIndexOf('.'))));
    let gen: () => number;
    if (leaf === 'num_batches_tracked') gen = () => 11;
    else if (leaf === 'running_mean') gen = () => u(-0.3, 0.3);
    else if (leaf === 'running_var') gen = () => u(0.5, 2);
    else if (bn && leaf === 'weight') gen = () => u(0.5, 1.5);
    else if (bn && leaf === 'bias') gen = () => u(-0.2, 0.2);
    else if (e.tensor.ndim === 1) gen = () => u(-0.1, 0.1);
    else {
      const b = 1 / Math.sqrt(n / e.tensor.shape[0]!);
      gen = () => u(-b, b);
    }
    e.tensor.assign_(Float32Array.from({ length: n }, gen));
  }
}

/** A zoo model with deterministic weights, in eval mode. */
export function buildCase(c: ZooCase, seed = 1000): Module {
  const model = modelSpec(c.name).build(c.input);
  fillDeterministic(model, seed + c.name.length * 7919 + c.name.charCodeAt(0));
  return model.eval();
}

/** The fixed batch: beats [n, 1, 187] (a damped sine with a spike per row) and RR features [n, 6]. */
export function fixedBatch(n = BATCH): { x: Float32Array; rr: Float32Array } {
  const rng = new Rng(42);
  const x = new Float32Array(n * 187);
  for (let b = 0; b < n; b++)
    for (let t = 0; t < 187; t++) x[b * 187 + t] = Math.fround(0.6 * Math.exp(-t / 60) * Math.sin((t * (b + 2)) / 9) + (t === 20 + 10 * b ? 1.5 : 0) + 0.05 * (rng.uniform() - 0.5));
  const rr = Float32Array.from({ length: n * 6 }, (_, i) => Math.fround(0.6 + 0.4 * Math.sin(i)));
  return { x, rr };
}

/** Logits of a model on a batch (x [n, 1, 187], rr [n, 6] when it takes RR features). */
export function logitsOf(model: Module, c: ZooCase, batch = fixedBatch()): Float32Array {
  const n = batch.x.length / 187;
  const x: Tensor = fromArray(batch.x, [n, 1, 187]);
  const out = c.input.rrFeatures ? model.forward(x, fromArray(batch.rr, [n, c.input.rrFeatures])) : model.forward(x);
  return out.data();
}

/** max|a − b| / max|b|. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-30);
}

/** max|a − b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = a.length === b.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
