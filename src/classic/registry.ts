// The classical-classifier registry: the list of classifiers (each file exports its ClassifierSpec,
// spec.ts) looked up by name; saving and loading (format.ts), scores, and runClassic: features,
// standardisation on the training split, fit, and timed predictions on val / test, for the comparison
// with the neural models. A new classifier is its file plus its entry in CLASSIFIER_SPECS.
import { Registry } from '../core/registry.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import { type FeatureOptions, StandardScaler, buildFeatures } from './features.ts';
import { ClassifierFileError, decodeClassifierState, encodeClassifierState, stateArray } from './format.ts';
import { predictWeighted } from './decision.ts';
import { gboostSpec } from './gboost.ts';
import { knnSpec } from './knn.ts';
import { dechazal2004Spec } from './lda.ts';
import { linearSvmSpec, logregSpec } from './linear.ts';
import type { Matrix } from './matrix.ts';
import { naiveBayesSpec } from './naive-bayes.ts';
import { mlpSpec } from './mlp.ts';
import { mondejar2019Spec } from './svm-ensemble.ts';
import type { ClassifierSpec } from './spec.ts';
import { decisionTreeSpec, randomForestSpec } from './tree.ts';
import type { Classifier } from './types.ts';

/** The classical classifiers, in the order of tables and `all`. */
export const CLASSIFIER_SPECS = [
  logregSpec, linearSvmSpec, knnSpec, naiveBayesSpec, decisionTreeSpec, randomForestSpec, gboostSpec, mlpSpec, dechazal2004Spec, mondejar2019Spec,
] as const;

/** The name of a built-in classical classifier (a name in CLASSIFIER_SPECS). */
export type ClassicModelName = (typeof CLASSIFIER_SPECS)[number]['name'];
/** A registry entry (the ClassifierSpec of spec.ts). */
export type ClassicModelEntry = ClassifierSpec;

const classifiers = new Registry<ClassifierSpec>(CLASSIFIER_SPECS, {
  kind: 'classical classifier',
  unknown: (name, valid) => new RangeError(`unknown classical classifier "${name}" (known: ${valid.join(', ')})`),
});

/** The classical classifiers by name. */
export const classicModels = Object.fromEntries(CLASSIFIER_SPECS.map((s) => [s.name, s])) as Record<ClassicModelName, ClassicModelEntry>;

/** The names of the built-in classical classifiers, in registry order. */
export function classicModelNames(): ClassicModelName[] {
  return classifiers.names() as ClassicModelName[];
}

/** The classifiers `compare` trains when --models is not given: all but the published-method reproductions. */
export function comparisonClassifierNames(): ClassicModelName[] {
  return CLASSIFIER_SPECS.filter((s) => s.inComparison).map((s) => s.name);
}

function getEntry(name: string): ClassicModelEntry {
  return classifiers.get(name);
}

/** Creates a classifier by registry name, defaults overridden by params. */
export function createClassifier(name: string, params: Record<string, unknown> = {}): Classifier {
  return getEntry(name).create(params);
}

/**
 * What encodeClassifier stores beside the fitted classifier: the feature standardisation and free metadata.
 */
export interface EncodeClassifierOptions {
  /** The feature standardisation to store with the model. */
  scaler?: StandardScaler;
  /** Free-form JSON metadata (e.g. feature options, dataset, seed). */
  meta?: Record<string, unknown>;
}

/** Serialises a fitted classifier (and optionally its scaler) to the ".ecgc" format (docs/classic.md). */
export function encodeClassifier(model: Classifier, opts: EncodeClassifierOptions = {}): Uint8Array {
  const s = model.toState();
  const arrays = { ...s.arrays };
  if (opts.scaler) {
    arrays['scaler.mean'] = opts.scaler.mean;
    arrays['scaler.scale'] = opts.scaler.scale;
  }
  return encodeClassifierState({ ...s, arrays, meta: opts.meta ?? {} });
}

