// Class-imbalance tools. Class weights: inverse frequency, w_c = n / (K n_c) (sklearn's "balanced"), or
// effective number of samples, w_c proportional to (1 - beta) / (1 - beta^n_c) (Cui et al., CVPR 2019),
// scaled so the weights average to 1 over the classes. Random oversampling repeats rows of the smaller
// classes (drawn with a seeded RNG) until every class has as many rows as the largest; use it on the
// training split only.
import { Rng } from '../../core/random.ts';

/**
 * Options of classWeights: 'inverse' frequency (sklearn's balanced) or 'effective' number of samples (Cui et
 * al. 2019) with its β.
 */
export interface ClassWeightOptions {
  method?: 'inverse' | 'effective';
  /** beta of the effective-number weights (default 0.999). */
  beta?: number;
}

/** Weights per class from labels `y` (restricted to `rows` if given). Absent classes get weight 0. */
export function classWeights(y: Int32Array, nClasses: number, options: ClassWeightOptions = {}, rows?: Int32Array): Float32Array {
  const counts = new Float64Array(nClasses);
  if (rows) for (const i of rows) counts[y[i]!]!++;
  else for (const c of y) counts[c]!++;
  return classWeightsFromCounts(counts, options);
}

/** Weights per class from the beats of each class (counts[c]); absent classes get weight 0. */
export function classWeightsFromCounts(given: ArrayLike<number>, options: ClassWeightOptions = {}): Float32Array {
  const counts = Float64Array.from(given);
  const nClasses = counts.length;
  const total = counts.reduce((a, b) => a + b, 0);
  const present = counts.filter((c) => c > 0).length;
  const w = new Float32Array(nClasses);
  if (present === 0) return w;
  if ((options.method ?? 'inverse') === 'inverse') {
    for (let c = 0; c < nClasses; c++) w[c] = counts[c]! > 0 ? total / (present * counts[c]!) : 0;
    return w;
  }
  const beta = options.beta ?? 0.999;
  if (!(beta >= 0 && beta < 1)) throw new RangeError(`classWeights: beta must be in [0, 1), got ${beta}`);
  let sum = 0;
  const raw = Array.from(counts, (n) => (n > 0 ? (1 - beta) / (1 - Math.pow(beta, n)) : 0));
  for (const r of raw) sum += r;
  for (let c = 0; c < nClasses; c++) w[c] = (raw[c]! * present) / sum;
  return w;
}

/** Rows of `rows` plus random repeats of minority-class rows, so every present class reaches the largest count. */
export function oversample(y: Int32Array, rows: Int32Array, seed: number): Int32Array {
  const byClass = new Map<number, number[]>();
  for (const i of rows) {
    const c = y[i]!;
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const target = Math.max(0, ...[...byClass.values()].map((a) => a.length));
  const rng = new Rng(seed);
  const out: number[] = Array.from(rows);
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(c)!;
    for (let k = members.length; k < target; k++) out.push(members[rng.int(members.length)]!);
  }
  return Int32Array.from(out);
}
