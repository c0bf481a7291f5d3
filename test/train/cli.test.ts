// The train / evaluate / compare commands on the real database (small stratified samples, the tiny test
// model): outputs of a run folder, the evaluate JSON shape, --help, and clear errors with a non-zero exit
// and nothing written for bad input (unknown model or protocol, a folder without the records, a model
// file that does not fit the protocol, an unwritable output folder).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from '../helpers/cli.ts';
import { initSync } from '../../src/all.ts';
import { decodeModel, encodeModel } from '../../src/nn/model-file.ts';
import { decodeClassifier } from '../../src/classic/index.ts';
import { modelSpec } from '../../src/models/index.ts';
import { mitdbDir } from '../ecg/helpers.ts';
import { TINY } from './helpers.ts';

initSync();
const data = mitdbDir();
const root = mkdtempSync(join(tmpdir(), 'ecgrad-cli-'));


const small = ['--data', data, '--train-beats', '300', '--val-beats', '150', '--test-beats', '200', '--epochs', '2', '--batch-size', '32'];

test('every command has --help', async () => {
  for (const c of ['train', 'evaluate', 'compare']) {
    const r = await cli(c, '--help');
    assert.is(r.code, 0);
    assert.match(r.out, `usage: ecgrad ${c}`);
  }
  assert.match((await cli('train', '--help')).out, /models:\n {2}std-cnn/);
});

test('train writes the run folder; evaluate prints the JSON report of its model file', async () => {
  const out = join(root, 'run1');
  const r = await cli('train', '--model', TINY, '--protocol', 'intra', ...small, '--out', out, '--json');
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.ok(j.accuracy > 0 && j.macroF1 >= 0 && j.confusion.length === 5 && j.perClass.N.precision >= 0);
  for (const f of ['test-tiny.ecgm', 'test-tiny.ckpt', 'report.md', 'report.json', 'confusion-test-tiny.svg', 'curves.svg', 'tradeoff.svg'])
    assert.ok(existsSync(join(out, f)), f);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.equal(Object.keys(report.rows[0]).slice(0, 7), ['name', 'kind', 'params', 'sizeKB', 'trainSeconds', 'inferMsPerBeat', 'metrics']);
  assert.match(readFileSync(join(out, 'curves.svg'), 'utf8'), /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\| test-tiny \| neural \|/);
  // Non-TTY progress: JSON lines on stderr.
  assert.ok(r.err.split('\n').some((l) => l.startsWith('{"type":"epoch"')));

  const e = await cli('evaluate', '--model-file', join(out, 'test-tiny.ecgm'), '--protocol', 'intra', '--data', data, '--beats', '200', '--json');
  assert.is(e.code, 0, e.err);
  const m = JSON.parse(e.out);
  assert.equal(Object.keys(m).slice(0, 5), ['accuracy', 'macroF1', 'weightedF1', 'perClass', 'confusion']);
  assert.equal(Object.keys(m.perClass), ['N', 'S', 'V', 'F', 'Q']);
  assert.ok(['precision', 'recall', 'f1'].every((k) => k in m.perClass.S));
  // The same model on the same beats: evaluate agrees with train's own test evaluation.
  assert.is(m.accuracy, j.accuracy);
});

test('unknown model or protocol: exit 2, the valid names listed, nothing written', async () => {
  const out = join(root, 'bad1');
  const a = await cli('train', '--model', 'nope', '--out', out);
  assert.is(a.code, 2);
  assert.match(a.err, /unknown model "nope"; valid models: std-cnn, ds-cnn/);
  const b = await cli('train', '--model', 'std-cnn', '--protocol', 'extra', '--out', out);
  assert.is(b.code, 2);
  assert.match(b.err, /--protocol must be one of intra, inter, arrhythminet, got "extra"/);
  const c = await cli('compare', '--models', 'std-cnn,nope', '--out', out);
  assert.is(c.code, 2);
  assert.match(c.err, /unknown model "nope"/);
  assert.not.ok(existsSync(out));
});

