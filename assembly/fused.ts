// Fused inference kernels (src/nn/fused-plan.ts): one call per layer of an eval-mode forward, with the
// activation and pooling that follow a convolution or dense layer applied in the same call, on each
// chunk of samples while it is still in cache. Batch norm is not here: the plan folds it into the
// weights and bias of the preceding convolution / dense layer before any call (docs/kernels.md, "Fused
// inference").
//
// Layout. As conv1d.ts and pool.ts: x [B, Cin, L], w [Cout, Cin/groups, K], conv output [B, Cout, Lout],
// pooled output [B, Cout, Lp]; dense x [M, K], w [N, K] (PyTorch's Linear layout), y [M, N]. Row-major f32.
//
// Math.
//   fusedConv1d  c = conv1dForwardCached(x, w, bias) (cache = 0: conv1dForward), then per chunk
//                pool = 0: y = act(c) (in place, y is c);
//                pool = 1: y[r, j] = act(max over window j of c[r, ·]) (pool.ts's maxPool1d: kernel pk,
//                          stride ps, padding pp; ties to the first, NaN wins), c and its indices in `tmp`;
//                pool = 2: y[r, ·] = adaptiveAvgPool1d(act(c[r, ·]), Lp), c in `tmp`.
//   fusedLinear  y = act(x·wᵀ + bias) (bias = 0: none; one GEMM NT with y pre-filled with the bias).
//   act: 0 identity, 1 ReLU max(x, 0) (clears −0, keeps NaN, as elementwise.ts's relu).
// Max pooling then ReLU equals ReLU then max pooling bit for bit (ReLU is monotone and maps every value
// <= 0 to +0; a NaN wins the max either way), so the max-pool epilogue applies ReLU to the pooled values
// only (a quarter to a half of the conv output). The average-pool epilogue applies ReLU to the chunk in place, then runs pool.ts's own
// adaptiveAvgPool1d, so its summation order is the unfused one.
// Every output is bit-identical to the unfused sequence conv1dForwardCached, unary ReLU, maxPool1d /
// adaptiveAvgPool1d (resp. linear's stridedCopy + gemm, unary ReLU) on the same weights, in every build
// (SIMD, scalar, relaxed): only the folded weights differ from the unfused model.
//
// Chunks: `chunk` samples per convolution call (0 = all B); `tmp` holds chunk·Cout·(Lout + Lp) words. Each
// chunk's pooling reads the convolution output the convolution just wrote (L2-resident for chunk·Cout·Lout
// up to ~64K floats), instead of a second pass over B·Cout·Lout floats from memory.
import { conv1dForward, conv1dForwardCached, conv1dGetWinograd, conv1dScratchSize, conv1dSetWinograd } from './conv1d';
import { adaptiveAvgPool1d, maxPool1d } from './pool';
import { gemm } from './gemm';

// @ts-ignore: decorator
@inline function relu1(x: f32): f32 {
  const ix = reinterpret<i32>(x);
  const nan = -(<i32>((ix & 0x7fffffff) > 0x7f800000));
  return reinterpret<f32>(ix & (~(ix >> 31) | nan));
}

/** ReLU in place over n floats (f32x4.max(x, 0) lanes, relu1 tail: the same bits). */
function reluInPlace(p: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = f32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const q = p + (<usize>i << 2);
      v128.store(q, f32x4.max(v128.load(q), z));
      v128.store(q, f32x4.max(v128.load(q, 16), z), 16);
    }
    for (; i + 4 <= n; i += 4) {
      const q = p + (<usize>i << 2);
      v128.store(q, f32x4.max(v128.load(q), z));
    }
  }
  for (; i < n; i++) {
    const q = p + (<usize>i << 2);
    store<f32>(q, relu1(load<f32>(q)));
  }
}

