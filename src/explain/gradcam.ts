// Grad-CAM in 1-D (Selvaraju et al. 2017): with A [C', L'] the activation of a convolutional layer and
// y the explained class score, α_k = mean_t ∂y/∂A_k,t and cam = ReLU(Σ_k α_k A_k), upsampled to the beat
// length by linear interpolation (PyTorch's align_corners = false: output sample i reads the feature map
// at (i + 0.5)·L'/L − 0.5). The activation is captured by wrapping the layer instance's forward method for
// the duration of the call (restored afterwards); gradients with respect to it come from gradients().
//
// The layer: a Conv1d or SeparableConv1d, or any block containing one whose output is [B, C', L'] (e.g. a
// residual block, whose output includes the skip path), named as in model.namedModules(). Default: the
// last Conv1d / SeparableConv1d in module order; when it sits inside a residual block (a module whose
// class name contains "Residual"), the outermost such block, so the skip connection is included.
import type { Module } from '../nn/module.ts';
import { Conv1d, SeparableConv1d } from '../nn/conv.ts';
import type { Tensor } from '../core/tensor.ts';
import { gradients } from '../core/autograd.ts';
import { fromArray } from '../ops/creation.ts';
import { type ExplainedModel, ExplainError, resolveTargets } from './classifier.ts';
import { type Attribution, type CommonOptions, makeAttribution } from './gradient.ts';

/**
 * Options of gradCam: targets, RR features, the layer (default: the last convolution, or the residual block
 * holding it) and the ReLU.
 */
export interface GradCamOptions extends CommonOptions {
  /** Layer name (dotted path of model.namedModules()); default: see above. */
  layer?: string;
  /** Apply the ReLU to the map (default true). */
  relu?: boolean;
}

function isConv(m: Module): boolean {
  return m instanceof Conv1d || m instanceof SeparableConv1d;
}

function containsConv(m: Module): boolean {
  for (const [, c] of m.namedModules()) if (isConv(c)) return true;
  return false;
}

/** Names of the convolutional layers (Conv1d, SeparableConv1d) in module order. */
export function convLayers(model: Module): string[] {
  return [...model.namedModules()].filter(([, m]) => isConv(m)).map(([n]) => n);
}

/** The layer Grad-CAM uses by default (see the file comment). */
export function defaultCamLayer(model: Module): string {
  const mods = [...model.namedModules()];
  const convs = mods.filter(([, m]) => isConv(m));
  if (!convs.length)
    throw new ExplainError(`grad-cam: ${model.constructor.name} has no Conv1d or SeparableConv1d layer; use a gradient method (integrated-gradients, saliency, gradient-shap) or kernel-shap`);
  let [name] = convs[convs.length - 1]!;
  // A conv inside a SeparableConv1d: the separable layer itself.
  for (const [n, m] of mods) if (m instanceof SeparableConv1d && name.startsWith(`${n}.`)) name = n;
  // Inside a residual block: the outermost residual block.
  for (const [n, m] of mods)
    if (n && /residual/i.test(m.constructor.name) && name.startsWith(`${n}.`)) {
      name = n;
      break;
    }
  return name;
}

function findLayer(model: Module, name: string): Module {
  for (const [n, m] of model.namedModules()) if (n === name) {
    if (!containsConv(m))
      throw new ExplainError(`grad-cam: layer "${name}" (${m.constructor.name}) is not convolutional; convolutional layers: ${convLayers(model).join(', ') || 'none'}`);
    return m;
  }
  throw new ExplainError(`grad-cam: no layer named "${name}"; convolutional layers: ${convLayers(model).join(', ') || 'none'}`);
}

/** Linear interpolation of a map of length Lp to length L (align_corners = false). */
export function upsampleLinear(map: ArrayLike<number>, L: number): Float32Array {
  const Lp = map.length, out = new Float32Array(L);
  for (let i = 0; i < L; i++) {
    const src = Math.min(Lp - 1, Math.max(0, ((i + 0.5) * Lp) / L - 0.5));
    const a = Math.floor(src), b = Math.min(Lp - 1, a + 1), f = src - a;
    out[i] = map[a]! * (1 - f) + map[b]! * f;
  }
  return out;
}

