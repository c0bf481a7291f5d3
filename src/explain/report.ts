// One method evaluated on one model: attributions of the chosen beats, then faithfulness (deletion /
// insertion with baseline replacement and with ROAD's noisy linear imputation, each against the random
// control), cascading randomisation, robustness and physiology; plus the Markdown tables of a report.
import type { ExplainedModel } from './classifier.ts';
import type { Attribution } from './gradient.ts';
import { attribute, getMethod, type MethodName, type MethodOptions } from './methods.ts';
import { faithfulness, type FaithfulnessResult } from './faithfulness.ts';
import { cascadingRandomization } from './sanity.ts';
import { robustness, type RobustnessResult } from './robustness.ts';
import { physiology, type BeatGeometry, type PhysiologyRow } from './physiology.ts';
import { finiteMean } from './stats.ts';

/** An evaluation metric of evaluateMethod: 'faithfulness', 'sanity', 'robustness' or 'physiology'. */
export type MetricName = 'faithfulness' | 'sanity' | 'robustness' | 'physiology';
/**
 * The evaluation metrics evaluateMethod computes by default: faithfulness, sanity, robustness and physiology.
 */
export const METRICS: readonly MetricName[] = ['faithfulness', 'sanity', 'robustness', 'physiology'];

/** The beats an evaluation explains: beats, RR features, true labels, class names and their geometry. */
export interface EvaluationInput {
  /** Beats (n x channels x length), their RR features (n x R, R ≥ 2 for physiology), true labels, class names. */
  x: Float32Array;
  rr?: Float32Array | null;
  rrFeatures?: number;
  labels: Int32Array;
  classes: string[];
  geometry: BeatGeometry;
}

/**
 * Options of evaluateMethod: the method's options, which metrics, curve resolution, robustness samples and
 * the seed.
 */
export interface EvaluationOptions {
  methodOptions?: MethodOptions;
  metrics?: readonly MetricName[];
  /** Points of the deletion / insertion curves minus one (default 20). */
  curveSteps?: number;
  /** Perturbations for max-sensitivity (default 10). */
  sensitivitySamples?: number;
  seed?: number;
}

interface CurveSummary {
  deletionAuc: number;
  insertionAuc: number;
  randomDeletionAuc: number;
  randomInsertionAuc: number;
  deletionCurve: number[];
  insertionCurve: number[];
}

/**
 * The evaluation of one attribution method on one model: beats, time, completeness gap, and the faithfulness,
 * sanity, robustness and physiology results asked for.
 */
export interface MethodReport {
  method: string;
  beats: number;
  seconds: number;
  /** Mean and max completeness gap (IG, SHAP). */
  delta?: { mean: number; max: number };
  faithfulness?: { baseline: CurveSummary; linear: CurveSummary };
  sanity?: { layer: string; spearman: number }[];
  robustness?: { maxSensitivity: number; spearman20dB: number; spearman10dB: number };
  physiology?: PhysiologyRow[];
}

function summary(f: FaithfulnessResult): CurveSummary {
  return {
    deletionAuc: f.deletion.auc, insertionAuc: f.insertion.auc,
    randomDeletionAuc: f.randomDeletion?.auc ?? NaN, randomInsertionAuc: f.randomInsertion?.auc ?? NaN,
    deletionCurve: f.deletion.curve, insertionCurve: f.insertion.curve,
  };
}

