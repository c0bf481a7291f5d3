// Node's kernel threads: registers the threads builds (src/wasm/threads-kernels.ts), a worker_threads
// factory for the kernel thread pool (src/wasm/kernel-pool.ts) and the threads provider initSync() asks
// (src/wasm/threads-provider.ts), so initSync() on Node runs the GEMM, convolution and unary passes on all
// cores by default. ECGRAD_THREADS=n sets the default count (1: one thread).
// Workers are unref'd: an idle pool never keeps the process alive. They are started from source text
// (eval) with no execArgv, so a test runner's loader (tsx) is not loaded into them; V8 flags such as
// --experimental-wasm-relaxed-simd are per process and reach them anyway.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import '../wasm/threads-kernels.ts';
import { setWorkerFactory, type KernelThread, type WorkerData } from '../wasm/kernel-pool.ts';
import { withThreads } from '../wasm/threaded-backend.ts';
import { setThreadsProvider } from '../wasm/threads-provider.ts';

/** ECGRAD_THREADS when set to a whole number >= 1, else the cores. */
function defaultThreads(): number {
  const env = process.env.ECGRAD_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new Error(`ECGRAD_THREADS must be a whole number >= 1 (got '${env}')`);
    return n;
  }
  return availableParallelism();
}

const threads = defaultThreads();
setWorkerFactory({
  defaultThreads: threads,
  spawn(source: string, data: WorkerData): KernelThread {
    const w = new Worker(`(${source})(require('node:worker_threads').workerData);`, { eval: true, workerData: data, execArgv: [] });
    w.unref();
    // a failure to start is reported through the control block (the pool's start times out or sees ERR);
    // an exit or error seen here (between kernel calls: the events need the event loop) closes the pool
    let ended: string | null = null;
    w.on('error', (e) => void (ended ??= `error: ${(e as Error).message}`));
    w.on('exit', (code) => void (ended ??= `exited with code ${code}`));
    return { terminate: () => void w.terminate(), ended: () => ended };
  },
});

setThreadsProvider({ attach: (b, want) => withThreads(b, want, threads) });
