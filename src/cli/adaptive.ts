// `ecgrad adaptive`: the patient-adaptive protocol (src/train/adaptive.ts) for a global model trained on
// the inter protocol's training records (DS1): for each test record (DS2 by default; `--records val`: the
// protocol's DS1 validation records, the pseudo-wearers the configuration was chosen on), the labelled
// beats of the first N minutes personalise a copy, every later beat is a test beat, predicted by the
// copy and by the global model alone. A neural model (.ecgm) is fine-tuned with personalize(); a
// traditional classifier (.ecgc) is refitted on its training rows plus the wearer's beats, each repeated
// --wearer-weight times (integer sample weights), with the file's hyperparameters and features.
// Writes report.md and report.json to --out.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { DATA_HELP, intOption } from './options.ts';
import { personalizeOptions, personalizeSettings } from './personalize.ts';
import { classifierFeatures, isClassifierFile } from './evaluate.ts';
import { textTable } from '../report/markdown.ts';
import { initSync } from '../core/runtime.ts';
import { ensureData } from '../node/ensure-data.ts';
import { loadDataset } from '../node/dataset.ts';
import { writeFileAtomic } from '../node/model-io.ts';
import { datasetOptionsOf } from '../ecg/dataset/dataset-meta.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import { modelFromBytes } from '../nn/model-file.ts';
import { adaptiveResult, adaptiveRows, runAdaptive, type AdaptiveResult, type RecordPredictions } from '../train/adaptive.ts';
import { replayRowsOf } from '../node/replay-bank.ts';
import { buildFeatures, decisionWeightsOf, decodeClassifier, predictWeighted, runClassic } from '../classic/index.ts';

const spec: Record<string, OptionSpec> = {
  'model-file': { type: 'string', description: 'the global model: .ecgm (fine-tuned) or .ecgc (refitted), trained on the inter protocol' },
  records: { type: 'string', description: 'test (the protocol\'s test records, DS2), val (its DS1 validation records) or a comma-separated list of records not in the training split', default: 'test' },
  minutes: { type: 'string', description: 'labelled minutes at the start of each record', default: '5' },
  data: { type: 'string', description: DATA_HELP },
  out: { type: 'string', description: 'folder for report.md and report.json' },
  ...personalizeOptions,
  'wearer-weight': { type: 'string', description: 'classifiers: how many times each wearer beat is repeated in the refit', default: '20' },
  json: { type: 'boolean', description: 'print report.json' },
};

function recordsOf(ds: BeatDataset, which: string): string[] {
  const of = (rows: Int32Array) => [...new Set(Array.from(rows, (i) => ds.records[ds.record[i]!]!))].sort();
  if (which === 'test') return of(ds.split.test);
  if (which === 'val') return of(ds.split.val);
  const list = which.split(',').map((s) => s.trim()).filter(Boolean);
  const train = new Set(of(ds.split.train));
  for (const r of list) {
    if (!ds.records.includes(r)) throw new UsageError(`adaptive: record ${r} is not in the ${ds.protocol} protocol (records: ${ds.records.join(', ')})`);
    if (train.has(r)) throw new UsageError(`adaptive: record ${r} is in the global model's training split; a wearer must be a patient the model has not seen`);
  }
  return list;
}

