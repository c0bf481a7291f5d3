// The typed surface of the kernel module's exports (docs/kernels.md). Pointers are byte offsets.
// bindKernels() turns an instance's exports into a Kernels object; a kernel the build lacks (the
// inference build has forward kernels only, see KERNELS) becomes a function that throws a clear error.
import { registeredSet, type KernelSet } from './source.ts';

export interface Kernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  simdBuild(): number;

  gemm(
    transA: number, transB: number, M: number, N: number, K: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number, work: number,
  ): void;
  gemmWorkSize(M: number, N: number, K: number): number;

  binary(op: number, a: number, b: number, out: number, ndim: number, shape: number, aStrides: number, bStrides: number): void;
  unary(op: number, x: number, out: number, n: number, p: number): void;
  unaryBackward(op: number, x: number, y: number, dy: number, dx: number, n: number, p: number): void;
  stridedCopy(src: number, dst: number, ndim: number, shape: number, srcStrides: number, dstStrides: number): void;
  stridedAdd(src: number, dst: number, ndim: number, shape: number, srcStrides: number, dstStrides: number): void;
  fill(dst: number, n: number, value: number): void;
  axpy(n: number, alpha: number, x: number, y: number): void;
  countNonFinite(x: number, n: number): number;

  reduce(op: number, x: number, out: number, outer: number, n: number, inner: number): void;
  argReduce(op: number, x: number, out: number, outer: number, n: number, inner: number): void;
  reduceExtremeBackward(op: number, x: number, y: number, dy: number, dx: number, outer: number, n: number, inner: number): void;
  softmax(x: number, out: number, outer: number, n: number, inner: number): void;
  logSoftmax(x: number, out: number, outer: number, n: number, inner: number): void;
  softmaxBackward(y: number, dy: number, dx: number, outer: number, n: number, inner: number): void;
  logSoftmaxBackward(y: number, dy: number, dx: number, outer: number, n: number, inner: number): void;
  sumSquares(x: number, n: number): number;
  dot(x: number, y: number, n: number): number;

  sgdStep(
    p: number, g: number, buf: number, n: number, lr: number, momentum: number, dampening: number,
    weightDecay: number, nesterov: number, first: number,
  ): void;
  adamStep(
    p: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number,
    eps: number, weightDecay: number, decoupled: number, bc1: number, bc2: number,
  ): void;

  /** Prepacked GEMM A (conv1d Winograd): bytes (0 = not applicable), pack, multiply (see assembly/gemm.ts). */
  gemmPackASize(M: number, K: number): number;
  gemmPackA(transA: number, M: number, K: number, a: number, lda: number, ap: number): void;
  gemmPrepackedA(M: number, N: number, K: number, alpha: number, ap: number, b: number, ldb: number, beta: number, c: number, ldc: number, work: number): void;
  /** op(A) packed whole (the kernel threads' column split): bytes (0 = M < 4), pack, multiply (see assembly/gemm.ts). */
  gemmWholeASize(M: number, K: number): number;
  gemmPackWholeA(transA: number, M: number, K: number, a: number, lda: number, ap: number): void;
  gemmWholeA(transB: number, M: number, N: number, K: number, alpha: number, ap: number, b: number, ldb: number, beta: number, c: number, ldc: number, work: number): void;
  /** op(B) packed whole (the kernel threads' row split): bytes (0 = N < 4), pack, multiply (see assembly/gemm.ts). */
  gemmWholeBSize(N: number, K: number): number;
  gemmPackWholeB(transB: number, N: number, K: number, b: number, ldb: number, bp: number): void;
  gemmWholeB(transA: number, M: number, N: number, K: number, alpha: number, a: number, lda: number, bp: number, beta: number, c: number, ldc: number, work: number): void;

  conv1dScratchSize(B: number, Cin: number, L: number, Cout: number, K: number, stride: number, pad: number, dil: number, groups: number, Lout: number): number;
  /** 1 = automatic (default), 0 = never, 2 = whenever the shape allows. */
  conv1dSetWinograd(mode: number): void;
  conv1dForward(
    x: number, w: number, bias: number, y: number, B: number, Cin: number, L: number, Cout: number, K: number,
    stride: number, pad: number, dil: number, groups: number, Lout: number, scratch: number,
  ): void;
  /** Bytes of conv1dForwardCached's weight cache for this shape (0: the shape never uses one). */
  conv1dWeightCacheSize(Cin: number, Cout: number, K: number, stride: number, dil: number, groups: number): number;
  /** conv1dForward with a weight cache (zero-filled when new): Winograd-transformed weights, recomputed when w changes. */
  conv1dForwardCached(
    x: number, w: number, bias: number, y: number, B: number, Cin: number, L: number, Cout: number, K: number,
    stride: number, pad: number, dil: number, groups: number, Lout: number, scratch: number, cache: number,
  ): void;
  conv1dBackwardData(
    dy: number, w: number, dx: number, B: number, Cin: number, L: number, Cout: number, K: number,
    stride: number, pad: number, dil: number, groups: number, Lout: number, scratch: number,
  ): void;
  conv1dBackwardWeight(
    x: number, dy: number, dw: number, B: number, Cin: number, L: number, Cout: number, K: number,
    stride: number, pad: number, dil: number, groups: number, Lout: number, scratch: number,
  ): void;
  // the kernel thread pool's parts (src/wasm/threaded.ts): samples [b0, b1) / rows [o0, o1) of one pass
  conv1dWinogradChoice(Cin: number, Cout: number, K: number, stride: number, dil: number, groups: number, columns: number): number;
  /** The mode conv1dSetWinograd set. */
  conv1dGetWinograd(): number;
  /** 1 (cache brought up to date) when conv1dForwardCached of B samples takes its cached Winograd path, else 0. */
  /** Kernel threads: the Winograd filter of a split call computed once, and the parts that use it (assembly/conv1d.ts). */
  conv1dWinoFilterSize(O: number, C: number, K: number): number;
  conv1dWinoFilter(w: number, O: number, C: number, K: number, flip: number, dst: number): void;
  conv1dWinoRange(x: number, bias: number, y: number, C: number, Lx: number, O: number, Ly: number, K: number, pad: number, scratch: number, filt: number, b0: number, b1: number): void;
  conv1dCacheRefresh(w: number, B: number, Cin: number, Cout: number, K: number, stride: number, dil: number, groups: number, Lout: number, cache: number): number;
  conv1dForwardCachedRange(
    x: number, w: number, bias: number, y: number, Cin: number, L: number, Cout: number, K: number, pad: number, Lout: number,
    scratch: number, cache: number, b0: number, b1: number,
  ): void;
  fusedConv1dRange(
    x: number, w: number, bias: number, y: number, Cin: number, L: number, Cout: number, K: number, stride: number, pad: number,
    dil: number, groups: number, Lout: number, scratch: number, cache: number, act: number, pool: number, pk: number, ps: number,
    pp: number, Lp: number, chunk: number, b0: number, b1: number, mode: number,
  ): void;
  conv1dForwardRange(
    x: number, w: number, bias: number, y: number, Cin: number, L: number, Cout: number, K: number, stride: number,
    pad: number, dil: number, groups: number, Lout: number, scratch: number, b0: number, b1: number, wino: number,
  ): void;
  conv1dBackwardDataRange(
    dy: number, w: number, dx: number, Cin: number, L: number, Cout: number, K: number, stride: number,
    pad: number, dil: number, groups: number, Lout: number, scratch: number, b0: number, b1: number, wino: number,
  ): void;
  conv1dBackwardWeightRange(
    x: number, dy: number, dw: number, B: number, Cin: number, L: number, Cout: number, K: number, stride: number,
    pad: number, dil: number, groups: number, Lout: number, scratch: number, o0: number, o1: number, wino: number,
  ): void;
  /** This instance's private static scratch (threads build; assembly/threads.ts). */
  threadScratch(block: number): void;
  // rnn.ts (one direction of one LSTM/GRU layer; the time loop runs inside the call; [F, T, Bp] layout)
  rnnScratchSize(H: number, I: number, Bp: number, gates: number): number;
  rnnTranspose(n: number, rows: number, cols: number, src: number, lds: number, sstep: number, dst: number, ldd: number, dstep: number): void;
  lstmSeqForward(
    H: number, T: number, Bp: number, I: number, reverse: number, x: number, wih: number, whh: number, bias: number,
    h0: number, c0: number, gates: number, ys: number, cs: number, hn: number, cn: number, pk: number, tile: number,
  ): void;
  lstmSeqBackward(
    H: number, T: number, Bp: number, I: number, reverse: number, gates: number, cs: number, c0: number, whh: number,
    dy: number, dhn: number, dcn: number, da: number, dh0: number, dc0: number, pk: number, tile: number,
  ): void;
  gruSeqForward(
    H: number, T: number, Bp: number, I: number, reverse: number, x: number, wih: number, whh: number, bias: number,
    h0: number, gates: number, ys: number, ms: number, hn: number, pk: number, tile: number,
  ): void;
  gruSeqBackward(
    H: number, T: number, Bp: number, I: number, reverse: number, gates: number, ys: number, h0: number, ms: number,
    whh: number, dy: number, dhn: number, dg: number, dhg: number, dd: number, dh0: number, pk: number, tile: number,
  ): void;
  // the kernel thread pool's parts (src/wasm/threaded-rnn.ts): batch columns [lo, hi) of one call; `pk` is
  // rnnScratchSize floats + a 128-byte tile of this part's own
  lstmSeqForwardRange(
    H: number, T: number, Bp: number, I: number, reverse: number, x: number, wih: number, whh: number, bias: number,
    h0: number, c0: number, gates: number, ys: number, cs: number, hn: number, cn: number, pk: number, lo: number, hi: number,
  ): void;
  lstmSeqBackwardRange(
    H: number, T: number, Bp: number, I: number, reverse: number, gates: number, cs: number, c0: number, whh: number,
    dy: number, dhn: number, dcn: number, da: number, dh0: number, dc0: number, pk: number, lo: number, hi: number,
  ): void;
  gruSeqForwardRange(
    H: number, T: number, Bp: number, I: number, reverse: number, x: number, wih: number, whh: number, bias: number,
    h0: number, gates: number, ys: number, ms: number, hn: number, pk: number, lo: number, hi: number,
  ): void;
  gruSeqBackwardRange(
    H: number, T: number, Bp: number, I: number, reverse: number, gates: number, ys: number, h0: number, ms: number,
    whh: number, dy: number, dhn: number, dg: number, dhg: number, dd: number, dh0: number, pk: number, lo: number, hi: number,
  ): void;
  // layers (assembly/batchnorm.ts, pool.ts, dropout.ts; docs/kernels-layers.md)
  batchNormForward(
    x: number, out: number, gamma: number, beta: number, runMean: number, runVar: number, saveMean: number,
    saveInvstd: number, B: number, C: number, L: number, eps: number, momentum: number, training: number,
  ): void;
  batchNormBackward(
    x: number, dy: number, dx: number, gamma: number, saveMean: number, saveInvstd: number, dgamma: number,
    dbeta: number, B: number, C: number, L: number, training: number,
  ): void;
  // the kernel thread pool's parts (src/wasm/threaded.ts): channels [c0, c1) of one pass
  batchNormForwardRange(
    x: number, out: number, gamma: number, beta: number, runMean: number, runVar: number, saveMean: number,
    saveInvstd: number, B: number, C: number, L: number, eps: number, momentum: number, training: number, c0: number, c1: number,
  ): void;
  batchNormBackwardRange(
    x: number, dy: number, dx: number, gamma: number, saveMean: number, saveInvstd: number, dgamma: number,
    dbeta: number, B: number, C: number, L: number, training: number, c0: number, c1: number,
  ): void;
  maxPool1d(x: number, out: number, idx: number, rows: number, L: number, Lout: number, kernel: number, stride: number, padding: number): void;
  maxPool1dBackward(dy: number, idx: number, dx: number, rows: number, L: number, Lout: number, kernel: number, stride: number, padding: number): void;
  avgPool1d(x: number, out: number, rows: number, L: number, Lout: number, kernel: number, stride: number, padding: number, countIncludePad: number): void;
  avgPool1dBackward(dy: number, dx: number, rows: number, L: number, Lout: number, kernel: number, stride: number, padding: number, countIncludePad: number): void;
  adaptiveAvgPool1d(x: number, out: number, rows: number, L: number, Lout: number): void;
  adaptiveAvgPool1dBackward(dy: number, dx: number, rows: number, L: number, Lout: number): void;
  globalMaxPool1d(x: number, out: number, idx: number, rows: number, L: number): void;
  globalMaxPool1dBackward(dy: number, idx: number, dx: number, rows: number, L: number): void;
  dropout(x: number, out: number, n: number, key: number, threshold: number, scale: number): void;
  // int8.ts (docs/kernels-int8.md): symmetric int8 quantisation and the int8 GEMM of quantised inference
  quantizeI8(x: number, q: number, n: number, invScale: number): void;
  quantizeRowsI8(x: number, q: number, rows: number, cols: number, Kp: number, invScale: number): void;
  im2colI8Panels(q: number, cols: number, B: number, Cin: number, L: number, K: number, stride: number, pad: number, dil: number, Lout: number, Kpair: number): void;
  conv1dI8(M: number, B: number, Lout: number, Kpair: number, a: number, cols: number, rowScale: number, colScale: number, bias: number, y: number): void;
  gemmI8(
    M: number, N: number, Kp: number, a: number, b: number, rowScale: number, colScale: number, bias: number, y: number,
    Lout: number, ldb: number,
  ): void;
  // fused.ts (src/nn/fused-plan.ts): a layer of an eval-mode forward with its activation and pooling
  fusedConv1d(
    x: number, w: number, bias: number, y: number, B: number, Cin: number, L: number, Cout: number, K: number,
    stride: number, pad: number, dil: number, groups: number, Lout: number, scratch: number, cache: number,
    act: number, pool: number, pk: number, ps: number, pp: number, Lp: number, tmp: number, chunk: number,
  ): void;
  fusedLinear(x: number, w: number, bias: number, y: number, M: number, N: number, K: number, act: number, work: number): void;
  fusedRelu(x: number, n: number): void;
}

