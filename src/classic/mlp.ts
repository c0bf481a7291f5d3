// mlp: a multilayer perceptron on the standardised feature matrix, trained with ecgrad's own autograd
// (src/nn, src/optim): the neural model of the classifier pipeline, so it takes the same features,
// scaler, decision weights, cross-validation and model file as the trees and the discriminants.
//   x [B, d] → Linear h1 → ReLU → Dropout p → … → Linear K (logits);  P(k | x) = softmax(logits)
// Trained by Adam on the cross-entropy, mini-batches drawn by a seeded shuffle each epoch; with
// classWeight 'balanced' every training row of class c weighs n / (K·n_c) in the loss (the batch's
// weighted mean, as PyTorch), with 'sqrt' √(n / (K·n_c)) (rare classes up-weighted less: a class of 8
// beats among 50,000 weighs 35x instead of 1,275x). Deterministic for a seed (weights, shuffles and dropout masks are seeded).
// Needs the wasm runtime (initSync); fit and predict call it when nothing has.
import { noGrad } from '../core/autograd.ts';
import { initSync, isInitialised } from '../core/runtime.ts';
import { Rng } from '../core/random.ts';
import { Dropout } from '../nn/dropout.ts';
import { Linear } from '../nn/linear.ts';
import { crossEntropy } from '../nn/losses.ts';
import { Module } from '../nn/module.ts';
import { fromArray } from '../ops/creation.ts';
import { Adam } from '../optim/adam.ts';
import type { Tensor } from '../core/tensor.ts';
import { type ClassifierState, stateArray } from './format.ts';
import { type Matrix, argmaxRows, checkFit, checkInt, checkPositive, checkPredict, requireEveryClass, softmaxRows } from './matrix.ts';
import { classifierSpec } from './spec.ts';
import type { Classifier, FitOptions } from './types.ts';

/** Hyperparameters of MlpClassifier (every one optional in its constructor). */
export interface MlpParams {
  /** Hidden layer widths (default [64, 32]). */
  hidden: number[];
  /** Dropout after each hidden layer (default 0.1). */
  dropout: number;
  /** Passes over the training rows (default 20). */
  epochs: number;
  batchSize: number;
  /** Adam's learning rate (default 1e-3) and L2 weight decay (default 1e-4). */
  lr: number;
  weightDecay: number;
  /** 'balanced': rows weigh n / (K·n_c) in the loss; 'sqrt': √(n / (K·n_c)); 'none' (default): 1. */
  classWeight: 'none' | 'balanced' | 'sqrt';
  seed: number;
}

class Net extends Module {
  readonly layers: Linear[] = [];
  readonly drops: Dropout[] = [];

  constructor(d: number, K: number, p: MlpParams) {
    super();
    let width = d;
    p.hidden.forEach((h, k) => {
      this.layers.push(this.child(`fc${k + 1}`, new Linear(width, h, { seed: p.seed + 1 + 2 * k })));
      this.drops.push(this.child(`drop${k + 1}`, new Dropout(p.dropout, { seed: p.seed + 2 + 2 * k })));
      width = h;
    });
    this.layers.push(this.child('out', new Linear(width, K, { seed: p.seed + 1 + 2 * p.hidden.length })));
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (let k = 0; k < this.drops.length; k++) h = this.drops[k]!.forward(this.layers[k]!.forward(h).relu());
    return this.layers[this.layers.length - 1]!.forward(h);
  }
}

const ensureRuntime = () => {
  if (!isInitialised()) initSync();
};

/**
 * A multilayer perceptron classifier (see the file comment). The constructor throws a RangeError for an
 * invalid hyperparameter.
 */
export class MlpClassifier implements Classifier {
  readonly kind = 'mlp';
  readonly params: MlpParams;
  nClasses = -1;
  nFeatures = -1;
  private net: Net | null = null;

  constructor(params: Partial<MlpParams> = {}) {
    this.params = { hidden: [64, 32], dropout: 0.1, epochs: 20, batchSize: 256, lr: 1e-3, weightDecay: 1e-4, classWeight: 'none', seed: 0, ...params };
    const p = this.params, who = 'MlpClassifier';
    if (!Array.isArray(p.hidden) || p.hidden.some((h) => !Number.isInteger(h) || h < 1))
      throw new RangeError(`${who}: hidden must be an array of positive integers, got ${JSON.stringify(p.hidden)}`);
    if (!(p.dropout >= 0 && p.dropout < 1)) throw new RangeError(`${who}: dropout must be in [0, 1), got ${p.dropout}`);
    checkInt(p.epochs, 'epochs', who);
    checkInt(p.batchSize, 'batchSize', who);
    checkPositive(p.lr, 'lr', who);
    checkPositive(p.weightDecay, 'weightDecay', who, true);
    checkInt(p.seed, 'seed', who, 0);
    if (p.classWeight !== 'none' && p.classWeight !== 'balanced' && p.classWeight !== 'sqrt')
      throw new RangeError(`${who}: classWeight must be 'none', 'balanced' or 'sqrt', got ${String(p.classWeight)}`);
  }

