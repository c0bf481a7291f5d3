// Side-effect module: registers the full kernel builds (every kernel; see src/wasm/source.ts).
import { simdWasmBase64, scalarWasmBase64 } from './generated.ts';
import { setKernelSource } from './source.ts';

setKernelSource({ set: 'full', simd: simdWasmBase64, scalar: scalarWasmBase64 });
