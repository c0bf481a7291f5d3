// The trainer: deterministic from its seed, validation-based model selection, early stopping, the
// recipe's loss and optimizer, checkpoints that resume to the same result, and NaN detection.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync } from '../../src/all.ts';
import { train, selectionScore, DivergedError, checkpointInfo, moduleRngs, type TrainConfig, type TrainEvent } from '../../src/train/trainer.ts';
import { evaluate } from '../../src/train/evaluate.ts';
import { modelSpec } from '../../src/models/index.ts';
import { modelFromBytes } from '../../src/nn/model-file.ts';
import { TINY, syntheticDataset, tinyInput } from './helpers.ts';

initSync();
const ds = syntheticDataset();
const data = { dataset: ds, trainRows: ds.split.train, valRows: ds.split.val };

function config(over: Partial<TrainConfig> = {}, epochs = 3): TrainConfig {
  return { model: TINY, input: tinyInput(ds), recipe: { ...modelSpec(TINY).recipe, epochs }, seed: 7, checkpointEvery: 4, ...over };
}

function weights(r: { model: { parameters(): { data(): Float32Array }[] } }): number[] {
  return r.model.parameters().flatMap((p) => Array.from(p.data()));
}

test('the same seed and data give identical histories, weights and test metrics', () => {
  const a = train(config(), data);
  const b = train(config(), data);
  assert.equal(b.history.map(({ seconds: _, ...h }) => h), a.history.map(({ seconds: _, ...h }) => h));
  assert.equal(weights(b), weights(a));
  const ea = evaluate(a.model, ds, ds.split.test), eb = evaluate(b.model, ds, ds.split.test);
  assert.equal(eb.report, ea.report);
  const c = train(config({ seed: 8 }), data);
  assert.not.equal(weights(c), weights(a), 'another seed gives other weights');
});

test('training learns the synthetic classes and selects the best validation epoch', () => {
  const r = train(config({}, 4), data);
  assert.is(r.history.length, 4);
  const bestF1 = Math.max(...r.history.map((h) => h.valMacroF1));
  assert.is(r.bestValMacroF1, bestF1);
  assert.is(r.history[r.bestEpoch - 1]!.valMacroF1, bestF1);
  assert.ok(r.history[3]!.trainLoss < r.history[0]!.trainLoss, 'the training loss falls');
  // The returned model holds the best epoch's weights: its validation metrics are the best epoch's.
  assert.is(evaluate(r.model, ds, ds.split.val).report.macroF1, bestF1);
});

test('events: start, batches with loss / samples per second / ETA, checkpoints, epochs, done', () => {
  const events: TrainEvent[] = [];
  train(config({}, 2), data, { onEvent: (e) => events.push(e), writeCheckpoint: () => {} });
  const types = new Set(events.map((e) => e.type));
  for (const t of ['start', 'batch', 'checkpoint', 'epoch', 'done']) assert.ok(types.has(t as TrainEvent['type']), t);
  const b = events.find((e) => e.type === 'batch') as Extract<TrainEvent, { type: 'batch' }>;
  assert.ok(b.loss > 0 && b.samplesPerSec > 0 && b.etaSeconds >= 0 && b.batches === Math.ceil(ds.split.train.length / 16));
});

test('early stopping after `patience` epochs without a better validation macro-F1', () => {
  // lr 0 freezes the weights: no epoch after the first can improve.
  const events: TrainEvent[] = [];
  const r = train(config({ patience: 2, recipe: { ...modelSpec(TINY).recipe, epochs: 10, lr: 0, schedule: 'none' } }), data, { onEvent: (e) => events.push(e) });
  assert.is(r.epochsRun, 3);
  assert.ok(r.stoppedEarly);
  assert.is(r.bestEpoch, 1);
  assert.ok(events.some((e) => e.type === 'early-stop'));
});

test('ce, weighted-ce and combined losses, adam / adamw / sgd, and gradient clipping all train', () => {
  for (const [loss, optimizer] of [['ce', 'sgd'], ['combined', 'adamw']] as const) {
    const r = train(config({ recipe: { ...modelSpec(TINY).recipe, epochs: 1, loss, optimizer, weightDecay: 1e-3 } }), data);
    assert.ok(Number.isFinite(r.history[0]!.trainLoss), `${loss} ${optimizer}`);
  }
  const plain = train(config({}, 1), data), clipped = train(config({ clipNorm: 0.05 }, 1), data);
  assert.not.equal(weights(clipped), weights(plain), 'clipping changes the updates');
});

