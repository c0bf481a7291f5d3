// Child process of wasm-input.test.ts: every case re-initialises ecgrad (force) with kernels handed over
// through init({ wasm }) / initSync({ wasm }), which would invalidate the tensors other test files
// hold, so it runs alone. Prints one line "WASM_INPUT_RESULT <json>".
// Usage: node --import tsx test/embed/wasm-input-child.ts <mode>
//   infer             ecgrad/infer: every kind of input (Module, bytes, URL, string, Response, Promise),
//                     builds, fallbacks and errors; results equal the embedded kernels'
//   full              ecgrad (the full library): refuses the inference kernels, takes the full ones
//   no-finalization   FinalizationRegistry removed before import: import, init, a training loop and
//                     repeated inference keep memory flat; kept tensors are not freed
//   refused           WebAssembly compilation from bytes refused as workerd refuses it: the error says
//                     what to pass instead
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const mode = process.argv[2];
const result: Record<string, unknown> = { mode };
const root = join(import.meta.dirname, '..', '..');
const wasmFile = (name: string) => new Uint8Array(readFileSync(join(root, 'dist', 'wasm', name)));

async function message(f: () => unknown): Promise<string> {
  try {
    await f();
    return '(no error)';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** A local server for the .wasm files: /<name> with application/wasm, /plain/<name> with no type. */
async function serve(): Promise<{ url: string; close: () => void; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url!);
    const plain = req.url!.startsWith('/plain/');
    const name = req.url!.replace(/^\/(plain\/)?/, '');
    if (!/^ecgrad(-infer)?\.(simd|scalar)\.wasm$/.test(name)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, plain ? {} : { 'content-type': 'application/wasm' }).end(wasmFile(name));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close(), hits };
}

const beats = Float32Array.from({ length: 4 * 187 }, (_, i) => Math.sin(i / 7) * Math.cos(i / 31));
const rr = Float32Array.from({ length: 4 * 6 }, (_, i) => 0.6 + 0.05 * (i % 6));

