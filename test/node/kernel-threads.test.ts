// compare's training workers share the cores with their kernel threads (src/node/train/pool.ts):
// workers x kernel threads never exceed the cores (or ECGRAD_THREADS).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { availableParallelism } from 'node:os';
import { kernelThreadsPerWorker } from '../../src/node/train/pool.ts';

function withEnv<T>(value: string | undefined, f: () => T): T {
  const saved = process.env.ECGRAD_THREADS;
  if (value === undefined) delete process.env.ECGRAD_THREADS;
  else process.env.ECGRAD_THREADS = value;
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env.ECGRAD_THREADS;
    else process.env.ECGRAD_THREADS = saved;
  }
}

test('kernel threads per compare worker: floor(cores / workers), at least 1', () => {
  withEnv('4', () => {
    assert.is(kernelThreadsPerWorker(1), 4);
    assert.is(kernelThreadsPerWorker(2), 2);
    assert.is(kernelThreadsPerWorker(3), 1);
    assert.is(kernelThreadsPerWorker(8), 1);
  });
  withEnv('2', () => assert.is(kernelThreadsPerWorker(2), 1));
  withEnv(undefined, () => {
    for (const w of [1, 2, 3]) assert.ok(w * kernelThreadsPerWorker(w) <= Math.max(w, availableParallelism()));
  });
});

test.run();
