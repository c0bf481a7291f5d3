// Record lists for the patient-wise protocol (--train-records / --test-records) and leads by signal name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DS1, DS2, getProtocol, interProtocol, PROTOCOLS } from '../../src/ecg/dataset/protocols.ts';
import { leadIndices, leadList } from '../../src/ecg/dataset/record-beats.ts';
import { datasetMeta, datasetOptionsOf } from '../../src/ecg/dataset/dataset-meta.ts';
import type { WfdbRecord } from '../../src/ecg/wfdb/record.ts';
import { DATA_SETTINGS, runSettings, recordLists } from '../../src/train/run-settings.ts';

const rec = (recordName: string, sigName: string[]) => ({ recordName, sigName, nSig: sigName.length }) as unknown as WfdbRecord;

test('the default inter protocol is de Chazal DS1 -> DS2; other lists split by record, 4 training records validate', () => {
  assert.equal(PROTOCOLS.inter.records, [...DS1, ...DS2].sort());
  const train = ['100', '101', '103', '105', '106', '108'], test = ['200', '201'];
  const p = getProtocol('inter', { train, test });
  assert.equal(p.records, [...train, ...test].sort());
  const record = Int32Array.from(p.records.flatMap((_, r) => [r, r, r]));
  const y = new Int32Array(record.length);
  const s = p.split(y, record, 0);
  const names = (rows: Int32Array) => [...new Set(Array.from(rows, (i) => p.records[record[i]!]!))].sort();
  assert.equal(names(s.test), test);
  assert.is(names(s.val).length, 4);
  assert.equal([...names(s.train), ...names(s.val)].sort(), train);
  assert.equal(interProtocol(DS1, DS2).split(y.subarray(0, 0), record.subarray(0, 0), 0).test.length, 0);
});

test('bad record lists are refused with the reason: unknown, twice, in both, too few, not inter', () => {
  assert.throws(() => getProtocol('inter', { train: ['100', '999', '101', '103', '105'], test: ['200'] }), /train records name "999", not a record of the MIT-BIH/);
  assert.throws(() => getProtocol('inter', { train: ['100', '100', '101', '103', '105'], test: ['200'] }), /train records list 100 more than once/);
  assert.throws(() => getProtocol('inter', { train: ['100', '101', '103', '105', '106'], test: ['100'] }), /records 100 are in both the train and the test list/);
  assert.throws(() => getProtocol('inter', { train: ['100', '101'], test: ['200'] }), /needs at least 5/);
  assert.throws(() => getProtocol('intra', { train: DS1, test: DS2 }), /apply to the patient-wise protocol inter, not intra/);
});

test('record-list settings: DS1/DS2 names expand, bad lists fail as settings, defaults are DS1/DS2', () => {
  assert.equal(DATA_SETTINGS.trainRecords.parse('DS1'), DS1);
  assert.equal(DATA_SETTINGS.testRecords.parse('100, 103,ds2'), ['100', '103', ...DS2]);
  assert.is(recordLists({}), undefined);
  assert.equal(recordLists({ testRecords: ['100'] }), { train: DS1, test: ['100'] });
  assert.throws(() => runSettings({ protocol: 'inter', testRecords: ['101'] }), /test-records is not usable \(records 101 are in both/);
  assert.throws(() => runSettings({ protocol: 'intra', trainRecords: ['101'] }), /train-records is not usable/);
});

test('leads by signal name with the first/second aliases; a missing lead names the record and its signals', () => {
  const r100 = rec('100', ['MLII', 'V5']), r114 = rec('114', ['V5', 'MLII']), r102 = rec('102', ['V5', 'V2']);
  assert.equal(leadIndices(r100), [0]);
  assert.equal(leadIndices(r114, 'mlii'), [1]);
  assert.equal(leadIndices(r114, 'both'), [1, 0]);
  assert.equal(leadIndices(r102, 'both'), [0, 1], 'no MLII: signal 0 first');
  assert.equal(leadIndices(r100, ['V5', 'MLII']), [1, 0]);
  assert.throws(() => leadIndices(r100, ['MLII', 'V1']), /record 100 has no lead "V1"; its signals are MLII, V5/);
  assert.throws(() => leadIndices(rec('x', ['MLII']), 'both'), /record x has no lead besides its first; its signals are MLII/);
  assert.throws(() => leadIndices(r100, ['MLII', 'first']), /name the signal MLII of record 100 twice/);
  assert.equal([leadList(), leadList('both'), leadList(['V1'])], [['first'], ['first', 'second'], ['V1']]);
  assert.equal(DATA_SETTINGS.leads.parse('MLII, V1'), ['MLII', 'V1']);
  assert.is(DATA_SETTINGS.leads.parse('both'), 'both');
  assert.throws(() => DATA_SETTINGS.leads.parse(','), /leads must be "mlii", "both" or signal names/);
});

test('model metadata records non-default leads and record lists, and gives them back', () => {
  assert.equal(datasetMeta({}), {});
  assert.equal(datasetMeta({ rrSet: 'local', leads: 'mlii' }), {});
  const meta = datasetMeta({ rrSet: 'patient', leads: ['MLII', 'V1'], records: { train: DS1, test: ['100'] } });
  assert.equal(datasetOptionsOf(JSON.parse(JSON.stringify(meta))), { rrSet: 'patient', leads: ['MLII', 'V1'], records: { train: DS1.slice(), test: ['100'] } });
  assert.throws(() => datasetOptionsOf({ leads: 3 }), /metadata has leads 3/);
  assert.throws(() => datasetOptionsOf({ records: { train: 'DS1' } }), /metadata has records/);
});

test('protocol names are a literal union: a typo does not compile, and at run time it is a clear error', () => {
  // @ts-expect-error: 'intar' is not a ProtocolName (tsc --noEmit over test/ fails if this compiles)
  assert.throws(() => getProtocol('intar'), /unknown protocol "intar"; protocols: intra, inter, arrhythminet/);
});

test.run();
