// A decision-weight sweep over pooled held-out class probabilities (browser-safe): for each weight w of
// one class, the predictions argmax_k p_k · w_k (w_k = w for that class, 1 otherwise; src/classic/decision.ts)
// and their accuracy and AAMI gross Se / +P. The model's fits do not change with w, so one cross-validation's
// probabilities give the whole operating curve of a classifier (cli/cv.ts --decision-sweep).
import { weightedArgmax } from '../classic/decision.ts';
import { aamiGross, classificationReport } from '../metrics/classification.ts';

/** A sweep request: the class whose decision weight varies, and the weights (each > 0). */
export interface DecisionSweepSpec {
  className: string;
  weights: number[];
}

/** One weight's pooled figures. */
export interface DecisionSweepRow {
  weight: number;
  accuracy: number;
  aami: Record<string, { se: number; ppv: number }>;
}

/** Parses "S:1,2,4" against the protocol's classes; throws a RangeError saying what is wrong. */
export function parseDecisionSweep(text: string, classes: readonly string[]): DecisionSweepSpec {
  const m = /^([^:]+):(.+)$/.exec(text.trim());
  if (!m) throw new RangeError(`--decision-sweep must be CLASS:w1,w2,... (e.g. S:1,2,4), got ${JSON.stringify(text)}`);
  const className = m[1]!.trim();
  if (!classes.includes(className)) throw new RangeError(`--decision-sweep names the class "${className}", not one of ${classes.join(', ')}`);
  const weights = m[2]!.split(',').map((s) => s.trim());
  for (const w of weights)
    if (!/^\d*\.?\d+(e[+-]?\d+)?$/i.test(w) || !(Number(w) > 0) || !Number.isFinite(Number(w))) throw new RangeError(`--decision-sweep weights must be positive numbers, got ${JSON.stringify(w)}`);
  return { className, weights: weights.map(Number) };
}

/** The sweep over probabilities proba (yTrue.length x classes.length, row-major). */
export function decisionSweep(yTrue: ArrayLike<number>, proba: Float32Array, classes: string[], spec: DecisionSweepSpec): DecisionSweepRow[] {
  const K = classes.length, n = yTrue.length, k = classes.indexOf(spec.className);
  if (proba.length !== n * K) throw new RangeError(`decisionSweep: ${proba.length} probabilities for ${n} beats x ${K} classes`);
  if (k < 0) throw new RangeError(`decisionSweep: unknown class "${spec.className}" (classes: ${classes.join(', ')})`);
  const matrix = { data: proba, rows: n, cols: K };
  return spec.weights.map((weight) => {
    const w = new Float64Array(K).fill(1);
    w[k] = weight;
    const r = classificationReport(yTrue, weightedArgmax(matrix, w), classes);
    return { weight, accuracy: r.accuracy, aami: aamiGross(r) };
  });
}

const pct = (v: number | undefined) => (v === undefined ? '–' : (100 * v).toFixed(1));

/** The sweep as a Markdown table (weight, accuracy, S and V Se / +P). */
export function decisionSweepMarkdown(spec: DecisionSweepSpec, rows: DecisionSweepRow[]): string {
  return [
    `| ${spec.className} decision weight | accuracy % | S Se % | S +P % | V Se % | V +P % |`, '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.weight} | ${pct(r.accuracy)} | ${pct(r.aami.S?.se)} | ${pct(r.aami.S?.ppv)} | ${pct(r.aami.V?.se)} | ${pct(r.aami.V?.ppv)} |`),
  ].join('\n');
}