/** The classifier variant: refit on training rows + the wearer's beats repeated `weight` times. */
function runClassifierAdaptive(bytes: Uint8Array, path: string, ds: BeatDataset, records: string[], minutes: number, weight: number, log: (s: string) => void): AdaptiveResult {
  const clf = decodeClassifier(bytes, path);
  const features = classifierFeatures(clf.meta, path);
  const weights = clf.meta.decisionWeights !== undefined ? decisionWeightsOf(clf.meta.decisionWeights, ds.classes) : undefined;
  const trainRows = clf.meta.fitOn === 'train+val' ? Int32Array.from([...ds.split.train, ...ds.split.val]).sort() : ds.split.train;
  const parts: RecordPredictions[] = adaptiveRows(ds, records, minutes).map((r, k, all) => {
    let X = buildFeatures(ds, r.test, features);
    if (clf.scaler) X = clf.scaler.transform(X);
    const predGlobal = predictWeighted(clf.model, X, weights);
    const t0 = performance.now();
    const rows = new Int32Array(trainRows.length + weight * r.personal.length);
    rows.set(trainRows);
    for (let w = 0; w < weight; w++) rows.set(r.personal, trainRows.length + w * r.personal.length);
    const run = runClassic(clf.model.kind, ds, { params: clf.model.getParams(), features, rows: { train: rows, test: r.test }, splits: ['test'], ...(weights ? { decisionWeights: weights } : {}) });
    const seconds = (performance.now() - t0) / 1000;
    log(`adaptive: ${r.record} (${k + 1}/${all.length}) refitted in ${seconds.toFixed(1)} s`);
    return { rows: r, predGlobal, predPersonal: run.test!.pred, seconds };
  });
  return adaptiveResult(ds, parts, minutes);
}

const pct = (v: number) => (100 * v).toFixed(2);

export function adaptiveMarkdown(r: AdaptiveResult, head: { model: string; arch: string; command: string; method: string; wallSeconds: number }): string {
  const g = r.global, p = r.personalized;
  const secs = r.records.map((x) => x.seconds).sort((a, b) => a - b);
  const lines = [
    `# Adaptive protocol: ${head.arch} (${head.model})`, '',
    `\`${head.command}\``, '',
    `${r.records.length} records; the labelled beats of each record's first ${r.minutes} minutes personalise a copy of the global model; every later beat is a test beat (${g.beats.toLocaleString('en')} in all). ${head.method}`, '',
    '| model | test beats | accuracy % | S Se % | S +P % | V Se % | V +P % |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...[['global model alone', g], ['personalised', p]].map(([name, s]) => {
      const x = s as typeof g;
      return `| ${name} | ${x.beats} | ${pct(x.accuracy)} | ${pct(x.aami.S!.se)} | ${pct(x.aami.S!.ppv)} | ${pct(x.aami.V!.se)} | ${pct(x.aami.V!.ppv)} |`;
    }), '',
    `Personalisation time per record: median ${secs[Math.floor(secs.length / 2)]?.toFixed(1)} s, max ${secs[secs.length - 1]?.toFixed(1)} s; wall ${head.wallSeconds.toFixed(0)} s.`, '',
    '## By record (S found / S total, false S; V found / V total, false V: global → personalised)', '',
    '| record | labelled beats (S, V) | test beats | S global | S personalised | V global | V personalised | s |', '| --- | ---: | ---: | --- | --- | --- | --- | ---: |',
    ...r.records.map((x) => {
      const c = (rc: typeof x.global, k: string) => `${rc.found[k]}/${rc.total[k]}, ${rc.falsePositive[k]}`;
      return `| ${x.record} | ${x.personalBeats} (${x.personalCounts.S}, ${x.personalCounts.V}) | ${x.testBeats} | ${c(x.global, 'S')} | ${c(x.personalized, 'S')} | ${c(x.global, 'V')} | ${c(x.personalized, 'V')} | ${x.seconds.toFixed(1)} |`;
    }), '',
  ];
  return lines.join('\n');
}

