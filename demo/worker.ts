// The demo's worker: everything runs here (WFDB parsing, QRS detection, resampling, windowing,
// classification, attributions), so the page never blocks. Each request answers with a result or an
// { type: 'error' } message naming the stage and what is wrong. It runs on the full kernel set, not
// ecgrad/infer's forward-only one: src/explain (Grad-CAM, IG need backward kernels) registers it.
import { init, backendInfo, loadClassifier, Classifier, parseHeader, readRecord, BeatStream, WfdbError, type WfdbRecord } from '../src/infer/index.ts';
import { getModel } from '../src/models/registry.ts';
import { ExplainedModel } from '../src/explain/classifier.ts';
import { gradCam, convLayers } from '../src/explain/gradcam.ts';
import { integratedGradients } from '../src/explain/integrated-gradients.ts';
import { syntheticEcg } from './synthetic.ts';
import type { FromWorker, ModelSummary, ToWorker } from './protocol.ts';

/** QRS detection (5-15 Hz band) needs the signal well above 30 Hz. */
const MIN_FS = 60;
const MAX_SAMPLES = 24 * 3600 * 500;

let clf: Classifier | null = null;
let summary: ModelSummary | null = null;
let beats: { window: Float32Array; rr: Float32Array; cls: number }[] = [];

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

function classify(name: string, signal: Float32Array, fs: number, lead: string, notes: string[]): void {
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
  beats = out.map((b) => ({ window: b.window, rr: b.rr, cls: b.cls }));
  if (!out.length) notes.push('no QRS complex was detected');
  post(
    { type: 'record', name, fs, lead, signal: x, sample, cls, probs, counts, notes, msPerBeat: { p50: percentile(perBeat, 0.5), p99: percentile(perBeat, 0.99) } },
    [x.buffer, sample.buffer, cls.buffer, probs.buffer],
  );
}

function readWfdb(files: { name: string; bytes: ArrayBuffer }[]): { rec: WfdbRecord; name: string } {
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
  return { rec, name: header.recordName };
}

function explain(index: number, method: 'gradcam' | 'ig'): void {
  if (!clf || !summary) throw new Error('no model is loaded');
  const b = beats[index];
  if (!b) throw new Error(`no beat ${index} (classify a record first)`);
  const em = ExplainedModel.fromConfig(clf.model, clf.header.config);
  const rr = summary.rrFeatures ? b.rr.subarray(0, summary.rrFeatures) : null;
  let values: Float32Array;
  if (method === 'gradcam') {
    if (!convLayers(clf.model).length) throw new Error(`${summary.arch} has no convolutional layer for Grad-CAM; use Integrated Gradients`);
    values = gradCam(em, b.window, { rr, targets: b.cls }).values;
  } else {
    values = integratedGradients(em, b.window, { rr, targets: b.cls, steps: 32 }).values;
  }
  post({ type: 'explain', index, method, window: b.window, values, cls: b.cls, label: summary.classes[b.cls] ?? String(b.cls) });
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
      summary = summarise(clf, 'built-in (untrained)', false);
      post({ type: 'ready', build: info.build, simdSupported: info.simdSupported, ...(info.fallbackReason ? { fallbackReason: info.fallbackReason } : {}) });
      post({ type: 'model', model: summary, note: 'untrained demo model (random weights): load a trained .ecgm (or int8 .ecgq) for meaningful classes' });
      return;
    }
    if (!ready) throw new Error('the worker is not initialised');
    await ready;
    if (m.type === 'model') {
      const c = loadClassifier(new Uint8Array(m.bytes), m.name);
      checkModel(c, m.name);
      clf = c;
      summary = summarise(c, m.name, true);
      beats = [];
      post({ type: 'model', model: summary });
    } else if (m.type === 'record') {
      const { rec, name } = readWfdb(m.files);
      const m2 = rec.sigName.indexOf('MLII');
      const lead = m2 >= 0 ? m2 : 0;
      const notes = m2 >= 0 ? [] : [`no MLII lead: using ${rec.sigName[0]}`];
      if (rec.sampsPerFrame[lead] !== 1) throw new WfdbError(`lead ${rec.sigName[lead]} has ${rec.sampsPerFrame[lead]} samples per frame; the demo reads one`);
      classify(name, rec.pSignal[lead]!, rec.fs, rec.sigName[lead]!, notes);
    } else if (m.type === 'synthetic') {
      const s = syntheticEcg();
      classify('synthetic (60 s)', s.signal, s.fs, 'synthetic', []);
    } else if (m.type === 'explain') {
      explain(m.index, m.method);
    } else {
      throw new Error(`unknown request ${JSON.stringify(stage)}`);
    }
  } catch (e) {
    const err = e as Error;
    post({ type: 'error', stage, message: err?.message ?? String(e) });
  }
};