/** Convolution + activation + optional pooling, chunk by chunk (see the header). */
export function fusedConv1d(
  x: usize, w: usize, bias: usize, y: usize,
  B: i32, Cin: i32, L: i32, Cout: i32, K: i32, stride: i32, pad: i32, dil: i32, groups: i32, Lout: i32,
  scratch: usize, cache: usize, act: i32, pool: i32, pk: i32, ps: i32, pp: i32, Lp: i32, tmp: usize, chunk: i32,
): void {
  const step = chunk > 0 && chunk < B ? chunk : B;
  const xs = <usize>(Cin * L) << 2;
  const cs = <usize>(Cout * Lout) << 2;
  const outs = <usize>(Cout * (pool ? Lp : Lout)) << 2;
  for (let b = 0; b < B; b += step) {
    const n = B - b < step ? B - b : step;
    const xb = x + <usize>b * xs, yb = y + <usize>b * outs;
    const c = pool ? tmp : yb;
    if (cache) conv1dForwardCached(xb, w, bias, c, n, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch, cache);
    else conv1dForward(xb, w, bias, c, n, Cin, L, Cout, K, stride, pad, dil, groups, Lout, scratch);
    if (pool == 1) {
      // pool.ts's max pool (its indices go to the end of tmp, unused), then ReLU on the pooled values
      maxPool1d(c, yb, tmp + <usize>n * cs, n * Cout, Lout, Lp, pk, ps, pp);
      if (act) reluInPlace(yb, n * Cout * Lp);
    } else {
      if (act) reluInPlace(c, <i32>(cs >> 2) * n);
      if (pool == 2) adaptiveAvgPool1d(c, yb, n * Cout, Lout, Lp);
    }
  }
}

/**
 * Kernel threads (src/wasm/threaded.ts): fusedConv1d of samples [b0, b1), b0 a multiple of `chunk`, so the
 * part's chunks are the whole call's chunks (each chunk's convolution path depends on its sample count
 * only) and every output has the whole call's bits. `mode`: the calling instance's Winograd mode
 * (conv1dGetWinograd), set here for the part. `scratch` holds the convolution scratch for `chunk` samples
 * (conv1dScratchSize, 64-byte rounded) followed by this part's own `tmp` (chunk·Cout·(Lout + Lp) floats).
 * A weight cache must have been made current by the calling thread (conv1dCacheRefresh): the parts only
 * read it.
 */
export function fusedConv1dRange(
  x: usize, w: usize, bias: usize, y: usize,
  Cin: i32, L: i32, Cout: i32, K: i32, stride: i32, pad: i32, dil: i32, groups: i32, Lout: i32,
  scratch: usize, cache: usize, act: i32, pool: i32, pk: i32, ps: i32, pp: i32, Lp: i32, chunk: i32,
  b0: i32, b1: i32, mode: i32,
): void {
  const saved = conv1dGetWinograd();
  conv1dSetWinograd(mode);
  const tmp = scratch + <usize>((conv1dScratchSize(chunk, Cin, L, Cout, K, stride, pad, dil, groups, Lout) + 63) & ~63);
  const outs = <usize>(Cout * (pool ? Lp : Lout)) << 2;
  fusedConv1d(x + <usize>b0 * (<usize>(Cin * L) << 2), w, bias, y + <usize>b0 * outs, b1 - b0, Cin, L, Cout, K, stride, pad, dil, groups,
    Lout, scratch, cache, act, pool, pk, ps, pp, Lp, tmp, chunk);
  conv1dSetWinograd(saved);
}

/** y [M, N] = act(x [M, K] · w [N, K]ᵀ + bias [N]); work: gemmWorkSize(M, N, K) bytes. */
export function fusedLinear(x: usize, w: usize, bias: usize, y: usize, M: i32, N: i32, K: i32, act: i32, work: usize): void {
  if (bias) {
    for (let m = 0; m < M; m++) memory.copy(y + (<usize>(m * N) << 2), bias, <usize>N << 2);
  } else if (K == 0) {
    memory.fill(y, 0, <usize>(M * N) << 2);
  }
  if (K > 0) gemm(0, 1, M, N, K, 1, x, K, w, K, bias ? 1 : 0, y, N, work);
  if (act) reluInPlace(y, M * N);
}

/** ReLU in place over n floats (a standalone activation step of a plan). */
export function fusedRelu(x: usize, n: i32): void {
  reluInPlace(x, n);
}
