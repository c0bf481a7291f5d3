// The model under explanation: any ecgrad Module taking beats x [B, channels, length] (and, when built
// with RR features, rr [B, rrFeatures]) and returning class logits [B, classes]. An ExplainedModel knows the
// input shape (so a wrong beat length gives a clear error before the model runs), which output is
// explained ('logit', the default, or 'probability' = softmax), and runs every computation in eval mode
// (running BatchNorm statistics, no dropout), in batches, inside memory scopes, restoring each module's
// training flag afterwards.
import '../wasm/full-kernels.ts'; // explanations need backward kernels (src/wasm/source.ts)
import type { Module } from '../nn/module.ts';
import type { Tensor } from '../core/tensor.ts';
import { valueAndGrad, withGradMode } from '../core/autograd.ts';
import { tidy } from '../core/memory.ts';
import { fromArray } from '../ops/creation.ts';
import { argmax, forwardInBatches, inEvalMode, sliceBatches } from '../nn/forward.ts';

/** What attributions explain: the class's 'logit' (default) or its softmax 'probability'. */
export type ExplainedOutput = 'logit' | 'probability';

/**
 * Options of ExplainedModel: the beat shape the model takes (length is required), RR features, the explained
 * output, the batch size and a name.
 */
export interface ExplainedModelOptions {
  /** Leads per beat (default 1). */
  channels?: number;
  /** Samples per beat: required, the length the model was built for. */
  length: number;
  /** RR features per beat the model takes as its second input (default 0). */
  rrFeatures?: number;
  /** Which output attributions explain (default 'logit'; deletion / insertion curves always use probabilities). */
  output?: ExplainedOutput;
  /** Rows per forward / backward pass (default 64). */
  batchSize?: number;
  /** Name used in error messages (default the model's class name). */
  name?: string;
}

/**
 * An explanation that cannot be computed as asked: beats of the wrong shape, an unknown method, layer, target
 * or option value. The message says which and what was expected.
 */
export class ExplainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExplainError';
  }
}

/**
 * The model under explanation: any Module taking beats [B, channels, length] (and rr [B, rrFeatures] when
 * built with RR features) and returning logits [B, classes]. It checks the beats' shape before the model runs
 * (an ExplainError otherwise), explains the logit or the softmax probability, and runs in eval mode, in
 * batches, inside memory scopes, restoring each module's training flag.
 */
export class ExplainedModel {
  readonly channels: number;
  readonly length: number;
  readonly rrFeatures: number;
  readonly output: ExplainedOutput;
  readonly batchSize: number;
  readonly name: string;
  private classCount = 0;

  constructor(readonly model: Module, opts: ExplainedModelOptions) {
    if (!model || typeof (model as Module).forward !== 'function') throw new ExplainError('ExplainedModel: model must be an ecgrad Module');
    this.channels = opts.channels ?? 1;
    this.length = opts.length;
    this.rrFeatures = opts.rrFeatures ?? 0;
    this.output = opts.output ?? 'logit';
    this.batchSize = opts.batchSize ?? 64;
    this.name = opts.name ?? model.constructor.name;
    for (const [k, v] of [['channels', this.channels], ['length', this.length], ['batchSize', this.batchSize]] as const)
      if (!Number.isInteger(v) || v < 1) throw new ExplainError(`ExplainedModel: ${k} must be a positive integer, got ${String(v)}`);
    if (!Number.isInteger(this.rrFeatures) || this.rrFeatures < 0)
      throw new ExplainError(`ExplainedModel: rrFeatures must be a non-negative integer, got ${String(this.rrFeatures)}`);
    if (this.output !== 'logit' && this.output !== 'probability')
      throw new ExplainError(`ExplainedModel: output must be 'logit' or 'probability', got ${String(this.output)}`);
  }