/** A Grad-CAM attribution, upsampled to the beat, with the layer used and the map before upsampling. */
export interface GradCamResult extends Attribution {
  layer: string;
  /** The map before upsampling (n x L'). */
  coarse: Float32Array;
  coarseLength: number;
}

/**
 * Grad-CAM in 1-D (Selvaraju et al. 2017): cam = ReLU(Σ_k α_k A_k) with α_k the mean over time of ∂y/∂A_k for
 * a convolutional layer's activation A [C', L'], upsampled linearly to the beat length. Throws an
 * ExplainError when the model has no such layer or `layer` names none.
 */
export function gradCam(clf: ExplainedModel, x: Float32Array, opts: GradCamOptions = {}): GradCamResult {
  const model = clf.model;
  const layerName = opts.layer ?? defaultCamLayer(model);
  const layer = findLayer(model, layerName);
  const targets = resolveTargets(clf, x, opts.rr, opts.targets);
  const n = targets.length, S = clf.beatSize, L = clf.length, C = clf.channels, R = clf.rrFeatures;
  const values = new Float32Array(n * S);
  const scores = new Float32Array(n);
  let coarse: Float32Array | null = null;
  let Lp = 0;
  const original = Object.prototype.hasOwnProperty.call(layer, 'forward') ? layer.forward : null;
  const proto = layer.forward;
  let captured: Tensor[] = [];
  layer.forward = function (this: Module, ...args: Tensor[]): Tensor {
    const out = (proto as (...a: Tensor[]) => Tensor).apply(layer, args);
    captured.push(out);
    return out;
  } as Module['forward'];
  try {
    for (let b0 = 0; b0 < n; b0 += clf.batchSize) {
      const m = Math.min(clf.batchSize, n - b0);
      captured = [];
      const res = clf.withGraph(() => {
        const xt = fromArray(x.subarray(b0 * S, (b0 + m) * S), [m, C, L]);
        const rt = R && opts.rr ? fromArray(opts.rr.subarray(b0 * R, (b0 + m) * R), [m, R]) : null;
        const out = clf.forwardTensor(xt, rt);
        const K = out.shape[1]!;
        if (!captured.length) throw new ExplainError(`grad-cam: layer "${layerName}" did not run during ${clf.name}.forward`);
        const A = captured[captured.length - 1]!;
        if (A.ndim !== 3 || A.shape[0] !== m)
          throw new ExplainError(`grad-cam: layer "${layerName}" gave an output of shape [${A.shape.join(', ')}]; Grad-CAM needs [batch, channels, length]`);
        const oh = new Float32Array(m * K);
        for (let i = 0; i < m; i++) oh[i * K + targets[b0 + i]!] = 1;
        const sel = out.mul(fromArray(oh, [m, K])).sum(1);
        const [g] = gradients(sel.sum(), [A], { retainGraph: false });
        return { a: A.data(), g: g!.data(), shape: A.shape.slice(), sel: sel.data() };
      });
      const [, Cp, Lq] = res.shape as [number, number, number];
      Lp = Lq;
      coarse ??= new Float32Array(n * Lp);
      for (let i = 0; i < m; i++) {
        const cam = new Float32Array(Lp);
        for (let k = 0; k < Cp; k++) {
          const o = (i * Cp + k) * Lp;
          let alpha = 0;
          for (let t = 0; t < Lp; t++) alpha += res.g[o + t]!;
          alpha /= Lp;
          for (let t = 0; t < Lp; t++) cam[t]! += alpha * res.a[o + t]!;
        }
        if (opts.relu ?? true) for (let t = 0; t < Lp; t++) cam[t] = Math.max(0, cam[t]!);
        coarse.set(cam, (b0 + i) * Lp);
        const up = upsampleLinear(cam, L);
        for (let c = 0; c < C; c++) values.set(up, (b0 + i) * S + c * L);
        scores[b0 + i] = res.sel[i]!;
      }
    }
  } finally {
    if (original) layer.forward = original;
    else delete (layer as unknown as { forward?: unknown }).forward;
  }
  return { ...makeAttribution(clf, 'grad-cam', values, targets, { scores }), layer: layerName, coarse: coarse!, coarseLength: Lp };
}
