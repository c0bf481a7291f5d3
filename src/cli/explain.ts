// `ecgrad explain`: explains a trained model's predictions on beats of a protocol's dataset with one or
// more attribution methods, measures each explanation (faithfulness, sanity, robustness, physiology) and
// writes SVG figures, explain.md and explain.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { PROTOCOLS } from '../ecg/dataset/protocols.ts';
import { checkProtocol } from './options.ts';
import type { BeatOptions } from '../ecg/dataset/record-beats.ts';
import { datasetOptionsOf } from '../ecg/dataset/dataset-meta.ts';
import { causalWindowSpec } from '../ecg/dataset/causal-window.ts';
import { loadDataset } from '../node/dataset.ts';
import { loadModel } from '../node/model-io.ts';
import '../models/index.ts';
import { Rng } from '../core/random.ts';
import { initSync, isInitialised } from '../core/runtime.ts';
import { ExplainedModel } from '../explain/classifier.ts';
import { METHODS, METHOD_SPECS, getMethod, isMethod, type MethodName, type MethodOptions } from '../explain/methods.ts';
import { meanBeat, BASELINES, type Baseline } from '../explain/baselines.ts';
import { QUADRATURE_RULES, type QuadratureRule } from '../explain/integrated-gradients.ts';
import { evaluateMethod, metricsTable, physiologyTable, sanityTable, METRICS, type MetricName, type MethodReport } from '../explain/report.ts';
import { regionMask } from '../explain/physiology.ts';
import { beatSvg, classAverageSvg, classAverages, methodGridSvg, type GridRow } from '../explain/svg.ts';
import type { Attribution } from '../explain/gradient.ts';

const spec: Record<string, OptionSpec> = {
  'model-file': { type: 'string', description: 'a model file written by ecgrad (.ecgm or .ecgq), or several separated by commas (one folder each and a combined table)' },
  protocol: { type: 'string', description: `one of ${Object.keys(PROTOCOLS).join(', ')} (default: the protocol stored in the model file, else inter)` },
  method: { type: 'string', description: `comma-separated methods or "all": ${METHODS.join(', ')}`, default: 'integrated-gradients' },
  beats: { type: 'string', description: 'comma-separated dataset row indices to explain (instead of --per-class)' },
  'per-class': { type: 'string', description: 'beats per class drawn (seeded) from --split', default: '3' },
  split: { type: 'string', description: 'split the --per-class beats come from: train, val or test', default: 'test' },
  data: { type: 'string', description: 'database folder (default: $ECGRAD_DATA, else ../shared/data/mitdb if present, else ./data/mitdb)' },
  out: { type: 'string', description: 'output folder', default: 'explain-out' },
  window: { type: 'string', description: 'the window the model was trained on: "kachuee" or "centred:<before>,<after>" (samples at 360 Hz)', default: 'kachuee' },
  leads: { type: 'string', description: '"mlii" or "both" (as the model was trained)', default: 'mlii' },
  'dataset-seed': { type: 'string', description: 'seed of the dataset split', default: '0' },
  target: { type: 'string', description: 'class explained: "predicted", "true", or a class name', default: 'predicted' },
  output: { type: 'string', description: 'explained output: "logit" or "probability"', default: 'logit' },
  steps: { type: 'string', description: 'Integrated Gradients steps', default: '32' },
  rule: { type: 'string', description: `Integrated Gradients rule: ${QUADRATURE_RULES.join(', ')}`, default: 'gauss-legendre' },
  baseline: { type: 'string', description: `baseline of IG, KernelSHAP and the deletion curves: ${BASELINES.join(', ')}`, default: 'zero' },
  samples: { type: 'string', description: 'samples of SmoothGrad / GradientSHAP / KernelSHAP (default 25 / 50 / 512)' },
  segments: { type: 'string', description: 'KernelSHAP segments', default: '16' },
  background: { type: 'string', description: 'GradientSHAP background beats drawn from the training split', default: '64' },
  layer: { type: 'string', description: 'Grad-CAM layer (default: the last convolutional layer)' },
  metrics: { type: 'string', description: `"all", "none" or a comma-separated subset of ${METRICS.join(', ')}`, default: 'all' },
  mode: { type: 'string', description: 'attribution drawn as "overlay" (behind the trace) or "band" (strip under it)', default: 'overlay' },
  seed: { type: 'string', description: 'seed of the beat draw, noise and randomisation', default: '0' },
  json: { type: 'boolean', description: 'print explain.json to stdout as well' },
};

