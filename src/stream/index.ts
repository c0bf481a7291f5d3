// Streaming beat classification: raw samples in (chunks of any size), classified beats out as soon as
// they can be formed. The pipeline is the batch one, run incrementally:
//   Pan-Tompkins (PanTompkins.push) -> polyphase resampling to the model's rate (StreamResampler)
//   -> the window the model file names (meta.window):
//      Kachuee (default; 10 s min-max normalisation blocks, 1.2 x the block's median RR, zero-padded),
//        with the local RR features (a beat's are final once the next beat is detected); or
//      causal (src/ecg/dataset/causal-window.ts: R-centred, 0.24 s look-ahead, normalised over the past
//        10 s), with the causal RR features (causal-rr.ts: final when the beat is detected) and, for a
//        model on the causal 'patient' set, the running patient-relative features (causal-patient.ts)
//   -> the classifier.
// Kachuee: a beat is emitted when its 10 s normalisation block is complete (a detection past the block's
// end, or end()), so its signal delay is up to ~10 s plus the detector's. Causal: a beat is emitted as
// soon as it is detected and its window's last sample has arrived (~0.4 s after its R peak: the
// detector's delay). Compute per beat is a forward pass.
// On a whole record, push(...)+end() gives the same beats, windows, RR features and classes as
// classifyRecordBatch (detect in batch, kachueeBeats or causalBeats, the RR features, classify in batch).
// Causal windows are equal by construction (one function cuts both). The one exception, Kachuee only,
// is a 10 s block holding a single beat, whose segment length the batch construction takes from the
// median RR of the whole record: with singleBeatBlocks 'causal' (default) the stream uses the median of
// the RR intervals seen so far, with 'defer' it holds such beats until end() and is then exact.
import { PanTompkins, panTompkins, type PanTompkinsOptions } from '../ecg/qrs/pan-tompkins.ts';
import { resampleIndex } from '../ecg/dsp/resample.ts';
import { kachueeBeats } from '../ecg/dataset/windows.ts';
import { rrFeatures, RR_FEATURES } from '../ecg/dataset/rr.ts';
import { beatFeatureRows, rrFeatureNames, rrSetOfWidth, RR_SETS } from '../ecg/dataset/beat-features.ts';
import { causalBeats, causalWindow, causalWindowSpec, type CausalWindowSpec } from '../ecg/dataset/causal-window.ts';
import { CAUSAL_RR_FEATURES, causalRrFeatures, causalRrRow } from '../ecg/dataset/causal-rr.ts';
import { CausalPatient } from '../ecg/dataset/causal-patient.ts';
import { causalFeatureNames, causalFeatureRows, causalSetOfWidth, CAUSAL_RR_SETS } from '../ecg/dataset/causal-features.ts';
import { WINDOW_KINDS } from '../ecg/dataset/dataset-meta.ts';
import { SampleBuffer, StreamResampler } from './resampler.ts';

export { SampleBuffer, StreamResampler } from './resampler.ts';

/** What the stream needs of a classifier (ecgrad/infer's Classifier, or a quantised one). */
export interface BeatClassifier {
  info: { length: number; channels: number; fs: number; rrFeatures: number; classes: string[] };
  classify(x: Float32Array, rr?: Float32Array | null): { pred: Int32Array; probs: Float32Array };
  /** The model file's header: its meta.window names the window construction ('kachuee' when absent). */
  header?: { meta: Record<string, unknown> };
}

/** The window construction a classifier's model file names; a kind this version cannot build is an error. */
export function windowKindOf(classifier: BeatClassifier, who = 'BeatStream'): 'kachuee' | 'causal' {
  const w = classifier.header?.meta?.window ?? 'kachuee';
  if (w === 'kachuee' || w === 'causal') return w;
  throw new RangeError(`${who}: the model file names the window ${JSON.stringify(w)}, which this version cannot build (known: ${WINDOW_KINDS.join(', ')}); it needs a newer ecgrad`);
}

/**
 * One classified beat of a BeatStream: its number, R-peak sample and time, predicted class and probabilities,
 * the window and RR features fed to the model.
 */
