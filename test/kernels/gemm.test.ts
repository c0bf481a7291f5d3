// gemm kernel (docs/kernels.md): C = alpha*op(A)*op(B) + beta*C, checked on both builds against a float64
// reference, over edge shapes, all four transpose combinations, strided (submatrix) views, beta in
// {0, 1, 0.5} (beta = 0 with NaN-filled C), K = 0, M or N = 0, and shapes larger than one cache block.
// Entries of the C buffer outside the M x N view must come back untouched.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend, BUILDS, randomArray } from '../helpers/wasm.ts';
import type { BuildName } from '../../src/wasm/backend.ts';
import { Rng } from '../../src/core/random.ts';

interface Case {
  tA: number;
  tB: number;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  /** extra elements per row beyond the minimum leading dimension */
  padA?: number;
  padB?: number;
  padC?: number;
  /** fill C with NaN (only meaningful with beta = 0) */
  nanC?: boolean;
  seed?: number;
}

interface Prepared {
  cs: Case;
  lda: number;
  ldb: number;
  ldc: number;
  A: Float32Array;
  B: Float32Array;
  C0: Float32Array;
}

function prepare(cs: Case): Prepared {
  const { tA, tB, M, N, K } = cs;
  const seed = cs.seed ?? 1;
  const lda = (tA ? M : K) + (cs.padA ?? 0);
  const ldb = (tB ? K : N) + (cs.padB ?? 0);
  const ldc = N + (cs.padC ?? 0);
  const A = randomArray((tA ? K : M) * lda, seed * 3 + 1);
  const B = randomArray((tB ? N : K) * ldb, seed * 3 + 2);
  const C0 = cs.nanC ? new Float32Array(M * ldc).fill(NaN) : randomArray(M * ldc, seed * 3 + 3);
  return { cs, lda, ldb, ldc, A, B, C0 };
}

/** Float64 reference for the whole C buffer, plus a per-element error scale (sum of |terms|). */
function reference(p: Prepared): { ref: Float64Array; scale: Float64Array } {
  const { cs, lda, ldb, ldc, A, B, C0 } = p;
  const { tA, tB, M, N, K, alpha, beta } = cs;
  const ref = Float64Array.from(C0);
  const scale = new Float64Array(C0.length);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0, sa = 0;
      for (let k = 0; k < K; k++) {
        const a = tA ? A[k * lda + i]! : A[i * lda + k]!;
        const b = tB ? B[j * ldb + k]! : B[k * ldb + j]!;
        s += a * b;
        sa += Math.abs(a * b);
      }
      const c = C0[i * ldc + j]!;
      ref[i * ldc + j] = alpha * s + (beta === 0 ? 0 : beta * c);
      scale[i * ldc + j] = Math.abs(alpha) * sa + (beta === 0 ? 0 : Math.abs(beta * c));
    }
  return { ref, scale };
}

function run(build: BuildName, p: Prepared): Float32Array {
  const b = backend(build);
  const { cs, lda, ldb, ldc } = p;
  const pa = b.alloc(Math.max(4, p.A.length * 4));
  const pb = b.alloc(Math.max(4, p.B.length * 4));
  const pc = b.alloc(Math.max(4, p.C0.length * 4));
  const pw = b.alloc(b.k.gemmWorkSize(cs.M, cs.N, cs.K));
  try {
    b.f32(pa, p.A.length).set(p.A);
    b.f32(pb, p.B.length).set(p.B);
    b.f32(pc, p.C0.length).set(p.C0);
    b.k.gemm(cs.tA, cs.tB, cs.M, cs.N, cs.K, cs.alpha, pa, lda, pb, ldb, cs.beta, pc, ldc, pw);
    return Float32Array.from(b.f32(pc, p.C0.length));
  } finally {
    b.free(pa);
    b.free(pb);
    b.free(pc);
    b.free(pw);
  }
}

function describe(cs: Case): string {
  return `gemm(tA=${cs.tA}, tB=${cs.tB}, M=${cs.M}, N=${cs.N}, K=${cs.K}, alpha=${cs.alpha}, beta=${cs.beta}` +
    `, pad=${cs.padA ?? 0}/${cs.padB ?? 0}/${cs.padC ?? 0}${cs.nanC ? ', NaN C' : ''})`;
}

/**
 * Runs a case on both builds: each within float32-accumulation tolerance of the float64 reference
 * (relative to the sum of |terms|, scaled by sqrt(K)), entries outside the view untouched, and the
 * two builds identical (same summation order by design).
 */
