// Training settings: one spec table with defaults and checks, from which the CLI derives its options.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TRAIN_SETTINGS, trainSettings, withOverrides, SettingError } from '../../src/train/settings.ts';
import { RUN_SETTINGS, quickNote, runSettings } from '../../src/train/run-settings.ts';
import { CLASSIC_SETTINGS } from '../../src/classic/settings.ts';
import { trainingOptions, jobSettings } from '../../src/cli/train.ts';
import { optionsOf, settingsOf } from '../../src/cli/options.ts';
import { UsageError } from '../../src/cli/args.ts';
import { DEFAULT_RECIPE } from '../../src/models/index.ts';

test('defaults come from the specs, once: the library and the CLI agree', () => {
  const lib = trainSettings();
  assert.equal(lib, { seed: 0, patience: 5, select: 'macro-f1', checkpointEvery: 50, evalBatchSize: 256 });
  const cli = jobSettings({}, 'train');
  for (const [k, v] of Object.entries(lib)) assert.equal((cli as unknown as Record<string, unknown>)[k], v, k);
  assert.equal([cli.protocol, cli.rr, cli.rrSet, cli.quick], ['intra', false, 'local', false]);
});

test('every setting spec is a command-line option of train and compare, with its default in --help', () => {
  for (const table of [RUN_SETTINGS, CLASSIC_SETTINGS])
    for (const s of Object.values(table)) {
      const o = trainingOptions[s.flag];
      assert.ok(o, s.flag);
      assert.is(o!.type, s.type);
      if (s.default !== undefined && s.type === 'string') assert.is(o!.default, String(s.default));
    }
  assert.equal(optionsOf({ patience: TRAIN_SETTINGS.patience }), { patience: { type: 'string', description: TRAIN_SETTINGS.patience.description, default: '5' } });
});

test('values are checked with the setting named: library RangeError, CLI usage error', () => {
  assert.throws(() => trainSettings({ patience: -1 }), (e: unknown) => e instanceof SettingError && /patience must be an integer >= 0, got -1/.test((e as Error).message));
  assert.throws(() => trainSettings({ clipNorm: 0 }), /clip must be a positive number, got 0/);
  assert.throws(() => trainSettings({ select: 'accuracy' as never }), /select must be one of macro-f1, sv-f1, got "accuracy"/);
  assert.throws(() => settingsOf(TRAIN_SETTINGS, { 'batch-size': '1.5' }, 'train'), (e: unknown) => e instanceof UsageError && /train: --batch-size must be an integer >= 1, got "1.5"/.test((e as Error).message));
  assert.throws(() => settingsOf(TRAIN_SETTINGS, { lr: 'fast' }, 'compare'), /compare: --lr must be a positive number, got "fast"/);
  assert.throws(() => runSettings({ protocol: 'arrhythminet', select: 'sv-f1' }), /sv-f1 needs the AAMI classes S and V/);
});

test('a feature set implies the beat features; recipe overrides replace only what is given', () => {
  assert.is(runSettings({ rrSet: 'patient' }).rr, true);
  assert.is(runSettings({}).rr, false);
  const r = withOverrides(DEFAULT_RECIPE, { lr: 0.5 });
  assert.equal(r, { ...DEFAULT_RECIPE, lr: 0.5 });
  assert.equal(withOverrides(DEFAULT_RECIPE, { loss: 'combined', epochs: 2 }), { ...DEFAULT_RECIPE, loss: 'combined', epochs: 2 });
  assert.throws(() => settingsOf(TRAIN_SETTINGS, { loss: 'focal' }, 'train'), /train: --loss must be one of ce, weighted-ce, combined, got "focal"/);
  assert.equal(withOverrides(DEFAULT_RECIPE, {}), DEFAULT_RECIPE);
});

test('parsed options: given strings become typed settings, absent ones are left to the defaults', () => {
  const s = settingsOf(RUN_SETTINGS, { seed: '3', quick: true, 'rr-set': 'rhythm', clip: '2.5' }, 'train');
  assert.equal(s, { seed: 3, quick: true, rrSet: 'rhythm', clipNorm: 2.5 });
  const c = settingsOf(CLASSIC_SETTINGS, { 'classic-features': 'rr, morphology', 'classic-params': '{"knn": {"k": 3}}' }, 'train');
  assert.equal(c, { classicFeatures: { beat: false, rr: true, morphology: true }, classicParams: { knn: { k: 3 } } });
});

test('a --quick report says it is a smoke run, with what --quick means', () => {
  assert.match(quickNote(), /^a --quick smoke run \(16000 training and 3000 validation beats, at most 4 epochs\): .* not results$/);
});

test.run();
