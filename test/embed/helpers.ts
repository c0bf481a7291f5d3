// Helpers of the embedding tests: a small random-weight model file, and reading an MIT-BIH record's
// MLII lead through the browser-safe WFDB reader.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync, encodeModel, modelSpec, parseHeader, readRecord, type WfdbRecord } from '../../src/all.ts';
import { mitdbDir } from '../ecg/helpers.ts';

export { mitdbDir };

/** An arrhythminet-v2 model (random weights, seeded) for 187-sample beats at 125 Hz with RR features, as file bytes. */
export function smallModelBytes(opts: { classes?: number; length?: number; rr?: number; arch?: string; seed?: number; channels?: number } = {}): Uint8Array {
  initSync();
  const classes = opts.classes ?? 5, rr = opts.rr ?? 6;
  const config = { length: opts.length ?? 187, channels: opts.channels ?? 1, classes, rrFeatures: rr, fs: 125, seed: opts.seed ?? 1 };
  const arch = opts.arch ?? 'arrhythminet-v2';
  const model = modelSpec(arch).build(config);
  model.eval();
  return encodeModel(model, { arch, config, meta: { classes: ['N', 'S', 'V', 'F', 'Q'].slice(0, classes), rr: rr > 0 } });
}

export function readMitdb(name: string): WfdbRecord {
  const dir = mitdbDir();
  const header = parseHeader(readFileSync(join(dir, `${name}.hea`), 'latin1'));
  return readRecord(header, (f) => new Uint8Array(readFileSync(join(dir, f))));
}

/** The record's MLII lead (signal 0 when it has none). */
export function mlii(rec: WfdbRecord): Float32Array {
  const i = rec.sigName.indexOf('MLII');
  return rec.pSignal[i >= 0 ? i : 0]!;
}
