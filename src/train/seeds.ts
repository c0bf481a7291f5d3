// Seeds derived from the run's seed (browser-safe): a 32-bit mix of integers for the per-epoch batch
// order and per-step dropout seeds, a short hash of a row list for checkpoint fingerprints, and a seeded
// endless draw of indices (personalisation's beat order, premature synthesis's pairs).
import { Rng } from '../core/random.ts';

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

/**
 * A seeded endless draw of indices 0..n-1: the next k of a shuffle, reshuffled after each pass (never more
 * than n at once).
 */
export function seededCursor(n: number, seed: number): (k: number) => number[] {
  const rng = new Rng(seed);
  const order = () => rng.shuffle(Int32Array.from({ length: n }, (_, i) => i)) as Int32Array;
  let perm = order(), at = 0;
  return (k: number): number[] => {
    const pick: number[] = [];
    for (let j = 0; j < Math.min(k, n); j++) {
      if (at === n) {
        perm = order();
        at = 0;
      }
      pick.push(perm[at++]!);
    }
    return pick;
  };
}
