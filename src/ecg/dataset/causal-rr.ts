// Causal RR features: the beat features of the causal window (causal-window.ts), from the R peaks up to
// the beat itself, so a stream has them when the beat is detected. The local RR features of rr.ts need
// the next R peak (postRR), i.e. a whole RR interval of delay; these replace it by the interval before
// the previous one. With rr[j] = (beats[j+1] - beats[j]) / fs in seconds, beat i's row is
//   preRR      rr[i-1]
//   prePreRR   rr[i-2] (rr[i-1] for the second beat)
//   localRR    mean of rr[max(0, i-10) .. i-1] (the up to 10 previous intervals, as rr.ts's localRR)
//   preRR/localRR, prePreRR/localRR, preRR/prePreRR   (0 where the divisor is 0)
// The first beat of a record (no previous interval) has a row of zeros. Each row reads beats[0 .. i]
// only, and the one function causalRrRow computes it offline and in BeatStream alike.

export const CAUSAL_RR_FEATURES: readonly string[] = ['preRR', 'prePreRR', 'localRR', 'preRR/localRR', 'prePreRR/localRR', 'preRR/prePreRR'];

/** Intervals averaged in localRR. */
export const CAUSAL_LOCAL_INTERVALS = 10;

/** Writes beat i's causal RR features (CAUSAL_RR_FEATURES order) into out[o .. o + 6), from beats[0 .. i]. */
export function causalRrRow(beats: ArrayLike<number>, i: number, fs: number, out: Float32Array, o = 0): void {
  const rr = (j: number) => (beats[j + 1]! - beats[j]!) / fs;
  if (i < 1) {
    out.fill(0, o, o + CAUSAL_RR_FEATURES.length);
    return;
  }
  const pre = rr(i - 1);
  const prePre = i >= 2 ? rr(i - 2) : pre;
  let sum = 0, count = 0;
  for (let j = Math.max(0, i - CAUSAL_LOCAL_INTERVALS); j < i; j++) {
    sum += rr(j);
    count++;
  }
  const loc = sum / count;
  out[o] = pre;
  out[o + 1] = prePre;
  out[o + 2] = loc;
  out[o + 3] = loc > 0 ? pre / loc : 0;
  out[o + 4] = loc > 0 ? prePre / loc : 0;
  out[o + 5] = prePre > 0 ? pre / prePre : 0;
}

/** Causal RR features of every beat of a record: beats.length x 6 values. */
export function causalRrFeatures(beats: ArrayLike<number>, fs: number): Float32Array {
  const F = CAUSAL_RR_FEATURES.length;
  const out = new Float32Array(beats.length * F);
  for (let i = 0; i < beats.length; i++) causalRrRow(beats, i, fs, out, i * F);
  return out;
}
