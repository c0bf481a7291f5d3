// `ecgrad classic`: trains classical classifiers (src/classic) on a protocol's training split and prints
// accuracy / macro-F1 on val and test with training and inference times; optionally saves the model.
import { writeFileSync, renameSync } from 'node:fs';
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { PROTOCOLS } from '../ecg/dataset/protocols.ts';
import { checkProtocol, optionsOf, rrSetOption, settingsOf, usage } from './options.ts';
import { DATA_SETTINGS, recordLists, runSettings } from '../train/run-settings.ts';
import { datasetMeta } from '../ecg/dataset/dataset-meta.ts';
import { loadDataset } from '../node/dataset.ts';
import { initSync } from '../core/runtime.ts';
import { classicModelNames, decisionWeightsOf, encodeClassifier, featureGroupsName, featureOptionsFromGroups, runClassic, TRAIN_LABELS, type ClassicRun } from '../classic/index.ts';

const spec: Record<string, OptionSpec> = {
  protocol: { type: 'string', description: `one of ${Object.keys(PROTOCOLS).join(', ')}`, default: 'intra' },
  data: { type: 'string', description: 'database folder (default: $ECGRAD_DATA, else ../shared/data/mitdb if present, else ./data/mitdb)' },
  seed: { type: 'string', description: 'seed of the split', default: '0' },
  params: { type: 'string', description: 'hyperparameters as JSON, e.g. \'{"k": 3}\' (one classifier) or \'{"knn": {"k": 3}}\' (several)' },
  features: { type: 'string', description: 'feature groups, comma-separated from beat, rr, morphology', default: 'beat,rr,morphology' },
  'rr-set': { type: 'string', description: '"local" (6 RR features), "patient" (15), "rhythm" (23), "irregular" (20), "dechazal" (43, two leads), "dechazal-relative" (44), "dechazal-relative-p" (60) or "dechazal-relative-irregular" (49: patient-relative), "mondejar" (104) or "mondejar-ann" (the 104, RR over every annotation as their loader), docs/inter-patient.md', default: 'local' },
  ...optionsOf({ leads: DATA_SETTINGS.leads, trainRecords: DATA_SETTINGS.trainRecords, testRecords: DATA_SETTINGS.testRecords }),
  'fit-on': { type: 'string', description: '"train" (the training split) or "train+val" (also the validation records/beats: for classifiers that select nothing on validation, e.g. a published recipe trained on all of DS1)', default: 'train' },
  'train-labels': { type: 'string', description: `the training rows' labels: ${Object.keys(TRAIN_LABELS).map((k) => `"${k}"`).join(' or ')} ("mondejar": e and j train as S, as Mondéjar-Guerra et al.'s loader; scores always use the protocol's AAMI labels)`, default: 'aami' },
  'decision-weights': { type: 'string', description: 'per-class decision weights as JSON, e.g. \'{"S": 2}\': predict argmax of probability x weight (saved with --save)' },
  save: { type: 'string', description: 'write the fitted model and its scaler to this .ecgc file (one classifier only)' },
  json: { type: 'boolean', description: 'print JSON: {"<name>": {"val": {...}, "test": {...}, "trainSeconds", "inferMsPerBeat", "params"}}' },
};

