// Trains independent models concurrently in worker_threads: `workers` threads (default 2, one per core
// of a 2-core machine), each initialising ecgrad itself and taking the next job from the queue when it
// finishes one. Resolves with each job's result (or its error) and wall-clock seconds per job.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TrainEvent } from '../../train/trainer.ts';
import type { JobResult, TrainJob } from './job.ts';

/**
 * Options of runPool: worker count, progress events, modules each worker preloads, a shared stop flag and an
 * outcome callback.
 */
export interface PoolOptions {
  workers?: number;
  onEvent?(e: TrainEvent): void;
  /** Module URLs each worker imports before its first job (e.g. to register extra models). */
  preload?: string[];
  /**
   * A stop request shared with the workers (an Int32Array on a SharedArrayBuffer; see stopOnSignal):
   * once it holds 1, running jobs stop after their next batch (checkpoint written) and no job starts.
   */
  stop?: Int32Array;
  /** Called with each job's outcome as it arrives (before runPool resolves). */
  onOutcome?(outcome: JobOutcome<unknown, unknown>): void;
}

/** J / R: the job and result types (default a TrainJob and its JobResult; the worker dispatches other kinds, e.g. cv folds). */
export type JobOutcome<J = TrainJob, R = JobResult> = { job: J; seconds: number } & (
  | { ok: true; result: R }
  /** `interrupted`: stopped by the stop request (after a checkpoint), or never started because of it. */
  | { ok: false; error: string; interrupted?: 'stopped' | 'not started' }
);

/** The worker: worker.js next to this file, or worker.ts started through tsx's loader when running from source. */
function spawnWorker(preload: string[], stop: Int32Array | undefined, kernelThreads: number): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url).href;
  if (!fromSource) return new Worker(new URL(entry), { workerData: { preload, stop, kernelThreads } });
  // A worker's entry cannot be a .ts file even under `node --import tsx`: start a tiny bootstrap that
  // registers tsx in the worker, then imports the entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((m) => { m.register(); return import(workerData.entry); }).catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(boot, { eval: true, workerData: { entry, tsx, preload, stop, kernelThreads } });
}

/** Kernel threads for each of `workers` training workers: the cores (or ECGRAD_THREADS) shared out, at least 1. */
export function kernelThreadsPerWorker(workers: number): number {
  const env = Number(process.env.ECGRAD_THREADS);
  const cores = Number.isInteger(env) && env >= 1 ? env : availableParallelism();
  return Math.max(1, Math.floor(cores / workers));
}

/**
 * A stop request for runPool, set by the first SIGINT (Ctrl-C) or SIGTERM: `say` tells the user what
 * happens; a second signal ends the process at once (exit 130 / 143). `dispose()` removes the handlers;
 * `signal` names the signal that came, if one did.
 */
export function stopOnSignal(say: (message: string) => void): { stop: Int32Array; signal: () => NodeJS.Signals | undefined; dispose(): void } {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  let got: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (got) process.exit(sig === 'SIGINT' ? 130 : 143);
    got = sig;
    Atomics.store(stop, 0, 1);
    say(`${sig}: stopping after the current batch of each running model (a checkpoint is written); ${sig === 'SIGINT' ? 'press Ctrl-C' : 'send it'} again to quit at once`);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    stop, signal: () => got,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/**
 * Runs independent jobs in worker threads (default 2), each worker taking the next job when it finishes one;
 * resolves with each job's result or error and its wall-clock seconds, in job order.
 */
export async function runPool<J = TrainJob, R = JobResult>(jobs: J[], opts: PoolOptions = {}): Promise<JobOutcome<J, R>[]> {
  const n = Math.max(1, Math.min(opts.workers ?? 2, jobs.length));
  // kernel threads per worker (src/wasm/kernel-pool.ts): workers x kernel threads <= cores, never more
  const kernelThreads = kernelThreadsPerWorker(n);
  const outcomes: JobOutcome<J, R>[] = new Array(jobs.length);
  let next = 0;
  let workerError = '';
  const runWorker = () => new Promise<void>((resolve) => {
    const w = spawnWorker(opts.preload ?? [], opts.stop, kernelThreads);
    let current = -1, started = 0, settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      w.postMessage({ type: 'exit' });
      void w.terminate();
      resolve();
    };
    const give = () => {
      if (next >= jobs.length || (opts.stop && Atomics.load(opts.stop, 0) !== 0)) return finish();
      current = next++;
      started = performance.now();
      w.postMessage({ type: 'job', id: current, job: jobs[current] });
    };
    w.on('message', (m: { type: string; id: number; event?: TrainEvent; result?: R; message?: string; interrupted?: boolean }) => {
      if (m.type === 'ready') give();
      else if (m.type === 'event') opts.onEvent?.(m.event!);
      else if (m.type === 'result' || m.type === 'error') {
        const seconds = (performance.now() - started) / 1000;
        outcomes[m.id] = m.type === 'result'
          ? { job: jobs[m.id]!, seconds, ok: true, result: m.result! }
          : { job: jobs[m.id]!, seconds, ok: false, error: m.message!, ...(m.interrupted ? { interrupted: 'stopped' as const } : {}) };
        opts.onOutcome?.(outcomes[m.id]!);
        current = -1;
        give();
      }
    });
    w.on('error', (e) => {
      workerError = e.message;
      if (current >= 0) outcomes[current] = { job: jobs[current]!, seconds: (performance.now() - started) / 1000, ok: false, error: `worker crashed: ${e.message}` };
      finish();
    });
    w.on('exit', (code) => {
      if (!settled) {
        if (current >= 0) outcomes[current] = { job: jobs[current]!, seconds: (performance.now() - started) / 1000, ok: false, error: `worker exited with code ${code}` };
        settled = true;
        resolve();
      }
    });
  });
  await Promise.all(Array.from({ length: n }, runWorker));
  // Jobs never handed out (a worker died between jobs and others finished) are reported, not lost.
  const stopped = opts.stop !== undefined && Atomics.load(opts.stop, 0) !== 0;
  for (let i = 0; i < jobs.length; i++) {
    if (outcomes[i]) continue;
    outcomes[i] = stopped
      ? { job: jobs[i]!, seconds: 0, ok: false, error: 'not started: the run was stopped', interrupted: 'not started' }
      : { job: jobs[i]!, seconds: 0, ok: false, error: `not run: the worker threads failed${workerError ? ` (${workerError})` : ''}` };
  }
  return outcomes;
}
