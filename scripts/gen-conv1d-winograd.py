#!/usr/bin/env python3
# Generates assembly/conv1d-winograd.ts: the Winograd F(4, K) transforms for K = 3 and K = 5 and F(6, 3) as
# straight-line code (exact rational matrices from the points 0, 1, -1, 2, -2, 1/2, -1/2 and infinity,
# see assembly/conv1d.ts). Run: python3 scripts/gen-conv1d-winograd.py
from fractions import Fraction as F

PTS = [F(0), F(1), F(-1), F(2), F(-2), F(1, 2), F(-1, 2)]
M = 4


def inverse(V):
    n = len(V)
    A = [row[:] + [F(int(i == j)) for j in range(n)] for i, row in enumerate(V)]
    for c in range(n):
        p = next(r for r in range(c, n) if A[r][c] != 0)
        A[c], A[p] = A[p], A[c]
        inv = 1 / A[c][c]
        A[c] = [v * inv for v in A[c]]
        for r in range(n):
            if r != c and A[r][c] != 0:
                f = A[r][c]
                A[r] = [a - f * b for a, b in zip(A[r], A[c])]
    return [row[n:] for row in A]


def mats(K, M=M):
    a = M + K - 1
    pts = PTS[: a - 1]
    vand = lambda cols: [[p ** j for j in range(cols)] for p in pts] + [[F(int(j == cols - 1)) for j in range(cols)]]
    V = vand(a)
    C = inverse(V)
    BT = [[C[k][i] for k in range(a)] for i in range(a)]
    A = vand(M)
    AT = [[A[i][j] for i in range(a)] for j in range(M)]
    G = vand(K)
    # move each row's denominators from Bᵀ into G, so the input transform has integer coefficients
    from math import lcm
    for i in range(a):
        s = lcm(*[c.denominator for c in BT[i]])
        BT[i] = [c * s for c in BT[i]]
        G[i] = [c / s for c in G[i]]
    return a, AT, G, BT


def lit(c, exact=True):
    v = float(c)
    assert not exact or F(v) == c, c  # transform coefficients are dyadic rationals: exact in f32
    return repr(v)


def expr(coefs, names, simd, init=None):
    terms = [(c, n) for c, n in zip(coefs, names) if c != 0]
    out = init
    for c, n in terms:
        if simd:
            t = n if c == 1 else f"f32x4.mul(f32x4.splat({lit(c)}), {n})" if c != -1 else None
            if out is None:
                out = t if c != -1 else f"f32x4.neg({n})"
            else:
                out = f"f32x4.sub({out}, {n})" if c == -1 else f"f32x4.add({out}, {t})"
        else:
            t = n if c == 1 else f"<f32>{lit(c)} * {n}" if c != -1 else None
            if out is None:
                out = t if c != -1 else f"-{n}"
            else:
                out = f"({out} - {n})" if c == -1 else f"({out} + {t})"
    return out if out is not None else ("f32x4.splat(0)" if simd else "<f32>0")



# Points ±p sit at indices (1, 2), (3, 4), (5, 6): their rows of Bᵀ (and of A for the dy transform) differ only
# in the sign of the odd-k coefficients, so each pair is computed as E ± O with E (O) the even (odd) k part,
# and the output transform adds m_p ± m_-p once per pair (even / odd outputs). Fewer operations than the
# plain rows (the K = 5 input transform: about 55 instead of 75 vector ops); a fixed order in both builds.
PAIRS = [(1, 2), (3, 4), (5, 6)]


