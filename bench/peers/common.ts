// Shared by the peer benchmarks of bench/train-step.ts (bench/peers/*.ts): the median, the timing loop and
// a package's version (read from its package.json next to its resolved entry, as some peers' "exports" hide it).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export interface Rate {
  samples_per_s: number;
  range: [number, number];
}

/** Median samples/s over `reps` timings of `inner` calls each, after `warmup` calls and at least 0.5 s of calls. */
export async function timeAsync(batch: number, run: () => unknown, warmup: number, reps: number, inner: number): Promise<Rate> {
  const w0 = performance.now();
  for (let i = 0; i < warmup || performance.now() - w0 < 500; i++) await run();
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) await run();
    rates.push((batch * inner * 1000) / (performance.now() - t0));
  }
  return { samples_per_s: Math.round(median(rates)), range: [Math.round(Math.min(...rates)), Math.round(Math.max(...rates))] };
}

/** The installed version of package `name`, or null when it is not installed. */
export function packageVersion(name: string, from: string): string | null {
  const require = createRequire(from);
  let dir: string;
  try {
    dir = dirname(require.resolve(name));
  } catch {
    return null;
  }
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    try {
      const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pj.name === name && pj.version) return pj.version;
    } catch { /* not here: one level up */ }
  }
  return null;
}

/**
 * For slow peers (a step of seconds): one call to compile and warm up (and more until 0.3 s have passed), then
 * repetitions of `inner` calls (inner chosen so that one repetition takes about 0.1 s), at least 3 repetitions
 * and as many as fit in `budgetMs` (at most 15); the median samples/s over the repetitions.
 */
export async function timeBudget(batch: number, run: () => unknown, budgetMs = 3000): Promise<Rate & { calls: number }> {
  const w0 = performance.now();
  let n = 0;
  do { await run(); n++; } while (performance.now() - w0 < 300);
  const e0 = performance.now();
  await run();
  const est = Math.max(performance.now() - e0, 0.01);
  const inner = Math.max(1, Math.round(100 / est));
  const reps = Math.min(15, Math.max(3, Math.floor(budgetMs / (inner * est))));
  const r = await timeAsync(batch, run, 0, reps, inner);
  return { ...r, calls: n + 1 + reps * inner };
}

/** What a peer reports: per workload key its rate, or the error it gave. */
export interface PeerResult {
  peer: string;
  version: string;
  device: string;
  threads: number;
  notes: string[];
  results: Record<string, Rate | { error: string }>;
}
