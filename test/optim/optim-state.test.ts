// Optimizer stateDict / loadStateDict: a restored optimizer continues exactly like the original
// (Adam's m, v and per-parameter step counts; SGD's momentum), and bad states are refused whole.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, randn, fromArray, Adam, AdamW, SGD, Rng, type Tensor, type Optimizer } from '../../src/all.ts';

initSync();

function params(seed: number): Tensor[] {
  return [randn([3, 4], { seed, requiresGrad: true }), randn([4], { seed: seed + 1, requiresGrad: true })];
}

function copyParams(src: Tensor[]): Tensor[] {
  return src.map((p) => fromArray(p.data(), p.shape, { requiresGrad: true }));
}

function step(opt: Optimizer, ps: Tensor[], t: number): void {
  const x = randn([2, 3], { seed: 100 + t });
  const loss = x.matmul(ps[0]!).add(ps[1]!).tanh().square().sum();
  opt.zeroGrad();
  loss.backward();
  opt.step();
}

const makers: [string, (p: Tensor[]) => Optimizer][] = [
  ['Adam', (p) => new Adam(p, { lr: 0.05 })],
  ['AdamW', (p) => new AdamW(p, { lr: 0.05, weightDecay: 0.1 })],
  ['SGD momentum', (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true })],
];

for (const [name, make] of makers) {
  test(`${name}: a restored optimizer continues bit-identically`, () => {
    const a = params(1);
    const optA = make(a);
    for (let t = 0; t < 3; t++) step(optA, a, t);
    const saved = optA.stateDict();
    const b = copyParams(a);
    const optB = make(b);
    optB.loadStateDict(structuredClone(saved));
    assert.is(optB.stepCount, 3);
    for (let t = 3; t < 6; t++) {
      step(optA, a, t);
      step(optB, b, t);
    }
    a.forEach((p, i) => assert.equal(Array.from(b[i]!.data()), Array.from(p.data())));
  });
}

test('Adam stateDict holds m, v and per-parameter step counts (null before the first step)', () => {
  const ps = params(3);
  const opt = new Adam(ps);
  const s0 = opt.stateDict();
  assert.equal(Object.keys(s0.buffers).sort(), ['m', 'v']);
  assert.equal(s0.buffers.m, [null, null]);
  assert.equal(s0.counters.steps, [0, 0]);
  step(opt, ps, 0);
  const s1 = opt.stateDict();
  assert.is(s1.buffers.m![0]!.length, 12);
  assert.equal(s1.counters.steps, [1, 1]);
});

test('loadStateDict refuses a state of another optimizer or other shapes, and writes nothing', () => {
  const ps = params(5);
  const adam = new Adam(ps);
  step(adam, ps, 0);
  const sgd = new SGD(params(6), { lr: 0.1, momentum: 0.9 });
  assert.throws(() => sgd.loadStateDict(adam.stateDict()), /state is of a Adam optimizer, not SGD/);
  const other = new Adam([randn([2, 2], { seed: 1, requiresGrad: true }), randn([4], { seed: 2, requiresGrad: true })]);
  assert.throws(() => other.loadStateDict(adam.stateDict()), /slot m of parameter 0: expected 4 float32 values, got 12/);
  assert.equal(other.stateDict().counters.steps, [0, 0]);
});

test('Rng getState / setState continues the same sequence, including the spare normal', () => {
  const r = new Rng(42);
  r.normal();
  const s = r.getState();
  const expect = [r.normal(), r.uniform(), r.nextU32()];
  const q = new Rng(7);
  q.setState(structuredClone(s));
  assert.equal([q.normal(), q.uniform(), q.nextU32()], expect);
  assert.throws(() => q.setState({ s: [1, 2, 3] as never, spare: null }), /four 32-bit/);
});

test.run();
