// Patient-grouped cross-validation folds (browser-safe): the records are the groups. Folds are built over
// a protocol's training records only (for inter: DS1, the protocol's train + validation records; never
// its test records): `records` holds out one record per fold (leave-one-record-out), N deals the records
// into N groups (sorted, shuffled by Rng(seed), dealt round-robin). A neural fold also needs validation
// records for epoch selection; they are drawn from the fold's own training records by the inter
// protocol's rule (INTER_VAL_RULE: 4 records holding at least 40 S and 40 V beats and at most 40% of the
// fold's S, V and F beats), among the draws that leave every class a training beat. Every fold is checked
// before any training: training records that lack a class are an error naming the fold, its records and
// the class.
import { Rng } from '../core/random.ts';
import { INTER_VAL_RULE } from '../ecg/dataset/protocols.ts';

/** `records`: leave one record out; a number: that many groups of records. */
export type FoldsSpec = 'records' | number;

/** A problem with the folds (bad spec, duplicate record, a class absent from a fold's training records). */
export class FoldError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'FoldError';
  }
}

/** Parses --folds: "records" or an integer >= 2. */
export function parseFolds(text: string): FoldsSpec {
  const t = text.trim().toLowerCase();
  if (t === 'records') return 'records';
  const n = Number(t);
  if (t === '' || !Number.isInteger(n) || n < 2) throw new FoldError(`--folds must be "records" (leave one record out) or an integer >= 2, got "${text}"`);
  return n;
}

export interface Fold {
  /** 1-based position. */
  index: number;
  /** "record 101" (leave-one-record-out) or "fold 3 of 5". */
  name: string;
  /** The records predicted by this fold's model (sorted). */
  heldOut: string[];
  /** The other records (sorted): what the fold trains on. */
  train: string[];
}

/** The folds over `records` (each record held out exactly once), deterministic for a seed. */
export function assignFolds(records: readonly string[], folds: FoldsSpec, seed = 0): Fold[] {
  const twice = records.filter((r, i) => records.indexOf(r) !== i);
  if (twice.length) throw new FoldError(`the records list ${[...new Set(twice)].join(', ')} more than once`);
  const sorted = records.slice().sort();
  if (sorted.length < 2) throw new FoldError(`cross-validation needs at least 2 records, got ${sorted.length}`);
  let groups: string[][];
  if (folds === 'records') groups = sorted.map((r) => [r]);
  else {
    if (!Number.isInteger(folds) || folds < 2) throw new FoldError(`the number of folds must be an integer >= 2, got ${folds}`);
    if (folds > sorted.length) throw new FoldError(`${folds} folds need at least ${folds} records; there are ${sorted.length} (${sorted.join(', ')})`);
    const order = new Rng(seed).shuffle(sorted.slice()) as string[];
    groups = Array.from({ length: folds }, () => []);
    order.forEach((r, i) => groups[i % folds]!.push(r));
    for (const g of groups) g.sort();
  }
  return groups.map((heldOut, i) => ({
    index: i + 1,
    name: folds === 'records' ? `record ${heldOut[0]}` : `fold ${i + 1} of ${groups.length}`,
    heldOut, train: sorted.filter((r) => !heldOut.includes(r)),
  }));
}

/** Beats per class of each record: counts.get(record)[k] for class index k. */
export function recordClassCounts(y: ArrayLike<number>, record: ArrayLike<number>, records: readonly string[], classes: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < y.length; i++) {
    const name = records[record[i]!]!;
    let c = out.get(name);
    if (!c) out.set(name, (c = new Array<number>(classes).fill(0)));
    c[y[i]!]!++;
  }
  return out;
}

function sumOf(counts: ReadonlyMap<string, readonly number[]>, records: readonly string[], k: number): number {
  return records.reduce((a, r) => a + (counts.get(r)?.[k] ?? 0), 0);
}

/** The classes (names) with no beat in `records`. */
export function missingClasses(records: readonly string[], counts: ReadonlyMap<string, readonly number[]>, classes: readonly string[]): string[] {
  return classes.filter((_, k) => sumOf(counts, records, k) === 0);
}

/**
 * A neural fold's validation records, drawn from its training records: the first draw of 4 (Rng(seed),
 * as the inter protocol draws its own) that meets INTER_VAL_RULE and leaves every class of the training
 * records at least one beat to train on; if no draw does, the first draw meeting the rule, else the
 * first draw (the fold's class check then names what is missing).
 */
export function foldValidationRecords(train: readonly string[], counts: ReadonlyMap<string, readonly number[]>, classes: readonly string[], seed = 0): string[] {
  if (train.length < 5) throw new FoldError(`a neural fold needs at least 5 training records (4 are held out for validation), got ${train.length} (${train.join(', ')})`);
  const S = classes.indexOf('S'), V = classes.indexOf('V'), F = classes.indexOf('F');
  const present = classes.map((_, k) => k).filter((k) => sumOf(counts, train, k) > 0);
  const rng = new Rng(seed);
  let first: string[] | null = null, ruleOnly: string[] | null = null;
  for (let attempt = 0; attempt < 10000; attempt++) {
    const pick = (rng.shuffle(train.slice()) as string[]).slice(0, 4).sort();
    first ??= pick;
    const rule = S < 0 || V < 0 || (sumOf(counts, pick, S) >= INTER_VAL_RULE.minS && sumOf(counts, pick, V) >= INTER_VAL_RULE.minV
      && [S, V, F].filter((k) => k >= 0).every((k) => sumOf(counts, pick, k) <= INTER_VAL_RULE.maxShare * sumOf(counts, train, k)));
    if (!rule) continue;
    ruleOnly ??= pick;
    const fit = train.filter((r) => !pick.includes(r));
    if (present.every((k) => sumOf(counts, fit, k) > 0)) return pick;
  }
  return ruleOnly ?? first!;
}

export interface FoldPlan extends Fold {
  /** The records the fold's model is fitted on (train minus val). */
  fit: string[];
  /** Validation records for epoch selection (neural models; empty for classifiers). */
  val: string[];
}

/**
 * The folds with what each fits on and validates on, checked: every class of `classes` must have beats
 * in every fold's fit records (else a FoldError naming the fold, its records and the missing classes).
 * `neural`: draw validation records from each fold's training records (foldValidationRecords).
 */
export function planFolds(records: readonly string[], folds: FoldsSpec, opts: { seed?: number; counts: ReadonlyMap<string, readonly number[]>; classes: readonly string[]; neural: boolean }): FoldPlan[] {
  for (const r of records) if (!opts.counts.has(r)) throw new FoldError(`record ${r} has no beats in the dataset`);
  const plans = assignFolds(records, folds, opts.seed ?? 0).map((f): FoldPlan => {
    const val = opts.neural ? foldValidationRecords(f.train, opts.counts, opts.classes, opts.seed ?? 0) : [];
    return { ...f, fit: f.train.filter((r) => !val.includes(r)), val };
  });
  for (const p of plans) {
    const missing = missingClasses(p.fit, opts.counts, opts.classes);
    if (missing.length) {
      const plural = missing.length > 1 ? 'es' : '';
      throw new FoldError(`${p.name} (holding out ${p.heldOut.join(', ')}) would train on records ${p.fit.join(', ')}${p.val.length ? ` (validation records ${p.val.join(', ')} set aside)` : ''}, which hold no beat of class${plural} ${missing.join(', ')}; ` +
        `every class needs training beats in every fold (choose other --folds, --seed or records)`);
    }
  }
  return plans;
}
