// Every attribution method by name, with one options object, so the CLI and the evaluation can run any
// of them on any model.
import { Rng } from '../core/random.ts';
import { type ExplainedModel, ExplainError, resolveTargets } from './classifier.ts';
import { type Attribution, type CommonOptions, makeAttribution, saliency, smoothGrad } from './gradient.ts';
import { integratedGradients, type QuadratureRule } from './integrated-gradients.ts';
import { gradientShap, kernelShapModel } from './shap.ts';
import { gradCam } from './gradcam.ts';
import type { Baseline, BaselineOptions } from './baselines.ts';

export const METHODS = [
  'saliency', 'gradient', 'gradient-x-input', 'smoothgrad', 'integrated-gradients', 'gradient-shap', 'kernel-shap', 'grad-cam', 'random',
] as const;
export type MethodName = (typeof METHODS)[number];

export const METHOD_DESCRIPTIONS: Record<MethodName, string> = {
  saliency: '|∂f/∂x| (Simonyan et al. 2014)',
  gradient: 'signed gradient ∂f/∂x',
  'gradient-x-input': 'gradient ⊙ input (Shrikumar et al. 2016)',
  smoothgrad: 'gradient averaged over noisy copies (Smilkov et al. 2017)',
  'integrated-gradients': 'path integral of gradients from a baseline (Sundararajan et al. 2017)',
  'gradient-shap': 'expected gradients over a background set (Lundberg & Lee 2017; Erion et al. 2021)',
  'kernel-shap': 'model-agnostic Shapley values of contiguous segments (Lundberg & Lee 2017)',
  'grad-cam': 'class activation map of a convolutional layer (Selvaraju et al. 2017)',
  random: 'random attribution (control)',
};

export interface MethodOptions extends CommonOptions, BaselineOptions {
  /** IG steps (default 32). */
  steps?: number;
  rule?: QuadratureRule;
  baseline?: Baseline;
  /** Background beats for gradient-shap (default: the baseline's beats, or the mean beat). */
  background?: Float32Array;
  /** Samples of smoothgrad, gradient-shap and kernel-shap. */
  samples?: number;
  noiseLevel?: number;
  segments?: number;
  layer?: string;
  seed?: number;
}

export function isMethod(name: string): name is MethodName {
  return (METHODS as readonly string[]).includes(name);
}

/** Random attributions (uniform in [−1, 1], seeded): the control of the faithfulness curves. */
export function randomAttribution(clf: ExplainedModel, x: Float32Array, opts: CommonOptions & { seed?: number } = {}): Attribution {
  const targets = resolveTargets(clf, x, opts.rr, opts.targets);
  const rng = new Rng(opts.seed ?? 12345);
  const v = new Float32Array(x.length);
  for (let i = 0; i < v.length; i++) v[i] = 2 * rng.uniform() - 1;
  return makeAttribution(clf, 'random', v, targets);
}

/** Runs method `name` on beats x (n x channels x length). */
export function attribute(clf: ExplainedModel, x: Float32Array, name: string, opts: MethodOptions = {}): Attribution {
  if (!isMethod(name)) throw new ExplainError(`unknown method "${name}"; choose one of ${METHODS.join(', ')}`);
  switch (name) {
    case 'saliency':
    case 'gradient':
    case 'gradient-x-input':
      return saliency(clf, x, { ...opts, variant: name });
    case 'smoothgrad':
      return smoothGrad(clf, x, opts);
    case 'integrated-gradients':
      return integratedGradients(clf, x, opts);
    case 'gradient-shap': {
      let background = opts.background;
      if (!background) {
        if (opts.baseline instanceof Float32Array) background = opts.baseline;
        else if (opts.meanBeat) background = opts.meanBeat;
        else background = new Float32Array(clf.beatSize);
      }
      return gradientShap(clf, x, { ...opts, background });
    }
    case 'kernel-shap':
      return kernelShapModel(clf, x, opts);
    case 'grad-cam':
      return gradCam(clf, x, opts);
    case 'random':
      return randomAttribution(clf, x, opts);
  }
}
