// A Backend on the threads build with a kernel thread pool (docs/kernels.md "Threads"): the main instance
// and `threads - 1` workers instantiate the same module on one shared WebAssembly.Memory (imported, at
// most 4 GiB), and the GEMM and convolution passes are split over them (src/wasm/threaded.ts).
import { Backend, decodeHex, imports, type BuildName } from './backend.ts';
import { KernelPool } from './kernel-pool.ts';
import { bindKernels } from './kernels.ts';
import { THREADED_KERNELS, threadKernels } from './threaded.ts';
import { threadsBuilds } from './source.ts';

const MAX_PAGES = 65536;

/**
 * The `build` ('relaxed' or 'simd') of the threads builds with `threads` kernel threads (the calling one
 * included). Throws when the build is not registered or a worker does not start (initSync then keeps the
 * single-thread backend and says why). `splitAll`: split every call, whatever its size (tests).
 */
export function instantiateThreaded(build: BuildName, threads: number, splitAll = false): Backend {
  const hex = threadsBuilds();
  if (!hex || build === 'scalar') throw new Error(`no threads build for the ${build} build is registered`);
  const mod = new WebAssembly.Module(decodeHex(build === 'relaxed' ? hex.relaxed : hex.simd) as BufferSource);
  const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const instance = new WebAssembly.Instance(mod, { env: { ...imports.env, memory } });
  const k = bindKernels(instance.exports, 'full');
  const b = new Backend(build, k, 'full');
  const main = instance.exports as unknown as Record<string, (...a: number[]) => unknown>;
  const pool = new KernelPool(mod, memory, threads - 1, k.heapBase(), (n) => b.alloc(n), (p) => b.free(p), THREADED_KERNELS, main);
  threadKernels(k, pool, splitAll);
  b.pool = pool;
  return b;
}
