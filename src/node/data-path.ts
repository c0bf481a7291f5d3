// Where the MIT-BIH database lives: `--data <dir>` if given, else $ECGRAD_DATA, else
// `../shared/data/mitdb` relative to the working directory if that folder exists, else `./data/mitdb`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The MIT-BIH folder to read, as an absolute path: `explicit` when given, else $ECGRAD_DATA, else
 * ../shared/data/mitdb when it exists, else ./data/mitdb (which need not exist).
 */
export function resolveDataDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const env = process.env.ECGRAD_DATA;
  if (env) return resolve(env);
  const shared = resolve('../shared/data/mitdb');
  if (existsSync(shared)) return shared;
  return resolve('data/mitdb');
}
