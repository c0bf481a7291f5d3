// Child of lifetime.test.ts: FinalizationRegistry removed before ecgrad is imported (as in workerd before
// 2025-05-05). Prints one JSON line: the x-before-the-loop training loop keeps x and flat memory, and an
// unread created tensor is freed with its step (nothing would ever free it as a persistent tensor).
(globalThis as { FinalizationRegistry?: unknown }).FinalizationRegistry = undefined;
const lib = await import('../../src/all.ts');
const { TinyMLP, crossEntropy, twoSpirals } = await import('../helpers/mlp.ts');
const info = lib.initSync();
const { x: xs, onehot } = twoSpirals(16);
const x = lib.fromArray(xs, [32, 2]);
const target = lib.fromArray(onehot, [32, 2]);
const unread = lib.zeros([4]);
const model = new TinyMLP([2, 8, 2], 1);
const opt = new lib.SGD(model.params, { lr: 0.1 });
const blocks: number[] = [];
for (let step = 1; step <= 300; step++) {
  const loss = crossEntropy(model.forward(x), target);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  if (step === 20 || step === 300) blocks.push(lib.memoryStats().liveBlocks);
}
let unreadError = '';
try {
  unread.data();
} catch (e) {
  unreadError = (e as Error).message;
}
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i]);
console.log(JSON.stringify({
  gcFreesTensors: info.gcFreesTensors,
  xKept: same(x.data(), xs) && same(target.data(), onehot),
  flat: blocks[0] === blocks[1],
  blocks,
  unreadError,
}));

export {};
