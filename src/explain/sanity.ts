// Sanity check: cascading model-parameter randomisation (Adebayo et al. 2018). The model's parametrised
// layers (modules owning parameters directly, in module order) are re-initialised one at a time from the
// top (output side) down, cumulatively; after each step the explanation is recomputed and compared with
// the original by the Spearman rank correlation of absolute attributions, averaged over beats. An
// explanation that depends on what the model learned falls towards 0 as layers are randomised.
//
// The randomisation runs on a copy of the model when `copy` is given (a function building one, e.g. from
// the model file); otherwise on the model itself, whose parameters are snapshotted before and restored
// afterwards (also on error), so the caller's model is unchanged either way.
// Re-initialisation: a parameter of two or more dimensions ~ U(−1/√fanIn, 1/√fanIn) (fanIn = size / dim 0,
// PyTorch's default bound); a 1-D parameter of a layer that has such a weight (a bias) ~ the same bound;
// the 1-D parameters of a normalisation layer: weight ~ U(0.5, 1.5), bias ~ U(−0.5, 0.5). Buffers (running
// statistics) are kept.
import { Rng } from '../core/random.ts';
import type { Module } from '../nn/module.ts';
import type { Tensor } from '../core/tensor.ts';
import { ExplainedModel, ExplainError } from './classifier.ts';
import { meanAbsSpearman } from './stats.ts';

/**
 * One step of cascading randomisation: the layer randomised, how many so far, and the Spearman correlation
 * with the original explanation.
 */
export interface SanityStep {
  /** Layer randomised at this step ('' for the original model). */
  layer: string;
  /** Layers randomised so far. */
  randomised: number;
  /** Mean Spearman correlation of |attributions| with the original explanation. */
  spearman: number;
  perBeat: Float32Array;
}

/**
 * Options of cascadingRandomization: the seed, a function building a copy of the model to randomise, and the
 * most layers to randomise.
 */
export interface SanityOptions {
  seed?: number;
  /** Build a copy of the model to randomise (its parameter names must match). */
  copy?: () => Module;
  /** Randomise at most this many layers (default all). */
  maxLayers?: number;
}

/** Parametrised layers in module order: [module path, its own parameters]. */
export function parametrisedLayers(model: Module): [string, [string, Tensor][]][] {
  const groups = new Map<string, [string, Tensor][]>();
  for (const [name, t] of model.namedParameters()) {
    const dot = name.lastIndexOf('.');
    const owner = dot < 0 ? '' : name.slice(0, dot);
    if (!groups.has(owner)) groups.set(owner, []);
    groups.get(owner)!.push([name, t]);
  }
  return [...groups];
}

function reinit(params: [string, Tensor][], rng: Rng): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const weight = params.find(([, t]) => t.ndim >= 2)?.[1];
  const bound = weight ? 1 / Math.sqrt(weight.size / weight.shape[0]!) : 0;
  for (const [name, t] of params) {
    const v = new Float32Array(t.size);
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    let lo: number, hi: number;
    if (t.ndim >= 2) {
      const b = 1 / Math.sqrt(t.size / t.shape[0]!);
      [lo, hi] = [-b, b];
    } else if (weight) [lo, hi] = [-bound, bound];
    else if (leaf === 'weight') [lo, hi] = [0.5, 1.5];
    else [lo, hi] = [-0.5, 0.5];
    for (let i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rng.uniform();
    out.set(name, v);
  }
  return out;
}

/**
 * explain(clf) returns the attributions (n x channels x length) of the same beats and targets with the
 * classifier given, whose model is progressively randomised.
 */
export function cascadingRandomization(clf: ExplainedModel, explain: (clf: ExplainedModel) => Float32Array, opts: SanityOptions = {}): SanityStep[] {
  const original = explain(clf);
  const size = clf.beatSize;
  const steps: SanityStep[] = [{ layer: '', randomised: 0, spearman: 1, perBeat: new Float32Array(original.length / size).fill(1) }];
  const target = opts.copy ? opts.copy() : clf.model;
  if (opts.copy) {
    target.loadStateDict(clf.model.stateDict());
  }
  const work = target === clf.model ? clf : new ExplainedModel(target, {
    channels: clf.channels, length: clf.length, rrFeatures: clf.rrFeatures, output: clf.output, batchSize: clf.batchSize, name: clf.name,
  });
  const layers = parametrisedLayers(target).reverse();
  if (!layers.length) throw new ExplainError('sanity: the model has no parameters to randomise');
  const snapshot = new Map(target.namedParameters().map(([n, t]) => [n, t.data()]));
  const rng = new Rng(opts.seed ?? 0);
  try {
    const limit = Math.min(layers.length, opts.maxLayers ?? layers.length);
    for (let k = 0; k < limit; k++) {
      const [layer, params] = layers[k]!;
      target.loadStateDict(reinit(params, rng), false);
      const r = meanAbsSpearman(original, explain(work), size);
      steps.push({ layer: layer || '(root)', randomised: k + 1, spearman: r.mean, perBeat: r.perBeat });
    }
  } finally {
    if (target === clf.model) target.loadStateDict(snapshot, false);
  }
  return steps;
}
