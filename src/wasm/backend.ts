// Instantiates a kernel build (relaxed SIMD, SIMD or scalar) of the registered kernel set (src/wasm/source.ts: the
// full set, or the inference set's forward kernels only) and gives typed, growth-safe access to its
// memory. Views are re-created whenever memory.buffer changes (memory.grow detaches the old
// ArrayBuffer), so no caller ever holds a stale view across an allocation.
import { Allocator, type AllocatorStats } from './allocator.ts';
import { bindKernels, KERNELS, type Kernels } from './kernels.ts';
import { kernelSource, type KernelSet, type KernelSource } from './source.ts';
import { BinaryOp } from './opcodes.ts';

/**
 * 'relaxed': SIMD plus relaxed SIMD (f32x4.relaxed_madd in the inner products, assembly/fma.ts; results
 * differ from 'simd' by rounding); 'simd': WebAssembly SIMD; 'scalar': no SIMD. 'simd' and 'scalar' agree
 * bit for bit.
 */
export type BuildName = 'relaxed' | 'simd' | 'scalar';

/** A build's embedded bytes (decoded once: src/wasm/embedded.ts). */
export function wasmBytes(build: BuildName, source: KernelSource = kernelSource()): Uint8Array {
  const bytes = source[build];
  if (bytes === undefined)
    throw new Error(
      `the ${source.set === 'full' ? 'full' : 'inference'} kernel set has no ${build} build registered: ` +
        (source.set === 'full' ? "import 'ecgrad/all' or 'ecgrad/node' (they register it), or pass" : 'pass') +
        ` it as init({ wasm: { ${build}, simd, scalar } }) (ecgrad/wasm/${source.set === 'full' ? 'ecgrad' : 'ecgrad-infer'}.${build}.wasm)`,
    );
  return bytes();
}

export const imports = {
  env: {
    abort(_msg: number, _file: number, line: number, col: number) {
      throw new Error(`ecgrad kernel aborted at ${line}:${col}`);
    },
  },
};

export class Backend {
  readonly allocator: Allocator;
  private buffer: ArrayBuffer | null = null;
  private f32view = new Float32Array(0);
  private i32view = new Int32Array(0);
  /** The kernel thread pool splitting this backend's large calls (null: one thread; src/wasm/threaded-backend.ts). */
  pool: { readonly size: number; close(): void } | null = null;

  constructor(
    readonly build: BuildName,
    readonly k: Kernels,
    /** Which kernel set the instance came from ('infer': forward kernels only). */
    readonly kernels: KernelSet = 'full',
  ) {
    this.allocator = new Allocator(k.memory, k.heapBase());
  }

  get memory(): WebAssembly.Memory {
    return this.k.memory;
  }

  alloc(bytes: number): number {
    return this.allocator.alloc(bytes);
  }

  free(ptr: number): void {
    this.allocator.free(ptr);
  }

  stats(): AllocatorStats {
    return this.allocator.stats();
  }

  private refresh(): void {
    const buf = this.k.memory.buffer;
    if (buf !== this.buffer) {
      this.buffer = buf as ArrayBuffer;
      this.f32view = new Float32Array(buf);
      this.i32view = new Int32Array(buf);
    }
  }

  /** A view over `len` floats at `ptr`. Valid only until the next allocation: use it at once. */
  f32(ptr: number, len: number): Float32Array {
    this.refresh();
    return this.f32view.subarray(ptr >>> 2, (ptr >>> 2) + len);
  }

  /** A view over `len` int32 at `ptr`. Valid only until the next allocation: use it at once. */
  i32(ptr: number, len: number): Int32Array {
    this.refresh();
    return this.i32view.subarray(ptr >>> 2, (ptr >>> 2) + len);
  }

  /** Whole-memory f32 view (for indexed access in hot loops); re-fetch after any allocation. */
  heapF32(): Float32Array {
    this.refresh();
    return this.f32view;
  }
}

// Calls go straight to the instance's exported functions (numbers only); the modules import nothing
// (runtime stub, no asserts), so no glue code is needed to instantiate them.
function wrap(build: BuildName, source: KernelSource, instance: WebAssembly.Instance): Backend {
  return new Backend(build, bindKernels(instance.exports, source.set), source.set);
}

const KERNELS_OF_FULL = Object.keys(KERNELS).filter((k) => KERNELS[k as keyof typeof KERNELS] === 'training');

/**
 * A Backend over an instance of a module given by the user (src/wasm/input.ts): its build and kernel
 * set are asked of the module (simdBuild(); the training kernels are there or not), and a module that
 * lacks one of the forward kernels (not ecgrad's, or another version's) is refused.
 */
