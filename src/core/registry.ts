// The one shape of every registry (models, classical classifiers, explanation methods, ...): a spec type
// that extends Spec, one file per entry exporting its spec, and one list of the specs, which a Registry
// looks names up in. Adding an entry is writing its file and putting its spec in the list.

/** What every registry entry has. `N` keeps the entry's literal name (for unions of valid names). */
export interface Spec<N extends string = string> {
  /** The name it is looked up by (on the command line, in files). */
  readonly name: N;
  /** One line for tables and --help. */
  readonly description: string;
}

export interface RegistryOptions {
  /** What one entry is called in messages: "model", "method", "classical classifier". */
  kind: string;
  /** The error for an unknown name (default: a RangeError `unknown <kind> "<name>"; valid <kind>s: a, b, c`). */
  unknown?: (name: string, valid: readonly string[]) => Error;
}

/** Specs by name, in list order. */
export class Registry<S extends Spec> {
  private readonly specs = new Map<string, S>();
  readonly kind: string;
  private readonly unknown: (name: string, valid: readonly string[]) => Error;

  /** `list` is the registry's list of specs; a name appearing twice in it is an error. */
  constructor(list: readonly S[], options: RegistryOptions) {
    this.kind = options.kind;
    this.unknown = options.unknown ?? ((name, valid) => new RangeError(`unknown ${this.kind} "${name}"; valid ${this.kind}s: ${valid.join(', ')}`));
    for (const spec of list) {
      if (this.specs.has(spec.name)) throw new Error(`internal: two ${this.kind}s are named "${spec.name}"`);
      this.specs.set(spec.name, spec);
    }
  }

  /** Adds an entry at run time (tests, plug-ins), replacing any entry of the same name. */
  add(spec: S): void {
    this.specs.set(spec.name, spec);
  }

  /** The spec named `name`; throws the registry's error naming the valid entries when there is none. */
  get(name: string): S {
    const s = this.specs.get(name);
    if (!s) throw this.unknown(name, this.names());
    return s;
  }

  /** The spec named `name`, or undefined. */
  find(name: string): S | undefined {
    return this.specs.get(name);
  }

  has(name: string): name is S['name'] {
    return this.specs.has(name);
  }

  /** The names, in list order (entries added later last). */
  names(): S['name'][] {
    return [...this.specs.keys()];
  }

  /** The specs, in list order. */
  list(): S[] {
    return [...this.specs.values()];
  }
}
