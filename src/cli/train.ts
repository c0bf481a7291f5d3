// `ecgrad train`: trains one model of the zoo on a protocol with its recipe, selecting the epoch with the
// best validation macro-F1, and writes a run folder: <model>.ecgm (best weights), <model>.ckpt
// (resumable checkpoint), report.md, report.json and SVG figures (confusion matrix, training curves).
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './commands.ts';
import { PROTOCOLS } from '../ecg/dataset/protocols.ts';
import { isRrSet, RR_SETS, type RrSet } from '../ecg/dataset/beat-features.ts';
import { modelNames, getModel } from '../models/index.ts';
import { initSync } from '../core/runtime.ts';
import { ensureData } from '../node/ensure-data.ts';
import { defaultRunDir, prepareRunDir } from '../node/train/files.ts';
import { runTrainJob, checkpointFile, QUICK, type TrainJob, type JobResult } from '../node/train/job.ts';
import { classicModelNames, featureGroupsName, featureOptionsFromGroups } from '../classic/index.ts';
import { writeReport } from '../node/train/report-files.ts';
import { createReporter } from '../node/train/reporter.ts';
import { comparisonTable } from '../report/markdown.ts';
import type { RunReport } from '../report/types.ts';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const DATA_HELP = 'database folder (default: $ECGRAD_DATA, else ../shared/data/mitdb if present, else ./data/mitdb, downloaded there if missing)';

/** Options shared by train and compare. */
export const trainingOptions: Record<string, OptionSpec> = {
  protocol: { type: 'string', description: `one of ${Object.keys(PROTOCOLS).join(', ')}`, default: 'intra' },
  data: { type: 'string', description: DATA_HELP },
  epochs: { type: 'string', description: "number of epochs (default: the model's recipe; 3 with --quick)" },
  'batch-size': { type: 'string', description: "batch size (default: the model's recipe)" },
  lr: { type: 'string', description: "learning rate (default: the model's recipe)" },
  seed: { type: 'string', description: 'seed of the weights, batch order and dropout (the split is the protocol\'s, seed 0)', default: '0' },
  rr: { type: 'boolean', description: 'feed the RR-interval features beside the beat (6 values; 15 with --rr-set patient, 23 with rhythm, 20 with irregular)' },
  'rr-set': { type: 'string', description: 'beat features beside the window: "local" (6 RR features), "patient" (also 9 patient-normalised RR and median-beat features), "rhythm" (patient + 8 rhythm features: de Chazal RR averages, P/QRS ratio) or "irregular" (patient + 5 RR-irregularity features), docs/inter-patient.md; implies --rr', default: 'local' },
  'classic-features': { type: 'string', description: 'feature groups of the traditional classifiers, comma-separated from beat, rr, morphology', default: 'beat,rr,morphology' },
  'classic-params': { type: 'string', description: 'hyperparameters of the traditional classifiers as JSON by name, e.g. \'{"logreg": {"classWeight": "balanced"}}\'' },
  quick: { type: 'boolean', description: `a quick run: ${QUICK.trainBeats} training and ${QUICK.valBeats} validation beats (stratified samples) and at most ${QUICK.epochs} epochs; the test split stays whole` },
  'train-beats': { type: 'string', description: 'train on a stratified sample of this many training beats' },
  'val-beats': { type: 'string', description: 'validate on a stratified sample of this many validation beats' },
  'test-beats': { type: 'string', description: 'evaluate on a stratified sample of this many test beats (smoke tests; reports say so)' },
  patience: { type: 'string', description: 'stop after this many epochs without a better validation macro-F1 (0: never)', default: '5' },
  clip: { type: 'string', description: 'clip the global gradient norm to this value' },
  select: { type: 'string', description: 'validation score that picks the best epoch: "macro-f1", or "sv-f1" (mean F1 of S and V; AAMI protocols)', default: 'macro-f1' },
  'checkpoint-every': { type: 'string', description: 'write the resumable checkpoint every this many batches (and at every epoch end)', default: '50' },
  out: { type: 'string', description: 'run folder (default: runs/<timestamp>-<command>)' },
  json: { type: 'boolean', description: 'print the result as JSON (progress still goes to stderr)' },
};

