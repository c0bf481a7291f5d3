// `ecgrad train`: trains one model of the zoo on a protocol with its recipe, selecting the epoch with the
// best validation macro-F1, and writes a run folder: <model>.ecgm (best weights), <model>.ckpt
// (resumable checkpoint), report.md, report.json and SVG figures (confusion matrix, training curves).
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { checkModel, DATA_HELP, optionsOf, settingsOf, usage } from './options.ts';
import { metricsJson } from './metrics-json.ts';
import { modelNames, modelSpec } from '../models/index.ts';
import { TRAIN_SETTINGS } from '../train/settings.ts';
import { DATA_SETTINGS, RUN_SETTINGS, runSettings, QUICK, quickNote, type RunSettings } from '../train/run-settings.ts';
import { CLASSIC_SETTINGS, isDefaultFeatures, type ClassicSettings } from '../classic/settings.ts';
import { initSync } from '../core/runtime.ts';
import { ensureData } from '../node/ensure-data.ts';
import { defaultRunDir, prepareRunDir } from '../node/train/files.ts';
import { checkpointFile, type JobResult, type TrainJob } from '../node/train/job.ts';
import { runPool, stopOnSignal } from '../node/train/pool.ts';
import { featureGroupsName } from '../classic/index.ts';
import { writeReport } from '../node/train/report-files.ts';
import { createReporter } from '../node/train/reporter.ts';
import { comparisonTable } from '../report/markdown.ts';
import type { RunReport } from '../report/types.ts';
import { collapseNotes } from '../report/rows.ts';
import { existsSync } from 'node:fs';
import { DiskDatasetError, openDiskDataset } from '../node/disk-dataset.ts';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Modules each training worker imports first ($ECGRAD_PRELOAD: comma-separated file URLs or paths), so
 * models registered by the caller's own code (registerModel) exist in the worker too.
 */
export function preloadModules(): string[] {
  return (process.env.ECGRAD_PRELOAD ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => (/^[a-z]+:/.test(s) ? s : pathToFileURL(resolve(s)).href));
}

/** Options shared by train and compare: every run setting and the classifiers' settings, plus where and how to write. */
export const trainingOptions: Record<string, OptionSpec> = {
  ...optionsOf(DATA_SETTINGS),
  data: { type: 'string', description: DATA_HELP },
  ...optionsOf(TRAIN_SETTINGS, CLASSIC_SETTINGS),
  out: { type: 'string', description: 'run folder (default: runs/<timestamp>-<command>)' },
  json: { type: 'boolean', description: 'print the result as JSON (progress still goes to stderr)' },
};

export type JobSettings = RunSettings & ClassicSettings;

/** The job settings common to train and compare (everything but the model, data and folder), checked. */
export function jobSettings(o: Record<string, unknown>, command: string): JobSettings {
  const run = usage(command, () => runSettings(settingsOf(RUN_SETTINGS, o, command)));
  const classic = settingsOf(CLASSIC_SETTINGS, o, command);
  return { ...run, ...(classic.classicFeatures && !isDefaultFeatures(classic.classicFeatures) ? { classicFeatures: classic.classicFeatures } : {}), ...(classic.classicParams ? { classicParams: classic.classicParams } : {}), ...(classic.trainLabels && classic.trainLabels !== 'aami' ? { trainLabels: classic.trainLabels } : {}) };
}

export function reportSettings(s: JobSettings, recipes: Record<string, unknown>): Record<string, unknown> {
  return {
    seed: s.seed, rr: s.rr, ...(s.rrSet !== 'local' ? { rrSet: s.rrSet } : {}), ...(s.select !== 'macro-f1' ? { select: s.select } : {}),
    ...(s.classicFeatures ? { classicFeatures: featureGroupsName(s.classicFeatures) } : {}), ...(s.classicParams ? { classicParams: s.classicParams } : {}), ...(s.trainLabels ? { trainLabels: s.trainLabels } : {}), quick: s.quick, patience: s.patience, ...(s.clipNorm ? { clip: s.clipNorm } : {}),
    ...(s.trainBeats || s.quick ? { trainBeats: s.trainBeats ?? QUICK.trainBeats } : {}),
    ...(s.valBeats || s.quick ? { valBeats: s.valBeats ?? QUICK.valBeats } : {}),
    ...(s.testBeats ? { testBeats: s.testBeats } : {}),
    ...(s.synthPremature ? { synthPremature: s.synthPremature } : {}),
    recipes,
  };
}

const spec: Record<string, OptionSpec> = {
  model: { type: 'string', description: 'model to train (see the list below)' },
  ...trainingOptions,
  resume: { type: 'boolean', description: 'continue the interrupted run in --out from its last checkpoint' },
  dataset: { type: 'string', description: 'train from a chunked on-disk dataset (the folder `ecgrad dataset --out` wrote): the training split streams in shuffled batches with bounded memory; protocol and beat options come from the folder' },
};

/** Options that choose or subset the beats, which the folder of --dataset fixes. */
const FIXED_BY_DATASET = ['data', 'leads', 'rr-set', 'window', 'train-records', 'test-records', 'train-beats', 'quick'];

