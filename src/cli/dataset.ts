// `ecgrad dataset`: builds (or loads from the cache) a protocol's beat dataset and prints the per-class
// counts of each split; with --out <dir>, also writes it as a chunked on-disk dataset (src/node/disk-
// dataset.ts) that `ecgrad train --dataset <dir>` streams with bounded memory.
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { classCounts } from '../ecg/dataset/dataset.ts';
import { PROTOCOLS } from '../ecg/dataset/protocols.ts';
import { checkProtocol, optionsOf, rrSetOption, settingsOf, usage } from './options.ts';
import { DATA_SETTINGS, recordLists, runSettings } from '../train/run-settings.ts';
import type { BeatOptions } from '../ecg/dataset/record-beats.ts';
import { loadDataset } from '../node/dataset.ts';
import { DiskDatasetError, writeDiskDataset } from '../node/disk-dataset.ts';

const spec: Record<string, OptionSpec> = {
  protocol: { type: 'string', description: `one of ${Object.keys(PROTOCOLS).join(', ')}`, default: 'intra' },
  data: { type: 'string', description: 'database folder (default: $ECGRAD_DATA, else ../shared/data/mitdb if present, else ./data/mitdb)' },
  seed: { type: 'string', description: 'seed of the split', default: '0' },
  window: { type: 'string', description: '"kachuee" (187 samples at 125 Hz from the R peak) or "centred:<before>,<after>" (samples at 360 Hz)', default: 'kachuee' },
  ...optionsOf({ leads: DATA_SETTINGS.leads, trainRecords: DATA_SETTINGS.trainRecords, testRecords: DATA_SETTINGS.testRecords }),
  peaks: { type: 'string', description: '"reference" (annotations) or "detected" (Pan-Tompkins)', default: 'reference' },
  'rr-set': { type: 'string', description: '"local" (6 RR features per beat), "patient" (15: also the patient-normalised features) , "rhythm" (23: also the rhythm features) or "irregular" (20: also the RR-irregularity features), docs/inter-patient.md', default: 'local' },
  cache: { type: 'boolean', description: 'use the cache ($ECGRAD_CACHE or .cache/ecgrad); --no-cache rebuilds', default: true },
  out: { type: 'string', description: 'also write the dataset as a chunked on-disk dataset into this folder (new or empty), for `ecgrad train --dataset <dir>`' },
  'chunk-beats': { type: 'string', description: 'with --out: beats per chunk file (the training stream holds 4 chunks in memory)', default: '4096' },
  json: { type: 'boolean', description: 'print JSON: {"protocol", "classes", "splits": {"train": {"N": ...}, ...}, "seconds", "cpuSeconds", "fromCache"}' },
};

