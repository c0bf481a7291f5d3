// QRS detection after Pan & Tompkins, "A real-time QRS detection algorithm", IEEE TBME 32(3):230-236
// (1985): band-pass (Butterworth 5-15 Hz, causal), five-point derivative, squaring, 150 ms moving-window
// integration, then adaptive dual thresholds on the integrated signal (SPKI / NPKI) and on the
// band-passed signal (SPKF / NPKF), a 200 ms refractory period, T-wave discrimination by slope within
// 360 ms of the previous QRS, halved thresholds for irregular rhythms and search-back with the second
// threshold when no QRS was found for 166% of the average RR interval. The detector runs sample by
// sample (PanTompkins.push) with a bounded latency; panTompkins() is the batch form and gives the
// same detections. A detection's position is the largest band-passed deflection of the QRS,
// corrected for the band-pass filter's delay.
import { butterworth, sosfiltZi, type Sos } from '../dsp/butterworth.ts';

/**
 * Options of the Pan-Tompkins detector: band-pass, integration window, refractory period, T-wave window and
 * learning period.
 */
export interface PanTompkinsOptions {
  /** Band-pass edges in Hz (default 5 and 15) and Butterworth order (default 1). */
  low?: number;
  high?: number;
  order?: number;
  /** Moving-window integration length in seconds (default 0.15). */
  integration?: number;
  /** Refractory period in seconds: two QRS complexes are at least this far apart (default 0.2). */
  refractory?: number;
  /** Candidates closer than this to the previous QRS are tested for being T waves (default 0.36 s). */
  tWaveWindow?: number;
  /** Seconds of signal used to initialise the thresholds (default 2). */
  learning?: number;
  /** A candidate in the T-wave window whose slope is below this fraction of the last QRS's is a T wave (default 0.5). */
  tWaveSlope?: number;
}

interface Peak {
  /** Position of the integrated-signal peak. */
  pos: number;
  /** Integrated-signal peak value. */
  mwi: number;
  /** Largest |band-passed| value in the QRS window, and where it is. */
  bp: number;
  bpPos: number;
  /** Largest |derivative| in the QRS window (for T-wave discrimination). */
  slope: number;
}

const NONE: readonly number[] = Object.freeze([]);

/**
 * The Pan & Tompkins (1985) QRS detector, streaming: push samples one at a time (push) or in blocks
 * (pushMany) and get the QRS positions it confirms (sample indices), at most `latency` samples late; flush()
 * ends the signal. panTompkins() runs it over a whole signal.
 */
export class PanTompkins {
  readonly fs: number;
  /** The largest delay between a sample and the reporting of a QRS at that sample, in samples. */
  readonly latency: number;
  private readonly sos: Sos;
  private readonly zi: Float64Array;
  private readonly state: Float64Array;
  private readonly delay: number;
  private readonly win: number;
  private readonly refr: number;
  private readonly tWin: number;
  private readonly learnLen: number;
  private readonly tSlope: number;
  private readonly size: number;
  private readonly bpBuf: Float64Array;
  private readonly dBuf: Float64Array;
  private readonly sqBuf: Float64Array;
  private n = 0;
  private out: readonly number[] = NONE;
  private learned = false;
  private mwiSum = 0;
  private m1 = 0; // mwi[n-1]
  private m2 = 0; // mwi[n-2]
  private cand: Peak | null = null;
  private learning: Peak[] = [];
  private learnMaxI = 0;
  private learnSumI = 0;
  private learnMaxF = 0;
  private learnSumF = 0;
  private spki = 0;
  private npki = 0;
  private spkf = 0;
  private npkf = 0;
  private irregular = false;
  private last: Peak | null = null;
  private noise: Peak[] = [];
  private rrRecent: number[] = [];
  private rrSelected: number[] = [];
  private rrAvg2: number;

  constructor(fs: number, options: PanTompkinsOptions = {}) {
    if (!(fs > 0)) throw new RangeError(`PanTompkins: fs must be positive, got ${fs}`);
    this.fs = fs;
    const low = options.low ?? 5, high = Math.min(options.high ?? 15, 0.45 * fs);
    this.sos = butterworth(options.order ?? 1, [low, high], fs, 'bandpass');
    this.zi = sosfiltZi(this.sos);
    this.state = new Float64Array(2 * this.sos.length);
    this.delay = Math.round(groupDelay(this.sos, Math.sqrt(low * high), fs));
    this.win = Math.max(1, Math.round((options.integration ?? 0.15) * fs));
    this.refr = Math.round((options.refractory ?? 0.2) * fs);
    this.tWin = Math.round((options.tWaveWindow ?? 0.36) * fs);
    this.learnLen = Math.round((options.learning ?? 2) * fs);
    this.tSlope = options.tWaveSlope ?? 0.5;
    this.rrAvg2 = fs; // 1 s until beats are found
    let size = 1;
    while (size < this.win + 16) size *= 2;
    this.size = size;
    this.bpBuf = new Float64Array(size);
    this.dBuf = new Float64Array(size);
    this.sqBuf = new Float64Array(size);
    this.latency = this.refr + 2 * this.win + this.learnLen;
  }