export interface StreamBeat {
  /** Beat number in the stream (0, 1, ...), in detection order. */
  index: number;
  /** R peak position (sample index at the input rate). */
  sample: number;
  /** R peak time in seconds from the start of the stream. */
  time: number;
  /** Predicted class index and name. */
  cls: number;
  label: string;
  /** Softmax probabilities per class. */
  probs: Float32Array;
  /** The window fed to the model (length samples at the model's rate). */
  window: Float32Array;
  /** The RR features fed to the model (6 values: rr.ts's, or causal-rr.ts's for a causal model, 15 with the causal patient features; zeros for a lone beat). */
  rr: Float32Array;
  /** Input samples received when the beat was emitted (emittedAt - sample = signal delay). */
  emittedAt: number;
}

/**
 * Options of BeatStream: the input rate (required), detector options, the Kachuee block handling and length,
 * and a callback for emitted beats.
 */
export interface BeatStreamOptions {
  /** Sampling rate of the input in Hz. */
  fs: number;
  /** Kachuee windows: how to cut a 10 s block holding one beat (see the file comment); default 'causal'. */
  singleBeatBlocks?: 'causal' | 'defer';
  /** Detector options (the batch pipeline must use the same). */
  detector?: PanTompkinsOptions;
  /** Kachuee windows: normalisation block length in seconds (default 10, as in the Kachuee construction). */
  blockSeconds?: number;
  /** Called with each batch of beats as they are emitted (push() and end() also return them). */
  onBeats?: (beats: StreamBeat[]) => void;
}

interface Pending {
  index: number;
  sample: number;
  /** Position at the model's rate. */
  p: number;
  window: Float32Array | null;
  rr: Float32Array | null;
}

