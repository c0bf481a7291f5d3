// Named, seeded evaluation protocols on the MIT-BIH Arrhythmia Database.
//   intra: every beat of the 48 records in the five AAMI classes, stratified random split 70/10/20
//          (beats of one patient appear in train and test: the setting of most 98-99% accuracies).
//   inter: de Chazal, O'Dwyer & Reilly (2004) patient-wise split: train DS1, test DS2, paced records
//          102, 104, 107, 217 left out; validation = 4 of the 22 DS1 records, drawn by the seed among the
//          draws that hold at least 40 S and 40 V beats while leaving at least 60% of DS1's S, V and F beats
//          for training (so model selection sees the minority classes without starving training of them).
//   arrhythminet: N, L, R, A and V beats of the 48 records, stratified random split 70/10/20.
import { Rng } from '../../core/random.ts';
import { MITDB_RECORDS } from '../mitdb.ts';
import { AAMI, ARRHYTHMINET, type LabelScheme } from './labels.ts';
import { recordSplit, type Splits, stratifiedSplit } from './split.ts';

/**
 * The 22 training records of de Chazal et al.'s (2004) inter-patient split of MIT-BIH (paced records left
 * out).
 */
export const DS1: readonly string[] = ['101', '106', '108', '109', '112', '114', '115', '116', '118', '119', '122', '124', '201', '203', '205', '207', '208', '209', '215', '220', '223', '230'];
/**
 * The 22 test records of de Chazal et al.'s (2004) inter-patient split of MIT-BIH (paced records left out).
 */
export const DS2: readonly string[] = ['100', '103', '105', '111', '113', '117', '121', '123', '200', '202', '210', '212', '213', '214', '219', '221', '222', '228', '231', '232', '233', '234'];

/** The protocols' names (a literal union, so a typo such as loadDataset('intar') does not compile). */
export type ProtocolName = 'intra' | 'inter' | 'arrhythminet';

/**
 * An evaluation protocol: its records, label scheme and how it splits the beats into train, validation and
 * test.
 */
export interface Protocol {
  name: ProtocolName;
  description: string;
  scheme: LabelScheme;
  records: readonly string[];
  /** Splits the rows (y: class, record: index into `records`) reproducibly from the seed. */
  split(y: Int32Array, record: Int32Array, seed: number): Splits;
}

/** Minimum S and V beats in the inter validation records, and the most of DS1's S, V and F beats they may take. */
export const INTER_VAL_RULE = { minS: 40, minV: 40, maxShare: 0.4 } as const;

/**
 * The 4 DS1 records used for validation in the inter protocol with this seed: the first seeded draw of
 * 4 records that satisfies INTER_VAL_RULE given per-record [S, V, F] beat counts (without counts: the
 * first draw).
 */
export function interValidationRecords(seed: number, svfCounts?: ReadonlyMap<string, readonly number[]>, train: readonly string[] = DS1): string[] {
  const rng = new Rng(seed);
  let first: string[] | null = null;
  const sum = (names: readonly string[], k: number) => names.reduce((a, r) => a + (svfCounts?.get(r)?.[k] ?? 0), 0);
  for (let attempt = 0; attempt < 10000; attempt++) {
    const pick = (rng.shuffle(train.slice()) as string[]).slice(0, 4).sort();
    first ??= pick;
    if (!svfCounts) return pick;
    const [s, v] = [sum(pick, 0), sum(pick, 1)];
    const shareOk = [0, 1, 2].every((k) => sum(pick, k) <= INTER_VAL_RULE.maxShare * sum(train, k));
    if (s >= INTER_VAL_RULE.minS && v >= INTER_VAL_RULE.minV && shareOk) return pick;
  }
  return first!;
}

/**
 * The evaluation protocols by name: 'intra' (all 48 records, AAMI classes, stratified 70/10/20 beat split),
 * 'inter' (train on DS1, test on DS2: by patient) and 'arrhythminet' (all 48 records, beat types N/L/R/A/V).
 */
