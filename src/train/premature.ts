// Synthetic premature beats, for personalisation (personalize()'s `premature` option) and for training
// (withPrematureBeats, `--synth-premature`: every training record's N beats lend theirs): the wearer's own
// normal (N) beat given the timing of a real supraventricular (S) beat of the replay set. Most wearers
// have no S beat in their labelled minutes, so a copy fine-tuned on them learns "this patient's beats
// are N" and stops reaching the S output; an S beat of a patient shares that patient's N morphology
// (the QRS and T wave; the Kachuee window starts at the R peak) and differs in timing. The synthetic
// beat keeps the wearer beat's window and its local heart rate and takes the S beat's rhythm:
//   interval features (seconds: preRR, postRR, prePreRR, localRR)  S value x (wearer localRR / S localRR)
//   ratio features ('a/b' of two intervals)                         the S beat's value (scale-free)
// so every ratio of the synthetic beat is the S beat's and its localRR is the wearer's. Beat-feature sets
// with other features (the patient-relative and morphology sets) are refused: their values would need
// the wearer's whole record.
import { rrFeatureNames, isRrSet, type RrSet } from '../ecg/dataset/beat-features.ts';
import { causalFeatureNames } from '../ecg/dataset/causal-features.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import { mixSeed, seededCursor } from './seeds.ts';

/** The interval features (seconds) premature synthesis rescales. */
const INTERVALS = ['preRR', 'postRR', 'prePreRR', 'localRR'] as const;

/** How a beat-feature row is turned into a premature one: per column, rescale (an interval) or copy (a ratio). */
export interface PrematurePlan {
  names: string[];
  /** Column of localRR. */
  local: number;
  /** Per column: true for an interval in seconds (rescaled), false for a ratio (copied). */
  interval: boolean[];
}

/**
 * The beat-feature names of a model file's metadata (window and rrSet, as the dataset options record them),
 * or null when the model takes no beat features.
 */
export function beatFeatureNamesOf(meta: Record<string, unknown>, width: number): string[] | null {
  if (width === 0) return null;
  const set = meta.rrSet === undefined ? 'local' : meta.rrSet;
  if (!isRrSet(set)) return null;
  const names = meta.window === 'causal' ? causalFeatureNames(set as RrSet) : rrFeatureNames(set as RrSet);
  return names.length === width ? names : null;
}

/** The plan for these feature names; a string saying why not when a feature is neither an interval nor a ratio of two. */
export function prematurePlan(names: readonly string[]): PrematurePlan | string {
  const isInterval = (n: string) => (INTERVALS as readonly string[]).includes(n);
  const local = names.indexOf('localRR');
  if (local < 0) return `the beat features (${names.join(', ')}) have no localRR`;
  const interval: boolean[] = [];
  for (const n of names) {
    if (isInterval(n)) interval.push(true);
    else if (n.split('/').length === 2 && n.split('/').every(isInterval)) interval.push(false);
    else return `the beat feature ${n} is neither an RR interval nor a ratio of two (premature synthesis takes the 'local' beat-feature set)`;
  }
  return { names: names.slice(), local, interval };
}

/**
 * Writes the premature version of wearer beat row `w` (at wOff) with the timing of S beat row `s` (at sOff)
 * into out[oOff .. oOff + R). An S row without a positive localRR lends its values unscaled.
 */
export function prematureRow(plan: PrematurePlan, w: Float32Array, wOff: number, s: Float32Array, sOff: number, out: Float32Array, oOff: number): void {
  const R = plan.names.length;
  const sLocal = s[sOff + plan.local]!, wLocal = w[wOff + plan.local]!;
  const scale = sLocal > 0 && wLocal > 0 ? wLocal / sLocal : 1;
  for (let j = 0; j < R; j++) out[oOff + j] = plan.interval[j] ? s[sOff + j]! * scale : s[sOff + j]!;
}

/** What withPrematureBeats() returns: the dataset with the synthetic beats appended, and the training rows with them. */
export interface PrematureAugmented {
  dataset: BeatDataset;
  trainRows: Int32Array;
  /** Synthetic beats added, per training record name (records without N beats get none). */
  added: Record<string, number>;
}

