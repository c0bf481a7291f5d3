// Side-effect module: registers the full kernel builds (every kernel; see src/wasm/source.ts).
import { embeddedBuilds } from './embedded.ts';
import { wasmPack } from './generated.ts';
import { setKernelSource } from './source.ts';

const [simd, scalar] = embeddedBuilds(wasmPack);
setKernelSource({ set: 'full', simd: simd!, scalar: scalar! });
