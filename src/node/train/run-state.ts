// What lets `compare --resume` continue a run: compare.json (the run's key: settings, models, ecgrad
// version and commit) and one <model>.result.json per finished model (its report row, beats and
// seconds), written atomically as each model finishes. An interrupted neural model resumes from its
// checkpoint (<model>.ckpt); a model with neither starts afresh.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportRow } from '../../report/types.ts';
import { atomicWrite } from './files.ts';

export const RUN_FILE = 'compare.json';

export interface RunState {
  format: 'ecgrad-compare-run';
  runKey: string;
  models: string[];
}

export interface StoredResult {
  runKey: string;
  model: string;
  seconds: number;
  row: ReportRow;
  beats: { train: number; val: number; test: number };
}

const readJson = (path: string): unknown => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
};

export function writeRunState(dir: string, state: Omit<RunState, 'format'>): void {
  atomicWrite(join(dir, RUN_FILE), `${JSON.stringify({ format: 'ecgrad-compare-run', ...state }, null, 2)}\n`);
}

/** The run state of a folder: undefined if it holds none, 'damaged' if compare.json is unreadable. */
export function readRunState(dir: string): RunState | 'damaged' | undefined {
  const path = join(dir, RUN_FILE);
  if (!existsSync(path)) return undefined;
  const j = readJson(path) as Partial<RunState> | undefined;
  return j && j.format === 'ecgrad-compare-run' && typeof j.runKey === 'string' && Array.isArray(j.models) ? (j as RunState) : 'damaged';
}

export const resultFile = (model: string) => `${model}.result.json`;

export function writeResult(dir: string, r: StoredResult): void {
  atomicWrite(join(dir, resultFile(r.model)), `${JSON.stringify(r)}\n`);
}

/** A finished model's stored result, if it belongs to this run and its model file is still there. */
export function readResult(dir: string, runKey: string, model: string): StoredResult | undefined {
  const j = readJson(join(dir, resultFile(model))) as Partial<StoredResult> | undefined;
  if (!j || j.runKey !== runKey || j.model !== model || typeof j.seconds !== 'number' || !j.row || !j.beats) return undefined;
  if (j.row.file && !existsSync(join(dir, j.row.file))) return undefined;
  return j as StoredResult;
}
