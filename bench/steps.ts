// The workloads bench/train-step.ts (Node) and bench/browser/suite.ts (headless Chromium) time, in one place so
// both runtimes run the same code: a full training step (forward, cross-entropy, backward, Adam) and an eval-mode
// forward on fixed random inputs of batch B x 1 x L, and the median the tables report. Browser-safe (no node: imports).
import { randn, noGrad, crossEntropy, Adam, type Module } from '../src/all.ts';
import { compileInference } from '../src/nn/fused-plan.ts';

/** Median of v (mean of the middle two for an even count). */
export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** A zero-argument training step of `model` on a fixed B x 1 x L batch (labels i mod 5), Adam lr 1e-3. */
export function trainStep(model: Module, B: number, L: number): () => void {
  model.train();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([B, 1, L], { seed: 1 }).keep();
  const y = Int32Array.from({ length: B }, (_, i) => i % 5);
  return () => {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
  };
}

/** A zero-argument eval-mode forward of `model` on a fixed B x 1 x L batch. */
export function inferStep(model: Module, B: number, L: number): () => void {
  model.eval();
  const x = randn([B, 1, L], { seed: 2 }).keep();
  return () => noGrad(() => void model.forward(x));
}

/** A zero-argument run of `model`'s fused inference plan (src/nn/fused-plan.ts) on a fixed B x 1 x L batch. */
export function fusedStep(model: Module, B: number, L: number): () => void {
  model.eval();
  const plan = compileInference(model, { input: [1, L] });
  const xs = randn([B, 1, L], { seed: 2 }).keep().data(), out = new Float32Array(B * 5);
  return () => void plan.run(xs, B, [1, L], out);
}
