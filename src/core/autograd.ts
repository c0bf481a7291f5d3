// Reverse-mode automatic differentiation over a tape (micrograd-style): an op that has an input
// requiring gradients attaches a GradNode to its output with a backward closure; backward() sorts the
// graph topologically and runs the closures in reverse, summing gradients that meet at a tensor.
// Only primitive ops have backward code; composite ops (mean, crossEntropy, ...) are built from
// primitives and get their gradients for free. Backward closures receive `needs[i]` so they skip the
// gradients nobody asked for (e.g. weight gradients when explaining an input).
// The few tensors autograd makes itself (the seed of ones, zeros for unreached targets, the sum of two
// gradients meeting at a tensor) come straight from the kernels, so core does not depend on src/ops.
import { Tensor } from './tensor.ts';
import { allocStorage, atRoot, endStep, withScope } from './memory.ts';
import { backend, writeArgs } from './runtime.ts';
import { collapse, contiguousStrides, fmt, sameShape } from './shape.ts';
import { BinaryOp } from '../wasm/opcodes.ts';

/** A new tensor of t's shape filled with `value` (in the current memory owner, like any op result). */
function filledLike(t: Tensor, value: number): Tensor {
  const out = new Tensor(t.shape, allocStorage(t.size));
  if (out.size) backend().k.fill(out.ptr, out.size, value);
  return out;
}

/** a + b for two gradients of one shape, as a new tensor (the `binary` kernel that add() launches). */
function sumOf(a: Tensor, b: Tensor): Tensor {
  const out = new Tensor(a.shape, allocStorage(a.size));
  if (out.size === 0) return out;
  const strides = contiguousStrides(a.shape);
  const c = collapse(a.shape, [strides, strides]);
  const [ps, pa, pb] = writeArgs(c.shape, c.strides[0]!, c.strides[1]!);
  backend().k.binary(BinaryOp.ADD, a.ptr, b.ptr, out.ptr, c.shape.length, ps!, pa!, pb!);
  return out;
}

export interface GradNode {
  /** Name of the op, for error messages and debugging. */
  op: string;
  inputs: Tensor[];
  /** Gradients with respect to each input (null where not needed or not differentiable). */
  backward(gradOutput: Tensor, needs: boolean[]): (Tensor | null)[];
}

let gradEnabled = true;

/** True unless called inside noGrad(): whether ops currently record the autograd graph. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn with graph recording switched on or off (no memory scope). */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs fn without recording a graph (inference, evaluation, manual updates). The tensors fn allocates
 * are freed when it returns, except those it returns: wrap each iteration of an inference loop in it.
 */
export function noGrad<T>(fn: () => T): T {
  return withScope('noGrad()', () => withGradMode(false, fn));
}

/** Attaches a grad node to `out` when recording is on and some input requires gradients. */
export function record(out: Tensor, op: string, inputs: Tensor[], backward: GradNode['backward']): Tensor {
  if (!gradEnabled) return out;
  for (const t of inputs)
    if (t.requiresGrad) {
      out.requiresGrad = true;
      out.node = { op, inputs, backward };
      return out;
    }
  return out;
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i]!;
      if (!seen.has(next) && (next.node || next.requiresGrad)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order; // inputs before outputs
}

interface RunOptions {
  /** Compute gradients only for these tensors and return them; leave every .grad untouched. */
  targets?: Tensor[];
  retainGraph?: boolean;
}

function run(root: Tensor, gradRoot: Tensor, opts: RunOptions): Map<Tensor, Tensor> {
  const order = topoOrder(root);
  const targets = opts.targets ? new Set(opts.targets) : null;
  let leads: Set<Tensor> | null = null;
  if (targets) {
    leads = new Set();
    for (const t of order) if (targets.has(t) || t.node?.inputs.some((x) => leads!.has(x))) leads.add(t);
  }
  const grads = new Map<Tensor, Tensor>([[root, gradRoot]]);
  withGradMode(false, () => {
    for (let idx = order.length - 1; idx >= 0; idx--) {
      const t = order[idx]!;
      const g = grads.get(t);
      if (!g) continue;
      if (t.node) {
        const node = t.node;
        const needs = node.inputs.map((x) => (leads ? leads.has(x) : x.requiresGrad));
        if (!needs.some(Boolean)) continue;
        const gs = node.backward(g, needs);
        node.inputs.forEach((x, i) => {
          const gi = gs[i];
          if (!needs[i] || !gi) return;
          if (!sameShape(gi.shape, x.shape))
            throw new Error(`internal: ${node.op} backward gave a gradient of shape ${fmt(gi.shape)} for an input of shape ${fmt(x.shape)}`);
          const prev = grads.get(x);
          grads.set(x, prev ? sumOf(prev, gi) : gi);
        });
        if (!targets) grads.delete(t);
      } else if (!targets && t.requiresGrad) {
        t.accumulateGrad(g);
      }
    }
    if (!opts.retainGraph)
      for (const t of order)
        if (t.node) {
          t.node = null;
          t.graphFreed = true;
        }
  });
  return grads;
}

