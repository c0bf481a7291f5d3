// Makes sure the MIT-BIH records a protocol needs are on disk before any work starts. The folder is
// found by resolveDataDir (--data, $ECGRAD_DATA, ../shared/data/mitdb, ./data/mitdb). When the folder is
// the default ./data/mitdb and holds none of the records, the database is downloaded there (with a
// progress bar); otherwise missing files are an error that names them and says how to download them.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveDataDir } from './data-path.ts';
import { downloadDatabase } from './download.ts';
import { getProtocol, type ProtocolName } from '../ecg/dataset/protocols.ts';
import { bar } from '../train/progress.ts';

/**
 * The data folder lacks files of a protocol's records; the message lists them and says how to download the
 * database or point --data at it.
 */
export class MissingDataError extends Error {}

/** Files of each record that a protocol reads (header, signals, reference annotations). */
export function missingRecordFiles(dir: string, records: readonly string[]): string[] {
  const missing: string[] = [];
  for (const r of records) for (const ext of ['hea', 'dat', 'atr']) if (!existsSync(join(dir, `${r}.${ext}`))) missing.push(`${r}.${ext}`);
  return missing;
}

export interface EnsureDataOptions {
  /** Allow downloading into the default folder (default true). */
  download?: boolean;
  /** Where progress goes (default stderr). */
  stream?: NodeJS.WriteStream;
  /** Download from this mirror instead of PhysioNet (tests, local mirrors). */
  baseUrl?: string;
}

/**
 * The data folder of a protocol, checked to hold every record file: when the default ./data/mitdb holds none
 * of them it downloads MIT-BIH into it (about 100 MB, progress on stderr) unless download is false. Throws a
 * MissingDataError listing the missing files otherwise.
 */
export async function ensureData(protocol: ProtocolName, explicit?: string, opts: EnsureDataOptions = {}): Promise<string> {
  const dir = resolveDataDir(explicit);
  const records = getProtocol(protocol).records;
  let missing = missingRecordFiles(dir, records);
  if (missing.length === 0) return dir;
  const isDefault = !explicit && !process.env.ECGRAD_DATA && dir === resolve('data/mitdb');
  const all = missing.length === records.length * 3;
  if (isDefault && all && opts.download !== false) {
    const out = opts.stream ?? process.stderr;
    out.write(`ecgrad: the MIT-BIH Arrhythmia Database is not in ${dir}; downloading it from PhysioNet (about 100 MB)\n`);
    const done = new Set<string>();
    const draw = () => {
      const line = `downloading mitdb ${bar(done.size / records.length, 30)} ${done.size}/${records.length} records`;
      out.write(out.isTTY ? `\r${line}` : `${line}\n`);
    };
    await downloadDatabase({
      out: dir, records: [...records], baseUrl: opts.baseUrl,
      log: (m) => {
        const r = /^(\d{3})\./.exec(m)?.[1];
        if (r && !done.has(r)) {
          done.add(r);
          if (out.isTTY || done.size % 8 === 0 || done.size === records.length) draw();
        }
      },
    });
    if (out.isTTY) out.write('\n');
    missing = missingRecordFiles(dir, records);
    if (missing.length === 0) return dir;
  }
  const list = missing.slice(0, 8).join(', ') + (missing.length > 8 ? `, ... (${missing.length} files in all)` : '');
  throw new MissingDataError(
    `the data folder ${dir} lacks ${missing.length} file(s) of the ${protocol} protocol's records: ${list}. ` +
    `Download the database with \`ecgrad download --out ${dir}\`, or point --data (or $ECGRAD_DATA) at a folder that holds it`);
}
