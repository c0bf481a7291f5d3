// Which kernel bytes the backend instantiates: a registry filled by side-effect imports, so that a
// bundle holds only the builds its entry point asks for.
//
//   src/wasm/full-kernels.ts   registers the full builds (assembly/index.ts): every kernel, backward
//                              passes and optimizer steps included. Imported by src/index.ts ('ecgrad')
//                              and by every module that needs more than forward passes (optimizers,
//                              explanations, node helpers, the CLI).
//   src/wasm/infer-kernels.ts  registers the inference builds (assembly/infer.ts: forward kernels only).
//                              Imported by src/infer/index.ts ('ecgrad/infer').
//   src/wasm/threads-kernels.ts adds the full set's threads builds (SIMD and relaxed SIMD on imported shared
//                              memory, for the kernel thread pool, src/wasm/threaded.ts): imported by
//                              src/node/kernel-threads.ts (ecgrad/node, the CLI).
//   src/wasm/relaxed-kernels.ts adds the full set's relaxed-SIMD build (f32x4.relaxed_madd; 31 KB gzip,
//                              so not in the lean root): imported by src/all.ts ('ecgrad/all'), src/node
//                              ('ecgrad/node', the training workers) and the CLI.
//
// The full set is a superset of the inference set, so it wins whatever the import order: registering
// the inference set when the full one is there does nothing, and registering the full set replaces the
// inference one. initSync()/init() read the registry when they run, so all that matters is that every
// registration (module evaluation) happens before the first init. A backend initialised with the
// inference set keeps it: its missing kernels throw an error that says so (src/wasm/kernels.ts).

import type { EmbeddedBuild } from './embedded.ts';

export type KernelSet = 'full' | 'infer';

/**
 * One kernel set: its builds, as getters of the embedded bytes (src/wasm/embedded.ts). `relaxed` only for the full
 * set and only once relaxed-kernels.ts is imported (the inference set's relaxed build is the file
 * ecgrad/wasm/ecgrad-infer.relaxed.wasm, for init({ wasm })).
 */
export interface KernelSource {
  readonly set: KernelSet;
  readonly relaxed?: EmbeddedBuild;
  readonly simd: EmbeddedBuild;
  readonly scalar: EmbeddedBuild;
}

let registered: KernelSource | null = null;
let relaxedFull: EmbeddedBuild | undefined;

/** Registers a kernel set; the full set is never replaced by the inference one. */
export function setKernelSource(source: KernelSource): void {
  if (registered?.set === 'full' && source.set === 'infer') return;
  registered = source.set === 'full' && relaxedFull !== undefined && source.relaxed === undefined ? { ...source, relaxed: relaxedFull } : source;
}

/** Adds the full set's relaxed-SIMD build (src/wasm/relaxed-kernels.ts), now or when the full set registers. */
export function setRelaxedBuild(build: EmbeddedBuild): void {
  relaxedFull = build;
  if (registered?.set === 'full' && registered.relaxed === undefined) registered = { ...registered, relaxed: build };
}

/** The full set's threads builds (shared memory; src/wasm/threads-kernels.ts). */
export interface ThreadsBuilds {
  readonly relaxed: EmbeddedBuild;
  readonly simd: EmbeddedBuild;
}

let threadsFull: ThreadsBuilds | null = null;

/** Registers the full set's threads builds (src/wasm/threads-kernels.ts; the kernel thread pool). */
export function setThreadsBuilds(builds: ThreadsBuilds): void {
  threadsFull = builds;
}

/** The threads builds, when registered and the full set is the one in use. */
export function threadsBuilds(): ThreadsBuilds | null {
  return registered?.set === 'full' ? threadsFull : null;
}

/** Which set is registered (null: none yet). */
export function registeredSet(): KernelSet | null {
  return registered?.set ?? null;
}

/** The registered kernel set; throws when nothing registered one (an internal module imported alone). */
export function kernelSource(): KernelSource {
  if (!registered)
    throw new Error(
      "no ecgrad kernel build is registered: import 'ecgrad' (or 'ecgrad/infer' for inference only) " +
        'rather than its internal modules, or import src/wasm/full-kernels.ts first',
    );
  return registered;
}