test('a data folder without the records: the missing files and how to download them', async () => {
  const empty = join(root, 'empty-data');
  mkdirSync(empty);
  writeFileSync(join(empty, '100.hea'), '100 2 360 650000\n');
  const out = join(root, 'bad2');
  const r = await cli('train', '--model', 'std-cnn', '--data', empty, '--out', out);
  assert.is(r.code, 1);
  assert.match(r.err, /the data folder .*empty-data lacks 143 file\(s\) of the intra protocol's records: 100\.dat, 100\.atr, 101\.hea/);
  assert.match(r.err, /ecgrad download --out .*empty-data/);
  assert.not.ok(existsSync(out));
});

test('an unwritable output folder: a clear error before any work, nothing created', async () => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  const r = await cli('train', '--model', 'std-cnn', ...small, '--out', join(file, 'run'));
  assert.is(r.code, 1);
  assert.match(r.err, /the output folder .*a-file\/run is not writable \(ENOTDIR\); choose another with --out/);
  const c = await cli('compare', '--models', 'std-cnn', ...small, '--out', join(file, 'run'));
  assert.is(c.code, 1);
  assert.match(c.err, /not writable/);
});

test('a model file that does not fit the protocol: wrong classes, wrong beat length', async () => {
  const spec = modelSpec(TINY);
  const write = (name: string, input: { length: number; classes: number }, classes: string[], protocol: string) => {
    const cfg = { length: input.length, channels: 1, classes: input.classes, rrFeatures: 0, fs: 125, seed: 0 };
    const path = join(root, name);
    writeFileSync(path, encodeModel(spec.build(cfg), { arch: TINY, config: cfg, meta: { classes, protocol } }));
    return path;
  };
  const arr = write('arr.ecgm', { length: 187, classes: 5 }, ['N', 'L', 'R', 'A', 'V'], 'arrhythminet');
  const a = await cli('evaluate', '--model-file', arr, '--protocol', 'intra', '--data', data);
  assert.is(a.code, 1);
  assert.match(a.err, /does not fit the intra protocol: it predicts N, L, R, A, V \(trained on arrhythminet\), the protocol has N, S, V, F, Q/);
  const short = write('short.ecgm', { length: 90, classes: 5 }, ['N', 'S', 'V', 'F', 'Q'], 'intra');
  const b = await cli('evaluate', '--model-file', short, '--protocol', 'intra', '--data', data);
  assert.is(b.code, 1);
  assert.match(b.err, /it takes beats of 1 lead\(s\) x 90 samples, the protocol's dataset has 1 x 187/);
  const c = await cli('evaluate', '--model-file', join(root, 'missing.ecgm'), '--protocol', 'intra');
  assert.is(c.code, 1);
  assert.match(c.err, /missing\.ecgm: cannot be read: ENOENT/);
});

test('compare trains in worker threads, reports wall and per-model times, and explains with --explain', async () => {
  const out = join(root, 'cmp');
  const r = await cli('compare', '--models', 'std-cnn,ds-cnn', '--protocol', 'inter', ...small, '--epochs', '1', '--out', out, '--json', '--explain');
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.rows.map((x: { name: string }) => x.name), ['std-cnn', 'ds-cnn']);
  assert.ok(j.wallSeconds > 0 && j.perModelSeconds['std-cnn'] > 0);
  assert.ok(j.rows[0].metrics.aami.S && j.rows[0].metrics.aami.V, 'inter: AAMI gross S and V');
  const files = readdirSync(out).sort();
  for (const f of ['confusion-ds-cnn.svg', 'confusion-std-cnn.svg', 'curves.svg', 'ds-cnn.ecgm', 'report.json', 'report.md', 'std-cnn.ecgm', 'tradeoff.svg'])
    assert.ok(files.includes(f), f);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(md, /S Se %/);
  // --explain: an Explanations section with every model x method, figures under explain/<model>/
  assert.match(md, /## Explanations[\s\S]*\| std-cnn \| integrated-gradients \|[\s\S]*\| ds-cnn \| grad-cam \|/);
  assert.ok(readdirSync(join(out, 'explain', 'std-cnn')).includes('explain.json'));
  assert.ok(readFileSync(join(out, 'explain', 'explain.md'), 'utf8').includes('[std-cnn/explain.md](std-cnn/explain.md)'));
});

test('compare puts traditional classifiers beside the neural models, on the same beats', async () => {
  const out = join(root, 'cmp-classic');
  const r = await cli('compare', '--models', 'ann,knn,decision-tree', '--protocol', 'intra', ...small, '--epochs', '1', '--out', out, '--json');
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.rows.map((x: { name: string; kind: string }) => `${x.name}:${x.kind}`), ['ann:neural', 'knn:classic', 'decision-tree:classic']);
  for (const row of j.rows) {
    assert.is(row.metrics.n, j.rows[0].metrics.n, `${row.name} is evaluated on the same test beats`);
    assert.ok(row.metrics.accuracy > 0.5 && row.trainSeconds >= 0 && row.inferMsPerBeat > 0, row.name);
  }
  const files = readdirSync(out);
  for (const f of ['knn.ecgc', 'decision-tree.ecgc', 'ann.ecgm', 'confusion-knn.svg']) assert.ok(files.includes(f), f);
  const bad = await cli('compare', '--models', 'ann,forest-of-doom', '--out', join(root, 'x'), ...small);
  assert.is(bad.code, 2);
  assert.match(bad.err, /unknown model "forest-of-doom"; valid models: .*ft-cnn.*knn/);
});

