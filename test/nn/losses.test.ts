// Losses against PyTorch 1.13 (values and logit gradients from test/fixtures/losses.json, written by
// scripts/fixtures/losses.py), plus the combined FT-CNN loss, L2 penalty and bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { initSync, tensor, grad, crossEntropy, focalLoss, combinedLoss, l2Penalty, Linear, type Tensor } from '../../src/all.ts';

initSync();
const ref = JSON.parse(readFileSync(new URL('../fixtures/losses.json', import.meta.url), 'utf8')) as Record<string, { loss: number; grad: number[] }>;
const logits = [[1.0, -0.5, 0.3], [0.2, 0.1, -1.2], [-0.7, 2.0, 0.4], [0.0, 0.5, 0.5]];
const y = [0, 2, 1, 1];
const w = [0.5, 2.0, 1.5];

function check(name: string, f: (x: Tensor) => Tensor): void {
  const { value, grads } = (() => {
    let value = 0;
    const grads = grad((x) => {
      const l = f(x);
      value = l.data()[0]!;
      return l;
    }, [tensor(logits)]);
    return { value, grads };
  })();
  const r = ref[name]!;
  assert.ok(Math.abs(value - r.loss) <= 1e-5 * Math.abs(r.loss) + 1e-7, `${name}: loss ${value} vs ${r.loss}`);
  const g = grads[0]!.data();
  r.grad.forEach((e, i) => assert.ok(Math.abs(g[i]! - e) <= 1e-5, `${name}: grad[${i}] ${g[i]} vs ${e}`));
}

test('crossEntropy equals PyTorch with class weights and label smoothing', () => {
  check('ce', (x) => crossEntropy(x, y));
  check('ce_w', (x) => crossEntropy(x, y, { weight: w }));
  check('ce_ls', (x) => crossEntropy(x, y, { labelSmoothing: 0.1 }));
  check('ce_w_ls', (x) => crossEntropy(x, y, { weight: w, labelSmoothing: 0.2 }));
});

test('focalLoss equals the reference formula (γ = 2, per-class α, γ = 0 is cross-entropy)', () => {
  check('focal2', (x) => focalLoss(x, y, { gamma: 2 }));
  check('focal_a', (x) => focalLoss(x, y, { gamma: 2, alpha: [0.25, 0.5, 1.0] }));
  check('focal0', (x) => focalLoss(x, y, { gamma: 0 }));
  check('ce', (x) => focalLoss(x, y, { gamma: 0 }));
});

test('combinedLoss mixes weighted cross-entropy and focal loss', () => {
  const l = combinedLoss(tensor(logits), y, { weight: w, mix: 0.3 }).item();
  assert.ok(Math.abs(l - (0.3 * ref.ce_w!.loss + 0.7 * ref.focal2!.loss)) < 1e-5);
  assert.ok(Math.abs(combinedLoss(tensor(logits), y, { mix: 1 }).item() - ref.ce!.loss) < 1e-5);
});

test('l2Penalty skips biases and norm parameters by default', () => {
  const lin = new Linear(2, 2, { seed: 1 });
  const wv = lin.weight.data(), bv = lin.bias!.data();
  const sw = wv.reduce((s, v) => s + v * v, 0), sb = bv.reduce((s, v) => s + v * v, 0);
  assert.ok(Math.abs(l2Penalty(lin.namedParameters(), 0.1).item() - 0.05 * sw) < 1e-6);
  assert.ok(Math.abs(l2Penalty(lin.namedParameters(), 0.1, { includeAll: true }).item() - 0.05 * (sw + sb)) < 1e-6);
});

test('bad labels and weights give clear errors', () => {
  const x = tensor(logits);
  assert.throws(() => crossEntropy(x, [0, 1, 3, 0]), /label 3 at index 2 is out of range for 3 classes/);
  assert.throws(() => crossEntropy(x, [0, 1]), /got 2 labels for a batch of 4/);
  assert.throws(() => crossEntropy(x, y, { weight: [1, 2] }), /weight has 2 entries but there are 3 classes/);
  assert.throws(() => crossEntropy(tensor([1, 2]), [0]), /logits must be a \[batch, classes\] tensor, got \[2\]/);
  assert.throws(() => focalLoss(x, y, { gamma: -1 }), /gamma must be a finite number >= 0/);
});

test.run();