/**
 * Training-time premature synthesis (`ecgrad train|cv|compare --synth-premature K`): for every record of
 * `trainRows`, K synthetic S beats, each one of that record's N training beats (its window) with the beat
 * features of a real S training beat of any record rescaled by prematureRow(), labelled S. The pairs come
 * from seeded shuffles (`seed`), so the same seed gives the same rows. The synthetic rows are appended after
 * the dataset's beats (their record and R-peak sample are the source N beat's, symbol 'S'); the dataset's
 * own rows and splits are unchanged, so validation and test see only real beats. Throws a RangeError when
 * the beat features cannot be synthesised (see prematurePlan), the classes lack N or S, or no training beat
 * is S.
 */
export function withPrematureBeats(ds: BeatDataset, trainRows: Int32Array, perRecord: number, seed: number): PrematureAugmented {
  const why = '--synth-premature (synthetic premature S training beats)';
  if (!(Number.isInteger(perRecord) && perRecord >= 0)) throw new RangeError(`${why} must be an integer >= 0, got ${perRecord}`);
  const plan = prematurePlan(ds.rrFeatures);
  if (typeof plan === 'string') throw new RangeError(`${why}: ${plan}`);
  const nK = ds.classes.indexOf('N'), sK = ds.classes.indexOf('S');
  if (nK < 0 || sK < 0) throw new RangeError(`${why} needs classes N and S; the dataset's are ${ds.classes.join(', ')}`);
  const sRows = trainRows.filter((i) => ds.y[i] === sK);
  if (sRows.length === 0) throw new RangeError(`${why} takes the timing of real S beats of the training split; it holds none`);
  const byRecord = new Map<number, number[]>();
  for (const i of trainRows) {
    if (ds.y[i] !== nK) continue;
    const r = ds.record[i]!;
    if (!byRecord.has(r)) byRecord.set(r, []);
    byRecord.get(r)!.push(i);
  }
  const records = [...new Set(Array.from(trainRows, (i) => ds.record[i]!))].sort((a, b) => a - b);
  const pairs: [number, number][] = [];
  const added: Record<string, number> = {};
  const nextS = seededCursor(sRows.length, mixSeed(seed, 0x5e8, 1));
  for (const r of records) {
    const normal = byRecord.get(r);
    added[ds.records[r]!] = normal && perRecord > 0 ? perRecord : 0;
    if (!normal || perRecord === 0) continue;
    const nextN = seededCursor(normal.length, mixSeed(seed, 0x5e7, r));
    for (let k = 0; k < perRecord; k++) pairs.push([normal[nextN(1)[0]!]!, sRows[nextS(1)[0]!]!]);
  }
  const n0 = ds.y.length, m = pairs.length, per = ds.channels * ds.length, R = ds.rrFeatures.length;
  const x = new Float32Array((n0 + m) * per), rr = new Float32Array((n0 + m) * R);
  x.set(ds.x);
  rr.set(ds.rr);
  const y = new Int32Array(n0 + m), record = new Int32Array(n0 + m), sample = new Int32Array(n0 + m);
  y.set(ds.y);
  record.set(ds.record);
  sample.set(ds.sample);
  const symbol = ds.symbol.slice();
  pairs.forEach(([w, s], j) => {
    const k = n0 + j;
    x.set(ds.x.subarray(w * per, (w + 1) * per), k * per);
    prematureRow(plan, ds.rr, w * R, ds.rr, s * R, rr, k * R);
    y[k] = sK;
    record[k] = ds.record[w]!;
    sample[k] = ds.sample[w]!;
    symbol.push('S');
  });
  const rows = new Int32Array(trainRows.length + m);
  rows.set(trainRows);
  for (let j = 0; j < m; j++) rows[trainRows.length + j] = n0 + j;
  return { dataset: { ...ds, x, rr, y, record, sample, symbol }, trainRows: rows, added };
}

