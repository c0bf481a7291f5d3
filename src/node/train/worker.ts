// Entry of a `compare` worker thread: initialises ecgrad itself, then trains one model at a time, as the
// main thread hands out jobs from its queue, posting progress events and the finished report row.
import { parentPort, workerData } from 'node:worker_threads';
import '../../wasm/relaxed-kernels.ts'; // training kernels, relaxed-SIMD build included (src/wasm/source.ts)
import '../kernel-threads.ts'; // kernel threads (src/wasm/kernel-pool.ts): as many as pool.ts shares out to this worker
import { initSync } from '../../core/runtime.ts';
import '../../models/index.ts';
import { runTrainJob, type TrainJob } from './job.ts';
import { isCvFoldJob, runCvFoldJob, type CvFoldJob } from '../cv/fold-job.ts';

const port = parentPort;
if (!port) throw new Error('src/node/train/worker.ts runs inside a worker thread (see pool.ts)');
for (const url of (workerData?.preload ?? []) as string[]) await import(url);
initSync({ threads: (workerData?.kernelThreads as number | undefined) ?? 1 });
// Set to 1 by the main thread on Ctrl-C / SIGTERM (pool.ts): the running job stops after its next batch.
const stop = workerData?.stop as Int32Array | undefined;
const shouldStop = () => (stop ? Atomics.load(stop, 0) !== 0 : false);
port.on('message', (msg: { type: 'job'; id: number; job: TrainJob | CvFoldJob } | { type: 'exit' }) => {
  if (msg.type === 'exit') {
    port.close();
    return;
  }
  const t0 = performance.now();
  try {
    const onEvent = (event: unknown) => port.postMessage({ type: 'event', id: msg.id, event });
    const result = isCvFoldJob(msg.job) ? runCvFoldJob(msg.job, onEvent) : runTrainJob(msg.job, onEvent, { shouldStop });
    port.postMessage({ type: 'result', id: msg.id, result, seconds: (performance.now() - t0) / 1000 });
  } catch (e) {
    port.postMessage({ type: 'error', id: msg.id, message: (e as Error).message, stack: (e as Error).stack, interrupted: (e as Error).name === 'TrainInterrupted' });
  }
});
port.postMessage({ type: 'ready' });
