// Explanations of ecgrad models (browser-safe): attribution methods, their evaluation, SVG figures.
/**
 * Explanations of ecgrad models: attribution methods, their evaluation and SVG figures.
 *
 * @module ecgrad/explain
 */
export { ExplainedModel, ExplainError, resolveTargets } from './classifier.ts';
export type { ExplainedModelOptions, ExplainedOutput } from './classifier.ts';
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
export { attribute, randomAttribution, isMethod, getMethod, methodSpec, METHOD_SPECS, METHODS, METHOD_DESCRIPTIONS } from './methods.ts';
export type { MethodName, MethodOptions, MethodSpec } from './methods.ts';
export { ranks, pearson, spearman, trapezoidAuc, finiteMean, meanAbsSpearman, timeMagnitude } from './stats.ts';
export { faithfulness, linearImpute } from './faithfulness.ts';
export type { FaithfulnessOptions, FaithfulnessResult, Curve, Replacement } from './faithfulness.ts';
export { cascadingRandomization, parametrisedLayers } from './sanity.ts';
export type { SanityOptions, SanityStep } from './sanity.ts';
export { robustness, addNoiseAtSnr } from './robustness.ts';
export type { RobustnessOptions, RobustnessResult } from './robustness.ts';
export { physiology, regionMask, REGIONS } from './physiology.ts';
export type { BeatGeometry, PhysiologyInput, PhysiologyRow, Region, RegionShares } from './physiology.ts';
export { beatSvg, beatPanel, classAverageSvg, classAverages, methodGridSvg, niceTicks, escapeXml } from './svg.ts';
export type { BeatPanel, ClassAverage, GridCell, GridRow } from './svg.ts';
export { evaluateMethod, metricsTable, physiologyTable, sanityTable, METRICS } from './report.ts';
export type { EvaluationInput, EvaluationOptions, MethodReport, MetricName } from './report.ts';
