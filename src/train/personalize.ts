// personalize(): fine-tunes a COPY of a trained model on one wearer's labelled beats (browser-safe: bytes
// and typed arrays in and out, no file system; synchronous, so run it in a worker to keep a page
// responsive). The original model is never modified: the copy is rebuilt from its model-file bytes.
//
// What is trained (options.layers):
//   'last'  the output Linear layer only (the layer that maps features to classes);
//   'head'  every Linear layer of the model (FT-CNN: fc1 and fc2; ArrhythmiNet: its one fc = 'last');
//   'all'   every parameter.
// Frozen parameters are switched off for autograd in the copy during fine-tuning (no backward through
// them) and switched back on in the returned model.
//
// Regularisation that keeps the copy from forgetting what the global model knows:
//   - L2-SP (Li et al. 2018): the penalty (l2sp / 2)·||w − w0||² on every trained tensor, w0 the global
//     model's values: its gradient l2sp·(w − w0) is added to each gradient before the update;
//   - batch normalisation in training mode ('train', default since the second DS1 selection: batch
//     statistics in the steps, running mean and variance updated towards the wearer's and replay beats) or
//     frozen ('frozen': BatchNorm layers stay in eval mode, the global statistics kept);
//   - replay: beats of the global training set (options.replay) mixed into every step
//     (options.replayBatch of them beside options.batchSize wearer beats);
//   - classes absent from the wearer's beats are kept from the global model: the rows of the output
//     layer (weights and bias) of those classes are restored to the global values after every update
//     (absentClasses 'keep', default; 'train' lets them move like the others);
//   - class weights of the cross-entropy from the wearer's class counts: 'none', 'sqrt' (∝ 1/√n_c) or
//     'balanced' (∝ 1/n_c); classes absent from the wearer weigh 1.
// Synthetic premature beats (options.premature per step, default none): the wearer's N beats with the RR
// timing of the replay set's real S beats, labelled S (src/train/premature.ts), so a copy fine-tuned on
// S-free minutes still sees this wearer's morphology at a premature rhythm called S.
//
// The optimizer is Adam at a constant learning rate for `steps` steps; each step takes the next
// `batchSize` wearer beats of a seeded shuffle (reshuffled after each pass) and the next `replayBatch`
// replay beats. Deterministic for a seed: the shuffles come from Rng(mixSeed(seed, ·)), dropout from the
// layers' own generators (rebuilt from the model config) and the global dropout generator re-seeded from
// (seed, step) before every step, so the same inputs and seed give a byte-identical model file.
import type { Tensor } from '../core/tensor.ts';
import { fromArray } from '../ops/creation.ts';
import { dropoutSeed } from '../ops/dropout.ts';
import type { Module } from '../nn/module.ts';
import { Linear } from '../nn/linear.ts';
import { BatchNorm1d } from '../nn/batchnorm.ts';
import { crossEntropy } from '../nn/losses.ts';
import { encodeModel, modelFromBytes, ModelFileError, type ModelHeader } from '../nn/model-file.ts';
import { Adam } from '../optim/adam.ts';
import { initSeed } from '../nn/init.ts';
import '../models/index.ts';
import { mixSeed, seededCursor } from './seeds.ts';
import { beatFeatureNamesOf, prematurePlan, prematureRow } from './premature.ts';

/**
 * personalize() cannot run as asked: an invalid option, beats that do not fit the model, or a model file it
 * cannot rebuild. The message says which.
 */
export class PersonalizeError extends Error {
  constructor(message: string) {
    super(`personalize: ${message}`);
    this.name = 'PersonalizeError';
  }
}

/** Labelled beats of one wearer (or replay beats): windows, optional beat features, labels. */
export interface LabelledBeats {
  /** n x channels x length samples, row-major (the model's window). */
  x: Float32Array;
  /** n x rrFeatures beat features, when the model takes them. */
  rr?: Float32Array | null;
  /** n labels: class indices into the model's classes, or class names (meta.classes). */
  y: Int32Array | readonly number[] | readonly string[];
}

