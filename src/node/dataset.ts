// Builds a protocol's beat dataset from the WFDB files in a folder, with an on-disk cache: the cache
// file name is a SHA-256 of the protocol, the options, the seed and the size and mtime of every source
// file, so a change to any of them builds afresh. Cache folder: `cacheDir`, else $ECGRAD_CACHE, else
// .cache/ecgrad under the working directory.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildDataset, type BeatDataset, type DatasetOptions } from '../ecg/dataset/dataset.ts';
import { getProtocol, type ProtocolName } from '../ecg/dataset/protocols.ts';
import { DatasetFileError, deserializeDataset, serializeDataset } from '../ecg/dataset/serialize.ts';
import { resolveDataDir } from './data-path.ts';
import { rdann, rdheader, rdrecord } from './wfdb-files.ts';

const CACHE_VERSION = 4; // bump whenever what a cached dataset holds (splits included) changes

/**
 * Options of loadDataset: the dataset options, the database folder, and the cache folder and whether to use
 * it.
 */
export interface LoadDatasetOptions extends DatasetOptions {
  /** Database folder (default: resolveDataDir()). */
  data?: string;
  /** Cache folder (default $ECGRAD_CACHE, else .cache/ecgrad). */
  cacheDir?: string;
  /** Read and write the cache (default true). */
  cache?: boolean;
}

/**
 * What loadDataset returns: the dataset, whether it came from the cache, the seconds taken and the cache
 * file.
 */
export interface LoadedDataset {
  dataset: BeatDataset;
  fromCache: boolean;
  seconds: number;
  /** The cache file used or written (undefined with cache: false). */
  cachePath: string | undefined;
}

/** The dataset cache folder: $ECGRAD_CACHE when set, else .cache/ecgrad (absolute paths). */
export function defaultCacheDir(): string {
  return process.env.ECGRAD_CACHE ? resolve(process.env.ECGRAD_CACHE) : resolve('.cache/ecgrad');
}

function cacheKey(protocol: string, dir: string, records: readonly string[], options: DatasetOptions): string {
  const files: [string, number, number][] = [];
  for (const r of records) {
    const names = new Set([`${r}.hea`, `${r}.atr`, ...rdheader(join(dir, r)).signals.map((s) => s.fileName)]);
    for (const f of names) {
      const st = statSync(join(dir, f));
      files.push([f, st.size, st.mtimeMs]);
    }
  }
  const canonical = JSON.stringify({ v: CACHE_VERSION, protocol, options: sortKeys(withoutDefaults(options)), files });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 20);
}

/** Options spelled out at their defaults name the same dataset as options left out: one cache file. */
const DEFAULTS: Record<string, unknown> = { window: 'kachuee', leads: 'mlii', peaks: 'reference', rrSet: 'local' };

function withoutDefaults(options: DatasetOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => v !== undefined && DEFAULTS[k] !== v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** The cache file for a protocol and options (it changes when options or source files change). */
export function datasetCachePath(protocolName: ProtocolName, options: LoadDatasetOptions = {}): string {
  const { data, cacheDir, cache: _cache, ...dsOptions } = options;
  const protocol = getProtocol(protocolName, dsOptions.records);
  const key = cacheKey(protocol.name, resolveDataDir(data), protocol.records, { seed: 0, ...dsOptions });
  return join(cacheDir ? resolve(cacheDir) : defaultCacheDir(), `${protocol.name}-${key}.bin`);
}

/**
 * Builds a protocol's beat dataset from the WFDB files in the data folder (resolveDataDir), or reads it from
 * the on-disk cache when a file for the same protocol and options is there (and writes it after building). A
 * damaged cache file is rebuilt (with a warning); a record file that cannot be read throws.
 */
export function loadDataset(protocolName: ProtocolName, options: LoadDatasetOptions = {}): LoadedDataset {
  const t0 = performance.now();
  const { data, cacheDir: _dir, cache = true, ...dsOptions } = options;
  const protocol = getProtocol(protocolName, dsOptions.records);
  const dir = resolveDataDir(data);
  const seconds = () => Math.round(performance.now() - t0) / 1000;
  let cachePath: string | undefined;
  if (cache) {
    cachePath = datasetCachePath(protocolName, options);
    if (existsSync(cachePath)) {
      const b = readFileSync(cachePath);
      try {
        const dataset = deserializeDataset(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), cachePath);
        return { dataset, fromCache: true, seconds: seconds(), cachePath };
      } catch (e) {
        // A damaged or foreign cache file is only a cache: rebuild it (and say so) rather than fail.
        if (!(e instanceof DatasetFileError)) throw e;
        console.warn(`ecgrad: ${e.message}; rebuilding it`);
      }
    }
  }
  const dataset = buildDataset(protocol.name, (name) => ({ record: rdrecord(join(dir, name)), annotations: rdann(join(dir, name), 'atr') }), dsOptions);
  if (cachePath) {
    mkdirSync(join(cachePath, '..'), { recursive: true });
    const tmp = `${cachePath}.${process.pid}.tmp`;
    writeFileSync(tmp, serializeDataset(dataset));
    renameSync(tmp, cachePath);
  }
  return { dataset, fromCache: false, seconds: seconds(), cachePath };
}
