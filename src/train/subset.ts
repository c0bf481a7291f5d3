// Stratified subsets of a split (for --quick runs and --train-beats): a seeded random sample that keeps
// the class proportions of the rows, with at least `minPerClass` rows of every class present (or all of
// them when a class has fewer), returned sorted.
import { Rng } from '../core/random.ts';

/**
 * A seeded random sample of about `size` of `rows` keeping the class proportions of y, with at least
 * minPerClass rows of every class present (all of a smaller class), sorted; all rows when size ≥ rows.length.
 * Throws a RangeError for a size that is not a positive integer.
 */
export function stratifiedSubset(y: Int32Array, rows: Int32Array, size: number, seed: number, minPerClass = 20): Int32Array {
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`stratifiedSubset: size must be a positive integer, got ${size}`);
  if (size >= rows.length) return Int32Array.from(rows);
  const byClass = new Map<number, number[]>();
  for (const r of rows) {
    const c = y[r]!;
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(r);
  }
  const rng = new Rng(seed);
  const out: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(c)!;
    rng.shuffle(members);
    const k = Math.min(members.length, Math.max(minPerClass, Math.round((members.length * size) / rows.length)));
    out.push(...members.slice(0, k));
  }
  return Int32Array.from(out).sort();
}
