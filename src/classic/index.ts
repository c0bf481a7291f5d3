// Classical classifiers (browser-safe): logistic regression, linear SVM, kNN, Gaussian naive Bayes,
// CART decision tree, random forest, gradient-boosted trees, de Chazal's discriminant, the RBF-SVM ensemble of Mondéjar-Guerra; beat features; the ".ecgc" file format;
// the registry and runClassic for comparisons with the neural models. See docs/classic.md.
/**
 * Classical classifiers, their beat features, the .ecgc file and runClassic for comparisons with the
 * neural models.
 *
 * @module ecgrad/classic
 */
export { matrix, matrixFromRows, takeRows } from './matrix.ts';
export type { Matrix } from './matrix.ts';
export type { Classifier, FitOptions } from './types.ts';
export { LogisticRegression, LinearSVM, logregSpec, linearSvmSpec } from './linear.ts';
export type { LogisticRegressionParams, LinearSvmParams } from './linear.ts';
export { KNearestNeighbors, knnSpec } from './knn.ts';
export type { KnnParams, Neighbours } from './knn.ts';
export { GaussianNaiveBayes, naiveBayesSpec } from './naive-bayes.ts';
export type { NaiveBayesParams } from './naive-bayes.ts';
export { DecisionTree, RandomForest, decisionTreeSpec, randomForestSpec } from './tree.ts';
export type { DecisionTreeParams, RandomForestParams, TreeArrays } from './tree.ts';
export { GradientBoosting, gboostSpec } from './gboost.ts';
export type { GradientBoostingParams } from './gboost.ts';
export { MlpClassifier, mlpSpec } from './mlp.ts';
export type { MlpParams } from './mlp.ts';
export { SvmEnsemble, Mondejar2019, mondejar2019Spec } from './svm-ensemble.ts';
export type { SvmEnsembleParams } from './svm-ensemble.ts';
export { lbfgs } from './lbfgs.ts';
export type { LbfgsOptions, LbfgsResult } from './lbfgs.ts';
export { buildFeatures, featureNames, morphology, StandardScaler, MORPHOLOGY_FEATURES, FEATURE_GROUPS, featureOptionsFromGroups, featureGroupsName } from './features.ts';
export type { FeatureOptions } from './features.ts';
export { encodeClassifierState, decodeClassifierState, ClassifierFileError } from './format.ts';
export type { ClassifierState, ClassifierHeader, ArrayEntry, StateArray } from './format.ts';
export { classifierSpec } from './spec.ts';
export type { ClassifierSpec, ClassifierClass } from './spec.ts';
export {
  CLASSIFIER_SPECS, classicModels, classicModelNames, comparisonClassifierNames, createClassifier, encodeClassifier, decodeClassifier, classicScores, runClassic, TRAIN_LABELS, trainingLabels,
} from './registry.ts';
export type {
  ClassicModelName, ClassicModelEntry, EncodeClassifierOptions, ClassicScores, RunClassicOptions, ClassicSplitResult, ClassicRun,
} from './registry.ts';
export { decisionWeightsOf, weightedArgmax, predictWeighted } from './decision.ts';
export { recordCrossValidation, cvPredictions, type RecordCvOptions, type RecordCvResult } from './record-cv.ts';
