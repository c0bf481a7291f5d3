// The spec of a classical classifier: its registry name, how to make one with default hyperparameters
// and how to rebuild a fitted one from its saved state. Each classifier file exports its spec (made with
// classifierSpec); registry.ts lists them.
import type { Spec } from '../core/registry.ts';
import type { ClassifierState } from './format.ts';
import type { Classifier } from './types.ts';

/**
 * A registry entry of a classical classifier: its name, label and default hyperparameters, how to create one
 * and how to rebuild a fitted one from its saved state.
 */
export interface ClassifierSpec<N extends string = string> extends Spec<N> {
  /** Human-readable name for tables. */
  readonly label: string;
  /** Default hyperparameters (chosen on the intra validation split, see docs/classic.md). */
  readonly defaults: Record<string, unknown>;
  /**
   * False for the published-method reproductions that belong with their own feature set (dechazal2004,
   * mondejar2019): `compare` trains them only when named.
   */
  readonly inComparison: boolean;
  /** A new, unfitted classifier with the defaults overridden by `params`. */
  create(params?: Record<string, unknown>): Classifier;
  /** Rebuilds a fitted classifier from its saved state. */
  fromState(state: ClassifierState): Classifier;
}

/** A classifier class: constructed from (partial) hyperparameters, rebuilt from a saved state. */
export interface ClassifierClass<P> {
  new (params?: Partial<P>): Classifier;
  fromState(state: ClassifierState): Classifier;
}

/**
 * The spec of classifier class `classifier` under `name`, with `defaults` overriding the class's own
 * defaults (the spec's `defaults` are the resulting full hyperparameters).
 */
export function classifierSpec<const N extends string, P extends object>(s: {
  name: N;
  label: string;
  description: string;
  classifier: ClassifierClass<P>;
  defaults?: Partial<P>;
  inComparison?: boolean;
}): ClassifierSpec<N> {
  const { classifier: C, defaults = {} } = s;
  return {
    name: s.name,
    label: s.label,
    description: s.description,
    defaults: { ...new C(defaults).getParams() },
    inComparison: s.inComparison !== false,
    create: (params = {}) => new C({ ...defaults, ...params } as Partial<P>),
    fromState: (state) => C.fromState(state),
  };
}
