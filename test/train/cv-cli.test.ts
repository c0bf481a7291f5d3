// `ecgrad cv` on the real database (small stratified samples, a fast classifier and a tiny neural run):
// the run folder and JSON summary, identical results for --workers 1 and 2, held-out records only from
// the protocol's training records, and clear errors (exit 2, no folder written) for bad input.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../helpers/cli.ts';
import { initSync } from '../../src/all.ts';
import { DS1, DS2 } from '../../src/ecg/dataset/protocols.ts';
import { mitdbDir } from '../ecg/helpers.ts';
import { loadDataset } from '../../src/node/dataset.ts';
import { rowsOf, runCvFoldJob } from '../../src/node/cv/fold-job.ts';
import { runClassic, TRAIN_LABELS } from '../../src/classic/index.ts';

initSync();
const data = mitdbDir();
const root = mkdtempSync(join(tmpdir(), 'ecgrad-cv-'));
const small = ['--data', data, '--train-beats', '2000', '--test-beats', '150'];

test('cv --help', async () => {
  const r = await cli('cv', '--help');
  assert.is(r.code, 0);
  assert.match(r.out, /usage: ecgrad cv --model <name> --protocol inter \[--folds records\|N\]/);
  assert.match(r.out, /--rr-set <value>/, 'the training options of ecgrad train');
});

test('a classifier, 3 folds: report files, pooled and per-record figures over DS1 only; --workers 1 and 2 agree', async () => {
  const runs = [];
  for (const w of ['1', '2']) {
    const out = join(root, `dt-${w}`);
    const r = await cli('cv', '--model', 'decision-tree', '--protocol', 'inter', '--folds', '3', '--seed', '4', ...small, '--workers', w, '--out', out, '--json');
    assert.is(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.ok(readFileSync(join(out, 'report.md'), 'utf8').includes('## By record'));
    assert.is(j.workers, Number(w));
    runs.push({ j, report });
  }
  const [a, b] = runs as [{ j: any; report: any }, { j: any; report: any }];
  assert.equal(a.j.records, DS1.slice().sort());
  assert.ok(a.j.perRecord.every((r: { record: string }) => !DS2.includes(r.record)));
  assert.is(a.j.perRecord.length, 22);
  assert.is(a.report.foldDetails.length, 3);
  assert.equal(a.report.foldDetails.flatMap((f: { heldOut: string[] }) => f.heldOut).sort(), DS1.slice().sort());
  assert.ok(a.j.aami.S.se >= 0 && a.j.aami.V.se > 0.3, JSON.stringify(a.j.aami));
  assert.is(a.j.n, a.j.perRecord.reduce((s: number, r: { beats: number }) => s + r.beats, 0));
  const sTotal = a.j.perRecord.reduce((s: number, r: { total: { S: number } }) => s + r.total.S, 0);
  assert.is(sTotal, a.j.confusion[1].reduce((x: number, y: number) => x + y, 0));
  // Determinism: the same folds, predictions and figures whatever the number of workers.
  for (const k of ['n', 'accuracy', 'macroF1', 'aami', 'confusion', 'perRecord']) assert.equal(b.j[k], a.j[k], k);
  assert.equal(b.report.foldDetails.map(({ seconds: _s, ...f }: { seconds: number }) => f), a.report.foldDetails.map(({ seconds: _s, ...f }: { seconds: number }) => f));
});

test('a neural model: each fold validates on 4 of its own training records, never the held-out ones', async () => {
  const out = join(root, 'ann');
  const r = await cli('cv', '--model', 'ann', '--protocol', 'inter', '--folds', '2', '--data', data, '--train-beats', '400', '--val-beats', '150', '--test-beats', '150', '--epochs', '1', '--out', out, '--json');
  assert.is(r.code, 0, r.err);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.is(report.kind, 'neural');
  for (const f of report.foldDetails) {
    assert.is(f.val.length, 4);
    assert.ok(f.val.every((v: string) => !f.heldOut.includes(v) && !f.fit.includes(v) && DS1.includes(v)));
    assert.equal([f.bestEpoch, f.epochsRun], [1, 1]);
    assert.ok(f.valBeats > 0 && f.trainBeats > 0);
  }
  assert.ok(JSON.parse(r.out).n > 0);
});

test('--train-labels mondejar: each fold trains with e and j as S (as runClassic given the table)', async () => {
  const ds = loadDataset('inter', { data }).dataset;
  const heldOut = ['118', '209'], fit = DS1.filter((r) => !heldOut.includes(r)).sort();
  const fold = { index: 1, name: 'fold 1 of 1', heldOut, train: fit, fit, val: [] };
  const job = (trainLabels?: string) => ({ model: 'decision-tree', data, outDir: root, resume: false, kind: 'cv-fold' as const, fold, protocol: 'inter' as const, ...(trainLabels ? { trainLabels } : {}) });
  const rows = { train: rowsOf(ds, fit), test: rowsOf(ds, heldOut) };
  const direct = (labels: string) => runClassic('decision-tree', ds, { rows, splits: ['test'], trainSymbols: TRAIN_LABELS[labels] }).test!.pred;
  const mondejar = runCvFoldJob(job('mondejar'), undefined, { dataset: ds }), aami = runCvFoldJob(job(), undefined, { dataset: ds });
  assert.equal(Array.from(mondejar.pred), Array.from(direct('mondejar')));
  assert.equal(Array.from(aami.pred), Array.from(direct('aami')));
  // The fixture discriminates: the fit records' 16 e and 16 j beats (223; 108, 124, 201) turned S change 57 of the tree's held-out predictions.
  assert.not.equal(Array.from(mondejar.pred), Array.from(aami.pred));
  assert.equal(Array.from(mondejar.rows), Array.from(rows.test));
  assert.throws(() => runCvFoldJob(job('bogus'), undefined, { dataset: ds }), /trainLabels must be one of aami, mondejar, got "bogus"/);
  // Through the CLI: the option reaches the workers and the report records it (absent for the default).
  const out = join(root, 'dt-mondejar');
  const r = await cli('cv', '--model', 'decision-tree', '--protocol', 'inter', '--folds', '3', '--seed', '4', '--data', data, '--test-beats', '150', '--train-labels', 'mondejar', '--out', out, '--json');
  assert.is(r.code, 0, r.err);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.is(report.settings.trainLabels, 'mondejar');
  assert.match(report.commandLine, /--train-labels mondejar/);
});

test('--decision-sweep: weight 1 is the pooled report; larger S weights trade S +P for S Se; in report.json and report.md', async () => {
  const out = join(root, 'sweep');
  const r = await cli('cv', '--model', 'decision-tree', '--protocol', 'inter', '--folds', '3', '--seed', '4', ...small, '--decision-sweep', 'S:1,4,1000', '--out', out, '--json');
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const rows = j.decisionSweep.rows as { weight: number; accuracy: number; aami: { S: { se: number; ppv: number } } }[];
  assert.is(j.decisionSweep.className, 'S');
  assert.equal(rows.map((x) => x.weight), [1, 4, 1000]);
  assert.equal(rows[0]!.aami, j.aami, 'weight 1: the plain predictions');
  assert.is(rows[0]!.accuracy, j.accuracy);
  assert.ok(rows[2]!.aami.S.se >= rows[1]!.aami.S.se && rows[1]!.aami.S.se >= rows[0]!.aami.S.se, JSON.stringify(rows.map((x) => x.aami.S)));
  assert.ok(rows[2]!.aami.S.se > rows[0]!.aami.S.se, 'a weight of 1000 calls more beats S');
  assert.equal(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).decisionSweep, j.decisionSweep);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /## Decision-weight sweep \(S\)[\s\S]*\| 1000 \|/);
});

