// Side-effect module: registers the full kernel set (full-kernels.ts) with its relaxed-SIMD build
// (f32x4.relaxed_madd in the inner products, docs/kernels.md), which initSync()/init() then prefer where the
// runtime has relaxed SIMD. Kept out of the lean root ('ecgrad'): the build is 30.9 KB gzip as embedded
// (src/wasm/embedded.ts).
// Imported by src/all.ts ('ecgrad/all'), src/node ('ecgrad/node' and the training workers) and the CLI.
import './full-kernels.ts';
import { embeddedBuilds } from './embedded.ts';
import { wasmPack } from './generated-relaxed.ts';
import { setRelaxedBuild } from './source.ts';

setRelaxedBuild(embeddedBuilds(wasmPack)[0]!);
