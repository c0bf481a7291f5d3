// Grad-CAM: the class activation map of a convolutional layer (gradcam.ts); only for models that have one.
import { convLayers, gradCam } from '../gradcam.ts';
import { methodSpec } from '../spec.ts';

export const gradCamSpec = methodSpec({
  name: 'grad-cam', description: 'class activation map of a convolutional layer (Selvaraju et al. 2017)',
  attribute: (clf, x, opts) => gradCam(clf, x, opts),
  unavailable: (clf) => (convLayers(clf.model).length ? undefined : 'no convolutional layer'),
});