type KernelName = Exclude<keyof Kernels, 'memory'>;

/**
 * Every kernel, and whether the inference build (assembly/infer.ts) has it: 'forward' kernels are in
 * both builds, 'training' ones (backward passes, dropout, optimizer steps, gradient accumulation) only
 * in the full build (assembly/index.ts). A test checks both builds against this table.
 */
export const KERNELS: Record<KernelName, 'forward' | 'training'> = {
  heapBase: 'forward', simdBuild: 'forward',
  gemm: 'forward', gemmWorkSize: 'forward', gemmPackASize: 'forward', gemmPackA: 'forward', gemmPrepackedA: 'forward',
  gemmWholeASize: 'training', gemmPackWholeA: 'training', gemmWholeA: 'training',
  gemmWholeBSize: 'training', gemmPackWholeB: 'training', gemmWholeB: 'training', // kernel threads only: the full build
  binary: 'forward', unary: 'forward', unaryBackward: 'training', stridedCopy: 'forward', stridedAdd: 'training',
  fill: 'forward', axpy: 'training', countNonFinite: 'forward',
  reduce: 'forward', argReduce: 'forward', reduceExtremeBackward: 'training', softmax: 'forward', logSoftmax: 'forward',
  softmaxBackward: 'training', logSoftmaxBackward: 'training', sumSquares: 'forward', dot: 'forward',
  sgdStep: 'training', adamStep: 'training',
  conv1dScratchSize: 'forward', conv1dSetWinograd: 'forward', conv1dForward: 'forward', conv1dWeightCacheSize: 'forward',
  conv1dForwardCached: 'forward', conv1dBackwardData: 'training', conv1dBackwardWeight: 'training',
  conv1dWinogradChoice: 'training', conv1dGetWinograd: 'training', conv1dCacheRefresh: 'training',
  conv1dWinoFilterSize: 'training', conv1dWinoFilter: 'training', conv1dWinoRange: 'training',
  conv1dForwardCachedRange: 'training', fusedConv1dRange: 'training', conv1dForwardRange: 'training', conv1dBackwardDataRange: 'training',
  conv1dBackwardWeightRange: 'training', threadScratch: 'training',
  rnnScratchSize: 'forward', rnnTranspose: 'forward', lstmSeqForward: 'forward', lstmSeqBackward: 'training',
  gruSeqForward: 'forward', gruSeqBackward: 'training', lstmSeqForwardRange: 'training', lstmSeqBackwardRange: 'training',
  gruSeqForwardRange: 'training', gruSeqBackwardRange: 'training',
  batchNormForward: 'forward', batchNormBackward: 'training', batchNormForwardRange: 'training', batchNormBackwardRange: 'training',
  maxPool1d: 'forward', maxPool1dBackward: 'training', avgPool1d: 'forward', avgPool1dBackward: 'training',
  adaptiveAvgPool1d: 'forward', adaptiveAvgPool1dBackward: 'training', globalMaxPool1d: 'forward',
  globalMaxPool1dBackward: 'training', dropout: 'training',
  quantizeI8: 'forward', quantizeRowsI8: 'forward', im2colI8Panels: 'forward', conv1dI8: 'forward', gemmI8: 'forward',
  fusedConv1d: 'forward', fusedLinear: 'forward', fusedRelu: 'forward',
};

function missingKernel(name: string, set: KernelSet): () => never {
  return () => {
    if (set === 'full')
      throw new Error(`ecgrad: the kernel build lacks '${name}' (a stale build: run npm run build:wasm)`);
    const later = registeredSet() === 'full'
      ? " The full build is registered now, but ecgrad was initialised before: import 'ecgrad' before calling initSync()/init(), or re-initialise with { force: true }."
      : '';
    throw new Error(
      `ecgrad: the kernel '${name}' is not in the inference build (ecgrad/infer has forward kernels only); ` +
        `import 'ecgrad' (the full build) for training, gradients and explanations.${later}`,
    );
  };
}

/** The instance's exports as Kernels; a kernel the build lacks throws a clear error when called. */
export function bindKernels(exports: WebAssembly.Exports, set: KernelSet): Kernels {
  const k = { ...exports } as Record<string, unknown>;
  for (const name of Object.keys(KERNELS)) if (typeof k[name] !== 'function') k[name] = missingKernel(name, set);
  return k as unknown as Kernels;
}
