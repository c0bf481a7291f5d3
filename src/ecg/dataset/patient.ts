// Patient-normalised beat features: how a beat departs from its own patient's rhythm and dominant
// morphology. Across patients, S and V beats differ from N less in absolute values than relative to the
// patient's usual beat (an S beat is premature for this patient, a V beat is shaped unlike this
// patient's usual QRS), so these features are meant for the inter-patient protocol. Computed from each
// record alone, without labels (cf. the patient-normalised RR of Lin & Yang 2014 and the "average beat"
// comparisons of Llamedo & Martínez 2011). They use the whole record (an offline statistic; a streaming
// classifier would need running estimates).
//
// From the sorted R-peak positions of all beats of a record and one lead (baseline removed with the
// 200/600 ms median filters):
//   recRR               the record's median RR interval (seconds)
//   preRR/recRR, postRR/recRR, localRR/recRR    the RR features of rr.ts over recRR
//   template            the record's median beat: the per-sample median of the windows R − 0.25 s ..
//                       R + 0.45 s of all beats
//   pCorr, qrsCorr, tCorr   Pearson correlation of the beat with the template over R − 0.25 .. R − 0.08 s
//                       (P wave), R − 0.08 .. R + 0.08 s (QRS) and R + 0.08 .. R + 0.45 s (T wave)
//   rmsDiff             RMS(beat − template) / RMS(template) over the window
//   amplitudeRatio      (max − min) of the beat's QRS segment / that of the template's
//   energyRatio         QRS energy of the beat / that of the template (a width and amplitude proxy)
// Beats whose window does not fit in the record take the neutral values (1, 1, 1, 0, 1, 1).
import { removeBaseline } from '../dsp/baseline.ts';

/**
 * The names of the 9 patient-normalised beat features (the 'patient' set adds them to 'local'): RR intervals
 * over the record's median RR, and the beat's similarity to the record's median beat.
 */
export const PATIENT_FEATURES: readonly string[] = [
  'preRR/recRR', 'postRR/recRR', 'localRR/recRR', 'pCorr', 'qrsCorr', 'tCorr', 'rmsDiff', 'amplitudeRatio', 'energyRatio',
];

/** Window and segment bounds in seconds relative to the R peak. */
export const PATIENT_WINDOW = { before: 0.25, after: 0.45, qrsHalf: 0.08 } as const;

function median(values: Float64Array | Float32Array): number {
  if (values.length === 0) return 0;
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function pearson(a: Float32Array, b: Float32Array, from: number, to: number): number {
  const n = to - from;
  let ma = 0, mb = 0;
  for (let i = from; i < to; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = from; i < to; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * Patient features of every beat of a record: beats.length x PATIENT_FEATURES.length values.
 * `signal` is one lead at `fs`, `beats` the sorted R-peak positions, `rr` the rrFeatures() rows of the
 * same beats (preRR, postRR, localRR first). `filtered`, if given, is `signal` with its baseline already
 * removed (removeBaseline), so callers computing several feature groups filter once.
 */
export function patientFeatures(signal: ArrayLike<number>, fs: number, beats: ArrayLike<number>, rr: Float32Array, rrWidth: number, filtered?: Float32Array): Float32Array {
  const n = beats.length, F = PATIENT_FEATURES.length;
  const out = new Float32Array(n * F);
  const intervals = new Float64Array(Math.max(0, n - 1));
  for (let i = 0; i + 1 < n; i++) intervals[i] = (beats[i + 1]! - beats[i]!) / fs;
  const recRR = median(intervals);
  const before = Math.round(PATIENT_WINDOW.before * fs), len = before + Math.round(PATIENT_WINDOW.after * fs);
  const q0 = before - Math.round(PATIENT_WINDOW.qrsHalf * fs), q1 = before + Math.round(PATIENT_WINDOW.qrsHalf * fs);
  const x = filtered ?? removeBaseline(signal, fs);
  const fits = new Uint8Array(n);
  let nFit = 0;
  for (let k = 0; k < n; k++) {
    const s = beats[k]! - before;
    if (s >= 0 && s + len <= x.length) { fits[k] = 1; nFit++; }
  }
  // The template: per-sample median over the beats that fit.
  const template = new Float32Array(len);
  const column = new Float32Array(nFit);
  for (let t = 0; t < len; t++) {
    let j = 0;
    for (let k = 0; k < n; k++) if (fits[k]) column[j++] = x[beats[k]! - before + t]!;
    template[t] = median(column);
  }
  let tRms = 0, tMax = -Infinity, tMin = Infinity, tEnergy = 0;
  for (let t = 0; t < len; t++) tRms += template[t]! * template[t]!;
  tRms = Math.sqrt(tRms / len);
  for (let t = q0; t < q1; t++) {
    tMax = Math.max(tMax, template[t]!); tMin = Math.min(tMin, template[t]!);
    tEnergy += template[t]! * template[t]!;
  }
  const beat = new Float32Array(len);
  for (let k = 0; k < n; k++) {
    const o = k * F;
    for (let j = 0; j < 3; j++) out[o + j] = recRR > 0 ? rr[k * rrWidth + j]! / recRR : 1;
    if (!fits[k] || nFit === 0) {
      out.set([1, 1, 1, 0, 1, 1], o + 3);
      continue;
    }
    beat.set(x.subarray(beats[k]! - before, beats[k]! - before + len));
    let diff = 0, mx = -Infinity, mn = Infinity, energy = 0;
    for (let t = 0; t < len; t++) diff += (beat[t]! - template[t]!) ** 2;
    for (let t = q0; t < q1; t++) {
      mx = Math.max(mx, beat[t]!); mn = Math.min(mn, beat[t]!);
      energy += beat[t]! * beat[t]!;
    }
    out[o + 3] = pearson(beat, template, 0, q0);
    out[o + 4] = pearson(beat, template, q0, q1);
    out[o + 5] = pearson(beat, template, q1, len);
    out[o + 6] = tRms > 0 ? Math.sqrt(diff / len) / tRms : 0;
    out[o + 7] = tMax > tMin ? (mx - mn) / (tMax - tMin) : 1;
    out[o + 8] = tEnergy > 0 ? energy / tEnergy : 1;
  }
  return out;
}
