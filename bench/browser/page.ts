// The bench:browser page's main thread: starts the benchmark worker (bench/browser/worker.ts) and exposes
// window.ecgradBench for the driver (bench/browser/harness.ts, through playwright-core's page.evaluate):
// worker(request) relays a request to the worker; mainThread() initialises ecgrad here on the page's main
// thread asking for 2 kernel threads, which a page's main thread may not run (backendInfo() says why).
import { init, backendInfo } from '../../src/index.ts';
import { startKernelThreads } from '../../src/browser/kernel-threads.ts';

const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let next = 1;
const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
w.onmessage = (e: MessageEvent<{ id?: number; log?: string; result?: unknown; error?: string }>) => {
  const m = e.data;
  if (m.log !== undefined) {
    console.log(m.log);
    return;
  }
  const p = waiting.get(m.id!);
  waiting.delete(m.id!);
  if (m.error !== undefined) p?.reject(new Error(m.error));
  else p?.resolve(m.result);
};
w.onerror = (e) => console.error(`benchmark worker error: ${e.message}`);

(window as unknown as { ecgradBench: unknown }).ecgradBench = {
  worker(request: Record<string, unknown>): Promise<unknown> {
    const id = next++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      w.postMessage({ ...request, id });
    });
  },
  async mainThread() {
    const start = await startKernelThreads(2);
    await init({ threads: 2 });
    return { start, info: backendInfo(), crossOriginIsolated: crossOriginIsolated };
  },
};
document.body.dataset.ready = '1';