  /**
   * An ExplainedModel for a model rebuilt from a model file: the header's config is the zoo's ModelInput
   * ({ length, channels, rrFeatures, classes, fs }).
   */
  static fromConfig(model: Module, config: Record<string, unknown>, opts: Partial<ExplainedModelOptions> = {}): ExplainedModel {
    const length = Number(config.length);
    if (!Number.isInteger(length) || length < 1)
      throw new ExplainError('ExplainedModel.fromConfig: the model config has no input length (expected { length, channels, rrFeatures })');
    return new ExplainedModel(model, {
      length, channels: Number(config.channels ?? 1), rrFeatures: Number(config.rrFeatures ?? 0), ...opts,
    });
  }

  /** Values per beat (channels x length). */
  get beatSize(): number {
    return this.channels * this.length;
  }

  /** Number of classes (known after the first forward pass). */
  get classes(): number {
    if (!this.classCount) this.scores(new Float32Array(this.beatSize), this.rrFeatures ? new Float32Array(this.rrFeatures) : undefined);
    return this.classCount;
  }

  /** Checks a batch of beats (and RR rows) and returns the number of beats. */
  check(x: Float32Array, rr?: Float32Array | null, what = 'explain'): number {
    if (!(x instanceof Float32Array)) throw new ExplainError(`${what}: beats must be a Float32Array of n x ${this.channels} x ${this.length} values`);
    if (x.length === 0 || x.length % this.beatSize !== 0)
      throw new ExplainError(
        `${what}: got ${x.length} values, which is not a whole number of beats of ${this.channels} x ${this.length} = ${this.beatSize} values ` +
          `(${this.name} takes beats of length ${this.length}${this.channels > 1 ? ` with ${this.channels} leads` : ''})`,
      );
    const n = x.length / this.beatSize;
    if (this.rrFeatures > 0) {
      if (!rr) throw new ExplainError(`${what}: ${this.name} takes ${this.rrFeatures} RR features per beat; pass rr (n x ${this.rrFeatures})`);
      if (rr.length !== n * this.rrFeatures)
        throw new ExplainError(`${what}: rr has ${rr.length} values, expected ${n} beats x ${this.rrFeatures} RR features = ${n * this.rrFeatures}`);
    }
    return n;
  }

  /** RR rows for a batch whose row i explains beat rows[i]. */
  rrRows(rr: Float32Array | null | undefined, rows: ArrayLike<number>): Float32Array | null {
    if (!this.rrFeatures || !rr) return null;
    const R = this.rrFeatures;
    const out = new Float32Array(rows.length * R);
    for (let i = 0; i < rows.length; i++) out.set(rr.subarray(rows[i]! * R, rows[i]! * R + R), i * R);
    return out;
  }

  /** The explained output (logits or probabilities) for a tensor batch, graph recorded if grad mode is on. */
  forwardTensor(x: Tensor, rr: Tensor | null, output: ExplainedOutput = this.output): Tensor {
    let out: Tensor;
    try {
      out = rr ? this.model.forward(x, rr) : this.model.forward(x);
    } catch (e) {
      throw new ExplainError(`${this.name} rejected beats of shape [${x.shape.join(', ')}]: ${(e as Error).message}`);
    }
    if (out.ndim !== 2 || out.shape[0] !== x.shape[0])
      throw new ExplainError(`${this.name} returned shape [${out.shape.join(', ')}]; explanations need logits [batch, classes]`);
    this.classCount = out.shape[1]!;
    return output === 'probability' ? out.softmax(-1) : out;
  }

  /** Runs fn with every module in eval mode, restoring the training flags afterwards. */
  inEval<T>(fn: () => T): T {
    return inEvalMode(this.model, fn);
  }

  /** Outputs (n x classes) in the given output space, batched, no graph. */
  scores(x: Float32Array, rr?: Float32Array | null, output: ExplainedOutput = this.output): Float32Array {
    const n = this.check(x, rr, 'scores');
    const shape = { channels: this.channels, length: this.length, rrFeatures: this.rrFeatures };
    return this.inEval(() => forwardInBatches(n, sliceBatches(x, rr, shape, this.batchSize), shape, (xt, rt) => this.forwardTensor(xt, rt, output), this.name).out);
  }

