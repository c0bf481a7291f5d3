// Which kernel build is in use. initSync()/init() pick the first of the relaxed-SIMD build (f32x4.relaxed_madd
// in the inner products; full kernel set only), the SIMD build and the scalar build that WebAssembly.validate
// accepts and whose numeric self-test passes; `{ build: 'relaxed' | 'simd' | 'scalar' }` forces one.
// Relaxed SIMD is on by default in Chrome 114+ and Node 22+; Node 20 needs --experimental-wasm-relaxed-simd
// (the ecgrad CLI sets it for itself, bin/ecgrad.js), else the SIMD build runs and fallbackReason says why.
// The kernel set (full, or forward kernels only) is the one registered when they run
// (src/wasm/source.ts): 'ecgrad' registers the full set, 'ecgrad/infer' alone the inference set.
// `{ wasm }` hands over the kernel modules instead of the embedded bytes (src/wasm/input.ts): compiled
// modules for runtimes that refuse to compile at run time (workerd), bytes, a URL or a Response.
import {
  instantiate, instantiateGiven, instantiateGivenSync, instantiateSync, relaxedSimdSupported, selfTest, simdSupported, type Backend,
  type BuildName,
} from '../wasm/backend.ts';
import { compile, compileSync, isBuilds, type WasmBuilds, type WasmInput } from '../wasm/input.ts';
import { threadsProvider } from '../wasm/threads-provider.ts';
import { kernelSource, registeredSet, type KernelSet, type KernelSource } from '../wasm/source.ts';

export type { WasmBuilds, WasmInput } from '../wasm/input.ts';
/**
 * The kernel build to initialise: 'relaxed', 'simd', 'scalar', or 'auto' (the fastest that is supported and
 * passes its self-test).
 */
export type BuildChoice = BuildName | 'auto';

/**
 * Options of initSync() and init(): the build, re-initialisation, and kernels given instead of the embedded
 * ones.
 */
export interface InitOptions {
  /**
   * 'auto' (default): relaxed SIMD (full kernel set only), else SIMD, else scalar, the first that is
   * supported and passes its self-test. 'relaxed' results differ from 'simd' by rounding (fused
   * multiply-add, docs/kernels.md); 'simd' and 'scalar' agree bit for bit.
   */
  build?: BuildChoice;
  /**
   * Replace a backend that is already initialised (for example to switch builds). Tensors created
   * before become unusable (accessing them throws).
   */
  force?: boolean;
  /**
   * The kernels to use instead of the bytes embedded in the package: one build, or `{ relaxed, simd, scalar }`
   * (any of them; the first that compiles and passes its self-test, in that order), each a compiled
   * `WebAssembly.Module`, the bytes, or (init() only) a URL, a string or a `Response`. The files are
   * `ecgrad/wasm/ecgrad-infer.{relaxed,simd,scalar}.wasm` for 'ecgrad/infer' and
   * `ecgrad/wasm/ecgrad.{relaxed,simd,scalar}.wasm` for 'ecgrad' (the full kernels).
   */
  wasm?: WasmInput | WasmBuilds;
  /**
   * Kernel threads, the calling thread included (docs/kernels.md "Threads"): 'auto' (default) is the
   * registered thread factory's default (ecgrad/node: the machine's cores, or ECGRAD_THREADS), at most
   * 8; 1 runs every kernel on the calling thread. More than one needs SharedArrayBuffer, a thread that
   * may block (Node, workers; not a browser's main thread), ecgrad/node imported (its worker factory)
   * and the SIMD or relaxed build; elsewhere one thread runs and backendInfo().threadsReason says why.
   * Results are bit-identical for any thread count.
   */
  threads?: number | 'auto';
}

