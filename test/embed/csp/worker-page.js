// Starts test/embed/csp/worker.js and hands it the model and the beats; its answer goes to window.result.
const kernels = new URLSearchParams(location.search).get('kernels');
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  window.result = data;
};
const model = await (await fetch('/model.ecgm')).arrayBuffer();
worker.postMessage({ kernels, model, ...window.input });
