// Beat datasets (browser-safe): labels, RR features, windows, protocols, splits, batches, imbalance
// tools, the binary form and the Kaggle CSV reader.
export { AAMI, ARRHYTHMINET, type LabelScheme } from './labels.ts';
export { rrFeatures, RR_FEATURES } from './rr.ts';
export { centredWindows, kachueeBeats, type KachueeOptions } from './windows.ts';
export { recordBeats, leadIndices, type BeatOptions, type RecordBeats } from './record-beats.ts';
export { RR_SETS, type RrSet, isRrSet, rrFeatureNames, rrSetOfWidth, beatFeatureRows } from './beat-features.ts';
export { datasetMeta, datasetOptionsOf, type DatasetMetaOptions } from './dataset-meta.ts';
export { patientFeatures, PATIENT_FEATURES, PATIENT_WINDOW } from './patient.ts';
export { rhythmFeatures, RHYTHM_FEATURES, AVERAGE_RR_HALF_WINDOW } from './rhythm.ts';
export { irregularityFeatures, IRREGULARITY_FEATURES, IRREGULARITY_CONTEXTS } from './irregularity.ts';
export { stratifiedSplit, recordSplit, type Splits } from './split.ts';
export { PROTOCOLS, DS1, DS2, getProtocol, interValidationRecords, type Protocol } from './protocols.ts';
export { buildDataset, classCounts, type BeatDataset, type DatasetOptions, type RecordSource } from './dataset.ts';
export { batches, type Batch } from './batches.ts';
export { classWeights, oversample, type ClassWeightOptions } from './imbalance.ts';
export { DatasetFileError, serializeDataset, deserializeDataset } from './serialize.ts';
export { parseKaggleCsv, KAGGLE_CLASSES, type KaggleBeats } from './kaggle-csv.ts';