/**
 * What personalize() trains: 'last' (the output Linear layer), 'head' (every Linear layer) or 'all' (every
 * parameter; default).
 */
export type PersonalizeLayers = 'last' | 'head' | 'all';

/**
 * Options of personalize(): seed, layers, steps, batch size, learning rate, the L2-SP coefficient, replay
 * beats and the other regularisation settings (defaults in PERSONALIZE_DEFAULTS).
 */
export interface PersonalizeOptions {
  /** Seed of the beat order and dropout (default 0). */
  seed?: number;
  layers?: PersonalizeLayers;
  /** Optimisation steps (default 100). */
  steps?: number;
  /** Wearer beats per step (default 32; all of them when fewer). */
  batchSize?: number;
  /** Adam's learning rate (default 3e-4). */
  lr?: number;
  /** L2-SP coefficient pulling trained tensors towards the global model's values (default 0.01; 0: none). */
  l2sp?: number;
  batchNorm?: 'frozen' | 'train';
  classWeight?: 'none' | 'sqrt' | 'balanced';
  absentClasses?: 'keep' | 'train';
  /** Beats of the global training set mixed into every step. */
  replay?: LabelledBeats | null;
  /** Replay beats per step (default 16; ignored without replay). */
  replayBatch?: number;
  /**
   * Synthetic premature S beats per step (default 0: none): wearer N beats with the RR timing of replay S
   * beats (src/train/premature.ts). Needs replay beats of class S and the 'local' beat-feature set.
   */
  premature?: number;
  /** Fewest wearer beats accepted (default 20). */
  minBeats?: number;
  /** Called after every step. */
  onProgress?(p: { step: number; steps: number; loss: number }): void;
}

/** The defaults: the configuration chosen on DS1 (docs/personalize.md, "Selection" and its second round). */
export const PERSONALIZE_DEFAULTS = {
  seed: 0, layers: 'all' as PersonalizeLayers, steps: 100, batchSize: 32, lr: 3e-4, l2sp: 0.01,
  batchNorm: 'train' as 'frozen' | 'train', classWeight: 'sqrt' as 'none' | 'sqrt' | 'balanced', absentClasses: 'keep' as 'keep' | 'train',
  replayBatch: 16, premature: 0, minBeats: 20,
};

export type ResolvedPersonalizeOptions = typeof PERSONALIZE_DEFAULTS;

/**
 * What personalize() did: beats used per class, classes absent from them, replay beats, the trained tensors,
 * steps and the loss at the start and end.
 */
export interface PersonalizeReport {
  /** Wearer beats used, and per class name. */
  beats: number;
  counts: Record<string, number>;
  /** Classes of the model with no wearer beat: kept from the global model (see absentClasses). */
  absentClasses: string[];
  replayBeats: number;
  /** Names of the trained parameter tensors, and their number of values. */
  trained: string[];
  trainedParams: number;
  steps: number;
  /** Mean loss of the first and of the last 10 steps. */
  lossFirst: number;
  lossLast: number;
  seconds: number;
  options: ResolvedPersonalizeOptions;
}

/**
 * What personalize() returns: the personalised copy (eval mode), its .ecgm bytes and header, and the report.
 */
export interface PersonalizeResult {
  /** The personalised copy, in eval mode. */
  model: Module;
  /** Its .ecgm file: the original header's arch and config, meta with a "personalized" entry. */
  bytes: Uint8Array;
  header: ModelHeader;
  report: PersonalizeReport;
}

/** A model to personalise: its .ecgm bytes, or a loaded model with its header (from loadModel / modelFromBytes). */
export type PersonalizeSource = Uint8Array | { model: Module; header: ModelHeader };

