// `ecgrad cv`: patient-grouped cross-validation of a neural model or a traditional classifier on the
// patient-wise protocol's training records only (inter: DS1, the protocol's train + validation records;
// its test records are never fitted or scored). --folds records holds out one record per fold, --folds N
// deals the records into N groups (src/train/cv-folds.ts). The folds run concurrently in worker threads
// (--workers, default 2); each is independent of the others and of the worker it runs in, so the results
// are the same for any --workers. Writes report.md and report.json (pooled confusion matrix, accuracy,
// AAMI gross S and V Se / +P, and by record S / V found, totals and false calls) into the run folder.
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { jobSettings, reportSettings, trainingOptions, type JobSettings } from './train.ts';
import { checkModel, intOption } from './options.ts';
import { modelNames } from '../models/index.ts';
import { classicModelNames } from '../classic/index.ts';
import { initSync } from '../core/runtime.ts';
import { ensureData } from '../node/ensure-data.ts';
import { loadDataset } from '../node/dataset.ts';
import { atomicWrite, defaultRunDir, prepareRunDir } from '../node/train/files.ts';
import { isClassic, jobDatasetOptions, jobRecipe } from '../node/train/job.ts';
import { runPool } from '../node/train/pool.ts';
import { assignShards, parseShard, runKey, type Shard, sourceIdentity } from '../node/train/shards.ts';
import { writeCvShardFile } from '../node/cv/shard-file.ts';
import { createReporter } from '../node/train/reporter.ts';
import type { CvFoldJob, CvFoldResult } from '../node/cv/fold-job.ts';
import { FoldError, parseFolds, planFolds, recordClassCounts, type FoldPlan, type FoldsSpec } from '../train/cv-folds.ts';
import { cvMarkdown, cvReport, cvTable, foldSummary, type CvFoldSummary, type CvReport } from '../train/cv-report.ts';
import { decisionSweep, decisionSweepMarkdown, parseDecisionSweep, type DecisionSweepRow, type DecisionSweepSpec } from '../train/decision-sweep.ts';
import { PROTOCOLS } from '../ecg/dataset/protocols.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import { join } from 'node:path';

const spec: Record<string, OptionSpec> = {
  model: { type: 'string', description: 'the neural model or traditional classifier to cross-validate' },
  folds: { type: 'string', description: '"records" (leave one record out) or N (the records dealt into N groups, from --seed)', default: 'records' },
  ...trainingOptions,
  workers: { type: 'string', description: 'worker threads running folds concurrently (results do not depend on it)', default: '2' },
  shard: { type: 'string', description: 'i/n: run only shard i of n of the folds and write a shard folder; `ecgrad merge` joins the n folders into the report' },
  'decision-sweep': { type: 'string', description: 'classifiers: CLASS:w1,w2,... (e.g. S:1,2,4): also report the pooled figures with each decision weight on that class (as `classic --decision-weights`), from the same folds\' held-out probabilities' },
};

/** The protocol's training records (its train and validation splits), sorted; never its test records. */
export function trainingRecords(ds: Pick<BeatDataset, 'split' | 'record' | 'records'>): string[] {
  const names = new Set<string>();
  for (const s of [ds.split.train, ds.split.val]) for (const i of s) names.add(ds.records[ds.record[i]!]!);
  for (const i of ds.split.test) if (names.has(ds.records[ds.record[i]!]!)) throw new Error(`record ${ds.records[ds.record[i]!]} is in both the training and the test split; patient-grouped cross-validation needs a patient-wise protocol`);
  return [...names].sort();
}

function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export interface CvRun {
  report: CvReport;
  folds: CvFoldSummary[];
  records: string[];
  /** With --decision-sweep: the pooled figures for each weight. */
  sweep?: { spec: DecisionSweepSpec; rows: DecisionSweepRow[] };
}