function check(cs: Case): void {
  const p = prepare(cs);
  const { ref, scale } = reference(p);
  const tol = 4 * 2 ** -24 * (Math.sqrt(cs.K) + 2);
  const out: Partial<Record<BuildName, Float32Array>> = {};
  for (const build of BUILDS) {
    const got = (out[build] = run(build, p));
    for (let i = 0; i < got.length; i++) {
      const g = got[i]!, e = ref[i]!;
      if (Number.isNaN(g) && Number.isNaN(e)) continue;
      if (!(Math.abs(g - e) <= tol * scale[i]! + 1e-30))
        throw new Error(`${build} ${describe(cs)}: C[${Math.floor(i / p.ldc)},${i % p.ldc}] = ${g}, expected ${e} (scale ${scale[i]})`);
    }
  }
  const s = out.simd!, c = out.scalar!;
  for (let i = 0; i < s.length; i++)
    if (!Object.is(s[i], c[i]) && !(Number.isNaN(s[i]!) && Number.isNaN(c[i]!)))
      throw new Error(`simd and scalar builds differ on ${describe(cs)} at ${i}: ${s[i]} vs ${c[i]}`);
}

const COMBOS: [number, number][] = [[0, 0], [0, 1], [1, 0], [1, 1]];

test('tiny and edge shapes, all transposes, beta 0/1/0.5', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1], [1, 8, 1], [4, 1, 1], [1, 1, 17], [2, 3, 4], [4, 8, 4], [4, 8, 3], [5, 9, 7],
    [3, 13, 5], [7, 7, 7], [8, 16, 8], [9, 17, 33], [13, 17, 19], [31, 37, 41], [12, 5, 187],
  ];
  let seed = 10;
  for (const [M, N, K] of shapes)
    for (const [tA, tB] of COMBOS)
      for (const beta of [0, 1, 0.5]) check({ tA, tB, M, N, K, alpha: 1, beta, seed: seed++ });
});

test('random shapes with strided views and alpha != 1', () => {
  const rng = new Rng(1234);
  const pick = (n: number) => Math.floor(rng.uniform() * n);
  for (let t = 0; t < 120; t++) {
    const dim = () => (rng.uniform() < 0.15 ? 1 : 1 + pick(rng.uniform() < 0.7 ? 24 : 90));
    const [tA, tB] = COMBOS[pick(4)]!;
    check({
      tA, tB, M: dim(), N: dim(), K: dim(),
      alpha: [1, -0.75, 2.5, 0.3][pick(4)]!,
      beta: [0, 1, 0.5][pick(3)]!,
      padA: pick(3) === 0 ? 0 : pick(9), padB: pick(3) === 0 ? 0 : pick(9), padC: pick(3) === 0 ? 0 : pick(9),
      seed: 100 + t,
    });
  }
});

test('beta = 0 ignores NaN in C', () => {
  for (const [tA, tB] of COMBOS)
    for (const [M, N, K] of [[1, 1, 1], [4, 8, 16], [7, 13, 5], [33, 20, 70]] as const)
      check({ tA, tB, M, N, K, alpha: 1.5, beta: 0, nanC: true, padC: 3, seed: 7 });
});

test('K = 0 gives C = beta*C; M = 0 or N = 0 is a no-op', () => {
  for (const [tA, tB] of COMBOS)
    for (const beta of [0, 1, 0.5]) {
      check({ tA, tB, M: 5, N: 9, K: 0, alpha: 1, beta, padC: 2, seed: 3 });
      check({ tA, tB, M: 0, N: 9, K: 4, alpha: 1, beta, seed: 4 });
      check({ tA, tB, M: 5, N: 0, K: 4, alpha: 1, beta, padC: 2, seed: 5 });
      check({ tA, tB, M: 0, N: 0, K: 0, alpha: 1, beta, seed: 6 });
    }
  check({ tA: 0, tB: 0, M: 5, N: 9, K: 0, alpha: 1, beta: 0, nanC: true, seed: 8 });
});

test('shapes of the library: Linear layers and im2col convolutions', () => {
  // Linear forward y = x W^T (tB = 1), backward dx = dy W (tB = 0), dW = dy^T x (tA = 1)
  check({ tA: 0, tB: 1, M: 64, N: 5, K: 187, alpha: 1, beta: 0, seed: 21 });
  check({ tA: 0, tB: 0, M: 64, N: 187, K: 5, alpha: 1, beta: 0, seed: 22 });
  check({ tA: 1, tB: 0, M: 5, N: 187, K: 64, alpha: 1, beta: 1, seed: 23 });
  check({ tA: 0, tB: 1, M: 64, N: 128, K: 256, alpha: 1, beta: 0, seed: 24 });
  // conv: [C_out, C_in*k] x [C_in*k, batch*length]
  check({ tA: 0, tB: 0, M: 16, N: 1500, K: 5, alpha: 1, beta: 0, seed: 25 });
  check({ tA: 0, tB: 0, M: 32, N: 900, K: 80, alpha: 1, beta: 0.5, seed: 26 });
});

