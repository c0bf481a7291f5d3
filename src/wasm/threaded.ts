// Kernel calls split over the kernel thread pool (src/wasm/kernel-pool.ts), bit-identical to one thread.
//
// Each large call is cut into disjoint ranges of its output (chunks, a few per thread, which the threads
// take as they get free: src/wasm/kernel-pool.ts), and every chunk runs the single-thread kernel code on
// its range, so every output element is computed by the same instructions in the same summation order
// whatever the thread count and whichever thread takes the chunk (docs/kernels.md "Threads"):
//   gemm                 columns of C when N >= M (8-column strips), else rows (4-row strips): a C element's
//                        sum runs over the same K blocks in increasing k for any M or N (assembly/gemm.ts);
//                        on the column split the calling thread packs op(A) once (gemmPackWholeA) and the
//                        chunks multiply it (gemmWholeA: the same blocks and micro-kernel, so the same bits)
//                        instead of each chunk packing all of A again; on the row split likewise op(B)
//                        (gemmPackWholeB, gemmWholeB);
//   conv1dForward,       samples (conv1dForwardRange / conv1dBackwardDataRange), on the path (Winograd or
//   conv1dBackwardData   not) that the whole batch takes (conv1dWinogradChoice); on the Winograd path the
//                        calling thread transforms the filter once (conv1dWinoFilter) and the parts use it
//                        (conv1dWinoRange), instead of each part transforming and packing it again;
//   conv1dForwardCached  samples (conv1dForwardCachedRange), after the calling thread has brought the weight
//                        cache up to date (conv1dCacheRefresh; the parts only read it); off the cached path,
//                        the split conv1dForward;
//   fusedConv1d          samples in whole chunks of the call's `chunk` (fusedConv1dRange: the parts' chunks
//                        are the call's, each with the calling instance's Winograd mode), each part with its
//                        own pooling buffer after its scratch;
//   conv1dBackwardWeight output channels, not samples (conv1dBackwardWeightRange): each dw row keeps its sum
//                        over the batch in the same order; one chunk per thread (every chunk transforms the
//                        whole input on the Winograd path, so more chunks would repeat that work);
//   batchNormForward,    channels (batchNormForwardRange / batchNormBackwardRange): a channel's statistics
//   batchNormBackward    and gradient sums run over the same rows in the same order;
//   maxPool1d(Backward), rows (each row of the output / dx depends on one row of the input / dy only);
//   adaptiveAvgPool1d(Backward)
//   unary, unaryBackward contiguous ranges whose starts are multiples of 16 elements: the loops run SIMD
//                        groups from the start and a scalar tail at the end, so every element keeps its
//                        group position and only the last part has the tail.
//   lstm/gruSeqForward,  batch columns in 16-column units, each part the whole time loop: threaded-rnn.ts.
//   lstm/gruSeqBackward
// Small calls stay on the calling thread: below MIN_MACS multiply-adds (MIN_ELEMENTS elements for the
// elementwise and layer ops) the wake-up and wait of a worker (tens of microseconds) cost more than the
// part saves. Chunks get their thread's own scratch (the pool substitutes it: RunOptions.scratchArg): the
// caller's `work` / `scratch` is sized for the whole call, and is what the calling thread uses below the
// threshold.
import type { KernelPool } from './kernel-pool.ts';
import type { Kernels } from './kernels.ts';
import { splitRange } from './split-range.ts';
import { THREADED_RNN_KERNELS, threadRnnKernels } from './threaded-rnn.ts';

export { splitRange };

/** The kernel entry points the workers run. */
export const THREADED_KERNELS = [
  'gemm', 'gemmWholeA', 'gemmWholeB', 'conv1dWinoRange', 'conv1dForwardRange', 'conv1dForwardCachedRange', 'fusedConv1dRange', 'conv1dBackwardDataRange', 'conv1dBackwardWeightRange', 'unary', 'unaryBackward',
  'batchNormForwardRange', 'batchNormBackwardRange', 'maxPool1d', 'maxPool1dBackward', 'adaptiveAvgPool1d',
  'adaptiveAvgPool1dBackward', ...THREADED_RNN_KERNELS,
];

/** Multiply-adds below which a call runs on one thread (see the header; docs/kernels.md). */
export const MIN_MACS = 1 << 19;
/** Elements below which an elementwise or layer call runs on one thread. */
export const MIN_ELEMENTS = 1 << 17;
/** Chunks per thread of a split call (GEMM and the weight gradient: see the header). */
export const CHUNKS_PER_THREAD = 4;