const int = (v: unknown, name: string, min = 0): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`explain: --${name} must be an integer >= ${min}, got "${String(v)}"`);
  return n;
};

export interface ExplainSettings {
  o: Record<string, unknown>;
  methods: MethodName[];
  metrics: MetricName[];
  rule: QuadratureRule;
  baselineKind: string;
  output: 'logit' | 'probability';
  mode: 'overlay' | 'band';
  seed: number;
  window: Exclude<NonNullable<BeatOptions['window']>, 'causal'>;
  leads: 'mlii' | 'both';
}

/** Parses and checks explain's arguments (also used by compare --explain). */
export function explainSettings(argv: string[]): ExplainSettings {
    const { options: o, positionals } = parseArgs(argv, spec, 'explain');
    if (positionals.length) throw new UsageError(`explain: unexpected argument "${positionals[0]}"`);
    const names: string[] = String(o.method) === 'all' ? [...METHODS] : String(o.method).split(',').map((s) => s.trim()).filter(Boolean);
    const methods = names.map((m): MethodName => {
      if (!isMethod(m)) throw new UsageError(`explain: unknown method "${m}"; choose from ${METHODS.join(', ')} (or "all")`);
      return m;
    });
    const metricsArg = String(o.metrics);
    const metrics: MetricName[] = metricsArg === 'all' ? [...METRICS] : metricsArg === 'none' ? [] : metricsArg.split(',').map((s) => s.trim()) as MetricName[];
    for (const m of metrics) if (!METRICS.includes(m)) throw new UsageError(`explain: unknown metric "${m}"; choose from ${METRICS.join(', ')}, all or none`);
    const rule = String(o.rule) as QuadratureRule;
    if (!QUADRATURE_RULES.includes(rule)) throw new UsageError(`explain: --rule must be one of ${QUADRATURE_RULES.join(', ')}, got "${rule}"`);
    const baselineKind = String(o.baseline);
    if (!(BASELINES as readonly string[]).includes(baselineKind)) throw new UsageError(`explain: --baseline must be one of ${BASELINES.join(', ')}, got "${baselineKind}"`);
    const output = String(o.output);
    if (output !== 'logit' && output !== 'probability') throw new UsageError(`explain: --output must be "logit" or "probability", got "${output}"`);
    const mode = String(o.mode);
    if (mode !== 'overlay' && mode !== 'band') throw new UsageError(`explain: --mode must be "overlay" or "band", got "${mode}"`);
    const seed = int(o.seed, 'seed');
    let window: Exclude<NonNullable<BeatOptions['window']>, 'causal'> = 'kachuee';
    if (String(o.window) !== 'kachuee') {
      const m = /^centred:(\d+),(\d+)$/.exec(String(o.window));
      if (!m) throw new UsageError(`explain: --window must be "kachuee" or "centred:<before>,<after>", got "${o.window}"`);
      window = { before: Number(m[1]), after: Number(m[2]) };
    }
    const leads = String(o.leads);
    if (leads !== 'mlii' && leads !== 'both') throw new UsageError(`explain: --leads must be "mlii" or "both", got "${leads}"`);

    return { o, methods, metrics, rule, baselineKind, output: output as 'logit' | 'probability', mode: mode as 'overlay' | 'band', seed, window, leads: leads as 'mlii' | 'both' };
}

/** One model's explanation table rows (for combined tables). */
export interface ModelExplanation {
  name: string;
  rows: { model: string; report: MethodReport }[];
  /** Methods skipped because they cannot explain this model (MethodSpec.unavailable), with the reason. */
  skipped: { method: string; reason: string }[];
  /** The content of explain.json. */
  json: Record<string, unknown>;
}

/**
 * Explains one model file into outDir (figures, explain.md, explain.json). With `skipInapplicable` (or
 * --method all), a method that cannot explain the model (e.g. Grad-CAM without convolutional layers) is
 * skipped and reported instead of failing.
 */