test('bad input: exit 2 with a clear message, no run folder', async () => {
  const cases: [string[], RegExp][] = [
    [['--model', 'decision-tree', '--protocol', 'intra'], /cv: --protocol intra splits beats at random.*needs --protocol inter/],
    [['--model', 'forest-of-doom', '--protocol', 'inter'], /cv: unknown model "forest-of-doom"; valid models: .*decision-tree/],
    [['--protocol', 'inter'], /cv: --model is required/],
    [['--model', 'decision-tree', '--protocol', 'inter', '--folds', '1'], /--folds must be "records" \(leave one record out\) or an integer >= 2, got "1"/],
    [['--model', 'decision-tree', '--protocol', 'inter', '--folds', '23'], /cv: 23 folds need at least 23 records; there are 22/],
    [['--model', 'decision-tree', '--protocol', 'inter', '--train-records', '101,106,101,108,109'], /--train-records is not usable \(the train records list 101 more than once\)/],
    [['--model', 'decision-tree', '--protocol', 'inter', '--train-records', 'DS1,999'], /--train-records is not usable \(the train records name "999", not a record/],
    // Seed 1 deals all three DS1 records with Q beats (101, 203, 208) into one of the 2 folds.
    [['--model', 'decision-tree', '--protocol', 'inter', '--folds', '2', '--seed', '1'], /cv: fold 1 of 2 \(holding out 101, .*\) would train on records 108, .*, which hold no beat of class Q/],
    [['--model', 'decision-tree', '--protocol', 'inter', '--workers', '0'], /--workers must be an integer >= 1/],
    [['--model', 'decision-tree', '--protocol', 'inter', '--train-labels', 'bogus'], /cv: --train-labels must be one of aami, mondejar, got "bogus"/],
    [['--model', 'ann', '--protocol', 'inter', '--train-labels', 'mondejar'], /cv: --train-labels applies to the traditional classifiers only; ann is a neural model/],
    [['--model', 'ann', '--protocol', 'inter', '--decision-sweep', 'S:1,2'], /cv: --decision-sweep applies to the traditional classifiers only; ann is a neural model/],
    [['--model', 'decision-tree', '--protocol', 'inter', '--decision-sweep', 'S:1,2', '--shard', '1/2'], /cv: --decision-sweep needs every fold in one run; it cannot be combined with --shard/],
    [['--model', 'decision-tree', '--protocol', 'inter', '--decision-sweep', 'Z:1,2'], /cv: --decision-sweep names the class "Z", not one of N, S, V, F, Q/],
    [['--model', 'decision-tree', '--protocol', 'inter', '--decision-sweep', 'S:1,nope'], /cv: --decision-sweep weights must be positive numbers, got "nope"/],
  ];
  for (const [args, message] of cases) {
    const out = join(root, 'never');
    const r = await cli('cv', ...args, '--data', data, '--out', out);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
    assert.not.ok(existsSync(out), args.join(' '));
  }
});

test('a fold that fails in its worker fails the run: exit 1 naming the folds, the run folder removed', async () => {
  const out = join(root, 'fails', 'here');
  const r = await cli('cv', '--model', 'decision-tree', '--protocol', 'inter', '--folds', '2', ...small, '--classic-params', '{"decision-tree": {"maxDepth": -1}}', '--out', out);
  assert.is(r.code, 1);
  assert.match(r.err, /2 of 2 folds failed \(nothing written\):\n {2}fold 1 of 2: DecisionTree: maxDepth must be an integer >= 0/);
  assert.not.ok(existsSync(join(root, 'fails')));
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
