// `ecgrad merge <shard folders...> --out <dir>`: joins the shard folders of one `compare --shard i/n`
// run into the run folder the unsharded compare writes (report.md, report.json, figures, model files),
// or those of one `cv --shard i/n` run into the pooled cross-validation report (the folds are
// recomputed from the settings and the database and checked against the shards).
// The shards must be every shard of one run (same settings, models, ecgrad version and commit), each
// once; the output is written into a temporary folder beside --out and renamed into place, so a failed
// merge leaves nothing half-written.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { comparisonReport, printSeedSummary } from './compare.ts';
import { jobNames } from '../report/seeds.ts';
import type { JobSettings } from './train.ts';
import { checkShardIndices, checkShardSet, readShardFile, ShardError } from '../node/train/shards.ts';
import { CV_SHARD_FILE, readCvShardFile } from '../node/cv/shard-file.ts';
import { cvPlan, foldsLabel, poolFolds, writeCvReport } from './cv.ts';
import { ensureData } from '../node/ensure-data.ts';
import type { CvFoldResult } from '../node/cv/fold-job.ts';
import { writeReport } from '../node/train/report-files.ts';
import { comparisonTable } from '../report/markdown.ts';
import type { ReportRow } from '../report/types.ts';

const spec: Record<string, OptionSpec> = {
  out: { type: 'string', description: 'the run folder to write (must not exist, or be empty)' },
  json: { type: 'boolean', description: 'print the merged rows as JSON' },
  data: { type: 'string', description: 'cv shards: the database folder (the merge recomputes the folds from it; default as for cv)' },
};