  /** Softmax probabilities (n x classes). */
  probabilities(x: Float32Array, rr?: Float32Array | null): Float32Array {
    return this.scores(x, rr, 'probability');
  }

  /** Predicted class of each beat. */
  predict(x: Float32Array, rr?: Float32Array | null): Int32Array {
    const p = this.scores(x, rr, 'logit');
    const K = this.classCount, n = p.length / K;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = argmax(p, i * K, K);
    return out;
  }

  /** The score of each row's target class (in the given output space). */
  targetScores(x: Float32Array, rr: Float32Array | null | undefined, targets: Int32Array, output: ExplainedOutput = this.output): Float32Array {
    const s = this.scores(x, rr, output);
    const K = this.classCount;
    return Float32Array.from(targets, (t, i) => s[i * K + t]!);
  }

  /**
   * Gradients of each row's target score with respect to its input row, batched (rows never interact in
   * eval mode), plus the scores themselves. Parameters' .grad are never touched.
   */
  targetGradients(x: Float32Array, rr: Float32Array | null | undefined, targets: Int32Array, output: ExplainedOutput = this.output): { grads: Float32Array; scores: Float32Array } {
    const n = this.check(x, rr, 'gradients');
    if (targets.length !== n) throw new ExplainError(`gradients: ${targets.length} targets for ${n} beats`);
    const S = this.beatSize, R = this.rrFeatures;
    const grads = new Float32Array(n * S);
    const scores = new Float32Array(n);
    this.inEval(() => {
      for (let b0 = 0; b0 < n; b0 += this.batchSize) {
        const m = Math.min(this.batchSize, n - b0);
        tidy(() => {
          const xt = fromArray(x.subarray(b0 * S, (b0 + m) * S), [m, this.channels, this.length]);
          const rt = R && rr ? fromArray(rr.subarray(b0 * R, (b0 + m) * R), [m, R]) : null;
          let K = 0;
          let captured: Float32Array | null = null;
          const onehot = (k: number) => {
            const oh = new Float32Array(m * k);
            for (let i = 0; i < m; i++) {
              const t = targets[b0 + i]!;
              if (!Number.isInteger(t) || t < 0 || t >= k) throw new ExplainError(`target class ${t} is out of range (the model has ${k} classes)`);
              oh[i * k + t] = 1;
            }
            return fromArray(oh, [m, k]);
          };
          const { grads: [g] } = valueAndGrad((xi) => {
            const out = this.forwardTensor(xi, rt, output);
            K = out.shape[1]!;
            const sel = out.mul(onehot(K)).sum(1);
            captured = sel.data();
            return sel.sum();
          }, [xt]);
          grads.set(g!.data(), b0 * S);
          scores.set(captured!, b0);
        });
      }
    });
    return { grads, scores };
  }

  /** Runs fn with graph recording on (for Grad-CAM, whose gradients target intermediate activations). */
  withGraph<T>(fn: () => T): T {
    return this.inEval(() => tidy(() => withGradMode(true, fn)));
  }
}

/** Resolves targets: a class for every beat, one array per beat, or (default) the predicted classes. */
export function resolveTargets(clf: ExplainedModel, x: Float32Array, rr: Float32Array | null | undefined, targets: number | ArrayLike<number> | undefined): Int32Array {
  const n = clf.check(x, rr);
  if (targets === undefined) return clf.predict(x, rr);
  const K = clf.classes;
  const out = typeof targets === 'number' ? new Int32Array(n).fill(targets) : Int32Array.from(targets as ArrayLike<number>);
  if (out.length !== n) throw new ExplainError(`explain: ${out.length} targets for ${n} beats`);
  for (const t of out) if (!(t >= 0 && t < K)) throw new ExplainError(`explain: target class ${t} is out of range (the model has ${K} classes)`);
  return out;
}
