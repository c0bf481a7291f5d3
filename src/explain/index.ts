// Explanations of ecgrad models (browser-safe): attribution methods, their evaluation, SVG figures.
export { Classifier, ExplainError, resolveTargets } from './classifier.ts';
export type { ClassifierOptions, ExplainedOutput } from './classifier.ts';
export { saliency, smoothGrad, makeAttribution } from './gradient.ts';
export type { Attribution, CommonOptions, GradientOptions, SmoothGradOptions } from './gradient.ts';
export { integratedGradients, quadrature, gaussLegendre, completenessDelta, QUADRATURE_RULES } from './integrated-gradients.ts';
export type { IntegratedGradientsOptions, QuadratureRule } from './integrated-gradients.ts';
export { baselineFor, meanBeat, gaussianBlur, BASELINES } from './baselines.ts';
export type { Baseline, BaselineKind, BaselineOptions as ExplainBaselineOptions } from './baselines.ts';
export { gradientShap, kernelShap, kernelShapModel, predictFn } from './shap.ts';
export type { GradientShapOptions, KernelShapOptions, KernelShapResult, PredictFn } from './shap.ts';
export { gradCam, defaultCamLayer, convLayers, upsampleLinear } from './gradcam.ts';
export type { GradCamOptions, GradCamResult } from './gradcam.ts';
export { attribute, randomAttribution, isMethod, METHODS, METHOD_DESCRIPTIONS } from './methods.ts';
export type { MethodName, MethodOptions } from './methods.ts';
export { ranks, pearson, spearman, trapezoidAuc, finiteMean, meanAbsSpearman, timeMagnitude } from './stats.ts';
