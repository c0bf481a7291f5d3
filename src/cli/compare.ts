// `ecgrad compare`: trains several models of the zoo on one protocol, concurrently in worker threads
// (--workers, default 2: one per core), evaluates each once on the test split, and writes a run folder
// with report.md, report.json, the model files and SVG figures; prints the comparison table.
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { jobSettings, reportSettings, trainingOptions } from './train.ts';
import { checkModel, intOption } from './options.ts';
import { comparisonModelNames, getModel, modelNames } from '../models/index.ts';
import { classicModelNames } from '../classic/index.ts';
import { getProtocol } from '../ecg/dataset/protocols.ts';
import { ensureData } from '../node/ensure-data.ts';
import { loadDataset } from '../node/dataset.ts';
import { defaultRunDir, prepareRunDir } from '../node/train/files.ts';
import { isClassic, jobDatasetOptions, jobRecipe, type TrainJob } from '../node/train/job.ts';
import { runPool } from '../node/train/pool.ts';
import { quickNote } from '../train/run-settings.ts';
import { writeReport } from '../node/train/report-files.ts';
import { createReporter } from '../node/train/reporter.ts';
import { comparisonTable } from '../report/markdown.ts';
import type { RunReport, ReportRow } from '../report/types.ts';
import { collapseNotes } from '../report/rows.ts';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { combinedExplanationMarkdown, explainModel, explainSettings, type ModelExplanation } from './explain.ts';
import { metricsTable } from '../explain/report.ts';

/** Measured training time of a traditional classifier on the intra training split, ms per beat (bench/classic.ts). */
const CLASSIC_COST: Record<string, number> = {
  gboost: 2.4, 'random-forest': 1.7, logreg: 0.37, 'linear-svm': 0.4, 'decision-tree': 0.07, knn: 0.01, 'naive-bayes': 0.01, dechazal2004: 0.05,
};

