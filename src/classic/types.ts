// The common surface of the classical classifiers.
import type { ClassifierState } from './format.ts';
import type { Matrix } from './matrix.ts';

/** Options of Classifier.fit. */
export interface FitOptions {
  /** Number of classes (default: max(y) + 1). Pass it when a class may be missing from y. */
  nClasses?: number;
}

/**
 * The interface every classical classifier implements: fit on a Matrix and labels, predict class indices,
 * optionally predict probabilities, and save its state.
 */
export interface Classifier {
  /** Registry / file name of the classifier ('logreg', 'knn', ...). */
  readonly kind: string;
  /** Classes and features seen by fit (-1 before fitting). */
  readonly nClasses: number;
  readonly nFeatures: number;
  fit(X: Matrix, y: Int32Array, opts?: FitOptions): this;
  /** Class index of each row of X. */
  predict(X: Matrix): Int32Array;
  /** Class probabilities, X.rows x nClasses (absent where they are not meaningful, e.g. linear SVM). */
  predictProba?(X: Matrix): Matrix;
  /** Hyperparameters (JSON-serialisable). */
  getParams(): Record<string, unknown>;
  /** Hyperparameters and fitted arrays, for encodeClassifier. */
  toState(): ClassifierState;
}
