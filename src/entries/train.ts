// ecgrad/train: training, evaluation, cross-validation folds and reports, the metrics (classification
// report, AAMI gross statistics), run reports, and personalisation (fine-tune a copy of a model on one
// wearer's beats; the patient-adaptive protocol). Browser-safe; file and worker helpers are in ecgrad/node.
/**
 * Training, evaluation, cross-validation folds, metrics, run reports, personalisation and the patient-
 * adaptive protocol.
 *
 * @module ecgrad/train
 */
export * from '../train/index.ts';
export * from '../metrics/index.ts';
export * from '../report/index.ts';
export { personalize, PersonalizeError, PERSONALIZE_DEFAULTS, type PersonalizeOptions, type PersonalizeResult, type PersonalizeReport, type PersonalizeSource, type LabelledBeats, type PersonalizeLayers } from '../train/personalize.ts';
export { wearerBeats, splitAtMinutes, takeBeats, datasetBeats } from '../train/wearer.ts';
export { encodeReplayBank, decodeReplayBank, checkReplayBank, replayBankKeyOf, replayBeatsOf, ReplayBankError, REPLAY_BANK_FORMAT, type ReplayBank, type ReplayBankMeta, type ReplayBankKey } from '../train/replay-bank.ts';
export { runAdaptive, adaptiveRows, adaptiveResult, type AdaptiveResult, type AdaptiveRecord, type AdaptiveOptions, type AdaptiveRows, type AdaptiveScores, type RecordPredictions } from '../train/adaptive.ts';
