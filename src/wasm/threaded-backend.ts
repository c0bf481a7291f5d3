// A Backend on the threads build with a kernel thread pool (docs/kernels.md "Threads"): the main instance
// and `threads - 1` workers instantiate the same module on one shared WebAssembly.Memory (imported, at
// most 4 GiB), and the GEMM and convolution passes are split over them (src/wasm/threaded.ts).
import { Backend, imports, selfTest, type BuildName } from './backend.ts';
import { KernelPool, threadsUnavailable } from './kernel-pool.ts';
import { bindKernels } from './kernels.ts';
import { THREADED_KERNELS, threadKernels } from './threaded.ts';
import { threadsBuilds } from './source.ts';

const MAX_PAGES = 65536;

/**
 * The `build` ('relaxed' or 'simd') of the threads builds with `threads` kernel threads (the calling one
 * included). Throws when the build is not registered or a worker does not start (initSync then keeps the
 * single-thread backend and says why). `splitAll`: split every call, whatever its size (tests).
 * `waitFloorMs`: how long a call waits at least for a worker's chunk before it throws KernelThreadError
 * (src/wasm/kernel-pool.ts, waitLimitMs).
 */
export function instantiateThreaded(build: BuildName, threads: number, splitAll = false, waitFloorMs?: number): Backend {
  const builds = threadsBuilds();
  if (!builds || build === 'scalar') throw new Error(`no threads build for the ${build} build is registered`);
  const mod = new WebAssembly.Module((build === 'relaxed' ? builds.relaxed : builds.simd)() as BufferSource);
  const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const instance = new WebAssembly.Instance(mod, { env: { ...imports.env, memory } });
  const k = bindKernels(instance.exports, 'full');
  const b = new Backend(build, k, 'full');
  const main = instance.exports as unknown as Record<string, (...a: number[]) => unknown>;
  const pool = new KernelPool(mod, memory, threads - 1, k.heapBase(), (n) => b.alloc(n), (p) => b.free(p), THREADED_KERNELS, main, undefined, waitFloorMs);
  threadKernels(k, pool, splitAll);
  b.pool = pool;
  return b;
}

const MAX_AUTO_THREADS = 8;

/**
 * `b` (a single-thread backend) replaced by the threads build of its build with `want` kernel threads
 * ('auto': `defaultThreads`, at most 8), after the self-test; or `b` and why one thread runs.
 */
export function withThreads(b: Backend, want: number | 'auto', defaultThreads: number): { b: Backend; reason?: string } {
  const n = want === 'auto' ? Math.min(defaultThreads, MAX_AUTO_THREADS) : want;
  if (n <= 1) return { b };
  const why = threadsUnavailable() ?? (b.kernels !== 'full' ? 'kernel threads need the full kernel set' : null) ??
    (b.build === 'scalar' ? 'kernel threads need the SIMD or relaxed-SIMD build (the scalar build runs)' : null);
  if (why) return { b, reason: `one kernel thread: ${why}` };
  try {
    const t = instantiateThreaded(b.build, n);
    const failure = selfTest(t);
    if (failure) {
      t.pool?.close();
      throw new Error(`the ${b.build} threads build failed its self-test: ${failure}`);
    }
    return { b: t };
  } catch (e) {
    return { b, reason: `one kernel thread: ${(e as Error).message}` };
  }
}
