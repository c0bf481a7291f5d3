// Side-effect module: registers the inference kernel builds (forward kernels only) unless the full
// builds are registered already (see src/wasm/source.ts).
import { embeddedBuilds } from './embedded.ts';
import { wasmPack } from './generated-infer.ts';
import { setKernelSource } from './source.ts';

const [simd, scalar] = embeddedBuilds(wasmPack);
setKernelSource({ set: 'infer', simd: simd!, scalar: scalar! });