/** Pools the folds' held-out predictions (in fold order) into the report. */
export function poolFolds(ds: Pick<BeatDataset, 'y' | 'record' | 'records' | 'classes'>, records: string[], plans: FoldPlan[], results: CvFoldResult[], seconds: number[], sweep?: DecisionSweepSpec): CvRun {
  const yTrue: number[] = [], yPred: number[] = [], rec: number[] = [], proba: Float32Array[] = [];
  const index = new Map(records.map((r, i) => [r, i]));
  const folds = plans.map((p, f) => {
    const r = results[f]!;
    if (sweep) {
      if (!r.proba) throw new Error(`${p.name}: no held-out probabilities for --decision-sweep`);
      proba.push(r.proba);
    }
    for (let j = 0; j < r.rows.length; j++) {
      const row = r.rows[j]!;
      yTrue.push(ds.y[row]!);
      yPred.push(r.pred[j]!);
      rec.push(index.get(ds.records[ds.record[row]!]!)!);
    }
    return foldSummary(p, {
      trainBeats: r.trainBeats, valBeats: r.valBeats, testBeats: r.rows.length, seconds: seconds[f]!,
      ...(r.bestEpoch ? { bestEpoch: r.bestEpoch, epochsRun: r.epochsRun } : {}),
    });
  });
  const run: CvRun = { report: cvReport(yTrue, yPred, rec, records, ds.classes), folds, records };
  if (sweep) {
    const all = new Float32Array(proba.reduce((n, a) => n + a.length, 0));
    let o = 0;
    for (const a of proba) { all.set(a, o); o += a.length; }
    run.sweep = { spec: sweep, rows: decisionSweep(yTrue, all, ds.classes, sweep) };
  }
  return run;
}

/** The dataset of a cv run and its checked fold plans (the same for the whole run, its shards and their merge). */
export function cvPlan(model: string, folds: FoldsSpec, settings: JobSettings, data: string) {
  const loaded = loadDataset(settings.protocol, jobDatasetOptions({ ...settings, data }));
  const ds = loaded.dataset;
  const records = trainingRecords(ds);
  try {
    const plans = planFolds(records, folds, { seed: settings.seed, counts: recordClassCounts(ds.y, ds.record, ds.records, ds.classes.length), classes: ds.classes, neural: !isClassic(model) });
    return { loaded, records, plans };
  } catch (e) {
    if (e instanceof FoldError) throw new UsageError(`cv: ${e.message}`);
    throw e;
  }
}

export const foldsLabel = (folds: FoldsSpec, n: number) => (folds === 'records' ? `leave-one-record-out (${n} folds)` : `${n} folds of records`);

/** The command line a report gives to reproduce the run: without --out, --shard, --workers and --json (they change no result). */
function replayArgs(argv: string[]): string[] {
  const drop = new Set(['--out', '--shard', '--workers']);
  return argv.filter((a, i) => !drop.has(a) && !drop.has(argv[i - 1] ?? '') && a !== '--json' && !/^--(out|shard|workers)=/.test(a));
}

