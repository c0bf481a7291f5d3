// The browser-safe ECG data layer: WFDB reading and writing, signal processing, QRS detection,
// wave delineation and beat datasets. Bytes and strings in, typed arrays out; no file system or network access.
/**
 * The ECG data layer: WFDB records and annotations, signal processing, QRS detection, wave delineation,
 * beat datasets and protocols.
 *
 * @module ecgrad/ecg
 */
export * from './wfdb/index.ts';
export * from './dsp/index.ts';
export * from './qrs/index.ts';
export * from './delineate/index.ts';
export * from './dataset/index.ts';
export { WfdbError } from './errors.ts';
export { MITDB_RECORDS, PACED_RECORDS } from './mitdb.ts';
