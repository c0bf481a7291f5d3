// Fused inference plans: an eval-mode model compiled for forward passes without autograd.
//   - Batch norm with running statistics is folded into the preceding Conv1d's / Linear's weights and
//     bias (in float64, rounded once): s = γ / sqrt(var + eps), W'[o] = W[o]·s[o], b'[o] = (b[o] − mean[o])·s[o] + β[o].
//   - ReLU, and a MaxPool1d / AdaptiveAvgPool1d / GlobalAvgPool1d after it, run in the same kernel call as
//     the convolution (assembly/fused.ts fusedConv1d), ReLU after a Linear in fusedLinear.
//   - Dropout (eval) and Flatten cost nothing: they reinterpret the previous buffer.
// A layer list is compiled into steps (one kernel call each). A model whose forward is exactly a chain of
// such lists (a Sequential, or a model like StdCNN whose forward is head(features(x)); checked by one
// traced call, see `trace`) becomes a *static* plan: per batch size its buffers are allocated once, and a
// call is the input copy, the kernel calls and the output copy, with no tensor, graph or shape check.
// Any other model keeps its own forward but runs it on a stand-in object whose module fields (Sequentials,
// layers, arrays of them) run their compiled steps on tensors: the folds and fusions without the static
// buffers. Layers the compiler does not know (LSTM, residual blocks, int8 layers, ...) run their own
// forward. Numerics: docs/kernels.md, "Fused inference" (only the fold changes rounding).
// A plan is a snapshot of the weights at compile time: compile again after changing them.
import { noGrad } from '../core/autograd.ts';
import { forwardInBatches, type BatchedOutput, type BeatBatch, type BeatShape } from './forward.ts';
import { backend } from '../core/runtime.ts';
import type { Tensor } from '../core/tensor.ts';
import { empty, fromArray, zeros } from '../ops/creation.ts';
import { conv1dPadding } from '../ops/conv1d.ts';
import { ReLU, Flatten } from './activations.ts';
import { BatchNorm1d } from './batchnorm.ts';
import { Conv1d, SeparableConv1d } from './conv.ts';
import { Dropout } from './dropout.ts';
import { Linear } from './linear.ts';
import { Module } from './module.ts';
import { AdaptiveAvgPool1d, GlobalAvgPool1d, MaxPool1d } from './pool.ts';
import { Sequential } from './sequential.ts';

type Kernels = ReturnType<typeof backend>['k'];
type Shape = readonly number[];

/** One kernel call of a plan on per-sample shapes ([C, L] or [F]); `alias` steps only reinterpret their input. */
interface Step {
  shape(input: Shape): number[];
  alias?: boolean;
  /** Scratch tensors (float counts) the step needs at batch B. */
  scratch?(B: number, input: Shape): number[];
  run?(k: Kernels, x: number, y: number, B: number, input: Shape, scratch: number[]): void;
  /** A layer without a compiled form: tensor plans call its forward, static plans cannot hold it. */
  module?: Module;
}

const size = (s: Shape) => s.reduce((a, b) => a * b, 1);

/** Folds an eval-mode BatchNorm1d (running statistics) into weights [O, ...] and bias [O] | null. */
function foldBatchNorm(w: Float32Array, b: Float32Array | null, bn: BatchNorm1d): { w: Float32Array; b: Float32Array } {
  const O = bn.numFeatures, per = w.length / O;
  const mean = bn.runningMean!.data(), vr = bn.runningVar!.data();
  const g = bn.weight?.data() ?? null, beta = bn.bias?.data() ?? null;
  const w2 = new Float32Array(w.length), b2 = new Float32Array(O);
  for (let o = 0; o < O; o++) {
    const s = (g ? g[o]! : 1) / Math.sqrt(vr[o]! + bn.eps);
    for (let i = 0; i < per; i++) w2[o * per + i] = w[o * per + i]! * s;
    b2[o] = ((b ? b[o]! : 0) - mean[o]!) * s + (beta ? beta[o]! : 0);
  }
  return { w: w2, b: b2 };
}

const foldable = (m: Module | undefined, features: number): m is BatchNorm1d =>
  m instanceof BatchNorm1d && m.runningMean !== null && m.runningVar !== null && m.numFeatures === features;

