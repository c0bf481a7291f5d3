// Kernel threads in browsers (ecgrad/browser-threads): the threads builds (src/wasm/threads-kernels.ts), a Web
// Worker factory for the kernel thread pool (src/wasm/kernel-pool.ts) and the threads provider initSync() asks
// (src/wasm/threads-provider.ts), the browser counterpart of src/node/kernel-threads.ts.
//
// A browser starts a Worker only once the creating thread returns to its event loop, and initSync() blocks
// (the pool waits with Atomics.wait until its workers have instantiated the kernels): so the workers are
// started beforehand, by `await startKernelThreads(n)`, each a Blob URL worker given one end of a MessageChannel
// on which it waits for its WorkerData; the factory sends one of them the shared memory, module and control
// block on that channel. (Chromium delivers a MessagePort's message while the sender blocks, not a
// Worker.postMessage: those wait for the sender's event loop, and the pool would time out.) Blocking waits are allowed in dedicated workers, not on a page's
// main thread: there, and where the page is not cross-origin isolated (no SharedArrayBuffer), initSync()
// keeps one thread and backendInfo().threadsReason says why.
/**
 * Kernel threads in browsers: `await startKernelThreads(n)` in a dedicated worker of a cross-origin-isolated
 * page, then `initSync({ threads: n })`: GEMM, convolutions and unary ops split over n threads (Web Workers on
 * one shared WebAssembly.Memory), bit-identical to one thread.
 *
 * @module ecgrad/browser-threads
 */
import '../wasm/threads-kernels.ts';
import { setWorkerFactory, threadsUnavailable, WORKER_SOURCE, type KernelThread, type WorkerData } from '../wasm/kernel-pool.ts';
import { withThreads } from '../wasm/threaded-backend.ts';
import { setThreadsProvider } from '../wasm/threads-provider.ts';

/** The most threads 'auto' starts (as on Node: src/wasm/threaded-backend.ts). */
const MAX_AUTO_THREADS = 8;

/**
 * The worker's program: take the MessageChannel port of the first message, say ready, wait on the port for
 * the pool's WorkerData, then serve kernel calls (WORKER_SOURCE).
 */
const WORKER_SCRIPT = `self.onmessage = function (e) {
  self.onmessage = null;
  var port = e.data;
  port.onmessage = function (m) { port.onmessage = null; port.close(); (${WORKER_SOURCE})(m.data); };
  self.postMessage('ready');
};
`;

/** A started worker waiting for the pool, and the port its WorkerData goes to. */
interface Spare {
  worker: Worker;
  port: MessagePort;
}

/** Started workers waiting for the pool. */
const spares: Spare[] = [];
let scriptUrl: string | null = null;
let registered = false;

interface BrowserGlobals {
  document?: unknown;
  crossOriginIsolated?: boolean;
  Worker?: unknown;
  navigator?: { hardwareConcurrency?: number };
}

/**
 * Why kernel threads cannot run in this global scope, or null when they can: a page's main thread (it may not
 * block), a page that is not cross-origin isolated (no SharedArrayBuffer), a scope without Web Workers.
 */
export function browserThreadsUnavailable(): string | null {
  const g = globalThis as BrowserGlobals;
  if (typeof g.document === 'object' && g.document !== null)
    return "a page's main thread may not block (Atomics.wait is not allowed there): run ecgrad in a dedicated Web Worker for kernel threads";
  if (g.crossOriginIsolated === false || typeof SharedArrayBuffer !== 'function')
    return 'this page is not cross-origin isolated, so SharedArrayBuffer is not available: serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';
  if (typeof g.Worker !== 'function') return 'this global scope cannot start Web Workers (use a dedicated worker)';
  return threadsUnavailable();
}