test('--rr-set patient: 15 beat features, named in the model files and read back by evaluate; classifier features and params; --select sv-f1', async () => {
  const out = join(root, 'patient');
  const r = await cli('compare', '--models', 'ann,logreg,gboost', '--protocol', 'inter', '--rr-set', 'patient', '--select', 'sv-f1',
    '--classic-features', 'rr,morphology', '--classic-params', '{"logreg": {"classWeight": "balanced"}, "gboost": {"nRounds": 5, "classWeight": "balanced"}}',
    ...small, '--epochs', '1', '--out', out, '--json');
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const { header } = decodeModel(new Uint8Array(readFileSync(join(out, 'ann.ecgm'))));
  assert.is(header.config.rrFeatures, 15);
  assert.is(header.meta.rrSet, 'patient');
  assert.is(header.meta.select, 'sv-f1');
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.equal([report.settings.rrSet, report.settings.select, report.settings.classicFeatures], ['patient', 'sv-f1', 'rr+morphology']);
  assert.equal(report.settings.classicParams.logreg, { classWeight: 'balanced' });
  const logreg = decodeClassifier(new Uint8Array(readFileSync(join(out, 'logreg.ecgc'))));
  assert.equal([logreg.meta.features, logreg.meta.rrSet, logreg.model.nFeatures], ['rr+morphology', 'patient', 15 + 10]);
  assert.is((logreg.model.getParams() as { classWeight: string }).classWeight, 'balanced');
  assert.match(j.rows.find((x: { name: string }) => x.name === 'gboost').notes, /features rr\+morphology; \{"nRounds":5,"classWeight":"balanced"\}/);
  // evaluate rebuilds the patient features from the file's metadata: the same test beats, the same accuracy.
  const e = await cli('evaluate', '--model-file', join(out, 'ann.ecgm'), '--protocol', 'inter', '--data', data, '--beats', '200', '--json');
  assert.is(e.code, 0, e.err);
  assert.is(JSON.parse(e.out).accuracy, j.rows[0].metrics.accuracy);
  // A classifier file too: evaluate builds the features its metadata names (rr+morphology, patient set).
  const g = await cli('evaluate', '--model-file', join(out, 'gboost.ecgc'), '--protocol', 'inter', '--data', data, '--beats', '200', '--json');
  assert.is(g.code, 0, g.err);
  const gj = JSON.parse(g.out);
  const row = j.rows.find((x: { name: string }) => x.name === 'gboost');
  assert.equal([gj.accuracy, gj.aami.V.se, gj.model], [row.metrics.accuracy, row.metrics.aami.V.se, 'gboost']);
  const wrong = await cli('evaluate', '--model-file', join(out, 'gboost.ecgc'), '--protocol', 'arrhythminet', '--data', data);
  assert.is(wrong.code, 1);
  assert.match(wrong.err, /gboost\.ecgc does not fit the arrhythminet protocol: it predicts N, S, V, F, Q \(trained on inter\)/);
});

