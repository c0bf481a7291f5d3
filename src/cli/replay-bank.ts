// `ecgrad replay-bank`: writes a model's replay bank (src/train/replay-bank.ts), the replay beats
// `ecgrad personalize` mixes into fine-tuning (buildReplayBank: a stratified sample of the model's protocol
// training split, at least 50 per class where there are so many), as a safetensors file, so that
// personalisation without the training set (the browser demo, `ecgrad personalize --replay-file`)
// replays exactly the same beats.
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { DATA_HELP, intOption, protocolFor } from './options.ts';
import { initSync } from '../core/runtime.ts';
import { ensureData } from '../node/ensure-data.ts';
import { buildReplayBank, writeReplayBankFile } from '../node/replay-bank.ts';
import { modelFromBytes } from '../nn/model-file.ts';
import { readModelFile } from '../node/model-io.ts';
import { PERSONALIZE_DEFAULTS } from '../train/personalize.ts';

const spec: Record<string, OptionSpec> = {
  'model-file': { type: 'string', description: 'the global model (.ecgm) the bank is for' },
  out: { type: 'string', description: 'the bank file to write (e.g. f.replay.safetensors)' },
  beats: { type: 'string', description: 'beats of the training split (as ecgrad personalize --replay-beats)', default: '1000' },
  seed: { type: 'string', description: 'seed of the stratified sample (as ecgrad personalize --seed)', default: String(PERSONALIZE_DEFAULTS.seed) },
  data: { type: 'string', description: DATA_HELP },
  json: { type: 'boolean', description: 'print what was written as JSON' },
};

export const replayBankCommand: Command = {
  summary: 'write the replay beats ecgrad personalize uses for a model as a file (for personalize --replay-file and the browser demo)',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('replay-bank', replayBankCommand.summary, 'ecgrad replay-bank --model-file f.ecgm --out f.replay.safetensors [--beats 1000] [--seed 0] [--data dir] [--json]', spec));
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'replay-bank');
    if (positionals.length) throw new UsageError(`replay-bank: unexpected argument "${positionals[0]}"`);
    for (const k of ['model-file', 'out']) if (!o[k]) throw new UsageError(`replay-bank: --${k} is required`);
    const beats = intOption(o, 'beats', 'replay-bank')!, seed = intOption(o, 'seed', 'replay-bank', 0)!;
    const path = String(o['model-file']), out = String(o.out);
    initSync();
    const bytes = readModelFile(path);
    const { header } = modelFromBytes(bytes, path);
    const protocol = protocolFor(undefined, header.meta, 'replay-bank');
    const data = await ensureData(protocol, o.data as string | undefined);
    const bank = buildReplayBank(header, { data, beats, seed, source: path });
    writeReplayBankFile(out, bank);
    const m = bank.meta;
    const counts: Record<string, number> = Object.fromEntries(m.classes.map((c) => [c, 0]));
    for (const y of bank.beats.y) counts[m.classes[y]!]!++;
    if (o.json) {
      console.log(JSON.stringify({ model: path, out, ...m, counts }, null, 2));
      return 0;
    }
    console.log(`replay bank of ${path}: ${m.count} beats of the ${m.protocol} training split (${m.classes.map((c) => `${c} ${counts[c]}`).join(', ')}), seed ${seed}, at least ${m.minPerClass} per class where there are so many`);
    console.log(`windows ${m.channels} x ${m.length} (${m.window}), leads ${JSON.stringify(m.leads)}, beat features ${m.rrFeatures.length} (rrSet ${m.rrSet})`);
    console.log(`wrote ${out}`);
    return 0;
  },
};