/** The leaf layers of a (nested) Sequential / SeparableConv1d, in call order. */
function flatten(layers: readonly Module[]): Module[] {
  return layers.flatMap((m) =>
    m instanceof Sequential ? flatten(m.layers) : m instanceof SeparableConv1d ? [m.depthwise, m.pointwise] : [m]);
}

type Pool = { kind: 0 } | { kind: 1; k: number; s: number; p: number } | { kind: 2; out: number; keep: boolean };

function convStep(conv: Conv1d, w: Float32Array, b: Float32Array | null, act: number, pool: Pool, label: string, chunkFloats: number): Step {
  const W = fromArray(w, conv.weight.shape).keep();
  const bias = b ? fromArray(b, [conv.outChannels]).keep() : null;
  const { outChannels: Cout, kernelSize: K, stride, dilation: dil, groups } = conv;
  const [padL, padR] = conv1dPadding(conv.padding, K, dil);
  const k0 = backend().k;
  const cacheBytes = k0.conv1dWeightCacheSize(conv.inChannels, Cout, K, stride, dil, groups);
  const cache = cacheBytes > 0 ? zeros([Math.ceil(cacheBytes / 4)]).keep() : null;
  const lout = (L: number) => Math.floor((L + padL + padR - dil * (K - 1) - 1) / stride) + 1;
  const lp = (Lo: number) => (pool.kind === 1 ? Math.floor((Lo + 2 * pool.p - pool.k) / pool.s) + 1 : pool.kind === 2 ? pool.out : Lo);
  const chunkOf = (B: number, Lo: number) => Math.max(1, Math.min(B, Math.floor(chunkFloats / (Cout * Lo))));
  return {
    shape(input) {
      if (input.length !== 2 || input[0] !== conv.inChannels) throw new RangeError(`${label}: expected input [batch, ${conv.inChannels}, length], got [batch, ${input.join(', ')}]`);
      const Lo = lout(input[1]!);
      if (!(lp(Lo) >= 1)) throw new RangeError(`${label}: an input of length ${input[1]} is too short`);
      return pool.kind === 2 && !pool.keep ? [Cout] : [Cout, lp(Lo)];
    },
    scratch(B, [Cin, L]) {
      const Lo = lout(L!), n = chunkOf(B, Lo);
      const bytes = backend().k.conv1dScratchSize(n, Cin!, L!, Cout, K, stride, padL, dil, groups, Lo);
      return [Math.ceil(bytes / 4), pool.kind ? n * Cout * (Lo + lp(Lo)) : 0];
    },
    run(k, x, y, B, [Cin, L], [scr, tmp]) {
      const Lo = lout(L!);
      const pk = pool.kind === 1 ? pool.k : 0, ps = pool.kind === 1 ? pool.s : 0, pp = pool.kind === 1 ? pool.p : 0;
      k.fusedConv1d(x, W.ptr, bias ? bias.ptr : 0, y, B, Cin!, L!, Cout, K, stride, padL, dil, groups, Lo, scr!, cache ? cache.ptr : 0,
        act, pool.kind, pk, ps, pp, lp(Lo), tmp!, chunkOf(B, Lo));
    },
  };
}

function linearStep(lin: Linear, w: Float32Array, b: Float32Array | null, act: number, label: string): Step {
  const W = fromArray(w, lin.weight.shape).keep();
  const bias = b ? fromArray(b, [lin.outFeatures]).keep() : null;
  const I = lin.inFeatures, O = lin.outFeatures;
  const rows = (B: number, input: Shape) => (B * size(input)) / I;
  return {
    shape(input) {
      if (input[input.length - 1] !== I) throw new RangeError(`${label}: input [batch, ${input.join(', ')}] must end in ${I} features`);
      return [...input.slice(0, -1), O];
    },
    scratch: (B, input) => [Math.ceil(backend().k.gemmWorkSize(rows(B, input), O, I) / 4)],
    run(k, x, y, B, input, [work]) {
      k.fusedLinear(x, W.ptr, bias ? bias.ptr : 0, y, rows(B, input), O, I, act, work!);
    },
  };
}

