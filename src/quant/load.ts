// One loader for both model files: float (.ecgm, magic ECGRADM1) and int8-quantised (.ecgq, ECGRADQ1).
import { modelFromBytes, type ModelHeader } from '../nn/model-file.ts';
import type { Module } from '../nn/module.ts';
import { isQuantizedModelFile, quantizedModelFromBytes } from './quant-file.ts';

/** Builds the model a float or quantised model file describes; errors name `source`. */
export function loadModelBytes(bytes: Uint8Array, source = '(bytes)'): { model: Module; header: ModelHeader; quantized: boolean } {
  if (isQuantizedModelFile(bytes)) return { ...quantizedModelFromBytes(bytes, source), quantized: true };
  return { ...modelFromBytes(bytes, source), quantized: false };
}