  getParams(): Record<string, unknown> {
    return { ...this.params, hidden: this.params.hidden.slice() };
  }

  fit(X: Matrix, y: Int32Array, opts: FitOptions = {}): this {
    ensureRuntime();
    const K = checkFit(X, y, 'MlpClassifier.fit', opts.nClasses);
    const counts = requireEveryClass(y, K, 'MlpClassifier.fit');
    const p = this.params, N = X.rows, d = X.cols;
    const weight = p.classWeight === 'none' ? undefined : Array.from(counts, (c) => (p.classWeight === 'sqrt' ? Math.sqrt(N / (K * c)) : N / (K * c)));
    const net = new Net(d, K, p);
    const opt = new Adam(net.parameters(), { lr: p.lr, weightDecay: p.weightDecay });
    const rng = new Rng(p.seed);
    const order = Int32Array.from({ length: N }, (_, i) => i);
    const xb = new Float32Array(p.batchSize * d), yb = new Int32Array(p.batchSize);
    net.train();
    for (let e = 0; e < p.epochs; e++) {
      for (let i = N - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i]!; order[i] = order[j]!; order[j] = t;
      }
      for (let s = 0; s < N; s += p.batchSize) {
        const B = Math.min(p.batchSize, N - s);
        for (let b = 0; b < B; b++) {
          const r = order[s + b]!;
          xb.set(X.data.subarray(r * d, (r + 1) * d), b * d);
          yb[b] = y[r]!;
        }
        const loss = crossEntropy(net.forward(fromArray(xb.subarray(0, B * d), [B, d])), yb.subarray(0, B), weight ? { weight } : {});
        if (!Number.isFinite(loss.item())) throw new RangeError(`MlpClassifier.fit: the loss is ${loss.item()} at epoch ${e + 1}; lower lr`);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
    }
    net.eval();
    this.net = net;
    this.nClasses = K;
    this.nFeatures = d;
    return this;
  }

  /** Logits, X.rows x nClasses. */
  decisionFunction(X: Matrix): Float32Array {
    if (!this.net) throw new Error('MlpClassifier: the classifier is not fitted');
    checkPredict(X, 'MlpClassifier', this.nFeatures);
    ensureRuntime();
    const net = this.net, d = this.nFeatures, K = this.nClasses, out = new Float32Array(X.rows * K);
    const chunk = 4096;
    noGrad(() => {
      for (let s = 0; s < X.rows; s += chunk) {
        const B = Math.min(chunk, X.rows - s);
        out.set(net.forward(fromArray(X.data.subarray(s * d, (s + B) * d), [B, d])).data(), s * K);
      }
    });
    return out;
  }

  predictProba(X: Matrix): Matrix {
    return softmaxRows(this.decisionFunction(X), X.rows, this.nClasses);
  }

  predict(X: Matrix): Int32Array {
    return argmaxRows(this.decisionFunction(X), X.rows, this.nClasses);
  }

  toState(): ClassifierState {
    if (!this.net) throw new Error('MlpClassifier.toState: the classifier is not fitted');
    const arrays: Record<string, Float32Array> = {};
    for (const [name, t] of this.net.stateDict()) arrays[name] = Float32Array.from(t.data());
    return { kind: this.kind, nClasses: this.nClasses, nFeatures: this.nFeatures, params: this.getParams(), arrays };
  }

  static fromState(s: ClassifierState): MlpClassifier {
    const m = new MlpClassifier(s.params as Partial<MlpParams>);
    // Check every layer's arrays against the widths before allocating anything (a file's widths are untrusted).
    const widths = [s.nFeatures, ...m.params.hidden, s.nClasses];
    const state = new Map<string, Float32Array>();
    for (let k = 1; k < widths.length; k++) {
      const name = k === widths.length - 1 ? 'out' : `fc${k}`;
      state.set(`${name}.weight`, stateArray(s, `${name}.weight`, Float32Array, widths[k]! * widths[k - 1]!));
      state.set(`${name}.bias`, stateArray(s, `${name}.bias`, Float32Array, widths[k]!));
    }
    ensureRuntime();
    const net = new Net(s.nFeatures, s.nClasses, m.params);
    net.loadStateDict(state);
    net.eval();
    m.net = net;
    m.nClasses = s.nClasses;
    m.nFeatures = s.nFeatures;
    return m;
  }
}

/** The registry entry of 'mlp' (MlpClassifier with its defaults). */
export const mlpSpec = classifierSpec({
  name: 'mlp',
  label: 'MLP (ecgrad autograd)',
  description: 'multilayer perceptron on the feature matrix, trained by Adam with ecgrad\'s autograd: 64 → 32 → classes, ReLU + dropout 0.1, 20 epochs (classWeight "balanced" weighs classes equally)',
  classifier: MlpClassifier,
});