/** What initSync()/init() selected, as returned by backendInfo(). */
export interface BackendInfo {
  build: BuildName;
  /** 'full' (every kernel) or 'infer' (forward kernels only: 'ecgrad/infer' imported without 'ecgrad'). */
  kernels: KernelSet;
  simdSupported: boolean;
  /**
   * Why a faster build was not chosen, when one was available and not chosen: relaxed SIMD unsupported
   * (Node 20 without --experimental-wasm-relaxed-simd), SIMD unsupported, or a failed self-test.
   */
  fallbackReason?: string;
  /** 'embedded': the package's own bytes; 'provided': the `wasm` option. */
  wasm: 'embedded' | 'provided';
  /**
   * Whether persistent tensors (parameters, buffers, .keep()'d and requiresGrad tensors, optimizer state)
   * are freed once garbage-collected. False where the runtime has no FinalizationRegistry: they then stay
   * until the backend is replaced (init with force); step and scope tensors are freed as everywhere.
   */
  gcFreesTensors: boolean;
  /** Kernel threads in use, the calling thread included (1: every kernel runs on the calling thread). */
  threads: number;
  /**
   * Why fewer kernel threads run than asked for: a count above 1, or 'auto' where a thread factory is
   * registered (ecgrad/node). Under 'auto' without one (the lean root, ecgrad/all, browsers) the default is 1.
   */
  threadsReason?: string;
}

let current: Backend | null = null;
let info: BackendInfo | null = null;
let argsPtr = 0;
let workPtr = 0;
let workBytes = 0;

/** The active backend; throws a clear error when ecgrad has not been initialised. */
export function backend(): Backend {
  if (current === null)
    throw new Error('ecgrad is not initialised: call initSync() (or await init()) before creating tensors');
  return current;
}

/** True once initSync() or init() has selected a backend. */
export function isInitialised(): boolean {
  return current !== null;
}

/**
 * The build, kernel set and fallback reason of the initialised backend (a copy). Throws when ecgrad is not
 * initialised: call initSync() or await init() first.
 */
export function backendInfo(): BackendInfo {
  if (!info) throw new Error('ecgrad is not initialised: call initSync() (or await init()) first');
  return { ...info };
}

function alreadyDone(opts: InitOptions, source?: KernelSource): BackendInfo | null {
  if (!current || opts.force) return null;
  if (source && source.set !== current.kernels)
    throw new Error(`ecgrad is already initialised with the ${current.kernels} kernel set; pass { force: true } to switch`);
  const want = opts.build ?? 'auto';
  if (want !== 'auto' && want !== current.build)
    throw new Error(
      `ecgrad is already initialised with the ${current.build} build; pass { build: '${want}', force: true } to switch ` +
        '(tensors created before become unusable)',
    );
  return backendInfo();
}

function install(b: Backend, fallbackReason: string | undefined, wasm: BackendInfo['wasm'], threadsReason?: string): BackendInfo {
  if (current !== b) current?.pool?.close();
  current = b;
  argsPtr = b.alloc(256);
  workPtr = 0;
  workBytes = 0;
  const source = registeredSet() ? kernelSource() : null;
  info = {
    build: b.build, kernels: b.kernels, simdSupported: b.build !== 'scalar' || (source !== null && simdSupported(source)),
    ...(fallbackReason ? { fallbackReason } : {}), wasm, gcFreesTensors: typeof FinalizationRegistry === 'function',
    threads: b.pool?.size ?? 1, ...(threadsReason ? { threadsReason } : {}),
  };
  return backendInfo();
}

function checked(b: Backend): Backend {
  const failure = selfTest(b);
  if (failure) throw new Error(`the ${b.build} kernel build failed its self-test: ${failure}`);
  return b;
}

/**
 * A given module, checked: its build is the one asked for, its kernel set covers the registered one
 * (the inference kernels cannot serve 'ecgrad', which trains), and it passes the self-test.
 */
function checkedGiven(b: Backend, want: BuildChoice, what: string): Backend {
  if (want !== 'auto' && b.build !== want) throw new Error(`ecgrad: ${what} is the ${b.build} build, not the ${want} build asked for`);
  if (b.kernels === 'infer' && registeredSet() === 'full')
    throw new Error(
      `ecgrad: ${what} holds the inference kernels (ecgrad-infer.*.wasm) but 'ecgrad' (training included) is imported: ` +
        'pass ecgrad/wasm/ecgrad.simd.wasm / ecgrad.scalar.wasm',
    );
  return checked(b);
}

