// Child process of infer-build.test.ts: everything here switches kernel sets or depends on which modules
// are imported first, and re-initialising ecgrad would invalidate the tensors other test files hold, so
// it runs alone. Modules are imported dynamically, in the order each mode needs. Prints one line
// "INFER_BUILD_RESULT <json>". Usage: node --import tsx test/embed/infer-build-child.ts <mode>
//   compare        zoo logits, missing-kernel errors and the streaming classifier: inference vs full set
//   infer-first    ecgrad/infer alone, then an explanation module imported after init
//   explain-first  an explanation module, then ecgrad/infer
import type { KernelSource } from '../../src/wasm/source.ts';
import { message } from '../helpers/message.ts';

const mode = process.argv[2];
const result: Record<string, unknown> = { mode };


if (mode === 'compare') {
  const lib = await import('../../src/all.ts');
  const infer = await import('../../src/infer/index.ts');
  const { initSyncFrom, backend } = await import('../../src/core/runtime.ts');
  const { instantiateSync, selfTest } = await import('../../src/wasm/backend.ts');
  const { syntheticEcg } = await import('../../demo/synthetic.ts');
  const full = await import('../../src/wasm/generated.ts');
  const inf = await import('../../src/wasm/generated-infer.ts');
  const { embeddedBuilds } = await import('../../src/wasm/embedded.ts');
  const [fullSimd, fullScalar] = embeddedBuilds(full.wasmPack);
  const [inferSimd, inferScalar] = embeddedBuilds(inf.wasmPack);
  const FULL: KernelSource = { set: 'full', simd: fullSimd!, scalar: fullScalar! };
  const INFER: KernelSource = { set: 'infer', simd: inferSimd!, scalar: inferScalar! };

  // Every registered architecture, without and with RR features, seeded random weights, as model files.
  initSyncFrom(FULL, { build: 'simd' });
  const B = 4;
  const rng = new lib.Rng(5);
  const x = Float32Array.from({ length: B * 187 }, () => rng.normal());
  const rr = Float32Array.from({ length: B * 6 }, () => 0.5 + rng.uniform());
  const files: { name: string; rr: number; bytes: Uint8Array }[] = [];
  for (const name of lib.modelNames())
    for (const r of [0, 6]) {
      const config = { length: 187, channels: 1, classes: 5, rrFeatures: r, fs: 125, seed: 3 };
      const model = lib.modelSpec(name).build(config);
      model.eval();
      files.push({ name, rr: r, bytes: lib.encodeModel(model, { arch: name, config, meta: { rr: r > 0 } }) });
    }
  const streamModel = files.find((f) => f.name === 'arrhythminet-v2' && f.rr === 6)!.bytes;
  const { signal, fs } = syntheticEcg(40);

  const logits: Record<string, number[][]> = {};
  const streams: Record<string, number[][]> = {};
  for (const build of ['simd', 'scalar'] as const)
    for (const source of [FULL, INFER]) {
      initSyncFrom(source, { build, force: true });
      const key = `${build} ${source.set}`;
      logits[key] = files.map((f) => {
        const m = lib.modelFromBytes(f.bytes).model;
        m.eval();
        return Array.from(lib.noGrad(() => {
          const xt = lib.fromArray(x, [B, 1, 187]);
          return (f.rr ? m.forward(xt, lib.fromArray(rr, [B, 6])) : m.forward(xt)).data();
        }));
      });
      // The streaming classifier, in chunks of 100 samples: beat positions, classes, probabilities.
      const s = new infer.BeatStream(infer.loadClassifier(streamModel), { fs });
      const beats = [];
      for (let p = 0; p < signal.length; p += 100) beats.push(...s.push(signal.subarray(p, p + 100)));
      beats.push(...s.end());
      streams[key] = beats.map((b) => [b.sample, b.emittedAt, b.cls, ...b.probs]);
      if (source.set === 'infer') {
        result[`${build} info`] = { ...lib.backendInfo(), simdBuild: backend().k.simdBuild() };
        result[`${build} selfTest`] = selfTest(instantiateSync(build, INFER));
        result[`${build} missing`] = message(() => backend().k.conv1dBackwardData(0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0));
        const w = lib.randn([3], { requiresGrad: true });
        result[`${build} backward`] = message(() => w.relu().sum().backward());
      }
    }
  result.models = files.map((f) => `${f.name}${f.rr ? ' rr' : ''}`);
  result.logits = logits;
  result.streams = streams;
} else if (mode === 'infer-first') {
  const infer = await import('../../src/infer/index.ts');
  const { backend } = await import('../../src/core/runtime.ts');
  result.first = infer.initSync().kernels;
  result.before = message(() => backend().k.adamStep(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  await import('../../src/explain/classifier.ts'); // registers the full set after init
  result.after = message(() => backend().k.adamStep(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  result.forced = infer.initSync({ force: true }).kernels;
} else if (mode === 'explain-first') {
  await import('../../src/explain/classifier.ts');
  const infer = await import('../../src/infer/index.ts');
  result.first = infer.initSync().kernels;
} else {
  throw new Error(`infer-build-child: unknown mode ${mode}`);
}
console.log(`INFER_BUILD_RESULT ${JSON.stringify(result)}`);
