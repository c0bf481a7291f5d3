// The module worker of test/embed/csp.test.ts: initSync() on the embedded bytes (workers may compile
// large modules synchronously), or init() from the package's .wasm files (URLs from the bundler,
// resolved against the worker's own URL); then classifies what the page posts.
import { backendInfo, init, initSync, loadClassifier } from 'ecgrad/infer';
import simd from 'ecgrad/wasm/ecgrad-infer.simd.wasm';
import scalar from 'ecgrad/wasm/ecgrad-infer.scalar.wasm';

self.onmessage = async ({ data }) => {
  try {
    if (data.kernels === 'files') await init({ wasm: { simd: new URL(simd, self.location.href), scalar: new URL(scalar, self.location.href) } });
    else initSync();
    const { pred, probs } = loadClassifier(new Uint8Array(data.model)).classify(new Float32Array(data.beats), new Float32Array(data.rr));
    self.postMessage({ info: backendInfo(), pred: Array.from(pred), probs: Array.from(probs) });
  } catch (e) {
    self.postMessage({ error: String(e) });
  }
};
