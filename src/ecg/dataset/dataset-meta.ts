// What a model file records of the dataset it was trained on (its metadata's rrSet, leads, record
// lists and window kind when it is 'causal'), and the dataset options that rebuild that dataset for evaluate, explain and quantize. Only
// what differs from the defaults is written, so files of default runs stay as they were.
import { isRrSet, RR_SETS, type RrSet } from './beat-features.ts';
import type { DatasetOptions } from './dataset.ts';
import type { RecordLists } from './protocols.ts';
import type { Leads } from './record-beats.ts';

/**
 * The dataset options a model file's metadata records when they differ from the defaults (beat-feature set,
 * leads, record lists, the causal window), as datasetOptionsOf returns them.
 */
export type DatasetMetaOptions = { rrSet?: Exclude<RrSet, 'local'>; leads?: Leads; records?: RecordLists; window?: 'causal' };

/** The window kinds a model file's metadata may name ('kachuee' is the default, written as nothing). */
export const WINDOW_KINDS = ['kachuee', 'causal'] as const;

/** The metadata entries of a dataset's options (none for the defaults). */
export function datasetMeta(options: Pick<DatasetOptions, 'rrSet' | 'leads' | 'records' | 'window'> | undefined): Record<string, unknown> {
  const o = options ?? {};
  return {
    ...(o.window === 'causal' ? { window: 'causal' } : {}),
    ...(o.rrSet && o.rrSet !== 'local' ? { rrSet: o.rrSet } : {}),
    ...(o.leads && o.leads !== 'mlii' ? { leads: o.leads } : {}),
    ...(o.records ? { records: { train: o.records.train.slice(), test: o.records.test.slice() } } : {}),
  };
}

/**
 * The dataset options a model file asks for (absent entries: the defaults). Throws for values this
 * version does not know.
 */
export function datasetOptionsOf(meta: Record<string, unknown>): DatasetMetaOptions {
  const out: DatasetMetaOptions = {};
  const w = meta.window;
  if (w !== undefined && w !== 'kachuee') {
    if (w !== 'causal') throw new RangeError(`the model file's metadata names an unknown window ${JSON.stringify(w)} (known: ${WINDOW_KINDS.join(', ')}); it needs a newer ecgrad`);
    out.window = 'causal';
  }
  const r = meta.rrSet;
  if (r !== undefined && r !== 'local') {
    if (!isRrSet(r)) throw new RangeError(`the model file's metadata names an unknown rrSet ${JSON.stringify(r)} (known: ${RR_SETS.join(', ')}); it needs a newer ecgrad`);
    out.rrSet = r as Exclude<RrSet, 'local'>;
  }
  const l = meta.leads;
  if (l !== undefined && l !== 'mlii') {
    if (!(l === 'both' || (Array.isArray(l) && l.length && l.every((n) => typeof n === 'string'))))
      throw new RangeError(`the model file's metadata has leads ${JSON.stringify(l)}; expected "mlii", "both" or a list of signal names`);
    out.leads = l as Leads;
  }
  const rec = meta.records as { train?: unknown; test?: unknown } | undefined;
  if (rec !== undefined) {
    const ok = (v: unknown) => Array.isArray(v) && v.every((n) => typeof n === 'string');
    if (!rec || typeof rec !== 'object' || !ok(rec.train) || !ok(rec.test))
      throw new RangeError(`the model file's metadata has records ${JSON.stringify(rec)}; expected {"train": [...], "test": [...]}`);
    out.records = { train: rec.train as string[], test: rec.test as string[] };
  }
  return out;
}
