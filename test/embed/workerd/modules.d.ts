// What workerd gives for the worker's module imports (test/embed/workerd/worker.ts).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
