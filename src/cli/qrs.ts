// `ecgrad qrs`: runs the Pan-Tompkins QRS detector over MIT-BIH records and reports sensitivity (Se)
// and positive predictivity (+P) per record and in total against the reference beat annotations.
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { MITDB_RECORDS } from '../ecg/mitdb.ts';
import { resolveDataDir } from '../node/data-path.ts';
import { evaluateQrs } from '../node/qrs-eval.ts';

const spec: Record<string, OptionSpec> = {
  data: { type: 'string', description: 'database folder (default: $ECGRAD_DATA, else ../shared/data/mitdb if present, else ./data/mitdb)' },
  records: { type: 'string', description: 'comma-separated record names', default: 'all 48' },
  channel: { type: 'string', description: 'signal to analyse', default: '0' },
  'include-vf': { type: 'boolean', description: 'also score ventricular flutter episodes ([ to ]), which EC57 leaves out' },
  json: { type: 'boolean', description: 'print JSON: {"gross": {"se", "ppv", ...}, "records": {"100": {...}}}' },
};

export const qrsCommand: Command = {
  summary: 'QRS detection (Pan-Tompkins) scored against the reference beats: Se and +P per record',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('qrs', qrsCommand.summary, 'ecgrad qrs [--data <dir>] [--records 100,101] [--json]', spec));
      return 0;
    }
    const { options, positionals } = parseArgs(argv, spec, 'qrs');
    if (positionals.length) throw new UsageError(`qrs: unexpected argument "${positionals[0]}"`);
    const records = options.records && options.records !== 'all 48' ? String(options.records).split(',').map((s) => s.trim()).filter(Boolean) : MITDB_RECORDS;
    const channel = Number(options.channel);
    if (!Number.isInteger(channel) || channel < 0) throw new UsageError(`qrs: --channel must be a signal index, got "${options.channel}"`);
    const result = evaluateQrs(resolveDataDir(options.data as string | undefined), records, { excludeVf: !options['include-vf'], channel });
    if (options.json) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    const line = (name: string, s: { beats: number; tp: number; fn: number; fp: number; se: number; ppv: number }) =>
      `${name.padEnd(7)}${String(s.beats).padStart(8)}${String(s.tp).padStart(8)}${String(s.fn).padStart(6)}${String(s.fp).padStart(6)}${s.se.toFixed(2).padStart(9)}${s.ppv.toFixed(2).padStart(9)}`;
    console.log(`${'record'.padEnd(7)}${'beats'.padStart(8)}${'TP'.padStart(8)}${'FN'.padStart(6)}${'FP'.padStart(6)}${'Se %'.padStart(9)}${'+P %'.padStart(9)}`);
    for (const [r, s] of Object.entries(result.records)) console.log(line(r, s));
    console.log(line('gross', result.gross));
    console.log(`\n${result.excludeVf ? 'ventricular flutter episodes excluded (EC57); ' : ''}150 ms matching window; ${result.seconds.toFixed(1)} s`);
    return 0;
  },
};
