// Running median filter in O(n log w): a max-heap holds the lower half of the window and a min-heap the
// upper half; each heap entry is a sample index and `where[index]` tracks its heap and position, so the
// sample leaving the window is removed in O(log w) (an indexed two-heap median, as in Haerdle &
// Steiger 1995 "Optimal median smoothing"). The window is centred ([i - h, i + h], w = 2h + 1) and
// shrinks at the signal edges, so the first and last outputs are medians of the samples that exist.
// An even count (at the edges) gives the mean of the two middle values.

/** Median-filters `x` with an odd window of `window` samples (an even window is rounded up to odd). */
export function medianFilter(x: ArrayLike<number>, window: number): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  if (n === 0) return out;
  if (!(window >= 1)) throw new RangeError(`medianFilter: window must be >= 1 sample, got ${window}`);
  const h = Math.floor(window / 2);
  const v = Float64Array.from(x as ArrayLike<number>);
  const cap = 2 * h + 2;
  const lo = new Int32Array(cap); // max-heap of indices (lower half)
  const hi = new Int32Array(cap); // min-heap of indices (upper half)
  let nLo = 0, nHi = 0;
  // where[i] >= 0: position in lo; where[i] < 0: position -where[i] - 1 in hi.
  const where = new Int32Array(n);

  const setLo = (p: number, idx: number) => { lo[p] = idx; where[idx] = p; };
  const setHi = (p: number, idx: number) => { hi[p] = idx; where[idx] = -p - 1; };
  const upLo = (p: number) => {
    const idx = lo[p]!, val = v[idx]!;
    while (p > 0) {
      const q = (p - 1) >> 1;
      if (v[lo[q]!]! >= val) break;
      setLo(p, lo[q]!);
      p = q;
    }
    setLo(p, idx);
  };
  const downLo = (p: number) => {
    const idx = lo[p]!, val = v[idx]!;
    for (;;) {
      let c = 2 * p + 1;
      if (c >= nLo) break;
      if (c + 1 < nLo && v[lo[c + 1]!]! > v[lo[c]!]!) c++;
      if (v[lo[c]!]! <= val) break;
      setLo(p, lo[c]!);
      p = c;
    }
    setLo(p, idx);
  };
  const upHi = (p: number) => {
    const idx = hi[p]!, val = v[idx]!;
    while (p > 0) {
      const q = (p - 1) >> 1;
      if (v[hi[q]!]! <= val) break;
      setHi(p, hi[q]!);
      p = q;
    }
    setHi(p, idx);
  };
  const downHi = (p: number) => {
    const idx = hi[p]!, val = v[idx]!;
    for (;;) {
      let c = 2 * p + 1;
      if (c >= nHi) break;
      if (c + 1 < nHi && v[hi[c + 1]!]! < v[hi[c]!]!) c++;
      if (v[hi[c]!]! >= val) break;
      setHi(p, hi[c]!);
      p = c;
    }
    setHi(p, idx);
  };
  const popLo = (): number => {
    const top = lo[0]!;
    nLo--;
    if (nLo > 0) { setLo(0, lo[nLo]!); downLo(0); }
    return top;
  };
  const popHi = (): number => {
    const top = hi[0]!;
    nHi--;
    if (nHi > 0) { setHi(0, hi[nHi]!); downHi(0); }
    return top;
  };
  const pushLo = (idx: number) => { setLo(nLo, idx); upLo(nLo++); };
  const pushHi = (idx: number) => { setHi(nHi, idx); upHi(nHi++); };
  const rebalance = () => {
    if (nLo > nHi + 1) pushHi(popLo());
    else if (nHi > nLo) pushLo(popHi());
  };
  const insert = (idx: number) => {
    if (nLo === 0 || v[idx]! <= v[lo[0]!]!) pushLo(idx);
    else pushHi(idx);
    rebalance();
  };
  const remove = (idx: number) => {
    const w = where[idx]!;
    if (w >= 0) {
      nLo--;
      // Move the last entry into the hole, then restore the heap order in whichever direction it needs.
      if (w < nLo) { setLo(w, lo[nLo]!); upLo(w); downLo(w); }
    } else {
      const p = -w - 1;
      nHi--;
      if (p < nHi) { setHi(p, hi[nHi]!); upHi(p); downHi(p); }
    }
    rebalance();
  };

  for (let i = 0; i < Math.min(h, n); i++) insert(i);
  for (let i = 0; i < n; i++) {
    if (i + h < n) insert(i + h);
    if (i - h - 1 >= 0) remove(i - h - 1);
    out[i] = (nLo + nHi) % 2 === 1 ? v[lo[0]!]! : (v[lo[0]!]! + v[hi[0]!]!) / 2;
  }
  return out;
}
