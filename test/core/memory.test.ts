// Memory management: no dispose calls, a steady state in training loops, safe reads after growth,
// clear errors for released tensors.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  initSync, fromArray, tensor, randn, zeros, noGrad, tidy, endStep, memoryStats, SGD, grad,
} from '../../src/all.ts';
import { backend } from '../../src/core/runtime.ts';
import { TinyMLP, crossEntropy, twoSpirals } from '../helpers/mlp.ts';

initSync();

/** A full garbage collection (V8's gc() made reachable without a command-line flag). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

test('5,000 training steps of a small MLP: wasm memory stops growing after the first steps', () => {
  const { x, onehot } = twoSpirals(32);
  const model = new TinyMLP([2, 16, 16, 2], 3);
  const opt = new SGD(model.params, { lr: 0.05, momentum: 0.9 });
  let after20 = null as ReturnType<typeof memoryStats> | null;
  for (let step = 1; step <= 5000; step++) {
    const xb = fromArray(x, [64, 2]); // new input tensors every step, as a data loader makes them
    const tb = fromArray(onehot, [64, 2]);
    const loss = crossEntropy(model.forward(xb), tb);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (step % 500 === 0) noGrad(() => model.forward(xb).argmax(1).data());
    if (step === 20) after20 = memoryStats();
  }
  const end = memoryStats();
  assert.is(end.wasmBytes, after20!.wasmBytes, 'wasm memory grew after step 20');
  assert.ok(end.liveBytes <= after20!.liveBytes, `live bytes grew: ${after20!.liveBytes} -> ${end.liveBytes}`);
});

test('an intermediate stays valid through the next step; unused for a whole step, reading it throws a clear error', () => {
  const w = randn([3], { seed: 1, requiresGrad: true });
  const y1 = w.mul(2);
  y1.sum().backward();
  assert.is(y1.data().length, 3); // still valid after its own step (and this use keeps it one step more)
  w.mul(3).sum().backward();
  w.mul(3).sum().backward();
  assert.throws(() => y1.data(), /memory was released .* Call \.keep\(\)/);
  assert.ok(w.grad!.data().length === 3); // parameters and their gradients persist
});

test('keep() retains a tensor across steps', () => {
  const w = randn([2], { seed: 2, requiresGrad: true });
  const kept = w.mul(5).keep();
  const expected = Array.from(kept.data());
  for (let i = 0; i < 3; i++) w.mul(2).sum().backward();
  assert.equal(Array.from(kept.data()), expected);
});

test('noGrad and tidy free their intermediates but return their results', () => {
  const x = randn([100, 100], { seed: 3 });
  const before = memoryStats().liveBytes;
  let inner = null as unknown as ReturnType<typeof zeros>;
  const out = noGrad(() => {
    inner = x.mul(2).add(1);
    return inner.sum(1);
  });
  assert.is(out.shape[0], 100);
  assert.throws(() => inner.data(), /released/);
  assert.ok(memoryStats().liveBytes - before <= 4096, 'only the 100-value result should remain');
  const { a, b } = tidy(() => ({ a: x.mul(3), b: x.add(1) }));
  assert.is(a.size + b.size, 20000);
  endStep();
});

test('memory growth never leaves stale views: old tensors keep their values', () => {
  const small = tensor([1, 2, 3, 4, 5]);
  const sumBefore = small.sum().item();
  const before = memoryStats().wasmBytes;
  const big = zeros([16 * 1024 * 1024]).keep(); // 64 MiB forces memory.grow
  assert.ok(memoryStats().wasmBytes > before, 'memory should have grown');
  assert.equal(Array.from(small.data()), [1, 2, 3, 4, 5]);
  assert.is(small.sum().item(), sumBefore);
  assert.is(big.size, 16 * 1024 * 1024);
  // The backend's views follow the new buffer.
  assert.is(backend().f32(small.ptr, 5)[4], 5);
});

test('ops never write into the memory of other live tensors', () => {
  const keepers = Array.from({ length: 50 }, (_, i) => fromArray(Array.from({ length: 37 }, (_, j) => i * 100 + j), [37]));
  for (let i = 0; i < 200; i++) {
    const t = randn([i % 13 + 1, 37], { seed: i });
    t.mul(t).add(keepers[i % 50]!).sum(0);
  }
  keepers.forEach((k, i) => assert.equal(Array.from(k.data()), Array.from({ length: 37 }, (_, j) => i * 100 + j)));
});

test('grad() in a loop with no backward() or endStep(): its results are freed once dropped, memory levels off', async () => {
  const x = randn([256], { seed: 1 });
  const live: number[] = [];
  for (let r = 0; r < 4; r++) {
    for (let i = 0; i < 10000; i++) grad((a) => a.mul(a).sum(), [x]);
    collectGarbage();
    await new Promise((done) => setTimeout(done, 20)); // let finalizers run
    live.push(memoryStats().liveBytes);
  }
  // Kept results would add about 10,000 x 1 KB of live memory per round; freed ones add nothing.
  assert.ok(live[3]! - live[0]! < 1 << 20, `live bytes per round: ${live.map((g) => (g / 2 ** 20).toFixed(1)).join(', ')} MB`);
  assert.is(x.data().length, 256); // the input made before the loop is still valid
  const inScope = tidy(() => grad((a) => a.sum(), [x])[0]!);
  assert.is(inScope.data()[0], 1); // inside a scope, results move to the enclosing owner as before
});

test.run();