export const classicCommand: Command = {
  summary: 'train classical classifiers (logreg, linear-svm, knn, naive-bayes, decision-tree, random-forest, gboost, dechazal2004, mondejar2019) and score them',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('classic', classicCommand.summary, `ecgrad classic <${classicModelNames().join('|')}|all>[,...] [--protocol intra] [--params JSON] [--save m.ecgc] [--json]`, spec));
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'classic');
    if (positionals.length !== 1) throw new UsageError('classic: name one classifier, a comma-separated list, or "all"');
    const names = positionals[0] === 'all' ? classicModelNames() : positionals[0]!.split(',');
    for (const n of names) if (!(classicModelNames() as string[]).includes(n)) throw new UsageError(`classic: unknown classifier "${n}" (known: ${classicModelNames().join(', ')})`);
    const protocol = checkProtocol(o.protocol, 'classic');
    if (!(protocol in PROTOCOLS)) throw new UsageError(`classic: unknown protocol "${protocol}"; choose one of ${Object.keys(PROTOCOLS).join(', ')}`);
    const seed = Number(o.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`classic: --seed must be an integer, got "${o.seed}"`);
    let params: Record<string, unknown> = {};
    if (o.params) {
      try { params = JSON.parse(String(o.params)); } catch (e) { throw new UsageError(`classic: --params is not JSON: ${(e as Error).message}`); }
    }
    let decision: { spec: Record<string, number>; weights: Float64Array } | undefined;
    if (o['decision-weights'] !== undefined) {
      let spec: unknown;
      try { spec = JSON.parse(String(o['decision-weights'])); } catch (e) { throw new UsageError(`classic: --decision-weights is not JSON: ${(e as Error).message}`); }
      try { decision = { spec: spec as Record<string, number>, weights: decisionWeightsOf(spec, PROTOCOLS[protocol as keyof typeof PROTOCOLS].scheme.classes) }; } catch (e) { throw new UsageError(`classic: --decision-weights: ${(e as Error).message}`); }
    }
    if (o.save && names.length !== 1) throw new UsageError('classic: --save needs exactly one classifier');
    const groups = String(o.features).split(',').map((s) => s.trim()).filter(Boolean);
    let features;
    try { features = featureOptionsFromGroups(groups); } catch (e) { throw new UsageError(`classic: --features ${(e as Error).message}`); }
    const rrSet = rrSetOption(o, 'classic');
    const picked = settingsOf({ leads: DATA_SETTINGS.leads, trainRecords: DATA_SETTINGS.trainRecords, testRecords: DATA_SETTINGS.testRecords }, o, 'classic');
    const records = recordLists(picked);
    if (records) usage('classic', () => runSettings({ protocol, ...picked }));
    const trainLabels = String(o['train-labels']);
    if (!Object.hasOwn(TRAIN_LABELS, trainLabels)) throw new UsageError(`classic: --train-labels must be one of ${Object.keys(TRAIN_LABELS).join(', ')}, got "${trainLabels}"`);
    const fitOn = String(o['fit-on']);
    if (fitOn !== 'train' && fitOn !== 'train+val') throw new UsageError(`classic: --fit-on must be "train" or "train+val", got "${fitOn}"`);
    initSync();
    const dsMeta = datasetMeta({ rrSet, leads: picked.leads, ...(records ? { records } : {}) });
    const { dataset: ds } = loadDataset(protocol, { data: o.data as string | undefined, seed, ...dsMeta });
    const rows = fitOn === 'train+val' ? { train: Int32Array.from([...ds.split.train, ...ds.split.val]).sort() } : undefined;
    const log = o.json ? () => {} : (m: string) => console.error(m);
    const runs: ClassicRun[] = [];
    for (const n of names) {
      const p = (names.length === 1 && !(n in params) ? params : params[n]) as Record<string, unknown> | undefined;
      runs.push(runClassic(n, ds, { params: p, log, features, trainSymbols: TRAIN_LABELS[trainLabels], ...(rows ? { rows } : {}), ...(decision ? { decisionWeights: decision.weights } : {}) }));
    }
    if (o.save) {
      const r = runs[0]!, path = String(o.save), tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, encodeClassifier(r.model, { scaler: r.scaler, meta: { protocol, seed, classes: ds.classes, features: featureGroupsName(features), ...dsMeta, ...(fitOn !== 'train' ? { fitOn } : {}), ...(trainLabels !== 'aami' ? { trainLabels } : {}), ...(decision ? { decisionWeights: decision.spec } : {}) } }));
      renameSync(tmp, path);
      log(`saved ${path}`);
    }
    if (o.json) {
      console.log(JSON.stringify(Object.fromEntries(runs.map((r) => [r.name, {
        params: r.params, trainSeconds: r.trainSeconds, inferMsPerBeat: r.test!.msPerBeat,
        val: { accuracy: r.val!.scores.accuracy, macroF1: r.val!.scores.macroF1 },
        test: { accuracy: r.test!.scores.accuracy, macroF1: r.test!.scores.macroF1, f1: r.test!.scores.f1 },
      }])), null, 2));
      return 0;
    }
    const pct = (v: number) => (v * 100).toFixed(2).padStart(8);
    console.log(`${'classifier'.padEnd(15)}${'val acc'.padStart(8)}${'val F1'.padStart(8)}${'test acc'.padStart(9)}${'test F1'.padStart(8)}${'train s'.padStart(9)}${'µs/beat'.padStart(9)}`);
    for (const r of runs)
      console.log(`${r.name.padEnd(15)}${pct(r.val!.scores.accuracy)}${pct(r.val!.scores.macroF1)} ${pct(r.test!.scores.accuracy)}${pct(r.test!.scores.macroF1)}${r.trainSeconds.toFixed(1).padStart(9)}${(r.test!.msPerBeat * 1000).toFixed(1).padStart(9)}`);
    return 0;
  },
};