const reluStep: Step = {
  shape: (input) => [...input],
  run(k, x, y, B, input) {
    const n = B * size(input);
    backend().heapF32().copyWithin(y >>> 2, x >>> 2, (x >>> 2) + n);
    k.fusedRelu(y, n);
  },
};

/** A flattened layer list as steps; `notes` collects what was fused. Options: see compileInference. */
function compileLayers(layers: Module[], notes: string[], chunkFloats: number): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < layers.length; i++) {
    const m = layers[i]!;
    // a layer with its own forward (int8 layers of src/quant, folded BN there, test doubles) is not the class's math
    if (Object.prototype.hasOwnProperty.call(m, 'forward')) steps.push({ shape: () => [], module: m });
    else if (m instanceof Conv1d || m instanceof Linear) {
      const O = m instanceof Conv1d ? m.outChannels : m.outFeatures;
      // BN after a Linear is not folded: its channel axis is the Linear's output only for 2-D inputs.
      let w = m.weight.data(), b = m.bias ? m.bias.data() : null;
      const parts = [m instanceof Conv1d ? `Conv1d(${m.inChannels}, ${O}, ${m.kernelSize})` : `Linear(${m.inFeatures}, ${O})`];
      let j = i + 1;
      if (m instanceof Conv1d && foldable(layers[j], O) && !Object.prototype.hasOwnProperty.call(layers[j], 'forward')) {
        ({ w, b } = foldBatchNorm(w, b, layers[j] as BatchNorm1d));
        parts.push('BatchNorm1d (folded)');
        j++;
      }
      let act = 0;
      while (layers[j] instanceof ReLU || layers[j] instanceof Dropout) {
        if (layers[j] instanceof ReLU) {
          if (act) break;
          act = 1;
          parts.push('ReLU');
        }
        j++;
      }
      let pool: Pool = { kind: 0 };
      const p = layers[j];
      if (m instanceof Conv1d) {
        if (p instanceof MaxPool1d) pool = { kind: 1, k: p.kernelSize, s: p.stride, p: p.padding };
        else if (p instanceof AdaptiveAvgPool1d) pool = { kind: 2, out: p.outputSize, keep: true };
        else if (p instanceof GlobalAvgPool1d) pool = { kind: 2, out: 1, keep: p.keepDim };
        if (pool.kind) {
          parts.push(p!.constructor.name);
          j++;
        }
      }
      const label = parts.join(' + ');
      steps.push(m instanceof Conv1d ? convStep(m, w, b, act, pool, label, chunkFloats) : linearStep(m, w, b, act, label));
      if (parts.length > 1) notes.push(label);
      i = j - 1;
    } else if (m instanceof ReLU) steps.push(reluStep);
    else if (m instanceof Dropout) steps.push({ shape: (s) => [...s], alias: true });
    else if (m instanceof Flatten && m.startAxis === 1 && m.endAxis === -1) steps.push({ shape: (s) => [size(s)], alias: true });
    else steps.push({ shape: () => [], module: m });
  }
  return steps;
}

/** Runs steps on a tensor (under noGrad: the intermediate tensors are freed with its scope). */
function runOnTensor(steps: readonly Step[], x: Tensor): Tensor {
  let h = x;
  const k = backend().k;
  for (const s of steps) {
    if (s.module) {
      h = s.module.forward(h);
      continue;
    }
    const B = h.shape[0]!, input = h.shape.slice(1);
    const out = s.shape(input);
    if (s.alias) {
      h = h.reshape([B, ...out]);
      continue;
    }
    const y = empty([B, ...out]);
    const scr = (s.scratch?.(B, input) ?? []).map((n) => (n > 0 ? empty([n]).ptr : 0));
    if (y.size) s.run!(k, h.ptr, y.ptr, B, input, scr);
    h = y;
  }
  return h;
}

/** A model's own forward, on a stand-in whose compiled fields run their steps (see the header). */
interface StandIn {
  readonly steps: Step[];
  readonly module: Module;
}

interface Buffers {
  /** Addresses of the persistent tensors in `keep` (they never move). */
  inputPtr: number;
  outPtrs: number[];
  scratch: number[][];
  shapes: Shape[];
  keep: Tensor[];
}

