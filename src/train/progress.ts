// Text of training progress (browser-safe): a one-line progress bar for terminals and one JSON object
// per event for logs. The Node reporter (src/node/train/reporter.ts) decides where they go.
import type { TrainEvent } from './trainer.ts';

/** A duration in seconds as a short string: "42s", "3m07s", "2h05m" ("?" when not finite). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function bar(fraction: number, width = 20): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.floor(f * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

/** "std-cnn epoch 2/20 [####------] 45/599 loss 0.2345 1234 samples/s ETA 3m12s" */
export function progressLine(e: Extract<TrainEvent, { type: 'batch' }>, width = 20): string {
  return `${e.model} epoch ${e.epoch}/${e.epochs} ${bar(e.batch / e.batches, width)} ${e.batch}/${e.batches} loss ${e.loss.toFixed(4)} ` +
    `${Math.round(e.samplesPerSec)} samples/s ETA ${formatDuration(e.etaSeconds)}`;
}

/** A compact status for several concurrent runs: "std-cnn e2/3 45% 0.23". */
export function shortStatus(e: Extract<TrainEvent, { type: 'batch' }>): string {
  return `${e.model} e${e.epoch}/${e.epochs} ${Math.floor((100 * e.batch) / e.batches)}% loss ${e.loss.toFixed(3)}`;
}

/** The line printed when an epoch ends. */
export function epochLine(e: Extract<TrainEvent, { type: 'epoch' }>): string {
  return `${e.model} epoch ${e.epoch}/${e.epochs}: train loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss.toFixed(4)}, ` +
    `val accuracy ${(100 * e.valAccuracy).toFixed(2)}%, val macro-F1 ${e.valMacroF1.toFixed(4)}${e.best ? ' (best)' : ''}, ` +
    `lr ${e.lr.toExponential(2)}, ${e.seconds.toFixed(1)} s`;
}

/** The event as one JSON line, numbers rounded for logs. */
export function jsonLine(e: TrainEvent | Record<string, unknown>): string {
  return JSON.stringify(e, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v));
}
