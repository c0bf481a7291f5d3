// Tiny models with known explanations for the explain tests.
import {
  Module, Sequential, Flatten, Linear, Conv1d, SeparableConv1d, ReLU, Tanh, MaxPool1d, GlobalAvgPool1d, BatchNorm1d,
  Tensor, Rng, concat,
} from '../../src/all.ts';

/** Sets parameters by name. */
export function setParams(m: Module, values: Record<string, ArrayLike<number>>): void {
  m.loadStateDict(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Float32Array.from(v)])), false);
}

/** f(x) = W·x (no bias), classes x L weights. */
export function linearModel(L: number, K: number, seed = 1): { model: Sequential; w: Float32Array } {
  const model = new Sequential(new Flatten(), new Linear(L, K, { bias: false, seed }));
  const rng = new Rng(seed);
  const w = Float32Array.from({ length: K * L }, () => 2 * rng.uniform() - 1);
  setParams(model, { '1.weight': w });
  return { model, w };
}

export function mlp(L: number, K: number, seed = 2): Sequential {
  return new Sequential(new Flatten(), new Linear(L, 16, { seed }), new Tanh(), new Linear(16, K, { seed: seed + 1 }));
}

/** Gaussian bump of width sigma at `at`. */
export function bump(L: number, at: number, sigma = 2, height = 1): Float32Array {
  return Float32Array.from({ length: L }, (_, t) => height * Math.exp(-((t - at) ** 2) / (2 * sigma * sigma)));
}

/**
 * A CNN whose filters match a bump: Conv(1,4,5) ReLU MaxPool2 Conv(4,4,3) ReLU GAP Linear(4,2), class 0
 * scored by the total bump response (+1 weights), class 1 by its negative.
 */
export function bumpCnn(): Sequential {
  const m = new Sequential(
    new Conv1d(1, 4, 5, { padding: 'same', seed: 1 }), new ReLU(), new MaxPool1d(2),
    new Conv1d(4, 4, 3, { padding: 1, seed: 2 }), new ReLU(), new GlobalAvgPool1d(), new Linear(4, 2, { seed: 3 }),
  );
  const k = [0.2, 0.6, 1, 0.6, 0.2];
  const w0 = new Float32Array(4 * 5);
  for (let c = 0; c < 4; c++) for (let j = 0; j < 5; j++) w0[c * 5 + j] = k[j]! * (c + 1) / 4;
  const w3 = new Float32Array(4 * 4 * 3);
  for (let c = 0; c < 4; c++) w3[(c * 4 + c) * 3 + 1] = 1;
  setParams(m, {
    '0.weight': w0, '0.bias': [-0.3, -0.3, -0.3, -0.3], '3.weight': w3, '3.bias': [0, 0, 0, 0],
    '6.weight': [1, 1, 1, 1, -1, -1, -1, -1], '6.bias': [0, 0],
  });
  return m;
}

/** A small CNN with BatchNorm (eval mode matters), untrained, seeded. */
export function smallCnn(K = 3, C = 1): Sequential {
  return new Sequential(
    new Conv1d(C, 4, 5, { padding: 'same', seed: 11 }), new BatchNorm1d(4), new ReLU(), new MaxPool1d(2),
    new Conv1d(4, 8, 3, { padding: 1, seed: 12 }), new ReLU(), new GlobalAvgPool1d(), new Linear(8, K, { seed: 13 }),
  );
}

export class SepCnn extends Module {
  readonly stem = this.child('stem', new Conv1d(1, 4, 5, { padding: 'same', seed: 21 }));
  readonly sep = this.child('sep', new SeparableConv1d(4, 6, 3, { padding: 1, seed: 22 }));
  readonly fc = this.child('fc', new Linear(6, 2, { seed: 24 }));
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.sep.forward(this.stem.forward(x).relu()).relu().mean(2));
  }
}

/** A residual block (conv, relu, conv, + skip, relu) as the zoo's ResNet uses. */
export class ResidualBlockForTest extends Module {
  readonly conv1: Conv1d;
  readonly conv2: Conv1d;
  constructor(c: number, seed: number) {
    super();
    this.conv1 = this.child('conv1', new Conv1d(c, c, 3, { padding: 1, seed }));
    this.conv2 = this.child('conv2', new Conv1d(c, c, 3, { padding: 1, seed: seed + 1 }));
  }
  forward(x: Tensor): Tensor {
    return this.conv2.forward(this.conv1.forward(x).relu()).add(x).relu();
  }
}

export class ResNetForTest extends Module {
  readonly stem = this.child('stem', new Conv1d(1, 4, 5, { padding: 'same', seed: 31 }));
  readonly block = this.child('block', new ResidualBlockForTest(4, 32));
  readonly fc = this.child('fc', new Linear(4 + 2, 3, { seed: 34 }));
  /** Takes RR features [B, 2] beside the beat, like the zoo's models built with rrFeatures. */
  forward(x: Tensor, rr?: Tensor): Tensor {
    const h = this.block.forward(this.stem.forward(x).relu()).mean(2);
    if (!rr) throw new Error('ResNetForTest: rr missing');
    return this.fc.forward(concat([h, rr], 1));
  }
}

/** Seeded beats: bumps at random places plus noise (n x L). */
export function randomBeats(n: number, L: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(n * L);
  for (let i = 0; i < n; i++) {
    const at = 5 + rng.int(L - 10);
    const b = bump(L, at, 3);
    for (let t = 0; t < L; t++) x[i * L + t] = b[t]! + 0.1 * rng.normal();
  }
  return x;
}