export function explainModel(modelFile: string, s: ExplainSettings, outDir0: string, skipInapplicable = false): ModelExplanation {
  const { o, methods, metrics, rule, baselineKind, output, mode, seed, window, leads } = s;
  if (!isInitialised()) initSync();
  const modelPath = resolve(modelFile);
  const { model, header } = loadModel(modelPath);
  const protocol = checkProtocol(o.protocol ?? header.meta.protocol ?? 'inter', 'explain');
  if (!(protocol in PROTOCOLS)) throw new UsageError(`explain: unknown protocol "${protocol}"; choose one of ${Object.keys(PROTOCOLS).join(', ')}`);
  const { dataset: ds } = loadDataset(protocol, { data: o.data as string | undefined, seed: int(o['dataset-seed'], 'dataset-seed'), window, leads, ...datasetOptionsOf(header.meta) });
  const clf = ExplainedModel.fromConfig(model, header.config, { output, name: header.arch });
  if (clf.length !== ds.length || clf.channels !== ds.channels)
    throw new Error(`the model (${header.arch}) takes beats of ${clf.channels} x ${clf.length} but the ${protocol} windows are ${ds.channels} x ${ds.length}; pass the --window / --leads the model was trained with`);
  const R = ds.rrFeatures.length;
  if (clf.rrFeatures && clf.rrFeatures !== R)
    throw new Error(`the model takes ${clf.rrFeatures} RR features but the dataset has ${R}`);
  const S = clf.beatSize;

  // Beats.
  let rows: number[];
  if (o.beats) {
    rows = String(o.beats).split(',').map((s) => int(s.trim(), 'beats'));
    for (const r of rows) if (r >= ds.y.length) throw new UsageError(`explain: --beats row ${r} is out of range (the dataset has ${ds.y.length} beats)`);
  } else {
    const split = String(o.split) as 'train' | 'val' | 'test';
    if (!['train', 'val', 'test'].includes(split)) throw new UsageError(`explain: --split must be train, val or test, got "${split}"`);
    const per = int(o['per-class'], 'per-class', 1);
    const rng = new Rng(seed);
    rows = [];
    for (let k = 0; k < ds.classes.length; k++) {
      const pool = Array.from(ds.split[split]).filter((r) => ds.y[r] === k);
      for (let i = 0; i < Math.min(per, pool.length); i++) {
        const j = i + rng.int(pool.length - i);
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
        rows.push(pool[i]!);
      }
    }
  }
  if (!rows.length) throw new Error('explain: no beats selected');
  const n = rows.length;
  const x = new Float32Array(n * S), rr = new Float32Array(n * R), labels = new Int32Array(n);
  rows.forEach((r, i) => {
    x.set(ds.x.subarray(r * S, (r + 1) * S), i * S);
    rr.set(ds.rr.subarray(r * R, (r + 1) * R), i * R);
    labels[i] = ds.y[r]!;
  });
  const modelRR = clf.rrFeatures ? rr : null;
  let targets: Int32Array | undefined;
  const target = String(o.target);
  if (target === 'true') targets = labels;
  else if (target !== 'predicted') {
    const k = ds.classes.indexOf(target);
    if (k < 0) throw new UsageError(`explain: --target must be "predicted", "true" or a class (${ds.classes.join(', ')}), got "${target}"`);
    targets = new Int32Array(n).fill(k);
  }
  const mean = meanBeat(ds.x, S, ds.split.train);
  const bgRng = new Rng(seed + 1);
  const bgCount = int(o.background, 'background', 1);
  const background = new Float32Array(bgCount * S);
  for (let i = 0; i < bgCount; i++) {
    const r = ds.split.train[bgRng.int(ds.split.train.length)]!;
    background.set(ds.x.subarray(r * S, (r + 1) * S), i * S);
  }
  const methodOptions: MethodOptions = {
    targets, steps: int(o.steps, 'steps', 1), rule, baseline: baselineKind as Baseline, meanBeat: mean, background,
    segments: int(o.segments, 'segments', 2), layer: o.layer as string | undefined, seed,
    ...(o.samples !== undefined ? { samples: int(o.samples, 'samples', 1) } : {}),
  };
  const causal = ds.options.window === 'causal'; // from the model file's metadata
  const rIndex = causal ? causalWindowSpec(ds.fs, ds.length).before : window === 'kachuee' ? 0 : Math.round(window.before * (ds.fs / 360));
  const geometry = { fs: ds.fs, rIndex, length: ds.length };
  const unit = causal ? 'normalised (0–1 over the past 10 s)' : window === 'kachuee' ? 'normalised (0–1 per 10 s)' : 'mV';

  const outDir = resolve(outDir0);
  mkdirSync(outDir, { recursive: true });
  const probs = clf.probabilities(x, modelRR);
  const K = ds.classes.length;
  const predicted = clf.predict(x, modelRR);
  const results: { method: string; attribution: Attribution; report: MethodReport }[] = [];
  const skipped: ModelExplanation['skipped'] = [];
  for (const method of methods) {
    const reason = getMethod(method).unavailable?.(clf);
    if (reason && (skipInapplicable || String(o.method) === 'all')) {
      process.stderr.write(`explain: ${method} skipped for ${header.arch}: ${reason}\n`);
      skipped.push({ method, reason });
      continue;
    }
    const t0 = performance.now();
    process.stderr.write(`explain: ${method} on ${n} beats ... `);
    const { attribution, report } = evaluateMethod(clf, { x, rr, rrFeatures: R, labels, classes: ds.classes, geometry }, method, {
      methodOptions: { ...methodOptions, rr: modelRR } as MethodOptions, metrics, seed,
    });
    process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    results.push({ method, attribution, report });
    const dir = join(outDir, 'beats', method);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < n; i++) {
      const p = predicted[i]!;
      writeFileSync(join(dir, `beat-${rows[i]}.svg`), beatSvg({
        signal: x.subarray(i * S, (i + 1) * S), attribution: attribution.values.subarray(i * S, (i + 1) * S), channels: clf.channels,
        fs: ds.fs, rIndex, unit, mode: mode as 'overlay' | 'band',
        title: `record ${ds.records[ds.record[rows[i]!]!]} · beat ${rows[i]} (${ds.symbol[rows[i]!]})${attribution.targets[i] !== p ? ` · explaining ${ds.classes[attribution.targets[i]!]}` : ''}`,
        method, trueClass: ds.classes[labels[i]!], predictedClass: ds.classes[p], probability: probs[i * K + p],
        regions: regionMask(geometry, rr[i * R]!, rr[i * R + 1]!),
      }));
    }
    writeFileSync(join(outDir, `class-average-${method}.svg`), classAverageSvg(classAverages(x, attribution.values, labels, ds.classes, S), {
      fs: ds.fs, rIndex, channels: clf.channels, unit, method,
    }));
  }
  const gridRows: GridRow[] = [];
  for (let i = 0; i < Math.min(n, 10); i++) {
    gridRows.push({
      signal: x.subarray(i * S, (i + 1) * S),
      label: `beat ${rows[i]} · true ${ds.classes[labels[i]!]} · pred ${ds.classes[predicted[i]!]}`,
      cells: results.map((r) => ({ method: r.method, attribution: r.attribution.values.subarray(i * S, (i + 1) * S) })),
    });
  }
  writeFileSync(join(outDir, 'methods-grid.svg'), methodGridSvg(gridRows, { fs: ds.fs, rIndex, channels: clf.channels, unit }));

  const name = header.arch;
  const tableRows = results.map((r) => ({ model: name, report: r.report }));
  const json = {
    modelFile: modelPath, arch: header.arch, protocol, classes: ds.classes, beats: rows, labels: Array.from(labels), predicted: Array.from(predicted),
    options: { output, steps: methodOptions.steps, rule, baseline: baselineKind, segments: methodOptions.segments, layer: methodOptions.layer ?? null, seed, metrics, window, leads },
    geometry, reports: results.map((r) => r.report),
  };
  writeFileSync(join(outDir, 'explain.json'), `${JSON.stringify(json, null, 2)}\n`);
  const md = [
    `# Explanations of ${header.arch} (${modelPath})`, '',
    `${n} beats of the ${protocol} protocol (${rows.length <= 20 ? `rows ${rows.join(', ')}` : `${rows.length} rows`}), explaining the ${target === 'predicted' ? 'predicted class' : target === 'true' ? 'true class' : `class ${target}`} (${output}).`,
    `Window: ${causal ? `causal (R at sample ${rIndex}, ${ds.fs} Hz, min-max normalised over the past 10 s)` : window === 'kachuee' ? 'Kachuee (R peak at sample 0, 125 Hz, min-max normalised)' : `R-centred, R at sample ${rIndex}, ${ds.fs} Hz, mV`}.`, '',
    '## Metrics', '',
    'del / ins AUC: deletion / insertion curves of the explained class probability with removed samples replaced by the baseline; ROAD: by noisy linear imputation; "rand": the same for a random attribution. ρ: Spearman correlation of |attributions| (cascading randomisation: with the top layer / every layer re-initialised; noise: clean vs noisy beat at 20 / 10 dB SNR). max-sens: max-sensitivity, radius 0.02, 10 samples. QRS / P / T: share of |attribution| in each region (chance share in brackets).', '',
    metricsTable(tableRows), '',
    ...(metrics.includes('physiology') ? ['## Attribution by wave and class', '', physiologyTable(tableRows), ''] : []),
    ...(metrics.includes('sanity') ? ['## Cascading randomisation (Spearman after each layer, top down)', '', sanityTable(tableRows), ''] : []),
    '## Figures', '',
    '- [methods-grid.svg](methods-grid.svg)',
    ...results.map((r) => `- ${r.method}: [class-average-${r.method}.svg](class-average-${r.method}.svg), beats in [beats/${r.method}/](beats/${r.method}/)`), '',
  ].join('\n');
  writeFileSync(join(outDir, 'explain.md'), md);
  return { name: header.arch, rows: tableRows, skipped, json };
}

