#!/usr/bin/env node
// The `ecgrad` command. Runs the compiled CLI (dist/, built by `npm ci` / `npm run build`).
//
// Relaxed SIMD (the kernels' fused multiply-add build, docs/kernels.md): Node 22+ has it; Node 20 keeps it
// behind --experimental-wasm-relaxed-simd, which NODE_OPTIONS refuses. V8 reads its wasm feature flags at
// each compile, so setting the flag here, before any kernel module is compiled, enables it for this process
// and its worker threads (train, compare and cv run their models in workers). ECGRAD_RELAXED_SIMD=0 leaves
// the flag alone, so the kernels run the SIMD build (bit-identical to the scalar build and to the library
// on Node 20 without the flag).
import { setFlagsFromString } from 'node:v8';

if (process.env.ECGRAD_RELAXED_SIMD !== '0') {
  // the smallest module using f32x4.relaxed_madd (src/wasm/backend.ts, RELAXED_PROBE)
  const v128 = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const probe = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 0x0a, 0x3d, 1, 0x3b, 0, ...v128, ...v128, ...v128, 0xfd, 0x85, 2, 0x0b]);
  if (!WebAssembly.validate(probe))
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // a runtime without the flag: the SIMD build runs
    }
}

import('../dist/cli/run.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('ecgrad: dist/ is missing; run `npm run build` (npm ci runs it for you)');
    process.exit(1);
  }
  throw e;
});
