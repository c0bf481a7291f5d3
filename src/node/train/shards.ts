// Sharded runs: `ecgrad compare --shard i/n` runs a deterministic share of a comparison's jobs and
// writes a shard folder (its model files and shard.json); `ecgrad merge` checks that a set of shard
// folders is one complete run (same run key: settings, model list, ecgrad version and source commit;
// every shard once) and writes the report the unsharded run writes. The split is the longest-first
// schedule of compare: jobs in decreasing estimated cost, each to the shard with the least cost so far
// (ties to the lower shard), so shards finish close together; nothing depends on timing or on the
// machine, so every pod of a cluster job computes the same split.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReportRow } from '../../report/types.ts';
import { jobNames } from '../../report/seeds.ts';
import { atomicWrite } from './files.ts';

/** A shard of a run: index 1..count. */
export interface Shard {
  index: number;
  count: number;
}

/** Thrown for a bad --shard value or a set of shard folders that is not one complete run. */
export class ShardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardError';
  }
}

/** Parses "i/n" (1 <= i <= n, n <= 10,000). */
export function parseShard(text: string, command: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new ShardError(`${command}: --shard must be i/n (shard i of n, counted from 1), got "${text}"`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || count > 10_000) throw new ShardError(`${command}: --shard ${text}: the shard count must be 1..10000`);
  if (index < 1 || index > count) throw new ShardError(`${command}: --shard ${text}: the shard index must be 1..${count} (shards are counted from 1)`);
  return { index, count };
}

/**
 * The job indices of every shard: longest first, each to the least-loaded shard (ties: the lower
 * shard; equal costs keep the given order). Each shard's list is in the given (report) order.
 */
export function assignShards(costs: number[], count: number): number[][] {
  const order = costs.map((_, i) => i).sort((a, b) => costs[b]! - costs[a]! || a - b);
  const load = new Array<number>(count).fill(0);
  const out: number[][] = Array.from({ length: count }, () => []);
  for (const i of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s]! < load[best]!) best = s;
    out[best]!.push(i);
    load[best]! += costs[i]!;
  }
  for (const l of out) l.sort((a, b) => a - b);
  return out;
}