export function intOption(o: Record<string, unknown>, name: string, command: string, min = 1): number | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${command}: --${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

export function numberOption(o: Record<string, unknown>, name: string, command: string): number | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${command}: --${name} must be a positive number, got "${v}"`);
  return n;
}

export function checkProtocol(p: unknown, command: string): string {
  const name = String(p);
  if (!(name in PROTOCOLS)) throw new UsageError(`${command}: unknown protocol "${name}"; valid protocols: ${Object.keys(PROTOCOLS).join(', ')}`);
  return name;
}

export function checkModel(name: string, command: string, alsoValid: string[] = []): string {
  if (!modelNames().includes(name))
    throw new UsageError(`${command}: unknown model "${name}"; valid models: ${[...modelNames(), ...alsoValid].join(', ')}`);
  return name;
}

function selectOption(o: Record<string, unknown>, command: string): Pick<TrainJob, 'select'> {
  const v = String(o.select ?? 'macro-f1');
  if (v !== 'macro-f1' && v !== 'sv-f1') throw new UsageError(`${command}: --select must be "macro-f1" or "sv-f1", got "${v}"`);
  if (v === 'sv-f1' && checkProtocol(o.protocol, command) === 'arrhythminet') throw new UsageError(`${command}: --select sv-f1 needs the AAMI classes S and V (protocols intra and inter)`);
  return v === 'sv-f1' ? { select: v } : {};
}

/** The --rr-set option (default local); a usage error naming the sets otherwise. Shared by train, compare, classic, dataset. */
export function rrSetOption(o: Record<string, unknown>, command: string): RrSet {
  const v = String(o['rr-set'] ?? 'local');
  if (!isRrSet(v)) throw new UsageError(`${command}: --rr-set must be one of ${RR_SETS.join(', ')}, got "${v}"`);
  return v;
}

/** --classic-features and --classic-params (only what differs from the defaults). */
function classicOptions(o: Record<string, unknown>, command: string): Pick<TrainJob, 'classicFeatures' | 'classicParams'> {
  const out: Pick<TrainJob, 'classicFeatures' | 'classicParams'> = {};
  const groups = String(o['classic-features'] ?? 'beat,rr,morphology').split(',').map((s) => s.trim()).filter(Boolean);
  let features;
  try { features = featureOptionsFromGroups(groups); } catch (e) { throw new UsageError(`${command}: --classic-features ${(e as Error).message}`); }
  if (featureGroupsName(features) !== 'beat+rr+morphology') out.classicFeatures = features;
  if (o['classic-params'] !== undefined) {
    let p: unknown;
    try { p = JSON.parse(String(o['classic-params'])); } catch (e) { throw new UsageError(`${command}: --classic-params is not JSON: ${(e as Error).message}`); }
    if (!p || typeof p !== 'object' || Array.isArray(p)) throw new UsageError(`${command}: --classic-params must be a JSON object by classifier name, e.g. '{"logreg": {"classWeight": "balanced"}}'`);
    for (const [k, v] of Object.entries(p)) {
      if (!(classicModelNames() as string[]).includes(k)) throw new UsageError(`${command}: --classic-params names an unknown classifier "${k}" (known: ${classicModelNames().join(', ')})`);
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${command}: --classic-params: the value for "${k}" must be an object of hyperparameters`);
    }
    out.classicParams = p as Record<string, Record<string, unknown>>;
  }
  return out;
}

/** The job settings common to train and compare (everything but the model, data and folder). */
export function jobSettings(o: Record<string, unknown>, command: string): Omit<TrainJob, 'model' | 'data' | 'outDir' | 'resume'> {
  return {
    protocol: checkProtocol(o.protocol, command),
    seed: intOption(o, 'seed', command, 0) ?? 0,
    epochs: intOption(o, 'epochs', command),
    batchSize: intOption(o, 'batch-size', command),
    lr: numberOption(o, 'lr', command),
    rr: o.rr === true || rrSetOption(o, command) !== 'local',
    ...(rrSetOption(o, command) !== 'local' ? { rrSet: rrSetOption(o, command) } : {}),
    ...classicOptions(o, command),
    quick: o.quick === true,
    trainBeats: intOption(o, 'train-beats', command),
    valBeats: intOption(o, 'val-beats', command),
    testBeats: intOption(o, 'test-beats', command),
    patience: intOption(o, 'patience', command, 0) ?? 5,
    clipNorm: numberOption(o, 'clip', command),
    ...selectOption(o, command),
    checkpointEvery: intOption(o, 'checkpoint-every', command, 0) ?? 50,
  };
}