/** Options of compileInference. */
export interface InferencePlanOptions {
  /** Per-beat input shape [channels, length]: lets the plan check a static chain before its first call. */
  input?: readonly number[];
  /** Floats of convolution output per fused chunk (the conv output stays in cache for its pooling); default 65536. */
  chunkFloats?: number;
}

/** A compiled eval-mode forward (see the header); from compileInference. */
export class InferencePlan {
  /** What was fused, one line per fused layer group. */
  readonly fused: string[] = [];
  private readonly root: Step[] | null;
  private readonly standIns = new Map<string, StandIn | StandIn[]>();
  private chain: Step[] | null | undefined;
  private readonly buffers = new Map<string, Buffers>();
  private readonly backendAtCompile: object;
  private readonly chunk: number;

  constructor(readonly model: Module, options: InferencePlanOptions = {}) {
    const chunk = (this.chunk = options.chunkFloats ?? 65536);
    this.backendAtCompile = backend();
    if (model instanceof Sequential) {
      this.root = compileLayers(flatten(model.layers), this.fused, chunk);
      this.chain = this.root.every((s) => !s.module) ? this.root : null;
    } else {
      this.root = null;
      const compile = (m: Module): StandIn => ({ module: m, steps: compileLayers(flatten([m]), this.fused, chunk) });
      for (const [name, v] of Object.entries(model)) {
        if (v instanceof Module) this.standIns.set(name, compile(v));
        else if (Array.isArray(v) && v.length && v.every((e) => e instanceof Module)) this.standIns.set(name, v.map(compile));
      }
      if (options.input) this.chain = this.trace(options.input);
    }
  }

  /** Whether calls run on preallocated buffers (the model is a chain of compiled layers), or null before the first call decides it. */
  get isStatic(): boolean | null {
    return this.chain === undefined ? null : this.chain !== null;
  }

  /**
   * Runs the model's forward once on zeros with recording stand-ins: the model is a static chain when its
   * output is the last stand-in's and each stand-in got the previous one's output (the first got x), with
   * no layer the compiler does not know. Returns the chained steps, or null.
   */
  private trace(input: Shape): Step[] | null {
    const calls: { s: StandIn; x: Tensor; y: Tensor }[] = [];
    try {
      return noGrad(() => {
        const x = zeros([1, ...input]);
        const y = this.callModel(x, null, (s, xi, yi) => calls.push({ s, x: xi, y: yi }));
        const chained = calls.length > 0 && calls[calls.length - 1]!.y === y &&
          calls.every((c, i) => c.x === (i === 0 ? x : calls[i - 1]!.y) && c.s.steps.every((st) => !st.module));
        // one list, so folds and fusions cross the fields' boundaries (e.g. features ending in a conv, head in BN)
        return chained ? compileLayers(flatten(calls.map((c) => c.s.module)), [], this.chunk) : null;
      });
    } catch {
      // a forward that cannot run without its second input (RR features) is not a chain of x alone
      return null;
    }
  }

  private callModel(x: Tensor, rr: Tensor | null, onCall?: (s: StandIn, x: Tensor, y: Tensor) => void): Tensor {
    const proxy = Object.create(this.model) as Record<string, unknown>;
    const wrap = (s: StandIn) => {
      const w = Object.create(s.module) as Module;
      w.forward = (h: Tensor) => {
        const y = runOnTensor(s.steps, h);
        onCall?.(s, h, y);
        return y;
      };
      return w;
    };
    for (const [name, v] of this.standIns) proxy[name] = Array.isArray(v) ? v.map(wrap) : wrap(v);
    const f = this.model.forward as (this: unknown, ...a: Tensor[]) => Tensor;
    return rr ? f.call(proxy, x, rr) : f.call(proxy, x);
  }

  private checkBackend(): void {
    if (backend() !== this.backendAtCompile)
      throw new Error('InferencePlan: ecgrad was re-initialised since it was compiled: compile it again');
  }

