// Node-only ECG helpers: reading and writing WFDB files in a folder, the data folder resolution,
// QRS evaluation over records, dataset loading with the on-disk cache, and database download.
/**
 * Node-only helpers: WFDB files in folders, the data folder, the dataset cache, downloads, QRS evaluation
 * and training jobs.
 *
 * @module ecgrad/node
 */
// The full kernel builds (training jobs; src/wasm/source.ts).
import '../wasm/relaxed-kernels.ts'; // the full kernel set with its relaxed-SIMD build (src/wasm/source.ts)
import './kernel-threads.ts'; // the threads builds and the worker_threads factory of the kernel thread pool
export { rdheader, rdrecord, rdann, wrsamp, wrann } from './wfdb-files.ts';
export { resolveDataDir } from './data-path.ts';
export { evaluateQrs, type QrsEvaluation, type QrsScore, type QrsEvalOptions } from './qrs-eval.ts';
export { loadDataset, datasetCachePath, defaultCacheDir, type LoadDatasetOptions, type LoadedDataset } from './dataset.ts';
export { DownloadError, defaultMaxBytes, downloadDatabase, parseSha256Sums, type DownloadOptions, type DownloadReport } from './download.ts';
export { saveModel, loadModel, loadModelInto } from './model-io.ts';
export { buildReplayBank, readReplayBankFile, replayRowsOf, writeReplayBankFile, REPLAY_MIN_PER_CLASS } from './replay-bank.ts';
export { ensureData, missingRecordFiles, MissingDataError } from './ensure-data.ts';
export { runTrainJob, jobRecipe, QUICK, type TrainJob, type JobResult } from './train/job.ts';
export { runPool, type PoolOptions, type JobOutcome } from './train/pool.ts';
export { atomicWrite, prepareRunDir, defaultRunDir } from './train/files.ts';
export { writeReport } from './train/report-files.ts';
export { createReporter, type Reporter } from './train/reporter.ts';
