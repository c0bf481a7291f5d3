// The Module API (PyTorch-familiar): a module owns named parameters, buffers (state that is saved but
// not trained, like BatchNorm's running statistics) and child modules, in registration order.
// Names are dotted paths: "features.0.weight". Parameters and buffers are persistent tensors.
import { Tensor } from '../core/tensor.ts';
import { fmt, sameShape } from '../core/shape.ts';

/**
 * The base of every layer and model (PyTorch-familiar): named parameters, buffers and child modules in
 * registration order, with dotted names ("features.0.weight"); parameters(), namedParameters(), stateDict() /
 * loadStateDict(), train() / eval(). Subclasses implement forward().
 */
export abstract class Module {
  /** Training mode (dropout active, batch statistics in BatchNorm). */
  training = true;
  private readonly _params = new Map<string, Tensor>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _children = new Map<string, Module>();

  abstract forward(x: Tensor, ...rest: Tensor[]): Tensor;

  /** Registers a trainable parameter (made persistent and gradient-tracking). */
  protected param(name: string, t: Tensor): Tensor {
    t.keep().requiresGrad_(true);
    this._params.set(name, t);
    return t;
  }

  /** Registers a buffer: saved in the state dict, not trained. */
  protected buffer(name: string, t: Tensor): Tensor {
    t.keep();
    this._buffers.set(name, t);
    return t;
  }

  /** Registers a child module. */
  protected child<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new TypeError(`${this.constructor.name}: child "${name}" is not a Module`);
    this._children.set(name, m);
    return m;
  }

  /** Replaces the tensor of a registered buffer (for modules that update state out of place). */
  protected setBuffer(name: string, t: Tensor): void {
    if (!this._buffers.has(name)) throw new Error(`${this.constructor.name}: no buffer named ${name}`);
    this._buffers.set(name, t.keep());
  }

  /**
   * A table of the modules (dotted path, class, own parameters with their shapes) and the total, like
   * Keras' summary(): one line per module that holds parameters or buffers, then the count.
   */
  summary(): string {
    const rows: string[][] = [['module', 'type', 'parameters', 'tensors']];
    for (const [path, m] of this.namedModules()) {
      const own = [...m._params].map(([n, t]) => `${n} ${fmt(t.shape)}`).concat([...m._buffers].map(([n, t]) => `${n} ${fmt(t.shape)} (buffer)`));
      if (!own.length) continue;
      const count = [...m._params.values()].reduce((a, t) => a + t.size, 0);
      rows.push([path || '(root)', m.constructor.name, count.toLocaleString('en-US'), own.join(', ')]);
    }
    const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
    const line = (r: string[]) => r.map((c, j) => (j === 2 ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join('  ').trimEnd();
    return [`${this.constructor.name}: ${this.parameterCount().toLocaleString('en-US')} parameters`, ...rows.map(line)].join('\n');
  }

  /** console.log / util.inspect in Node print the class and its parameter count. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.constructor.name} (${this.parameterCount().toLocaleString('en-US')} parameters; .summary() lists them)`;
  }

  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [n, c] of this._children) yield* c.namedModules(prefix ? `${prefix}.${n}` : n);
  }

  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules()) for (const [n, t] of m._params) out.push([p ? `${p}.${n}` : n, t]);
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules()) for (const [n, t] of m._buffers) out.push([p ? `${p}.${n}` : n, t]);
    return out;
  }

  /** Number of trainable values. */
  parameterCount(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Parameters and buffers by name (the tensors themselves, not copies). */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values into this module's parameters and buffers. Every name and shape is checked before
   * anything is written, so a mismatch never leaves a half-loaded module.
   */
  loadStateDict(state: Map<string, Tensor | Float32Array> | Record<string, Tensor | Float32Array>, strict = true): void {
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const problems: string[] = [];
    for (const [name, t] of own) {
      const v = entries.get(name);
      if (v === undefined) {
        if (strict) problems.push(`missing ${name} (shape ${fmt(t.shape)})`);
        continue;
      }
      const len = v instanceof Tensor ? v.size : v.length;
      if (v instanceof Tensor ? !sameShape(v.shape, t.shape) : len !== t.size)
        problems.push(`${name}: got ${v instanceof Tensor ? `shape ${fmt(v.shape)}` : `${len} values`}, expected shape ${fmt(t.shape)}`);
    }
    if (strict) for (const name of entries.keys()) if (!own.has(name)) problems.push(`unexpected ${name}`);
    if (problems.length)
      throw new Error(`${this.constructor.name}.loadStateDict: ${problems.length} problem(s): ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? '; ...' : ''}`);
    for (const [name, t] of own) {
      const v = entries.get(name);
      if (v !== undefined) t.assign_(v);
    }
  }

  /** Calls forward (so a module can be used like a function: model.call(x)). */
  call(x: Tensor, ...rest: Tensor[]): Tensor {
    return this.forward(x, ...rest);
  }
}
