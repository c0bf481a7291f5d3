// Seeds derived from the run's seed (browser-safe): a 32-bit mix of integers for the per-epoch batch
// order and per-step dropout seeds, and a short hash of a row list for checkpoint fingerprints.

/** A 32-bit mix of integers (splitmix-style), for per-epoch and per-step seeds. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** "<length>:<hex hash>" of a row list (which rows, in which order). */
export function hashRows(rows: Int32Array): string {
  let h = mixSeed(rows.length);
  for (const r of rows) h = mixSeed(h, r);
  return `${rows.length}:${h.toString(16)}`;
}
