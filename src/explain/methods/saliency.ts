// The plain gradient methods: saliency |∂f/∂x|, the signed gradient, and gradient ⊙ input (gradient.ts).
import { saliency } from '../gradient.ts';
import { methodSpec } from '../spec.ts';

export const saliencySpec = methodSpec({
  name: 'saliency', description: '|∂f/∂x| (Simonyan et al. 2014)',
  attribute: (clf, x, opts) => saliency(clf, x, { ...opts, variant: 'saliency' }),
});

export const gradientSpec = methodSpec({
  name: 'gradient', description: 'signed gradient ∂f/∂x',
  attribute: (clf, x, opts) => saliency(clf, x, { ...opts, variant: 'gradient' }),
});

export const gradientXInputSpec = methodSpec({
  name: 'gradient-x-input', description: 'gradient ⊙ input (Shrikumar et al. 2016)',
  attribute: (clf, x, opts) => saliency(clf, x, { ...opts, variant: 'gradient-x-input' }),
});