test('the generators held by modules (dropout) are found for checkpoints', () => {
  const m = modelSpec(TINY).build(tinyInput(ds));
  assert.equal([...moduleRngs(m).keys()], ['body.7#rng']);
});

test('the best model file rebuilds by name with its input as config', () => {
  let best: Uint8Array | null = null;
  const r = train(config({}, 2), data, { writeBest: (b) => (best = b) });
  const { model, header } = modelFromBytes(best!);
  assert.is(header.arch, TINY);
  assert.equal(header.meta.classes, ds.classes);
  assert.equal(evaluate(model, ds, ds.split.test).report, evaluate(r.model, ds, ds.split.test).report);
});

test('resuming from any checkpoint ends exactly like the uninterrupted run', () => {
  const ckpts: Uint8Array[] = [];
  const full = train(config(), data, { writeCheckpoint: (b) => ckpts.push(b) });
  assert.ok(ckpts.length >= 6);
  for (const k of [1, 3, ckpts.length - 2]) {
    const info = checkpointInfo(ckpts[k]!);
    const r = train(config(), data, {}, ckpts[k]);
    assert.equal(weights(r), weights(full), `resumed at epoch ${info.epoch + 1} batch ${info.batch}`);
    assert.equal(r.history.map(({ seconds: _, ...h }) => h), full.history.map(({ seconds: _, ...h }) => h));
  }
});

test('a checkpoint of other settings is refused, naming the difference', () => {
  const ckpts: Uint8Array[] = [];
  train(config({}, 1), data, { writeCheckpoint: (b) => ckpts.push(b) });
  assert.throws(() => train(config({ seed: 99 }, 1), data, {}, ckpts[0]), /other settings \(seed: 7 there, 99 now\)/);
});

test('a NaN loss stops training naming the epoch and step; the last good checkpoint is kept', () => {
  const bad = syntheticDataset();
  const rows = bad.split.train;
  const w = bad.length;
  const ckpts: Uint8Array[] = [];
  // Poison one training beat: the batch that holds it (in epoch 2's order) gives a NaN loss.
  bad.x.fill(NaN, rows[5]! * w, rows[5]! * w + w);
  const events: TrainEvent[] = [];
  let err: unknown;
  try {
    train(config({ checkpointEvery: 1 }), { dataset: bad, trainRows: rows, valRows: bad.split.val }, { writeCheckpoint: (b) => ckpts.push(b), onEvent: (e) => events.push(e) });
  } catch (e) {
    err = e;
  }
  assert.instance(err, DivergedError);
  const m = /the loss is NaN at epoch (\d+), step (\d+) of \d+ \(global step (\d+)\); the last good checkpoint \((.*?)\) is kept/.exec((err as Error).message);
  assert.ok(m, (err as Error).message);
  const steps = events.filter((e) => e.type === 'batch').length;
  assert.is(Number(m![3]), steps + 1, 'the failing step is the one after the last completed step');
  // No checkpoint was written after the failure, and the last one is intact and resumable up to it.
  assert.is(ckpts.length, steps);
  const last = checkpointInfo(ckpts[ckpts.length - 1]!);
  assert.is(last.step, steps);
  assert.is(m![4], `epoch ${m![1]}, batch ${Number(m![2]) - 1}`);
});

test('model selection: sv-f1 is the mean F1 of S and V; it needs those classes, and it is checked before training', () => {
  const report = (f1: Record<string, number>) => ({ macroF1: 0.5, classes: Object.keys(f1), perClass: Object.fromEntries(Object.entries(f1).map(([c, v]) => [c, { f1: v }])) });
  assert.is(selectionScore(undefined, report({ N: 1, S: 0.2, V: 0.6 })), 0.5);
  assert.is(selectionScore('macro-f1', report({ N: 1, S: 0.2, V: 0.6 })), 0.5);
  assert.ok(Math.abs(selectionScore('sv-f1', report({ N: 1, S: 0.2, V: 0.6 })) - 0.4) < 1e-12);
  assert.throws(() => selectionScore('sv-f1', report({ N: 1, L: 0.2, V: 0.6 })), /needs classes S and V .* N, L, V/);
  assert.throws(() => selectionScore('accuracy' as 'sv-f1', report({ N: 1 })), /select must be 'macro-f1' or 'sv-f1'/);
});

test.run();