def rows_code(R, names, simd, indent, store, tag):
    """Lines computing out_i = Σ_k R[i][k]·names[k] for every row i (paired rows as E ± O); store(i, e) -> line."""
    lines, done = [], set()
    n = len(R)
    decl = "const" if simd else "const"
    ty = "" if simd else ": f32"
    for (i, i2) in PAIRS:
        if i2 >= n - 1:
            continue
        sign = [(-1) ** k for k in range(len(names))]
        same = all(R[i2][k] == R[i][k] * sign[k] for k in range(len(names)))
        flip = all(R[i2][k] == -R[i][k] * sign[k] for k in range(len(names)))
        if not (same or flip):
            continue
        ev = [c if k % 2 == 0 else 0 for k, c in enumerate(R[i])]
        od = [c if k % 2 == 1 else 0 for k, c in enumerate(R[i])]
        if all(c == 0 for c in ev) or all(c == 0 for c in od):
            continue
        E, O = f"{tag}e{i}", f"{tag}o{i}"
        lines.append(f"{indent}{decl} {E}{ty} = {expr(ev, names, simd)};")
        lines.append(f"{indent}{decl} {O}{ty} = {expr(od, names, simd)};")
        add = (lambda a, b: f"f32x4.add({a}, {b})") if simd else (lambda a, b: f"({a} + {b})")
        sub = (lambda a, b: f"f32x4.sub({a}, {b})") if simd else (lambda a, b: f"({a} - {b})")
        lines.append(store(i, add(E, O)))
        lines.append(store(i2, sub(E, O) if same else sub(O, E)))
        done |= {i, i2}
    for i in range(n):
        if i not in done:
            lines.append(store(i, expr(R[i], names, simd)))
    # stores in row order do not matter (independent outputs); keep the generated order stable
    return "".join(l + "\n" for l in lines)


def out_code(AT, mn, simd, indent, init, emit):
    """o_j = init + Σ_i AT[j][i]·m_i with the ±p pairs summed once: m_p + m_-p (even j) or m_p - m_-p (odd j)."""
    a = len(mn)
    lines = []
    used = []
    for (i, i2) in PAIRS:
        if i2 >= a - 1:
            continue
        ok = all(AT[j][i2] == AT[j][i] * (-1) ** j for j in range(len(AT)))
        if not ok:
            continue
        used.append((i, i2))
        if simd:
            lines.append(f"{indent}const s{i} = f32x4.add({mn[i]}, {mn[i2]}), q{i} = f32x4.sub({mn[i]}, {mn[i2]});")
        else:
            lines.append(f"{indent}const s{i}: f32 = {mn[i]} + {mn[i2]}, q{i}: f32 = {mn[i]} - {mn[i2]};")
    paired = {i for p in used for i in p}
    for j in range(len(AT)):
        names, coefs = [], []
        for i in range(a):
            if i in paired:
                pr = next(p for p in used if i in p)
                if i != pr[0]:
                    continue
                names.append(f"s{i}" if j % 2 == 0 else f"q{i}")
                coefs.append(AT[j][i])
            else:
                names.append(mn[i])
                coefs.append(AT[j][i])
        lines.append(emit(j, expr(coefs, names, simd, init)))
    return "".join(l + "\n" for l in lines)

TRANSPOSE_IN = """    const r0 = v128.load(src), r1 = v128.load(src, 16), r2 = v128.load(src, 32), r3 = v128.load(src, 48), r4 = v128.load(src, 64);
    let t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
    let t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
    const d0 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), d1 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
    const d2 = f32x4.shuffle(t1, t3, 0, 1, 4, 5), d3 = f32x4.shuffle(t1, t3, 2, 3, 6, 7);
    t0 = f32x4.shuffle(r1, r2, 0, 4, 1, 5); t1 = f32x4.shuffle(r1, r2, 2, 6, 3, 7);
    t2 = f32x4.shuffle(r3, r4, 0, 4, 1, 5); t3 = f32x4.shuffle(r3, r4, 2, 6, 3, 7);
    const d4 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), d5 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
    const d6 = f32x4.shuffle(t1, t3, 0, 1, 4, 5), d7 = f32x4.shuffle(t1, t3, 2, 3, 6, 7);
"""

