// `ecgrad compare`: trains several models of the zoo on one protocol, concurrently in worker threads
// (--workers, default 2: one per core), evaluates each once on the test split, and writes a run folder
// with report.md, report.json, the model files and SVG figures; prints the comparison table.
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { jobSettings, preloadModules, reportSettings, trainingOptions } from './train.ts';
import { checkModel, intOption, usage } from './options.ts';
import { comparisonModelNames, modelSpec, modelNames } from '../models/index.ts';
import { classicModelNames, comparisonClassifierNames } from '../classic/index.ts';
import { getProtocol } from '../ecg/dataset/protocols.ts';
import { ensureData } from '../node/ensure-data.ts';
import { loadDataset } from '../node/dataset.ts';
import { defaultRunDir, prepareRunDir } from '../node/train/files.ts';
import { isClassic, jobDatasetOptions, jobRecipe, jobTag, type JobResult, type TrainJob } from '../node/train/job.ts';
import { runPool, stopOnSignal, type JobOutcome } from '../node/train/pool.ts';
import { readResult, readRunState, writeResult, writeRunState } from '../node/train/run-state.ts';
import { checkpointFile } from '../node/train/job.ts';
import { quickNote } from '../train/run-settings.ts';
import { writeReport } from '../node/train/report-files.ts';
import { createReporter } from '../node/train/reporter.ts';
import { comparisonTable } from '../report/markdown.ts';
import type { RunReport, ReportRow } from '../report/types.ts';
import { collapseNotes } from '../report/rows.ts';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignShards, parseShard, runKey, type Shard, sourceIdentity, writeShardFile } from '../node/train/shards.ts';
import type { JobSettings } from './train.ts';
import { combinedExplanationMarkdown, explainModel, explainSettings, type ModelExplanation } from './explain.ts';
import { metricsTable } from '../explain/report.ts';
import { formatSpread, jobName, seedSummaries } from '../report/seeds.ts';
import { TRAIN_SETTINGS } from '../train/settings.ts';

/**
 * Parses --seeds "0,1,2": distinct non-negative integers, at most 1,000; refused with --seed (say one or
 * the other) and when empty.
 */
export function parseSeeds(text: string, seedGiven: boolean, command: string): number[] {
  if (seedGiven) throw new UsageError(`${command}: give --seed n (one seed) or --seeds a,b,... (each job once per seed), not both`);
  const parts = text.split(',').map((x) => x.trim());
  if (!text.trim() || parts.some((x) => x === '')) throw new UsageError(`${command}: --seeds must be a comma-separated list of seeds, e.g. --seeds 0,1,2; got "${text}"`);
  const seeds = parts.map((x) => {
    if (!/^\d+$/.test(x)) throw new UsageError(`${command}: --seeds: "${x}" is not a non-negative integer; give seeds like --seeds 0,1,2`);
    return usage(command, () => TRAIN_SETTINGS.seed.parse(x));
  });
  const dup = seeds.find((x, i) => seeds.indexOf(x) !== i);
  if (dup !== undefined) throw new UsageError(`${command}: --seeds: seed ${dup} appears twice; give each seed once`);
  if (seeds.length > 1000) throw new UsageError(`${command}: --seeds: ${seeds.length} seeds, at most 1000`);
  return seeds;
}

/** One job of a run: a model, with a seed in a seeded run; `tag` names its row and files. */
interface PlannedJob {
  tag: string;
  model: string;
  seed?: number;
}

function plannedJobs(models: string[], seeds: number[] | undefined): PlannedJob[] {
  return seeds ? models.flatMap((model) => seeds.map((seed) => ({ tag: jobName(model, seed), model, seed }))) : models.map((model) => ({ tag: model, model }));
}

/** Measured training time of a traditional classifier on the intra training split, ms per beat (bench/classic.ts). */
const CLASSIC_COST: Record<string, number> = {
  gboost: 2.4, 'random-forest': 1.7, logreg: 0.37, 'linear-svm': 0.4, 'decision-tree': 0.07, knn: 0.01, 'naive-bayes': 0.01, dechazal2004: 0.05, mlp: 0.07,
};

/** A job's estimated cost (ms per training beat over the whole run), for scheduling only; unknown models count as expensive. */
export function estimatedCost(job: Pick<TrainJob, 'model' | 'epochs'>): number {
  if (isClassic(job.model)) return CLASSIC_COST[job.model] ?? 1;
  const spec = modelSpec(job.model);
  return (spec.trainCost ?? 1) * (job.epochs ?? spec.recipe.epochs);
}

