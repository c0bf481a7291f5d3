// Seeded splits: stratified by class (each class shuffled and cut by the fractions, so every split
// keeps the class proportions) and by record (whole records per split, no patient in two splits).
import { Rng } from '../../core/random.ts';

/** Row indices of the training, validation and test parts of a dataset. */
export interface Splits {
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

/** Stratified split of rows by class; fractions [train, val, test] (default 0.7 / 0.1 / 0.2). */
export function stratifiedSplit(y: Int32Array, nClasses: number, seed: number, fractions: [number, number, number] = [0.7, 0.1, 0.2]): Splits {
  const sum = fractions[0] + fractions[1] + fractions[2];
  if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`stratifiedSplit: fractions must sum to 1, got ${fractions.join(' + ')} = ${sum}`);
  const rng = new Rng(seed);
  const train: number[] = [], val: number[] = [], test: number[] = [];
  for (let c = 0; c < nClasses; c++) {
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === c) rows.push(i);
    rng.shuffle(rows);
    const nTrain = Math.round(rows.length * fractions[0]);
    const nVal = Math.round(rows.length * fractions[1]);
    train.push(...rows.slice(0, nTrain));
    val.push(...rows.slice(nTrain, nTrain + nVal));
    test.push(...rows.slice(nTrain + nVal));
  }
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { train: sorted(train), val: sorted(val), test: sorted(test) };
}

/** Split rows by the record they come from. */
export function recordSplit(record: Int32Array, records: readonly string[], groups: { train: readonly string[]; val: readonly string[]; test: readonly string[] }): Splits {
  const pick = (names: readonly string[]) => {
    const ids = new Set(names.map((n) => records.indexOf(n)));
    const rows: number[] = [];
    for (let i = 0; i < record.length; i++) if (ids.has(record[i]!)) rows.push(i);
    return Int32Array.from(rows);
  };
  return { train: pick(groups.train), val: pick(groups.val), test: pick(groups.test) };
}