out = ["""// GENERATED by scripts/gen-conv1d-winograd.py; do not edit.
// Winograd F(4, K) transforms for conv1d (assembly/conv1d.ts), K = 3 (α = 6) and K = 5 (α = 8), and F(6, 3)
// (α = 8, suffix 63: tiles of 6 outputs; conv1d.ts uses it for K = 3), points 0, 1, -1, 2, -2, 1/2, -1/2 (the
// first α-1) and ∞: A and G are Vandermonde columns, Bᵀ = (V⁻¹)ᵀ.
// Each row's denominators are moved from Bᵀ into G, so Bᵀ is integer and Aᵀ dyadic (exact in f32);
// only G (applied once to the weights) is rounded. Each output is a fixed sum of terms in a fixed
// order, the same in the SIMD build (4 tiles per f32x4) and the scalar build (one tile at a time).
//
// winoIn{K}(src, dst, step): 4 neighbouring tiles; tile t reads d_k = src[4t + k] (k < α, 20 floats
//   readable); writes (Bᵀ d)_i for tile t at dst + i*step + 4t bytes.
// winoOut{K}(src, step, b0, y, n): m_i of tile t at src + i*step + 4t; y[4t + j] = b0 + (Aᵀ m)_j for
//   4t + j < n (n <= 16: the valid outputs of this group of tiles).
// winoDy{K}(src, dst, step): 4 tiles of 4 contiguous values e (tile t: src[4t .. 4t+4)); writes (A·e)_i
//   for tile t at dst + i*step + 4t (the weight gradient's transform of dy, A = (Aᵀ)ᵀ).
// WINO_G{K}: G [α][K] row-major f32 (filter transform U = G·w; weight gradient dW_k = Σ_i G[i][k]·P_i).
// winoIn63 / winoOut63 / winoDy63 / WINO_G63: the same for F(6, 3) with tiles of 6 (tile t reads src[6t + k],
//   26 floats readable; winoOut63 writes y[6t + j] for 6t + j < n, n <= 24; winoDy63 reads src[6t .. 6t+6)).
// Partial output groups go through WINO_TMP (96 bytes; each instance's own in the threads build: tls, assembly/threads.ts).
"""]
for K in (3, 5):
    a, AT, G, BT = mats(K)
    flat = ", ".join(lit(G[i][k], False) for i in range(a) for k in range(K))
    out.append(f"export const WINO_G{K}: usize = memory.data<f32>([{flat}], 16);\n")
    # input transform
    out.append(f"// @ts-ignore: decorator\n@inline export function winoIn{K}(src: usize, dst: usize, step: usize): void {{\n  if (ASC_FEATURE_SIMD) {{\n")
    out.append(TRANSPOSE_IN)
    names = [f"d{k}" for k in range(a)]
    out.append(rows_code(BT, names, True, "    ", lambda i, e: f"    v128.store(dst + {i} * step, {e});", "b"))
    out.append("  } else {\n    for (let t: usize = 0; t < 4; t++) {\n      const s = src + (t << 4);\n")
    for k in range(a):
        out.append(f"      const d{k} = load<f32>(s, {4 * k});\n")
    out.append(rows_code(BT, names, False, "      ", lambda i, e: f"      store<f32>(dst + {i} * step + (t << 2), {e});", "b"))
    out.append("    }\n  }\n}\n\n")
    # output transform
    out.append(f"// @ts-ignore: decorator\n@inline export function winoOut{K}(src: usize, step: usize, b0: f32, y: usize, n: i32): void {{\n  if (ASC_FEATURE_SIMD) {{\n")
    for i in range(a):
        out.append(f"    const m{i} = v128.load(src + {i} * step);\n")
    out.append("    const vb = f32x4.splat(b0);\n")
    mn = [f"m{i}" for i in range(a)]
    out.append(out_code(AT, mn, True, "    ", "vb", lambda j, e: f"    const o{j} = {e};"))
    out.append("""    const t0 = f32x4.shuffle(o0, o1, 0, 4, 1, 5), t1 = f32x4.shuffle(o0, o1, 2, 6, 3, 7);
    const t2 = f32x4.shuffle(o2, o3, 0, 4, 1, 5), t3 = f32x4.shuffle(o2, o3, 2, 6, 3, 7);
    const r0 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), r1 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
    const r2 = f32x4.shuffle(t1, t3, 0, 1, 4, 5), r3 = f32x4.shuffle(t1, t3, 2, 3, 6, 7);
    if (n >= 16) {
      v128.store(y, r0); v128.store(y, r1, 16); v128.store(y, r2, 32); v128.store(y, r3, 48);
    } else {
      v128.store(tls(WINO_TMP), r0); v128.store(tls(WINO_TMP), r1, 16); v128.store(tls(WINO_TMP), r2, 32); v128.store(tls(WINO_TMP), r3, 48);
      memory.copy(y, tls(WINO_TMP), <usize>n << 2);
    }
  } else {
    for (let t = 0; t < 4; t++) {
      const s = src + (<usize>t << 2);
""")
    for i in range(a):
        out.append(f"      const m{i} = load<f32>(s + {i} * step);\n")
    out.append(out_code(AT, mn, False, "      ", "b0", lambda j, e: f"      if (4 * t + {j} < n) store<f32>(y + (<usize>(4 * t + {j}) << 2), {e});"))
    out.append("    }\n  }\n}\n\n")
    # dy transform for the weight gradient: (A·e)_i with e the 4 values of a tile (A = (Aᵀ)ᵀ)
    out.append(f"// @ts-ignore: decorator\n@inline export function winoDy{K}(src: usize, dst: usize, step: usize): void {{\n  if (ASC_FEATURE_SIMD) {{\n")
    out.append("""    const r0 = v128.load(src), r1 = v128.load(src, 16), r2 = v128.load(src, 32), r3 = v128.load(src, 48);
    const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
    const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
    const e0 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), e1 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
    const e2 = f32x4.shuffle(t1, t3, 0, 1, 4, 5), e3 = f32x4.shuffle(t1, t3, 2, 3, 6, 7);
""")
    en = [f"e{j}" for j in range(M)]
    out.append(rows_code([[AT[j][i] for j in range(M)] for i in range(a)], en, True, "    ", lambda i, e: f"    v128.store(dst + {i} * step, {e});", "a"))
    out.append("  } else {\n    for (let t: usize = 0; t < 4; t++) {\n      const s = src + (t << 4);\n")
    for j in range(M):
        out.append(f"      const e{j} = load<f32>(s, {4 * j});\n")
    out.append(rows_code([[AT[j][i] for j in range(M)] for i in range(a)], en, False, "      ", lambda i, e: f"      store<f32>(dst + {i} * step + (t << 2), {e});", "a"))
    out.append("    }\n  }\n}\n\n")