function resolveOptions(o: PersonalizeOptions): ResolvedPersonalizeOptions {
  const r = { ...PERSONALIZE_DEFAULTS };
  for (const k of Object.keys(PERSONALIZE_DEFAULTS) as (keyof ResolvedPersonalizeOptions)[]) if (o[k] !== undefined) (r as Record<string, unknown>)[k] = o[k];
  const int = (name: keyof ResolvedPersonalizeOptions, min: number) => {
    const v = r[name] as number;
    if (!(Number.isInteger(v) && v >= min)) throw new PersonalizeError(`option ${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  };
  int('seed', 0);
  int('steps', 1);
  int('batchSize', 1);
  int('replayBatch', 0);
  int('premature', 0);
  int('minBeats', 1);
  if (!(typeof r.lr === 'number' && r.lr > 0 && Number.isFinite(r.lr))) throw new PersonalizeError(`option lr must be a positive number, got ${JSON.stringify(r.lr)}`);
  if (!(typeof r.l2sp === 'number' && r.l2sp >= 0 && Number.isFinite(r.l2sp))) throw new PersonalizeError(`option l2sp must be a number >= 0, got ${JSON.stringify(r.l2sp)}`);
  const choice = (name: keyof ResolvedPersonalizeOptions, values: readonly string[]) => {
    if (!values.includes(r[name] as string)) throw new PersonalizeError(`option ${name} must be one of ${values.join(', ')}, got ${JSON.stringify(r[name])}`);
  };
  choice('layers', ['last', 'head', 'all']);
  choice('batchNorm', ['frozen', 'train']);
  choice('classWeight', ['none', 'sqrt', 'balanced']);
  choice('absentClasses', ['keep', 'train']);
  return r;
}

interface ModelShape {
  channels: number;
  length: number;
  rrFeatures: number;
  classes: string[];
}

function shapeOf(header: ModelHeader): ModelShape {
  const c = header.config as { channels?: unknown; length?: unknown; rrFeatures?: unknown; classes?: unknown };
  const isPos = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (!isPos(c.channels) || !isPos(c.length) || !isPos(c.classes))
    throw new PersonalizeError(`the model's config has no beat input (channels ${String(c.channels)}, length ${String(c.length)}, classes ${String(c.classes)}): not a beat classifier of the zoo`);
  const K = c.classes as number;
  const names = Array.isArray(header.meta.classes) && header.meta.classes.length === K ? (header.meta.classes as unknown[]).map(String) : Array.from({ length: K }, (_, k) => String(k));
  return { channels: c.channels as number, length: c.length as number, rrFeatures: Number.isInteger(c.rrFeatures) ? (c.rrFeatures as number) : 0, classes: names };
}

/** Checks beats against the model's input; returns the labels as class indices. */
function checkBeats(b: LabelledBeats, s: ModelShape, what: string): { n: number; y: Int32Array; rr: Float32Array | null } {
  if (!b || !(b.x instanceof Float32Array)) throw new PersonalizeError(`${what}.x must be a Float32Array of beats x channels x length samples`);
  const per = s.channels * s.length;
  if (b.x.length % per !== 0)
    throw new PersonalizeError(`${what}.x holds ${b.x.length} values, not a whole number of beats of ${s.channels} channel(s) x ${s.length} samples (${per} values each): wrong input shape for this model`);
  const n = b.x.length / per;
  const labels = b.y as ArrayLike<number | string> | undefined;
  if (!labels || typeof labels.length !== 'number') throw new PersonalizeError(`${what}.y (the labels) is missing`);
  if (labels.length !== n) throw new PersonalizeError(`${what} has ${n} beats but ${labels.length} labels: the labels do not match the beats`);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels[i]!;
    const k = typeof v === 'string' ? s.classes.indexOf(v) : v;
    if (!(Number.isInteger(k) && k >= 0 && k < s.classes.length))
      throw new PersonalizeError(`${what}.y[${i}] = ${JSON.stringify(v)} is not a class of the model (${s.classes.map((c, j) => `${j}: ${c}`).join(', ')})`);
    y[i] = k;
  }
  let rr: Float32Array | null = null;
  if (s.rrFeatures > 0) {
    if (!(b.rr instanceof Float32Array))
      throw new PersonalizeError(`the model takes ${s.rrFeatures} beat features beside each window; ${what}.rr is missing (build the beats with wearerBeats, which computes the features the model was trained on)`);
    if (b.rr.length !== n * s.rrFeatures)
      throw new PersonalizeError(`${what}.rr holds ${b.rr.length} values; ${n} beats x ${s.rrFeatures} features = ${n * s.rrFeatures} expected`);
    rr = b.rr;
  }
  for (const [name, arr] of [['x', b.x], ['rr', rr]] as const) {
    if (!arr) continue;
    for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i]!)) throw new PersonalizeError(`${what}.${name}[${i}] is ${arr[i]}: beats must be finite`);
  }
  return { n, y, rr };
}

