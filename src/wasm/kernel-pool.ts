// The kernel thread pool: workers that each instantiate the threads build of the kernels on the main
// instance's shared memory and run parts of one kernel call (src/wasm/threaded.ts splits the calls).
//
// Control block (one SharedArrayBuffer, no postMessage per call): slot 0 is the header (Int32 READY:
// workers started), slot s = 1..n belongs to worker s-1, 256 bytes each:
//   Int32 [SEQ]  call number, written by the main thread (-1: exit)   Int32 [DONE] last call finished
//   Int32 [FN]   index into the pool's kernel names                  Int32 [ARGC], [ERR] (1: it threw)
//   Float64 from byte 32: the arguments (numbers only: pointers, sizes, f32 scalars; exact in f64).
// A call: the main thread writes each worker's arguments, bumps its SEQ and notifies, runs part 0 itself,
// then waits for every DONE (a short spin, then Atomics.wait). Workers block in Atomics.wait on SEQ.
//
// Workers must not clobber the main instance: they run only allocation-free kernel entry points, their
// static scratch is a private block (assembly/threads.ts, threadScratch), and they are instantiated (which
// rewrites the module's data segments, the same constant bytes) while the main thread blocks in start().
// The worker code is the self-contained function WORKER_SOURCE, shipped as source text; how a thread is made
// from it is the registered WorkerFactory's business (src/node/kernel-threads.ts: worker_threads).

const SLOT_INTS = 64;
const SEQ = 0, DONE = 1, FN = 2, ARGC = 3, ERR = 4;
const ARG0 = 4; // first Float64 of a slot (byte 32)
const MAX_ARGS = (SLOT_INTS * 4 - 32) / 8;
const READY = 0;

/** A running worker thread, as the factory made it. */
export interface KernelThread {
  terminate(): void;
}

/** Makes worker threads from source text (a function expression called with `data`). */
export interface WorkerFactory {
  /** The thread count initSync({ threads: 'auto' }) uses (Node: the cores, or ECGRAD_THREADS). */
  readonly defaultThreads: number;
  /** Starts a thread running `(${source})(data)`; it must not keep the process alive. */
  spawn(source: string, data: WorkerData): KernelThread;
}

export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  slot: number;
  scratch: number;
  names: string[];
}

/**
 * The worker's whole program, a function of its WorkerData: instantiate on the shared memory, then serve
 * calls until SEQ is -1. Plain JavaScript text (not a compiled function's toString(), which bundlers and
 * loaders may rewrite with helpers the worker does not have); the slot layout is the one above.
 */
export const WORKER_SOURCE: string = `function ecgradKernelWorker(d) {
  const ctl = new Int32Array(d.control), args = new Float64Array(d.control);
  const base = d.slot * ${SLOT_INTS}, abase = base / 2 + ${ARG0};
  let fns;
  try {
    const env = { memory: d.memory, abort() { throw new Error('kernel aborted'); } };
    const ex = new WebAssembly.Instance(d.module, { env }).exports;
    ex.threadScratch(d.scratch);
    fns = d.names.map((n) => ex[n]);
  } catch (e) {
    Atomics.store(ctl, base + ${ERR}, 1);
    Atomics.add(ctl, ${READY}, 1);
    Atomics.notify(ctl, ${READY});
    return;
  }
  Atomics.add(ctl, ${READY}, 1);
  Atomics.notify(ctl, ${READY});
  let seen = 0;
  const a = [];
  for (;;) {
    Atomics.wait(ctl, base + ${SEQ}, seen);
    const s = Atomics.load(ctl, base + ${SEQ});
    if (s === seen) continue;
    if (s < 0) return;
    seen = s;
    try {
      const n = ctl[base + ${ARGC}];
      a.length = n;
      for (let i = 0; i < n; i++) a[i] = args[abase + i];
      fns[ctl[base + ${FN}]](...a);
      ctl[base + ${ERR}] = 0;
    } catch (e) {
      ctl[base + ${ERR}] = 1;
    }
    Atomics.store(ctl, base + ${DONE}, s);
    Atomics.notify(ctl, base + ${DONE});
  }
}`;

let factory: WorkerFactory | null = null;

/** Registers how kernel threads are made here (src/node/kernel-threads.ts for Node). */
export function setWorkerFactory(f: WorkerFactory | null): void {
  factory = f;
}

export function workerFactory(): WorkerFactory | null {
  return factory;
}

/** Why this runtime cannot run kernel threads with blocking waits, or null when it can. */
export function threadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object')
    return 'SharedArrayBuffer is not available here (browsers: serve the page cross-origin isolated, COOP/COEP headers)';
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return 'this thread may not block (Atomics.wait is not allowed, e.g. a browser main thread): run ecgrad in a worker';
  }
  if (!factory) return 'no kernel thread factory is registered (src/node/kernel-threads.ts registers one for Node)';
  return null;
}

/** A grow-only block of wasm memory per thread, for the parts' scratch. */
interface Block {
  ptr: number;
  bytes: number;
}

