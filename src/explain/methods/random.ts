// Random attributions (uniform in [−1, 1], seeded): the control of the faithfulness curves.
import { Rng } from '../../core/random.ts';
import { type ExplainedModel, resolveTargets } from '../classifier.ts';
import { type Attribution, type CommonOptions, makeAttribution } from '../gradient.ts';
import { methodSpec } from '../spec.ts';

/** Random attributions (uniform in [−1, 1], seeded): the control of the faithfulness curves. */
export function randomAttribution(clf: ExplainedModel, x: Float32Array, opts: CommonOptions & { seed?: number } = {}): Attribution {
  const targets = resolveTargets(clf, x, opts.rr, opts.targets);
  const rng = new Rng(opts.seed ?? 12345);
  const v = new Float32Array(x.length);
  for (let i = 0; i < v.length; i++) v[i] = 2 * rng.uniform() - 1;
  return makeAttribution(clf, 'random', v, targets);
}

export const randomSpec = methodSpec({
  name: 'random', description: 'random attribution (control)',
  attribute: (clf, x, opts) => randomAttribution(clf, x, opts),
  control: true,
});
