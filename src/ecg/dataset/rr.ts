// RR-interval features of each beat, in seconds, from the sorted positions of all beats of a record:
// previous RR, next RR, local average RR (mean of up to `local` previous intervals, the current
// previous one included), and the ratios previous/local, next/local and previous/next (cf. de Chazal
// et al. 2004, "pre-RR", "post-RR", "local avg RR"). The first beat takes its next RR as its previous
// RR and the last beat its previous RR as its next, so every beat has features.

/**
 * The names of the 6 RR features of each beat (the 'local' set), in seconds or as ratios: previous, next and
 * local average RR, previous/local, next/local and previous/next.
 */
export const RR_FEATURES: readonly string[] = ['preRR', 'postRR', 'localRR', 'preRR/localRR', 'postRR/localRR', 'preRR/postRR'];

/** Features of every beat: a Float32Array of beats.length x 6 values. */
export function rrFeatures(beats: ArrayLike<number>, fs: number, local = 10): Float32Array {
  const n = beats.length;
  const out = new Float32Array(n * RR_FEATURES.length);
  if (n < 2) return out; // a single beat has no interval: all zeros
  const rr = new Float64Array(n - 1);
  for (let i = 0; i + 1 < n; i++) rr[i] = (beats[i + 1]! - beats[i]!) / fs;
  let windowSum = 0, count = 0;
  for (let i = 0; i < n; i++) {
    const pre = i > 0 ? rr[i - 1]! : rr[0]!;
    const post = i + 1 < n ? rr[i]! : rr[n - 2]!;
    if (i > 0) {
      windowSum += rr[i - 1]!;
      count++;
      if (count > local) {
        windowSum -= rr[i - 1 - local]!;
        count--;
      }
    }
    const loc = count > 0 ? windowSum / count : pre;
    const o = i * RR_FEATURES.length;
    out[o] = pre;
    out[o + 1] = post;
    out[o + 2] = loc;
    out[o + 3] = loc > 0 ? pre / loc : 0;
    out[o + 4] = loc > 0 ? post / loc : 0;
    out[o + 5] = post > 0 ? pre / post : 0;
  }
  return out;
}