/** compare --explain: explains each trained neural model into explain/<model>/ and appends a section to report.md. */
function explainRows(rows: ReportRow[], runDir: string, protocol: string, data: string, say: (m: string) => void): string[] {
  const neural = rows.filter((r) => r.kind === 'neural' && r.file);
  if (!neural.length) return [];
  const s = explainSettings(['--protocol', protocol, '--data', data, '--method', 'integrated-gradients,grad-cam', '--per-class', '2', '--metrics', 'faithfulness,physiology']);
  const outDir = join(runDir, 'explain');
  mkdirSync(outDir, { recursive: true });
  const all: ModelExplanation[] = [];
  for (const r of neural) {
    say(`explaining ${r.name} ...`);
    all.push(explainModel(join(runDir, r.file!), s, join(outDir, r.file!.replace(/\.ecg[mq]$/i, '')), true));
  }
  writeFileSync(join(outDir, 'explain.md'), combinedExplanationMarkdown(all, neural.map((r) => r.file!), s));
  appendFileSync(join(runDir, 'report.md'), [
    '', '## Explanations', '',
    'Integrated Gradients (32 Gauss-Legendre steps, zero baseline) and Grad-CAM (last convolutional layer) of the predicted class, on 2 test beats per class; columns as in [explain/explain.md](explain/explain.md), which links each model\'s figures.', '',
    metricsTable(all.flatMap((e) => e.rows)), '',
  ].join('\n'));
  return ['explain/explain.md'];
}

/** A seeded run's per-model summary on the terminal (mean ± sample sd [min, max] over the seeds). */
export function printSeedSummary(report: RunReport): void {
  for (const m of report.seedSummary ?? []) {
    console.log(`${m.model} over seeds ${m.seeds.join(',')}${m.failedSeeds.length ? ` (failed: ${m.failedSeeds.join(',')})` : ''}: macro-F1 ${formatSpread(m.macroF1)}, accuracy ${formatSpread(m.accuracy)}`);
  }
  if (report.seedSummary?.length) console.log('(mean ± sample standard deviation [min, max])\n');
}

/** The models of `compare --quick` (npm start): FT-CNN and the CNN baseline. */
export const QUICK_MODELS = ['ft-cnn', 'cnn'];
/** Stand-ins while ft-cnn and cnn are not registered. */
export const QUICK_FALLBACK = ['std-cnn', 'ds-cnn'];

/** The models compare trains when --models is not given, and a note when stand-ins were used. */
export function defaultModels(quick: boolean): { models: string[]; note?: string } {
  const known = modelNames().filter((m) => !m.startsWith('test-'));
  if (!quick) return { models: [...comparisonModelNames().filter((m) => !m.startsWith('test-')), ...comparisonClassifierNames()] };
  const missing = QUICK_MODELS.filter((m) => !known.includes(m));
  if (!missing.length) return { models: QUICK_MODELS.slice() };
  const models = QUICK_MODELS.map((m, i) => (known.includes(m) ? m : QUICK_FALLBACK[i]!));
  return { models, note: `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not registered in this build; trained ${models.join(' and ')} instead` };
}

/** What a comparison's report is built from: by compare itself, and by merge from shard folders. */
export interface ComparisonParts {
  settings: JobSettings;
  models: string[];
  /** Notes known before any result (the --quick note, stand-in models). */
  notes: string[];
  /** The rows of the models that trained, in `models` order; `failed` the others' errors. */
  rows: ReportRow[];
  failed: string[];
  beats: { train: number; val: number; test: number };
  workers: number;
  wallSeconds: number;
  perModelSeconds: Record<string, number>;
  /** How the wall time was measured, for its note (e.g. "the longest of 2 shards"). */
  wallNote?: string;
  /** compare --seeds: rows are per model and seed (jobNames), summarised per model. */
  seeds?: number[];
}