  /**
   * Feeds one sample; returns the QRS positions (sample indices) confirmed by it, in order. Most calls
   * return a shared empty array (do not modify it).
   */
  push(x: number): readonly number[] {
    this.out = NONE;
    const n = this.n;
    const mask = this.size - 1;
    if (n === 0) for (let i = 0; i < this.zi.length; i++) this.state[i] = this.zi[i]! * x;
    // Band-pass (transposed direct form II biquads).
    let v = x;
    for (let s = 0; s < this.sos.length; s++) {
      const c = this.sos[s]!;
      const y = c[0]! * v + this.state[2 * s]!;
      this.state[2 * s] = c[1]! * v - c[4]! * y + this.state[2 * s + 1]!;
      this.state[2 * s + 1] = c[2]! * v - c[5]! * y;
      v = y;
    }
    this.bpBuf[n & mask] = v;
    const b = this.bpBuf;
    const d = n >= 4 ? ((2 * v + b[(n - 1) & mask]! - b[(n - 3) & mask]! - 2 * b[(n - 4) & mask]!) * this.fs) / 8 : 0;
    this.dBuf[n & mask] = d;
    const sq = d * d;
    this.mwiSum += sq - (n >= this.win ? this.sqBuf[(n - this.win) & mask]! : 0);
    this.sqBuf[n & mask] = sq;
    const m = this.mwiSum / this.win;
    if (n < this.learnLen) {
      this.learnMaxI = Math.max(this.learnMaxI, m);
      this.learnSumI += m;
      this.learnMaxF = Math.max(this.learnMaxF, Math.abs(v));
      this.learnSumF += Math.abs(v);
    }
    // Candidate peaks: local maxima of the integrated signal, the largest within the refractory period.
    if (this.cand && n - this.cand.pos > this.refr) {
      this.confirm(this.cand);
      this.cand = null;
    }
    if (n >= 2 && this.m1 > this.m2 && this.m1 >= m && (!this.cand || this.m1 > this.cand.mwi)) {
      this.cand = this.measure(n - 1, this.m1);
    }
    this.m2 = this.m1;
    this.m1 = m;
    if (n + 1 === this.learnLen) this.endLearning();
    if (this.last && n - this.last.pos > 1.66 * this.rrAvg2) this.searchBack(n);
    this.n++;
    return this.out;
  }

  /** Feeds many samples; returns all QRS positions confirmed by them. */
  pushMany(x: ArrayLike<number>): number[] {
    const out: number[] = [];
    for (let i = 0; i < x.length; i++) {
      const found = this.push(x[i]!);
      for (let k = 0; k < found.length; k++) out.push(found[k]!);
    }
    return out;
  }

  /** Ends the signal: confirms the pending candidate and runs a final search-back. */
  flush(): number[] {
    this.out = [];
    if (!this.learned && this.n > 0) this.endLearning();
    if (this.cand) {
      this.confirm(this.cand);
      this.cand = null;
    }
    if (this.last && this.n - this.last.pos > 1.66 * this.rrAvg2) this.searchBack(this.n);
    return this.out as number[];
  }

  /** Records a detection for the current push() / flush() call. */
  private emit(pos: number): void {
    if (this.out === NONE) this.out = [];
    (this.out as number[]).push(pos);
  }

  private measure(pos: number, mwi: number): Peak {
    const mask = this.size - 1;
    let bpMax = 0, bpPos = pos, slope = 0;
    for (let k = Math.max(0, pos - this.win - 2); k <= pos; k++) {
      const a = Math.abs(this.bpBuf[k & mask]!);
      if (a > bpMax) { bpMax = a; bpPos = k; }
      slope = Math.max(slope, Math.abs(this.dBuf[k & mask]!));
    }
    return { pos, mwi, bp: bpMax, bpPos, slope };
  }

  private endLearning(): void {
    const len = Math.min(this.n + 1, this.learnLen);
    this.spki = 0.25 * this.learnMaxI;
    this.npki = (0.5 * this.learnSumI) / len;
    this.spkf = 0.25 * this.learnMaxF;
    this.npkf = (0.5 * this.learnSumF) / len;
    const pending = this.learning;
    this.learning = [];
    this.learned = true;
    for (const p of pending) this.classify(p);
  }