/**
 * How many chunks a call of `work` multiply-adds (or elements) over `n` independent units gets: 1 (the
 * calling thread runs the plain kernel) below `min` or when the pool has one thread, else `perThread` per
 * thread, at most n and the pool's limit.
 */
function chunksFor(pool: KernelPool, work: number, n: number, min: number, perThread = CHUNKS_PER_THREAD): number {
  if (work < min || pool.size < 2) return 1;
  return Math.max(1, Math.min(pool.size * perThread, n, pool.maxChunks));
}

/** The widest range of `r`. */
const widest = (r: [number, number][]) => Math.max(...r.map(([s, e]) => e - s));

/**
 * Replaces k's GEMM, convolution passes, batch norm, pooling, unary ops and LSTM/GRU sequence kernels by their
 * split versions (the raw exports stay the calling thread's part). `splitAll`: no thresholds, every call is
 * split (tests of the partitions).
 */
export function threadKernels(k: Kernels, pool: KernelPool, splitAll = false): void {
  const minMacs = splitAll ? 0 : MIN_MACS, minElements = splitAll ? 0 : MIN_ELEMENTS;
  const raw = {
    gemm: k.gemm, fwd: k.conv1dForward, fwdCached: k.conv1dForwardCached, fused: k.fusedConv1d, bwdData: k.conv1dBackwardData, bwdWeight: k.conv1dBackwardWeight,
    unary: k.unary, unaryBackward: k.unaryBackward, bnFwd: k.batchNormForward, bnBwd: k.batchNormBackward,
    maxPool: k.maxPool1d, maxPoolBwd: k.maxPool1dBackward, aap: k.adaptiveAvgPool1d, aapBwd: k.adaptiveAvgPool1dBackward,
  };
  const ws = k.gemmWorkSize, cs = k.conv1dScratchSize;

  k.gemm = (tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, work) => {
    const byCols = N >= M;
    const n = chunksFor(pool, M * N * K, Math.ceil((byCols ? N : M) / (byCols ? 8 : 4)), minMacs, 2);
    if (n < 2) return raw.gemm(tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, work);
    const r = splitRange(byCols ? N : M, n, byCols ? 8 : 4);
    const w = widest(r);
    if (byCols && M >= 4 && K > 0 && alpha !== 0) {
      const ap = pool.shared(k.gemmWholeASize(M, K));
      k.gemmPackWholeA(tA, M, K, a, lda, ap);
      const whole = r.map(([s, e]) => [tB, M, e - s, K, alpha, ap, tB ? b + 4 * s * ldb : b + 4 * s, ldb, beta, c + 4 * s, ldc, 0]);
      pool.run('gemmWholeA', whole, { scratchArg: 11, scratchBytes: ws(M, w, K) });
      return;
    }
    if (!byCols && N >= 4 && K > 0 && alpha !== 0) {
      const bp = pool.shared(k.gemmWholeBSize(N, K));
      k.gemmPackWholeB(tB, N, K, b, ldb, bp);
      const whole = r.map(([s, e]) => [tA, e - s, N, K, alpha, tA ? a + 4 * s : a + 4 * s * lda, lda, bp, beta, c + 4 * s * ldc, ldc, 0]);
      pool.run('gemmWholeB', whole, { scratchArg: 11, scratchBytes: ws(w, N, K) });
      return;
    }
    const chunks = r.map(([s, e]) =>
      byCols
        ? [tA, tB, M, e - s, K, alpha, a, lda, tB ? b + 4 * s * ldb : b + 4 * s, ldb, beta, c + 4 * s, ldc, 0]
        : [tA, tB, e - s, N, K, alpha, tA ? a + 4 * s : a + 4 * s * lda, lda, b, ldb, beta, c + 4 * s * ldc, ldc, 0],
    );
    pool.run('gemm', chunks, { scratchArg: 13, scratchBytes: byCols ? ws(M, w, K) : ws(w, N, K) });
  };

  k.conv1dForward = (x, w, bias, y, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch) => {
    const n = chunksFor(pool, B * Cout * Lout * (Cin / groups) * K, B, minMacs);
    if (n < 2) return raw.fwd(x, w, bias, y, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch);
    const wino = k.conv1dWinogradChoice(Cin, Cout, K, stride, dil, groups, B * Lout);
    const r = splitRange(B, n, 1);
    const bytes = cs(widest(r), Cin, L, Cout, K, stride, pad, dil, groups, Lout);
    if (wino) {
      const filt = pool.shared(k.conv1dWinoFilterSize(Cout, Cin, K));
      k.conv1dWinoFilter(w, Cout, Cin, K, 0, filt);
      pool.run('conv1dWinoRange', r.map(([s, e]) => [x, bias, y, Cin, L, Cout, Lout, K, pad, 0, filt, s, e]), { scratchArg: 9, scratchBytes: bytes });
      return;
    }
    pool.run('conv1dForwardRange', r.map(([s, e]) => [x, w, bias, y, Cin, L, Cout, K, stride, pad, dil, groups, Lout, 0, s, e, wino]),
      { scratchArg: 13, scratchBytes: bytes });
  };

  k.conv1dForwardCached = (x, w, bias, y, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch, cache) => {
    const n = chunksFor(pool, B * Cout * Lout * (Cin / groups) * K, B, minMacs);
    if (n < 2) return raw.fwdCached(x, w, bias, y, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch, cache);
    if (!k.conv1dCacheRefresh(w, B, Cin, Cout, K, stride, dil, groups, Lout, cache))
      return k.conv1dForward(x, w, bias, y, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch);
    const r = splitRange(B, n, 1);
    pool.run('conv1dForwardCachedRange', r.map(([s, e]) => [x, w, bias, y, Cin, L, Cout, K, pad, Lout, 0, cache, s, e]),
      { scratchArg: 10, scratchBytes: cs(widest(r), Cin, L, Cout, K, stride, pad, dil, groups, Lout) });
  };

  k.fusedConv1d = (x, w, bias, y, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch, cache, act, kind, pk, ps, pp, Lp, tmp, chunk) => {
    const step = chunk > 0 && chunk < B ? chunk : B;
    const n = chunksFor(pool, B * Cout * Lout * (Cin / groups) * K, Math.ceil(B / step), minMacs);
    if (n < 2) return raw.fused(x, w, bias, y, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch, cache, act, kind, pk, ps, pp, Lp, tmp, chunk);
    if (cache) k.conv1dCacheRefresh(w, step, Cin, Cout, K, stride, dil, groups, Lout, cache);
    const convBytes = Math.ceil(cs(step, Cin, L, Cout, K, stride, pad, dil, groups, Lout) / 64) * 64;
    const tmpBytes = kind ? 4 * step * Cout * (Lout + Lp) : 0;
    const mode = k.conv1dGetWinograd();
    pool.run('fusedConv1dRange', splitRange(B, n, step).map(([s, e]) =>
      [x, w, bias, y, Cin, L, Cout, K, stride, pad, dil, groups, Lout, 0, cache, act, kind, pk, ps, pp, Lp, step, s, e, mode]),
      { scratchArg: 13, scratchBytes: convBytes + tmpBytes });
  };

  k.conv1dBackwardData = (dy, w, dx, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch) => {
    const n = chunksFor(pool, B * Cout * Lout * (Cin / groups) * K, B, minMacs);
    if (n < 2) return raw.bwdData(dy, w, dx, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch);
    const wino = k.conv1dWinogradChoice(Cin, Cout, K, stride, dil, groups, B * L);
    const r = splitRange(B, n, 1);
    const bytes = cs(widest(r), Cin, L, Cout, K, stride, pad, dil, groups, Lout);
    if (wino) {
      const filt = pool.shared(k.conv1dWinoFilterSize(Cin, Cout, K));
      k.conv1dWinoFilter(w, Cin, Cout, K, 1, filt);
      pool.run('conv1dWinoRange', r.map(([s, e]) => [dy, 0, dx, Cout, Lout, Cin, L, K, K - 1 - pad, 0, filt, s, e]), { scratchArg: 9, scratchBytes: bytes });
      return;
    }
    pool.run('conv1dBackwardDataRange', r.map(([s, e]) => [dy, w, dx, Cin, L, Cout, K, stride, pad, dil, groups, Lout, 0, s, e, wino]),
      { scratchArg: 12, scratchBytes: bytes });
  };

  k.conv1dBackwardWeight = (x, dy, dw, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch) => {
    const n = chunksFor(pool, B * Cout * Lout * (Cin / groups) * K, Cout, minMacs, 1);
    if (n < 2 || B === 0) return raw.bwdWeight(x, dy, dw, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch);
    const wino = k.conv1dWinogradChoice(Cin, Cout, K, stride, dil, groups, B * Lout);
    pool.run('conv1dBackwardWeightRange', splitRange(Cout, n, 1).map(([s, e]) => [x, dy, dw, B, Cin, L, Cout, K, stride, pad, dil, groups, Lout, 0, s, e, wino]),
      { scratchArg: 13, scratchBytes: cs(B, Cin, L, Cout, K, stride, pad, dil, groups, Lout) });
  };

  k.unary = (op, x, out, n, p) => {
    const parts = chunksFor(pool, n, Math.ceil(n / 16), minElements);
    if (parts < 2) return raw.unary(op, x, out, n, p);
    pool.run('unary', splitRange(n, parts, 16).map(([s, e]) => [op, x + 4 * s, out + 4 * s, e - s, p]));
  };

  k.unaryBackward = (op, x, y, dy, dx, n, p) => {
    const parts = chunksFor(pool, n, Math.ceil(n / 16), minElements);
    if (parts < 2) return raw.unaryBackward(op, x, y, dy, dx, n, p);
    pool.run('unaryBackward', splitRange(n, parts, 16).map(([s, e]) => [op, x + 4 * s, y + 4 * s, dy + 4 * s, dx + 4 * s, e - s, p]));
  };

  k.batchNormForward = (x, out, gamma, beta, runMean, runVar, saveMean, saveInvstd, B, C, L, eps, momentum, training) => {
    const n = chunksFor(pool, B * C * L, C, minElements);
    if (n < 2) return raw.bnFwd(x, out, gamma, beta, runMean, runVar, saveMean, saveInvstd, B, C, L, eps, momentum, training);
    pool.run('batchNormForwardRange', splitRange(C, n, 1).map(([s, e]) =>
      [x, out, gamma, beta, runMean, runVar, saveMean, saveInvstd, B, C, L, eps, momentum, training, s, e]));
  };

  k.batchNormBackward = (x, dy, dx, gamma, saveMean, saveInvstd, dgamma, dbeta, B, C, L, training) => {
    const n = chunksFor(pool, B * C * L, C, minElements);
    if (n < 2) return raw.bnBwd(x, dy, dx, gamma, saveMean, saveInvstd, dgamma, dbeta, B, C, L, training);
    pool.run('batchNormBackwardRange', splitRange(C, n, 1).map(([s, e]) =>
      [x, dy, dx, gamma, saveMean, saveInvstd, dgamma, dbeta, B, C, L, training, s, e]));
  };

  k.maxPool1d = (x, out, idx, rows, L, Lout, kernel, stride, padding) => {
    const n = chunksFor(pool, rows * L, rows, minElements);
    if (n < 2) return raw.maxPool(x, out, idx, rows, L, Lout, kernel, stride, padding);
    pool.run('maxPool1d', splitRange(rows, n, 1).map(([s, e]) =>
      [x + 4 * s * L, out + 4 * s * Lout, idx + 4 * s * Lout, e - s, L, Lout, kernel, stride, padding]));
  };

  k.maxPool1dBackward = (dy, idx, dx, rows, L, Lout, kernel, stride, padding) => {
    const n = chunksFor(pool, rows * L, rows, minElements);
    if (n < 2) return raw.maxPoolBwd(dy, idx, dx, rows, L, Lout, kernel, stride, padding);
    pool.run('maxPool1dBackward', splitRange(rows, n, 1).map(([s, e]) =>
      [dy + 4 * s * Lout, idx + 4 * s * Lout, dx + 4 * s * L, e - s, L, Lout, kernel, stride, padding]));
  };

  k.adaptiveAvgPool1d = (x, out, rows, L, Lout) => {
    const n = chunksFor(pool, rows * L, rows, minElements);
    if (n < 2) return raw.aap(x, out, rows, L, Lout);
    pool.run('adaptiveAvgPool1d', splitRange(rows, n, 1).map(([s, e]) => [x + 4 * s * L, out + 4 * s * Lout, e - s, L, Lout]));
  };

  k.adaptiveAvgPool1dBackward = (dy, dx, rows, L, Lout) => {
    const n = chunksFor(pool, rows * L, rows, minElements);
    if (n < 2) return raw.aapBwd(dy, dx, rows, L, Lout);
    pool.run('adaptiveAvgPool1dBackward', splitRange(rows, n, 1).map(([s, e]) => [dy + 4 * s * Lout, dx + 4 * s * L, e - s, L, Lout]));
  };

  threadRnnKernels(k, pool, splitAll);
}
