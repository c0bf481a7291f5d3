// GradientSHAP (expected gradients) over a background set (shap.ts). Without a background it uses the
// baseline's beats when the baseline is given as beats, else the mean beat, else an all-zero beat.
import { gradientShap } from '../shap.ts';
import { methodSpec } from '../spec.ts';

export const gradientShapSpec = methodSpec({
  name: 'gradient-shap', description: 'expected gradients over a background set (Lundberg & Lee 2017; Erion et al. 2021)',
  attribute(clf, x, opts) {
    let background = opts.background;
    if (!background) {
      if (opts.baseline instanceof Float32Array) background = opts.baseline;
      else if (opts.meanBeat) background = opts.meanBeat;
      else background = new Float32Array(clf.beatSize);
    }
    return gradientShap(clf, x, { ...opts, background });
  },
});
