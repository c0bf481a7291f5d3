// ecgrad/all: every browser-safe API in one entry point (the lean root and every subpath: ecg, models,
// train, classic, explain, quant, export). Convenient where bundle size does not matter (Node, scripts).
/**
 * Every browser-safe API in one entry point: the lean root and the ecg, models, train, classic, explain,
 * quant and export subpaths.
 *
 * @module ecgrad/all
 */
// the full kernel set with its relaxed-SIMD build (src/wasm/source.ts; not in the lean root, 33 KB gzip)
import './wasm/relaxed-kernels.ts';
export * from './index.ts';
export * from './ecg/index.ts';
export * from './models/index.ts';
export * from './classic/index.ts';
export * from './explain/index.ts';
export * from './quant/index.ts';
export * from './export/index.ts';
export * from './entries/train.ts';
