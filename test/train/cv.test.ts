// Patient-grouped cross-validation, the library part (src/train/cv-folds.ts, src/train/cv-report.ts):
// fold assignment (leave-one-record-out and N groups: deterministic from the seed, every record held out
// exactly once, nothing outside the given records), neural folds' validation records drawn from the
// fold's own training records, the class check, and the pooled / per-record report on a hand-computed case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assignFolds, FoldError, foldValidationRecords, parseFolds, planFolds, recordClassCounts } from '../../src/train/cv-folds.ts';
import { cvMarkdown, cvReport, cvTable } from '../../src/train/cv-report.ts';
import { DS1, DS2, INTER_VAL_RULE } from '../../src/ecg/dataset/protocols.ts';

const AAMI = ['N', 'S', 'V', 'F', 'Q'];

/** Per-record [N, S, V, F, Q] beat counts of DS1 (MIT-BIH, AAMI classes). */
const DS1_COUNTS = new Map<string, number[]>(Object.entries({
  101: [1860, 3, 0, 0, 2], 106: [1507, 0, 520, 0, 0], 108: [1740, 4, 17, 2, 0], 109: [2492, 0, 38, 2, 0], 112: [2537, 2, 0, 0, 0],
  114: [1820, 12, 43, 4, 0], 115: [1953, 0, 0, 0, 0], 116: [2302, 1, 109, 0, 0], 118: [2166, 96, 16, 0, 0], 119: [1543, 0, 444, 0, 0],
  122: [2476, 0, 0, 0, 0], 124: [1536, 31, 47, 5, 0], 201: [1635, 128, 198, 2, 0], 203: [2529, 2, 444, 1, 4], 205: [2571, 3, 71, 11, 0],
  207: [1543, 107, 210, 0, 0], 208: [1586, 2, 992, 373, 2], 209: [2621, 383, 1, 0, 0], 215: [3195, 3, 164, 1, 0], 220: [1954, 94, 0, 0, 0],
  223: [2045, 73, 473, 14, 0], 230: [2255, 0, 1, 0, 0],
}));

test('parseFolds: "records" or an integer >= 2', () => {
  assert.is(parseFolds('records'), 'records');
  assert.is(parseFolds(' 5 '), 5);
  for (const bad of ['1', '0', '2.5', 'loo', ''])
    assert.throws(() => parseFolds(bad), (e: Error) => e instanceof FoldError && /--folds must be "records".*or an integer >= 2/.test(e.message), bad);
});

test('leave-one-record-out: one fold per record, sorted, each held out once, training on the others', () => {
  const folds = assignFolds(DS1.slice().reverse(), 'records');
  assert.is(folds.length, 22);
  assert.equal(folds.map((f) => f.heldOut), DS1.slice().sort().map((r) => [r]));
  assert.is(folds[0]!.name, 'record 101');
  for (const f of folds) {
    assert.is(f.train.length, 21);
    assert.not.ok(f.train.includes(f.heldOut[0]!));
  }
});

test('N folds: deterministic from the seed, every record held out exactly once, sizes within one, no other records', () => {
  for (const n of [2, 5, 22]) {
    const a = assignFolds(DS1, n, 7), b = assignFolds(DS1.slice().reverse(), n, 7);
    assert.equal(a, b, 'the order of the given records does not matter');
    const held = a.flatMap((f) => f.heldOut).sort();
    assert.equal(held, DS1.slice().sort(), 'every record once');
    assert.ok(held.every((r) => !DS2.includes(r)));
    const sizes = a.map((f) => f.heldOut.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, sizes.join(','));
    for (const f of a) assert.equal([...f.train, ...f.heldOut].sort(), DS1.slice().sort());
  }
  assert.is(assignFolds(DS1, 5, 0)[2]!.name, 'fold 3 of 5');
  assert.not.equal(assignFolds(DS1, 5, 0), assignFolds(DS1, 5, 1), 'another seed deals the records otherwise');
  assert.throws(() => assignFolds(DS1, 23), /23 folds need at least 23 records; there are 22/);
  assert.throws(() => assignFolds(['101', '106', '101'], 'records'), /the records list 101 more than once/);
  assert.throws(() => assignFolds(['101'], 'records'), /at least 2 records/);
});