test('ecgrad dataset --rr-set patient lists the 15 beat features; a bad value is a usage error', async () => {
  const r = await cli('dataset', '--protocol', 'inter', '--rr-set', 'patient', '--data', data, '--json');
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.is(j.rrFeatures.length, 15);
  assert.equal(j.rrFeatures.slice(5, 8), ['preRR/postRR', 'preRR/recRR', 'postRR/recRR']);
  const bad = await cli('dataset', '--rr-set', 'both', '--data', data);
  assert.is(bad.code, 2);
  assert.match(bad.err, /--rr-set must be one of local, patient, rhythm, irregular, dechazal, dechazal-relative, dechazal-relative-p, dechazal-relative-irregular, mondejar, mondejar-ann, got "both"/);
});

test('ecgrad classic --rr-set patient --features rr,morphology --save: evaluate reproduces its test accuracy from the file', async () => {
  const file = join(root, 'tree.ecgc');
  const r = await cli('classic', 'decision-tree', '--protocol', 'inter', '--rr-set', 'patient', '--features', 'morphology,rr', '--train-labels', 'mondejar', '--data', data, '--save', file, '--json');
  assert.is(r.code, 0, r.err);
  const fitted = JSON.parse(r.out)['decision-tree'];
  const tree = decodeClassifier(new Uint8Array(readFileSync(file)));
  assert.equal([tree.meta.features, tree.meta.rrSet, tree.meta.trainLabels, tree.model.nFeatures], ['rr+morphology', 'patient', 'mondejar', 25]);
  const e = await cli('evaluate', '--model-file', file, '--protocol', 'inter', '--data', data, '--json');
  assert.is(e.code, 0, e.err);
  assert.is(JSON.parse(e.out).accuracy, fitted.test.accuracy);
  const bad = await cli('classic', 'knn', '--features', 'wavelets', '--data', data);
  assert.is(bad.code, 2);
  assert.match(bad.err, /--features takes beat, rr and morphology, got "wavelets"/);
});

test('ecgrad classic --rr-set rhythm --decision-weights: saved in the file, applied by evaluate; bad weights are usage errors', async () => {
  const file = join(root, 'gboost-s.ecgc');
  const args = ['classic', 'gboost', '--protocol', 'inter', '--rr-set', 'rhythm', '--features', 'rr,morphology', '--params', '{"nRounds": 4, "maxDepth": 3}', '--data', data, '--json'];
  const plain = await cli(...args);
  assert.is(plain.code, 0, plain.err);
  const r = await cli(...args, '--decision-weights', '{"S": 50, "V": 3}', '--save', file);
  assert.is(r.code, 0, r.err);
  const g = decodeClassifier(new Uint8Array(readFileSync(file)));
  assert.equal([g.meta.rrSet, g.meta.decisionWeights, g.model.nFeatures], ['rhythm', { S: 50, V: 3 }, 23 + 10]);
  const e = await cli('evaluate', '--model-file', file, '--protocol', 'inter', '--data', data, '--json');
  assert.is(e.code, 0, e.err);
  const ej = JSON.parse(e.out), weighted = JSON.parse(r.out).gboost.test, unweighted = JSON.parse(plain.out).gboost.test;
  assert.is(ej.accuracy, weighted.accuracy);
  // Weighting S up by 50 calls more beats S: a different (here lower) accuracy than the plain fit's.
  assert.ok(weighted.accuracy !== unweighted.accuracy, `${weighted.accuracy} vs ${unweighted.accuracy}`);
  assert.ok(ej.confusion.reduce((a: number, row: number[]) => a + row[1]!, 0) > 0);
  for (const [w, message] of [['{"X": 2}', /unknown class "X" \(classes: N, S, V, F, Q\)/], ['{"S": -1}', /weight of class S must be a positive number/], ['[2]', /must be an object by class name/], ['{S', /--decision-weights is not JSON/]] as const) {
    const bad = await cli('classic', 'knn', '--protocol', 'inter', '--decision-weights', w, '--data', data);
    assert.is(bad.code, 2, w);
    assert.match(bad.err, message);
  }
  const badLabels = await cli('classic', 'knn', '--protocol', 'inter', '--train-labels', 'ej', '--data', data);
  assert.is(badLabels.code, 2);
  assert.match(badLabels.err, /--train-labels must be one of aami, mondejar, got "ej"/);
});

