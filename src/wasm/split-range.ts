// How a split kernel call cuts its output into chunks (src/wasm/threaded.ts, threaded-rnn.ts).

/** [start, end) of `parts` near-equal ranges of `n`, each a multiple of `unit` but the last. */
export function splitRange(n: number, parts: number, unit: number): [number, number][] {
  const units = Math.ceil(n / unit);
  const p = Math.max(1, Math.min(parts, units));
  const out: [number, number][] = [];
  for (let i = 0, s = 0; i < p; i++) {
    const e = Math.min(n, Math.round((units * (i + 1)) / p) * unit);
    out.push([s, e]);
    s = e;
  }
  return out;
}
