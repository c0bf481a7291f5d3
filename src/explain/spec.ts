// The spec of an attribution method: its name, one line for --help and tables, and how it explains a
// model's beats from the one options object every method takes. Each method's file in methods/ exports
// its spec (made with methodSpec); methods.ts lists them.
import type { Spec } from '../core/registry.ts';
import type { Baseline, BaselineOptions } from './baselines.ts';
import type { ExplainedModel } from './classifier.ts';
import type { Attribution, CommonOptions } from './gradient.ts';
import type { QuadratureRule } from './integrated-gradients.ts';

/** The options of every method (each reads the ones it needs). */
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

/**
 * A registry entry of an attribution method (METHOD_SPECS): its name and description, how it attributes, and
 * when it cannot explain a model.
 */
export interface MethodSpec<N extends string = string> extends Spec<N> {
  /** Attributions of beats x (n x channels x length). */
  attribute(clf: ExplainedModel, x: Float32Array, opts: MethodOptions): Attribution;
  /**
   * Why the method cannot explain this model (Grad-CAM: "no convolutional layer"), or undefined when it
   * can. Runs over several models skip the method for such a model, giving the reason.
   */
  unavailable?(clf: ExplainedModel): string | undefined;
  /** A control (random attributions), not an explanation: the evaluation runs no sanity or robustness check on it. */
  control?: boolean;
}

/** The spec as written, keeping its literal name (for the union of method names). */
export function methodSpec<const N extends string>(spec: MethodSpec<N>): MethodSpec<N> {
  return spec;
}
