// The dedicated worker of the bench:browser page (bench/browser/page.ts): runs bench/browser/suite.ts on the
// messages it gets ({ id, cmd: 'info' | 'bench' | 'check', ... }) and answers { id, result } or { id, error };
// progress lines go out as { log }. Kernel threads are started here (ecgrad/browser-threads) before each
// initialisation that asks for them.
import { startKernelThreads } from '../../src/browser/kernel-threads.ts';
import { relaxedSimdSupported } from '../../src/wasm/backend.ts';
import { check, runSuite, type Config } from './suite.ts';

interface Request {
  id: number;
  cmd: 'info' | 'bench' | 'check';
  configs?: Config[];
  config?: Config;
  only?: string[];
}

const scope = globalThis as unknown as { postMessage(m: unknown): void; onmessage: ((e: MessageEvent<Request>) => void) | null };
const log = (m: string) => scope.postMessage({ log: m });

async function prepare(threads: number): Promise<void> {
  const s = await startKernelThreads(threads);
  if (s.threads < threads) throw new Error(`startKernelThreads(${threads}) started ${s.threads - 1} workers: ${s.reason ?? ''}`);
}

async function answer(r: Request): Promise<unknown> {
  if (r.cmd === 'info')
    return {
      relaxed: relaxedSimdSupported(),
      crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
      hardwareConcurrency: navigator.hardwareConcurrency,
      userAgent: navigator.userAgent,
    };
  if (r.cmd === 'bench') return await runSuite({ configs: r.configs!, only: r.only ?? [], prepare, log });
  return await check(r.config!, prepare);
}

scope.onmessage = (e) => {
  const r = e.data;
  answer(r).then(
    (result) => scope.postMessage({ id: r.id, result }),
    (err: unknown) => scope.postMessage({ id: r.id, error: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) }),
  );
};
