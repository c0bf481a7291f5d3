// `ecgrad evaluate`: loads a model file (its architecture is rebuilt by name from the file's config),
// checks that it fits the protocol (classes, beat length, leads, RR input), predicts a split in batches
// under noGrad and prints the full classification report (JSON with --json). A traditional classifier's
// .ecgc file is evaluated on the features its metadata names (groups and beat-feature set).
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { DATA_HELP, intOption, protocolFor } from './options.ts';
import { metricsJson } from './metrics-json.ts';
import { textTable } from '../report/markdown.ts';
import { getProtocol } from '../ecg/dataset/protocols.ts';
import { datasetOptionsOf } from '../ecg/dataset/dataset-meta.ts';
import { initSync } from '../core/runtime.ts';
import '../models/index.ts';
import { loadModel, readModelFile } from '../node/model-io.ts';
import { ensureData } from '../node/ensure-data.ts';
import { loadDataset } from '../node/dataset.ts';
import { evaluate, type Evaluation } from '../train/evaluate.ts';
import { buildFeatures, decisionWeightsOf, decodeClassifier, featureOptionsFromGroups, predictWeighted, type FeatureOptions } from '../classic/index.ts';
import { aamiGross, classificationReport } from '../metrics/classification.ts';
import { grossWithout, recordCounts, type RecordCounts } from '../metrics/by-record.ts';
import { stratifiedSubset } from '../train/subset.ts';
import type { ModelHeader } from '../nn/model-file.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';

const spec: Record<string, OptionSpec> = {
  'model-file': { type: 'string', description: 'a model file: .ecgm (float), .ecgq (int8, from ecgrad quantize) or .ecgc (a traditional classifier from compare or classic --save)' },
  protocol: { type: 'string', description: 'one of intra, inter, arrhythminet (default: the protocol the model file was trained on, else intra)' },
  data: { type: 'string', description: DATA_HELP },
  split: { type: 'string', description: 'train, val or test', default: 'test' },
  beats: { type: 'string', description: 'evaluate a stratified sample of this many beats of the split' },
  'batch-size': { type: 'string', description: 'inference batch size', default: '256' },
  'by-record': { type: 'boolean', description: 'also count, per record, the S and V beats found and the false S and V calls, and give the gross S/V figures without the record holding the most S beats (232 in DS2)' },
  json: { type: 'boolean', description: 'print {"accuracy", "macroF1", "perClass": {"N": {"precision", "recall", "f1", ...}}, "confusion", ...} (+ "byRecord" with --by-record)' },
};

function incompatible(path: string, protocol: string, why: string): Error {
  return new Error(`the model file ${path} does not fit the ${protocol} protocol: ${why}`);
}

/** Throws when a model file predicts other classes than the protocol's. */
export function checkClasses(header: ModelHeader, protocol: string, classes: readonly string[], path: string): void {
  const cfg = header.config as { classes?: number };
  const fileClasses = Array.isArray(header.meta.classes) ? (header.meta.classes as string[]) : null;
  if (cfg.classes !== classes.length || (fileClasses && fileClasses.join() !== classes.join()))
    throw incompatible(path, protocol, `it predicts ${fileClasses ? fileClasses.join(', ') : `${cfg.classes} classes`}${header.meta.protocol ? ` (trained on ${header.meta.protocol})` : ''}, the protocol has ${classes.join(', ')}`);
}

/** Throws when a model file's input (leads, length, RR features) does not fit the dataset; returns whether it takes RR features. */
export function checkInput(header: ModelHeader, protocol: string, ds: BeatDataset, path: string): boolean {
  const cfg = header.config as { length?: number; channels?: number; rrFeatures?: number };
  if (cfg.length !== ds.length || cfg.channels !== ds.channels)
    throw incompatible(path, protocol, `it takes beats of ${cfg.channels} lead(s) x ${cfg.length} samples, the protocol's dataset has ${ds.channels} x ${ds.length}`);
  const rr = (cfg.rrFeatures ?? 0) > 0;
  if (rr && cfg.rrFeatures !== ds.rrFeatures.length)
    throw incompatible(path, protocol, `it takes ${cfg.rrFeatures} RR features, the dataset has ${ds.rrFeatures.length}`);
  return rr;
}

