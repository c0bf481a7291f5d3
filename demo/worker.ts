// The demo's worker: everything runs here (WFDB parsing, QRS detection, resampling, windowing,
// classification, attributions, personalisation), so the page never blocks. Each request answers with a
// result or an { type: 'error' } message naming the stage and what is wrong. It runs on the full kernel
// set, not ecgrad/infer's forward-only one: src/explain (Grad-CAM, IG need backward kernels) registers it.
// "Learn this wearer" fine-tunes a copy of the loaded model with personalize() (docs/personalize.md's
// declared configuration, seed 0) on the detected beats of the first minutes, labelled by the record's
// annotations (demo/learn.ts), posting each step, then re-classifies the beats after the cut with the copy.
// Its replay beats come from a replay bank (ecgrad replay-bank: the beats `ecgrad personalize` replays,
// src/train/replay-bank.ts), picked in the page or served beside the model and checked against the model;
// without one it personalises without replay (the global training set is not in the page).
import { init, backendInfo, loadClassifier, Classifier, parseHeader, readRecord, parseAnnotations, isQuantizedModelFile, BeatStream, WfdbError, type WfdbRecord, type Annotations } from '../src/infer/index.ts';
import { getModel } from '../src/models/registry.ts';
import { ExplainedModel } from '../src/explain/classifier.ts';
import { gradCam, convLayers } from '../src/explain/gradcam.ts';
import { integratedGradients } from '../src/explain/integrated-gradients.ts';
import { personalize, type PersonalizeSource } from '../src/train/personalize.ts';
import { checkReplayBank, decodeReplayBank, replayBeatsOf, type ReplayBank } from '../src/train/replay-bank.ts';
import { syntheticEcg } from './synthetic.ts';
import { annotatedLabels, cutIndex, figures, schemeOf } from './learn.ts';
import type { FromWorker, Learned, ModelSummary, ReplaySummary, ToWorker } from './protocol.ts';

/** QRS detection (5-15 Hz band) needs the signal well above 30 Hz. */
const MIN_FS = 60;
const MAX_SAMPLES = 24 * 3600 * 500;

let clf: Classifier | null = null;
/** The loaded model file (null for the built-in model), the source personalize() copies. */
let modelBytes: Uint8Array | null = null;
let summary: ModelSummary | null = null;
let beats: { window: Float32Array; rr: Float32Array; cls: number; sample: number }[] = [];
/** Of the classified record: its rate, and the annotation label of each beat (-1: none), or null without annotations. */
let recFs = 0;
let labels: Int32Array | null = null;
/** Why "learn this wearer" cannot run on the classified record (learnBlocked), or null. */
let blocked: string | null = 'classify a record first';
/** After "learn this wearer": the personalised copy, and its classes of beats from..end (for attributions). */
let personal: { clf: Classifier; from: number; cls: Int32Array } | null = null;

/** The replay bank in use (checked against the loaded model), or null: the learn step then runs without replay. */
let replay: { bank: ReplayBank; summary: ReplaySummary } | null = null;

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

function summarise(c: Classifier, name: string, trained: boolean): ModelSummary {
  const { arch, length, fs, rrFeatures, classes, parameters } = c.info;
  return { name, arch, length, fs, rrFeatures, classes, parameters, trained };
}

function checkModel(c: Classifier, name: string): void {
  const { channels, fs, length, classes } = c.info;
  if (channels !== 1)
    throw new Error(`${name} takes ${channels} leads per beat; this demo classifies one lead (MLII), so it cannot run this model`);
  if (!(fs >= MIN_FS)) throw new Error(`${name} expects beats sampled at ${fs} Hz; the demo needs a model rate of at least ${MIN_FS} Hz`);
  if (length < 16 || length > 4096) throw new Error(`${name} expects ${length}-sample beats; the demo supports 16 to 4096`);
  if (classes.length < 2 || classes.length > 16) throw new Error(`${name} has ${classes.length} classes; the demo supports 2 to 16`);
  // A probe forward pass catches a model whose layers do not fit its stated input.
  try {
    c.classify(new Float32Array(length), c.info.rrFeatures ? new Float32Array(c.info.rrFeatures) : null);
  } catch (e) {
    throw new Error(`${name} fails on a ${length}-sample beat: ${(e as Error).message}`);
  }
}

