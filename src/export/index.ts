// Export to other runtimes (docs/interop.md): ONNX (opset 13; int8 models as QDQ) and its protobuf writer.
/**
 * ONNX export (opset 13; int8 models as QDQ) and its protobuf writer.
 *
 * @module ecgrad/export
 */
export { exportOnnx, modelFileToOnnx, OnnxExportError, ONNX_OPSET, ONNX_IR_VERSION } from './onnx.ts';
export type { OnnxExportOptions, OnnxFromFile } from './onnx.ts';
export { encodeOnnxModel, ProtoWriter, OnnxType } from './onnx-proto.ts';
export type { OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo, OnnxAttr, OnnxElemType } from './onnx-proto.ts';