/** True for a traditional classifier's .ecgc file (by its magic). */
export function isClassifierFile(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 8)) === 'ECGRADC1';
}

type DecodedClassifier = ReturnType<typeof decodeClassifier>;

/** The feature groups a classifier file was fitted on (files without the field: all three). */
export function classifierFeatures(meta: Record<string, unknown>, path: string): FeatureOptions {
  if (meta.features === undefined) return {};
  try {
    return featureOptionsFromGroups(String(meta.features).split('+'));
  } catch {
    throw new Error(`the classifier file ${path} names unknown feature groups "${meta.features}" (known: beat, rr, morphology)`);
  }
}

function checkClassifier(clf: DecodedClassifier, protocol: string, classes: readonly string[], path: string): void {
  const fileClasses = Array.isArray(clf.meta.classes) ? (clf.meta.classes as string[]) : null;
  if (clf.model.nClasses !== classes.length || (fileClasses && fileClasses.join() !== classes.join()))
    throw incompatible(path, protocol, `it predicts ${fileClasses ? fileClasses.join(', ') : `${clf.model.nClasses} classes`}${clf.meta.protocol ? ` (trained on ${clf.meta.protocol})` : ''}, the protocol has ${classes.join(', ')}`);
}

function evaluateClassifier(clf: DecodedClassifier, ds: BeatDataset, rows: Int32Array, protocol: string, path: string): Evaluation {
  const features = classifierFeatures(clf.meta, path);
  let X = buildFeatures(ds, rows, features);
  if (X.cols !== clf.model.nFeatures)
    throw incompatible(path, protocol, `it takes ${clf.model.nFeatures} features, the protocol's beats give ${X.cols} (${String(clf.meta.features ?? 'beat+rr+morphology')})`);
  if (clf.scaler) X = clf.scaler.transform(X);
  let weights: Float64Array | undefined;
  try {
    if (clf.meta.decisionWeights !== undefined) weights = decisionWeightsOf(clf.meta.decisionWeights, ds.classes);
  } catch (e) {
    throw new Error(`the classifier file ${path} has invalid metadata: ${(e as Error).message}`);
  }
  const t0 = performance.now();
  const pred = predictWeighted(clf.model, X, weights);
  const seconds = (performance.now() - t0) / 1000;
  const report = classificationReport(Int32Array.from(rows, (i) => ds.y[i]!), pred, ds.classes);
  return { report, loss: NaN, n: rows.length, pred, inferMsPerBeat: rows.length ? (seconds * 1000) / rows.length : 0, ...(ds.protocol === 'inter' ? { aami: aamiGross(report) } : {}) };
}

/** Per-record S / V counts of the predictions, and the gross figures without the record holding the most S beats. */
function recordReport(ds: BeatDataset, rows: Int32Array, pred: Int32Array): { records: RecordCounts[]; without: Record<string, Record<string, { se: number; ppv: number }>> } {
  if (!ds.classes.includes('S') || !ds.classes.includes('V')) throw new UsageError(`evaluate: --by-record counts S and V beats (AAMI protocols), not ${ds.classes.join(', ')}`);
  const y = Int32Array.from(rows, (i) => ds.y[i]!), rec = Int32Array.from(rows, (i) => ds.record[i]!);
  const records = recordCounts(y, pred, rec, ds.records, ds.classes);
  const most = records.reduce((a, r) => (r.total.S! > a.total.S! ? r : a), records[0]!);
  return { records, without: most && most.total.S ? { [most.record]: grossWithout(y, pred, rec, ds.records, ds.classes, [most.record]) } : {} };
}

