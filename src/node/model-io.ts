// Node helpers for model files: atomic save (temporary file + rename, so a crash never leaves a
// half-written model under the final name) and load with the file path named in every error.
import { readFileSync, renameSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { Module } from '../nn/module.ts';
import {
  decodeModel, encodeModel, loadModelState, ModelFileError, type EncodeOptions, type ModelHeader,
} from '../nn/model-file.ts';
import { loadModelBytes } from '../quant/load.ts';

/**
 * Writes a model as an .ecgm file (encodeModel) at `path`, atomically (a temporary file renamed into place),
 * creating the folder.
 */
export function saveModel(path: string, model: Module, opts: EncodeOptions): void {
  writeFileAtomic(path, encodeModel(model, opts), 'saveModel');
}

/** A model (or classifier) file's bytes; a file that cannot be read throws ModelFileError naming it and why. */
export function readModelFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new ModelFileError(path, `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Loads a file's values into an existing model (its architecture must match when `arch` is given). */
export function loadModelInto(path: string, model: Module, arch?: string): ModelHeader {
  const decoded = decodeModel(readModelFile(path), path);
  loadModelState(model, decoded, { arch, source: path });
  return decoded.header;
}

/** Builds a registered architecture from a model file: float (.ecgm) or int8-quantised (.ecgq). */
export function loadModel(path: string): { model: Module; header: ModelHeader; quantized: boolean } {
  return loadModelBytes(readModelFile(path), path);
}

/** Writes bytes atomically (temporary file + rename); errors name the path. */
export function writeFileAtomic(path: string, bytes: Uint8Array, what = 'writeFileAtomic'): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`${what}: cannot write ${path}: ${(e as Error).message}`);
  }
}
