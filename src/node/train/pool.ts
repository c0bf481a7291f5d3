// Trains independent models concurrently in worker_threads: `workers` threads (default 2, one per core
// of a 2-core machine), each initialising ecgrad itself and taking the next job from the queue when it
// finishes one. Resolves with each job's result (or its error) and wall-clock seconds per job.
import { Worker } from 'node:worker_threads';
import type { TrainEvent } from '../../train/trainer.ts';
import type { JobResult, TrainJob } from './job.ts';

export interface PoolOptions {
  workers?: number;
  onEvent?(e: TrainEvent): void;
  /** Module URLs each worker imports before its first job (e.g. to register extra models). */
  preload?: string[];
}

/** J / R: the job and result types (default a TrainJob and its JobResult; the worker dispatches other kinds, e.g. cv folds). */
export type JobOutcome<J = TrainJob, R = JobResult> = { job: J; seconds: number } & ({ ok: true; result: R } | { ok: false; error: string });

/** The worker: worker.js next to this file, or worker.ts started through tsx's loader when running from source. */
function spawnWorker(preload: string[]): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url).href;
  if (!fromSource) return new Worker(new URL(entry), { workerData: { preload } });
  // A worker's entry cannot be a .ts file even under `node --import tsx`: start a tiny bootstrap that
  // registers tsx in the worker, then imports the entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((m) => { m.register(); return import(workerData.entry); }).catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(boot, { eval: true, workerData: { entry, tsx, preload } });
}

export async function runPool<J = TrainJob, R = JobResult>(jobs: J[], opts: PoolOptions = {}): Promise<JobOutcome<J, R>[]> {
  const n = Math.max(1, Math.min(opts.workers ?? 2, jobs.length));
  const outcomes: JobOutcome<J, R>[] = new Array(jobs.length);
  let next = 0;
  let workerError = '';
  const runWorker = () => new Promise<void>((resolve) => {
    const w = spawnWorker(opts.preload ?? []);
    let current = -1, started = 0, settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      w.postMessage({ type: 'exit' });
      void w.terminate();
      resolve();
    };
    const give = () => {
      if (next >= jobs.length) return finish();
      current = next++;
      started = performance.now();
      w.postMessage({ type: 'job', id: current, job: jobs[current] });
    };
    w.on('message', (m: { type: string; id: number; event?: TrainEvent; result?: R; message?: string }) => {
      if (m.type === 'ready') give();
      else if (m.type === 'event') opts.onEvent?.(m.event!);
      else if (m.type === 'result' || m.type === 'error') {
        const seconds = (performance.now() - started) / 1000;
        outcomes[m.id] = m.type === 'result'
          ? { job: jobs[m.id]!, seconds, ok: true, result: m.result! }
          : { job: jobs[m.id]!, seconds, ok: false, error: m.message! };
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
  for (let i = 0; i < jobs.length; i++) if (!outcomes[i]) outcomes[i] = { job: jobs[i]!, seconds: 0, ok: false, error: `not run: the worker threads failed${workerError ? ` (${workerError})` : ''}` };
  return outcomes;
}