const BEST_FIRST: BuildName[] = ['relaxed', 'simd', 'scalar'];

/** The given builds to try in order: `build` forced, or relaxed, SIMD, scalar; one input stands alone. */
function givenOrder(wasm: WasmInput | WasmBuilds, want: BuildChoice): [string, WasmInput][] {
  if (!isBuilds(wasm)) return [['the wasm option', wasm]];
  const order = want === 'auto' ? BEST_FIRST : [want];
  const list = order.filter((k) => wasm[k] !== undefined).map((k): [string, WasmInput] => [`wasm.${k}`, wasm[k]!]);
  if (!list.length) throw new TypeError(`ecgrad: the wasm option has no ${want === 'auto' ? 'relaxed, simd or scalar' : want} build`);
  return list;
}

function initGivenSync(wasm: WasmInput | WasmBuilds, want: BuildChoice): BackendInfo {
  const list = givenOrder(wasm, want);
  let reason: string | undefined;
  for (const [i, [what, input]] of list.entries())
    try {
      return install(checkedGiven(instantiateGivenSync(compileSync(input, what), what), want, what), reason, 'provided');
    } catch (e) {
      if (i === list.length - 1 || e instanceof TypeError) throw e;
      reason = (e as Error).message;
    }
  throw new Error('unreachable');
}

async function initGiven(wasm: WasmInput | WasmBuilds, want: BuildChoice): Promise<BackendInfo> {
  const list = givenOrder(wasm, want);
  let reason: string | undefined;
  for (const [i, [what, input]] of list.entries())
    try {
      return install(checkedGiven(await instantiateGiven(await compile(input, what), what), want, what), reason, 'provided');
    } catch (e) {
      if (i === list.length - 1 || e instanceof TypeError) throw e;
      reason = (e as Error).message;
    }
  throw new Error('unreachable');
}

/**
 * A refusal to compile (workerd: no code generation at run time; a page whose Content-Security-Policy
 * lacks 'wasm-unsafe-eval'), said with the way out.
 */
function refused(e: unknown): never {
  const m = e instanceof WebAssembly.CompileError ? e.message : '';
  if (/relaxed/i.test(m))
    throw new Error(
      `ecgrad: this runtime does not support WebAssembly relaxed SIMD (${m}): Node 20 needs node --experimental-wasm-relaxed-simd ` +
        "(or require('node:v8').setFlagsFromString('--experimental-wasm-relaxed-simd') before init); otherwise use build 'simd' or 'auto'",
      { cause: e },
    );
  if (/content security policy/i.test(m))
    throw new Error(`ecgrad: this page's Content-Security-Policy forbids WebAssembly (${m}): add 'wasm-unsafe-eval' to its script-src (docs/embedding.md)`, { cause: e });
  if (/disallowed|refused/i.test(m)) {
    const f = `ecgrad/wasm/${kernelSource().set === 'full' ? 'ecgrad' : 'ecgrad-infer'}`;
    throw new Error(
      `ecgrad: this runtime does not compile WebAssembly from bytes (${m}); give it compiled modules: ` +
        `init({ wasm: { simd, scalar } }) with ${f}.simd.wasm and ${f}.scalar.wasm imported as modules (docs/embedding.md)`,
      { cause: e },
    );
  }
  throw e;
}

/**
 * Synchronous initialisation (Node, workers; browsers' main threads only allow small modules sync).
 * `wasm` may be compiled modules or bytes here; a URL or Response needs init().
 */
export function initSync(opts: InitOptions = {}): BackendInfo {
  try {
    return alreadyDone(opts) ?? (opts.wasm ? initGivenSync(opts.wasm, opts.build ?? 'auto') : initSyncFrom(kernelSource(), opts));
  } catch (e) {
    return refused(e);
  }
}

/** Asynchronous initialisation (works everywhere, including browsers' main threads and edge runtimes given `wasm`). */
export async function init(opts: InitOptions = {}): Promise<BackendInfo> {
  return alreadyDone(opts) ?? (await (opts.wasm ? initGiven(opts.wasm, opts.build ?? 'auto') : initFrom(kernelSource(), opts)).catch(refused));
}

