// The LSTM and GRU sequence kernels split over the kernel thread pool (src/wasm/kernel-pool.ts), bit-identical
// to one thread; called by threadKernels (src/wasm/threaded.ts), docs/kernels.md "Threads".
//
// A call of lstmSeqForward / lstmSeqBackward / gruSeqForward / gruSeqBackward (assembly/rnn.ts: one direction
// of one layer, the whole time loop in one call, sequences [F, T, Bp] with the batch padded to Bp, a multiple
// of 8) computes every 8-column block of the batch with the same instructions from the same block of its
// inputs only: the step's 4x8 tiles read the previous step's state columns of that block, and the cell
// writes that block's columns of every output (gates, h, c or m, da / dg / dhg, the running dc or dd, h_n,
// c_n, dh0, dc0). So the batch columns split into ranges of whole blocks (lstmSeqForwardRange, ...; in
// 16-column units: columnRanges), each chunk running the whole time loop on its columns with no
// synchronisation per step, give the bits of the whole call for any split. Each chunk packs the weights into its thread's own scratch (rnnScratchSize
// floats and the 128-byte tile after them; the pool substitutes it: RunOptions.scratchArg) and keeps its
// step buffers there (the columns of its range only). The weight and input gradients are not computed
// here: src/ops/rnn.ts runs them as GEMMs over all T·Bp columns afterwards (split by threaded.ts's gemm).
// Calls below RNN_MIN_MACS multiply-adds stay on the calling thread.
import type { KernelPool } from './kernel-pool.ts';
import type { Kernels } from './kernels.ts';
import { splitRange } from './split-range.ts';

/** The range entry points the workers run (appended to THREADED_KERNELS). */
export const THREADED_RNN_KERNELS = ['lstmSeqForwardRange', 'lstmSeqBackwardRange', 'gruSeqForwardRange', 'gruSeqBackwardRange'];

/** Multiply-adds (T·Bp·rows·depth of the step tiles) below which a call runs on one thread. */
export const RNN_MIN_MACS = 1 << 20;
/** Chunks per thread of a split call (each chunk packs the weights once; 1 and 2 measured alike, 2 balances a loaded host). */
export const RNN_CHUNKS_PER_THREAD = 2;

/**
 * [lo, hi) column ranges of Bp for `macs` multiply-adds (one range: do not split): whole 16-column units (64
 * bytes: rows of Bp floats start on 64-byte lines, so two parts never write one cache line; 8-column parts
 * measured 1.3x instead of 1.8x on 2 threads), the last range ending at Bp.
 */
export function columnRanges(pool: KernelPool, Bp: number, macs: number, min: number): [number, number][] {
  const parts = macs < min || pool.size < 2 ? 1 : Math.min(pool.size * RNN_CHUNKS_PER_THREAD, Math.ceil(Bp / 16), pool.maxChunks);
  return splitRange(Bp, parts, 16);
}

/** Replaces k's four RNN sequence kernels by their split versions. `splitAll`: no threshold (tests). */
export function threadRnnKernels(k: Kernels, pool: KernelPool, splitAll = false): void {
  const min = splitAll ? 0 : RNN_MIN_MACS;
  const raw = { lf: k.lstmSeqForward, lb: k.lstmSeqBackward, gf: k.gruSeqForward, gb: k.gruSeqBackward };
  /** Bytes of one part's scratch: rnnScratchSize floats, then the tile. */
  const scratch = (H: number, I: number, Bp: number, gates: number) => 4 * k.rnnScratchSize(H, I, Bp, gates) + 128;

  k.lstmSeqForward = (H, T, Bp, I, rev, x, wih, whh, bias, h0, c0, gates, ys, cs, hn, cn, pk, tile) => {
    const r = columnRanges(pool, Bp, T * Bp * 4 * H * (H + I), min);
    if (r.length < 2) return raw.lf(H, T, Bp, I, rev, x, wih, whh, bias, h0, c0, gates, ys, cs, hn, cn, pk, tile);
    pool.run('lstmSeqForwardRange', r.map(([lo, hi]) => [H, T, Bp, I, rev, x, wih, whh, bias, h0, c0, gates, ys, cs, hn, cn, 0, lo, hi]),
      { scratchArg: 16, scratchBytes: scratch(H, I, Bp, 4) });
  };

  k.lstmSeqBackward = (H, T, Bp, I, rev, gates, cs, c0, whh, dy, dhn, dcn, da, dh0, dc0, pk, tile) => {
    const r = columnRanges(pool, Bp, T * Bp * 4 * H * H, min);
    if (r.length < 2) return raw.lb(H, T, Bp, I, rev, gates, cs, c0, whh, dy, dhn, dcn, da, dh0, dc0, pk, tile);
    pool.run('lstmSeqBackwardRange', r.map(([lo, hi]) => [H, T, Bp, I, rev, gates, cs, c0, whh, dy, dhn, dcn, da, dh0, dc0, 0, lo, hi]),
      { scratchArg: 15, scratchBytes: scratch(H, I, Bp, 4) });
  };

  k.gruSeqForward = (H, T, Bp, I, rev, x, wih, whh, bias, h0, gates, ys, ms, hn, pk, tile) => {
    const r = columnRanges(pool, Bp, T * Bp * 4 * H * (H + I), min);
    if (r.length < 2) return raw.gf(H, T, Bp, I, rev, x, wih, whh, bias, h0, gates, ys, ms, hn, pk, tile);
    pool.run('gruSeqForwardRange', r.map(([lo, hi]) => [H, T, Bp, I, rev, x, wih, whh, bias, h0, gates, ys, ms, hn, 0, lo, hi]),
      { scratchArg: 14, scratchBytes: scratch(H, I, Bp, 3) });
  };

  k.gruSeqBackward = (H, T, Bp, I, rev, gates, ys, h0, ms, whh, dy, dhn, dg, dhg, dd, dh0, pk, tile) => {
    const r = columnRanges(pool, Bp, T * Bp * 3 * H * H, min);
    if (r.length < 2) return raw.gb(H, T, Bp, I, rev, gates, ys, h0, ms, whh, dy, dhn, dg, dhg, dd, dh0, pk, tile);
    pool.run('gruSeqBackwardRange', r.map(([lo, hi]) => [H, T, Bp, I, rev, gates, ys, h0, ms, whh, dy, dhn, dg, dhg, dd, dh0, 0, lo, hi]),
      { scratchArg: 16, scratchBytes: scratch(H, I, Bp, 3) });
  };
}