export function reportSettings(s: ReturnType<typeof jobSettings>, recipes: Record<string, unknown>): Record<string, unknown> {
  return {
    seed: s.seed, rr: s.rr, ...(s.rrSet ? { rrSet: s.rrSet } : {}), ...(s.select ? { select: s.select } : {}),
    ...(s.classicFeatures ? { classicFeatures: featureGroupsName(s.classicFeatures) } : {}), ...(s.classicParams ? { classicParams: s.classicParams } : {}), quick: s.quick, patience: s.patience, ...(s.clipNorm ? { clip: s.clipNorm } : {}),
    ...(s.trainBeats || s.quick ? { trainBeats: s.trainBeats ?? QUICK.trainBeats } : {}),
    ...(s.valBeats || s.quick ? { valBeats: s.valBeats ?? QUICK.valBeats } : {}),
    ...(s.testBeats ? { testBeats: s.testBeats } : {}),
    recipes,
  };
}

/** The --json summary of one evaluated row: {"accuracy", "macroF1", "perClass": {...}, "confusion"} plus context. */
export function metricsJson(m: JobResult['row']['metrics'], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const perClass = Object.fromEntries(m.classes.map((c) => {
    const k = m.perClass[c]!;
    return [c, { precision: k.precision, recall: k.recall, f1: k.f1, specificity: k.specificity, support: k.support }];
  }));
  return {
    accuracy: m.accuracy, macroF1: m.macroF1, weightedF1: m.weightedF1, perClass, confusion: m.confusion, classes: m.classes, n: m.n,
    ...(m.aami ? { aami: m.aami } : {}), ...extra,
  };
}

const spec: Record<string, OptionSpec> = {
  model: { type: 'string', description: 'model to train (see the list below)' },
  ...trainingOptions,
  resume: { type: 'boolean', description: 'continue the interrupted run in --out from its last checkpoint' },
};

export const trainCommand: Command = {
  summary: 'train one model on a protocol (validation-based model selection, resumable checkpoints, report)',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('train', trainCommand.summary,
        'ecgrad train --model <name> --protocol <intra|inter|arrhythminet> [--data <dir>] [--epochs n] [--batch-size n] [--seed n] [--rr] [--out <run dir>] [--resume] [--json]', spec));
      console.log(`\nmodels:\n${modelNames().map((m) => `  ${m.padEnd(18)}${getModel(m).description}`).join('\n')}`);
      console.log('\nOutputs: <out>/<model>.ecgm (best validation weights), <model>.ckpt (resumable), report.md, report.json, confusion-<model>.svg, curves.svg, tradeoff.svg.');
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'train');
    if (positionals.length) throw new UsageError(`train: unexpected argument "${positionals[0]}"`);
    if (!o.model) throw new UsageError(`train: --model is required; valid models: ${modelNames().join(', ')}`);
    const model = checkModel(String(o.model), 'train');
    const settings = jobSettings(o, 'train');
    if (o.resume && !o.out) throw new UsageError('train: --resume needs --out <run dir> (the folder of the interrupted run)');
    const data = await ensureData(settings.protocol, o.data as string | undefined);
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
    try {
      r = runTrainJob({ ...settings, model, data, outDir: dir.path, resume: o.resume === true }, (e) => reporter.event(e));
    } catch (e) {
      reporter.close();
      dir.discardIfEmpty();
      throw e;
    } finally {
      reporter.close();
    }
    const report: RunReport = {
      tool: 'ecgrad', command: 'train', createdAt: new Date().toISOString(), protocol: settings.protocol, classes: r.classes, beats: r.beats,
      settings: reportSettings(settings, { [model]: r.recipe }), wallSeconds: (performance.now() - t0) / 1000, rows: [r.row], figures: [],
      notes: settings.testBeats ? [`evaluated on a stratified sample of ${r.beats.test} test beats, not the whole test split`] : [],
    };
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