function bytesOf(source: PersonalizeSource): { bytes: Uint8Array; header: ModelHeader } {
  if (source instanceof Uint8Array) {
    if (source.length >= 8 && String.fromCharCode(...source.subarray(0, 8)) === 'ECGRADQ1')
      throw new PersonalizeError('the model is an int8-quantised file (.ecgq), which cannot be trained: personalise the float .ecgm, then quantise the result');
    try {
      return { bytes: source, header: modelFromBytes(source, '(personalize)').header };
    } catch (e) {
      if (e instanceof ModelFileError) throw new PersonalizeError(`the model cannot be read: ${e.message}`);
      throw e;
    }
  }
  if (!source || typeof source !== 'object' || !source.model || !source.header || typeof source.header.arch !== 'string')
    throw new PersonalizeError('the model must be .ecgm bytes or { model, header } (as loadModel returns)');
  const { model, header } = source;
  return { bytes: encodeModel(model, { arch: header.arch, config: header.config, meta: header.meta }), header };
}

/**
 * The source of synthetic premature beats: the plan for the model's beat features, the wearer's N beats
 * and the replay's S beats, and a draw of (wearer N beat, replay S beat) pairs. Throws a PersonalizeError
 * when the model, the wearer's beats or the replay cannot give them.
 */
function prematureSource(header: ModelHeader, shape: ModelShape, wearer: { n: number; y: Int32Array }, replay: { n: number; y: Int32Array } | null) {
  const why = 'option premature (synthetic premature beats)';
  if (shape.rrFeatures === 0) throw new PersonalizeError(`${why} needs a model that takes RR beat features; this model (${header.arch}) takes none`);
  const names = beatFeatureNamesOf(header.meta, shape.rrFeatures);
  if (!names) throw new PersonalizeError(`${why}: the model's ${shape.rrFeatures} beat features are not a known set (its metadata: window ${String(header.meta.window ?? 'kachuee')}, rrSet ${String(header.meta.rrSet ?? 'local')})`);
  const plan = prematurePlan(names);
  if (typeof plan === 'string') throw new PersonalizeError(`${why}: ${plan}`);
  const nK = shape.classes.indexOf('N'), sK = shape.classes.indexOf('S');
  if (nK < 0 || sK < 0) throw new PersonalizeError(`${why} needs classes N and S; the model's are ${shape.classes.join(', ')}`);
  const of = (y: Int32Array, k: number) => Int32Array.from(y.keys()).filter((i) => y[i] === k);
  const normal = of(wearer.y, nK), premature = replay ? of(replay.y, sK) : new Int32Array(0);
  if (normal.length === 0) throw new PersonalizeError(`${why} makes S beats from the wearer's N beats; the wearer's beats hold none`);
  if (premature.length === 0) throw new PersonalizeError(`${why} takes the timing of real S beats from the replay beats; ${replay ? 'they hold no S beat' : 'none were given (options.replay)'}`);
  let nextN = seededCursor(0, 0), nextS = seededCursor(0, 0);
  return {
    plan, label: sK,
    start(seed: number) {
      nextN = seededCursor(normal.length, mixSeed(seed, 0x5e7));
      nextS = seededCursor(premature.length, mixSeed(seed, 0x5e8));
    },
    /** k pairs (wearer beat index, replay beat index); k may exceed either list (drawn in passes). */
    next(k: number): [number, number][] {
      const out: [number, number][] = [];
      while (out.length < k) {
        const m = k - out.length;
        const ws = nextN(m), ss = nextS(ws.length);
        for (let j = 0; j < Math.min(ws.length, ss.length); j++) out.push([normal[ws[j]!]!, premature[ss[j]!]!]);
      }
      return out;
    },
  };
}

