// compare schedules its jobs longest first from measured per-model costs (the report keeps the given order).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultModels, estimatedCost } from '../../src/cli/compare.ts';
import { comparisonModelNames, modelSpec } from '../../src/models/index.ts';

test('every comparison model has a measured training cost; the default jobs run longest first', () => {
  // (other test files register throw-away models in the same process: only the zoo is checked)
  const zoo = ['ann', 'cnn', 'resnet', 'lstm', 'gru', 'ft-cnn', 'arrhythminet-v1', 'arrhythminet-v2'];
  for (const m of zoo) assert.ok(comparisonModelNames().includes(m) && modelSpec(m).trainCost! > 0, m);
  const order = defaultModels(false).models.filter((m) => zoo.includes(m) || !comparisonModelNames().includes(m))
    .sort((a, b) => estimatedCost({ model: b }) - estimatedCost({ model: a }));
  assert.ok(['ft-cnn', 'arrhythminet-v1'].includes(order[0]!), order.join());
  assert.ok(['knn', 'naive-bayes', 'decision-tree', 'ann'].includes(order[order.length - 1]!), order.join());
  // --epochs scales a neural model's cost
  assert.ok(estimatedCost({ model: 'cnn', epochs: 60 }) === 2 * estimatedCost({ model: 'cnn', epochs: 30 }));
});

test('the default comparison: every zoo model and classifier but the reference models and the published-method reproductions', () => {
  const models = defaultModels(false).models;
  for (const m of ['ft-cnn', 'arrhythminet-v2', 'gboost', 'mlp', 'logreg']) assert.ok(models.includes(m), m);
  for (const m of ['std-cnn', 'dechazal2004', 'mondejar2019']) assert.not.ok(models.includes(m), m);
  assert.ok(estimatedCost({ model: 'mlp' }) > 0);
});

test.run();
