// How long a tensor made outside noGrad/grad/tidy lives (src/core/memory.ts): as long as it is used at
// least once a step (an input or a constant made before a training loop, as in PyTorch, with no keep()),
// freed at the second step end after its last use; a created tensor nothing has read yet is the user's
// and lives until garbage-collected. Memory of long loops stays flat either way.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, fromArray, tensor, randn, noGrad, endStep, memoryStats, SGD, type Tensor } from '../../src/all.ts';
import { TinyMLP, crossEntropy, twoSpirals } from '../helpers/mlp.ts';

initSync();

/** A full garbage collection (V8's gc() made reachable without a command-line flag). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** One training step that touches nothing but a parameter of its own: it only ends a step. */
const w = randn([8], { seed: 11, requiresGrad: true });
function otherStep(): void {
  w.mul(2).sum().backward();
}

test('the PyTorch habit: x, a target and a constant made before the loop, 1000 steps, no keep() or dispose; values kept, memory flat', () => {
  const { x: xs, onehot } = twoSpirals(32);
  const x = fromArray(xs, [64, 2]);
  const target = fromArray(onehot, [64, 2]);
  const scale = tensor(0.5); // a constant in the loss
  const model = new TinyMLP([2, 16, 2], 5);
  const opt = new SGD(model.params, { lr: 0.1 });
  const startStep = memoryStats().steps;
  let at20 = null as ReturnType<typeof memoryStats> | null;
  const losses: number[] = [];
  for (let step = 1; step <= 1000; step++) {
    const loss = crossEntropy(model.forward(x), target).mul(scale);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item()); // read after backward(), as PyTorch loops do
    if (step === 20) at20 = memoryStats();
  }
  const end = memoryStats();
  assert.is(end.steps - startStep, 1000);
  assert.equal(Array.from(x.data()), Array.from(xs));
  assert.equal(Array.from(target.data()), Array.from(onehot));
  assert.is(scale.item(), 0.5);
  assert.ok(losses[999]! < 0.8 * losses[0]!, `the loss should fall: ${losses[0]} -> ${losses[999]}`);
  assert.is(end.liveBlocks, at20!.liveBlocks, 'live blocks grew after step 20');
  assert.is(end.liveBytes, at20!.liveBytes, 'live bytes grew after step 20');
  assert.is(end.wasmBytes, at20!.wasmBytes, 'wasm memory grew after step 20');
});

test('a tensor used every step and then dropped is freed at the second step end after its last use, with no garbage collection', () => {
  for (let i = 0; i < 3; i++) otherStep();
  const base = memoryStats();
  let x: Tensor | null = fromArray([1, 2, 3, 4, 5, 6, 7, 8], [8]);
  for (let i = 0; i < 5; i++) w.mul(x).sum().backward();
  assert.ok(memoryStats().liveBlocks > base.liveBlocks, 'x should be live while used');
  const held = x;
  x = null;
  otherStep();
  otherStep();
  const after = memoryStats();
  assert.is(after.liveBlocks, base.liveBlocks);
  assert.is(after.liveBytes, base.liveBytes);
  // Its memory is gone; a reference kept by mistake says what happened and what to do.
  assert.throws(
    () => held.data(),
    /memory was released \(it was created or last used in step \d+, and nothing used it in the step after\).*at least once a step.*Call \.keep\(\)/,
  );
});

test('an inside-step result read in the next step stays valid; one unused for a whole step is released', () => {
  const y = w.mul(3);
  y.sum().backward(); // ends y's step
  assert.is(y.data().length, 8); // valid in the step after, as before (and this use keeps it one step more)
  otherStep();
  assert.is(y.data().length, 8);
  otherStep();
  otherStep();
  assert.throws(() => y.data(), /memory was released/);
});

test('a tensor of the last step used inside noGrad moves to the step generation, not to the noGrad scope', () => {
  const x = fromArray([1, 2, 3], [3]);
  x.sum().item(); // read: no longer an unread created tensor
  otherStep();
  assert.is(noGrad(() => x.sum().item()), 6); // x was in the previous generation
  otherStep();
  assert.equal(Array.from(x.data()), [1, 2, 3]);
});

test('a tensor made outside a step and first used many steps later is kept; dropped, the garbage collector reclaims it', async () => {
  const later = fromArray([1, 2, 3, 4], [4]);
  let unread: Tensor[] | null = Array.from({ length: 50 }, (_, i) => fromArray(new Float32Array(1000).fill(i), [1000]));
  for (let i = 0; i < 10; i++) otherStep();
  assert.equal(Array.from(later.data()), [1, 2, 3, 4]);
  assert.is(unread[49]!.data()[999], 49);
  const kept = memoryStats().liveBlocks;
  unread = null;
  collectGarbage();
  await new Promise((done) => setTimeout(done, 20)); // finalizers run between tasks
  collectGarbage();
  await new Promise((done) => setTimeout(done, 20));
  const reclaimed = memoryStats().liveBlocks;
  assert.ok(reclaimed <= kept - 50, `live blocks ${kept} -> ${reclaimed}: the 50 dropped tensors should be reclaimed`);
  assert.equal(Array.from(later.data()), [1, 2, 3, 4]);
});

test('loops that call endStep() instead of backward() keep flat memory with a tensor made before the loop', () => {
  const x = randn([32, 8], { seed: 4 });
  let at10 = null as ReturnType<typeof memoryStats> | null;
  for (let i = 1; i <= 300; i++) {
    const xb = fromArray(new Float32Array(32 * 8).fill(i % 7), [32, 8]);
    x.add(xb).relu().sum().item();
    endStep();
    if (i === 10) at10 = memoryStats();
  }
  assert.is(memoryStats().liveBlocks, at10!.liveBlocks);
  assert.is(memoryStats().liveBytes, at10!.liveBytes);
});

test('without FinalizationRegistry: the PyTorch-habit loop works and stays flat; unread created tensors are freed with their step', () => {
  const child = join(import.meta.dirname, 'lifetime-child.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  assert.is(out.gcFreesTensors, false);
  assert.is(out.xKept, true);
  assert.is(out.flat, true, `live blocks at step 20 and 300: ${out.blocks}`);
  assert.match(String(out.unreadError), /memory was released/);
});

test.run();
