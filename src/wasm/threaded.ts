// Kernel calls split over the kernel thread pool (src/wasm/kernel-pool.ts), bit-identical to one thread.
//
// Each large call is cut into disjoint ranges of its output, one per thread, and every part runs the
// single-thread kernel code on its range, so every output element is computed by the same instructions
// in the same summation order whatever the thread count (docs/kernels.md "Threads"):
//   gemm                 columns of C when N >= M (8-column strips), else rows (4-row strips): a C element's
//                        sum runs over the same K blocks in increasing k for any M or N (assembly/gemm.ts);
//   conv1dForward,       samples (conv1dForwardRange / conv1dBackwardDataRange), on the path (Winograd or
//   conv1dBackwardData   not) that the whole batch takes (conv1dWinogradChoice);
//   conv1dBackwardWeight output channels, not samples (conv1dBackwardWeightRange): each dw row keeps its sum
//                        over the batch in the same order;
//   unary, unaryBackward contiguous ranges whose starts are multiples of 16 elements: the loops run SIMD
//                        groups from the start and a scalar tail at the end, so every element keeps its
//                        group position and only the last part has the tail.
// Small calls stay on the calling thread: below MIN_MACS multiply-adds (MIN_ELEMENTS elements for the
// elementwise ops) the wake-up and wait of a worker (tens of microseconds) cost more than the part saves.
// Parts get their own scratch (KernelPool.scratch): the caller's `work` / `scratch` is sized for the
// whole call, and the single-thread kernel is what the calling thread runs below the threshold.
import type { KernelPool } from './kernel-pool.ts';
import type { Kernels } from './kernels.ts';

/** The kernel entry points the workers run. */
export const THREADED_KERNELS = ['gemm', 'conv1dForwardRange', 'conv1dBackwardDataRange', 'conv1dBackwardWeightRange', 'unary', 'unaryBackward'];

/** Multiply-adds below which a call runs on one thread (see the header; docs/kernels.md). */
export const MIN_MACS = 1 << 19;
/** Elements below which an elementwise call runs on one thread. */
export const MIN_ELEMENTS = 1 << 17;

/** [start, end) of `parts` near-equal ranges of `n`, each a multiple of `unit` but the last. */
export function splitRange(n: number, parts: number, unit: number): [number, number][] {
  const units = Math.ceil(n / unit);
  const p = Math.max(1, Math.min(parts, units));
  const out: [number, number][] = [];
  for (let i = 0, s = 0; i < p; i++) {
    const e = Math.min(n, Math.round((units * (i + 1)) / p) * unit);
    out.push([s, e]);
    s = e;
  }
  return out;
}

/** How many parts a call of `macs` multiply-adds over `n` independent units gets. */
function partsFor(pool: KernelPool, macs: number, n: number, minMacs: number): number {
  return macs < minMacs ? 1 : Math.min(pool.size, n);
}

/**
 * Replaces k's GEMM, convolution passes and unary ops by their split versions (the raw exports stay the
 * calling thread's part). `splitAll`: no thresholds, every call is split (tests of the partitions).
 */
export function threadKernels(k: Kernels, pool: KernelPool, splitAll = false): void {
  const minMacs = splitAll ? 0 : MIN_MACS, minElements = splitAll ? 0 : MIN_ELEMENTS;
  const raw = {
    gemm: k.gemm, fwd: k.conv1dForward, bwdData: k.conv1dBackwardData, bwdWeight: k.conv1dBackwardWeight,
    unary: k.unary, unaryBackward: k.unaryBackward,
  };
  const ws = k.gemmWorkSize, cs = k.conv1dScratchSize;

  k.gemm = (tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, work) => {
    const byCols = N >= M;
    const n = partsFor(pool, M * N * K, Math.ceil((byCols ? N : M) / (byCols ? 8 : 4)), minMacs);
    if (n < 2) return raw.gemm(tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, work);
    const parts = splitRange(byCols ? N : M, n, byCols ? 8 : 4).map(([s, e], i) =>
      byCols
        ? [tA, tB, M, e - s, K, alpha, a, lda, tB ? b + 4 * s * ldb : b + 4 * s, ldb, beta, c + 4 * s, ldc, pool.scratch(i, ws(M, e - s, K))]
        : [tA, tB, e - s, N, K, alpha, tA ? a + 4 * s : a + 4 * s * lda, lda, b, ldb, beta, c + 4 * s * ldc, ldc, pool.scratch(i, ws(e - s, N, K))],
    );
    pool.run('gemm', parts);
  };

  k.conv1dForward = (x, w, bias, y, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch) => {
    const n = partsFor(pool, B * Cout * Lout * (Cin / groups) * K, B, minMacs);
    if (n < 2) return raw.fwd(x, w, bias, y, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch);
    const wino = k.conv1dWinogradChoice(Cin, Cout, K, stride, dil, groups, B * Lout);
    pool.run('conv1dForwardRange', splitRange(B, n, 1).map(([s, e], i) => [
      x, w, bias, y, Cin, L, Cout, K, stride, pad, dil, groups, Lout,
      pool.scratch(i, cs(e - s, Cin, L, Cout, K, stride, pad, dil, groups, Lout)), s, e, wino,
    ]));
  };

  k.conv1dBackwardData = (dy, w, dx, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch) => {
    const n = partsFor(pool, B * Cout * Lout * (Cin / groups) * K, B, minMacs);
    if (n < 2) return raw.bwdData(dy, w, dx, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch);
    const wino = k.conv1dWinogradChoice(Cin, Cout, K, stride, dil, groups, B * L);
    pool.run('conv1dBackwardDataRange', splitRange(B, n, 1).map(([s, e], i) => [
      dy, w, dx, Cin, L, Cout, K, stride, pad, dil, groups, Lout,
      pool.scratch(i, cs(e - s, Cin, L, Cout, K, stride, pad, dil, groups, Lout)), s, e, wino,
    ]));
  };

  k.conv1dBackwardWeight = (x, dy, dw, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch) => {
    const n = partsFor(pool, B * Cout * Lout * (Cin / groups) * K, Cout, minMacs);
    if (n < 2 || B === 0) return raw.bwdWeight(x, dy, dw, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch);
    const wino = k.conv1dWinogradChoice(Cin, Cout, K, stride, dil, groups, B * Lout);
    const bytes = cs(B, Cin, L, Cout, K, stride, pad, dil, groups, Lout);
    pool.run('conv1dBackwardWeightRange', splitRange(Cout, n, 1).map(([s, e], i) => [
      x, dy, dw, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, pool.scratch(i, bytes), s, e, wino,
    ]));
  };

  k.unary = (op, x, out, n, p) => {
    const parts = partsFor(pool, n, Math.ceil(n / 16), minElements);
    if (parts < 2) return raw.unary(op, x, out, n, p);
    pool.run('unary', splitRange(n, parts, 16).map(([s, e]) => [op, x + 4 * s, out + 4 * s, e - s, p]));
  };

  k.unaryBackward = (op, x, y, dy, dx, n, p) => {
    const parts = partsFor(pool, n, Math.ceil(n / 16), minElements);
    if (parts < 2) return raw.unaryBackward(op, x, y, dy, dx, n, p);
    pool.run('unaryBackward', splitRange(n, parts, 16).map(([s, e]) => [op, x + 4 * s, y + 4 * s, dy + 4 * s, dx + 4 * s, e - s, p]));
  };
}
