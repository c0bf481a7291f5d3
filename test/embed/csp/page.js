// The page of test/embed/csp.test.ts, as docs/embedding.md shows it for a bundler (esbuild with
// --loader:.wasm=file: importing a .wasm file gives its URL): ?kernels=embedded initialises from the
// embedded bytes, ?kernels=files from the package's .wasm files, fetched and compiled while streaming.
// Classifies the beats the test puts in window.input; the result goes to window.result.
import { backendInfo, init, loadClassifier } from 'ecgrad/infer';
import simd from 'ecgrad/wasm/ecgrad-infer.simd.wasm';
import scalar from 'ecgrad/wasm/ecgrad-infer.scalar.wasm';

const kernels = new URLSearchParams(location.search).get('kernels');
try {
  await (kernels === 'files' ? init({ wasm: { simd, scalar } }) : init());
  const model = new Uint8Array(await (await fetch('/model.ecgm')).arrayBuffer());
  const { pred, probs } = loadClassifier(model).classify(new Float32Array(window.input.beats), new Float32Array(window.input.rr));
  window.result = { info: backendInfo(), pred: Array.from(pred), probs: Array.from(probs) };
} catch (e) {
  window.result = { error: String(e) };
}
