// Side-effect module: registers the full kernel builds (every kernel; see src/wasm/source.ts).
import { simdWasmHex, scalarWasmHex } from './generated.ts';
import { setKernelSource } from './source.ts';

setKernelSource({ set: 'full', simd: simdWasmHex, scalar: scalarWasmHex });
