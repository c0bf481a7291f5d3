// Where kernel threads come from: a registry that src/node/kernel-threads.ts fills (the threads builds, the
// kernel thread pool and a worker_threads factory), so that initSync() can start threads without the lean
// root or ecgrad/infer bundling any of that code (their size budgets).
import type { Backend } from './backend.ts';

export interface ThreadsProvider {
  /**
   * The backend with `want` kernel threads ('auto': the provider's default) in place of the single-thread
   * `b`, or `b` and why not (src/wasm/threaded-backend.ts, withThreads).
   */
  attach(b: Backend, want: number | 'auto'): { b: Backend; reason?: string };
}

let provider: ThreadsProvider | null = null;

export function setThreadsProvider(p: ThreadsProvider | null): void {
  provider = p;
}

export function threadsProvider(): ThreadsProvider | null {
  return provider;
}
