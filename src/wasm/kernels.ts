// The typed surface of the kernel module's exports (docs/kernels.md). Pointers are byte offsets.

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

  // layers (assembly/batchnorm.ts, pool.ts, dropout.ts; docs/kernels-layers.md)
  batchNormForward(
    x: number, out: number, gamma: number, beta: number, runMean: number, runVar: number, saveMean: number,
    saveInvstd: number, B: number, C: number, L: number, eps: number, momentum: number, training: number,
  ): void;
  batchNormBackward(
    x: number, dy: number, dx: number, gamma: number, saveMean: number, saveInvstd: number, dgamma: number,
    dbeta: number, B: number, C: number, L: number, training: number,
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
}