/**
 * The embedded builds 'auto' tries, best first, and why the builds it skips were skipped: relaxed SIMD
 * when the set embeds it and the runtime validates relaxed SIMD, SIMD when the runtime validates it, scalar.
 */
function autoOrder(source: KernelSource): { order: BuildName[]; reason?: string } {
  if (!simdSupported(source)) return { order: ['scalar'], reason: 'WebAssembly SIMD is not supported here' };
  if (source.relaxed === undefined) return { order: ['simd', 'scalar'] };
  if (!relaxedSimdSupported())
    return {
      order: ['simd', 'scalar'],
      reason: 'WebAssembly relaxed SIMD is not supported here (Node 20: run node with --experimental-wasm-relaxed-simd)',
    };
  return { order: ['relaxed', 'simd', 'scalar'] };
}

/** `b` with the kernel threads asked for, when a provider is registered (src/wasm/threads-provider.ts). */
function withThreads(b: Backend, opts: InitOptions): { b: Backend; reason?: string } {
  const want = opts.threads ?? 'auto';
  if (want !== 'auto' && !(Number.isInteger(want) && want >= 1))
    throw new TypeError(`ecgrad: initSync({ threads }) takes a whole number >= 1 or 'auto' (got ${String(want)})`);
  const p = threadsProvider();
  if (p) return p.attach(b, want);
  return want === 'auto' || want === 1 ? { b } : { b, reason: "one kernel thread: import 'ecgrad/node' (Node) for kernel threads" };
}

function installEmbedded(b: Backend, reason: string | undefined, opts: InitOptions): BackendInfo {
  const t = withThreads(b, opts);
  return install(t.b, reason, 'embedded', t.reason);
}

/** @internal initSync() with a given kernel set instead of the registered one (tests compare the sets). */
export function initSyncFrom(source: KernelSource, opts: InitOptions = {}): BackendInfo {
  const done = alreadyDone(opts, source);
  if (done) return done;
  const want = opts.build ?? 'auto';
  if (want !== 'auto') return installEmbedded(checked(instantiateSync(want, source)), undefined, opts);
  const { order, reason: skipped } = autoOrder(source);
  let reason = skipped;
  for (const [i, build] of order.entries())
    try {
      return installEmbedded(checked(instantiateSync(build, source)), reason, opts);
    } catch (e) {
      if (i === order.length - 1) throw e;
      reason = (e as Error).message;
    }
  throw new Error('unreachable');
}

/** @internal init() with a given kernel set instead of the registered one. */
export async function initFrom(source: KernelSource, opts: InitOptions = {}): Promise<BackendInfo> {
  const done = alreadyDone(opts, source);
  if (done) return done;
  const want = opts.build ?? 'auto';
  if (want !== 'auto') return installEmbedded(checked(await instantiate(want, source)), undefined, opts);
  const { order, reason: skipped } = autoOrder(source);
  let reason = skipped;
  for (const [i, build] of order.entries())
    try {
      return installEmbedded(checked(await instantiate(build, source)), reason, opts);
    } catch (e) {
      if (i === order.length - 1) throw e;
      reason = (e as Error).message;
    }
  throw new Error('unreachable');
}

/**
 * Writes up to three i32 vectors (shape and strides) into the backend's argument block and returns their
 * pointers. Valid until the next call.
 */
export function writeArgs(...vectors: number[][]): number[] {
  const b = backend();
  const ptrs: number[] = [];
  let off = argsPtr;
  for (const v of vectors) {
    if (v.length > 16) throw new RangeError(`too many dimensions (${v.length})`);
    b.i32(off, v.length).set(v);
    ptrs.push(off);
    off += 64;
  }
  return ptrs;
}

/** A grow-only scratch block for kernels that need workspace (GEMM panels). Valid until the next call. */
export function workspace(bytes: number): number {
  const b = backend();
  if (bytes > workBytes) {
    if (workPtr) b.free(workPtr);
    workBytes = Math.max(bytes, Math.ceil(workBytes * 1.5));
    workPtr = b.alloc(workBytes);
  }
  return workPtr;
}