/** The combined explain.md of several models: the metrics table of every model x method, with links. */
export function combinedExplanationMarkdown(all: ModelExplanation[], files: string[], s: ExplainSettings): string {
  const rows = all.flatMap((e) => e.rows);
  return [
    `# Explanations of ${all.length} models`, '',
    `Methods: ${s.methods.join(', ')}; metrics: ${s.metrics.join(', ') || 'none'}; ${s.o.beats ? `rows ${s.o.beats}` : `${s.o['per-class']} beats per class from the ${s.o.split} split (seed ${s.seed})`}, explaining the ${s.o.target} class (${s.output}).`, '',
    'del / ins AUC: deletion / insertion curves of the explained class probability with removed samples replaced by the baseline; ROAD: by noisy linear imputation; "rand": the same for a random attribution. ρ: Spearman correlation of |attributions| (cascading randomisation: with the top layer / every layer re-initialised; noise: clean vs noisy beat at 20 / 10 dB SNR). max-sens: max-sensitivity, radius 0.02, 10 samples. QRS / P / T: share of |attribution| in each region (chance share in brackets).', '',
    metricsTable(rows), '',
    ...all.filter((e) => e.skipped.length).map((e) => `- ${e.name}: ${e.skipped.map((k) => `${k.method} skipped (${k.reason})`).join(', ')}`),
    ...all.map((e, i) => `- ${e.name} (${files[i]}): [${basename(files[i]!).replace(/\.ecg[mq]$/i, '')}/explain.md](${basename(files[i]!).replace(/\.ecg[mq]$/i, '')}/explain.md)`), '',
  ].join('\n');
}

