// Kernel threads in a browser (ecgrad/browser-threads, src/browser/kernel-threads.ts): the bench:browser page
// (bench/browser/harness.ts: bundled with esbuild, served cross-origin isolated on 127.0.0.1, Debian's Chromium
// headless through playwright-core) runs one GEMM (256^3) and one StdCNN training step (batch 64: its conv
// passes split) in its dedicated worker on 1 and on 2 kernel threads, with the same bits; on the page's main
// thread, and in the worker of a page served without the isolation headers, 2 threads are refused and
// backendInfo() / startKernelThreads() say why. Skipped (with the reason) without /usr/bin/chromium or playwright-core.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openBenchPage, unavailable, type BenchPage } from '../../bench/browser/harness.ts';
import type { CheckResult } from '../../bench/browser/suite.ts';

const why = await unavailable();
if (why) {
  // No test is registered (uvu's skipped tests upset scripts/run-tests.mjs's failure count).
  console.log(`  browser-threads test skipped: ${why}`);
} else {
  test('Chromium: kernel threads in a worker give the bits of one thread; a main thread and a page without isolation run one thread and say why', async () => {
    const p: BenchPage = await openBenchPage();
    try {
      for (const build of ['simd', 'relaxed'] as const) {
        const one = await p.worker<CheckResult>({ cmd: 'check', config: { label: '1', build, threads: 1 } });
        const two = await p.worker<CheckResult>({ cmd: 'check', config: { label: '2', build, threads: 2 } });
        assert.is(one.threads, 1);
        assert.is(two.threads, 2, `2 threads in the worker (${two.threadsReason ?? ''})`);
        assert.is(two.build, build);
        assert.is(two.gemm, one.gemm, `${build}: GEMM 256^3 bit-identical on 2 threads`);
        assert.is(two.step, one.step, `${build}: StdCNN step (loss, gradients, updated parameters) bit-identical on 2 threads`);
        assert.ok(Number.isFinite(one.loss));
      }
      const main = await p.mainThread<{ start: { threads: number; reason?: string }; info: { threads: number; threadsReason?: string }; crossOriginIsolated: boolean }>();
      assert.ok(main.crossOriginIsolated, 'the page is cross-origin isolated');
      assert.is(main.start.threads, 1);
      assert.is(main.info.threads, 1);
      assert.match(main.info.threadsReason ?? '', /main thread may not block.*dedicated Web Worker/);

      const plain = await p.plain();
      const info = await plain.worker<{ crossOriginIsolated: boolean }>({ cmd: 'info' });
      assert.not.ok(info.crossOriginIsolated, 'served without COOP/COEP');
      const err = await plain.worker({ cmd: 'check', config: { label: '2', build: 'simd', threads: 2 } }).then(
        () => '',
        (e: Error) => e.message,
      );
      assert.match(err, /not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin/);
    } finally {
      await p.close();
    }
  });
}
test.run();