/** A job's estimated cost (ms per training beat over the whole run), for scheduling only; unknown models count as expensive. */
export function estimatedCost(job: Pick<TrainJob, 'model' | 'epochs'>): number {
  if (isClassic(job.model)) return CLASSIC_COST[job.model] ?? 1;
  const spec = getModel(job.model);
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

/** The models of `compare --quick` (npm start): FT-CNN and the CNN baseline. */
export const QUICK_MODELS = ['ft-cnn', 'cnn'];
/** Stand-ins while ft-cnn and cnn are not registered. */
export const QUICK_FALLBACK = ['std-cnn', 'ds-cnn'];

/** The models compare trains when --models is not given, and a note when stand-ins were used. */
export function defaultModels(quick: boolean): { models: string[]; note?: string } {
  const known = modelNames().filter((m) => !m.startsWith('test-'));
  if (!quick) return { models: [...comparisonModelNames().filter((m) => !m.startsWith('test-')), ...classicModelNames()] };
  const missing = QUICK_MODELS.filter((m) => !known.includes(m));
  if (!missing.length) return { models: QUICK_MODELS.slice() };
  const models = QUICK_MODELS.map((m, i) => (known.includes(m) ? m : QUICK_FALLBACK[i]!));
  return { models, note: `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not registered in this build; trained ${models.join(' and ')} instead` };
}

const spec: Record<string, OptionSpec> = {
  models: {
    type: 'string',
    description: `comma-separated neural models and traditional classifiers (default: the zoo and every classifier; with --quick: ${QUICK_MODELS.join(',')})`,
  },
  ...trainingOptions,
  workers: { type: 'string', description: 'worker threads training models concurrently', default: '2' },
  explain: { type: 'boolean', description: 'afterwards explain every neural model (Integrated Gradients and Grad-CAM on 2 test beats per class, faithfulness and physiology metrics) into explain/ and add an Explanations section to report.md' },
};

export const compareCommand: Command = {
  summary: 'train and compare several models on a protocol, concurrently in worker threads; report with figures',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('compare', compareCommand.summary,
        'ecgrad compare --protocol <intra|inter|arrhythminet> [--models a,b,...] [--quick] [--data <dir>] [--out <dir>] [--workers 2]', spec));
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
    const data = await ensureData(settings.protocol, o.data as string | undefined);
    const dir = prepareRunDir(o.out ? String(o.out) : defaultRunDir('compare'));
    const reporter = createReporter();
    for (const n of notes) reporter.message(`note: ${n}`);
    const t0 = performance.now();
    let outcomes;
    try {
      // Build (or check) the dataset cache once here, so the workers only read it.
      const loaded = loadDataset(settings.protocol, jobDatasetOptions({ ...settings, data }));
      reporter.message(`${settings.protocol}: ${loaded.dataset.y.length} beats ${loaded.fromCache ? 'from the cache' : 'built'} in ${loaded.seconds.toFixed(1)} s; ` +
        `training ${models.join(', ')} with ${Math.min(workers, models.length)} worker thread(s)`);
      const jobs: TrainJob[] = models.map((model) => ({ ...settings, model, data, outDir: dir.path, resume: false }));
      // Longest job first (so two workers finish close together); the report keeps the given order.
      const order = jobs.map((j, i) => i).sort((a, b) => estimatedCost(jobs[b]!) - estimatedCost(jobs[a]!));
      const done = await runPool(order.map((i) => jobs[i]!), { workers, onEvent: (e) => reporter.event(e) });
      outcomes = jobs.map((j) => done.find((d) => d.job.model === j.model)!);
    } catch (e) {
      reporter.close();
      dir.discardIfEmpty();
      throw e;
    }
    reporter.close();
    const wallSeconds = (performance.now() - t0) / 1000;
    const rows: ReportRow[] = [];
    const failed: string[] = [];
    let beats = { train: 0, val: 0, test: 0 };
    for (const out of outcomes) {
      if (out.ok) {
        rows.push({ ...out.result.row, notes: [out.result.row.notes, `wall time in its worker ${out.seconds.toFixed(1)} s`].filter(Boolean).join('; ') });
        beats = out.result.beats;
      } else failed.push(`${out.job.model}: ${out.error}`);
    }
    if (!rows.length) {
      dir.discardIfEmpty();
      throw new Error(`every model failed:\n  ${failed.join('\n  ')}`);
    }
    for (const f of failed) notes.push(`failed: ${f}`);
    const perModel = Object.fromEntries(outcomes.map((x) => [x.job.model, Number(x.seconds.toFixed(1))]));
    notes.push(`wall time ${wallSeconds.toFixed(1)} s for ${models.length} model(s) on ${Math.min(workers, models.length)} worker thread(s); per-model seconds: ${Object.entries(perModel).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (settings.testBeats) notes.push(`evaluated on a stratified sample of ${beats.test} test beats, not the whole test split`);
    const report: RunReport = {
      tool: 'ecgrad', command: 'compare', createdAt: new Date().toISOString(), protocol: settings.protocol,
      classes: getProtocol(settings.protocol).scheme.classes.slice(), beats,
      settings: { ...reportSettings(settings, Object.fromEntries(models.filter((m) => !isClassic(m)).map((m) => [m, jobRecipe({ ...settings, model: m })]))), perModelSeconds: perModel },
      wallSeconds, workers: Math.min(workers, models.length), rows, figures: [], notes,
    };
    const collapsed = collapseNotes(report.rows);
    report.notes.push(...collapsed);
    const files = writeReport(dir.path, report);
    if (o.explain) files.push(...explainRows(rows, dir.path, settings.protocol, data, (m) => process.stderr.write(`${m}\n`)));
    if (o.json) console.log(JSON.stringify({ run: dir.path, wallSeconds, perModelSeconds: perModel, rows: report.rows.map(({ history: _h, ...r }) => r), failed }, null, 2));
    else {
      console.log(`\n${comparisonTable(report)}\n`);
      for (const n of notes) console.log(`- ${n}`);
      console.log(`run folder ${dir.path}: ${[...rows.map((r) => r.file!), ...files].join(', ')}`);
    }
    return failed.length ? 1 : 0;
  },
};
