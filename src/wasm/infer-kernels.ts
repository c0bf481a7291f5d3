// Side-effect module: registers the inference kernel builds (forward kernels only) unless the full
// builds are registered already (see src/wasm/source.ts).
import { simdWasmBase64, scalarWasmBase64 } from './generated-infer.ts';
import { setKernelSource } from './source.ts';

setKernelSource({ set: 'infer', simd: simdWasmBase64, scalar: scalarWasmBase64 });
