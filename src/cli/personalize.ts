// `ecgrad personalize`: fine-tunes a copy of a model file on the labelled beats of the first N minutes of
// one record (labels: the record's reference annotations), built the way the model's dataset built them
// (src/train/wearer.ts), and writes the personalised .ecgm. Prints what it did: the beats used by class,
// the classes kept from the global model, what was trained, the loss, the time, and the global and
// personalised predictions on the rest of the record. Options default to the configuration chosen on DS1
// (docs/personalize.md); replay beats come from the model's protocol training split (buildReplayBank,
// shared with `ecgrad replay-bank`) or from a replay bank file (--replay-file).
import { join } from 'node:path';
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { DATA_HELP, intOption, protocolFor } from './options.ts';
import { textTable } from '../report/markdown.ts';
import { initSync } from '../core/runtime.ts';
import { ensureData } from '../node/ensure-data.ts';
import { buildReplayBank, readReplayBankFile } from '../node/replay-bank.ts';
import { rdann, rdrecord } from '../node/wfdb-files.ts';
import { readModelFile, writeFileAtomic } from '../node/model-io.ts';
import { MITDB_RECORDS } from '../ecg/mitdb.ts';
import { modelFromBytes } from '../nn/model-file.ts';
import { argmax, forwardInBatches, forwardOf, inEvalMode, sliceBatches } from '../nn/forward.ts';
import type { Module } from '../nn/module.ts';
import { PERSONALIZE_DEFAULTS, personalize, type PersonalizeOptions } from '../train/personalize.ts';
import { splitAtMinutes, takeBeats, wearerBeats } from '../train/wearer.ts';
import { checkReplayBank, replayBeatsOf } from '../train/replay-bank.ts';

/** The personalisation options of personalize and adaptive (defaults: PERSONALIZE_DEFAULTS). */
export const personalizeOptions: Record<string, OptionSpec> = {
  seed: { type: 'string', description: 'seed of the beat order and dropout', default: String(PERSONALIZE_DEFAULTS.seed) },
  layers: { type: 'string', description: 'what is trained: last (the output layer), head (every Linear layer) or all', default: PERSONALIZE_DEFAULTS.layers },
  steps: { type: 'string', description: 'optimisation steps (Adam)', default: String(PERSONALIZE_DEFAULTS.steps) },
  'batch-size': { type: 'string', description: 'wearer beats per step', default: String(PERSONALIZE_DEFAULTS.batchSize) },
  lr: { type: 'string', description: 'learning rate', default: String(PERSONALIZE_DEFAULTS.lr) },
  l2sp: { type: 'string', description: 'L2-SP coefficient pulling the trained weights towards the global model (0: none)', default: String(PERSONALIZE_DEFAULTS.l2sp) },
  'batch-norm': { type: 'string', description: 'train (batch statistics, running statistics updated) or frozen (the global model\'s statistics kept)', default: PERSONALIZE_DEFAULTS.batchNorm },
  'class-weight': { type: 'string', description: 'none, sqrt or balanced (from the wearer\'s class counts)', default: PERSONALIZE_DEFAULTS.classWeight },
  'replay-beats': { type: 'string', description: 'beats of the protocol\'s training split replayed during fine-tuning (0: no replay)', default: '1000' },
  'replay-batch': { type: 'string', description: 'replay beats per step', default: String(PERSONALIZE_DEFAULTS.replayBatch) },
  premature: { type: 'string', description: 'synthetic premature S beats per step: the wearer\'s N beats with the RR timing of replay S beats (0: none)', default: String(PERSONALIZE_DEFAULTS.premature) },
};

/** The personalize() options given on the command line, and the replay-set size. */
export function personalizeSettings(o: Record<string, unknown>, command: string): { options: PersonalizeOptions; replayBeats: number } {
  const num = (name: string) => {
    const v = Number(o[name]);
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`${command}: --${name} must be a number >= 0, got "${o[name]}"`);
    return v;
  };
  const choice = <T extends string>(name: string, values: readonly T[]): T => {
    const v = String(o[name]);
    if (!values.includes(v as T)) throw new UsageError(`${command}: --${name} must be one of ${values.join(', ')}, got "${v}"`);
    return v as T;
  };
  const lr = num('lr');
  if (lr === 0) throw new UsageError(`${command}: --lr must be positive`);
  return {
    options: {
      seed: intOption(o, 'seed', command, 0), layers: choice('layers', ['last', 'head', 'all'] as const), steps: intOption(o, 'steps', command),
      batchSize: intOption(o, 'batch-size', command), lr, l2sp: num('l2sp'), batchNorm: choice('batch-norm', ['frozen', 'train'] as const),
      classWeight: choice('class-weight', ['none', 'sqrt', 'balanced'] as const), replayBatch: intOption(o, 'replay-batch', command, 0),
      premature: intOption(o, 'premature', command, 0),
    },
    replayBeats: intOption(o, 'replay-beats', command, 0)!,
  };
}