export const PROTOCOLS: Readonly<Record<Protocol['name'], Protocol>> = {
  intra: {
    name: 'intra',
    description: 'all 48 records, AAMI classes N/S/V/F/Q, stratified random beat split 70/10/20',
    scheme: AAMI,
    records: MITDB_RECORDS,
    split: (y, _record, seed) => stratifiedSplit(y, AAMI.classes.length, seed),
  },
  inter: interProtocol(DS1, DS2),
  arrhythminet: {
    name: 'arrhythminet',
    description: 'all 48 records, beat types N/L/R/A/V, stratified random beat split 70/10/20',
    scheme: ARRHYTHMINET,
    records: MITDB_RECORDS,
    split: (y, _record, seed) => stratifiedSplit(y, ARRHYTHMINET.classes.length, seed),
  },
};

/** Which records train and which test, for the patient-wise (inter) protocol. */
export interface RecordLists {
  train: readonly string[];
  test: readonly string[];
}

/**
 * The inter protocol on other record lists: `train` (4 of them held out for validation by
 * INTER_VAL_RULE) and `test`. The defaults DS1 / DS2 give de Chazal's split.
 */
export function interProtocol(train: readonly string[], test: readonly string[]): Protocol {
  const records = [...train, ...test].sort();
  return {
    name: 'inter',
    description: train === DS1 && test === DS2
      ? 'de Chazal et al. (2004): train DS1 (22 records, 4 of them held out for validation), test DS2 (22 records), paced records excluded, AAMI classes'
      : `patient-wise: train ${train.length} records (4 of them held out for validation), test ${test.length} records, AAMI classes`,
    scheme: AAMI,
    records,
    split: (y, record, seed) => {
      const svf = new Map<string, number[]>(); // per record: [S, V, F] beats (class indices 1, 2, 3)
      for (let i = 0; i < y.length; i++) {
        const name = records[record[i]!]!;
        const c = svf.get(name) ?? [0, 0, 0];
        if (y[i]! >= 1 && y[i]! <= 3) c[y[i]! - 1]!++;
        svf.set(name, c);
      }
      const val = interValidationRecords(seed, svf, train);
      return recordSplit(record, records, { train: train.filter((r) => !val.includes(r)), val, test });
    },
  };
}

/** Checks record lists (known MIT-BIH records, none twice, none in both, at least 5 to train on); the error says which. */
export function checkRecordLists(lists: RecordLists): void {
  const known = new Set(MITDB_RECORDS);
  for (const [which, list] of [['train', lists.train], ['test', lists.test]] as const) {
    const unknown = list.filter((r) => !known.has(r));
    if (unknown.length) throw new RangeError(`the ${which} records name ${unknown.map((r) => `"${r}"`).join(', ')}, not a record of the MIT-BIH Arrhythmia Database (records: ${MITDB_RECORDS.join(', ')})`);
    const twice = list.filter((r, i) => list.indexOf(r) !== i);
    if (twice.length) throw new RangeError(`the ${which} records list ${[...new Set(twice)].join(', ')} more than once`);
    if (!list.length) throw new RangeError(`the ${which} record list is empty`);
  }
  const both = lists.train.filter((r) => lists.test.includes(r));
  if (both.length) throw new RangeError(`records ${both.join(', ')} are in both the train and the test list (a patient-wise split keeps them apart)`);
  if (lists.train.length < 5) throw new RangeError(`the train list has ${lists.train.length} records; it needs at least 5 (4 are held out for validation)`);
}

/** The protocol `name`, on the given record lists when there are some (inter only). */
export function getProtocol(name: ProtocolName, lists?: RecordLists): Protocol {
  const p = (PROTOCOLS as Record<string, Protocol>)[name];
  if (!p) throw new Error(`unknown protocol "${name}"; protocols: ${Object.keys(PROTOCOLS).join(', ')}`);
  if (!lists) return p;
  if (p.name !== 'inter') throw new RangeError(`record lists (train and test records) apply to the patient-wise protocol inter, not ${p.name} (whose split is by beats)`);
  checkRecordLists(lists);
  return interProtocol(lists.train, lists.test);
}
