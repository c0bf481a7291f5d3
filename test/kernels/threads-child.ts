// Child process of test/kernels/threads.test.ts: initialises ecgrad with the thread count of argv[3] and
// prints one THREADS_RESULT line of JSON. Modes:
//   train   a few StdCNN and DSCNN training steps (batch 16: every conv pass and the GEMMs are split at
//           2 threads); the sha-256 of the model files (encodeModel) and the backend info
//   lean    the lean root only ('ecgrad' without ecgrad/node): which thread count it runs, and why
//   exit    starts the pool, runs one split GEMM and ends without closing anything (the process must exit)
//   nosab   as exit, with SharedArrayBuffer removed first (a runtime without it: one thread, and why)
//   die-exit, die-hang   a 2-thread pool (every call split, waitFloorMs 1000) whose worker's gemm (and gemmWholeA) calls
//           process.exit / loops forever: split GEMMs until one throws; the error's name, kernel, message
//           and how long that call took; then whether later calls run on one thread with the single
//           thread's bytes
//   die-terminate   the worker terminated between calls: the next call, the pool's failure, later calls
//   suspend a 2-thread pool (every call split, waitFloorMs 400) whose worker's gemm (gemmWholeA) first spins 30 ms, so
//           the calling thread is nearly always waiting for it; prints SUSPEND_READY and runs split GEMMs
//           while the parent stops (SIGSTOP) and continues the process; ends after 3 gaps of >= 1000 ms
//           between calls (or 30 s): the calls made, the gaps seen, and any error thrown
import { createHash } from 'node:crypto';

const mode = process.argv[2] ?? '';
const threads = Number(process.argv[3] ?? 2);
const result: Record<string, unknown> = {};

try {
  if (mode === 'nosab') delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;
  if (mode === 'suspend') {
    await import('../../src/node/kernel-threads.ts');
    const { workerFactory, setWorkerFactory } = await import('../../src/wasm/kernel-pool.ts');
    const { instantiateThreaded } = await import('../../src/wasm/threaded-backend.ts');
    const node = workerFactory()!;
    setWorkerFactory({
      defaultThreads: 2,
      spawn: (src, d) => node.spawn(`function (d) { const I = WebAssembly.Instance; WebAssembly.Instance = function (m, i) { const ex = { ...new I(m, i).exports }; for (const n of ['gemm', 'gemmWholeA', 'gemmWholeB']) { const g = ex[n]; ex[n] = function (...a) { const t = Date.now(); while (Date.now() - t < 30); return g(...a); }; } return { exports: ex }; }; (${src})(d); }`, d),
    });
    const b = instantiateThreaded('simd', 2, true, 400);
    const M = 128, N = 128, K = 128;
    const pa = b.alloc(M * K * 4), pb = b.alloc(K * N * 4), pc = b.alloc(M * N * 4), w = b.alloc(b.k.gemmWorkSize(M, N, K));
    b.f32(pa, M * K).fill(0.5);
    b.f32(pb, K * N).fill(0.25);
    let calls = 0, gaps = 0;
    const t0 = performance.now();
    let prev = t0;
    try {
      for (; gaps < 3 && performance.now() - t0 < 30_000; calls++) {
        b.k.gemm(0, 0, M, N, K, 1, pa, K, pb, N, 0, pc, N, w);
        if (calls === 0) console.log('SUSPEND_READY');
        const now = performance.now();
        if (now - prev >= 1000) gaps++;
        prev = now;
      }
      result.value = b.f32(pc, 1)[0];
    } catch (e) {
      result.threw = (e as Error).name;
      result.message = (e as Error).message;
    }
    result.calls = calls;
    result.gaps = gaps;
    result.poolSize = (b.pool as unknown as import('../../src/wasm/kernel-pool.ts').KernelPool).size;
    b.pool?.close();
  } else if (mode.startsWith('die-')) {
    const how = mode.slice(4);
    await import('../../src/node/kernel-threads.ts');
    const { workerFactory, setWorkerFactory } = await import('../../src/wasm/kernel-pool.ts');
    const { instantiateThreaded } = await import('../../src/wasm/threaded-backend.ts');
    const { instantiateSync } = await import('../../src/wasm/backend.ts');
    const node = workerFactory()!;
    if (how !== 'terminate') {
      // the worker's instance gets a gemm that never returns (the calling thread's stays the real one)
      const body = how === 'exit' ? 'process.exit(3);' : 'for (;;) {}';
      setWorkerFactory({
        defaultThreads: 2,
        spawn: (src, d) => node.spawn(`function (d) { const I = WebAssembly.Instance; WebAssembly.Instance = function (m, i) { const ex = { ...new I(m, i).exports }; ex.gemm = ex.gemmWholeA = ex.gemmWholeB = function () { ${body} }; return { exports: ex }; }; (${src})(d); }`, d),
      });
    }
    const b = instantiateThreaded('simd', 2, true, 1000);
    const one = instantiateSync('simd');
    const pool = b.pool as unknown as import('../../src/wasm/kernel-pool.ts').KernelPool;
    const M = 512, N = 512, K = 256;
    const gemm = (be: typeof b) => {
      const pa = be.alloc(M * K * 4), pb = be.alloc(K * N * 4), pc = be.alloc(M * N * 4), w = be.alloc(be.k.gemmWorkSize(M, N, K));
      be.f32(pa, M * K).set(Float32Array.from({ length: M * K }, (_, i) => Math.sin(i)));
      be.f32(pb, K * N).set(Float32Array.from({ length: K * N }, (_, i) => Math.cos(i)));
      be.k.gemm(0, 0, M, N, K, 1, pa, K, pb, N, 0, pc, N, w);
      const out = Buffer.from(be.f32(pc, M * N).slice().buffer).toString('base64');
      for (const p of [pa, pb, pc, w]) be.free(p);
      return out;
    };
    if (how === 'terminate') {
      pool.workers[0]!.terminate();
      await new Promise((r) => setTimeout(r, 500)); // the exit event
      gemm(b);
      result.failure = pool.failure;
    } else {
      for (let i = 0; i < 200 && result.threw === undefined; i++) {
        const t0 = performance.now();
        try {
          gemm(b);
        } catch (e) {
          result.ms = performance.now() - t0;
          result.threw = (e as Error).name;
          result.kernel = (e as { kernel?: string }).kernel;
          result.message = (e as Error).message;
        }
      }
    }
    result.sizeAfter = pool.size;
    result.laterSame = gemm(b) === gemm(one);
    b.pool?.close();
  } else if (mode === 'lean') {
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
