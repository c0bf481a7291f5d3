// Child process of test/kernels/threads.test.ts: initialises ecgrad with the thread count of argv[3] and
// prints one THREADS_RESULT line of JSON. Modes:
//   train   a few StdCNN and DSCNN training steps (batch 16: every conv pass and the GEMMs are split at
//           2 threads); the sha-256 of the model files (encodeModel) and the backend info
//   lean    the lean root only ('ecgrad' without ecgrad/node): which thread count it runs, and why
//   exit    starts the pool, runs one split GEMM and ends without closing anything (the process must exit)
//   nosab   as exit, with SharedArrayBuffer removed first (a runtime without it: one thread, and why)
import { createHash } from 'node:crypto';

const mode = process.argv[2];
const threads = Number(process.argv[3] ?? 2);
const result: Record<string, unknown> = {};

try {
  if (mode === 'nosab') delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;
  if (mode === 'lean') {
    const { initSync, backendInfo } = await import('../../src/index.ts');
    initSync({ threads });
    result.info = backendInfo();
  } else {
    await import('../../src/node/index.ts');
    const { initSync, backendInfo, randn, crossEntropy, Adam, encodeModel } = await import('../../src/all.ts');
    const { StdCNN, DSCNN } = await import('../../src/models/reference.ts');
    initSync({ threads });
    result.info = backendInfo();
    if (mode === 'train') {
      for (const [name, M] of [['std', StdCNN], ['ds', DSCNN]] as const) {
        const model = new M();
        model.train();
        const opt = new Adam(model.parameters(), { lr: 1e-3 });
        const x = randn([16, 1, 187], { seed: 3 }).keep();
        const y = Int32Array.from({ length: 16 }, (_, i) => i % 5);
        for (let s = 0; s < 3; s++) {
          opt.zeroGrad();
          const loss = crossEntropy(model.forward(x), y);
          loss.backward();
          opt.step();
        }
        result[name] = createHash('sha256').update(encodeModel(model, { arch: name })).digest('hex');
      }
    } else if (mode === 'exit' || mode === 'nosab') {
      const { matmul } = await import('../../src/all.ts');
      result.sum = matmul(randn([256, 256], { seed: 1 }), randn([256, 256], { seed: 2 })).sum().item();
    }
  }
} catch (e) {
  result.error = (e as Error).stack ?? String(e);
}
console.log(`THREADS_RESULT ${JSON.stringify(result)}`);
