// RR irregularity around a beat: how irregular the surrounding rhythm is, leaving out the beat's own
// intervals. An early beat in a regular rhythm is a premature (ectopic) beat; an early beat in an
// irregular rhythm (atrial fibrillation, where AAMI labels the beats N) is not. Computed from the R-peak
// positions of one record alone, without labels.
//
// With rr[i] = beats[i+1] − beats[i] in seconds, the context of beat k is the intervals
// rr[k−11 .. k−2] and rr[k+1 .. k+10] (up to 10 each side; rr[k−1], the beat's previous interval, and
// rr[k], its next, are left out), and the successive differences d = |rr[i+1] − rr[i]| between
// neighbouring intervals of the context (pairs on one side only):
//   irrMedianDiff   median(d) / median(context)
//   irrFraction     fraction of d above 10% of median(context)
//   preRR/ctxRR     the beat's previous interval / median(context)
// A beat without context (records of fewer than 4 beats) takes 0, 0, 1.
export const IRREGULARITY_FEATURES: readonly string[] = ['irrMedianDiff', 'irrFraction', 'preRR/ctxRR'];

/** Intervals each side of the beat in its context. */
export const IRREGULARITY_CONTEXT = 10;

function median(v: number[]): number {
  if (!v.length) return 0;
  const s = v.slice().sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Irregularity features of every beat of a record: beats.length x IRREGULARITY_FEATURES.length values. */
export function irregularityFeatures(beats: ArrayLike<number>, fs: number): Float32Array {
  const n = beats.length, F = IRREGULARITY_FEATURES.length, C = IRREGULARITY_CONTEXT;
  const out = new Float32Array(n * F);
  const m = Math.max(0, n - 1);
  const rr = new Float64Array(m);
  for (let i = 0; i < m; i++) rr[i] = (beats[i + 1]! - beats[i]!) / fs;
  for (let k = 0; k < n; k++) {
    const before: number[] = [], after: number[] = [];
    for (let i = Math.max(0, k - 1 - C); i <= k - 2; i++) before.push(rr[i]!);
    for (let i = k + 1; i <= Math.min(m - 1, k + C); i++) after.push(rr[i]!);
    const context = [...before, ...after], diffs: number[] = [];
    for (const side of [before, after]) for (let i = 0; i + 1 < side.length; i++) diffs.push(Math.abs(side[i + 1]! - side[i]!));
    const med = median(context);
    const o = k * F;
    const pre = k > 0 ? rr[k - 1]! : m > 0 ? rr[0]! : 0;
    if (!(med > 0)) { out[o + 2] = 1; continue; }
    out[o] = diffs.length ? median(diffs) / med : 0;
    out[o + 1] = diffs.length ? diffs.filter((d) => d > 0.1 * med).length / diffs.length : 0;
    out[o + 2] = pre / med;
  }
  return out;
}
