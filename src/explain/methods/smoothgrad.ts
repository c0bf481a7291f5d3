// SmoothGrad: the gradient averaged over noisy copies of the beat (gradient.ts).
import { smoothGrad } from '../gradient.ts';
import { methodSpec } from '../spec.ts';

export const smoothGradSpec = methodSpec({
  name: 'smoothgrad', description: 'gradient averaged over noisy copies (Smilkov et al. 2017)',
  attribute: (clf, x, opts) => smoothGrad(clf, x, opts),
});