# F(6, 3): α = 8 (the points of F(4, 5)), tiles of 6 outputs, 4 tiles per f32x4 (a group covers 24 outputs).
# Tile t of a group reads d_k = src[6t + k] (k < 8): rows at 0, 6, 12, 18 transposed give d0..d3, rows at
# 4, 10, 16, 22 give d4..d7 (26 floats readable). The outputs y[6t + j] (j < 6) are 6 vectors after the
# interleave below.
K, M6 = 3, 6
a, AT, G, BT = mats(K, M6)
flat = ", ".join(lit(G[i][k], False) for i in range(a) for k in range(K))
out.append(f"export const WINO_G63: usize = memory.data<f32>([{flat}], 16);\n")
out.append("""// @ts-ignore: decorator
@inline export function winoIn63(src: usize, dst: usize, step: usize): void {
  if (ASC_FEATURE_SIMD) {
    let r0 = v128.load(src), r1 = v128.load(src, 24), r2 = v128.load(src, 48), r3 = v128.load(src, 72);
    let t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
    let t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
    const d0 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), d1 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
    const d2 = f32x4.shuffle(t1, t3, 0, 1, 4, 5), d3 = f32x4.shuffle(t1, t3, 2, 3, 6, 7);
    r0 = v128.load(src, 16); r1 = v128.load(src, 40); r2 = v128.load(src, 64); r3 = v128.load(src, 88);
    t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5); t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
    t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5); t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
    const d4 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), d5 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
    const d6 = f32x4.shuffle(t1, t3, 0, 1, 4, 5), d7 = f32x4.shuffle(t1, t3, 2, 3, 6, 7);
""")
names = [f"d{k}" for k in range(a)]
out.append(rows_code(BT, names, True, "    ", lambda i, e: f"    v128.store(dst + {i} * step, {e});", "b"))
out.append("  } else {\n    for (let t: usize = 0; t < 4; t++) {\n      const s = src + t * 24;\n")
for k in range(a):
    out.append(f"      const d{k} = load<f32>(s, {4 * k});\n")
out.append(rows_code(BT, names, False, "      ", lambda i, e: f"      store<f32>(dst + {i} * step + (t << 2), {e});", "b"))
out.append("    }\n  }\n}\n\n")
out.append("// @ts-ignore: decorator\n@inline export function winoOut63(src: usize, step: usize, b0: f32, y: usize, n: i32): void {\n  if (ASC_FEATURE_SIMD) {\n")
for i in range(a):
    out.append(f"    const m{i} = v128.load(src + {i} * step);\n")
