// Node helpers for replay banks (src/train/replay-bank.ts): the replay beats `ecgrad personalize` mixes
// into fine-tuning (a stratified sample of the model's protocol training split, at least 50 beats per
// class where there are so many), built once here for both `ecgrad personalize` and `ecgrad replay-bank`,
// and the bank's file read (errors name the path) and written atomically.
import { readFileSync } from 'node:fs';
import { loadDataset } from './dataset.ts';
import { writeFileAtomic } from './model-io.ts';
import { datasetOptionsOf } from '../ecg/dataset/dataset-meta.ts';
import type { ProtocolName } from '../ecg/dataset/protocols.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import type { ModelHeader } from '../nn/model-file.ts';
import { stratifiedSubset } from '../train/subset.ts';
import { datasetBeats } from '../train/wearer.ts';
import { decodeReplayBank, encodeReplayBank, ReplayBankError, replayBankKeyOf, type ReplayBank } from '../train/replay-bank.ts';

/** Fewest replay beats per class (all of a smaller class), as `ecgrad personalize` has always drawn them. */
export const REPLAY_MIN_PER_CLASS = 50;

/** The replay rows of a dataset: `beats` rows of its training split, stratified, drawn with `seed` (at least REPLAY_MIN_PER_CLASS per class). */
export function replayRowsOf(ds: Pick<BeatDataset, 'y' | 'split'>, beats: number, seed: number): Int32Array {
  return stratifiedSubset(ds.y, ds.split.train, beats, seed, REPLAY_MIN_PER_CLASS);
}

/**
 * The replay beats of a model: `beats` beats of its protocol's training split (the dataset rebuilt with the
 * model's dataset options, dataset seed 0), a stratified sample drawn with `seed`. Throws when the training
 * split is empty.
 */
export function buildReplayBank(header: Pick<ModelHeader, 'meta' | 'config'>, opts: { data: string; beats: number; seed: number; source?: string }): ReplayBank {
  const key = replayBankKeyOf(header, opts.source);
  const { dataset: ds } = loadDataset(key.protocol as ProtocolName, { data: opts.data, seed: 0, ...datasetOptionsOf(header.meta) });
  if (ds.split.train.length === 0) throw new Error(`the ${key.protocol} protocol's training split is empty, nothing to replay`);
  const rows = replayRowsOf(ds, opts.beats, opts.seed);
  const b = datasetBeats(ds, rows);
  const { rrFeatures: _n, ...rest } = key;
  return {
    beats: { x: b.x, rr: b.rr!, y: b.y as Int32Array },
    meta: { ...rest, rrFeatures: [...ds.rrFeatures], seed: opts.seed, count: rows.length, minPerClass: REPLAY_MIN_PER_CLASS },
  };
}

/** Reads a replay bank file; errors (unreadable file, bad bank) are ReplayBankErrors naming the path. */
export function readReplayBankFile(path: string): ReplayBank {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new ReplayBankError(path, `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return decodeReplayBank(bytes, path);
}

/** Writes a replay bank file atomically (a temporary file renamed into place). */
export function writeReplayBankFile(path: string, bank: ReplayBank): void {
  writeFileAtomic(path, encodeReplayBank(bank), 'replay-bank');
}
