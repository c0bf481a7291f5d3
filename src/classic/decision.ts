// Decision weights: predict argmax over classes of probability(k) x weight(k) instead of the most
// probable class. A weight above 1 lowers the evidence a class needs (a prior shift: for a softmax
// model it adds log(weight) to the class score), trading its precision for sensitivity. Stored in
// .ecgc metadata by class name (`decisionWeights: {"S": 2}`), so `evaluate` applies them too.
import type { Matrix } from './matrix.ts';
import type { Classifier } from './types.ts';

/**
 * Per-class weights (length classes.length, default 1) from a {className: weight} object. Throws a
 * RangeError naming the class or value that is wrong.
 */
export function decisionWeightsOf(spec: unknown, classes: readonly string[]): Float64Array {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec))
    throw new RangeError(`decision weights must be an object by class name, e.g. {"${classes[1] ?? classes[0]}": 2}; got ${JSON.stringify(spec)}`);
  const w = new Float64Array(classes.length).fill(1);
  for (const [name, value] of Object.entries(spec)) {
    const k = classes.indexOf(name);
    if (k < 0) throw new RangeError(`decision weights name an unknown class "${name}" (classes: ${classes.join(', ')})`);
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new RangeError(`the decision weight of class ${name} must be a positive number, got ${JSON.stringify(value)}`);
    w[k] = value;
  }
  return w;
}

/** argmax_k proba[i, k] · weights[k] for every row (ties: the lowest class index). */
export function weightedArgmax(proba: Matrix, weights: ArrayLike<number>): Int32Array {
  if (weights.length !== proba.cols) throw new RangeError(`weightedArgmax: ${weights.length} weights for ${proba.cols} classes`);
  const K = proba.cols, out = new Int32Array(proba.rows);
  for (let i = 0; i < proba.rows; i++) {
    let best = 0, bestV = -Infinity;
    for (let k = 0; k < K; k++) {
      const v = proba.data[i * K + k]! * weights[k]!;
      if (v > bestV) { bestV = v; best = k; }
    }
    out[i] = best;
  }
  return out;
}

/** The model's predictions under decision weights (plain predict() when there are none). */
export function predictWeighted(model: Classifier, X: Matrix, weights?: ArrayLike<number>): Int32Array {
  if (!weights) return model.predict(X);
  if (!model.predictProba) throw new RangeError(`decision weights need class probabilities, which a ${model.kind} classifier does not give`);
  return weightedArgmax(model.predictProba(X), weights);
}
