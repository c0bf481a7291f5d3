// The demo's "learn this wearer" arithmetic (pure, browser-safe): labels for the detected beats from a
// record's reference annotations, the cut at minute N, and the before/after figures of the part after it.
//
// Labels: each detected beat takes the class of the nearest reference beat annotation within 150 ms (the
// ANSI/AAMI EC57 match window), each annotation used at most once, in time order; a detection without
// one (a false detection, or a beat whose symbol the model's label scheme leaves out) gets -1 and is
// used neither to learn nor to score. The scheme is the one whose classes are the model's (AAMI N S V F Q,
// or ArrhythmiNet's N L R A V), in order.
import type { Annotations } from '../src/ecg/wfdb/annotations.ts';
import { AAMI, ARRHYTHMINET, type LabelScheme } from '../src/ecg/dataset/labels.ts';

/** The EC57 beat match window. */
export const MATCH_SECONDS = 0.15;

/** The label scheme whose classes are the model's, or null (the model's classes are not annotation classes). */
export function schemeOf(classes: readonly string[]): LabelScheme | null {
  for (const s of [AAMI, ARRHYTHMINET]) if (s.classes.length === classes.length && s.classes.every((c, i) => c === classes[i])) return s;
  return null;
}

/**
 * Class index of each detected beat (R peaks `sample`, ascending, at rate fs) from the annotations
 * (samples at the same rate): the nearest unused annotation within MATCH_SECONDS whose symbol is in the
 * scheme; -1 where none.
 */
export function annotatedLabels(sample: Int32Array, fs: number, ann: Pick<Annotations, 'sample' | 'symbol'>, scheme: LabelScheme): Int32Array {
  const at: number[] = [], cls: number[] = [];
  for (let i = 0; i < ann.sample.length; i++) {
    const c = scheme.classOf(ann.symbol[i]!);
    if (c >= 0) {
      at.push(ann.sample[i]!);
      cls.push(c);
    }
  }
  const order = at.map((_, i) => i).sort((a, b) => at[a]! - at[b]! || a - b);
  const pos = order.map((i) => at[i]!), lab = order.map((i) => cls[i]!);
  const used = new Uint8Array(pos.length);
  const tol = MATCH_SECONDS * fs;
  const out = new Int32Array(sample.length).fill(-1);
  let j = 0;
  for (let b = 0; b < sample.length; b++) {
    const s = sample[b]!;
    while (j < pos.length && pos[j]! < s - tol) j++;
    let best = -1;
    for (let k = j; k < pos.length && pos[k]! <= s + tol; k++) if (!used[k] && (best < 0 || Math.abs(pos[k]! - s) < Math.abs(pos[best]! - s))) best = k;
    if (best >= 0) {
      used[best] = 1;
      out[b] = lab[best]!;
    }
  }
  return out;
}

/** Index of the first beat whose R peak is at or after minute `minutes` (beats before it are the learning part). */
export function cutIndex(sample: Int32Array, fs: number, minutes: number): number {
  const cut = minutes * 60 * fs;
  let i = 0;
  while (i < sample.length && sample[i]! < cut) i++;
  return i;
}

/** One class's figures: true beats, beats predicted as it, and correct ones (Se = tp / support, +P = tp / predicted). */
export interface ClassCounts {
  support: number;
  predicted: number;
  tp: number;
}

export interface Figures {
  /** Annotated beats scored. */
  beats: number;
  /** Of them, predicted as annotated. */
  agree: number;
  /** S and V (the classes of the model among them), by name. */
  perClass: Record<string, ClassCounts>;
}

/** Figures of predictions `pred` against labels `y` (-1 = not scored). */
export function figures(y: Int32Array, pred: Int32Array, classes: readonly string[]): Figures {
  const perClass: Record<string, ClassCounts> = {};
  const track = ['S', 'V'].map((c) => classes.indexOf(c)).filter((k) => k >= 0);
  for (const k of track) perClass[classes[k]!] = { support: 0, predicted: 0, tp: 0 };
  let beats = 0, agree = 0;
  for (let i = 0; i < y.length; i++) {
    const t = y[i]!, p = pred[i]!;
    if (t < 0) continue;
    beats++;
    if (t === p) agree++;
    for (const k of track) {
      const c = perClass[classes[k]!]!;
      if (t === k) c.support++;
      if (p === k) c.predicted++;
      if (t === k && p === k) c.tp++;
    }
  }
  return { beats, agree, perClass };
}
