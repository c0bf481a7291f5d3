// Wave delineation (browser-safe): QRS onset and offset, P wave presence and limits, T wave peak and
// limits per beat, Laguna-style slope thresholds on low-pass differentiated signals.
export { delineate, QRS_DEFAULTS, T_DEFAULTS, P_DEFAULTS, type Delineation, type DelineateOptions } from './delineate.ts';
export { lowpassDerivative, slopePeakFrom, boundaryFrom, type LowpassDerivative } from './slope.ts';
export type { QrsSettings } from './qrs.ts';
export type { TSettings } from './t-wave.ts';
export type { PSettings } from './p-wave.ts';