export const explainCommand: Command = {
  summary: 'explain a model\'s beat classifications (IG, SHAP, Grad-CAM, ...): SVG figures and faithfulness / sanity / robustness / physiology metrics',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('explain', explainCommand.summary,
        'ecgrad explain --model-file <file> [--protocol <p>] [--method <m>[,<m>...]|all] [--beats <i,j>|--per-class N] [--data <dir>] [--out <dir>]', spec));
      console.log(`\nmethods:\n${METHOD_SPECS.map((m) => `  ${m.name.padEnd(22)}${m.description}`).join('\n')}`);
      return 0;
    }
    const settings = explainSettings(argv);
    const { o } = settings;
    if (!o['model-file']) throw new UsageError('explain: --model-file is required (see `ecgrad explain --help`)');
    const files = String(o['model-file']).split(',').map((f) => f.trim()).filter(Boolean);
    if (!isInitialised()) initSync();
    const outDir = resolve(String(o.out));
    if (files.length === 1) {
      const e = explainModel(files[0]!, settings, outDir);
      console.log(metricsTable(e.rows));
      console.log(`\nwrote ${join(outDir, 'explain.md')}, explain.json and the figures`);
      if (o.json) console.log(JSON.stringify(e.json, null, 2));
      return 0;
    }
    // Several models: one folder each and a combined table.
    const all: ModelExplanation[] = [];
    for (const f of files) {
      process.stderr.write(`explain: ${f}\n`);
      all.push(explainModel(f, settings, join(outDir, basename(f).replace(/\.ecg[mq]$/i, '')), true));
    }
    const rows = all.flatMap((e) => e.rows);
    writeFileSync(join(outDir, 'explain.md'), combinedExplanationMarkdown(all, files, settings));
    console.log(metricsTable(rows));
    console.log(`\nwrote ${join(outDir, 'explain.md')} and one folder per model`);
    return 0;
  },
};