export const datasetCommand: Command = {
  summary: 'build a beat dataset (intra, inter, arrhythminet) and print per-class counts of each split',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('dataset', datasetCommand.summary, 'ecgrad dataset --protocol <intra|inter|arrhythminet> [--data <dir>] [--out <dir> [--chunk-beats 4096]] [--json]', spec));
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'dataset');
    if (positionals.length) throw new UsageError(`dataset: unexpected argument "${positionals[0]}"`);
    const protocol = checkProtocol(o.protocol, 'dataset');
    if (!(protocol in PROTOCOLS)) throw new UsageError(`dataset: unknown protocol "${protocol}"; choose one of ${Object.keys(PROTOCOLS).join(', ')}`);
    const seed = Number(o.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`dataset: --seed must be an integer, got "${o.seed}"`);
    let window: BeatOptions['window'] = 'kachuee';
    const w = String(o.window);
    if (w !== 'kachuee') {
      const m = /^centred:(\d+),(\d+)$/.exec(w);
      if (!m) throw new UsageError(`dataset: --window must be "kachuee" or "centred:<before>,<after>", got "${w}"`);
      window = { before: Number(m[1]), after: Number(m[2]) };
    }
    const picked = settingsOf({ leads: DATA_SETTINGS.leads, trainRecords: DATA_SETTINGS.trainRecords, testRecords: DATA_SETTINGS.testRecords }, o, 'dataset');
    const records = recordLists(picked);
    if (records) usage('dataset', () => runSettings({ protocol, ...picked }));
    const leads = picked.leads ?? 'mlii';
    const peaks = String(o.peaks);
    if (peaks !== 'reference' && peaks !== 'detected') throw new UsageError(`dataset: --peaks must be "reference" or "detected", got "${peaks}"`);
    const rrSet = rrSetOption(o, 'dataset');
    const chunkBeats = Number(o['chunk-beats']);
    if (!(Number.isInteger(chunkBeats) && chunkBeats >= 1 && chunkBeats <= 1_000_000)) throw new UsageError(`dataset: --chunk-beats must be an integer 1..1000000, got "${o['chunk-beats']}"`);
    const out = o.out === undefined ? undefined : String(o.out);
    if (out !== undefined && (!out || (existsSync(out) && readdirSync(out).length))) throw new UsageError(`dataset: --out ${out}: ${out ? 'the folder exists and is not empty' : 'give a folder'}; choose a new --out`);
    const cpu0 = process.cpuUsage();
    const { dataset: ds, fromCache, seconds, cachePath } = loadDataset(protocol, {
      data: o.data as string | undefined, seed, window, leads, peaks, cache: o.cache !== false, ...(rrSet !== 'local' ? { rrSet } : {}), ...(records ? { records } : {}),
    });
    let written: { dir: string; bytes: number; files: number; seconds: number } | undefined;
    if (out !== undefined) {
      const t0 = performance.now();
      try {
        written = { dir: resolve(out), ...writeDiskDataset(out, ds, { chunkBeats }), seconds: Math.round(performance.now() - t0) / 1000 };
      } catch (e) {
        if (e instanceof DiskDatasetError) throw new UsageError(`dataset: ${e.message}`);
        throw e;
      }
    }
    const splits = { train: classCounts(ds, ds.split.train), val: classCounts(ds, ds.split.val), test: classCounts(ds, ds.split.test) };
    if (o.json) {
      // cpuSeconds: this process's own CPU time (user + system) for the build or load, unlike the wall time unaffected by other processes' load.
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = Math.round((cpu.user + cpu.system) / 1000) / 1000;
      console.log(JSON.stringify({ protocol, classes: ds.classes, records: ds.records, beats: ds.y.length, rrFeatures: ds.rrFeatures, shape: [ds.y.length, ds.channels, ds.length], fs: ds.fs, splits, seconds, cpuSeconds, fromCache, cachePath, ...(written ? { written } : {}) }, null, 2));
      return 0;
    }
    console.log(`${protocol}: ${ds.y.length} beats, x ${ds.y.length} x ${ds.channels} x ${ds.length} at ${ds.fs} Hz, seed ${seed}`);
    console.log(`${'split'.padEnd(7)}${ds.classes.map((c) => c.padStart(8)).join('')}${'total'.padStart(9)}`);
    for (const [name, c] of Object.entries(splits)) {
      const total = Object.values(c).reduce((a, b) => a + b, 0);
      console.log(`${name.padEnd(7)}${ds.classes.map((k) => String(c[k]).padStart(8)).join('')}${String(total).padStart(9)}`);
    }
    console.log(`\n${fromCache ? 'loaded from cache' : 'built'} in ${seconds.toFixed(2)} s${cachePath ? ` (${cachePath})` : ''}`);
    if (written) console.log(`wrote ${written.dir}: ${written.files} files, ${written.bytes.toLocaleString('en-US')} bytes (${(written.bytes / ds.y.length).toFixed(1)} per beat), ${chunkBeats} beats per chunk, in ${written.seconds.toFixed(2)} s; train from it with ecgrad train --dataset ${out}`);
    return 0;
  },
};