function register(): void {
  if (registered) return;
  registered = true;
  setWorkerFactory({
    get defaultThreads() {
      return spares.length + 1;
    },
    spawn(source: string, data: WorkerData): KernelThread {
      if (source !== WORKER_SOURCE) throw new Error('ecgrad: the browser kernel thread factory runs only the kernel pool worker');
      const s = spares.shift();
      if (!s) throw new Error('ecgrad: no started Web Worker is left for a kernel thread: await startKernelThreads(n) before initSync()');
      s.port.postMessage(data);
      s.port.close();
      // an error event (seen between kernel calls: it needs this thread's event loop) closes the pool
      let ended: string | null = null;
      s.worker.onerror = (e) => void (ended ??= `error: ${e.message || 'the worker failed'}`);
      return { terminate: () => s.worker.terminate(), ended: () => ended };
    },
  });
  setThreadsProvider({
    attach(b, want) {
      const why = browserThreadsUnavailable();
      if (why) return want === 1 ? { b } : { b, reason: `one kernel thread: ${why}` };
      const n = want === 'auto' ? spares.length + 1 : want;
      if (want === 'auto' && n === 1 && ((globalThis as BrowserGlobals).navigator?.hardwareConcurrency ?? 1) > 1)
        return { b, reason: 'one kernel thread: no started Web Worker is waiting: await startKernelThreads() before each initSync()/init() that should run threads' };
      if (n <= 1) return { b };
      if (n - 1 > spares.length)
        return {
          b,
          reason:
            `one kernel thread: ${n} threads need ${n - 1} started Web Workers and ${spares.length} are ready: ` +
            `await startKernelThreads(${n}) before each initSync()/init() that asks for them (a browser starts a worker only when its creator returns to the event loop)`,
        };
      return withThreads(b, n, n);
    },
  });
}

/** What startKernelThreads() achieved. */
export interface KernelThreadsStart {
  /** Threads the next initSync({ threads: 'auto' }) gets, the calling one included (1: none started). */
  threads: number;
  /** Why only one thread can run here (a page's main thread, no cross-origin isolation). */
  reason?: string;
}

function startWorker(url: string, timeoutMs: number): Promise<Spare> {
  return new Promise((resolve, reject) => {
    let w: Worker;
    try {
      w = new Worker(url);
    } catch (e) {
      reject(new Error(`ecgrad: cannot start a kernel thread worker from a blob: URL (${(e as Error).message}); a Content-Security-Policy needs worker-src blob:`, { cause: e }));
      return;
    }
    const channel = new MessageChannel();
    w.postMessage(channel.port2, [channel.port2]);
    const t = setTimeout(() => {
      w.terminate();
      reject(new Error(`ecgrad: a kernel thread worker did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    w.onmessage = () => {
      clearTimeout(t);
      w.onmessage = null;
      w.onerror = null;
      resolve({ worker: w, port: channel.port1 });
    };
    w.onerror = (e) => {
      clearTimeout(t);
      w.terminate();
      reject(new Error(`ecgrad: a kernel thread worker failed to start (${e.message || 'a Content-Security-Policy without worker-src blob:?'})`));
    };
  });
}

/**
 * Registers ecgrad's kernel threads for this browser scope and starts the Web Workers `threads` kernel
 * threads need (the calling thread is one of them; 'auto': navigator.hardwareConcurrency, at most 8). Call it
 * before each initSync()/init() that should run threads (re-initialising hands the started workers to the new
 * backend's pool, and closing a pool ends its workers). In a dedicated worker of a cross-origin-isolated page it
 * starts them; on a page's main thread or without cross-origin isolation it starts none and says why (initSync()
 * then runs one thread and backendInfo().threadsReason gives the same reason).
 */
export async function startKernelThreads(threads: number | 'auto' = 'auto', opts: { timeoutMs?: number } = {}): Promise<KernelThreadsStart> {
  if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1))
    throw new TypeError(`ecgrad: startKernelThreads(threads) takes a whole number >= 1 or 'auto' (got ${String(threads)})`);
  register();
  const why = browserThreadsUnavailable();
  if (why) return { threads: 1, reason: `one kernel thread: ${why}` };
  const g = globalThis as BrowserGlobals;
  const n = threads === 'auto' ? Math.max(1, Math.min(g.navigator?.hardwareConcurrency ?? 1, MAX_AUTO_THREADS)) : threads;
  scriptUrl ??= URL.createObjectURL(new Blob([WORKER_SCRIPT], { type: 'text/javascript' }));
  const url = scriptUrl;
  const need = n - 1 - spares.length;
  if (need > 0) spares.push(...(await Promise.all(Array.from({ length: need }, () => startWorker(url, opts.timeoutMs ?? 10000)))));
  return { threads: spares.length + 1 };
}

/** Ends the started workers no backend took (the running backend's threads end when it is replaced). */
export function stopKernelThreads(): void {
  for (const s of spares.splice(0)) s.worker.terminate();
}
