// Every attribution method by name, with one options object (spec.ts), so the CLI and the evaluation can
// run any of them on any model. Each method is one file in methods/ exporting its MethodSpec; a new
// method is its file plus its entry in METHOD_SPECS.
import { Registry } from '../core/registry.ts';
import { type ExplainedModel, ExplainError } from './classifier.ts';
import type { Attribution } from './gradient.ts';
import type { MethodOptions, MethodSpec } from './spec.ts';
import { saliencySpec, gradientSpec, gradientXInputSpec } from './methods/saliency.ts';
import { smoothGradSpec } from './methods/smoothgrad.ts';
import { integratedGradientsSpec } from './methods/integrated-gradients.ts';
import { gradientShapSpec } from './methods/gradient-shap.ts';
import { kernelShapSpec } from './methods/kernel-shap.ts';
import { gradCamSpec } from './methods/grad-cam.ts';
import { randomSpec } from './methods/random.ts';

export type { MethodOptions, MethodSpec } from './spec.ts';
export { methodSpec } from './spec.ts';
export { randomAttribution } from './methods/random.ts';

/** The methods, in the order of --help, "all" and the tables. */
export const METHOD_SPECS = [
  saliencySpec, gradientSpec, gradientXInputSpec, smoothGradSpec, integratedGradientsSpec, gradientShapSpec, kernelShapSpec, gradCamSpec, randomSpec,
] as const;

/** The name of an attribution method (a name in METHOD_SPECS). */
export type MethodName = (typeof METHOD_SPECS)[number]['name'];

const methods = new Registry<MethodSpec>(METHOD_SPECS, {
  kind: 'method',
  unknown: (name, valid) => new ExplainError(`unknown method "${name}"; choose one of ${valid.join(', ')}`),
});

/** The names of the attribution methods, in METHOD_SPECS order. */
export const METHODS: readonly MethodName[] = METHOD_SPECS.map((s) => s.name);

/** A one-line description of each attribution method, by name. */
export const METHOD_DESCRIPTIONS = Object.fromEntries(METHOD_SPECS.map((s) => [s.name, s.description])) as Record<MethodName, string>;

/** True when `name` names an attribution method (narrows a run-time string to MethodName). */
export function isMethod(name: string): name is MethodName {
  return methods.has(name);
}

/** The spec of method `name` (an ExplainError naming the methods when there is none). */
export function getMethod(name: MethodName): MethodSpec {
  return methods.get(name);
}

/** Runs method `name` on beats x (n x channels x length). */
export function attribute(clf: ExplainedModel, x: Float32Array, name: MethodName, opts: MethodOptions = {}): Attribution {
  return getMethod(name).attribute(clf, x, opts);
}
