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

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * A finished model's stored result, if it belongs to this run, is well formed and its model file is
 * still there; anything else (missing, damaged, another run's) is undefined: the model runs again.
 */
export function readResult(dir: string, runKey: string, model: string): StoredResult | undefined {
  const j = readJson(join(dir, resultFile(model)));
  if (!isObject(j) || j.runKey !== runKey || j.model !== model || typeof j.seconds !== 'number' || !Number.isFinite(j.seconds)) return undefined;
  const row = j.row, beats = j.beats;
  if (!isObject(row) || row.name !== model || !isObject(row.metrics) || !isObject(beats) || !isCount(beats.train) || !isCount(beats.val) || !isCount(beats.test)) return undefined;
  if (row.file !== undefined && (typeof row.file !== 'string' || row.file === '' || /[\\/]/.test(row.file) || !existsSync(join(dir, row.file)))) return undefined;
  return j as unknown as StoredResult;
}