/** loss.backward(): accumulates d(root)/d(leaf) into every leaf's .grad. */
export function backward(root: Tensor, gradOutput?: Tensor, opts: { retainGraph?: boolean } = {}): void {
  if (root.graphFreed)
    throw new Error(
      'backward: the graph of this tensor was already used by a backward() and freed; pass { retainGraph: true } to the first backward() to call it twice',
    );
  if (!root.requiresGrad)
    throw new Error('backward: this tensor does not require gradients (no input had requiresGrad, or it was computed inside noGrad)');
  const g = seed(root, gradOutput, 'backward');
  run(root, g, { retainGraph: opts.retainGraph });
  if (atRoot()) endStep();
}

function seed(root: Tensor, gradOutput: Tensor | undefined, op: string): Tensor {
  if (gradOutput) {
    if (!sameShape(gradOutput.shape, root.shape))
      throw new RangeError(`${op}: gradOutput has shape ${fmt(gradOutput.shape)} but the output has shape ${fmt(root.shape)}`);
    return gradOutput;
  }
  if (root.size !== 1)
    throw new RangeError(
      `${op}: the output has shape ${fmt(root.shape)}; gradients need a scalar (reduce it, e.g. .sum()) or an explicit gradOutput of that shape`,
    );
  return filledLike(root, 1);
}

/**
 * Gradients of `output` with respect to `targets`: any tensors of its graph, leaves or intermediate
 * results (e.g. a convolution's activations for Grad-CAM), without touching any .grad. `output` must be a
 * scalar unless gradOutput is given. The graph is kept (so several calls can share one forward) unless
 * `retainGraph: false`. A target that output does not depend on gets zeros.
 */
export function gradients(
  output: Tensor, targets: Tensor[], opts: { gradOutput?: Tensor; retainGraph?: boolean } = {},
): Tensor[] {
  if (!Array.isArray(targets) || targets.length === 0) throw new TypeError('gradients: targets must be a non-empty array of tensors');
  if (output.graphFreed) throw new Error('gradients: the graph of this output was already freed by a backward()');
  const g = seed(output, opts.gradOutput, 'gradients');
  if (!output.node && !targets.includes(output)) return targets.map((t) => filledLike(t, 0));
  const grads = run(output, g, { targets, retainGraph: opts.retainGraph ?? true });
  return targets.map((t) => grads.get(t) ?? filledLike(t, 0));
}

/** Options of grad, valueAndGrad and gradients. */
export interface GradOptions {
  /** Gradient of the output, when fn returns a non-scalar tensor. */
  gradOutput?: Tensor;
}

/**
 * Gradients of fn(...inputs) with respect to each input, without touching any .grad (so explaining a
 * model does not disturb its training state). fn must return a scalar tensor unless gradOutput is
 * given. Intermediates are freed on return; the returned gradients stay valid like any new tensor.
 */
export function grad(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradOptions = {}): Tensor[] {
  return valueAndGrad(fn, inputs, opts).grads;
}

/** Like grad(), and also returns fn's value (detached). */
export function valueAndGrad(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  opts: GradOptions = {},
): { value: Tensor; grads: Tensor[] } {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new TypeError('grad: inputs must be a non-empty array of tensors');
  // Called outside any scope, the results belong to nobody (freed once the caller drops them, like
  // parameters): a loop of grad() calls with no backward() or endStep() then stays flat in memory.
  return withScope('grad()', () =>
    withGradMode(true, () => {
      const leaves = inputs.map((x) => x.detach().requiresGrad_(true));
      const out = fn(...leaves);
      if (!out || typeof out !== 'object' || !('shape' in out)) throw new TypeError('grad: fn must return a tensor');
      const g = seed(out, opts.gradOutput, 'grad');
      const value = out.detach();
      if (!out.node) return { value, grads: leaves.map((x) => filledLike(x, 0)) };
      const grads = run(out, g, { targets: leaves });
      return { value, grads: leaves.map((x) => grads.get(x) ?? filledLike(x, 0)) };
    }),
    atRoot(),
  );
}
