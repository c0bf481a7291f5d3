// The Cloudflare worker of test/embed/workerd.test.ts, as a user would write it: the kernels are wasm
// modules of the worker (workerd compiles them when it loads the worker; it refuses to compile bytes at
// run time) and are handed to init({ wasm }). Bundled with esbuild, the .wasm imports left to workerd.
//   GET  /embedded                     init() on the embedded bytes: the error workerd gives, reworded
//   POST /run?build=auto|scalar&sync=1 (re)initialise from the modules, then job() on the body
import { backendInfo, init, initSync, type BuildChoice } from 'ecgrad/infer';
import simd from './ecgrad-infer.simd.wasm';
import scalar from './ecgrad-infer.scalar.wasm';
import { decodeInput, job } from './job.ts';

const json = (value: unknown) => new Response(JSON.stringify(value), { headers: { 'content-type': 'application/json' } });

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/embedded') {
        await init();
        return json({ info: backendInfo() });
      }
      const build = (url.searchParams.get('build') ?? 'auto') as BuildChoice;
      // One module alone (scalar, synchronously) or both (SIMD first, scalar as fallback).
      if (url.searchParams.get('sync') === '1') initSync({ wasm: scalar, build, force: true });
      else await init({ wasm: { simd, scalar }, build, force: true });
      const globals = { FinalizationRegistry: typeof FinalizationRegistry, WeakRef: typeof WeakRef };
      return json({ globals, ...job(decodeInput(new Uint8Array(await request.arrayBuffer()))) });
    } catch (e) {
      return json({ error: `${(e as Error).name}: ${(e as Error).message}` });
    }
  },
};