  /** The model's eval-mode output for x (and rr), on tensors; call it under noGrad. */
  forward(x: Tensor, rr: Tensor | null = null): Tensor {
    this.checkBackend();
    if (this.root) return runOnTensor(this.root, x);
    return this.callModel(x, rr);
  }

  /**
   * Runs `count` beats of x (count x input values, row-major) through a static plan and returns the
   * count x width outputs (in `out` when given). Throws when the plan is not static (isStatic false:
   * use forward) or x does not hold count beats of the plan's input shape.
   */
  run(x: Float32Array, count: number, input: readonly number[], out?: Float32Array): Float32Array {
    this.checkBackend();
    if (!this.staticFor(input)) throw new Error(`InferencePlan: ${this.model.constructor.name} is not a chain of compiled layers: use forward()`);
    const per = size(input);
    if (!(Number.isInteger(count) && count > 0) || x.length !== count * per)
      throw new RangeError(`InferencePlan.run: expected ${count} beats of [${input.join(', ')}] (${count * per} values), got ${x.length} values`);
    const b = this.buffersFor(count, input);
    const chain = this.chain!, k = backend().k;
    let h = b.inputPtr;
    backend().f32(h, x.length).set(x);
    for (let i = 0; i < chain.length; i++) {
      const s = chain[i]!;
      if (s.alias) continue;
      const y = b.outPtrs[i]!;
      s.run!(k, h, y, count, b.shapes[i]!, b.scratch[i]!);
      h = y;
    }
    const n = count * size(b.shapes[chain.length]!);
    const res = out ?? new Float32Array(n);
    res.set(backend().f32(h, n)); // a RangeError when `out` is shorter than the n outputs
    return res;
  }

  /** Whether run() serves beats of this per-beat input shape (decided by one traced call the first time). */
  staticFor(input: readonly number[]): boolean {
    if (this.chain === undefined) this.chain = this.root ?? this.trace(input);
    return this.chain !== null;
  }

  /** Buffers for batch B (allocated once per batch size and input shape; up to four sets are kept). */
  private buffersFor(B: number, input: Shape): Buffers {
    const key = `${B}:${input}`, hit = this.buffers.get(key);
    if (hit) return hit;
    const chain = this.chain!;
    const shapes: Shape[] = [input];
    for (const s of chain) shapes.push(s.shape(shapes[shapes.length - 1]!));
    const keep: Tensor[] = [];
    const alloc = (n: number) => {
      const t = empty([Math.max(n, 1)]).keep();
      keep.push(t);
      return t;
    };
    const inputPtr = alloc(B * size(input)).ptr;
    const outPtrs: number[] = [];
    let last = inputPtr;
    chain.forEach((s, i) => {
      last = s.alias ? last : alloc(B * size(shapes[i + 1]!)).ptr;
      outPtrs.push(last);
    });
    const scratch = chain.map((s, i) => (s.scratch?.(B, shapes[i]!) ?? []).map((n) => (n > 0 ? alloc(n).ptr : 0)));
    const b = { inputPtr, outPtrs, scratch, shapes, keep };
    if (this.buffers.size >= 4) this.buffers.clear(); // bounded: at most four batch sizes' buffers
    this.buffers.set(key, b);
    return b;
  }
}

/**
 * Compiles an eval-mode forward of `model` (its current weights; the model itself is not changed):
 * batch norm folded, activations and pooling fused, static buffers where the model is a chain. The
 * backend must be initialised; the plan is tied to it. Errors in the layers' shapes name the layer.
 */
export function compileInference(model: Module, options: InferencePlanOptions = {}): InferencePlan {
  return new InferencePlan(model, options);
}

/**
 * forwardInBatches (src/nn/forward.ts) through a plan: batches without RR input run on its static buffers
 * when the model is a chain, the others through plan.forward on tensors. Same output as forwardInBatches.
 */
export function planInBatches(plan: InferencePlan, n: number, batches: Iterable<BeatBatch>, shape: BeatShape, who = 'forward'): BatchedOutput {
  const input = [shape.channels, shape.length];
  return forwardInBatches(n, batches, shape, (x, rr) => plan.forward(x, rr), who,
    (b) => (!b.rr && b.count > 0 && plan.staticFor(input) ? plan.run(b.x, b.count, input) : null));
}
