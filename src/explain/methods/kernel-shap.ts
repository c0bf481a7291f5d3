// KernelSHAP: model-agnostic Shapley values of contiguous segments of the beat (shap.ts).
import { kernelShapModel } from '../shap.ts';
import { methodSpec } from '../spec.ts';

export const kernelShapSpec = methodSpec({
  name: 'kernel-shap', description: 'model-agnostic Shapley values of contiguous segments (Lundberg & Lee 2017)',
  attribute: (clf, x, opts) => kernelShapModel(clf, x, opts),
});