out.append("    const vb = f32x4.splat(b0);\n")
mn = [f"m{i}" for i in range(a)]
out.append(out_code(AT, mn, True, "    ", "vb", lambda j, e: f"    const o{j} = {e};"))
out.append("""    const t0 = f32x4.shuffle(o0, o1, 0, 4, 1, 5), t1 = f32x4.shuffle(o0, o1, 2, 6, 3, 7);
    const t2 = f32x4.shuffle(o2, o3, 0, 4, 1, 5), t3 = f32x4.shuffle(o2, o3, 2, 6, 3, 7);
    const r0 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), r1 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
    const r2 = f32x4.shuffle(t1, t3, 0, 1, 4, 5), r3 = f32x4.shuffle(t1, t3, 2, 3, 6, 7);
    const s01 = f32x4.shuffle(o4, o5, 0, 4, 1, 5), s23 = f32x4.shuffle(o4, o5, 2, 6, 3, 7);
    const v1 = f32x4.shuffle(s01, r1, 0, 1, 4, 5), v2 = f32x4.shuffle(r1, s01, 2, 3, 6, 7);
    const v4 = f32x4.shuffle(s23, r3, 0, 1, 4, 5), v5 = f32x4.shuffle(r3, s23, 2, 3, 6, 7);
    if (n >= 24) {
      v128.store(y, r0); v128.store(y, v1, 16); v128.store(y, v2, 32); v128.store(y, r2, 48); v128.store(y, v4, 64); v128.store(y, v5, 80);
    } else {
      v128.store(tls(WINO_TMP), r0); v128.store(tls(WINO_TMP), v1, 16); v128.store(tls(WINO_TMP), v2, 32);
      v128.store(tls(WINO_TMP), r2, 48); v128.store(tls(WINO_TMP), v4, 64); v128.store(tls(WINO_TMP), v5, 80);
      memory.copy(y, tls(WINO_TMP), <usize>n << 2);
    }
  } else {
    for (let t = 0; t < 4; t++) {
      const s = src + (<usize>t << 2);
""")
for i in range(a):
    out.append(f"      const m{i} = load<f32>(s + {i} * step);\n")
out.append(out_code(AT, mn, False, "      ", "b0", lambda j, e: f"      if (6 * t + {j} < n) store<f32>(y + (<usize>(6 * t + {j}) << 2), {e});"))
out.append("    }\n  }\n}\n\n")
out.append("""// @ts-ignore: decorator
@inline export function winoDy63(src: usize, dst: usize, step: usize): void {
  if (ASC_FEATURE_SIMD) {
    let r0 = v128.load(src), r1 = v128.load(src, 24), r2 = v128.load(src, 48), r3 = v128.load(src, 72);
    let t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
    let t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
    const e0 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), e1 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
    const e2 = f32x4.shuffle(t1, t3, 0, 1, 4, 5), e3 = f32x4.shuffle(t1, t3, 2, 3, 6, 7);
    r0 = v128.load(src, 16); r1 = v128.load(src, 40); r2 = v128.load(src, 64); r3 = v128.load(src, 88);
    t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
    t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
    const e4 = f32x4.shuffle(t0, t2, 0, 1, 4, 5), e5 = f32x4.shuffle(t0, t2, 2, 3, 6, 7);
""")
en = [f"e{j}" for j in range(M6)]
out.append(rows_code([[AT[j][i] for j in range(M6)] for i in range(a)], en, True, "    ", lambda i, e: f"    v128.store(dst + {i} * step, {e});", "a"))
out.append("  } else {\n    for (let t: usize = 0; t < 4; t++) {\n      const s = src + t * 24;\n")
for j in range(M6):
    out.append(f"      const e{j} = load<f32>(s, {4 * j});\n")
out.append(rows_code([[AT[j][i] for j in range(M6)] for i in range(a)], en, False, "      ", lambda i, e: f"      store<f32>(dst + {i} * step + (t << 2), {e});", "a"))
out.append("    }\n  }\n}\n\n")
out.insert(1, "import { tls } from './threads';\n\nconst WINO_TMP: usize = memory.data(96, 16);\n\n")
open("assembly/conv1d-winograd.ts", "w").write("".join(out))
print("wrote assembly/conv1d-winograd.ts")