if (mode === 'infer') {
  const infer = await import('../../src/infer/index.ts');
  const model = new Uint8Array(readFileSync(join(root, 'models', 'ft-cnn-intra-rr.ecgm')));
  const classify = () => {
    const { pred, probs } = infer.loadClassifier(model).classify(beats, rr);
    return [...pred, ...probs];
  };
  const info = (i: ReturnType<typeof infer.backendInfo>) => `${i.build} ${i.kernels} ${i.wasm}${i.fallbackReason ? ` (fallback: ${i.fallbackReason.slice(0, 60)})` : ''}`;
  const simd = wasmFile('ecgrad-infer.simd.wasm'), scalar = wasmFile('ecgrad-infer.scalar.wasm');
  const cases: Record<string, string> = {};
  const outputs: Record<string, number[]> = {};

  infer.initSync({ build: 'simd' });
  outputs['embedded simd'] = classify();
  infer.initSync({ build: 'scalar', force: true });
  outputs['embedded scalar'] = classify();

  const srv = await serve();
  let streamed = 0;
  const compileStreaming = WebAssembly.compileStreaming;
  WebAssembly.compileStreaming = (r) => {
    streamed++;
    return compileStreaming(r);
  };
  const run = async (name: string, f: () => unknown) => {
    try {
      const i = (await f()) as ReturnType<typeof infer.backendInfo>;
      cases[name] = info(i);
      outputs[name] = classify();
    } catch (e) {
      cases[name] = `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  await run('initSync bytes pair', () => infer.initSync({ force: true, wasm: { simd, scalar } }));
  await run('initSync Module', () => infer.initSync({ force: true, wasm: new WebAssembly.Module(scalar) }));
  await run('initSync ArrayBuffer', () => infer.initSync({ force: true, wasm: simd.slice().buffer }));
  await run('initSync forced scalar of a pair', () => infer.initSync({ force: true, build: 'scalar', wasm: { simd, scalar } }));
  await run('initSync build mismatch', () => infer.initSync({ force: true, build: 'simd', wasm: scalar }));
  await run('initSync missing build', () => infer.initSync({ force: true, build: 'simd', wasm: { scalar } }));
  await run('initSync URL', () => infer.initSync({ force: true, wasm: `${srv.url}ecgrad-infer.simd.wasm` }));
  await run('init bytes', () => infer.init({ force: true, wasm: scalar }));
  await run('init string URL (streaming)', () => infer.init({ force: true, wasm: `${srv.url}ecgrad-infer.simd.wasm` }));
  cases.streamedAfterString = String(streamed);
  await run('init URL object pair', () => infer.init({ force: true, wasm: { simd: new URL(`${srv.url}ecgrad-infer.simd.wasm`), scalar: new URL(`${srv.url}ecgrad-infer.scalar.wasm`) } }));
  await run('init fetch() promise, no content type', () => infer.init({ force: true, wasm: fetch(`${srv.url}plain/ecgrad-infer.scalar.wasm`) }));
  cases.streamedAfterPlain = String(streamed);
  await run('init Response', () => infer.init({ force: true, wasm: new Response(simd) }));
  await run('init Promise of a Module', () => infer.init({ force: true, wasm: WebAssembly.compile(scalar) }));
  await run('init bad SIMD bytes, good scalar', () => infer.init({ force: true, wasm: { simd: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 9]), scalar } }));
  await run('init 404', () => infer.init({ force: true, wasm: `${srv.url}nothing.wasm` }));
  await run('init not a kernel module', () => infer.init({ force: true, wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) }));
  await run('init a number', () => infer.init({ force: true, wasm: 42 as never }));
  await run('init the full kernels under ecgrad/infer', () => infer.init({ force: true, wasm: wasmFile('ecgrad.simd.wasm') }));
  cases.hits = srv.hits.join(' ');
  srv.close();
  // Already initialised: a second init() without force returns the backend it has.
  infer.initSync({ force: true, wasm: scalar });
  cases['second init without force'] = info(await infer.init({ wasm: simd }));
  result.cases = cases;
  result.outputs = outputs;
} else if (mode === 'full') {
  const lib = await import('../../src/all.ts');
  result.inferUnderFull = await message(() => lib.initSync({ wasm: { simd: wasmFile('ecgrad-infer.simd.wasm'), scalar: wasmFile('ecgrad-infer.scalar.wasm') } }));
  result.isInitialised = lib.isInitialised();
  const i = await lib.init({ wasm: { simd: wasmFile('ecgrad.simd.wasm'), scalar: wasmFile('ecgrad.scalar.wasm') } });
  result.info = `${i.build} ${i.kernels} ${i.wasm}`;
  const w = lib.randn([3], { seed: 1, requiresGrad: true });
  w.mul(w).sum().backward();
  result.grad = Array.from(w.grad!.data()).map((g, k) => Math.abs(g - 2 * w.data()[k]!) < 1e-6);
} else if (mode === 'no-finalization') {
  (globalThis as { FinalizationRegistry?: unknown }).FinalizationRegistry = undefined;
  const lib = await import('../../src/all.ts');
  const infer = await import('../../src/infer/index.ts');
  const { TinyMLP, crossEntropy, twoSpirals } = await import('../helpers/mlp.ts');
  const i = lib.initSync({ wasm: { simd: wasmFile('ecgrad.simd.wasm'), scalar: wasmFile('ecgrad.scalar.wasm') } });
  result.gcFreesTensors = i.gcFreesTensors;
  // A training loop: inputs made every step, a backward and an optimizer step; memory stops growing.
  const { x, onehot } = twoSpirals(32);
  const model = new TinyMLP([2, 16, 16, 2], 3);
  const opt = new lib.SGD(model.params, { lr: 0.05, momentum: 0.9 });
  const live: number[] = [], wasm: number[] = [];
  for (let step = 1; step <= 600; step++) {
    const loss = crossEntropy(model.forward(lib.fromArray(x, [64, 2])), lib.fromArray(onehot, [64, 2]));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (step % 100 === 0) {
      live.push(lib.memoryStats().liveBytes);
      wasm.push(lib.memoryStats().wasmBytes);
    }
  }
  result.trainLive = live;
  result.trainWasm = wasm;
  // Inference: one classifier, many calls; then kept tensors, which nothing frees in this mode.
  const clf = infer.loadClassifier(new Uint8Array(readFileSync(join(root, 'models', 'ft-cnn-intra-rr.ecgm'))));
  const inferLive: number[] = [];
  for (let k = 0; k < 30; k++) {
    clf.classify(beats, rr);
    if (k % 10 === 9) inferLive.push(lib.memoryStats().liveBytes);
  }
  result.inferLive = inferLive;
  const before = lib.memoryStats().liveBytes;
  for (let k = 0; k < 10; k++) lib.zeros([1000]).keep();
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  await new Promise((done) => setTimeout(done, 20));
  result.keptGrowth = lib.memoryStats().liveBytes - before;
  // Replacing the backend starts from an empty memory.
  lib.initSync({ force: true, wasm: wasmFile('ecgrad.scalar.wasm') });
  result.afterForce = lib.memoryStats().liveBytes;
} else if (mode === 'refused') {
  // What workerd does: compiling ecgrad's kernel bytes throws; a compiled Module still instantiates.
  // (Only the kernels are refused: Node compiles wasm of its own, undici's HTTP parser.)
  const simdBytes = wasmFile('ecgrad-infer.simd.wasm'), scalarBytes = wasmFile('ecgrad-infer.scalar.wasm');
  const isKernel = (b: unknown) => ArrayBuffer.isView(b) && (b.byteLength === simdBytes.length || b.byteLength === scalarBytes.length);
  const refusal = () => new WebAssembly.CompileError('WebAssembly.Module(): Wasm code generation disallowed by embedder');
  const simdModule = new WebAssembly.Module(simdBytes), scalarModule = new WebAssembly.Module(scalarBytes);
  const real = { Module: WebAssembly.Module, compile: WebAssembly.compile, instantiate: WebAssembly.instantiate };
  WebAssembly.Module = new Proxy(real.Module, {
    construct(target, args) {
      if (isKernel(args[0])) throw refusal();
      return new target(args[0]);
    },
  });
  WebAssembly.compile = (b) => (isKernel(b) ? Promise.reject(refusal()) : real.compile(b));
  WebAssembly.instantiate = ((b: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports) =>
    isKernel(b) ? Promise.reject(refusal()) : real.instantiate(b as BufferSource, imports)) as typeof WebAssembly.instantiate;
  const infer = await import('../../src/infer/index.ts');
  result.initSync = await message(() => infer.initSync());
  result.init = await message(() => infer.init());
  const i = await infer.init({ wasm: { simd: simdModule, scalar: scalarModule } });
  result.info = `${i.build} ${i.kernels} ${i.wasm}`;
  result.classes = Array.from(infer.loadClassifier(new Uint8Array(readFileSync(join(root, 'models', 'ft-cnn-intra-rr.ecgm')))).classify(beats, rr).pred);
  Object.assign(WebAssembly, real);
}

console.log(`WASM_INPUT_RESULT ${JSON.stringify(result)}`);
