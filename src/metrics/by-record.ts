// Per-record detection counts for the patient-wise protocols: for each test record and each class of
// interest (S and V), how many of its beats of that class were found (true positives), how many there
// are, and how many of its beats of other classes were called that class (false positives). With the
// gross Se / +P of the pooled predictions, and the same statistics with some records left out (record
// 232 holds three quarters of DS2's S beats, so the S figures are also given without it).
import { aamiGross, classificationReport } from './classification.ts';

/** One record's beats by class name: beats found (predicted as their class), totals and false positives. */
export interface RecordCounts {
  record: string;
  beats: number;
  /** By class name: beats of the class that were predicted as it. */
  found: Record<string, number>;
  /** By class name: beats of the class. */
  total: Record<string, number>;
  /** By class name: beats of other classes predicted as it. */
  falsePositive: Record<string, number>;
}

/**
 * The counts of every record that has rows, in the order of `records`. `record[i]` is row i's index into
 * `records`; yTrue / yPred are class indices into `classes`; `targets` are the class names counted.
 */
export function recordCounts(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, record: ArrayLike<number>, records: readonly string[], classes: readonly string[], targets: readonly string[] = ['S', 'V']): RecordCounts[] {
  if (yTrue.length !== yPred.length || yTrue.length !== record.length)
    throw new RangeError(`recordCounts: ${yTrue.length} labels, ${yPred.length} predictions and ${record.length} record indices must be as many`);
  const ids = targets.map((t) => {
    const k = classes.indexOf(t);
    if (k < 0) throw new RangeError(`recordCounts: class ${t} is not among ${classes.join(', ')}`);
    return k;
  });
  const zero = () => Object.fromEntries(targets.map((t) => [t, 0])) as Record<string, number>;
  const rows = records.map((name) => ({ record: name, beats: 0, found: zero(), total: zero(), falsePositive: zero() }));
  for (let i = 0; i < yTrue.length; i++) {
    const r = rows[record[i]!];
    if (!r) throw new RangeError(`recordCounts: row ${i} names record index ${record[i]}, but there are ${records.length} records`);
    r.beats++;
    ids.forEach((k, j) => {
      const t = targets[j]!;
      if (yTrue[i] === k) {
        r.total[t]!++;
        if (yPred[i] === k) r.found[t]!++;
      } else if (yPred[i] === k) r.falsePositive[t]!++;
    });
  }
  return rows.filter((r) => r.beats > 0);
}

/** AAMI gross Se / +P (S, V, ...) of the rows whose record is not in `without`. */
export function grossWithout(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, record: ArrayLike<number>, records: readonly string[], classes: string[], without: readonly string[]): Record<string, { se: number; ppv: number }> {
  const keep: number[] = [];
  for (let i = 0; i < yTrue.length; i++) if (!without.includes(records[record[i]!]!)) keep.push(i);
  return aamiGross(classificationReport(keep.map((i) => yTrue[i]!), keep.map((i) => yPred[i]!), classes));
}
