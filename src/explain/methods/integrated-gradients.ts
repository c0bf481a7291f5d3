// Integrated Gradients: the path integral of gradients from a baseline (integrated-gradients.ts).
import { integratedGradients } from '../integrated-gradients.ts';
import { methodSpec } from '../spec.ts';

export const integratedGradientsSpec = methodSpec({
  name: 'integrated-gradients', description: 'path integral of gradients from a baseline (Sundararajan et al. 2017)',
  attribute: (clf, x, opts) => integratedGradients(clf, x, opts),
});