export const trainCommand: Command = {
  summary: 'train one model on a protocol (validation-based model selection, resumable checkpoints, report)',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('train', trainCommand.summary,
        'ecgrad train --model <name> (--protocol <intra|inter|arrhythminet> [--data <dir>] | --dataset <dir>) [--epochs n] [--batch-size n] [--seed n] [--rr] [--out <run dir>] [--resume] [--json]', spec));
      console.log(`\nmodels:\n${modelNames().map((m) => `  ${m.padEnd(18)}${modelSpec(m).description}`).join('\n')}`);
      console.log('\nOutputs: <out>/<model>.ecgm (best validation weights), <model>.ckpt (resumable), report.md, report.json, confusion-<model>.svg, curves.svg, tradeoff.svg.');
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'train');
    if (positionals.length) throw new UsageError(`train: unexpected argument "${positionals[0]}"`);
    if (!o.model) throw new UsageError(`train: --model is required; valid models: ${modelNames().join(', ')}`);
    const model = checkModel(String(o.model), 'train');
    let diskDataset: string | undefined;
    if (o.dataset !== undefined) {
      diskDataset = resolve(String(o.dataset));
      const given = (flag: string) => argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
      const fixed = FIXED_BY_DATASET.filter(given);
      if (fixed.length) throw new UsageError(`train: --dataset fixes the beats; drop --${fixed.join(', --')} (write another dataset with ecgrad dataset --out to change them)`);
      let protocol: string;
      try {
        protocol = openDiskDataset(diskDataset).manifest.protocol;
      } catch (e) {
        if (e instanceof DiskDatasetError) throw new UsageError(`train --dataset: ${e.message}`);
        throw e;
      }
      if (given('protocol') && o.protocol !== protocol) throw new UsageError(`train: --protocol ${o.protocol}, but the dataset ${diskDataset} is of the ${protocol} protocol; drop --protocol`);
      o.protocol = protocol;
    }
    const settings = jobSettings(o, 'train');
    if (settings.trainLabels) throw new UsageError(`train: --train-labels applies to the traditional classifiers only (ecgrad classic, compare, cv); ${model} is a neural model`);
    if (o.resume && !o.out) throw new UsageError('train: --resume needs --out <run dir> (the folder of the interrupted run)');
    const data = diskDataset ?? await ensureData(settings.protocol, o.data as string | undefined);
    let dir;
    if (o.resume) {
      const ck = checkpointFile(resolve(String(o.out)), model);
      if (!existsSync(ck)) throw new Error(`--resume: there is no checkpoint ${ck} to resume (train without --resume to start afresh)`);
      dir = prepareRunDir(String(o.out));
    } else dir = prepareRunDir(o.out ? String(o.out) : defaultRunDir('train'));
    initSync();
    const reporter = createReporter();
    const t0 = performance.now();
    let r: JobResult;
    // The job runs in a worker thread, so Ctrl-C / SIGTERM reach this thread while it trains: the first
    // stops the run after its current batch, with a checkpoint (`--resume` continues it).
    const signals = stopOnSignal((m) => reporter.message(m));
    try {
      const [out] = await runPool<TrainJob, JobResult>([{ ...settings, model, data, outDir: dir.path, resume: o.resume === true, ...(diskDataset ? { diskDataset } : {}) }], {
        workers: 1, onEvent: (e) => reporter.event(e), stop: signals.stop, preload: preloadModules(),
      });
      if (!out!.ok) {
        if (out!.interrupted && signals.signal()) {
          reporter.close();
          console.log(`${signals.signal()}: ${out!.error}.`);
          const args = argv.filter((a, i) => a !== '--resume' && a !== '--out' && argv[i - 1] !== '--out' && !a.startsWith('--out='));
          console.log(`resume with: ecgrad train ${args.join(' ')} --out ${dir.path} --resume`);
          return signals.signal() === 'SIGINT' ? 130 : 143;
        }
        throw new Error(out!.error);
      }
      r = out!.result;
    } catch (e) {
      reporter.close();
      dir.discardIfEmpty();
      throw e;
    } finally {
      reporter.close();
      signals.dispose();
    }
    const report: RunReport = {
      tool: 'ecgrad', command: 'train', createdAt: new Date().toISOString(), protocol: settings.protocol, classes: r.classes, beats: r.beats,
      settings: reportSettings(settings, { [model]: r.recipe }), wallSeconds: (performance.now() - t0) / 1000, rows: [r.row], figures: [],
      notes: [
        ...(settings.quick ? [quickNote()] : []),
        ...(settings.testBeats ? [`evaluated on a stratified sample of ${r.beats.test} test beats, not the whole test split`] : []),
      ],
    };
    const collapsed = collapseNotes(report.rows);
    report.notes.push(...collapsed);
    for (const n of collapsed) process.stderr.write(`ecgrad train: ${n}\n`);
    const files = writeReport(dir.path, report);
    if (o.json) {
      console.log(JSON.stringify(metricsJson(r.row.metrics, {
        model, protocol: settings.protocol, run: dir.path, bestEpoch: r.row.bestEpoch, epochsRun: r.row.epochsRun,
        bestValMacroF1: r.train.bestValMacroF1, trainSeconds: r.row.trainSeconds, inferMsPerBeat: r.row.inferMsPerBeat, params: r.row.params,
      }), null, 2));
      return 0;
    }
    console.log(`\n${comparisonTable(report)}\n`);
    console.log(`best validation epoch ${r.row.bestEpoch} of ${r.row.epochsRun} (validation macro-F1 ${r.train.bestValMacroF1.toFixed(4)}); test split: ${r.row.metrics.n} beats`);
    console.log(`run folder ${dir.path}: ${[`${model}.ecgm`, `${model}.ckpt`, ...files].join(', ')}`);
    return 0;
  },
};
