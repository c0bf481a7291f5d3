// Side-effect module: registers the full kernel set's threads builds (SIMD and relaxed SIMD compiled with
// threads, memory imported and shared: asconfig.json targets "simd-threads", "relaxed-threads"), which the
// kernel thread pool instantiates on one shared memory (src/wasm/kernel-pool.ts). About 2 x 33 KB gzip as
// embedded hex, so only ecgrad/node and the CLI import it (through src/node/kernel-threads.ts).
import './relaxed-kernels.ts';
import { relaxedThreadsWasmHex, simdThreadsWasmHex } from './generated-threads.ts';
import { setThreadsBuilds } from './source.ts';

setThreadsBuilds({ relaxed: relaxedThreadsWasmHex, simd: simdThreadsWasmHex });