function median(a: number[]): number {
  const s = a.slice().sort((u, v) => u - v);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * Streaming beat classification: push raw samples in chunks of any size and get classified beats as soon as
 * they can be formed (Pan-Tompkins, resampling to the model's rate, the window the model file names, the
 * classifier); end() flushes the last ones. On a whole record it gives the beats classifyRecordBatch gives.
 */
export class BeatStream {
  readonly fs: number;
  private readonly fsOut: number;
  private readonly len: number;
  private readonly block: number;
  private readonly factor = 1.2;
  private readonly detector: PanTompkins;
  private readonly resampler: StreamResampler;
  private readonly y = new SampleBuffer();
  private readonly mode: 'causal' | 'defer';
  private readonly onBeats?: (beats: StreamBeat[]) => void;
  private received = 0;
  private ended = false;
  /** All detections so far (input rate), and their positions at the model's rate. */
  private peaks: number[] = [];
  private pOut: number[] = [];
  private pending: Pending[] = [];
  /** Next peak not yet assigned to a normalisation block, and that block's start (model rate). */
  private nextBlockPeak = 0;
  private w0 = 0;
  /** RR feature state (the running sums of rrFeatures, in the same order). */
  private rrDone = 0;
  private rrSum = 0;
  private rrCount = 0;
  private readonly rrLocal = 10;
  private deferred: Pending[] = [];
  /** The window construction (from the model file), and the causal window's layout. */
  readonly window: 'kachuee' | 'causal';
  private readonly causal: CausalWindowSpec | null;
  /** The running patient-relative estimates of a causal 'patient' model. */
  private readonly patient: CausalPatient | null = null;

  constructor(
    readonly classifier: BeatClassifier,
    options: BeatStreamOptions,
  ) {
    const { info } = classifier;
    if (info.channels !== 1)
      throw new RangeError(`BeatStream: the model takes ${info.channels} leads; streaming supports single-lead models only`);
    this.window = windowKindOf(classifier);
    if (this.window === 'causal') causalWidthCheck(info.rrFeatures, 'BeatStream');
    else if (info.rrFeatures > RR_FEATURES.length)
      throw new RangeError(`BeatStream: the model takes ${info.rrFeatures} beat features (the ${rrSetOfWidth(info.rrFeatures) ?? 'unknown'} set, computed over a whole record); streaming computes the ${RR_FEATURES.length} local RR features only: classify whole records with classifyRecordBatch`);
    if (!(options.fs > 0)) throw new RangeError(`BeatStream: fs must be a positive number of Hz, got ${options.fs}`);
    this.fs = options.fs;
    this.fsOut = info.fs;
    this.len = info.length;
    this.block = Math.round((options.blockSeconds ?? 10) * this.fsOut);
    this.detector = new PanTompkins(this.fs, options.detector);
    this.resampler = new StreamResampler(this.fs, this.fsOut);
    this.mode = options.singleBeatBlocks ?? 'causal';
    this.onBeats = options.onBeats;
    this.causal = this.window === 'causal' ? causalWindowSpec(this.fsOut, this.len) : null;
    if (this.causal && info.rrFeatures > CAUSAL_RR_FEATURES.length) this.patient = new CausalPatient(this.causal, this.fsOut);
  }

  /** Samples received so far. */
  get samples(): number {
    return this.received;
  }

  /** Feeds raw samples (any chunk size); returns the beats completed by them, in order. */
  push(chunk: ArrayLike<number>): StreamBeat[] {
    if (this.ended) throw new Error('BeatStream: push() after end()');
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i]!;
      const found = this.detector.push(v);
      for (let k = 0; k < found.length; k++) this.addPeak(found[k]!);
    }
    this.received += chunk.length;
    this.resampler.push(chunk, this.y);
    return this.advance(false);
  }

  /** Ends the stream: the detector's last decisions, the last block, the last beat's RR features. */
  end(): StreamBeat[] {
    if (this.ended) return [];
    this.ended = true;
    for (const s of this.detector.flush()) this.addPeak(s);
    this.resampler.end(this.y);
    // The batch construction clamps positions to the resampled signal.
    const last = this.y.length - 1;
    for (let j = this.nextBlockPeak; j < this.pOut.length; j++) this.pOut[j] = Math.min(last, this.pOut[j]!);
    for (const p of this.pending) p.p = Math.min(last, p.p);
    return this.advance(true);
  }

  private addPeak(s: number): void {
    const index = this.peaks.length;
    this.peaks.push(s);
    const p = resampleIndex(s, this.fs, this.fsOut);
    this.pOut.push(p);
    const beat: Pending = { index, sample: s, p, window: null, rr: null };
    if (this.causal && !this.patient) {
      beat.rr = new Float32Array(CAUSAL_RR_FEATURES.length); // from this beat and the earlier ones only
      causalRrRow(this.peaks, index, this.fs, beat.rr);
    }
    this.pending.push(beat);
  }

  private advance(final: boolean): StreamBeat[] {
    if (this.causal) this.cutCausal(final);
    else {
      this.rrFeaturesUpTo(final);
      this.cutBlocks(final);
      if (final && this.deferredBlocks.length) this.recutDeferred();
    }
    // Emit beats in order once both their window and RR features are ready.
    const ready: Pending[] = [];
    while (this.pending.length) {
      const b = this.pending[0]!;
      if (!b.window || !b.rr) break;
      this.pending.shift();
      ready.push(b);
    }
    if (final) {
      for (const b of this.deferred) if (b.window && b.rr) ready.push(b);
      this.deferred = [];
      ready.sort((a, b) => a.index - b.index);
    }
    const beats = this.classifyBeats(ready);
    this.y.trim(this.causal ? this.causalKeep() : this.w0);
    if (beats.length && this.onBeats) this.onBeats(beats);
    return beats;
  }

  /** Cuts the causal window of every pending beat whose last sample has arrived (every one at the end). */
  private cutCausal(final: boolean): void {
    const spec = this.causal!, n = this.y.length;
    for (const b of this.pending) {
      if (b.window) continue;
      if (!final && b.p + spec.after > n) break; // beats come in order: the later ones are not ready either
      const e = Math.min(b.p + spec.after, n), from = Math.max(0, e - spec.norm);
      b.window = new Float32Array(this.len);
      causalWindow(this.y.view(from, e), from, n, b.p, spec, b.window);
      if (this.patient) {
        // The patient-relative estimates take the beats in order, each with its window.
        const R = CAUSAL_RR_FEATURES.length;
        b.rr = new Float32Array(this.classifier.info.rrFeatures);
        causalRrRow(this.peaks, b.index, this.fs, b.rr);
        this.patient.next(b.window, b.rr, b.rr, R);
      }
    }
  }

  /** The first model-rate sample a causal window may still need: that of the first pending beat, or of any beat yet to be detected. */
  private causalKeep(): number {
    const spec = this.causal!;
    // A QRS is reported at most detector.latency input samples after it (PanTompkins.latency).
    const future = resampleIndex(Math.max(0, this.received - this.detector.latency), this.fs, this.fsOut);
    const first = this.pending.length ? Math.min(this.pending[0]!.p, future) : future;
    return Math.max(0, first - spec.before - spec.norm);
  }

  private rrFeaturesUpTo(final: boolean): void {
    const n = this.peaks.length;
    const upto = final ? n : n - 1; // beat i needs beat i+1 (or the end)
    const F = RR_FEATURES.length;
    const rr = (j: number) => (this.peaks[j + 1]! - this.peaks[j]!) / this.fs;
    for (let i = this.rrDone; i < upto; i++) {
      const out = new Float32Array(F); // a lone beat (n < 2) has no interval: zeros, as in rrFeatures
      if (n >= 2) {
        const pre = i > 0 ? rr(i - 1) : rr(0);
        const post = i + 1 < n ? rr(i) : rr(n - 2);
        if (i > 0) {
          this.rrSum += rr(i - 1);
          this.rrCount++;
          if (this.rrCount > this.rrLocal) {
            this.rrSum -= rr(i - 1 - this.rrLocal);
            this.rrCount--;
          }
        }
        const loc = this.rrCount > 0 ? this.rrSum / this.rrCount : pre;
        out[0] = pre;
        out[1] = post;
        out[2] = loc;
        out[3] = loc > 0 ? pre / loc : 0;
        out[4] = loc > 0 ? post / loc : 0;
        out[5] = post > 0 ? pre / post : 0;
      }
      this.beat(i).rr = out;
      this.rrDone = i + 1;
    }
  }

  private beat(index: number): Pending {
    const b = this.pending.find((q) => q.index === index) ?? this.deferred.find((q) => q.index === index);
    if (!b) throw new Error(`BeatStream: internal error, beat ${index} is not pending`);
    return b;
  }

  private segmentLength(T: number): number {
    return Math.min(this.len, Math.round(this.factor * T));
  }

  private cutBlocks(final: boolean): void {
    const win = this.block;
    const p = this.pOut;
    for (;;) {
      const k = this.nextBlockPeak;
      if (k >= p.length) return; // blocks without beats are skipped when the next beat arrives
      const w0 = this.w0;
      if (final && w0 >= this.y.length) return;
      const w1full = w0 + win;
      // A block is complete when the signal covers it and a detection lies past it (or at the end).
      if (!final && (this.y.length < w1full || p[p.length - 1]! < w1full)) return;
      const w1 = Math.min(this.y.length, w1full);
      let k1 = k;
      while (k1 < p.length && p[k1]! < w1) k1++;
      if (k1 === k) {
        this.w0 += win;
        continue;
      }
      // minMax of the block (same arithmetic as src/ecg/dsp/normalize.ts).
      const segIn = this.y.view(w0, w1);
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < segIn.length; i++) {
        const v = segIn[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const r = hi - lo;
      const seg = new Float32Array(segIn.length);
      for (let i = 0; i < segIn.length; i++) seg[i] = r > 0 ? (segIn[i]! - lo) / r : 0;
      const rr: number[] = [];
      for (let j = k + 1; j < k1; j++) rr.push(p[j]! - p[j - 1]!);
      const single = rr.length === 0;
      if (single && this.mode === 'defer' && !final) {
        this.deferredBlocks.push({ w0, k, k1, seg });
        for (let j = k; j < k1; j++) {
          const b = this.beat(j);
          this.pending.splice(this.pending.indexOf(b), 1);
          this.deferred.push(b);
        }
      } else {
        const take = this.segmentLength(single ? this.medianRR() : median(rr));
        for (let j = k; j < k1; j++) this.beat(j).window = this.cut(seg, p[j]! - w0, take);
      }
      this.nextBlockPeak = k1;
      this.w0 += win;
    }
  }

  private cut(seg: Float32Array, start: number, take: number): Float32Array {
    const w = new Float32Array(this.len);
    const n = Math.min(take, seg.length - start);
    w.set(seg.subarray(start, start + n));
    return w;
  }

  /** Median RR (model rate) of all detections so far (the whole record's at the end). */
  private medianRR(): number {
    const p = this.pOut;
    const all: number[] = [];
    for (let j = 1; j < p.length; j++) all.push(p[j]! - p[j - 1]!);
    return all.length ? median(all) : this.fsOut;
  }

  private deferredBlocks: { w0: number; k: number; k1: number; seg: Float32Array }[] = [];

  private recutDeferred(): void {
    const take = this.segmentLength(this.medianRR());
    for (const blk of this.deferredBlocks)
      for (let j = blk.k; j < blk.k1; j++) this.beat(j).window = this.cut(blk.seg, this.pOut[j]! - blk.w0, take);
    this.deferredBlocks = [];
  }

  private classifyBeats(ready: Pending[]): StreamBeat[] {
    if (!ready.length) return [];
    const { length, rrFeatures, classes } = this.classifier.info;
    const x = new Float32Array(ready.length * length);
    const rr = rrFeatures > 0 ? new Float32Array(ready.length * rrFeatures) : null;
    ready.forEach((b, i) => {
      x.set(b.window!, i * length);
      if (rr) rr.set(b.rr!.subarray(0, rrFeatures), i * rrFeatures);
    });
    const { pred, probs } = this.classifier.classify(x, rr);
    const C = classes.length;
    return ready.map((b, i) => ({
      index: b.index, sample: b.sample, time: b.sample / this.fs, cls: pred[i]!, label: classes[pred[i]!] ?? String(pred[i]),
      probs: probs.slice(i * C, (i + 1) * C), window: b.window!, rr: b.rr!, emittedAt: this.received,
    }));
  }
}

