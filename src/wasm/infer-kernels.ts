// Side-effect module: registers the inference kernel builds (forward kernels only) unless the full
// builds are registered already (see src/wasm/source.ts).
import { simdWasmHex, scalarWasmHex } from './generated-infer.ts';
import { setKernelSource } from './source.ts';

setKernelSource({ set: 'infer', simd: simdWasmHex, scalar: scalarWasmHex });