/** The comparison's RunReport (the same for an unsharded run and for its merged shards, timings apart). */
export function comparisonReport(p: ComparisonParts): RunReport {
  const { settings, models } = p;
  const notes = [...p.notes, ...p.failed.map((f) => `failed: ${f}`)];
  const workers = Math.min(p.workers, models.length * (p.seeds?.length ?? 1));
  const jobs = p.seeds ? `${models.length * p.seeds.length} jobs (${models.length} model(s) x ${p.seeds.length} seeds)` : `${models.length} model(s)`;
  notes.push(`wall time ${p.wallSeconds.toFixed(1)} s for ${jobs} on ${workers} worker thread(s)${p.wallNote ? ` (${p.wallNote})` : ''}; per-model seconds: ${Object.entries(p.perModelSeconds).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (settings.testBeats) notes.push(`evaluated on a stratified sample of ${p.beats.test} test beats, not the whole test split`);
  const report: RunReport = {
    tool: 'ecgrad', command: 'compare', createdAt: new Date().toISOString(), protocol: settings.protocol,
    classes: getProtocol(settings.protocol).scheme.classes.slice(), beats: p.beats,
    settings: { ...reportSettings(settings, Object.fromEntries(models.filter((m) => !isClassic(m)).map((m) => [m, jobRecipe({ ...settings, model: m })]))), perModelSeconds: p.perModelSeconds },
    wallSeconds: p.wallSeconds, workers, rows: p.rows, figures: [], notes,
  };
  if (p.seeds) {
    const { seed: _seed, ...rest } = report.settings;
    report.settings = { seeds: p.seeds, ...rest };
    report.seedSummary = seedSummaries(p.rows, models, p.seeds);
  }
  report.notes.push(...collapseNotes(report.rows));
  return report;
}

/** The run's key (settings, models, seeds, ecgrad version and commit) and, for a shard, the jobs it runs. */
function runPlan(shard: Shard | undefined, settings: JobSettings, models: string[], seeds: number[] | undefined) {
  const id = sourceIdentity();
  const key = runKey({ command: 'compare', settings, models, ...(seeds ? { seeds } : {}), ...id });
  const jobs = plannedJobs(models, seeds);
  const assigned = shard ? assignShards(jobs.map((j) => estimatedCost({ ...settings, model: j.model })), shard.count)[shard.index - 1]!.map((i) => jobs[i]!) : jobs;
  return { ...id, key, assigned };
}

const spec: Record<string, OptionSpec> = {
  models: {
    type: 'string',
    description: `comma-separated neural models and traditional classifiers (default: the zoo and every classifier but the published-method reproductions dechazal2004 and mondejar2019, which run only when named; with --quick: ${QUICK_MODELS.join(',')})`,
  },
  ...trainingOptions,
  workers: { type: 'string', description: 'worker threads training models concurrently', default: '2' },
  seeds: {
    type: 'string',
    description: 'comma-separated seeds (e.g. 0,1,2): train every model once per seed and report each model\'s test metrics as mean ± sample standard deviation and min-max (instead of --seed)',
  },
  shard: {
    type: 'string',
    description: 'i/n: run only shard i of n (a deterministic, cost-balanced share of the models) and write a shard folder; `ecgrad merge` joins the n folders into the report of the whole run',
  },
  resume: {
    type: 'boolean',
    description: 'continue the run in --out after Ctrl-C, SIGTERM or a crash: finished models are kept, an interrupted one resumes from its checkpoint, the rest start (a folder without a run starts it)',
  },
  plan: { type: 'boolean', description: 'with --shard: print the shard\'s models and the run key, and exit without training or writing anything' },
  explain: { type: 'boolean', description: 'afterwards explain every neural model (Integrated Gradients and Grad-CAM on 2 test beats per class, faithfulness and physiology metrics) into explain/ and add an Explanations section to report.md' },
};

export const compareCommand: Command = {
  summary: 'train and compare several models on a protocol, concurrently in worker threads; report with figures',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('compare', compareCommand.summary,
        'ecgrad compare --protocol <intra|inter|arrhythminet> [--models a,b,...] [--quick] [--data <dir>] [--out <dir>] [--workers 2] [--seeds a,b,...] [--shard i/n]', spec));
      console.log(`\nneural models: ${modelNames().filter((m) => !m.startsWith('test-')).join(', ')}`);
      console.log(`traditional classifiers: ${classicModelNames().join(', ')}`);
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'compare');
    if (positionals.length) throw new UsageError(`compare: unexpected argument "${positionals[0]}"`);
    const settings = jobSettings(o, 'compare');
    const workers = intOption(o, 'workers', 'compare') ?? 2;
    const notes: string[] = settings.quick ? [quickNote()] : [];
    let models: string[];
    if (o.models) {
      models = String(o.models).split(',').map((s) => s.trim()).filter(Boolean);
      if (!models.length) throw new UsageError('compare: --models is empty');
      for (const m of models) if (!isClassic(m)) checkModel(m, 'compare', classicModelNames());
      if (new Set(models).size !== models.length) throw new UsageError('compare: a model appears twice in --models');
    } else {
      const d = defaultModels(settings.quick);
      models = d.models;
      if (d.note) notes.push(d.note);
    }
    const seeds = o.seeds === undefined ? undefined : parseSeeds(String(o.seeds), argv.some((a) => a === '--seed' || a.startsWith('--seed=')), 'compare');
    let shard: Shard | undefined;
    try {
      shard = o.shard === undefined ? undefined : parseShard(String(o.shard), 'compare');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (o.plan && !shard) throw new UsageError('compare: --plan needs --shard i/n');
    if (shard && o.explain) throw new UsageError('compare: --explain does not combine with --shard; run `ecgrad explain` on the merged run folder\'s model files');
    if (o.resume && !o.out) throw new UsageError('compare: --resume needs --out <the run folder to continue>');
    const runInfo = runPlan(shard, settings, models, seeds);
    const plan = shard ? runInfo : undefined;
    const planned = new Map(runInfo.assigned.map((j) => [j.tag, j]));
    const run = runInfo.assigned.map((j) => j.tag);
    if (plan && o.plan) {
      console.log(JSON.stringify({ shard, runKey: plan.key, version: plan.version, commit: plan.commit, models: run, allModels: models, ...(seeds ? { seeds } : {}) }));
      return 0;
    }
    const data = await ensureData(settings.protocol, o.data as string | undefined);
    const dir = prepareRunDir(o.out ? String(o.out) : defaultRunDir(shard ? `compare-shard-${shard.index}-of-${shard.count}` : 'compare'));
    const previous = readRunState(dir.path);
    if (o.resume && previous !== undefined) {
      if (previous === 'damaged') throw new UsageError(`compare --resume: ${dir.path}/compare.json is damaged; start the run again in a new folder`);
      if (previous.runKey !== runInfo.key) {
        throw new UsageError(`compare --resume: ${dir.path} holds a run of other settings, models or ecgrad version; resume it with its own command line, or choose a new --out`);
      }
    }
    writeRunState(dir.path, { runKey: runInfo.key, models });
    // --resume: finished models are kept; an interrupted neural model continues from its checkpoint.
    const kept = new Map(o.resume ? run.flatMap((m) => {
      const r = readResult(dir.path, runInfo.key, m);
      return r ? [[m, r] as const] : [];
    }) : []);
    const reporter = createReporter();
    for (const n of notes) reporter.message(`note: ${n}`);
    if (kept.size) reporter.message(`--resume: keeping ${[...kept.keys()].join(', ')} (finished)`);
    if (plan) reporter.message(`shard ${shard!.index}/${shard!.count} of run ${plan.key}: ${run.length ? run.join(', ') : 'no models (more shards than models)'}`);
    const t0 = performance.now();
    let outcomes: JobOutcome<TrainJob, Pick<JobResult, 'row' | 'beats'>>[] = [];
    const toRun = run.filter((m) => !kept.has(m));
    const signals = stopOnSignal((m) => reporter.message(m));
    try {
      let done: JobOutcome<TrainJob, JobResult>[] = [];
      if (toRun.length) {
        // Build (or check) the dataset cache once here, so the workers only read it.
        const loaded = loadDataset(settings.protocol, jobDatasetOptions({ ...settings, data }));
        reporter.message(`${settings.protocol}: ${loaded.dataset.y.length} beats ${loaded.fromCache ? 'from the cache' : 'built'} in ${loaded.seconds.toFixed(1)} s; ` +
          `training ${toRun.join(', ')} with ${Math.min(workers, toRun.length)} worker thread(s)`);
        const jobs: TrainJob[] = toRun.map((tag) => {
          const { model, seed } = planned.get(tag)!;
          return {
            ...settings, model, ...(seed === undefined ? {} : { seed, tag }), data, outDir: dir.path, resume: o.resume === true && !isClassic(model) && existsSync(checkpointFile(dir.path, tag)),
          };
        });
        // Longest job first (so two workers finish close together); the report keeps the given order.
        const order = jobs.map((j, i) => i).sort((a, b) => estimatedCost(jobs[b]!) - estimatedCost(jobs[a]!));
        done = await runPool(order.map((i) => jobs[i]!), {
          workers, onEvent: (e) => reporter.event(e), stop: signals.stop, preload: preloadModules(),
          onOutcome: (x) => {
            const d = x as JobOutcome<TrainJob, JobResult>;
            if (d.ok) writeResult(dir.path, { runKey: runInfo.key, model: jobTag(d.job), seconds: d.seconds, row: d.result.row, beats: d.result.beats });
          },
        });
      }
      outcomes = run.map((m) => {
        const k = kept.get(m);
        const { model, seed } = planned.get(m)!;
        if (k) return { job: { ...settings, model, ...(seed === undefined ? {} : { seed, tag: m }), data, outDir: dir.path, resume: true }, seconds: k.seconds, ok: true as const, result: { row: k.row, beats: k.beats } };
        return done.find((d) => jobTag(d.job) === m)!;
      });
    } catch (e) {
      reporter.close();
      signals.dispose();
      dir.discardIfEmpty();
      throw e;
    }
    reporter.close();
    signals.dispose();
    const stoppedBy = signals.signal();
    if (stoppedBy) {
      const finished = outcomes.filter((x) => x.ok).map((x) => jobTag(x.job));
      const stopped = outcomes.filter((x) => !x.ok && x.interrupted === 'stopped').map((x) => (x.ok ? '' : x.error));
      const notStarted = outcomes.filter((x) => !x.ok && x.interrupted === 'not started').map((x) => jobTag(x.job));
      console.log(`${stoppedBy}: the run in ${dir.path} stopped cleanly.`);
      if (finished.length) console.log(`  finished (kept): ${finished.join(', ')}`);
      for (const s of stopped) console.log(`  ${s}`);
      if (notStarted.length) console.log(`  not started: ${notStarted.join(', ')}`);
      const args = argv.filter((a, i) => a !== '--resume' && a !== '--out' && argv[i - 1] !== '--out' && !a.startsWith('--out='));
      console.log(`resume with: ecgrad compare ${args.join(' ')} --out ${dir.path} --resume`);
      return stoppedBy === 'SIGINT' ? 130 : 143;
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const rows: ReportRow[] = [];
    const failed: string[] = [];
    let beats: { train: number; val: number; test: number } | null = null;
    for (const out of outcomes) {
      if (out.ok) {
        rows.push({ ...out.result.row, notes: [out.result.row.notes, `wall time in its worker ${out.seconds.toFixed(1)} s`].filter(Boolean).join('; ') });
        beats = out.result.beats;
      } else failed.push(`${jobTag(out.job)}: ${out.error}`);
    }
    const perModel = Object.fromEntries(outcomes.map((x) => [jobTag(x.job), Number(x.seconds.toFixed(1))]));
    if (plan) {
      writeShardFile(dir.path, {
        format: 'ecgrad-shard', formatVersion: 1, command: 'compare', runKey: plan.key, version: plan.version, commit: plan.commit,
        shard: shard!, models, assigned: run, ...(seeds ? { seeds } : {}), settings: settings as unknown as Record<string, unknown>, notes, workersOption: workers,
        rows, failed, beats, perModelSeconds: perModel, wallSeconds,
      });
      if (o.json) console.log(JSON.stringify({ run: dir.path, shard, runKey: plan.key, models: run, wallSeconds, perModelSeconds: perModel, rows: rows.map(({ history: _h, ...r }) => r), failed }, null, 2));
      else {
        for (const f of failed) console.log(`- failed: ${f}`);
        console.log(`shard ${shard!.index}/${shard!.count} (run ${plan.key}) in ${dir.path}: ${[...rows.map((r) => r.file!), 'shard.json'].join(', ')}`);
        console.log(`when every shard is done: ecgrad merge <the ${shard!.count} shard folders> --out <run folder>`);
      }
      return failed.length ? 1 : 0;
    }
    if (!rows.length) {
      dir.discardIfEmpty();
      throw new Error(`every model failed:\n  ${failed.join('\n  ')}`);
    }
    const report = comparisonReport({ settings, models, notes, rows, failed, beats: beats!, workers, wallSeconds, perModelSeconds: perModel, seeds });
    const files = writeReport(dir.path, report);
    if (o.explain) files.push(...explainRows(rows, dir.path, settings.protocol, data, (m) => process.stderr.write(`${m}\n`)));
    if (o.json) console.log(JSON.stringify({ run: dir.path, wallSeconds, perModelSeconds: perModel, rows: report.rows.map(({ history: _h, ...r }) => r), failed, ...(report.seedSummary ? { seedSummary: report.seedSummary } : {}) }, null, 2));
    else {
      console.log(`\n${comparisonTable(report)}\n`);
      printSeedSummary(report);
      for (const n of report.notes) console.log(`- ${n}`);
      console.log(`run folder ${dir.path}: ${[...rows.map((r) => r.file!), ...files].join(', ')}`);
    }
    return failed.length ? 1 : 0;
  },
};