/** A causal model's beat-feature width must be a causal set's (6: local, 15: patient). */
function causalWidthCheck(width: number, who: string): void {
  if (width > CAUSAL_RR_FEATURES.length && causalSetOfWidth(width) === undefined)
    throw new RangeError(`${who}: the causal model takes ${width} beat features; the causal window has the sets ${CAUSAL_RR_SETS.map((s) => `${causalFeatureNames(s).length} (${s})`).join(', ')}`);
}

/**
 * What classifyRecordBatch returns for a whole record: R peaks (input rate), predicted classes,
 * probabilities, and the windows and RR features the model saw.
 */
export interface BatchResult {
  /** R peaks (input rate). */
  sample: Int32Array;
  pred: Int32Array;
  probs: Float32Array;
  /** beats x length windows and beats x 6 RR features (a causal 'patient' model: the 15 features fed). */
  x: Float32Array;
  rr: Float32Array;
}

/**
 * The batch pipeline the stream reproduces: Pan-Tompkins over the whole signal, Kachuee windows at the
 * model's rate, RR features, one batched classification.
 */
export function classifyRecordBatch(classifier: BeatClassifier, signal: ArrayLike<number>, fs: number, detector?: PanTompkinsOptions): BatchResult {
  const { info } = classifier;
  const peaks = panTompkins(signal, fs, detector);
  if (windowKindOf(classifier, 'classifyRecordBatch') === 'causal') {
    const R = CAUSAL_RR_FEATURES.length;
    causalWidthCheck(info.rrFeatures, 'classifyRecordBatch');
    const x = causalBeats(signal, fs, peaks, { fs: info.fs, length: info.length });
    if (info.rrFeatures > R) {
      // the causal patient set (the 187-sample 125 Hz window it is defined on)
      const rr = causalFeatureRows('patient', signal, fs, peaks);
      const { pred, probs } = peaks.length ? classifier.classify(x, rr) : { pred: new Int32Array(0), probs: new Float32Array(0) };
      return { sample: peaks, pred, probs, x, rr };
    }
    const rrAll = causalRrFeatures(peaks, fs);
    let rr: Float32Array | null = null;
    if (info.rrFeatures > 0) {
      rr = new Float32Array(peaks.length * info.rrFeatures);
      for (let i = 0; i < peaks.length; i++) rr.set(rrAll.subarray(i * R, i * R + info.rrFeatures), i * info.rrFeatures);
    }
    const { pred, probs } = peaks.length ? classifier.classify(x, rr) : { pred: new Int32Array(0), probs: new Float32Array(0) };
    return { sample: peaks, pred, probs, x, rr: rrAll };
  }
  const x = kachueeBeats(signal, fs, peaks, { fs: info.fs, length: info.length });
  const rrAll = rrFeatures(peaks, fs);
  const R = RR_FEATURES.length, set = rrSetOfWidth(info.rrFeatures);
  let rr: Float32Array | null = null;
  if (info.rrFeatures > R && set) {
    rr = beatFeatureRows(set, signal, fs, peaks); // a model trained on a whole-record set: the record's own statistics
  } else if (info.rrFeatures > R) {
    throw new RangeError(`classifyRecordBatch: the model takes ${info.rrFeatures} beat features; known sets have ${RR_SETS.map((s) => `${rrFeatureNames(s).length} (${s})`).join(', ')}`);
  } else if (info.rrFeatures > 0) {
    rr = new Float32Array(peaks.length * info.rrFeatures);
    for (let i = 0; i < peaks.length; i++) rr.set(rrAll.subarray(i * R, i * R + info.rrFeatures), i * info.rrFeatures);
  }
  const { pred, probs } = peaks.length ? classifier.classify(x, rr) : { pred: new Int32Array(0), probs: new Float32Array(0) };
  return { sample: peaks, pred, probs, x, rr: rrAll };
}
