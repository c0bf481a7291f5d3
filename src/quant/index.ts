// Post-training int8 quantisation (docs/quantization.md).
/**
 * Post-training int8 quantisation and the .ecgq file.
 *
 * @module ecgrad/quant
 */
export { quantizeModel, applyQuantization, dequantize, quantisableLayers, foldableBatchNorms, foldBatchNorm } from './quantize.ts';
export type { QuantPlan, QuantLayer, QuantCompute } from './quantize.ts';
export { encodeQuantizedModel, decodeQuantizedModel, quantizedModelFromBytes, isQuantizedModelFile, QUANT_MAGIC } from './quant-file.ts';
export type { QuantizedHeader } from './quant-file.ts';
export { loadModelBytes } from './load.ts';
export { RangeObserver, quantizeRows, quantError } from './calibrate.ts';
export { conv1dInt8, linearInt8, Int8Weights } from './int8-ops.ts';
