// `ecgrad quantize`: post-training int8 quantisation of a float model file. Calibrates the activation
// scales on a stratified sample of the protocol's training beats (never the test split), writes the
// .ecgq file atomically, then evaluates the float and the int8 model once on the test split and prints
// accuracy, macro-F1, file sizes and inference time per beat side by side.
import { statSync } from 'node:fs';
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { DATA_HELP, intOption, protocolFor } from './options.ts';
import { checkClasses, checkInput } from './evaluate.ts';
import { textTable } from '../report/markdown.ts';
import { getProtocol } from '../ecg/dataset/protocols.ts';
import { datasetOptionsOf } from '../ecg/dataset/dataset-meta.ts';
import { initSync } from '../core/runtime.ts';
import '../models/index.ts';
import { loadModel, writeFileAtomic } from '../node/model-io.ts';
import { ensureData } from '../node/ensure-data.ts';
import { loadDataset } from '../node/dataset.ts';
import { evaluate, predict } from '../train/evaluate.ts';
import { stratifiedSubset } from '../train/subset.ts';
import { encodeQuantizedModel, quantizeModel, quantizedModelFromBytes } from '../quant/index.ts';

const spec: Record<string, OptionSpec> = {
  'model-file': { type: 'string', description: 'a float model file (.ecgm)' },
  protocol: { type: 'string', description: 'one of intra, inter, arrhythminet (default: the protocol the model file was trained on, else intra)' },
  data: { type: 'string', description: DATA_HELP },
  out: { type: 'string', description: 'the quantised model file to write (default: the model file with .ecgq)' },
  'calibration-beats': { type: 'string', description: 'training beats (stratified sample) that calibrate the activation scales', default: '2000' },
  seed: { type: 'string', description: 'seed of the calibration sample', default: '0' },
  'test-beats': { type: 'string', description: 'evaluate on a stratified sample of this many test beats (smoke tests)' },
  json: { type: 'boolean', description: 'print the comparison as JSON' },
};

export const quantizeCommand: Command = {
  summary: 'int8 post-training quantisation of a model file (per-channel weights, calibrated activations); reports float vs int8',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('quantize', quantizeCommand.summary,
        'ecgrad quantize --model-file <file.ecgm> --protocol <p> [--out <file.ecgq>] [--calibration-beats 2000] [--data <dir>] [--json]', spec));
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'quantize');
    if (positionals.length) throw new UsageError(`quantize: unexpected argument "${positionals[0]}"`);
    if (!o['model-file']) throw new UsageError('quantize: --model-file is required');
    const calibration = intOption(o, 'calibration-beats', 'quantize') ?? 2000;
    const seed = intOption(o, 'seed', 'quantize', 0) ?? 0;
    const testBeats = intOption(o, 'test-beats', 'quantize');
    const path = String(o['model-file']);
    const out = o.out ? String(o.out) : path.replace(/\.ecgm$/i, '') + '.ecgq';
    if (out === path) throw new UsageError('quantize: --out must differ from --model-file');
    initSync();
    const { model, header, quantized } = loadModel(path);
    if (quantized) throw new UsageError(`quantize: ${path} is already quantised; give the float (.ecgm) model file`);
    const protocol = protocolFor(o.protocol, header.meta, 'quantize');
    checkClasses(header, protocol, getProtocol(protocol).scheme.classes, path);
    const data = await ensureData(protocol, o.data as string | undefined);
    const { dataset: ds } = loadDataset(protocol, { data, seed: 0, ...datasetOptionsOf(header.meta) });
    const useRR = checkInput(header, protocol, ds, path);
    const calib = stratifiedSubset(ds.y, ds.split.train, calibration, seed);
    const t0 = performance.now();
    const plan = quantizeModel(model, () => predict(model, ds, calib, { useRR }).pred.length);
    const bytes = encodeQuantizedModel(model, plan, { arch: header.arch, config: header.config, meta: { ...header.meta, quantizedFrom: path.split('/').pop() } });
    writeFileAtomic(out, bytes, 'quantize');
    const quantSeconds = (performance.now() - t0) / 1000;
    // Evaluate from the written bytes, as a user loading the file would.
    const { model: qmodel } = quantizedModelFromBytes(bytes, out);
    const fresh = loadModel(path).model;
    const rows = testBeats ? stratifiedSubset(ds.y, ds.split.test, testBeats, 3) : ds.split.test;
    const f = evaluate(fresh, ds, rows, { useRR });
    const q = evaluate(qmodel, ds, rows, { useRR });
    const sizes = { float: statSync(path).size, int8: bytes.length };
    const int8Layers = plan.layers.filter((l) => l.compute === 'int8').length;
    const result = {
      model: header.arch, protocol, modelFile: path, out, calibrationBeats: plan.calibrationBeats, quantSeconds,
      layers: { int8: int8Layers, weightOnly: plan.layers.length - int8Layers },
      testBeats: f.n,
      float: { accuracy: f.report.accuracy, macroF1: f.report.macroF1, bytes: sizes.float, inferMsPerBeat: f.inferMsPerBeat, f1: Object.fromEntries(f.report.classes.map((c) => [c, f.report.perClass[c]!.f1])) },
      int8: { accuracy: q.report.accuracy, macroF1: q.report.macroF1, bytes: sizes.int8, inferMsPerBeat: q.inferMsPerBeat, f1: Object.fromEntries(q.report.classes.map((c) => [c, q.report.perClass[c]!.f1])) },
      accuracyDropPoints: 100 * (f.report.accuracy - q.report.accuracy),
    };
    if (o.json) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    const pct = (v: number) => (100 * v).toFixed(2);
    const classes = f.report.classes;
    console.log(`${header.arch}: ${plan.layers.length} layers quantised (${int8Layers} computed in int8, ${plan.layers.length - int8Layers} weight-only), ` +
      `calibrated on ${plan.calibrationBeats} training beats in ${quantSeconds.toFixed(1)} s; wrote ${out}\n`);
    console.log(textTable(['model', 'file KB', 'accuracy %', 'macro-F1', ...classes.map((c) => `F1 ${c}`), 'infer ms/beat'], [
      ['float32', (sizes.float / 1024).toFixed(1), pct(f.report.accuracy), f.report.macroF1.toFixed(4), ...classes.map((c) => f.report.perClass[c]!.f1.toFixed(3)), f.inferMsPerBeat.toFixed(3)],
      ['int8', (sizes.int8 / 1024).toFixed(1), pct(q.report.accuracy), q.report.macroF1.toFixed(4), ...classes.map((c) => q.report.perClass[c]!.f1.toFixed(3)), q.inferMsPerBeat.toFixed(3)],
    ], [false, true, true, true, ...classes.map(() => true), true]));
    console.log(`\naccuracy change: ${(-result.accuracyDropPoints).toFixed(2)} points on ${f.n} test beats`);
    return 0;
  },
};