function wrapGiven(instance: WebAssembly.Instance, what: string): Backend {
  const ex = instance.exports as Record<string, unknown>;
  const missing = Object.keys(KERNELS).find((k) => KERNELS[k as keyof typeof KERNELS] === 'forward' && typeof ex[k] !== 'function');
  if (missing || !(ex.memory instanceof WebAssembly.Memory))
    throw new Error(`ecgrad: ${what} is not an ecgrad kernel module of this version (it has no '${missing ?? 'memory'}' export): use the package's ecgrad/wasm/*.wasm files`);
  const set: KernelSet = KERNELS_OF_FULL.every((k) => typeof ex[k] === 'function') ? 'full' : 'infer';
  const simd = (ex.simdBuild as () => number)();
  return new Backend(simd === 2 ? 'relaxed' : simd ? 'simd' : 'scalar', bindKernels(instance.exports, set), set);
}

/** Instantiates a compiled kernel module given by the user (initSync({ wasm })). */
export function instantiateGivenSync(mod: WebAssembly.Module, what: string): Backend {
  return wrapGiven(new WebAssembly.Instance(mod, imports), what);
}

/** Instantiates a compiled kernel module given by the user (init({ wasm })). */
export async function instantiateGiven(mod: WebAssembly.Module, what: string): Promise<Backend> {
  return wrapGiven(await WebAssembly.instantiate(mod, imports), what);
}

export function instantiateSync(build: BuildName, source: KernelSource = kernelSource()): Backend {
  const mod = new WebAssembly.Module(wasmBytes(build, source) as BufferSource);
  return wrap(build, source, new WebAssembly.Instance(mod, imports));
}

export async function instantiate(build: BuildName, source: KernelSource = kernelSource()): Promise<Backend> {
  const { instance } = await WebAssembly.instantiate(wasmBytes(build, source) as BufferSource, imports);
  return wrap(build, source, instance);
}

export function simdSupported(source: KernelSource = kernelSource()): boolean {
  try {
    return WebAssembly.validate(wasmBytes('simd', source) as BufferSource);
  } catch {
    return false;
  }
}

/**
 * The smallest module using relaxed SIMD: one function computing f32x4.relaxed_madd of three v128
 * constants (opcode 0xfd 0x105). Validated instead of the relaxed kernel build, so the answer costs
 * nothing and does not depend on the kernel set embedding one.
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x3d, 0x01, 0x3b, 0x00, // code section: one body of 59 bytes, no locals
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]), // three v128.const 0
  0xfd, 0x85, 0x02, 0x0b, // f32x4.relaxed_madd, end
]);

/**
 * Whether this runtime compiles relaxed SIMD (Chrome 114+ and Node 22+ by default; Node 20 only with
 * --experimental-wasm-relaxed-simd, docs/kernels.md).
 */
export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(RELAXED_PROBE as BufferSource);
  } catch {
    return false;
  }
}

/**
 * A tiny numeric self-test run on a freshly instantiated build before it is used: a small GEMM and a
 * broadcast add against plain JS (forward kernels, in both kernel sets). Returns a description of the
 * first disagreement, or null.
 */
export function selfTest(b: Backend): string | null {
  const M = 3, N = 5, K = 7;
  const A = Array.from({ length: M * K }, (_, i) => ((i * 7) % 11) / 4 - 1);
  const B = Array.from({ length: K * N }, (_, i) => ((i * 5) % 13) / 6 - 1);
  const pa = b.alloc(M * K * 4), pb = b.alloc(K * N * 4), pc = b.alloc(M * N * 4);
  const pw = b.alloc(b.k.gemmWorkSize(M, N, K));
  try {
    b.f32(pa, M * K).set(A);
    b.f32(pb, K * N).set(B);
    b.k.gemm(0, 0, M, N, K, 1, pa, K, pb, N, 0, pc, N, pw);
    const C = b.f32(pc, M * N);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K; p++) s += A[i * K + p]! * B[p * N + j]!;
        if (Math.abs(C[i * N + j]! - s) > 1e-4) return `gemm[${i},${j}] = ${C[i * N + j]} (expected ${s})`;
      }
    const ps = b.alloc(16);
    b.i32(ps, 4).set([M, K, K, 0]); // shape [3,7]; a strides [7,1]; b strides [0,1]
    b.i32(ps + 8, 2).set([K, 1]);
    const pbs = b.alloc(8);
    b.i32(pbs, 2).set([0, 1]);
    b.k.binary(BinaryOp.ADD, pa, pb, pc, 2, ps, ps + 8, pbs);
    const S = b.f32(pc, M * K);
    for (let i = 0; i < M * K; i++) {
      const e = A[i]! + B[i % K]!;
      if (Math.abs(S[i]! - e) > 1e-6) return `add[${i}] = ${S[i]} (expected ${e})`;
    }
    b.free(ps);
    b.free(pbs);
    return null;
  } finally {
    b.free(pa);
    b.free(pb);
    b.free(pc);
    b.free(pw);
  }
}