test('neural folds: validation records drawn from the fold\'s training records by the inter rule, never the held-out ones', () => {
  const plans = planFolds(DS1, 'records', { counts: DS1_COUNTS, classes: AAMI, neural: true, seed: 0 });
  for (const p of plans) {
    assert.is(p.val.length, 4, p.name);
    assert.ok(p.val.every((r) => p.train.includes(r) && !p.heldOut.includes(r)), p.name);
    assert.equal([...p.fit, ...p.val].sort(), p.train);
    const sum = (rs: string[], k: number) => rs.reduce((a, r) => a + DS1_COUNTS.get(r)![k]!, 0);
    assert.ok(sum(p.val, 1) >= INTER_VAL_RULE.minS && sum(p.val, 2) >= INTER_VAL_RULE.minV, p.name);
    for (let k = 0; k < 5; k++) assert.ok(sum(p.fit, k) > 0, `${p.name}: class ${AAMI[k]} left to train on`);
  }
  assert.equal(planFolds(DS1, 'records', { counts: DS1_COUNTS, classes: AAMI, neural: true, seed: 0 }), plans, 'deterministic');
  // Classifiers fit on all the fold's training records.
  for (const p of planFolds(DS1, 4, { counts: DS1_COUNTS, classes: AAMI, neural: false })) assert.equal([p.fit, p.val], [p.train, []]);
  assert.throws(() => foldValidationRecords(['101', '106', '108', '109'], DS1_COUNTS, AAMI), /at least 5 training records/);
});

test('a fold whose training records lack a class is an error naming the fold, its records and the class', () => {
  // Seed 1 deals the three DS1 records with Q beats (101, 203, 208) into the same one of 2 folds.
  assert.throws(() => planFolds(DS1, 2, { seed: 1, counts: DS1_COUNTS, classes: AAMI, neural: false }),
    (e: Error) => e instanceof FoldError && /^fold 1 of 2 \(holding out 101, 106, .*208.*\) would train on records 108, 109, .*, which hold no beat of class Q;/.test(e.message));
  assert.throws(() => planFolds(['101', '115', '122'], 'records', { counts: DS1_COUNTS, classes: AAMI, neural: false }), /record 101 \(holding out 101\) would train on records 115, 122, which hold no beat of classes S, V, F, Q/);
  assert.throws(() => planFolds(['101', '999'], 'records', { counts: DS1_COUNTS, classes: AAMI, neural: false }), /record 999 has no beats/);
});

test('recordClassCounts counts beats by record and class', () => {
  const c = recordClassCounts([0, 1, 1, 2], [0, 0, 1, 1], ['a', 'b'], 3);
  assert.equal([...c.entries()], [['a', [1, 1, 0]], ['b', [0, 1, 1]]]);
});

test('the pooled and per-record report, against a hand-computed case', () => {
  // Records a (rows 0-2) and b (rows 3-4); classes N, S, V.
  const yTrue = [0, 1, 2, 0, 1], yPred = [0, 1, 0, 1, 2], record = [0, 0, 0, 1, 1];
  const r = cvReport(yTrue, yPred, record, ['a', 'b'], ['N', 'S', 'V']);
  assert.is(r.n, 5);
  assert.is(r.accuracy, 2 / 5);
  assert.equal(r.confusion, [[1, 1, 0], [0, 1, 1], [1, 0, 0]]);
  assert.equal(r.aami.S, { se: 1 / 2, ppv: 1 / 2 });
  assert.equal(r.aami.V, { se: 0, ppv: 0 });
  assert.equal(r.aami.N, { se: 1 / 2, ppv: 1 / 2 });
  assert.equal(r.perRecord, [
    { record: 'a', beats: 3, found: { S: 1, V: 0 }, total: { S: 1, V: 1 }, falsePositive: { S: 0, V: 0 } },
    { record: 'b', beats: 2, found: { S: 0, V: 0 }, total: { S: 1, V: 0 }, falsePositive: { S: 1, V: 1 } },
  ]);
  const table = cvTable(r);
  assert.match(table, /^a {7} {6}3 {8}1 \/ 1 {8}0 {8}0 \/ 1 {8}0$/m);
  assert.match(table, /^pooled {8}5 {8}1 \/ 2 {8}1 {8}0 \/ 1 {8}1$/m);
  assert.match(table, /accuracy 40\.0%, macro-F1 0\.333, S Se 50\.0% \+P 50\.0%, V Se 0\.0% \+P 0\.0%/);
  const md = cvMarkdown(r, [{ name: 'record a', heldOut: ['a'], fit: ['b'], val: [], trainBeats: 2, valBeats: 0, testBeats: 3, seconds: 0.5 }], { model: 'm', protocol: 'inter', folds: 'leave-one-record-out (2 folds)' });
  assert.match(md, /\| b \| 2 \| 0 \/ 1 \| 1 \| – \| 1 \|/);
  assert.match(md, /\| S \| 0 \| 1 \| 1 \|/);
  assert.match(md, /\| record a \| a \| – \| 2 \| – \| 3 \| – \| 0\.5 \|/);
});

test.run();
