// Which kernel build is in use. initSync()/init() pick the SIMD build when WebAssembly.validate accepts
// it and its numeric self-test passes, else the scalar build; `{ build: 'simd' | 'scalar' }` forces one.
// The kernel set (full, or forward kernels only) is the one registered when they run
// (src/wasm/source.ts): 'ecgrad' registers the full set, 'ecgrad/infer' alone the inference set.
import {
  instantiate, instantiateSync, selfTest, simdSupported, type Backend, type BuildName,
} from '../wasm/backend.ts';
import { kernelSource, type KernelSet, type KernelSource } from '../wasm/source.ts';

export type BuildChoice = BuildName | 'auto';

export interface InitOptions {
  /** 'auto' (default): SIMD when supported and self-tested, else scalar. */
  build?: BuildChoice;
  /**
   * Replace a backend that is already initialised (for example to switch builds). Tensors created
   * before become unusable (accessing them throws).
   */
  force?: boolean;
}

export interface BackendInfo {
  build: BuildName;
  /** 'full' (every kernel) or 'infer' (forward kernels only: 'ecgrad/infer' imported without 'ecgrad'). */
  kernels: KernelSet;
  simdSupported: boolean;
  /** Why the SIMD build was not chosen, when it was not. */
  fallbackReason?: string;
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

export function isInitialised(): boolean {
  return current !== null;
}

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

function install(source: KernelSource, b: Backend, fallbackReason?: string): BackendInfo {
  current = b;
  argsPtr = b.alloc(256);
  workPtr = 0;
  workBytes = 0;
  info = { build: b.build, kernels: b.kernels, simdSupported: simdSupported(source), ...(fallbackReason ? { fallbackReason } : {}) };
  return backendInfo();
}

function checked(b: Backend): Backend {
  const failure = selfTest(b);
  if (failure) throw new Error(`the ${b.build} kernel build failed its self-test: ${failure}`);
  return b;
}

/** Synchronous initialisation (Node, workers; browsers' main threads only allow small modules sync). */
export function initSync(opts: InitOptions = {}): BackendInfo {
  return alreadyDone(opts) ?? initSyncFrom(kernelSource(), opts);
}

/** Asynchronous initialisation (works everywhere, including browsers' main threads). */
export async function init(opts: InitOptions = {}): Promise<BackendInfo> {
  return alreadyDone(opts) ?? (await initFrom(kernelSource(), opts));
}

/** @internal initSync() with a given kernel set instead of the registered one (tests compare the sets). */
export function initSyncFrom(source: KernelSource, opts: InitOptions = {}): BackendInfo {
  const done = alreadyDone(opts, source);
  if (done) return done;
  const want = opts.build ?? 'auto';
  if (want !== 'auto') return install(source, checked(instantiateSync(want, source)));
  if (!simdSupported(source)) return install(source, checked(instantiateSync('scalar', source)), 'WebAssembly SIMD is not supported here');
  try {
    return install(source, checked(instantiateSync('simd', source)));
  } catch (e) {
    return install(source, checked(instantiateSync('scalar', source)), (e as Error).message);
  }
}

/** @internal init() with a given kernel set instead of the registered one. */
export async function initFrom(source: KernelSource, opts: InitOptions = {}): Promise<BackendInfo> {
  const done = alreadyDone(opts, source);
  if (done) return done;
  const want = opts.build ?? 'auto';
  if (want !== 'auto') return install(source, checked(await instantiate(want, source)));
  if (!simdSupported(source)) return install(source, checked(await instantiate('scalar', source)), 'WebAssembly SIMD is not supported here');
  try {
    return install(source, checked(await instantiate('simd', source)));
  } catch (e) {
    return install(source, checked(await instantiate('scalar', source)), (e as Error).message);
  }
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