/** Explains the beats with one method and measures the explanation. */
export function evaluateMethod(clf: ExplainedModel, input: EvaluationInput, method: MethodName, opts: EvaluationOptions = {}): { attribution: Attribution; report: MethodReport } {
  const metrics = new Set(opts.metrics ?? METRICS);
  const spec = getMethod(method);
  const mo: MethodOptions = { ...opts.methodOptions, rr: input.rr };
  const t0 = performance.now();
  const attribution = attribute(clf, input.x, method, mo);
  const seconds = (performance.now() - t0) / 1000;
  const fixed: MethodOptions = { ...mo, targets: attribution.targets };
  const report: MethodReport = { method, beats: attribution.n, seconds };
  if (attribution.delta) report.delta = { mean: finiteMean(attribution.delta), max: Math.max(...attribution.delta) };
  if (metrics.has('faithfulness')) {
    const common = { rr: input.rr, steps: opts.curveSteps ?? 20, seed: opts.seed, meanBeat: mo.meanBeat };
    report.faithfulness = {
      baseline: summary(faithfulness(clf, input.x, attribution, { ...common, replacement: 'baseline', baseline: mo.baseline instanceof Float32Array ? mo.baseline : mo.baseline ?? 'zero' })),
      linear: summary(faithfulness(clf, input.x, attribution, { ...common, replacement: 'linear' })),
    };
  }
  if (metrics.has('sanity') && !spec.control) {
    const steps = cascadingRandomization(clf, (c) => attribute(c, input.x, method, fixed).values, { seed: opts.seed });
    report.sanity = steps.map((s) => ({ layer: s.layer, spearman: s.spearman }));
  }
  if (metrics.has('robustness') && !spec.control) {
    const r: RobustnessResult = robustness(input.x, clf.beatSize, (xx) => attribute(clf, xx, method, fixed).values, {
      samples: opts.sensitivitySamples ?? 10, seed: opts.seed,
    });
    report.robustness = { maxSensitivity: r.maxSensitivity, spearman20dB: r.noiseSpearman['20']!, spearman10dB: r.noiseSpearman['10']! };
  }
  if (metrics.has('physiology') && input.rr && (input.rrFeatures ?? 0) >= 2) {
    report.physiology = physiology(attribution.values, {
      ...input.geometry, channels: clf.channels, rr: input.rr, rrFeatures: input.rrFeatures!, labels: input.labels, classes: input.classes,
    });
  }
  return { attribution, report };
}

const num = (v: number | undefined, d = 3) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d));
const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(0)}%`);

/** The metrics table: one row per (model, method). */
export function metricsTable(rows: { model: string; report: MethodReport }[]): string {
  const head = [
    'model', 'method', 's/beat', 'IG/SHAP Δ', 'del AUC ↓', 'del rand', 'ins AUC ↑', 'ins rand', 'ROAD del ↓', 'ROAD del rand', 'ROAD ins ↑', 'ROAD ins rand',
    'ρ top layer rand.', 'ρ all rand. ↓', 'max-sens ↓', 'ρ 20 dB ↑', 'ρ 10 dB ↑', 'QRS', 'P', 'T',
  ];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`];
  for (const { model, report: r } of rows) {
    const fb = r.faithfulness?.baseline, fl = r.faithfulness?.linear;
    const s = r.sanity;
    const all = r.physiology?.find((p) => p.className === 'all');
    lines.push(`| ${[
      model, r.method, num(r.seconds / Math.max(1, r.beats), 3), r.delta ? num(r.delta.mean, 4) : '–',
      num(fb?.deletionAuc), num(fb?.randomDeletionAuc), num(fb?.insertionAuc), num(fb?.randomInsertionAuc),
      num(fl?.deletionAuc), num(fl?.randomDeletionAuc), num(fl?.insertionAuc), num(fl?.randomInsertionAuc),
      num(s?.[1]?.spearman, 2), num(s?.[s.length - 1]?.spearman, 2),
      num(r.robustness?.maxSensitivity, 2), num(r.robustness?.spearman20dB, 2), num(r.robustness?.spearman10dB, 2),
      all ? `${pct(all.share.qrs)} (${pct(all.chance.qrs)})` : '–', all ? `${pct(all.share.p)} (${pct(all.chance.p)})` : '–', all ? `${pct(all.share.t)} (${pct(all.chance.t)})` : '–',
    ].join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Attribution shares per class: one row per (method, class). */
export function physiologyTable(rows: { model: string; report: MethodReport }[]): string {
  const lines = ['| model | method | class | beats | QRS | P | T | other |', '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const { model, report } of rows)
    for (const p of report.physiology ?? [])
      lines.push(`| ${model} | ${report.method} | ${p.className} | ${p.beats} | ${pct(p.share.qrs)} (${pct(p.chance.qrs)}) | ${pct(p.share.p)} (${pct(p.chance.p)}) | ${pct(p.share.t)} (${pct(p.chance.t)}) | ${pct(p.share.other)} |`);
  return lines.join('\n');
}

/** Cascading randomisation: Spearman after each randomised layer, one row per (model, method). */
export function sanityTable(rows: { model: string; report: MethodReport }[]): string {
  const lines: string[] = [];
  for (const { model, report } of rows) {
    if (!report.sanity) continue;
    lines.push(`- ${model} · ${report.method}: ${report.sanity.slice(1).map((s) => `${s.layer} ${num(s.spearman, 2)}`).join(' → ')}`);
  }
  return lines.join('\n');
}