test('bad --rr-set, --classic-features, --classic-params or --select: exit 2 naming the valid values', async () => {
  const cases: [string[], RegExp][] = [
    [['--rr-set', 'global'], /--rr-set must be one of local, patient, rhythm, irregular, dechazal, dechazal-relative, dechazal-relative-p, dechazal-relative-irregular, mondejar, mondejar-ann, got "global"/],
    [['--classic-features', 'beat,wavelets'], /--classic-features takes beat, rr and morphology, got "wavelets"/],
    [['--classic-params', '{"logreg": '], /--classic-params is not JSON/],
    [['--classic-params', '{"svm": {}}'], /unknown classifier "svm" \(known: logreg/],
    [['--select', 'accuracy'], /--select must be one of macro-f1, sv-f1, got "accuracy"/],
    [['--select', 'sv-f1', '--protocol', 'arrhythminet'], /--select sv-f1 needs the AAMI classes S and V/],
  ];
  for (const [args, message] of cases) {
    const out = join(root, 'never');
    const r = await cli('compare', '--models', 'knn', ...args, '--out', out);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.err, message);
    assert.not.ok(existsSync(out));
  }
});

test('train --leads both --train-records/--test-records: two-channel model, its file records the split and leads, evaluate rebuilds them', async () => {
  const out = join(root, 'leads');
  const records = ['--train-records', '101,106,108,109,112,114,115,116,118,119,122,124,201,203,205,207,208,209,215,220,223,230', '--test-records', '100,103'];
  const r = await cli('train', '--model', TINY, '--protocol', 'inter', '--leads', 'both', ...records, ...small, '--out', out, '--json');
  assert.is(r.code, 0, r.err);
  const m = decodeModel(new Uint8Array(readFileSync(join(out, `${TINY}.ecgm`))));
  assert.is((m.header.config as { channels: number }).channels, 2);
  assert.equal([m.header.meta.leads, (m.header.meta.records as { test: string[] }).test], ['both', ['100', '103']]);
  // No --protocol: evaluate takes the one the model file records (inter), not intra.
  const e = await cli('evaluate', '--model-file', join(out, `${TINY}.ecgm`), '--data', data, '--by-record', '--json');
  assert.is(e.code, 0, e.err);
  const j = JSON.parse(e.out);
  assert.is(j.protocol, 'inter');
  assert.equal(j.byRecord.records.map((x: { record: string }) => x.record), ['100', '103']);
});

test('bad --leads, --train-records or --test-records: exit 2 before any work, naming the problem', async () => {
  const cases: [string[], RegExp, number][] = [
    [['--train-records', '101,999,106,108,109'], /--train-records is not usable \(the train records name "999", not a record/, 2],
    [['--test-records', '101'], /records 101 are in both the train and the test list/, 2],
    [['--protocol', 'intra', '--train-records', 'DS1'], /apply to the patient-wise protocol inter, not intra/, 2],
    [['--leads', ','], /--leads must be "mlii", "both" or signal names/, 2],
  ];
  for (const [args, message, code] of cases) {
    const out = join(root, 'never-leads');
    const r = await cli('train', '--model', TINY, '--protocol', 'inter', ...args, '--data', data, '--out', out);
    assert.is(r.code, code, args.join(' '));
    assert.match(r.err, message);
    assert.not.ok(existsSync(out));
  }
  const missing = await cli('dataset', '--protocol', 'inter', '--leads', 'MLII,V1', '--data', data, '--no-cache');
  assert.is(missing.code, 1);
  assert.match(missing.err, /record 100 has no lead "V1"; its signals are MLII, V5/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
