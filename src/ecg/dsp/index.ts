// Signal processing (browser-safe): median filters, baseline removal, Butterworth filters, resampling,
// normalisation.
export { medianFilter } from './median.ts';
export { removeBaseline, estimateBaseline, oddWindow, type BaselineOptions } from './baseline.ts';
export { butterworth, sosfilt, sosfiltZi, filtfilt, bandpass, sosGain, sosResponse, type Sos, type FilterType } from './butterworth.ts';
export { resample, resampledLength, resampleIndex, type ResampleOptions } from './resample.ts';
export { zscore, minMax } from './normalize.ts';
