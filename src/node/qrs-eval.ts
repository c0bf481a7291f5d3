// Evaluates the Pan-Tompkins detector on WFDB records against their reference beat annotations
// (every annotation WFDB counts as a beat, isqrs), beat by beat with a 150 ms window (EC57 style).
// By default ventricular flutter/fibrillation episodes ("[" to "]") are left out, as EC57 does.
import { join } from 'node:path';
import { compareAnnotations, vfEpisodes } from '../ecg/qrs/compare.ts';
import { panTompkins, type PanTompkinsOptions } from '../ecg/qrs/pan-tompkins.ts';
import { isBeatSymbol } from '../ecg/wfdb/annotation-codes.ts';
import { rdann, rdrecord } from './wfdb-files.ts';

/** QRS detection scores: reference beats, matches, misses, false detections, Se and +P in percent. */
export interface QrsScore {
  beats: number;
  tp: number;
  fn: number;
  fp: number;
  /** Percentages rounded to 2 decimals. */
  se: number;
  ppv: number;
}

/** Pan-Tompkins against the reference beats: gross and per-record scores. */
export interface QrsEvaluation {
  gross: QrsScore;
  records: Record<string, QrsScore>;
  /** Whether VF episodes were left out. */
  excludeVf: boolean;
  seconds: number;
}

/**
 * Options of evaluateQrs: the detector's options, the signal, the matching window and whether VF episodes are
 * left out.
 */
export interface QrsEvalOptions extends PanTompkinsOptions {
  /** Leave ventricular flutter/fibrillation episodes out (default true). */
  excludeVf?: boolean;
  /** Signal index to run the detector on (default 0). */
  channel?: number;
  /** Matching window in seconds (default 0.15). */
  window?: number;
}

const pct = (a: number, b: number) => (b ? Math.round((10000 * a) / b) / 100 : 100);

/**
 * Runs Pan-Tompkins on each record in the folder and compares its detections with the reference beat
 * annotations (.atr) within a 150 ms window (ANSI/AAMI EC57), leaving ventricular flutter episodes out by
 * default: gross and per-record Se and +P.
 */
export function evaluateQrs(dataDir: string, records: readonly string[], options: QrsEvalOptions = {}): QrsEvaluation {
  const t0 = performance.now();
  const excludeVf = options.excludeVf ?? true;
  const out: Record<string, QrsScore> = {};
  let tp = 0, fn = 0, fp = 0, beats = 0;
  for (const r of records) {
    const rec = rdrecord(join(dataDir, r));
    const ann = rdann(join(dataDir, r), 'atr');
    const ref: number[] = [];
    for (let i = 0; i < ann.symbol.length; i++) if (isBeatSymbol(ann.symbol[i]!)) ref.push(ann.sample[i]!);
    const det = panTompkins(rec.pSignal[options.channel ?? 0]!, rec.fs, options);
    const exclude = excludeVf ? vfEpisodes(ann, rec.sigLen) : [];
    const c = compareAnnotations(ref, det, rec.fs, options.window ?? 0.15, { exclude });
    const n = c.tp + c.fn;
    out[r] = { beats: n, tp: c.tp, fn: c.fn, fp: c.fp, se: pct(c.tp, n), ppv: pct(c.tp, c.tp + c.fp) };
    tp += c.tp; fn += c.fn; fp += c.fp; beats += n;
  }
  return {
    gross: { beats, tp, fn, fp, se: pct(tp, tp + fn), ppv: pct(tp, tp + fp) },
    records: out,
    excludeVf,
    seconds: Math.round(performance.now() - t0) / 1000,
  };
}