/** The package's version and source commit ($ECGRAD_COMMIT, else git in the package folder, else "unknown"). */
export function sourceIdentity(): { version: string; commit: string } {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  let version = 'unknown';
  try {
    version = String((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    // not in a package folder
  }
  let commit = process.env.ECGRAD_COMMIT ?? '';
  if (!commit) {
    try {
      commit = execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    } catch {
      commit = 'unknown';
    }
  }
  return { version, commit };
}

/** What identifies a run: shards merge only when their keys are equal. */
export function runKey(parts: { command: string; settings: unknown; models: string[]; seeds?: number[]; version: string; commit: string }): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/** shard.json: one shard's results and what the merge needs to rebuild the run's report. */
export interface ShardFile {
  format: 'ecgrad-shard';
  formatVersion: 1;
  command: 'compare';
  runKey: string;
  version: string;
  commit: string;
  shard: Shard;
  /** Every model of the run, in report order, and the jobs this shard ran (jobNames: the models, or `<model>.seed<k>` with seeds). */
  models: string[];
  assigned: string[];
  /** compare --seeds: every job is a model and a seed. */
  seeds?: number[];
  /** The run's job settings (as compare parsed them) and its notes before any result. */
  settings: Record<string, unknown>;
  notes: string[];
  workersOption: number;
  rows: ReportRow[];
  failed: string[];
  beats: { train: number; val: number; test: number } | null;
  perModelSeconds: Record<string, number>;
  wallSeconds: number;
}

export const SHARD_FILE = 'shard.json';

export function writeShardFile(dir: string, file: ShardFile): void {
  atomicWrite(join(dir, SHARD_FILE), `${JSON.stringify(file, null, 2)}\n`);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Reads and checks a shard folder's shard.json. */
export function readShardFile(dir: string): ShardFile {
  const path = join(dir, SHARD_FILE);
  if (!existsSync(path)) throw new ShardError(`merge: ${dir} is not a shard folder (no ${SHARD_FILE}); give the --out folders of compare --shard runs`);
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ShardError(`merge: ${path} is not valid JSON (${(e as Error).message}); the shard folder is damaged: run that shard again`);
  }
  const bad = (what: string): never => {
    throw new ShardError(`merge: ${path}: ${what}; the shard folder is damaged or from another ecgrad version: run that shard again`);
  };
  if (!isObject(j) || j.format !== 'ecgrad-shard') bad('not an ecgrad shard file');
  const f = j as Record<string, unknown>;
  if (f.formatVersion !== 1) bad(`format version ${String(f.formatVersion)}, expected 1`);
  if (f.command !== 'compare') bad(`command ${String(f.command)}, expected compare`);
  for (const k of ['runKey', 'version', 'commit']) if (typeof f[k] !== 'string') bad(`"${k}" is not a string`);
  const s = f.shard as Shard;
  if (!isObject(s) || !Number.isInteger(s.index) || !Number.isInteger(s.count) || s.index < 1 || s.index > s.count) bad('"shard" is not {index, count} with 1 <= index <= count');
  if (!isStrings(f.models) || !isStrings(f.assigned) || !isStrings(f.notes) || !isStrings(f.failed)) bad('"models", "assigned", "notes" or "failed" is not a list of strings');
  if (f.seeds !== undefined && (!Array.isArray(f.seeds) || !f.seeds.length || !f.seeds.every((x) => Number.isSafeInteger(x) && x >= 0) || new Set(f.seeds).size !== f.seeds.length)) bad('"seeds" is not a list of distinct non-negative integers');
  const jobs = jobNames(f.models as string[], f.seeds as number[] | undefined);
  if (!(f.assigned as string[]).every((m) => jobs.includes(m))) bad('a job in "assigned" is not a job of the run');
  if (!isObject(f.settings) || !isObject(f.perModelSeconds) || !Array.isArray(f.rows)) bad('"settings", "perModelSeconds" or "rows" is missing');
  for (const row of f.rows as unknown[]) {
    const r = row as Record<string, unknown>;
    if (!isObject(row) || typeof r.name !== 'string' || !(f.assigned as string[]).includes(r.name) || !isObject(r.metrics)) bad('a row is not a report row of an assigned model');
    const file = r.file;
    if (file !== undefined && (typeof file !== 'string' || /[\\/]/.test(file) || !existsSync(join(dir, file)))) bad(`the model file of row ${String(r.name)} is missing from the folder`);
  }
  if (f.beats !== null && !isObject(f.beats)) bad('"beats" is malformed');
  if (typeof f.wallSeconds !== 'number' || typeof f.workersOption !== 'number') bad('"wallSeconds" or "workersOption" is not a number');
  return f as unknown as ShardFile;
}

/** What every kind of shard file has: the run key, the source identity and the shard. */
interface ShardIdentity {
  runKey: string;
  version: string;
  commit: string;
  shard: Shard;
}

/** Checks that `shards` are every shard of one run (same key and count), once each; returns them by shard index. */
export function checkShardIndices<F extends ShardIdentity>(shards: { dir: string; file: F }[]): { dir: string; file: F }[] {
  if (!shards.length) throw new ShardError('merge: give the shard folders to merge');
  const first = shards[0]!;
  const count = first.file.shard.count;
  for (const s of shards) {
    if (s.file.runKey !== first.file.runKey) {
      const why = s.file.commit !== first.file.commit || s.file.version !== first.file.version
        ? `ecgrad ${s.file.version} at commit ${s.file.commit.slice(0, 12)} against ${first.file.version} at ${first.file.commit.slice(0, 12)}`
        : 'different settings or model lists';
      throw new ShardError(`merge: ${s.dir} and ${first.dir} are shards of different runs (${why}); merge the shards of one command`);
    }
    if (s.file.shard.count !== count) throw new ShardError(`merge: ${s.dir} is shard ${s.file.shard.index}/${s.file.shard.count}, ${first.dir} is of ${count} shards`);
  }
  const byIndex = new Map<number, { dir: string; file: F }>();
  for (const s of shards) {
    const other = byIndex.get(s.file.shard.index);
    if (other) throw new ShardError(`merge: ${s.dir} and ${other.dir} are both shard ${s.file.shard.index}/${count}`);
    byIndex.set(s.file.shard.index, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) throw new ShardError(`merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing; run ${missing.length > 1 ? 'them' : 'it'} and merge all ${count}`);
  return Array.from({ length: count }, (_, i) => byIndex.get(i + 1)!);
}

/** checkShardIndices, and every model of the run run by exactly one shard. */
export function checkShardSet(shards: { dir: string; file: ShardFile }[]): { dir: string; file: ShardFile }[] {
  const ordered = checkShardIndices(shards);
  const seen = new Set<string>();
  for (const s of ordered) for (const m of s.file.assigned) {
    if (seen.has(m)) throw new ShardError(`merge: model ${m} was run by two shards; the shard folders are damaged`);
    seen.add(m);
  }
  const lost = jobNames(ordered[0]!.file.models, ordered[0]!.file.seeds).filter((m) => !seen.has(m));
  if (lost.length) throw new ShardError(`merge: no shard ran ${lost.join(', ')}; the shard folders are damaged`);
  return ordered;
}