export const evaluateCommand: Command = {
  summary: 'evaluate a model file on a protocol split: accuracy, per-class metrics, confusion matrix',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('evaluate', evaluateCommand.summary, 'ecgrad evaluate --model-file <file> --protocol <p> [--data <dir>] [--split test] [--json]', spec));
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'evaluate');
    if (positionals.length) throw new UsageError(`evaluate: unexpected argument "${positionals[0]}"`);
    if (!o['model-file']) throw new UsageError('evaluate: --model-file is required');
    const split = String(o.split);
    if (split !== 'train' && split !== 'val' && split !== 'test') throw new UsageError(`evaluate: --split must be train, val or test, got "${split}"`);
    const batchSize = intOption(o, 'batch-size', 'evaluate') ?? 256;
    const beats = intOption(o, 'beats', 'evaluate');
    const path = String(o['model-file']);
    initSync();
    const bytes = readModelFile(path);
    const classic = isClassifierFile(bytes);
    const { model, header } = classic ? { model: null, header: null } : loadModel(path);
    const clf = classic ? decodeClassifier(bytes, path) : null;
    const protocol = protocolFor(o.protocol, header ? header.meta : clf!.meta, 'evaluate');
    const classes = getProtocol(protocol).scheme.classes;
    if (header) checkClasses(header, protocol, classes, path);
    if (clf) checkClassifier(clf, protocol, classes, path);
    const data = await ensureData(protocol, o.data as string | undefined);
    const { dataset: ds } = loadDataset(protocol, { data, seed: 0, ...datasetOptionsOf(header ? header.meta : clf!.meta) });
    const all = ds.split[split];
    const rows = beats ? stratifiedSubset(ds.y, all, beats, 3) : all;
    const ev = clf ? evaluateClassifier(clf, ds, rows, protocol, path) : evaluate(model!, ds, rows, { batchSize, useRR: checkInput(header!, protocol, ds, path) });
    const arch = header ? header.arch : clf!.model.kind;
    const m = { n: ev.n, accuracy: ev.report.accuracy, macroF1: ev.report.macroF1, weightedF1: ev.report.weightedF1, classes: ev.report.classes,
      perClass: ev.report.perClass, confusion: ev.report.confusion, ...(ev.aami ? { aami: ev.aami } : {}) };
    const byRecord = o['by-record'] ? recordReport(ds, rows, ev.pred) : undefined;
    if (o.json) {
      console.log(JSON.stringify(metricsJson(m, { model: arch, protocol, split, inferMsPerBeat: ev.inferMsPerBeat, ...(byRecord ? { byRecord } : {}) }), null, 2));
      return 0;
    }
    const pct = (v: number) => (100 * v).toFixed(2);
    console.log(`${arch} (${path}) on the ${protocol} ${split} split: ${ev.n} beats`);
    console.log(`accuracy ${pct(m.accuracy)}%, macro-F1 ${m.macroF1.toFixed(4)}, weighted-F1 ${m.weightedF1.toFixed(4)}, ${ev.inferMsPerBeat.toFixed(3)} ms per beat\n`);
    console.log(textTable(['class', 'support', 'precision %', 'recall %', 'specificity %', 'F1'],
      m.classes.map((c) => {
        const k = m.perClass[c]!;
        return [c, String(k.support), pct(k.precision), pct(k.recall), pct(k.specificity), k.f1.toFixed(4)];
      }), [false, true, true, true, true, true]));
    console.log(`\nconfusion (rows true, columns predicted):\n${textTable(['', ...m.classes], m.confusion.map((r, i) => [m.classes[i]!, ...r.map(String)]), [false, ...m.classes.map(() => true)])}`);
    if (m.aami) console.log(`\nAAMI gross: ${['S', 'V'].map((c) => `${c} Se ${pct(m.aami![c]!.se)}% +P ${pct(m.aami![c]!.ppv)}%`).join(', ')}`);
    if (byRecord) {
      const { records, without } = byRecord;
      const cell = (r: RecordCounts, c: string) => `${r.found[c]}/${r.total[c]}`;
      console.log(`\nby record (found / total, false calls):\n${textTable(['record', 'beats', 'S found', 'false S', 'V found', 'false V'],
        records.map((r) => [r.record, String(r.beats), cell(r, 'S'), String(r.falsePositive.S), cell(r, 'V'), String(r.falsePositive.V)]), [false, true, true, true, true, true])}`);
      for (const [rec, g] of Object.entries(without)) console.log(`without record ${rec}: ${['S', 'V'].map((c) => `${c} Se ${pct(g[c]!.se)}% +P ${pct(g[c]!.ppv)}%`).join(', ')}`);
    }
    return 0;
  },
};
