// A wearer's beats the way a model file's dataset built them (browser-safe): the model's metadata names
// the protocol (hence the label scheme) and the dataset options (beat-feature set, leads); the beats
// come from the same recordBeats() that builds every protocol dataset, so the windows and features
// match the training data exactly. Plus the adaptive protocol's cut: the beats of the first N minutes
// (labelled, to personalise on) and the rest (to test on).
import type { Annotations } from '../ecg/wfdb/annotations.ts';
import type { WfdbRecord } from '../ecg/wfdb/record.ts';
import { getProtocol, type ProtocolName } from '../ecg/dataset/protocols.ts';
import { datasetOptionsOf } from '../ecg/dataset/dataset-meta.ts';
import { recordBeats, type RecordBeats } from '../ecg/dataset/record-beats.ts';
import type { BeatDataset } from '../ecg/dataset/dataset.ts';
import type { ModelHeader } from '../nn/model-file.ts';
import { PersonalizeError, type LabelledBeats } from './personalize.ts';

/** The beats of one record built with the options the model was trained with (labels from the annotations). */
export function wearerBeats(header: Pick<ModelHeader, 'meta' | 'config'>, record: WfdbRecord, annotations: Annotations): RecordBeats {
  const protocol = header.meta.protocol;
  if (typeof protocol !== 'string') throw new PersonalizeError('the model file does not record the protocol it was trained on (meta.protocol), so its label scheme is unknown');
  let scheme;
  try {
    scheme = getProtocol(protocol as ProtocolName).scheme;
  } catch {
    throw new PersonalizeError(`the model file names an unknown protocol ${JSON.stringify(protocol)}`);
  }
  const { records: _lists, ...options } = datasetOptionsOf(header.meta);
  const beats = recordBeats(record, annotations, scheme, options);
  const cfg = header.config as { length?: number; channels?: number; rrFeatures?: number };
  if (cfg.length !== beats.length || cfg.channels !== beats.channels)
    throw new PersonalizeError(`record ${record.recordName} gives beats of ${beats.channels} x ${beats.length}, the model takes ${cfg.channels} x ${cfg.length}`);
  if ((cfg.rrFeatures ?? 0) > 0 && cfg.rrFeatures !== beats.rrFeatures.length)
    throw new PersonalizeError(`the model takes ${cfg.rrFeatures} beat features, the record's beats have ${beats.rrFeatures.length}`);
  return beats;
}

/** Row indices of beats whose R peak lies before `minutes` (at the record's rate `fs`) and of the others. */
export function splitAtMinutes(sample: Int32Array, fs: number, minutes: number): { first: Int32Array; rest: Int32Array } {
  if (!(minutes > 0 && Number.isFinite(minutes))) throw new PersonalizeError(`minutes must be a positive number, got ${minutes}`);
  const cut = minutes * 60 * fs;
  const first: number[] = [], rest: number[] = [];
  for (let i = 0; i < sample.length; i++) (sample[i]! < cut ? first : rest).push(i);
  return { first: Int32Array.from(first), rest: Int32Array.from(rest) };
}

/** The given rows of a record's beats (or of a dataset) as labelled beats for personalize(). */
export function takeBeats(b: Pick<RecordBeats, 'x' | 'rr' | 'y' | 'channels' | 'length'> & { rrFeatures: readonly string[] }, rows: ArrayLike<number>): LabelledBeats {
  const per = b.channels * b.length, R = b.rrFeatures.length;
  const x = new Float32Array(rows.length * per), rr = new Float32Array(rows.length * R), y = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    x.set(b.x.subarray(i * per, (i + 1) * per), k * per);
    rr.set(b.rr.subarray(i * R, (i + 1) * R), k * R);
    y[k] = b.y[i]!;
  }
  return { x, rr, y };
}

/** Rows of a dataset as labelled beats (e.g. a replay set drawn from its training split). */
export function datasetBeats(ds: BeatDataset, rows: ArrayLike<number>): LabelledBeats {
  return takeBeats(ds, rows);
}
