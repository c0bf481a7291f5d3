// cv-shard.json: one shard of an `ecgrad cv --shard i/n` run (its folds' held-out predictions and what
// the merge needs to pool them), read and checked by `ecgrad merge`. The fold plans are not stored:
// they follow from the settings and the dataset, and merge recomputes and checks them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FoldsSpec } from '../../train/cv-folds.ts';
import { atomicWrite } from '../train/files.ts';
import { type Shard, ShardError } from '../train/shards.ts';

export const CV_SHARD_FILE = 'cv-shard.json';

export interface StoredFold {
  fold: number;
  rows: number[];
  pred: number[];
  trainBeats: number;
  valBeats: number;
  trainSeconds: number;
  bestEpoch?: number;
  epochsRun?: number;
  seconds: number;
}

export interface CvShardFile {
  format: 'ecgrad-cv-shard';
  formatVersion: 1;
  runKey: string;
  version: string;
  commit: string;
  shard: Shard;
  model: string;
  folds: FoldsSpec;
  foldCount: number;
  /** 0-based indices of the folds this shard ran, and their results in that order. */
  assigned: number[];
  results: StoredFold[];
  settings: Record<string, unknown>;
  /** The cv command line without --out, --shard and --json (the report's reproduction line). */
  argv: string[];
  workersOption: number;
  wallSeconds: number;
}

export function writeCvShardFile(dir: string, f: CvShardFile): void {
  atomicWrite(join(dir, CV_SHARD_FILE), `${JSON.stringify(f)}\n`);
}

const isInts = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));

export function readCvShardFile(dir: string): CvShardFile {
  const path = join(dir, CV_SHARD_FILE);
  const bad = (what: string): never => {
    throw new ShardError(`merge: ${path}: ${what}; the shard folder is damaged or from another ecgrad version: run that shard again`);
  };
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if (!existsSync(path)) throw new ShardError(`merge: ${dir} is not a cv shard folder (no ${CV_SHARD_FILE})`);
    return bad(`not valid JSON (${(e as Error).message})`);
  }
  const f = j as Partial<CvShardFile>;
  if (!f || typeof f !== 'object' || f.format !== 'ecgrad-cv-shard' || f.formatVersion !== 1) bad('not an ecgrad cv shard file of format version 1');
  for (const k of ['runKey', 'version', 'commit', 'model'] as const) if (typeof f[k] !== 'string') bad(`"${k}" is not a string`);
  const s = f.shard;
  if (!s || !Number.isInteger(s.index) || !Number.isInteger(s.count) || s.index < 1 || s.index > s.count) bad('"shard" is not {index, count}');
  if (!Number.isInteger(f.foldCount) || f.foldCount! < 1 || !isInts(f.assigned) || f.assigned.some((i) => i < 0 || i >= f.foldCount!)) bad('"foldCount" or "assigned" is malformed');
  if (!Array.isArray(f.results) || f.results.length !== f.assigned!.length) bad('"results" does not hold one result per assigned fold');
  f.results!.forEach((r, k) => {
    if (!r || r.fold !== f.assigned![k]! + 1 || !isInts(r.rows) || !isInts(r.pred) || r.rows.length !== r.pred.length || typeof r.seconds !== 'number') bad(`the result of fold ${f.assigned![k]! + 1} is malformed`);
  });
  if (!f.settings || typeof f.settings !== 'object' || !Array.isArray(f.argv) || typeof f.workersOption !== 'number' || typeof f.wallSeconds !== 'number') bad('"settings", "argv", "workersOption" or "wallSeconds" is missing');
  return f as CvShardFile;
}