/** The Linear layers of a model, by path, in module order. */
function linearLayers(model: Module): [string, Linear][] {
  return [...model.namedModules()].filter((e): e is [string, Linear] => e[1] instanceof Linear);
}

/**
 * Fine-tunes a copy of `source` on the wearer's labelled `beats` (see the header of this file); returns
 * the copy, its .ecgm bytes and a report. Throws a PersonalizeError for too few beats, labels that do not
 * match the beats, unknown classes, wrong input shapes, a model without an output Linear layer, an int8
 * model, or bad options. Classes absent from the beats are listed in report.absentClasses.
 */
export function personalize(source: PersonalizeSource, beats: LabelledBeats, options: PersonalizeOptions = {}): PersonalizeResult {
  const t0 = performance.now();
  const o = resolveOptions(options);
  const { bytes: original, header } = bytesOf(source);
  const shape = shapeOf(header);
  const K = shape.classes.length;
  const wearer = checkBeats(beats, shape, 'beats');
  if (wearer.n < o.minBeats)
    throw new PersonalizeError(`${wearer.n} labelled beat(s) given; personalisation needs at least ${o.minBeats} (label more of the wearer's beats, e.g. more minutes)`);
  const replay = options.replay ? checkBeats(options.replay, shape, 'replay') : null;
  const synth = o.premature > 0 ? prematureSource(header, shape, wearer, replay) : null;

  initSeed(mixSeed(o.seed, 0x1a17)); // layers built without a seed draw from the global generator
  const { model } = modelFromBytes(original, '(personalize)');
  const linears = linearLayers(model);
  const out = linears[linears.length - 1];
  if (!out || out[1].outFeatures !== K)
    throw new PersonalizeError(`the model (${header.arch}) has no output Linear layer with ${K} outputs (its Linear layers: ${linears.map(([p, l]) => `${p} ${l.inFeatures}->${l.outFeatures}`).join(', ') || 'none'}); personalisation fine-tunes that layer`);
  const outPath = out[0];
  const prefixes = o.layers === 'all' ? null : o.layers === 'last' ? [outPath] : linears.map(([p]) => p);
  const named = model.namedParameters();
  const trainedNamed = named.filter(([name]) => !prefixes || prefixes.some((p) => name.startsWith(`${p}.`)));
  const trainedSet = new Set(trainedNamed.map(([, t]) => t));
  for (const [, t] of named) t.requiresGrad_(trainedSet.has(t));
  const initial = new Map(trainedNamed.map(([name, t]) => [name, t.data()]));

  const counts = new Int32Array(K);
  for (const c of wearer.y) counts[c]!++;
  const absent = shape.classes.filter((_, k) => counts[k] === 0);
  const weight = Float32Array.from(counts, (n) => (n === 0 || o.classWeight === 'none' ? 1 : o.classWeight === 'sqrt' ? 1 / Math.sqrt(n) : 1 / n));
  // Scale so that the wearer's beats weigh 1 on average (the loss normalises anyway; this keeps it readable).
  let wsum = 0;
  for (let k = 0; k < K; k++) wsum += weight[k]! * counts[k]!;
  const scale = wearer.n / wsum;
  for (let k = 0; k < K; k++) if (counts[k]) weight[k]! *= scale;

  model.train();
  if (o.batchNorm === 'frozen') for (const [, m] of model.namedModules()) if (m instanceof BatchNorm1d) m.training = false;
  const optimizer = new Adam(trainedNamed.map(([, t]) => t), { lr: o.lr });

  const { channels: C, length: L, rrFeatures: R } = shape;
  const per = C * L;
  const nextWearer = seededCursor(wearer.n, mixSeed(o.seed, 0x9e5a));
  const nextReplay = replay && replay.n > 0 && o.replayBatch > 0 ? seededCursor(replay.n, mixSeed(o.seed, 0x4e91)) : null;
  synth?.start(o.seed);
  const outW = out[1].weight, outB = out[1].bias;
  const keepRows = o.absentClasses === 'keep' && absent.length > 0 && (trainedSet.has(outW) || (outB !== null && trainedSet.has(outB)));
  const w0 = keepRows ? outW.data() : null, b0 = keepRows && outB ? outB.data() : null;
  const absentIdx = shape.classes.map((c, k) => (absent.includes(c) ? k : -1)).filter((k) => k >= 0);
  const inF = out[1].inFeatures;

  const losses: number[] = [];
  for (let step = 0; step < o.steps; step++) {
    const rows: [Float32Array, Float32Array | null, Int32Array, number][] = [];
    for (const i of nextWearer(o.batchSize)) rows.push([beats.x, wearer.rr, wearer.y, i]);
    if (nextReplay) for (const i of nextReplay(o.replayBatch)) rows.push([options.replay!.x, replay!.rr, replay!.y, i]);
    const pairs = synth ? synth.next(o.premature) : [];
    const B = rows.length + pairs.length;
    const x = new Float32Array(B * per), rr = new Float32Array(B * R), y = new Int32Array(B);
    rows.forEach(([bx, brr, by, i], k) => {
      x.set(bx.subarray(i * per, (i + 1) * per), k * per);
      if (R > 0) rr.set(brr!.subarray(i * R, (i + 1) * R), k * R);
      y[k] = by[i]!;
    });
    pairs.forEach(([w, s], j) => {
      const k = rows.length + j;
      x.set(beats.x.subarray(w * per, (w + 1) * per), k * per);
      prematureRow(synth!.plan, wearer.rr!, w * R, replay!.rr!, s * R, rr, k * R);
      y[k] = synth!.label;
    });
    dropoutSeed(mixSeed(o.seed, step, 0xd0));
    const xt = fromArray(x, [B, C, L]);
    const logits: Tensor = R > 0 ? model.forward(xt, fromArray(rr, [B, R])) : model.forward(xt);
    const loss = crossEntropy(logits, y, { weight });
    const value = loss.item();
    if (!Number.isFinite(value)) throw new PersonalizeError(`the loss is ${value} at step ${step + 1} of ${o.steps}; lower lr`);
    optimizer.zeroGrad();
    loss.backward();
    if (o.l2sp > 0)
      for (const [name, t] of trainedNamed) {
        if (!t.grad) continue;
        const g = t.grad.data(), w = t.data(), w0t = initial.get(name)!;
        for (let i = 0; i < g.length; i++) g[i] = g[i]! + o.l2sp * (w[i]! - w0t[i]!);
        t.grad.assign_(g);
      }
    optimizer.step();
    if (keepRows) {
      const w = outW.data();
      for (const k of absentIdx) w.set(w0!.subarray(k * inF, (k + 1) * inF), k * inF);
      outW.assign_(w);
      if (outB && b0) {
        const b = outB.data();
        for (const k of absentIdx) b[k] = b0[k]!;
        outB.assign_(b);
      }
    }
    losses.push(value);
    options.onProgress?.({ step: step + 1, steps: o.steps, loss: value });
  }
  for (const [, t] of named) t.requiresGrad_(true);
  model.eval();

  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / Math.max(a.length, 1);
  const countsByName = Object.fromEntries(shape.classes.map((c, k) => [c, counts[k]!]));
  const meta = {
    ...header.meta,
    personalized: {
      beats: wearer.n, counts: countsByName, absentClasses: absent, replayBeats: replay?.n ?? 0,
      options: o, ...(header.meta.personalized ? { previous: header.meta.personalized } : {}),
    },
  };
  const bytes = encodeModel(model, { arch: header.arch, config: header.config, meta });
  const newHeader: ModelHeader = { ...header, meta };
  return {
    model, bytes, header: newHeader,
    report: {
      beats: wearer.n, counts: countsByName, absentClasses: absent, replayBeats: replay?.n ?? 0,
      trained: trainedNamed.map(([n]) => n), trainedParams: trainedNamed.reduce((s, [, t]) => s + t.size, 0),
      steps: o.steps, lossFirst: mean(losses.slice(0, 10)), lossLast: mean(losses.slice(-10)), seconds: (performance.now() - t0) / 1000, options: o,
    },
  };
}
