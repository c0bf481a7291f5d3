// The Module API: naming, parameter counts, train/eval, state dicts; Linear forward and gradients.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import { initSync, Linear, Sequential, ReLU, Flatten, Tanh, randn, tensor, linear, fromArray } from '../../src/all.ts';
import { gradCheck, uniform } from '../helpers/gradcheck.ts';

initSync();

test('parameters are named by path and counted', () => {
  const m = new Sequential(new Flatten(), new Linear(6, 4, { seed: 1 }), new ReLU(), new Linear(4, 2, { seed: 2, bias: false }));
  assert.equal(m.namedParameters().map(([n, t]) => `${n}:${t.shape.join('x')}`), ['1.weight:4x6', '1.bias:4', '3.weight:2x4']);
  assert.is(m.parameterCount(), 24 + 4 + 8);
  assert.ok(m.parameters().every((p) => p.requiresGrad));
  assert.equal(m.forward(randn([3, 2, 3], { seed: 3 })).shape, [3, 2]);
});

test('train() and eval() reach every submodule', () => {
  const m = new Sequential(new Linear(2, 2), new Sequential(new Tanh(), new Linear(2, 1)));
  m.eval();
  assert.ok([...m.namedModules()].every(([, c]) => !c.training));
  m.train();
  assert.ok([...m.namedModules()].every(([, c]) => c.training));
});

test('stateDict / loadStateDict round-trip, and mismatches fail before anything is written', () => {
  const a = new Sequential(new Linear(3, 2, { seed: 1 }), new Linear(2, 1, { seed: 2 }));
  const b = new Sequential(new Linear(3, 2, { seed: 9 }), new Linear(2, 1, { seed: 8 }));
  b.loadStateDict(a.stateDict());
  const x = randn([4, 3], { seed: 5 });
  assert.equal(Array.from(b.forward(x).data()), Array.from(a.forward(x).data()));
  const c = new Sequential(new Linear(3, 2, { seed: 7 }), new Linear(2, 2, { seed: 7 }));
  const before = Array.from(c.parameters()[0]!.data());
  assert.throws(() => c.loadStateDict(a.stateDict()), /1.weight: got shape \[1, 2\], expected shape \[2, 2\]/);
  assert.equal(Array.from(c.parameters()[0]!.data()), before);
  const partial = new Map(a.stateDict());
  partial.delete('1.bias');
  assert.throws(() => b.loadStateDict(partial), /missing 1.bias/);
});

test('Linear matches x·Wᵀ + b and has PyTorch-style default init bounds', () => {
  const l = new Linear(3, 2, { seed: 4 });
  const w = l.weight.toArray() as number[][], b = l.bias!.toArray() as number[];
  const y = l.forward(tensor([[1, 2, 3]])).toArray() as number[][];
  for (let o = 0; o < 2; o++) assert.ok(Math.abs(y[0]![o]! - (w[o]![0]! + 2 * w[o]![1]! + 3 * w[o]![2]! + b[o]!)) < 1e-5);
  const bound = 1 / Math.sqrt(3);
  assert.ok(w.flat().every((v) => Math.abs(v) <= bound) && b.every((v) => Math.abs(v) <= bound));
  assert.throws(() => l.forward(tensor([[1, 2]])), /Linear\(3, 2\): input of shape \[1, 2\] must end in 3 features/);
});

test('linear gradients (with and without bias, batched input)', () => {
  const u = (shape: number[], seed: number) => ({ data: uniform(shape.reduce((p, d) => p * d, 1), seed), shape });
  gradCheck('linear', (x, w, b) => linear(x, w, b), [u([5, 7], 1), u([3, 7], 2), u([3], 3)]);
  gradCheck('linear no bias 3d', (x, w) => linear(x, w, null), [u([2, 4, 6], 4), u([5, 6], 5)]);
});

test('summary() tabulates modules with their parameters; console.log prints a Module and a Tensor readably', () => {
  const m = new Sequential(new Linear(4, 3, { seed: 1 }), new ReLU(), new Linear(3, 2, { seed: 2 }));
  const lines = m.summary().split('\n');
  assert.is(lines[0], 'Sequential: 23 parameters');
  assert.match(lines[1]!, /^module\s+type\s+parameters\s+tensors$/);
  assert.match(lines[2]!, /^0\s+Linear\s+15\s+weight \[3, 4\], bias \[3\]$/);
  assert.match(lines[3]!, /^2\s+Linear\s+8\s+weight \[2, 3\], bias \[2\]$/);
  assert.is(lines.length, 4); // ReLU holds nothing
  assert.is(inspect(m), 'Sequential (23 parameters; .summary() lists them)');
  assert.is(inspect(fromArray([1, 2.5], [2])), 'Tensor([2]) [1, 2.5]');
});

test.run();
