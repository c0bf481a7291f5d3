// TrainState: a run's whole state becomes checkpoint bytes and back without loss; trainStep advances it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync } from '../../src/all.ts';
import { TrainState } from '../../src/train/state.ts';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint } from '../../src/train/checkpoint.ts';
import { trainStep, recipeLoss, DivergedError, type StepContext } from '../../src/train/step.ts';
import { endEpoch } from '../../src/train/selection.ts';
import { batches } from '../../src/ecg/dataset/batches.ts';
import { modelSpec } from '../../src/models/index.ts';
import { TINY, syntheticDataset, tinyInput } from './helpers.ts';

initSync();
const ds = syntheticDataset();
const recipe = { ...modelSpec(TINY).recipe, epochs: 3 };
const ctx: StepContext = { ds, useRR: false, loss: recipeLoss(recipe, ds, ds.split.train), seed: 5, batches: 99, kept: () => '' };
const weights = (s: TrainState) => s.model.parameters().flatMap((p) => Array.from(p.data()));

function stepped(n: number): TrainState {
  const s = new TrainState(TINY, tinyInput(ds), recipe);
  let k = 0;
  for (const b of batches(ds, ds.split.train, 16, 1)) if (k++ < n) trainStep(s, b, ctx);
  return s;
}

test('trainStep: a finite loss, changed weights, the position advanced by one batch and one step', () => {
  const s = new TrainState(TINY, tinyInput(ds), recipe);
  const before = weights(s);
  const b = batches(ds, ds.split.train, 16, 1).next().value!;
  const loss = trainStep(s, b, ctx);
  assert.ok(Number.isFinite(loss) && loss > 0);
  assert.not.equal(weights(s), before);
  assert.equal(s.position, { epoch: 0, batch: 1, step: 1 });
  assert.is(s.epochLoss.count, 16);
});

test('a state restored from its checkpoint writes the same checkpoint, mid-epoch and after an epoch', () => {
  const s = stepped(3);
  const mid = s.toCheckpoint({ run: 1 }, 1.25);
  const r = new TrainState(TINY, tinyInput(ds), recipe);
  r.restore(mid, { run: 1 });
  assert.equal(r.position, { epoch: 0, batch: 3, step: 3 });
  assert.equal(weights(r), weights(s));
  assert.equal(r.toCheckpoint({ run: 1 }, r.epochLoss.seconds), mid);
  endEpoch(s, { epoch: 1, trainLoss: 1, valLoss: 1, valAccuracy: 0.5, valMacroF1: 0.4, valScore: 0.4, lr: 1e-3, seconds: 2 }, { patience: 5, epochs: 3 });
  const end = s.toCheckpoint({ run: 1 }, 0);
  const r2 = new TrainState(TINY, tinyInput(ds), recipe);
  r2.restore(end, { run: 1 });
  assert.equal([r2.best, r2.history.length, r2.position], [{ epoch: 1, macroF1: 0.4, score: 0.4 }, 1, { epoch: 1, batch: 0, step: 3 }]);
  assert.equal(r2.toCheckpoint({ run: 1 }, 0), end);
});

test('restore refuses a checkpoint of other settings, naming each', () => {
  const ck = stepped(1).toCheckpoint({ seed: 1, lr: 0.1 }, 0);
  assert.throws(() => new TrainState(TINY, tinyInput(ds), recipe).restore(ck, { seed: 2, lr: 0.1 }), /other settings \(seed: 1 there, 2 now\)/);
});

test('endEpoch: keeps the best weights, counts epochs without improvement, stops on patience before the last epoch', () => {
  const s = stepped(1);
  const rec = (epoch: number, f1: number) => ({ epoch, trainLoss: 1, valLoss: 1, valAccuracy: 0.5, valMacroF1: f1, valScore: f1, lr: 1e-3, seconds: 1 });
  assert.equal(endEpoch(s, rec(1, 0.5), { patience: 1, epochs: 3 }), { improved: true, stoppedEarly: false });
  assert.equal(endEpoch(s, rec(2, 0.4), { patience: 1, epochs: 3 }), { improved: false, stoppedEarly: true });
  assert.ok(s.finished && s.stoppedEarly && s.best!.epoch === 1 && s.badEpochs === 1);
});

test('trainStep throws a DivergedError naming the epoch and step when the loss is not finite; weights unchanged', () => {
  const s = new TrainState(TINY, tinyInput(ds), recipe);
  const b = batches(ds, ds.split.train, 16, 1).next().value!;
  b.x.fill(NaN);
  const before = weights(s);
  assert.throws(() => trainStep(s, b, { ...ctx, batches: 7 }), (e: unknown) => e instanceof DivergedError && /epoch 1, step 1 of 7/.test((e as Error).message));
  assert.equal(weights(s), before);
});

test('a checkpoint with a valid CRC but missing or malformed fields is refused by name, nothing half-restored', () => {
  const s = stepped(2);
  const good = decodeCheckpoint(s.toCheckpoint({ run: 1 }, 1));
  for (const [field, value] of [['position', undefined], ['optimizer', { name: 'adam' }], ['history', 'x'], ['rngs', null], ['finished', 1]] as const) {
    const header: Record<string, unknown> = { ...good.header, [field]: value };
    if (value === undefined) delete header[field];
    const bytes = encodeCheckpoint(header, good.arrays);
    const r = new TrainState(TINY, tinyInput(ds), recipe);
    const before = weights(r);
    assert.throws(() => r.restore(bytes, { run: 1 }, 'run/tiny.ckpt'), (e: Error) => e instanceof CheckpointError && e.message.startsWith('checkpoint run/tiny.ckpt: header field(s)') && e.message.includes(field));
    assert.equal(weights(r), before, field);
  }
  const nan = new Map(good.arrays);
  const first = [...nan.keys()][0]!;
  nan.set(first, Float32Array.from(nan.get(first)!, (v, i) => (i === 0 ? NaN : v)));
  assert.throws(() => decodeCheckpoint(encodeCheckpoint(good.header, nan), 'x.ckpt'), /checkpoint x\.ckpt: array .* holds a non-finite value \(NaN at index 0\)/);
});

test.run();