  private confirm(p: Peak): void {
    if (!this.learned) this.learning.push(p);
    else this.classify(p);
  }

  private thresholds(): [number, number] {
    let ti = this.npki + 0.25 * (this.spki - this.npki);
    let tf = this.npkf + 0.25 * (this.spkf - this.npkf);
    if (this.irregular) { ti *= 0.5; tf *= 0.5; }
    return [ti, tf];
  }

  private classify(p: Peak): void {
    const [ti, tf] = this.thresholds();
    if (p.mwi > ti && p.bp > tf) {
      if (this.last && p.pos - this.last.pos < this.tWin && p.slope < this.tSlope * this.last.slope) {
        this.addNoise(p); // a T wave
        return;
      }
      this.spki = 0.125 * p.mwi + 0.875 * this.spki;
      this.spkf = 0.125 * p.bp + 0.875 * this.spkf;
      this.accept(p);
    } else {
      this.addNoise(p);
    }
  }

  private addNoise(p: Peak): void {
    this.npki = 0.125 * p.mwi + 0.875 * this.npki;
    this.npkf = 0.125 * p.bp + 0.875 * this.npkf;
    this.noise.push(p);
  }

  private accept(p: Peak): void {
    if (this.last) {
      const rr = p.pos - this.last.pos;
      this.rrRecent.push(rr);
      if (this.rrRecent.length > 8) this.rrRecent.shift();
      const lo = 0.92 * this.rrAvg2, hi = 1.16 * this.rrAvg2;
      if (rr >= lo && rr <= hi) {
        this.rrSelected.push(rr);
        if (this.rrSelected.length > 8) this.rrSelected.shift();
        this.irregular = false;
      } else {
        this.irregular = true;
      }
      if (this.rrSelected.length > 0) this.rrAvg2 = mean(this.rrSelected);
      // While too few regular intervals exist, follow the recent average so the limits can adapt.
      if (this.rrSelected.length < 8 || this.rrRecent.every((r) => r < lo || r > hi)) this.rrAvg2 = mean(this.rrRecent);
    }
    this.last = p;
    this.noise = [];
    this.emit(Math.max(0, p.bpPos - this.delay));
  }

  private searchBack(now: number): void {
    if (!this.last) return;
    const [ti, tf] = this.thresholds();
    let best: Peak | null = null;
    for (const p of this.noise) {
      if (p.pos - this.last.pos < this.refr || p.pos > now) continue;
      if (p.mwi > 0.5 * ti && p.bp > 0.5 * tf && (!best || p.mwi > best.mwi)) best = p;
    }
    if (!best) {
      // Nothing to recover: do not search this interval again until a new peak arrives.
      this.rrAvg2 = Math.max(this.rrAvg2, (now - this.last.pos) / 1.66 + 1);
      return;
    }
    this.spki = 0.25 * best.mwi + 0.75 * this.spki;
    this.spkf = 0.25 * best.bp + 0.75 * this.spkf;
    const rest = this.noise.filter((p) => p.pos > best!.pos);
    this.accept(best);
    this.noise = rest;
  }
}

function mean(a: number[]): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

/** Group delay (samples) of a cascade at frequency f, from the slope of its phase response. */
function groupDelay(sos: Sos, f: number, fs: number): number {
  const phase = (ff: number) => {
    const w = (2 * Math.PI * ff) / fs;
    let p = 0;
    for (const [b0, b1, b2, , a1, a2] of sos) {
      p += Math.atan2(-b1! * Math.sin(w) - b2! * Math.sin(2 * w), b0! + b1! * Math.cos(w) + b2! * Math.cos(2 * w));
      p -= Math.atan2(-a1! * Math.sin(w) - a2! * Math.sin(2 * w), 1 + a1! * Math.cos(w) + a2! * Math.cos(2 * w));
    }
    return p;
  };
  const h = 0.5;
  let dp = phase(f + h) - phase(f - h);
  while (dp > Math.PI) dp -= 2 * Math.PI;
  while (dp < -Math.PI) dp += 2 * Math.PI;
  return (-dp / (2 * Math.PI * 2 * h)) * fs;
}

/** Batch QRS detection: the positions (sample indices) of the QRS complexes in `signal`. */
export function panTompkins(signal: ArrayLike<number>, fs: number, options: PanTompkinsOptions = {}): Int32Array {
  const det = new PanTompkins(fs, options);
  const out = det.pushMany(signal);
  for (const p of det.flush()) out.push(p);
  return Int32Array.from(out);
}
