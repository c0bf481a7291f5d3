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
  // rnn.ts (one direction of one LSTM/GRU layer; the time loop runs inside the call)
  lstmForward(
    B: number, T: number, H: number, reverse: number, xg: number, hp: number, cs: number, y: number, ldy: number,
    h0: number, c0: number, hn: number, cn: number, whh: number, work: number,
  ): void;
  lstmBackward(
    B: number, T: number, H: number, reverse: number, gates: number, cs: number, c0: number, dy: number, ldy: number,
    dhn: number, ldhn: number, dcn: number, ldcn: number, whh: number, dg: number, dh: number, dc: number, work: number,
  ): void;
  gruForward(
    B: number, T: number, H: number, reverse: number, xg: number, hp: number, hns: number, y: number, ldy: number,
    h0: number, hn: number, whh: number, bhn: number, hg: number, work: number,
  ): void;
  gruBackward(
    B: number, T: number, H: number, reverse: number, gates: number, hp: number, hns: number, dy: number, ldy: number,
    dhn: number, ldhn: number, whh: number, dg: number, dhg: number, dh: number, work: number,
  ): void;
}