/** Loads a classifier saved by encodeClassifier; `source` names the file in errors. */
export function decodeClassifier(bytes: Uint8Array, source = '(bytes)'): { model: Classifier; scaler?: StandardScaler; meta: Record<string, unknown> } {
  const s = decodeClassifierState(bytes, source);
  const e = classifiers.find(s.kind);
  if (!e) throw new ClassifierFileError(source, `holds a "${s.kind}" classifier, which this ecgrad does not know (known: ${classicModelNames().join(', ')})`);
  let scaler: StandardScaler | undefined;
  let model: Classifier;
  try {
    if ('scaler.mean' in s.arrays) {
      scaler = new StandardScaler();
      scaler.mean = stateArray(s, 'scaler.mean', Float64Array, s.nFeatures);
      scaler.scale = stateArray(s, 'scaler.scale', Float64Array, s.nFeatures);
    }
    model = e.fromState(s);
  } catch (err) {
    throw new ClassifierFileError(source, `does not describe a valid ${s.kind} classifier: ${(err as Error).message}`);
  }
  return scaler ? { model, scaler, meta: s.meta ?? {} } : { model, meta: s.meta ?? {} };
}

/** Accuracy, macro F1, per-class F1 and the confusion matrix of a classifier's predictions. */
export interface ClassicScores {
  accuracy: number;
  /** Mean F1 over the classes present in yTrue or yPred. */
  macroF1: number;
  /** Per-class F1 (NaN for a class absent from both). */
  f1: number[];
  /** confusion[true][pred]. */
  confusion: number[][];
}

/** Accuracy, macro-F1 and the confusion matrix of predictions. */
export function classicScores(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): ClassicScores {
  if (yTrue.length !== yPred.length) throw new RangeError(`classicScores: ${yTrue.length} labels but ${yPred.length} predictions`);
  const cm = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) {
    cm[yTrue[i]!]![yPred[i]!]!++;
    if (yTrue[i] === yPred[i]) correct++;
  }
  const f1 = cm.map((row, k) => {
    const tp = row[k]!, fn = row.reduce((a, b) => a + b, 0) - tp, fp = cm.reduce((a, r) => a + r[k]!, 0) - tp;
    return tp + fn + fp === 0 ? NaN : (2 * tp) / (2 * tp + fn + fp);
  });
  const present = f1.filter((v) => !Number.isNaN(v));
  return {
    accuracy: yTrue.length ? correct / yTrue.length : NaN,
    macroF1: present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN,
    f1, confusion: cm,
  };
}

/**
 * Options of runClassic: hyperparameters, features, the splits to predict, probabilities and progress
 * messages.
 */
export interface RunClassicOptions {
  /** Hyperparameters overriding the registry defaults. */
  params?: Record<string, unknown>;
  /** Which features (default: beat + RR + morphology). */
  features?: FeatureOptions;
  /** Splits to predict (default ['val', 'test']). */
  splits?: ('val' | 'test')[];
  /** Also return class probabilities (for classifiers that have them). */
  proba?: boolean;
  /** Progress messages. */
  log?: (message: string) => void;
  /** Per-class decision weights (decision.ts; default: none, the most probable class). */
  decisionWeights?: ArrayLike<number>;
  /** Rows to use instead of the dataset's whole splits (e.g. stratified subsets for quick runs). */
  rows?: { train?: Int32Array; val?: Int32Array; test?: Int32Array };
  /**
   * Training labels by annotation symbol, overriding the dataset's for the training rows only (scores keep the
   * dataset's labels): e.g. { e: 'S', j: 'S' }, the AAMI table of Mondéjar-Guerra et al.'s loader (TRAIN_LABELS).
   */
  trainSymbols?: Readonly<Record<string, string>>;
}

/** Named training-label tables of RunClassicOptions.trainSymbols (CLI --train-labels). */
export const TRAIN_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  /** The dataset's labels (AAMI: e and j are N). */
  aami: {},
  /** Mondéjar-Guerra et al.'s loader (load_MITBIH.py, AAMI_classes): e and j train as S. */
  mondejar: { e: 'S', j: 'S' },
};

