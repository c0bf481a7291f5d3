// A model trained once per seed (`compare --seeds 0,1,2`): its test metrics summarised across the seeds
// as mean, sample standard deviation (n - 1 in the denominator; null for a single seed) and min-max.
// Rows of a seeded run are named by jobName (`<model>.seed<k>`); a seed whose job failed is left out
// of its model's summary and counted in `failedSeeds`.
import type { ReportRow, SeedSummary, Spread } from './types.ts';

export type { SeedSummary, Spread } from './types.ts';

/** The name of one job of a run: the model, or `<model>.seed<k>` in a seeded run. */
export function jobName(model: string, seed?: number): string {
  return seed === undefined ? model : `${model}.seed${seed}`;
}

/** The job names of a run in report order: each model, once per seed (model-major). */
export function jobNames(models: string[], seeds?: number[]): string[] {
  return seeds ? models.flatMap((m) => seeds.map((s) => jobName(m, s))) : models.slice();
}

export function spread(values: number[]): Spread {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

/** One summary per model with at least one finished seed, in `models` order. */
export function seedSummaries(rows: ReportRow[], models: string[], seeds: number[]): SeedSummary[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const out: SeedSummary[] = [];
  for (const model of models) {
    const done = seeds.filter((s) => byName.has(jobName(model, s)));
    if (!done.length) continue;
    const metric = (k: 'accuracy' | 'macroF1' | 'weightedF1') => spread(done.map((s) => byName.get(jobName(model, s))!.metrics[k]));
    out.push({ model, seeds: done, failedSeeds: seeds.filter((s) => !done.includes(s)), accuracy: metric('accuracy'), macroF1: metric('macroF1'), weightedF1: metric('weightedF1') });
  }
  return out;
}

/** "0.9123 ± 0.0040 [0.9080, 0.9160]" (4 decimals; ± is the sample standard deviation). */
export function formatSpread(s: Spread): string {
  return `${s.mean.toFixed(4)} ± ${s.sd === null ? '-' : s.sd.toFixed(4)} [${s.min.toFixed(4)}, ${s.max.toFixed(4)}]`;
}
