// Side-effect module: registers the full kernel set's threads builds (SIMD and relaxed SIMD compiled with
// threads, memory imported and shared: asconfig.json targets "simd-threads", "relaxed-threads"), which the
// kernel thread pool instantiates on one shared memory (src/wasm/kernel-pool.ts). 34.7 KB gzip the two
// as embedded (src/wasm/embedded.ts: they differ little, and packed together cost about one), so only
// ecgrad/node and the CLI import it (through src/node/kernel-threads.ts).
import './relaxed-kernels.ts';
import { embeddedBuilds } from './embedded.ts';
import { wasmPack } from './generated-threads.ts';
import { setThreadsBuilds } from './source.ts';

const [relaxed, simd] = embeddedBuilds(wasmPack);
setThreadsBuilds({ relaxed: relaxed!, simd: simd! });