export class KernelPool {
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly threads: KernelThread[] = [];
  private readonly index: Map<string, number>;
  private readonly scratchBlocks: Block[];
  private readonly privateBlocks: number[] = [];
  private seq = 0;
  private closed = false;

  /**
   * Starts `workers` threads on `memory` and blocks until each has instantiated `module` (or `timeoutMs`
   * passed: then it throws, naming the cause). `names`: the kernel entry points the workers may run.
   */
  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    workers: number,
    heapBase: number,
    private readonly alloc: (bytes: number) => number,
    private readonly free: (ptr: number) => void,
    names: string[],
    private readonly main: Record<string, (...a: number[]) => unknown>,
    timeoutMs = 10000,
  ) {
    const f = factory;
    if (!f) throw new Error('ecgrad: no kernel thread factory is registered');
    const control = new SharedArrayBuffer((workers + 1) * SLOT_INTS * 4);
    this.ctl = new Int32Array(control);
    this.args = new Float64Array(control);
    this.index = new Map(names.map((n, i) => [n, i]));
    this.scratchBlocks = Array.from({ length: workers + 1 }, () => ({ ptr: 0, bytes: 0 }));
    try {
      for (let w = 0; w < workers; w++) {
        const scratch = alloc(heapBase);
        this.privateBlocks.push(scratch);
        this.threads.push(f.spawn(WORKER_SOURCE, { module, memory, control, slot: w + 1, scratch, names }));
      }
      const t0 = Date.now();
      for (;;) {
        const ready = Atomics.load(this.ctl, READY);
        if (ready >= workers) break;
        const left = timeoutMs - (Date.now() - t0);
        if (left <= 0) throw new Error(`ecgrad: ${workers - ready} of ${workers} kernel threads did not start within ${timeoutMs} ms`);
        Atomics.wait(this.ctl, READY, ready, left);
      }
      const failed = this.threads.findIndex((_, w) => this.ctl[(w + 1) * SLOT_INTS + ERR] !== 0);
      if (failed >= 0) throw new Error(`ecgrad: kernel thread ${failed + 1} could not instantiate the threads build`);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Threads including the calling one. */
  get size(): number {
    return this.threads.length + 1;
  }

  /**
   * Scratch of at least `bytes` for part `part` (0: the calling thread), valid until the next call with
   * the same part. Allocates only between kernel calls (the workers are idle then).
   */
  scratch(part: number, bytes: number): number {
    const b = this.scratchBlocks[part]!;
    if (bytes > b.bytes) {
      if (b.ptr) this.free(b.ptr);
      b.bytes = Math.max(bytes, Math.ceil(b.bytes * 1.5));
      b.ptr = this.alloc(b.bytes);
    }
    return b.ptr;
  }

  /** Runs `name` once per argument list, part 0 on this thread and part i on worker i-1, and waits for all. */
  run(name: string, parts: number[][]): void {
    if (this.closed) throw new Error('ecgrad: the kernel thread pool is closed (the backend was replaced)');
    const fn = this.index.get(name);
    if (fn === undefined || parts.length > this.size) throw new Error(`ecgrad: kernel pool cannot run ${parts.length} parts of ${name}`);
    const seq = ++this.seq;
    for (let p = 1; p < parts.length; p++) {
      const a = parts[p]!;
      if (a.length > MAX_ARGS) throw new Error(`ecgrad: ${name} has too many arguments for the kernel pool`);
      const base = p * SLOT_INTS;
      this.ctl[base + FN] = fn;
      this.ctl[base + ARGC] = a.length;
      this.args.set(a, base / 2 + ARG0);
      Atomics.store(this.ctl, base + SEQ, seq);
      Atomics.notify(this.ctl, base + SEQ);
    }
    let error: unknown = null;
    try {
      this.main[name]!(...parts[0]!);
    } catch (e) {
      error = e;
    }
    let failed = 0;
    for (let p = 1; p < parts.length; p++) {
      const base = p * SLOT_INTS;
      for (let spin = 0; spin < 4000 && Atomics.load(this.ctl, base + DONE) !== seq; spin++);
      for (;;) {
        const done = Atomics.load(this.ctl, base + DONE);
        if (done === seq) break;
        Atomics.wait(this.ctl, base + DONE, done, 1000);
      }
      if (this.ctl[base + ERR] !== 0) failed = p;
    }
    if (error) throw error;
    if (failed) throw new Error(`ecgrad: kernel thread ${failed} failed in ${name} (out-of-bounds memory access or a kernel abort)`);
  }

  /** Stops the threads (they exit at their next wait) and frees the pool's blocks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let p = 1; p <= this.threads.length; p++) {
      Atomics.store(this.ctl, p * SLOT_INTS + SEQ, -1);
      Atomics.notify(this.ctl, p * SLOT_INTS + SEQ);
    }
    for (const t of this.threads) t.terminate();
    try {
      for (const b of this.scratchBlocks) if (b.ptr) this.free(b.ptr);
      for (const p of this.privateBlocks) this.free(p);
    } catch {
      // the backend's memory went with it
    }
  }
}