const spec: Record<string, OptionSpec> = {
  'model-file': { type: 'string', description: 'the global model (.ecgm)' },
  record: { type: 'string', description: 'the wearer\'s MIT-BIH record (e.g. 213)' },
  minutes: { type: 'string', description: 'labelled minutes at the start of the record (labels: the reference annotations)', default: '5' },
  data: { type: 'string', description: DATA_HELP },
  out: { type: 'string', description: 'the personalised model file to write (.ecgm)' },
  ...personalizeOptions,
  'replay-file': { type: 'string', description: 'a replay bank (ecgrad replay-bank) to replay instead of building --replay-beats beats from the training split' },
  json: { type: 'boolean', description: 'print the report as JSON' },
};

function predictBeats(model: Module, x: Float32Array, rr: Float32Array, shape: { channels: number; length: number; rrFeatures: number }, classes: number): Int32Array {
  const n = x.length / (shape.channels * shape.length);
  const { out } = inEvalMode(model, () => forwardInBatches(n, sliceBatches(x, shape.rrFeatures > 0 ? rr : null, shape, 256), shape, forwardOf(model), 'personalize'));
  return Int32Array.from({ length: n }, (_, i) => argmax(out, i * classes, classes));
}

export const personalizeCommand: Command = {
  summary: 'fine-tune a copy of a model on the labelled first minutes of one record (the wearer) and write it',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('personalize', personalizeCommand.summary,
        'ecgrad personalize --model-file f.ecgm --record <name> [--minutes 5] [--data dir] --out g.ecgm [--layers all] [--steps 100] [--lr 1e-3] [--l2sp 0.01] [--replay-beats 1000 | --replay-file f.replay.safetensors] [--json]', spec));
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'personalize');
    if (positionals.length) throw new UsageError(`personalize: unexpected argument "${positionals[0]}"`);
    for (const k of ['model-file', 'record', 'out']) if (!o[k]) throw new UsageError(`personalize: --${k} is required`);
    const record = String(o.record);
    if (!MITDB_RECORDS.includes(record)) throw new UsageError(`personalize: --record "${record}" is not a record of the MIT-BIH Arrhythmia Database (records: ${MITDB_RECORDS.join(', ')})`);
    const minutes = Number(o.minutes);
    if (!(minutes > 0 && minutes <= 30)) throw new UsageError(`personalize: --minutes must be in (0, 30], got "${o.minutes}"`);
    const { options, replayBeats } = personalizeSettings(o, 'personalize');
    const path = String(o['model-file']);
    initSync();
    const bytes = readModelFile(path);
    const { model: global, header } = modelFromBytes(bytes, path);
    const protocol = protocolFor(undefined, header.meta, 'personalize');
    const data = await ensureData(protocol, o.data as string | undefined);
    const rec = rdrecord(join(data, record));
    const beats = wearerBeats(header, rec, rdann(join(data, record), 'atr'));
    const { first, rest } = splitAtMinutes(beats.sample, rec.fs, minutes);
    // The replay beats: a bank file (ecgrad replay-bank), or built here the same way.
    let replay = null;
    const cfgR = (header.config as { rrFeatures?: number }).rrFeatures ?? 0;
    if (o['replay-file']) {
      const file = String(o['replay-file']);
      const bank = readReplayBankFile(file);
      checkReplayBank(bank, header, file);
      replay = replayBeatsOf(bank, cfgR);
    } else if (replayBeats > 0) {
      try {
        replay = replayBeatsOf(buildReplayBank(header, { data, beats: replayBeats, seed: options.seed ?? 0, source: path }), cfgR);
      } catch (e) {
        throw new Error(`personalize: ${(e as Error).message} (use --replay-beats 0)`);
      }
    }
    const cpu0 = process.cpuUsage();
    const p = personalize(bytes, takeBeats(beats, first), { ...options, replay });
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    writeFileAtomic(String(o.out), p.bytes, 'personalize');

    const classes = p.header.meta.classes as string[];
    const cfg = header.config as { channels: number; length: number; rrFeatures?: number };
    const shape = { channels: cfg.channels, length: cfg.length, rrFeatures: cfg.rrFeatures ?? 0 };
    const restBeats = takeBeats(beats, rest);
    const y = restBeats.y as Int32Array;
    const before = predictBeats(global, restBeats.x, restBeats.rr!, shape, classes.length);
    const after = predictBeats(p.model, restBeats.x, restBeats.rr!, shape, classes.length);
    const tally = (pred: Int32Array) => {
      let ok = 0;
      const found: Record<string, number> = {}, total: Record<string, number> = {}, falseCalls: Record<string, number> = {};
      for (const c of classes) found[c] = total[c] = falseCalls[c] = 0;
      for (let i = 0; i < y.length; i++) {
        const t = classes[y[i]!]!, q = classes[pred[i]!]!;
        total[t]!++;
        if (t === q) {
          ok++;
          found[t]!++;
        } else falseCalls[q]!++;
      }
      return { accuracy: y.length ? ok / y.length : NaN, found, total, falseCalls };
    };
    const result = {
      model: path, out: String(o.out), record, minutes, personalBeats: p.report.beats, counts: p.report.counts, absentClasses: p.report.absentClasses,
      replayBeats: p.report.replayBeats, replayFile: o['replay-file'] ? String(o['replay-file']) : null, trained: p.report.trained, trainedParams: p.report.trainedParams, steps: p.report.steps,
      lossFirst: p.report.lossFirst, lossLast: p.report.lossLast, seconds: p.report.seconds, cpuSeconds, options: p.report.options,
      rest: { beats: y.length, global: tally(before), personalized: tally(after) },
    };
    if (o.json) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    const pct = (v: number) => (100 * v).toFixed(2);
    console.log(`personalised ${header.arch} (${path}) on record ${record}: ${p.report.beats} labelled beats in the first ${minutes} min (${classes.map((c) => `${c} ${p.report.counts[c]}`).join(', ')})`);
    if (p.report.absentClasses.length)
      console.log(`classes without a labelled beat, kept from the global model (their output rows are not trained): ${p.report.absentClasses.join(', ')}`);
    const o2 = p.report.options;
    console.log(`trained ${o2.layers === 'all' ? 'every layer' : o2.layers === 'head' ? 'the Linear layers' : 'the output layer'} (${p.report.trainedParams.toLocaleString('en')} values in ${p.report.trained.length} tensors), ${o2.steps} Adam steps at lr ${o2.lr}, batch ${o2.batchSize} + ${p.report.replayBeats ? `${o2.replayBatch} of ${p.report.replayBeats} replay beats${o['replay-file'] ? ` (${String(o['replay-file'])})` : ''}` : 'no replay'}${o2.premature ? ` + ${o2.premature} synthetic premature S beats` : ''}, L2-SP ${o2.l2sp}, batch norm ${o2.batchNorm}, class weights ${o2.classWeight}, seed ${o2.seed}`);
    console.log(`loss ${p.report.lossFirst.toFixed(4)} (first 10 steps) -> ${p.report.lossLast.toFixed(4)} (last 10), ${p.report.seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s of CPU, one thread)`);
    const g = result.rest.global, q = result.rest.personalized;
    console.log(`\nthe rest of the record (${y.length} beats after minute ${minutes}):`);
    console.log(textTable(['model', 'accuracy %', ...classes.map((c) => `${c} found`), ...classes.filter((c) => c !== 'N').map((c) => `false ${c}`)],
      [['global', g], ['personalised', q]].map(([name, t]) => {
        const r = t as typeof g;
        return [name as string, pct(r.accuracy), ...classes.map((c) => `${r.found[c]}/${r.total[c]}`), ...classes.filter((c) => c !== 'N').map((c) => String(r.falseCalls[c]))];
      }), [false, true, ...classes.map(() => true), ...classes.filter((c) => c !== 'N').map(() => true)]));
    console.log(`\nwrote ${String(o.out)}`);
    return 0;
  },
};
