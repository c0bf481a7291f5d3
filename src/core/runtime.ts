// Which kernel build is in use. initSync()/init() pick the SIMD build when WebAssembly.validate accepts
// it and its numeric self-test passes, else the scalar build; `{ build: 'simd' | 'scalar' }` forces one.
import {
  instantiate, instantiateSync, selfTest, simdSupported, type Backend, type BuildName,
} from '../wasm/backend.ts';

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

function alreadyDone(opts: InitOptions): BackendInfo | null {
  if (!current || opts.force) return null;
  const want = opts.build ?? 'auto';
  if (want !== 'auto' && want !== current.build)
    throw new Error(
      `ecgrad is already initialised with the ${current.build} build; pass { build: '${want}', force: true } to switch ` +
        '(tensors created before become unusable)',
    );
  return backendInfo();
}

function install(b: Backend, fallbackReason?: string): BackendInfo {
  current = b;
  argsPtr = b.alloc(256);
  workPtr = 0;
  workBytes = 0;
  info = { build: b.build, simdSupported: simdSupported(), ...(fallbackReason ? { fallbackReason } : {}) };
  return backendInfo();
}

function checked(b: Backend): Backend {
  const failure = selfTest(b);
  if (failure) throw new Error(`the ${b.build} kernel build failed its self-test: ${failure}`);
  return b;
}

/** Synchronous initialisation (Node, workers; browsers' main threads only allow small modules sync). */
export function initSync(opts: InitOptions = {}): BackendInfo {
  const done = alreadyDone(opts);
  if (done) return done;
  const want = opts.build ?? 'auto';
  if (want !== 'auto') return install(checked(instantiateSync(want)));
  if (!simdSupported()) return install(checked(instantiateSync('scalar')), 'WebAssembly SIMD is not supported here');
  try {
    return install(checked(instantiateSync('simd')));
  } catch (e) {
    return install(checked(instantiateSync('scalar')), (e as Error).message);
  }
}

/** Asynchronous initialisation (works everywhere, including browsers' main threads). */
export async function init(opts: InitOptions = {}): Promise<BackendInfo> {
  const done = alreadyDone(opts);
  if (done) return done;
  const want = opts.build ?? 'auto';
  if (want !== 'auto') return install(checked(await instantiate(want)));
  if (!simdSupported()) return install(checked(await instantiate('scalar')), 'WebAssembly SIMD is not supported here');
  try {
    return install(checked(await instantiate('simd')));
  } catch (e) {
    return install(checked(await instantiate('scalar')), (e as Error).message);
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