/** The training labels of `rows`: the dataset's, with `trainSymbols` overriding by symbol. */
export function trainingLabels(ds: BeatDataset, rows: Int32Array, trainSymbols: Readonly<Record<string, string>> = {}): Int32Array {
  const remap = new Map<string, number>();
  for (const [sym, cls] of Object.entries(trainSymbols)) {
    const k = ds.classes.indexOf(cls);
    if (k < 0) throw new RangeError(`training labels: symbol "${sym}" maps to class "${cls}", which the dataset does not have (classes: ${ds.classes.join(', ')})`);
    remap.set(sym, k);
  }
  return Int32Array.from(rows, (i) => remap.get(ds.symbol[i]!) ?? ds.y[i]!);
}

/**
 * One predicted split of a runClassic: rows, predictions, optional probabilities, prediction time and scores.
 */
export interface ClassicSplitResult {
  /** Dataset row indices of the split. */
  rows: Int32Array;
  /** Predicted class index per row. */
  pred: Int32Array;
  proba?: Matrix;
  /** Time of predict() on the standardised features of the split, in seconds. */
  seconds: number;
  msPerBeat: number;
  scores: ClassicScores;
}

/**
 * What runClassic reports: the classifier and its hyperparameters, feature and training times, and each
 * predicted split's result.
 */
export interface ClassicRun {
  name: string;
  label: string;
  params: Record<string, unknown>;
  nFeatures: number;
  /** Building and standardising all features (train + predicted splits), in seconds. */
  featureSeconds: number;
  /** fit() on the training split, in seconds. */
  trainSeconds: number;
  val?: ClassicSplitResult;
  test?: ClassicSplitResult;
  model: Classifier;
  scaler: StandardScaler;
}

/**
 * Trains classifier `name` on the dataset's training split (features standardised with statistics of
 * that split only) and predicts the validation and test splits, timing both.
 */
export function runClassic(name: string, ds: BeatDataset, opts: RunClassicOptions = {}): ClassicRun {
  const e = getEntry(name);
  const log = opts.log ?? (() => {});
  const splits = opts.splits ?? ['val', 'test'];
  const model = e.create(opts.params);
  const t0 = performance.now();
  const scaler = new StandardScaler();
  const rowsOf = (s: 'train' | 'val' | 'test') => opts.rows?.[s] ?? ds.split[s];
  const Xtr = scaler.fitTransform(buildFeatures(ds, rowsOf('train'), opts.features));
  const ytr = trainingLabels(ds, rowsOf('train'), opts.trainSymbols);
  const Xs = Object.fromEntries(splits.map((s) => [s, scaler.transform(buildFeatures(ds, rowsOf(s), opts.features))])) as Record<string, Matrix>;
  const featureSeconds = (performance.now() - t0) / 1000;
  log(`${name}: ${Xtr.rows} x ${Xtr.cols} training features (${featureSeconds.toFixed(1)} s); fitting`);
  const t1 = performance.now();
  model.fit(Xtr, ytr, { nClasses: ds.classes.length });
  const trainSeconds = (performance.now() - t1) / 1000;
  log(`${name}: trained in ${trainSeconds.toFixed(1)} s`);
  const run: ClassicRun = { name, label: e.label, params: model.getParams(), nFeatures: Xtr.cols, featureSeconds, trainSeconds, model, scaler };
  for (const s of splits) {
    const X = Xs[s]!, rows = rowsOf(s);
    const t = performance.now();
    const pred = predictWeighted(model, X, opts.decisionWeights);
    const seconds = (performance.now() - t) / 1000;
    const res: ClassicSplitResult = {
      rows, pred, seconds, msPerBeat: (seconds * 1000) / Math.max(rows.length, 1),
      scores: classicScores(Int32Array.from(rows, (i) => ds.y[i]!), pred, ds.classes.length),
    };
    if (opts.proba && model.predictProba) res.proba = model.predictProba(X);
    run[s] = res;
    log(`${name}: ${s} accuracy ${(res.scores.accuracy * 100).toFixed(2)}%, macro-F1 ${(res.scores.macroF1 * 100).toFixed(2)}% (${seconds.toFixed(1)} s)`);
  }
  return run;
}
