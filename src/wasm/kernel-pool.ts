// The kernel thread pool: workers that each instantiate the threads build of the kernels on the main
// instance's shared memory and run parts of one kernel call (src/wasm/threaded.ts splits the calls).
//
// A call is a list of chunks (argument lists of one kernel entry point, disjoint outputs) that the calling
// thread and the workers take from a shared counter (Atomics.add) until none is left: a thread that is
// slow (a loaded host: another process holds the core) takes fewer chunks instead of holding up the call
// (static halves made the call as slow as the slower thread). Which thread runs a chunk does not change
// its result (every chunk is computed by the same code whatever the split; src/wasm/threaded.ts).
//
// Control block (one SharedArrayBuffer, no postMessage per call): slot 0 is the header, slot s = 1..n
// belongs to worker s-1, 256 bytes each:
//   header  Int32 [READY] workers started  [NEXT] (call tag << 8) | next chunk  [CHUNKS] chunk count
//           [FN] kernel index  [ARGC] arguments per chunk  [SCRATCH_ARG] the argument each thread
//           replaces by its own scratch pointer (-1: none)  [FINISHED] chunks finished  [FAILED] 1: a
//           worker's chunk threw
//   slot    Int32 [SEQ] call number, written by the main thread (-1: exit)  [CLAIM] the last call it took
//           a chunk of   Float64 [SCRATCH_PTR] this worker's scratch for the call
// The chunks' arguments (numbers only: pointers, sizes, f32 scalars; exact in f64) are in a second
// SharedArrayBuffer, MAX_ARGS Float64s per chunk, at most MAX_CHUNKS (< 256) chunks.
// A call: the main thread writes the chunks and the header, sets NEXT to (tag << 8) | 0 (tag: the call
// number's low 23 bits), bumps each worker's SEQ and notifies, takes chunks itself, then closes NEXT and
// waits until FINISHED counts every chunk taken (a short spin, then Atomics.wait), at most waitLimitMs
// (see KernelThreadError). A chunk is taken by compareExchange on NEXT, which fails once the call's tag
// is gone, so a worker that wakes late never takes a chunk of a later call, and the main thread waits only
// for chunks actually taken: an idle worker that is slow to wake (or dead) costs the call nothing.
// Workers block in Atomics.wait on SEQ.
//
// Workers must not clobber the main instance: they run only allocation-free kernel entry points, their
// static scratch is a private block (assembly/threads.ts, threadScratch), and they are instantiated (which
// rewrites the module's data segments, the same constant bytes) while the main thread blocks in start().
// The worker code is the self-contained function WORKER_SOURCE, shipped as source text; how a thread is made
// from it is the registered WorkerFactory's business (src/node/kernel-threads.ts: worker_threads).

/** Int32s per control slot; layout above (exported for tests that imitate a worker). */
export const SLOT_INTS = 64;
export const SEQ = 0;
const CLAIM = 1, ERR = 2, SCRATCH_PTR = 2; // ERR: start-up failure; SCRATCH_PTR: Float64 index within the slot (byte 16)
export const READY = 0;
const NEXT = 1, CHUNKS = 2, FN = 3, ARGC = 4, SCRATCH_ARG = 5, FINISHED = 6, FAILED = 7;
const MAX_ARGS = 32;
/**
 * How long (ms) a worker that has finished its chunks keeps polling its SEQ slot before it blocks in
 * Atomics.wait: the kernel calls of a training step or a GEMM loop follow each other within microseconds,
 * and a worker still awake takes its chunks at once instead of after a futex wake-up (tens of
 * microseconds, about what a 128³ GEMM chunk takes). Measured on an idle 2-core host, GEMM on 2 threads,
 * median GFLOP/s, no poll / 0.1 ms: 128³ 58.0 / 81.2, 256³ 88.4 / 94.8 (BENCHMARKS.md). The cost is at
 * most this long a busy second core after each split call.
 */
const SPIN_MS = 0.1;
const MAX_CHUNKS = 64;

/**
 * A kernel thread died (threw outside a kernel, exited or was terminated) or did not finish its chunk in
 * time: thrown by the call that waited for it. The pool is then closed (every worker terminated) and
 * the backend runs every later call on the calling thread (backendInfo().threads is 1); the outputs of
 * the failed call are undefined.
 */