function builtInModel(): Classifier {
  const config = { length: 187, channels: 1, classes: 5, rrFeatures: 6, fs: 125, seed: 1 };
  const model = getModel('arrhythminet-v2').build(config);
  return new Classifier(model, {
    format: 'ecgrad-model', version: 1, arch: 'arrhythminet-v2', config, meta: { classes: ['N', 'S', 'V', 'F', 'Q'], rr: true }, tensors: [], dataFloats: 0,
  });
}

function percentile(a: number[], q: number): number {
  if (!a.length) return NaN;
  const s = a.slice().sort((u, v) => u - v);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Why the loaded model cannot learn from this record's beats, or null. */
function learnBlocked(ann: Annotations | null, what: string): string | null {
  if (!clf || !summary) return 'no model is loaded';
  if (modelBytes && isQuantizedModelFile(modelBytes)) return 'the model is int8-quantised (.ecgq), which cannot be trained: load the float .ecgm';
  if (!ann)
    return what === 'synthetic'
      ? 'the synthetic signal has no annotations: load a record with its annotation file (.atr); this demo has no way to confirm beats by hand'
      : 'the record was loaded without its reference annotations: pick its .atr file together with the .hea and .dat (this demo has no way to confirm beats by hand)';
  if (!schemeOf(summary.classes)) return `the model's classes (${summary.classes.join(' ')}) are not a label scheme the annotations map to (AAMI N S V F Q, or N L R A V)`;
  if (labels && !labels.some((c) => c >= 0)) return 'no detected beat matches an annotated beat (within 150 ms)';
  return null;
}

function classify(name: string, signal: Float32Array, fs: number, lead: string, notes: string[], ann: Annotations | null = null): void {
  if (!clf || !summary) throw new Error('no model is loaded');
  if (!(fs >= MIN_FS))
    throw new Error(`the record is sampled at ${fs} Hz; QRS detection (5-15 Hz band-pass) needs at least ${MIN_FS} Hz, and resampling cannot restore what the recording lacks`);
  if (signal.length > MAX_SAMPLES) throw new Error(`the record has ${signal.length} samples; the demo reads at most ${MAX_SAMPLES}`);
  if (fs !== summary.fs) notes.push(`resampled from ${fs} Hz to the model's ${summary.fs} Hz`);
  let bad = 0;
  const x = new Float32Array(signal.length);
  let last = 0;
  for (let i = 0; i < signal.length; i++) {
    const v = signal[i]!;
    if (Number.isFinite(v)) last = v;
    else bad++;
    x[i] = last; // invalid samples hold the last valid value
  }
  if (bad) notes.push(`${bad} invalid samples held at the previous value`);
  const stream = new BeatStream(clf, { fs });
  const out: ReturnType<BeatStream['push']> = [];
  const perBeat: number[] = [];
  const chunk = Math.max(1, Math.round(fs));
  let lastReport = 0;
  for (let at = 0; at < x.length; at += chunk) {
    const t0 = performance.now();
    const got = stream.push(x.subarray(at, Math.min(x.length, at + chunk)));
    const dt = performance.now() - t0;
    for (const _ of got) perBeat.push(dt / got.length);
    out.push(...got);
    if (at - lastReport > x.length / 20) {
      lastReport = at;
      post({ type: 'progress', done: at, total: x.length });
    }
  }
  out.push(...stream.end());
  const C = summary.classes.length;
  const counts: Record<string, number> = {};
  for (const c of summary.classes) counts[c] = 0;
  const sample = new Int32Array(out.length), cls = new Int32Array(out.length), probs = new Float32Array(out.length * C);
  out.forEach((b, i) => {
    sample[i] = b.sample;
    cls[i] = b.cls;
    probs.set(b.probs, i * C);
    counts[b.label] = (counts[b.label] ?? 0) + 1;
  });
  beats = out.map((b) => ({ window: b.window, rr: b.rr, cls: b.cls, sample: b.sample }));
  recFs = fs;
  personal = null;
  const scheme = ann ? schemeOf(summary.classes) : null;
  labels = ann && scheme ? annotatedLabels(sample, fs, ann, scheme) : null;
  if (!out.length) notes.push('no QRS complex was detected');
  const annotated = ann ? ann.symbol.filter((s) => AAMI_BEAT.test(s)).length : 0;
  if (ann) notes.push(`${annotated} annotated beats (${ann.recordName}.atr)`);
  blocked = learnBlocked(ann, name.startsWith('synthetic') ? 'synthetic' : 'record');
  post(
    {
      type: 'record', name, fs, lead, signal: x, sample, cls, probs, counts, notes, msPerBeat: { p50: percentile(perBeat, 0.5), p99: percentile(perBeat, 0.99) },
      annotated, learnBlocked: blocked,
    },
    [x.buffer, sample.buffer, cls.buffer, probs.buffer],
  );
}

/** Reads a replay bank and checks it against the loaded model (a ReplayBankError naming the file otherwise). */
function loadReplay(bytes: Uint8Array, name: string): void {
  if (!clf) throw new Error('no model is loaded');
  if (!modelBytes) throw new Error('the built-in model is untrained and was not trained on a protocol, so no replay bank fits it: load a trained .ecgm first');
  const bank = decodeReplayBank(bytes, name);
  checkReplayBank(bank, clf.header, name);
  const counts: Record<string, number> = Object.fromEntries(bank.meta.classes.map((c) => [c, 0]));
  for (const k of bank.beats.y) counts[bank.meta.classes[k]!]!++;
  replay = { bank, summary: { name, protocol: bank.meta.protocol, count: bank.meta.count, counts, seed: bank.meta.seed } };
  post({ type: 'replay', replay: replay.summary });
}

/** Beat symbols of the AAMI classes (for the count of annotated beats shown). */
const AAMI_BEAT = /^[NLRejAaJSVEF/fQ]$/;

/** Fine-tunes a copy of the model on the annotated beats before minute `minutes`, re-classifies the rest. */
function learn(minutes: number, steps: number): void {
  if (!clf || !summary) throw new Error('no model is loaded');
  if (!(Number.isFinite(minutes) && minutes > 0)) throw new Error(`minutes must be a positive number, got ${minutes}`);
  if (!(Number.isInteger(steps) && steps >= 1 && steps <= 10_000)) throw new Error(`steps must be a whole number from 1 to 10000, got ${steps}`);
  if (!beats.length) throw new Error('classify a record first');
  if (blocked || !labels) throw new Error(blocked ?? 'the record has no annotations');
  const y = labels;
  const sample = Int32Array.from(beats, (b) => b.sample);
  const from = cutIndex(sample, recFs, minutes);
  const total = (beats[beats.length - 1]!.sample / recFs / 60).toFixed(1);
  if (from === beats.length) throw new Error(`no beat after minute ${minutes} (the last beat is at minute ${total}): choose fewer minutes`);
  const rows: number[] = [];
  for (let i = 0; i < from; i++) if (y[i]! >= 0) rows.push(i);
  const { length: L } = summary;
  const cfgR = (clf.header.config as { rrFeatures?: unknown }).rrFeatures;
  const R = Number.isInteger(cfgR) ? (cfgR as number) : 0;
  const gather = (idx: ArrayLike<number>) => {
    const x = new Float32Array(idx.length * L), rr = new Float32Array(idx.length * R);
    for (let k = 0; k < idx.length; k++) {
      const b = beats[idx[k]!]!;
      x.set(b.window, k * L);
      if (R > 0) rr.set(b.rr.subarray(0, R), k * R);
    }
    return { x, rr };
  };
  const learnSet = gather(rows);
  const source: PersonalizeSource = modelBytes ?? { model: clf.model, header: clf.header };
  const p = personalize(source, { ...learnSet, rr: R > 0 ? learnSet.rr : null, y: Int32Array.from(rows, (i) => y[i]!) }, {
    seed: 0, steps, replay: replay ? replayBeatsOf(replay.bank, R) : null,
    onProgress: (s) => post({ type: 'learn-progress', step: s.step, steps: s.steps, loss: s.loss }),
  });
  const copy = loadClassifier(p.bytes, 'personalised model');
  const restIdx = Array.from({ length: beats.length - from }, (_, k) => from + k);
  const rest = gather(restIdx);
  const cls = copy.classify(rest.x, copy.info.rrFeatures ? rest.rr : null).pred;
  const yRest = y.slice(from), before = Int32Array.from(restIdx, (i) => beats[i]!.cls);
  let changed = 0;
  for (let k = 0; k < cls.length; k++) if (cls[k] !== before[k]) changed++;
  personal = { clf: copy, from, cls };
  const bytes = p.bytes.slice().buffer;
  const out: Learned = {
    minutes, from, cls: cls.slice(), learnSamples: Int32Array.from(rows, (i) => beats[i]!.sample), learnLabels: Int32Array.from(rows, (i) => y[i]!),
    counts: p.report.counts, absentClasses: p.report.absentClasses, steps: p.report.steps, trainedParams: p.report.trainedParams,
    lossFirst: p.report.lossFirst, lossLast: p.report.lossLast, seconds: p.report.seconds, options: { ...p.report.options, replayBeats: p.report.replayBeats }, replay: replay ? replay.summary : null,
    before: figures(yRest, before, summary.classes), after: figures(yRest, cls, summary.classes), changed, bytes,
  };
  post({ type: 'learned', ...out }, [out.cls.buffer, out.learnSamples.buffer, out.learnLabels.buffer, bytes]);
}

function readWfdb(files: { name: string; bytes: ArrayBuffer }[]): { rec: WfdbRecord; name: string; ann: Annotations | null } {
  const heads = files.filter((f) => f.name.toLowerCase().endsWith('.hea'));
  if (heads.length !== 1)
    throw new WfdbError(heads.length ? `pick one record at a time (got ${heads.map((h) => h.name).join(', ')})` : 'pick the record\'s header (.hea) together with its signal file(s) (.dat)');
  const head = heads[0]!;
  let text: string;
  try {
    text = new TextDecoder('latin1').decode(head.bytes);
  } catch {
    throw new WfdbError(`${head.name} is not a text file`);
  }
  const header = parseHeader(text);
  const byName = new Map(files.map((f) => [f.name, new Uint8Array(f.bytes)]));
  const rec = readRecord(header, (fileName) => {
    const b = byName.get(fileName);
    if (!b) throw new WfdbError(`the header ${head.name} names the signal file ${fileName}; pick it too`);
    return b;
  });
  if (rec.nSig < 1 || rec.sigLen < 1) throw new WfdbError(`${head.name} describes no samples`);
  // The reference annotations (<record>.atr), when picked too: the labels "learn this wearer" learns from.
  const atrs = files.filter((f) => f.name.toLowerCase().endsWith('.atr'));
  const atr = atrs.find((f) => f.name === `${header.recordName}.atr`);
  if (atrs.length && !atr)
    throw new WfdbError(`the annotation file ${atrs.map((f) => f.name).join(', ')} is not record ${header.recordName}'s (${header.recordName}.atr): pick the record's own`);
  const ann = atr ? parseAnnotations(new Uint8Array(atr.bytes), atr.name, header.recordName, 'atr', { fs: rec.fs }) : null;
  return { rec, name: header.recordName, ann };
}

function explain(index: number, method: 'gradcam' | 'ig'): void {
  if (!clf || !summary) throw new Error('no model is loaded');
  const b = beats[index];
  if (!b) throw new Error(`no beat ${index} (classify a record first)`);
  // Beats the personalised copy re-classified are explained with the copy.
  const mine = personal && index >= personal.from ? personal : null;
  const c = mine ? mine.clf : clf;
  const target = mine ? mine.cls[index - mine.from]! : b.cls;
  const em = ExplainedModel.fromConfig(c.model, c.header.config);
  const rr = summary.rrFeatures ? b.rr.subarray(0, summary.rrFeatures) : null;
  let values: Float32Array;
  if (method === 'gradcam') {
    if (!convLayers(c.model).length) throw new Error(`${summary.arch} has no convolutional layer for Grad-CAM; use Integrated Gradients`);
    values = gradCam(em, b.window, { rr, targets: target }).values;
  } else {
    values = integratedGradients(em, b.window, { rr, targets: target, steps: 32 }).values;
  }
  post({ type: 'explain', index, method, window: b.window, values, cls: target, label: `${summary.classes[target] ?? String(target)}${mine ? ' (personalised)' : ''}` });
}

let ready: Promise<void> | null = null;

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  const stage = m?.type ?? 'message';
  try {
    if (m.type === 'init') {
      ready = init({ build: m.build }).then(() => undefined);
      await ready;
      const info = backendInfo();
      clf = builtInModel();
      modelBytes = null;
      summary = summarise(clf, 'built-in (untrained)', false);
      post({ type: 'ready', build: info.build, simdSupported: info.simdSupported, ...(info.fallbackReason ? { fallbackReason: info.fallbackReason } : {}) });
      post({ type: 'model', model: summary, note: 'untrained demo model (random weights): load a trained .ecgm (or int8 .ecgq) for meaningful classes' });
      return;
    }
    if (!ready) throw new Error('the worker is not initialised');
    await ready;
    if (m.type === 'model') {
      const bytes = new Uint8Array(m.bytes);
      const c = loadClassifier(bytes, m.name);
      checkModel(c, m.name);
      clf = c;
      modelBytes = bytes;
      summary = summarise(c, m.name, true);
      beats = [];
      labels = null;
      personal = null;
      blocked = 'classify a record first';
      post({ type: 'model', model: summary });
      // A bank loaded for the previous model stays only if it fits this one.
      if (replay) {
        try {
          checkReplayBank(replay.bank, c.header, replay.summary.name);
        } catch (e) {
          replay = null;
          post({ type: 'replay', replay: null, note: (e as Error).message });
        }
      }
    } else if (m.type === 'record') {
      const { rec, name, ann } = readWfdb(m.files);
      const m2 = rec.sigName.indexOf('MLII');
      const lead = m2 >= 0 ? m2 : 0;
      const notes = m2 >= 0 ? [] : [`no MLII lead: using ${rec.sigName[0]}`];
      if (rec.sampsPerFrame[lead] !== 1) throw new WfdbError(`lead ${rec.sigName[lead]} has ${rec.sampsPerFrame[lead]} samples per frame; the demo reads one`);
      classify(name, rec.pSignal[lead]!, rec.fs, rec.sigName[lead]!, notes, ann);
    } else if (m.type === 'synthetic') {
      const s = syntheticEcg();
      classify('synthetic (60 s)', s.signal, s.fs, 'synthetic', []);
    } else if (m.type === 'explain') {
      explain(m.index, m.method);
    } else if (m.type === 'replay') {
      loadReplay(new Uint8Array(m.bytes), m.name);
    } else if (m.type === 'learn') {
      learn(m.minutes, m.steps);
    } else {
      throw new Error(`unknown request ${JSON.stringify(stage)}`);
    }
  } catch (e) {
    const err = e as Error;
    post({ type: 'error', stage, message: err?.message ?? String(e) });
  }
};