/** Writes into a temporary folder beside `out`, renamed to `out` when `fill` succeeds. */
function writeAtomically(out: string, fill: (tmp: string) => void): void {
  mkdirSync(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.merge-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    fill(tmp);
    if (existsSync(out)) rmSync(out, { recursive: true });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Merges the shards of `ecgrad cv --shard i/n`: the pooled report of all folds, as the unsharded cv writes it. */
async function mergeCv(dirs: string[], out: string, o: Record<string, unknown>): Promise<number> {
  let shards;
  try {
    shards = checkShardIndices(dirs.map((dir) => ({ dir, file: readCvShardFile(dir) })));
    const seen = new Set<number>();
    for (const s of shards) for (const f of s.file.assigned) {
      if (seen.has(f)) throw new ShardError(`merge: fold ${f + 1} was run by two shards; the shard folders are damaged`);
      seen.add(f);
    }
    const lost = Array.from({ length: shards[0]!.file.foldCount }, (_, i) => i).filter((f) => !seen.has(f));
    if (lost.length) throw new ShardError(`merge: no shard ran fold${lost.length > 1 ? 's' : ''} ${lost.map((f) => f + 1).join(', ')}; the shard folders are damaged`);
  } catch (e) {
    if (e instanceof ShardError) throw new UsageError(e.message);
    throw e;
  }
  const first = shards[0]!.file;
  const settings = first.settings as unknown as JobSettings;
  const data = await ensureData(settings.protocol, o.data as string | undefined);
  const { loaded, records, plans } = cvPlan(first.model, first.folds, settings, data);
  if (plans.length !== first.foldCount) throw new UsageError(`merge: the shards ran ${first.foldCount} folds, but the data in ${data} gives ${plans.length}; merge with the database the shards used (--data)`);
  const results: CvFoldResult[] = new Array(plans.length);
  const seconds: number[] = new Array(plans.length);
  for (const s of shards) s.file.results.forEach((r, k) => {
    const f = s.file.assigned[k]!;
    results[f] = { ...r, rows: Int32Array.from(r.rows), pred: Int32Array.from(r.pred) };
    seconds[f] = r.seconds;
  });
  const run = poolFolds(loaded.dataset, records, plans, results, seconds);
  writeAtomically(out, (tmp) => writeCvReport(tmp, {
    model: first.model, settings, folds: first.folds, foldsName: foldsLabel(first.folds, plans.length), run, argv: first.argv,
    wallSeconds: Math.max(...shards.map((s) => s.file.wallSeconds)), workers: Math.min(Math.max(...shards.map((s) => s.file.workersOption)), plans.length), json: o.json === true,
    wallNote: `the longest of ${shards.length} shards`,
  }));
  if (!o.json) console.log(`merged ${shards.length} cv shard(s) of run ${first.runKey} into ${out}`);
  return 0;
}

export const mergeCommand: Command = {
  summary: 'join the shard folders of a `compare --shard i/n` or `cv --shard i/n` run into the report of the whole run',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('merge', mergeCommand.summary, 'ecgrad merge <shard folder> <shard folder> ... --out <run folder>', spec));
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'merge');
    if (!positionals.length) throw new UsageError('merge: give the shard folders to merge (the --out folders of the compare --shard runs)');
    if (!o.out) throw new UsageError('merge: --out <run folder> is required');
    const out = resolve(String(o.out));
    if (existsSync(out) && readdirSync(out).length) throw new UsageError(`merge: ${out} exists and is not empty; choose a new --out`);
    if (existsSync(join(positionals[0]!, CV_SHARD_FILE))) return mergeCv(positionals, out, o);
    let shards;
    try {
      shards = checkShardSet(positionals.map((dir) => ({ dir, file: readShardFile(dir) })));
    } catch (e) {
      if (e instanceof ShardError) throw new UsageError(e.message);
      throw e;
    }
    const first = shards[0]!.file;
    const models = first.models;
    const jobs = jobNames(models, first.seeds);
    const rowOf = new Map<string, { row: ReportRow; dir: string }>();
    for (const s of shards) for (const r of s.file.rows) rowOf.set(r.name, { row: r, dir: s.dir });
    const failedOf = new Map<string, string>();
    for (const s of shards) for (const f of s.file.failed) failedOf.set(f.slice(0, f.indexOf(':')), f);
    const rows = jobs.filter((m) => rowOf.has(m)).map((m) => rowOf.get(m)!.row);
    const failed = jobs.filter((m) => failedOf.has(m)).map((m) => failedOf.get(m)!);
    const beats = shards.map((s) => s.file.beats).find((b) => b !== null);
    if (!rows.length || !beats) throw new UsageError(`merge: every model failed in every shard:\n  ${failed.join('\n  ')}`);
    const perModelSeconds: Record<string, number> = {};
    for (const m of jobs) for (const s of shards) if (m in s.file.perModelSeconds) perModelSeconds[m] = s.file.perModelSeconds[m]!;
    const report = comparisonReport({
      settings: first.settings as unknown as JobSettings, models, notes: first.notes, rows, failed, beats,
      workers: Math.max(...shards.map((s) => s.file.workersOption)), // the most worker threads a shard used
      wallSeconds: Math.max(...shards.map((s) => s.file.wallSeconds)), perModelSeconds, wallNote: `the longest of ${shards.length} shards`, seeds: first.seeds,
    });
    // Everything goes into a temporary folder first, renamed to --out at the end.
    let files: string[] = [];
    writeAtomically(out, (tmp) => {
      for (const r of rows) if (r.file) copyFileSync(join(rowOf.get(r.name)!.dir, r.file), join(tmp, r.file));
      files = writeReport(tmp, report);
    });
    if (o.json) console.log(JSON.stringify({ run: out, rows: report.rows.map(({ history: _h, ...r }) => r), failed, ...(report.seedSummary ? { seedSummary: report.seedSummary } : {}) }, null, 2));
    else {
      console.log(`\n${comparisonTable(report)}\n`);
      printSeedSummary(report);
      for (const n of report.notes) console.log(`- ${n}`);
      console.log(`merged ${shards.length} shard(s) of run ${first.runKey} into ${out}: ${[...rows.map((r) => r.file!).filter(Boolean), ...files].join(', ')}`);
    }
    return failed.length ? 1 : 0;
  },
};