export const adaptiveCommand: Command = {
  summary: 'the patient-adaptive protocol: personalise a DS1 model on each test record\'s first minutes, test on the rest',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('adaptive', adaptiveCommand.summary,
        'ecgrad adaptive --model-file f.ecgm|f.ecgc [--records test|val|a,b] [--minutes 5] [--data dir] --out <dir> [personalisation options] [--wearer-weight 20] [--json]', spec));
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'adaptive');
    if (positionals.length) throw new UsageError(`adaptive: unexpected argument "${positionals[0]}"`);
    if (!o['model-file']) throw new UsageError('adaptive: --model-file is required');
    if (!o.out) throw new UsageError('adaptive: --out <dir> is required');
    const minutes = Number(o.minutes);
    if (!(minutes > 0 && minutes < 30)) throw new UsageError(`adaptive: --minutes must be in (0, 30), got "${o.minutes}"`);
    const { options, replayBeats } = personalizeSettings(o, 'adaptive');
    const wearerWeight = intOption(o, 'wearer-weight', 'adaptive', 1)!;
    const path = String(o['model-file']);
    initSync();
    const bytes = new Uint8Array(readFileSync(path));
    const classic = isClassifierFile(bytes);
    const meta = classic ? decodeClassifier(bytes, path).meta : modelFromBytes(bytes, path).header.meta;
    const arch = classic ? decodeClassifier(bytes, path).model.kind : modelFromBytes(bytes, path).header.arch;
    if (meta.protocol !== 'inter') throw new UsageError(`adaptive: the model file ${path} was trained on ${String(meta.protocol ?? 'an unknown protocol')}; the adaptive protocol needs a model of the inter protocol (trained on DS1)`);
    const data = await ensureData('inter', o.data as string | undefined);
    const { dataset: ds } = loadDataset('inter', { data, seed: 0, ...datasetOptionsOf(meta) });
    const records = recordsOf(ds, String(o.records));
    const out = resolve(String(o.out));
    mkdirSync(out, { recursive: true });
    const t0 = performance.now();
    const log = (s: string) => process.stderr.write(`${s}\n`);
    let result: AdaptiveResult, method: string, config: Record<string, unknown>;
    if (classic) {
      result = runClassifierAdaptive(bytes, path, ds, records, minutes, wearerWeight, log);
      method = `The classifier is refitted for each record on its training rows plus the record's labelled beats repeated ${wearerWeight} times (the file's hyperparameters and features).`;
      config = { refit: true, wearerWeight };
    } else {
      const replayRows = replayBeats > 0 ? replayRowsOf(ds, replayBeats, options.seed ?? 0) : null;
      result = runAdaptive(bytes, ds, records, {
        minutes, personalize: options, replayRows,
        onRecord: (p, k, n) => log(`adaptive: ${p.rows.record} (${k + 1}/${n}) personalised in ${p.seconds.toFixed(1)} s on ${p.rows.personal.length} beats`),
      });
      const o2 = result.records[0]?.report;
      method = `Fine-tuned with personalize(): ${JSON.stringify({ ...options, replayBeats })}${o2 ? ` (${o2.trainedParams.toLocaleString('en')} trained values)` : ''}.`;
      config = { ...options, replayBeats };
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const command = `ecgrad adaptive ${argv.join(' ')}`;
    const json = {
      tool: 'ecgrad', command, createdAt: new Date().toISOString(), model: path, arch, kind: classic ? 'classic' : 'neural', minutes, records, config,
      global: result.global, personalized: result.personalized, byRecord: result.records, wallSeconds,
    };
    writeFileAtomic(join(out, 'report.json'), new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`), 'adaptive');
    const md = adaptiveMarkdown(result, { model: path, arch, command, method, wallSeconds });
    writeFileAtomic(join(out, 'report.md'), new TextEncoder().encode(md), 'adaptive');
    if (o.json) {
      console.log(JSON.stringify(json, null, 2));
      return 0;
    }
    const g = result.global.aami, q = result.personalized.aami;
    console.log(textTable(['model', 'S Se %', 'S +P %', 'V Se %', 'V +P %'], [
      ['global', pct(g.S!.se), pct(g.S!.ppv), pct(g.V!.se), pct(g.V!.ppv)],
      ['personalised', pct(q.S!.se), pct(q.S!.ppv), pct(q.V!.se), pct(q.V!.ppv)],
    ], [false, true, true, true, true]));
    console.log(`\n${result.records.length} records, ${result.global.beats} test beats; report in ${out}`);
    return 0;
  },
};
