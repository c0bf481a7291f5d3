// Beat-by-beat comparison of a test annotation set against a reference, as in ANSI/AAMI EC57 (and
// WFDB's bxb): a test beat matches a reference beat when they are at most `window` seconds apart
// (150 ms by default); each beat matches at most once, closest pairs first. Sensitivity
// Se = TP / (TP + FN) and positive predictivity +P = TP / (TP + FP), in percent.

/**
 * The beat-by-beat comparison of test beats against reference beats (as ANSI/AAMI EC57 and WFDB's bxb):
 * matches, misses, false detections, sensitivity and positive predictivity.
 */
export interface Comparison {
  /** Matched pairs. */
  tp: number;
  /** Reference beats with no test beat within the window (missed). */
  fn: number;
  /** Test beats with no reference beat within the window (false detections). */
  fp: number;
  /** Sensitivity in percent (100 when there are no reference beats). */
  se: number;
  /** Positive predictivity in percent (100 when there are no test beats). */
  ppv: number;
  /** For each reference beat, the index of its matched test beat or -1. */
  refMatch: Int32Array;
  /** For each test beat, the index of its matched reference beat or -1. */
  testMatch: Int32Array;
}

/** Options of compareAnnotations: the sample range that takes part and intervals left out. */
export interface CompareOptions {
  /** Only beats at sample >= from and < to take part (defaults: the whole record). */
  from?: number;
  to?: number;
  /** Intervals [start, end] (samples) left out of the comparison, e.g. ventricular flutter episodes. */
  exclude?: readonly (readonly [number, number])[];
}

/** Compares sorted sample positions. */
export function compareAnnotations(
  reference: ArrayLike<number>,
  test: ArrayLike<number>,
  fs: number,
  window = 0.15,
  options: CompareOptions = {},
): Comparison {
  const from = options.from ?? -Infinity, to = options.to ?? Infinity;
  const ex = options.exclude ?? [];
  const keep = (s: number) => s >= from && s < to && !ex.some(([a, b]) => s >= a && s <= b);
  const r = Array.from(reference).filter(keep).sort((a, b) => a - b);
  const t = Array.from(test).filter(keep).sort((a, b) => a - b);
  const w = window * fs;
  const pairs: [number, number, number][] = [];
  let j0 = 0;
  for (let i = 0; i < r.length; i++) {
    while (j0 < t.length && t[j0]! < r[i]! - w) j0++;
    for (let j = j0; j < t.length && t[j]! <= r[i]! + w; j++) pairs.push([Math.abs(t[j]! - r[i]!), i, j]);
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const refMatch = new Int32Array(r.length).fill(-1);
  const testMatch = new Int32Array(t.length).fill(-1);
  let tp = 0;
  for (const [, i, j] of pairs) {
    if (refMatch[i] === -1 && testMatch[j] === -1) {
      refMatch[i] = j;
      testMatch[j] = i;
      tp++;
    }
  }
  const fn = r.length - tp, fp = t.length - tp;
  return {
    tp, fn, fp,
    se: r.length ? (100 * tp) / r.length : 100,
    ppv: t.length ? (100 * tp) / t.length : 100,
    refMatch, testMatch,
  };
}

/**
 * Ventricular flutter / fibrillation episodes of a reference annotation set: from each "[" to the next
 * "]" (or the end of the record). EC57 leaves these out of QRS detection statistics.
 */
export function vfEpisodes(ann: { sample: ArrayLike<number>; symbol: readonly string[] }, end = Infinity): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i < ann.symbol.length; i++) {
    if (ann.symbol[i] === '[' && start < 0) start = ann.sample[i]!;
    else if (ann.symbol[i] === ']' && start >= 0) {
      out.push([start, ann.sample[i]!]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, end]);
  return out;
}
