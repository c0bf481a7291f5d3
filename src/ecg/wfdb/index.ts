// WFDB reading and writing (browser-safe): headers, signal formats, records and annotations.
export { parseHeader, formatHeader, FORMAT_BITS, type Header, type SignalSpec, type SegmentSpec } from './header.ts';
export { decodeSamples, encodeSamples, bytesForSamples, INVALID_SAMPLE, WRITABLE_FORMATS } from './signal-formats.ts';
export { readRecord, checksum16, type WfdbRecord, type ReadRecordOptions, type FileSource, type SegmentInfo } from './record.ts';
export { parseAnnotations, writeAnnotations, type Annotations, type AnnotationInput } from './annotations.ts';
export { ANNOTATION_CODES, BEAT_CODES, BEAT_SYMBOLS, codeToSymbol, symbolToCode, isBeatSymbol, type AnnotationCode } from './annotation-codes.ts';
export { writeRecord, type WriteRecordInput, type WrittenRecord } from './write.ts';