export class KernelThreadError extends Error {
  override readonly name = 'KernelThreadError';
  constructor(
    /** The kernel entry point of the call. */
    readonly kernel: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How long the calling thread waits for a worker after its own chunks are done: a worker then holds at
 * most one chunk, which should take about as long as the longest one the calling thread ran, so the wait
 * is floorMs (a descheduled thread on a loaded host) plus 20 x that chunk.
 */
export function waitLimitMs(longestChunkMs: number, floorMs: number): number {
  return floorMs + 20 * longestChunkMs;
}

/** A running worker thread, as the factory made it. */
export interface KernelThread {
  terminate(): void;
  /** Why the thread is known to have ended (its exit or error event was seen), or null / absent while it may run. */
  ended?(): string | null;
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
  /** The chunks' arguments (see the header). */
  tasks: SharedArrayBuffer;
  slot: number;
  scratch: number;
  names: string[];
}

/**
 * The worker's whole program, a function of its WorkerData: instantiate on the shared memory, then serve
 * calls until SEQ is -1. Plain JavaScript text (not a compiled function's toString(), which bundlers and
 * loaders may rewrite with helpers the worker does not have); the layout is the one above.
 */
export const WORKER_SOURCE: string = `function ecgradKernelWorker(d) {
  const ctl = new Int32Array(d.control), args = new Float64Array(d.control), tasks = new Float64Array(d.tasks);
  const base = d.slot * ${SLOT_INTS};
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
  const now = typeof performance === 'object' ? () => performance.now() : () => Date.now();
  for (;;) {
    if (Atomics.load(ctl, base + ${SEQ}) === seen) {
      const t0 = now();
      for (let i = 1; Atomics.load(ctl, base + ${SEQ}) === seen; i++) if ((i & 63) === 0 && now() - t0 > ${SPIN_MS}) break;
    }
    Atomics.wait(ctl, base + ${SEQ}, seen);
    const s = Atomics.load(ctl, base + ${SEQ});
    if (s === seen) continue;
    if (s < 0) return;
    seen = s;
    const tag = (s & 0x7fffff) << 8;
    for (;;) {
      const v = Atomics.load(ctl, ${NEXT});
      if ((v & ~255) !== tag || (v & 255) >= ctl[${CHUNKS}]) break;
      if (Atomics.compareExchange(ctl, ${NEXT}, v, v + 1) !== v) continue;
      ctl[base + ${CLAIM}] = s;
      try {
        const c = v & 255, n = ctl[${ARGC}], sa = ctl[${SCRATCH_ARG}];
        a.length = n;
        for (let i = 0; i < n; i++) a[i] = tasks[c * ${MAX_ARGS} + i];
        if (sa >= 0) a[sa] = args[base / 2 + ${SCRATCH_PTR}];
        fns[ctl[${FN}]](...a);
      } catch (e) {
        Atomics.store(ctl, ${FAILED}, 1);
      }
      Atomics.add(ctl, ${FINISHED}, 1);
      Atomics.notify(ctl, ${FINISHED});
    }
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

/** Options of one pool call (KernelPool.run). */
export interface RunOptions {
  /** Index of the argument that each thread replaces by its own scratch pointer (scratchBytes bytes). */
  scratchArg?: number;
  scratchBytes?: number;
}

export class KernelPool {
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly tasks: Float64Array;
  private readonly threads: KernelThread[] = [];
  private readonly index: Map<string, number>;
  private readonly scratchBlocks: Block[];
  private readonly privateBlocks: number[] = [];
  private readonly chunk: number[] = [];
  private readonly sharedBlock: Block = { ptr: 0, bytes: 0 };
  private seq = 0;
  private closed = false;
  /** Why the pool stopped (a KernelThreadError's message), or null while it runs. */
  failure: string | null = null;

  /**
   * Starts `workers` threads on `memory` and blocks until each has instantiated `module` (or `timeoutMs`
   * passed: then it throws, naming the cause). `names`: the kernel entry points the workers may run.
   * `waitFloorMs`: see waitLimitMs.
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
    readonly waitFloorMs = 10000,
  ) {
    const f = factory;
    if (!f) throw new Error('ecgrad: no kernel thread factory is registered');
    const control = new SharedArrayBuffer((workers + 1) * SLOT_INTS * 4);
    const tasks = new SharedArrayBuffer(MAX_CHUNKS * MAX_ARGS * 8);
    this.ctl = new Int32Array(control);
    this.args = new Float64Array(control);
    this.tasks = new Float64Array(tasks);
    this.index = new Map(names.map((n, i) => [n, i]));
    this.scratchBlocks = Array.from({ length: workers + 1 }, () => ({ ptr: 0, bytes: 0 }));
    try {
      for (let w = 0; w < workers; w++) {
        const scratch = alloc(heapBase);
        this.privateBlocks.push(scratch);
        this.threads.push(f.spawn(WORKER_SOURCE, { module, memory, control, tasks, slot: w + 1, scratch, names }));
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

  /** Threads including the calling one (1 once the pool has failed: every call runs on the calling thread). */
  get size(): number {
    return this.failure ? 1 : this.threads.length + 1;
  }

  /** The most chunks one call may have. */
  get maxChunks(): number {
    return MAX_CHUNKS;
  }

  /** The worker threads (tests). */
  get workers(): readonly KernelThread[] {
    return this.threads;
  }

  /**
   * Scratch of at least `bytes` for thread `part` (0: the calling thread), valid until the next call with
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

  /**
   * A block of at least `bytes` that the calling thread fills before a call and every chunk of it reads
   * (e.g. a GEMM operand packed once for all chunks), valid until the next shared() call. Grow-only, like
   * scratch(); allocates only between kernel calls.
   */
  shared(bytes: number): number {
    const b = this.sharedBlock;
    if (bytes > b.bytes) {
      if (b.ptr) this.free(b.ptr);
      b.bytes = Math.max(bytes, Math.ceil(b.bytes * 1.5));
      b.ptr = this.alloc(b.bytes);
    }
    return b.ptr;
  }

  /**
   * Runs `name` once per argument list (chunk), on this thread and the workers (whichever takes the chunk
   * first), and waits for all. Throws KernelThreadError (and closes the pool) when a worker has ended or does
   * not finish within waitLimitMs; rethrows a kernel's own error after every thread has finished.
   */
  run(name: string, chunks: number[][], opts: RunOptions = {}): void {
    if (this.failure) {
      this.serial(name, chunks, opts);
      return;
    }
    if (this.closed) throw new Error('ecgrad: the kernel thread pool is closed (the backend was replaced)');
    const fn = this.index.get(name);
    const argc = chunks[0]?.length ?? 0;
    if (fn === undefined || chunks.length > MAX_CHUNKS || argc > MAX_ARGS)
      throw new Error(`ecgrad: kernel pool cannot run ${chunks.length} chunks of ${argc} arguments of ${name}`);
    const gone = this.threads.findIndex((t) => t.ended?.());
    if (gone >= 0) {
      // seen between calls: nothing is lost yet, so this call and every later one run on the calling thread
      this.failure = `ecgrad: kernel thread ${gone + 1} ended between calls (${this.threads[gone]!.ended!()}); the kernel thread pool is closed and every call runs on one thread (initSync({ force: true, threads }) for a new pool)`;
      this.stopThreads();
      this.serial(name, chunks, opts);
      return;
    }
    const sa = opts.scratchArg ?? -1;
    const woken = Math.min(this.threads.length, chunks.length - 1);
    const mine = sa >= 0 ? this.scratch(0, opts.scratchBytes ?? 0) : 0;
    for (let c = 0; c < chunks.length; c++) {
      const a = chunks[c]!;
      if (a.length !== argc) throw new Error(`ecgrad: the chunks of ${name} differ in argument count`);
      this.tasks.set(a, c * MAX_ARGS);
    }
    const ctl = this.ctl;
    ctl[FN] = fn;
    ctl[ARGC] = argc;
    ctl[CHUNKS] = chunks.length;
    ctl[SCRATCH_ARG] = sa;
    ctl[FAILED] = 0;
    Atomics.store(ctl, FINISHED, 0);
    const seq = ++this.seq;
    const tag = (seq & 0x7fffff) << 8;
    Atomics.store(ctl, NEXT, tag);
    for (let p = 1; p <= woken; p++) {
      const base = p * SLOT_INTS;
      if (sa >= 0) this.args[base / 2 + SCRATCH_PTR] = this.scratch(p, opts.scratchBytes ?? 0);
      Atomics.store(ctl, base + SEQ, seq);
      Atomics.notify(ctl, base + SEQ);
    }
    let error: unknown = null;
    let longest = 0;
    const f = this.main[name]!, a = this.chunk;
    a.length = argc;
    try {
      for (;;) {
        const v = Atomics.load(ctl, NEXT);
        if ((v & 255) >= chunks.length) break;
        if (Atomics.compareExchange(ctl, NEXT, v, v + 1) !== v) continue;
        const src = chunks[v & 255]!;
        for (let i = 0; i < argc; i++) a[i] = src[i]!;
        if (sa >= 0) a[sa] = mine;
        const t0 = performance.now();
        try {
          f(...a);
        } finally {
          Atomics.add(ctl, FINISHED, 1);
        }
        longest = Math.max(longest, performance.now() - t0);
      }
    } catch (e) {
      error = e;
    }
    // close the call: no thread takes another chunk; wait for the ones taken
    const taken = Math.min(Atomics.exchange(ctl, NEXT, tag | chunks.length) & 255, chunks.length);
    if (Atomics.load(ctl, FINISHED) < taken) this.await(name, seq, taken, longest);
    if (error) throw error;
    if (ctl[FAILED]) throw new Error(`ecgrad: a kernel thread failed in ${name} (out-of-bounds memory access or a kernel abort)`);
  }

  /** Every chunk on the calling thread, in order (a failed pool). */
  private serial(name: string, chunks: number[][], opts: RunOptions): void {
    const sa = opts.scratchArg ?? -1, mine = sa >= 0 ? this.scratch(0, opts.scratchBytes ?? 0) : 0;
    for (const c of chunks) this.main[name]!(...c.map((v, i) => (i === sa ? mine : v)));
  }

  /** Waits until `taken` chunks of call `seq` have finished, at most waitLimitMs (then fail()). */
  private await(name: string, seq: number, taken: number, longest: number): void {
    const ctl = this.ctl;
    for (let spin = 0; spin < 4000 && Atomics.load(ctl, FINISHED) < taken; spin++);
    const limit = waitLimitMs(longest, this.waitFloorMs);
    // Time waited counts slice by slice: a slice that lasted far beyond its timeout means this thread was not
    // running either (the whole process was suspended: SIGSTOP, a laptop's sleep), so only its timeout counts,
    // and a resumed process does not take its workers for dead.
    let waited = 0, slice = 0, prev = performance.now();
    for (;;) {
      const done = Atomics.load(ctl, FINISHED);
      if (done >= taken) return;
      const ended = this.threads.findIndex((t) => t.ended?.());
      const now = performance.now();
      waited += Math.min(now - prev, slice + 50);
      prev = now;
      const left = limit - waited;
      if (ended >= 0 || left <= 0) {
        const holders = this.threads.map((_, w) => w + 1).filter((p) => ctl[p * SLOT_INTS + CLAIM] === seq);
        this.fail(name, ended >= 0
          ? `kernel thread ${ended + 1} ended during ${name} (${this.threads[ended]!.ended!()})`
          : `${taken - done} chunk(s) of ${name} taken by kernel thread ${holders.join(', ') || '?'} did not finish within ${Math.round(limit)} ms (the thread died, was stopped or is starved)`);
      }
      slice = Math.min(left, 200);
      Atomics.wait(ctl, FINISHED, done, slice);
    }
  }

  /** Records the failure, stops every worker and throws the KernelThreadError. */
  private fail(name: string, why: string): never {
    const msg = `ecgrad: ${why}; the kernel thread pool is closed and every later call runs on one thread (the outputs of this ${name} call are undefined: redo the step, or initSync({ force: true, threads }) for a new pool)`;
    this.failure = msg;
    this.stopThreads();
    throw new KernelThreadError(name, msg);
  }

  private stopThreads(): void {
    for (let p = 1; p <= this.threads.length; p++) {
      Atomics.store(this.ctl, p * SLOT_INTS + SEQ, -1);
      Atomics.notify(this.ctl, p * SLOT_INTS + SEQ);
    }
    for (const t of this.threads) t.terminate();
  }

  /** Stops the threads (they exit at their next wait) and frees the pool's blocks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.failure) this.stopThreads();
    try {
      for (const b of [...this.scratchBlocks, this.sharedBlock]) if (b.ptr) this.free(b.ptr);
      for (const p of this.privateBlocks) this.free(p);
    } catch {
      // the backend's memory went with it
    }
  }
}
