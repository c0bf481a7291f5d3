// Child process of test/nn/fused-plan-builds.test.ts: initialises the build named by argv[2] (simd, scalar,
// relaxed; relaxed needs node --experimental-wasm-relaxed-simd on Node 20) and prints, for a few zoo
// models with random batch-norm statistics, the fused plan's logits and the unfused forward's at batch 3.
import { initSync, backendInfo, noGrad, randn, MODEL_SPECS, BatchNorm1d, type Module } from '../../src/all.ts';
import { compileInference } from '../../src/nn/fused-plan.ts';
import { Rng } from '../../src/core/random.ts';

const build = process.argv[2] as 'simd' | 'scalar' | 'relaxed';
initSync({ build });
const rand = (n: number, seed: number, scale: number) => {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => (r.uniform() * 2 - 1) * scale);
};
function randomizeBatchNorm(model: Module, seed: number): void {
  let s = seed;
  for (const [, m] of model.namedModules())
    if (m instanceof BatchNorm1d) {
      const C = m.numFeatures;
      m.runningMean?.assign_(rand(C, s++, 0.5));
      m.runningVar?.assign_(rand(C, s++, 0.7).map((v) => 1.1 + v));
      m.weight?.assign_(rand(C, s++, 0.5).map((v) => 1 + v));
      m.bias?.assign_(rand(C, s++, 0.3));
    }
}
const out: Record<string, { fused: number[]; unfused: number[] }> = {};
for (const name of ['std-cnn', 'ds-cnn', 'cnn', 'arrhythminet-v1']) {
  const model = MODEL_SPECS.find((s) => s.name === name)!.build({ length: 187, channels: 1, classes: 5, rrFeatures: 0, fs: 125, seed: 3 });
  randomizeBatchNorm(model, 100);
  model.eval();
  const x = randn([3, 1, 187], { seed: 3 }).keep();
  const plan = compileInference(model, { input: [1, 187] });
  const fused = plan.isStatic ? plan.run(x.data(), 3, [1, 187]) : noGrad(() => plan.forward(x).data());
  const unfused = noGrad(() => model.forward(x).data());
  out[name] = { fused: Array.from(fused), unfused: Array.from(unfused) };
}
console.log(`FUSED_RESULT ${JSON.stringify({ build: backendInfo().build, out })}`);