// Block sizes in assembly/gemm.ts: KC = 512 (depth), MC = 256 (rows), NC = 512 (columns), MR x NR = 4 x 8.
test('larger than one cache block: every blocking loop runs more than once', () => {
  // 300 x 530 x 520: two row blocks, two depth blocks, two column blocks, edge tiles in each
  for (const [tA, tB] of COMBOS)
    check({ tA, tB, M: 300, N: 530, K: 520, alpha: 0.5, beta: 0.5, padA: 3, padB: 5, padC: 7, seed: 40 + tA * 2 + tB });
  check({ tA: 1, tB: 0, M: 300, N: 270, K: 530, alpha: -1, beta: 0, nanC: true, seed: 48 });
  // one row block (B strips packed just in time), several depth blocks
  check({ tA: 0, tB: 1, M: 20, N: 50, K: 1100, alpha: 1, beta: 1, padB: 2, seed: 49 });
  check({ tA: 1, tB: 0, M: 256, N: 24, K: 1030, alpha: 2, beta: 0, seed: 52 });
  // N beyond the column block
  check({ tA: 0, tB: 1, M: 130, N: 2100, K: 260, alpha: 1, beta: 1, padC: 1, seed: 50 });
  check({ tA: 1, tB: 0, M: 9, N: 4500, K: 20, alpha: 1, beta: 0, seed: 51 });
});

test('thin shapes (M or N below 4: row/column path), long rows and several depth blocks', () => {
  let seed = 60;
  for (const [tA, tB] of COMBOS) {
    check({ tA, tB, M: 1, N: 2100, K: 37, alpha: 1, beta: 0.5, padA: 1, padB: 3, seed: seed++ });
    check({ tA, tB, M: 3, N: 77, K: 1100, alpha: -2, beta: 1, padC: 5, seed: seed++ });
    check({ tA, tB, M: 1500, N: 1, K: 45, alpha: 1, beta: 0, nanC: true, padA: 2, seed: seed++ });
    check({ tA, tB, M: 61, N: 3, K: 1030, alpha: 0.5, beta: 0.5, padB: 2, padC: 1, seed: seed++ });
    check({ tA, tB, M: 2, N: 2, K: 3, alpha: 1, beta: 0, nanC: true, seed: seed++ });
    // 8-, 4- and 1-wide column groups, depth not a multiple of 4
    check({ tA, tB, M: 2, N: 15, K: 7, alpha: 1, beta: 0.5, padA: 1, padB: 1, seed: seed++ });
    check({ tA, tB, M: 15, N: 2, K: 7, alpha: 1, beta: 1, padA: 1, padB: 1, padC: 2, seed: seed++ });
    check({ tA, tB, M: 3, N: 13, K: 9, alpha: 1, beta: 0, seed: seed++ });
    check({ tA, tB, M: 13, N: 3, K: 9, alpha: 1, beta: 0, seed: seed++ });
  }
});

test('a row or column of C does not depend on the path (thin or blocked) or on the other rows', () => {
  // M = 1 / N = 1 take the thin path, M = 9, N = 11 the blocked one: same summation order, same bits.
  // The single row (column) is the same data viewed through offset pointers and the same strides.
  const M = 9, N = 11, K = 600, row = 5, col = 7;
  for (const [tA, tB] of COMBOS)
    for (const build of BUILDS) {
      const full = prepare({ tA, tB, M, N, K, alpha: 0.75, beta: 0.5, padA: 1, padB: 2, padC: 3, seed: 80 });
      const { lda, ldb, ldc } = full;
      const C = run(build, full);
      const oneRow = run(build, {
        ...full,
        cs: { ...full.cs, M: 1 },
        A: full.A.subarray(tA ? row : row * lda),
        C0: full.C0.subarray(row * ldc),
      });
      for (let j = 0; j < N; j++) assert.is(oneRow[j], C[row * ldc + j], `${build} tA=${tA} tB=${tB} C[${row},${j}]`);
      const oneCol = run(build, {
        ...full,
        cs: { ...full.cs, N: 1 },
        B: full.B.subarray(tB ? col * ldb : col),
        C0: full.C0.subarray(col),
      });
      for (let i = 0; i < M; i++) assert.is(oneCol[i * ldc], C[i * ldc + col], `${build} tA=${tA} tB=${tB} C[${i},${col}]`);
    }
});

test('workspace size is consistent and zero for empty problems', () => {
  for (const build of BUILDS) {
    const b = backend(build);
    assert.is(b.k.gemmWorkSize(0, 5, 5), 0);
    assert.ok(b.k.gemmWorkSize(1, 1, 1) > 0);
    assert.ok(b.k.gemmWorkSize(4096, 4096, 4096) < 64 << 20, 'work size is bounded by the block sizes');
  }
});

test.run();
