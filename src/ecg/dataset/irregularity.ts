// RR irregularity around a beat: how irregular the surrounding rhythm is, leaving out the beat's own
// intervals. An early beat in a regular rhythm is a premature (ectopic) beat; an early beat in an
// irregular rhythm (atrial fibrillation, where AAMI labels the beats N) is not. Computed from the R-peak
// positions of one record alone, without labels.
//
// With rr[i] = beats[i+1] − beats[i] in seconds, the C-context of beat k is the intervals
// rr[k−1−C .. k−2] and rr[k+1 .. k+C] (up to C each side; rr[k−1], the beat's previous interval, and
// rr[k], its next, are left out), and the successive differences d = |rr[i+1] − rr[i]| between
// neighbouring intervals of the context (pairs on one side only). For C = 10 and C = 30:
//   irrMedianDiff   median(d) / median(context)
//   irrFraction     fraction of d above 10% of median(context)
// and for C = 10:
//   preRR/ctxRR     the beat's previous interval / median(context)
// Without context (records of fewer than 4 beats) the features are 0 (1 for preRR/ctxRR).
/**
 * The names of the 5 RR-irregularity features (the 'irregular' set adds them): how irregular the rhythm
 * around a beat is, its own two intervals left out, over 10 and 30 intervals each side.
 */
export const IRREGULARITY_FEATURES: readonly string[] = ['irrMedianDiff', 'irrFraction', 'preRR/ctxRR', 'irrMedianDiff30', 'irrFraction30'];

/** Intervals each side of the beat in the short and the long context. */
export const IRREGULARITY_CONTEXTS = [10, 30] as const;

function median(v: number[]): number {
  if (!v.length) return 0;
  const s = v.slice().sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** [median(d) / median(context), fraction of d above 10%, median(context)] of beat k's C-context. */
function contextStats(rr: Float64Array, k: number, C: number): [number, number, number] {
  const m = rr.length, before: number[] = [], after: number[] = [];
  for (let i = Math.max(0, k - 1 - C); i <= k - 2; i++) before.push(rr[i]!);
  for (let i = k + 1; i <= Math.min(m - 1, k + C); i++) after.push(rr[i]!);
  const diffs: number[] = [];
  for (const side of [before, after]) for (let i = 0; i + 1 < side.length; i++) diffs.push(Math.abs(side[i + 1]! - side[i]!));
  const med = median([...before, ...after]);
  if (!(med > 0) || !diffs.length) return [0, 0, med];
  return [median(diffs) / med, diffs.filter((d) => d > 0.1 * med).length / diffs.length, med];
}

/** Irregularity features of every beat of a record: beats.length x IRREGULARITY_FEATURES.length values. */
export function irregularityFeatures(beats: ArrayLike<number>, fs: number): Float32Array {
  const n = beats.length, F = IRREGULARITY_FEATURES.length;
  const out = new Float32Array(n * F);
  const rr = new Float64Array(Math.max(0, n - 1));
  for (let i = 0; i < rr.length; i++) rr[i] = (beats[i + 1]! - beats[i]!) / fs;
  const [short, long] = IRREGULARITY_CONTEXTS;
  for (let k = 0; k < n; k++) {
    const [d10, f10, med] = contextStats(rr, k, short);
    const [d30, f30] = contextStats(rr, k, long);
    const pre = k > 0 ? rr[k - 1]! : rr.length ? rr[0]! : 0;
    out.set([d10, f10, med > 0 ? pre / med : 1, d30, f30], k * F);
  }
  return out;
}