/** Writes report.json and report.md of a cv run (unsharded, or merged from its shards) and prints its summary. */
export function writeCvReport(dir: string, r: {
  model: string; settings: JobSettings; folds: FoldsSpec; foldsName: string; run: CvRun; argv: string[]; wallSeconds: number; workers: number; json: boolean; wallNote?: string;
}): void {
  const { model, settings, folds, run, wallSeconds, workers } = r;
  const recipes = isClassic(model) ? {} : { [model]: jobRecipe({ ...settings, model }) };
  const command = `ecgrad cv ${r.argv.map(shellQuote).join(' ')}`;
  const notes = settings.testBeats ? [`each fold predicted a stratified sample of ${settings.testBeats} of its held-out beats, not all of them`] : [];
  const json = {
    tool: 'ecgrad', command: 'cv', createdAt: new Date().toISOString(), commandLine: command, model, kind: isClassic(model) ? 'classic' : 'neural',
    protocol: settings.protocol, folds, records: run.records, settings: reportSettings(settings, recipes), wallSeconds, workers,
    pooled: { n: run.report.n, accuracy: run.report.accuracy, macroF1: run.report.macroF1, aami: run.report.aami, perClass: run.report.perClass, confusion: run.report.confusion, classes: run.report.classes },
    perRecord: run.report.perRecord, foldDetails: run.folds, notes,
    ...(run.sweep ? { decisionSweep: { className: run.sweep.spec.className, rows: run.sweep.rows } } : {}),
  };
  atomicWrite(join(dir, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
  const sweepMd = run.sweep ? `\n## Decision-weight sweep (${run.sweep.spec.className})\n\nThe same folds' held-out probabilities, predicted as argmax of probability x weight (weight 1: the table above).\n\n${decisionSweepMarkdown(run.sweep.spec, run.sweep.rows)}\n` : '';
  atomicWrite(join(dir, 'report.md'), cvMarkdown(run.report, run.folds, {
    model, protocol: settings.protocol, folds: r.foldsName, command, settings: json.settings, wallSeconds, workers, notes,
  }) + sweepMd);
  if (r.json) {
    console.log(JSON.stringify({
      run: dir, model, protocol: settings.protocol, folds, records: run.records, wallSeconds, workers,
      n: run.report.n, accuracy: run.report.accuracy, macroF1: run.report.macroF1, aami: run.report.aami, confusion: run.report.confusion,
      perRecord: run.report.perRecord, ...(run.sweep ? { decisionSweep: json.decisionSweep } : {}),
    }, null, 2));
    return;
  }
  console.log(`\n${model}, ${settings.protocol} protocol, ${r.foldsName} over ${run.records.length} training records\n`);
  console.log(cvTable(run.report));
  if (run.sweep) console.log(`\ndecision-weight sweep of class ${run.sweep.spec.className} (the same held-out probabilities):\n${decisionSweepMarkdown(run.sweep.spec, run.sweep.rows)}`);
  console.log(`\nS and V: AAMI gross Se / +P of the pooled held-out predictions; wall time ${wallSeconds.toFixed(1)} s on ${workers} worker thread(s)${r.wallNote ? ` (${r.wallNote})` : ''}`);
  console.log(`run folder ${dir}: report.md, report.json`);
}

export const cvCommand: Command = {
  summary: 'patient-grouped cross-validation of a model or classifier on the training records (inter: DS1), folds in worker threads',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('cv', cvCommand.summary,
        'ecgrad cv --model <name> --protocol inter [--folds records|N] [training options as ecgrad train] [--workers 2] [--out <dir>] [--shard i/n] [--json]', spec));
      console.log(`\nneural models: ${modelNames().filter((m) => !m.startsWith('test-')).join(', ')}`);
      console.log(`traditional classifiers: ${classicModelNames().join(', ')}`);
      console.log('\nFolds are over the protocol\'s training records only (inter: DS1 = its train + validation records, or --train-records); the test records are never used.' +
        '\nA neural fold selects its epoch on 4 of its own training records (the inter protocol\'s validation rule); a classifier fits on all of them.' +
        '\nOutputs: <out>/report.md and report.json (pooled confusion matrix, accuracy, AAMI gross S/V Se and +P, by record S/V found, total, false).');
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'cv');
    if (positionals.length) throw new UsageError(`cv: unexpected argument "${positionals[0]}"`);
    if (!o.model) throw new UsageError(`cv: --model is required; neural models: ${modelNames().join(', ')}; classifiers: ${classicModelNames().join(', ')}`);
    const model = String(o.model);
    if (!isClassic(model)) checkModel(model, 'cv', classicModelNames());
    let folds: FoldsSpec;
    try {
      folds = parseFolds(String(o.folds));
    } catch (e) {
      throw new UsageError(`cv: ${(e as Error).message}`);
    }
    const settings = jobSettings(o, 'cv');
    if (settings.protocol !== 'inter')
      throw new UsageError(`cv: --protocol ${settings.protocol} splits beats at random, so its records are not groups of patients; patient-grouped cross-validation needs --protocol inter`);
    if (settings.trainLabels && !isClassic(model)) throw new UsageError(`cv: --train-labels applies to the traditional classifiers only; ${model} is a neural model`);
    const workers = intOption(o, 'workers', 'cv') ?? 2;
    let shard: Shard | undefined;
    try {
      shard = o.shard === undefined ? undefined : parseShard(String(o.shard), 'cv');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    let sweep: DecisionSweepSpec | undefined;
    if (o['decision-sweep'] !== undefined) {
      if (!isClassic(model)) throw new UsageError(`cv: --decision-sweep applies to the traditional classifiers only; ${model} is a neural model`);
      if (o.shard !== undefined) throw new UsageError('cv: --decision-sweep needs every fold in one run; it cannot be combined with --shard');
      try {
        sweep = parseDecisionSweep(String(o['decision-sweep']), PROTOCOLS[settings.protocol as keyof typeof PROTOCOLS].scheme.classes);
      } catch (e) {
        throw new UsageError(`cv: ${(e as Error).message}`);
      }
    }
    const data = await ensureData(settings.protocol, o.data as string | undefined);
    initSync();
    // Build (or check) the dataset cache here, so the workers only read it; plan and check every fold before any training.
    const { loaded, records, plans } = cvPlan(model, folds, settings, data);
    const ds = loaded.dataset;
    const foldsName = foldsLabel(folds, plans.length);
    const assigned = shard ? assignShards(plans.map(() => 1), shard.count)[shard.index - 1]! : plans.map((_, i) => i);
    const dir = prepareRunDir(o.out ? String(o.out) : defaultRunDir(shard ? `cv-shard-${shard.index}-of-${shard.count}` : 'cv'));
    const reporter = createReporter();
    const t0 = performance.now();
    let done: Awaited<ReturnType<typeof runPool<CvFoldJob, CvFoldResult>>>;
    try {
      reporter.message(`${settings.protocol}: ${records.length} training records (${records.join(', ')}), ${ds.y.length} beats ${loaded.fromCache ? 'from the cache' : 'built'}; ` +
        `${model}: ${foldsName}${shard ? `, shard ${shard.index}/${shard.count}: folds ${assigned.map((f) => f + 1).join(', ') || 'none'}` : ''} on ${Math.min(workers, Math.max(assigned.length, 1))} worker thread(s)`);
      const jobs: CvFoldJob[] = assigned.map((f) => ({ ...settings, model, data, outDir: dir.path, resume: false, kind: 'cv-fold', fold: plans[f]!, ...(sweep ? { keepProba: true } : {}) }));
      done = jobs.length ? await runPool<CvFoldJob, CvFoldResult>(jobs, { workers, onEvent: (e) => reporter.event(e) }) : [];
      const failed = done.flatMap((d, i) => (d.ok ? [] : [`${plans[assigned[i]!]!.name}: ${d.error}`]));
      if (failed.length) throw new Error(`${failed.length} of ${jobs.length} folds failed (nothing written):\n  ${failed.join('\n  ')}`);
    } catch (e) {
      reporter.close();
      dir.discardIfEmpty();
      throw e;
    }
    reporter.close();
    const wallSeconds = (performance.now() - t0) / 1000;
    const replay = replayArgs(argv);
    if (shard) {
      const id = sourceIdentity();
      writeCvShardFile(dir.path, {
        format: 'ecgrad-cv-shard', formatVersion: 1, runKey: runKey({ command: 'cv', settings: { settings, folds, model }, models: [model], ...id }), ...id,
        shard, model, folds, foldCount: plans.length, assigned, settings: settings as unknown as Record<string, unknown>, argv: replay, workersOption: workers, wallSeconds,
        results: done.map((d) => {
          const r = (d as { result: CvFoldResult }).result;
          return { ...r, rows: Array.from(r.rows), pred: Array.from(r.pred), seconds: d.seconds };
        }),
      });
      if (o.json) console.log(JSON.stringify({ run: dir.path, shard, folds: assigned.map((f) => f + 1), wallSeconds }, null, 2));
      else {
        console.log(`shard ${shard.index}/${shard.count} of ${model} ${foldsName}: folds ${assigned.map((f) => f + 1).join(', ') || 'none'} in ${dir.path} (cv-shard.json)`);
        console.log(`when every shard is done: ecgrad merge <the ${shard.count} shard folders> --out <run folder>`);
      }
      return 0;
    }
    const run = poolFolds(ds, records, plans, done.map((d) => (d.ok ? d.result : null!)), done.map((d) => d.seconds), sweep);
    writeCvReport(dir.path, { model, settings, folds, foldsName, run, argv: replay, wallSeconds, workers: Math.min(workers, plans.length), json: o.json === true });
    return 0;
  },
};
