// A minimal MLP built directly on the tensor API (the nn layers come later), for training tests.
import { randn, zeros, type Tensor } from '../../src/all.ts';

export class TinyMLP {
  readonly params: Tensor[] = [];
  private readonly layers: { w: Tensor; b: Tensor }[] = [];

  constructor(sizes: number[], seed: number) {
    for (let i = 0; i + 1 < sizes.length; i++) {
      const w = randn([sizes[i]!, sizes[i + 1]!], { seed: seed + i, std: Math.sqrt(2 / sizes[i]!), requiresGrad: true });
      const b = zeros([sizes[i + 1]!], { requiresGrad: true });
      this.layers.push({ w, b });
      this.params.push(w, b);
    }
  }

  forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach(({ w, b }, i) => {
      h = h.matmul(w).add(b);
      if (i < this.layers.length - 1) h = h.tanh();
    });
    return h;
  }
}

/** Mean cross-entropy of logits [B, C] against one-hot targets [B, C], from primitives. */
export function crossEntropy(logits: Tensor, onehot: Tensor): Tensor {
  return logits.logSoftmax(-1).mul(onehot).sum(-1).neg().mean();
}

/** The two-spirals task: n points per class, 2-D inputs, labels 0/1. */
export function twoSpirals(n: number): { x: Float32Array; y: Int32Array; onehot: Float32Array } {
  const x = new Float32Array(4 * n), y = new Int32Array(2 * n), onehot = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const r = (i / n) * 5 + 0.5;
    const t = (1.75 * i / n) * 2 * Math.PI;
    for (const c of [0, 1]) {
      const k = 2 * i + c;
      const s = c === 0 ? 1 : -1;
      x[2 * k] = (s * r * Math.cos(t)) / 3;
      x[2 * k + 1] = (s * r * Math.sin(t)) / 3;
      y[k] = c;
      onehot[2 * k + c] = 1;
    }
  }
  return { x, y, onehot };
}
