// ecgrad/infer: the inference-only entry point. Loads a model file (.ecgm) and classifies beats, with
// the browser-safe ECG front end (WFDB bytes, resampling, Pan-Tompkins, Kachuee windows, RR features)
// and the streaming classifier. Its import graph holds the tensor core, the layers' forward code (run
// under noGrad) and the model zoo's architectures; it holds no optimizer, trainer, CLI, explanation,
// classic classifier or node: module (`npm run size` bundles it and checks that).
/**
 * Inference only, under 100 KB gzip: model files, the ECG front end and streaming classification.
 *
 * @module ecgrad/infer
 */
// The inference kernel builds (forward kernels only), unless something imported with this entry
// registers the full ones (src/wasm/source.ts).
import '../wasm/infer-kernels.ts';
import { sliceBatches, softmaxRows } from '../nn/forward.ts';
import { compileInference, planInBatches, type InferencePlan } from '../nn/fused-plan.ts';
import { decodeModel, ModelFileError, type ModelHeader } from '../nn/model-file.ts';
import { loadModelBytes } from '../quant/load.ts';
import { decodeQuantizedModel, isQuantizedModelFile } from '../quant/quant-file.ts';
import type { Module } from '../nn/module.ts';
import '../models/zoo.ts';

export { initSync, init, backendInfo, isInitialised } from '../core/runtime.ts';
export type { InitOptions, BackendInfo, BuildChoice, WasmInput, WasmBuilds } from '../core/runtime.ts';
export { memoryStats, type MemoryStats } from '../core/memory.ts';
export { decodeModel, ModelFileError } from '../nn/model-file.ts';
export { softmaxRows } from '../nn/forward.ts';
export { isQuantizedModelFile } from '../quant/quant-file.ts';
export type { ModelHeader, DecodedModel } from '../nn/model-file.ts';
export { parseHeader, type Header } from '../ecg/wfdb/header.ts';
export { readRecord, type WfdbRecord, type FileSource } from '../ecg/wfdb/record.ts';
export { parseAnnotations, type Annotations } from '../ecg/wfdb/annotations.ts';
export { WfdbError } from '../ecg/errors.ts';
export { PanTompkins, panTompkins, type PanTompkinsOptions } from '../ecg/qrs/pan-tompkins.ts';
export { resample, resampleIndex, resampledLength } from '../ecg/dsp/resample.ts';
export { kachueeBeats, type KachueeOptions } from '../ecg/dataset/windows.ts';
export { rrFeatures, RR_FEATURES } from '../ecg/dataset/rr.ts';
export { leadIndices } from '../ecg/dataset/record-beats.ts';
export { BeatStream, classifyRecordBatch, type StreamBeat, type BeatStreamOptions, type BatchResult } from '../stream/index.ts';

/** What a model file says about its input and output. */
export interface ClassifierInfo {
  arch: string;
  /** Samples per beat window. */
  length: number;
  channels: number;
  /** Sampling rate of the windows (Hz). */
  fs: number;
  /** Number of RR features the model takes (0 = none). */
  rrFeatures: number;
  /** Class names (from the file's meta; "0", "1", ... when it has none). */
  classes: string[];
  parameters: number;
}

/**
 * What a classifier returns for a batch of beats: the predicted class of each beat and the softmax
 * probabilities [beats, classes].
 */
export interface Classification {
  /** Predicted class index per beat. */
  pred: Int32Array;
  /** Softmax probabilities, beats x classes. */
  probs: Float32Array;
}

/** A model loaded for inference: eval mode, forward passes through its fused plan in batches. */
export class Classifier {
  readonly info: ClassifierInfo;
  private plan: InferencePlan | undefined;
  constructor(
    readonly model: Module,
    readonly header: ModelHeader,
  ) {
    const c = header.config as Record<string, unknown>;
    const num = (k: string, d: number) => (typeof c[k] === 'number' ? (c[k] as number) : d);
    const classes = num('classes', 0);
    const meta = header.meta as Record<string, unknown>;
    const names = Array.isArray(meta.classes) && meta.classes.length === classes ? meta.classes.map(String) : Array.from({ length: classes }, (_, i) => String(i));
    const rrUsed = meta.rr === undefined ? num('rrFeatures', 0) > 0 : meta.rr === true;
    this.info = {
      arch: header.arch, length: num('length', 0), channels: num('channels', 1), fs: num('fs', 125),
      rrFeatures: rrUsed ? num('rrFeatures', 0) : 0, classes: names, parameters: model.parameterCount(),
    };
    model.eval();
  }

  /**
   * Classifies n beats: x holds n x channels x length samples, rr (when the model takes RR features)
   * n x rrFeatures values.
   */
  classify(x: Float32Array, rr?: Float32Array | null, batchSize = 256): Classification {
    const { length, channels, rrFeatures, classes } = this.info;
    const per = length * channels;
    if (x.length % per !== 0)
      throw new RangeError(`classify: ${x.length} samples is not a whole number of beats of ${channels} x ${length} samples (this model's input)`);
    const n = x.length / per;
    const C = classes.length;
    if (rrFeatures > 0 && (!rr || rr.length !== n * rrFeatures))
      throw new RangeError(`classify: this model takes ${rrFeatures} RR features per beat; got ${rr ? rr.length : 0} values for ${n} beats`);
    const shape = { channels, length, rrFeatures };
    // the fused plan (src/nn/fused-plan.ts) of the model as loaded, compiled at the first call
    this.plan ??= compileInference(this.model, { input: [channels, length] });
    const { out: logits, width } = planInBatches(this.plan, n, sliceBatches(x, rr, shape, batchSize), shape, 'classify');
    if (n && width !== C) throw new RangeError(`classify: the model returned ${width} outputs per beat, expected ${C}`);
    const pred = new Int32Array(n), probs = new Float32Array(n * C);
    softmaxRows(logits, n, C, probs, 0, pred, 0);
    return { pred, probs };
  }
}

/**
 * Loads a model file for inference (the backend must be initialised: initSync() or await init()):
 * a float .ecgm file or an int8-quantised .ecgq file (from `ecgrad quantize`), told apart by magic.
 * Errors name the file (`source`) and say what is wrong: not a model file, corrupt, unknown
 * architecture, tensors that do not fit.
 */
export function loadClassifier(bytes: Uint8Array, source = '(bytes)'): Classifier {
  const { model, header } = loadModelBytes(bytes, source);
  const c = new Classifier(model, header);
  if (!(c.info.length > 0) || !(c.info.classes.length > 0)) throw new ModelFileError(source, 'its config lacks the input length or the number of classes');
  return c;
}

/** Reads only a model file's header (cheap checks before building it). */
export function modelHeader(bytes: Uint8Array, source = '(bytes)'): ModelHeader {
  if (isQuantizedModelFile(bytes)) {
    const { header } = decodeQuantizedModel(bytes, source);
    return { format: 'ecgrad-model', version: 1, arch: header.arch, config: header.config, meta: { ...header.meta, quantized: header.quant.scheme }, tensors: [], dataFloats: 0 };
  }
  return decodeModel(bytes, source).header;
}
