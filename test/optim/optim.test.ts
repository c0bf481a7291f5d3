// Optimizers through the tensor API, schedules against PyTorch 1.13's lr_scheduler values
// (test/fixtures/schedules.json from scripts/fixtures/schedules.py), clipping and parameter groups.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import {
  initSync, tensor, SGD, Adam, AdamW, CosineAnnealing, StepDecay, ReduceOnPlateau, clipGradNorm, decayGroups,
  Linear, type Optimizer,
} from '../../src/all.ts';

initSync();
const ref = JSON.parse(readFileSync(new URL('../fixtures/schedules.json', import.meta.url), 'utf8'));

function opt(): Optimizer {
  return new SGD([tensor([0], { requiresGrad: true })], { lr: 0.1 });
}

function closeSeq(got: number[], want: number[], what: string): void {
  want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) <= 1e-9 + 1e-7 * w, `${what} epoch ${i}: ${got[i]} vs ${w}`));
}

test('CosineAnnealing, with and without warm restarts, equals PyTorch', () => {
  const o1 = opt();
  const c = new CosineAnnealing(o1, { tMax: 10, etaMin: 0.001 });
  closeSeq([o1.lr, ...Array.from({ length: 25 }, () => c.step())], ref.cosine, 'cosine');
  const o2 = opt();
  const r = new CosineAnnealing(o2, { tMax: 4, tMult: 2, etaMin: 0.001, restarts: true });
  closeSeq([o2.lr, ...Array.from({ length: 25 }, () => r.step())], ref.restarts, 'restarts');
});

test('linear warm-up then cosine', () => {
  const o = opt();
  const c = new CosineAnnealing(o, { tMax: 4, warmup: 2, warmupStartLr: 0.01 });
  const seq = [o.lr, c.step(), c.step(), c.step(), c.step(), c.step(), c.step()];
  closeSeq(seq, [0.01, 0.055, 0.1, 0.1 * (1 + Math.cos(Math.PI / 4)) / 2, 0.05, 0.1 * (1 + Math.cos((3 * Math.PI) / 4)) / 2, 0], 'warmup');
});

test('StepDecay and ReduceOnPlateau equal PyTorch', () => {
  const o1 = opt();
  const s = new StepDecay(o1, 7, 0.5);
  closeSeq([o1.lr, ...Array.from({ length: 25 }, () => s.step())], ref.step, 'step');
  const o2 = opt();
  const p = new ReduceOnPlateau(o2, { mode: 'min', factor: 0.5, patience: 2 });
  closeSeq([o2.lr, ...(ref.plateau_metrics as number[]).map((m) => p.step(m))], ref.plateau, 'plateau');
  assert.throws(() => p.step(NaN), /needs the monitored metric/);
});

test('clipGradNorm equals torch.nn.utils.clip_grad_norm_', () => {
  const a = tensor([[3, -4], [1, 2]], { requiresGrad: true });
  const b = tensor([0.5, -0.5, 2], { requiresGrad: true });
  a.mul(a).mul(0.5).sum().add(b.mul(b).mul(0.5).sum()).backward(); // grads = values
  const norm = clipGradNorm([a, b], 2);
  assert.ok(Math.abs(norm - ref.clip.norm) < 1e-5);
  (ref.clip.a as number[]).forEach((v, i) => assert.ok(Math.abs(a.grad!.data()[i]! - v) < 1e-6));
  (ref.clip.b as number[]).forEach((v, i) => assert.ok(Math.abs(b.grad!.data()[i]! - v) < 1e-6));
  assert.throws(() => clipGradNorm([a], 0), /maxNorm must be a positive number/);
});

test('parameter groups: weight decay on weights only', () => {
  const lin = new Linear(2, 2, { seed: 3 });
  const w0 = Array.from(lin.weight.data()), b0 = Array.from(lin.bias!.data());
  const o = new SGD(decayGroups(lin.namedParameters(), 0.5), { lr: 0.1 });
  lin.weight.zeroGrad();
  lin.forward(tensor([[0, 0]])).sum().mul(0).backward(); // zero gradients everywhere
  o.step();
  lin.weight.data().forEach((v, i) => assert.ok(Math.abs(v - w0[i]! * (1 - 0.05)) < 1e-6));
  assert.equal(Array.from(lin.bias!.data()), b0);
});

test('optimizers validate their hyperparameters and parameters', () => {
  const p = tensor([1], { requiresGrad: true });
  assert.throws(() => new SGD([p], { lr: -1 }), /SGD: lr must be a finite number/);
  assert.throws(() => new SGD([p], { lr: 0.1, nesterov: true }), /Nesterov momentum requires momentum > 0/);
  assert.throws(() => new Adam([tensor([1])]), /does not require gradients/);
  assert.throws(() => new AdamW([]), /got no parameters/);
  assert.throws(() => new Adam([p, p]), /appears more than once/);
});

test.run();
