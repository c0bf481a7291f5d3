// `ecgrad download`: fetches a PhysioNet database with resume and SHA-256 verification.
import { formatHelp, parseArgs, type OptionSpec, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { downloadDatabase } from '../node/download.ts';

const spec: Record<string, OptionSpec> = {
  db: { type: 'string', description: 'PhysioNet database name', default: 'mitdb' },
  out: { type: 'string', description: 'output folder (default: data/<db>)' },
  'base-url': { type: 'string', description: 'where the files are (default: https://physionet.org/files/<db>/1.0.0/)' },
  records: { type: 'string', description: 'comma-separated records to fetch (default: every file in SHA256SUMS.txt)' },
  quiet: { type: 'boolean', description: 'print only the summary' },
};

export const downloadCommand: Command = {
  summary: 'download a PhysioNet database (resumable, verified against its SHA256SUMS.txt)',
  async run(argv) {
    if (argv.includes('--help')) {
      console.log(formatHelp('download', downloadCommand.summary, 'ecgrad download [--db mitdb] [--out <dir>] [--base-url <url>] [--records 100,101]', spec));
      return 0;
    }
    const { options: o, positionals } = parseArgs(argv, spec, 'download');
    if (positionals.length) throw new UsageError(`download: unexpected argument "${positionals[0]}"`);
    const records = o.records ? String(o.records).split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    const r = await downloadDatabase({
      db: String(o.db),
      out: o.out as string | undefined,
      baseUrl: o['base-url'] as string | undefined,
      records,
      log: o.quiet ? undefined : (m) => console.log(m),
    });
    console.log(`${r.out}: ${r.fetched.length} fetched (${r.resumed.length} resumed, ${r.refetched.length} re-fetched after a hash mismatch), ${r.present.length} already present; all verified`);
    return 0;
  },
};
