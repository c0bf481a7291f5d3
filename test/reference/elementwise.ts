// Float64 references for the elementwise kernels (assembly/elementwise.ts): scalar forward and
// derivative functions per op code, strided/broadcast loops, and the finite-difference helper used by
// the "exact tier" checks. Plain TypeScript in float64; inputs are whatever the caller gives (usually
// float32-rounded values), outputs are unrounded.
import { BinaryOp as B, UnaryOp as U } from '../../src/wasm/opcodes.ts';

// ---------------------------------------------------------------- binary

export function binaryRef(op: number, a: number, b: number): number {
  switch (op) {
    case B.ADD: return a + b;
    case B.SUB: return a - b;
    case B.MUL: return a * b;
    case B.DIV: return a / b;
    case B.MAX: return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
    case B.MIN: return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
    case B.POW: return Math.pow(a, b);
    case B.GT: return a > b ? 1 : 0;
    case B.LT: return a < b ? 1 : 0;
    case B.EQ: return a === b ? 1 : 0;
    default: throw new Error(`binaryRef: unknown op ${op}`);
  }
}

/** Partial derivatives [∂f/∂a, ∂f/∂b] of a binary op (first argument wins at MAX/MIN ties). */
export function binaryGradRef(op: number, a: number, b: number): [number, number] {
  switch (op) {
    case B.ADD: return [1, 1];
    case B.SUB: return [1, -1];
    case B.MUL: return [b, a];
    case B.DIV: return [1 / b, -a / (b * b)];
    case B.MAX: return a >= b ? [1, 0] : [0, 1];
    case B.MIN: return a <= b ? [1, 0] : [0, 1];
    case B.POW: return [b * Math.pow(a, b - 1), a > 0 ? Math.pow(a, b) * Math.log(a) : 0];
    case B.GT: case B.LT: case B.EQ: return [0, 0];
    default: throw new Error(`binaryGradRef: unknown op ${op}`);
  }
}

// ---------------------------------------------------------------- unary

export function unaryRef(op: number, x: number, p = 0): number {
  switch (op) {
    case U.NEG: return -x;
    case U.ABS: return Math.abs(x);
    case U.RELU: return Number.isNaN(x) ? NaN : Math.max(x, 0);
    case U.LEAKY_RELU: return x > 0 ? x : p * x;
    case U.SIGMOID: return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    case U.TANH: return Math.tanh(x);
    case U.EXP: return Math.exp(x);
    case U.LOG: return Math.log(x);
    case U.SQRT: return Math.sqrt(x);
    case U.POW: return Math.pow(x, p);
    case U.SCALE: return p * x;
    case U.ADD_SCALAR: return x + p;
    case U.SQUARE: return x * x;
    case U.RECIPROCAL: return 1 / x;
    case U.ELU: return x > 0 ? x : p * Math.expm1(x);
    case U.SIGN: return Math.sign(x);
    case U.CLAMP_MIN: return Number.isNaN(x) ? NaN : Math.max(x, p);
    case U.CLAMP_MAX: return Number.isNaN(x) ? NaN : Math.min(x, p);
    default: throw new Error(`unaryRef: unknown op ${op}`);
  }
}

/** f'(x) with the kernel's conventions at kinks (relu/clamp/abs 0, leaky relu the slope). */
export function unaryGradRef(op: number, x: number, p = 0): number {
  switch (op) {
    case U.NEG: return -1;
    case U.ABS: return x > 0 ? 1 : x < 0 ? -1 : 0;
    case U.RELU: return x > 0 ? 1 : 0;
    case U.LEAKY_RELU: return x > 0 ? 1 : p;
    case U.SIGMOID: { const s = unaryRef(U.SIGMOID, x); return s * (1 - s); }
    case U.TANH: { const t = Math.tanh(x); return 1 - t * t; }
    case U.EXP: return Math.exp(x);
    case U.LOG: return 1 / x;
    case U.SQRT: return 0.5 / Math.sqrt(x);
    case U.POW: return p === 0 ? 0 : p * Math.pow(x, p - 1);
    case U.SCALE: return p;
    case U.ADD_SCALAR: return 1;
    case U.SQUARE: return 2 * x;
    case U.RECIPROCAL: return -1 / (x * x);
    case U.ELU: return x > 0 ? 1 : p * Math.exp(x);
    case U.SIGN: return 0;
    case U.CLAMP_MIN: return x > p ? 1 : 0;
    case U.CLAMP_MAX: return x < p ? 1 : 0;
    default: throw new Error(`unaryGradRef: unknown op ${op}`);
  }
}

/** dx[i] = dy[i]·f'(x[i]). */
export function unaryBackwardRef(op: number, x: ArrayLike<number>, dy: ArrayLike<number>, p = 0): number[] {
  return Array.from({ length: x.length }, (_, i) => dy[i]! * unaryGradRef(op, x[i]!, p));
}

// ---------------------------------------------------------------- shapes and strides

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

/** NumPy broadcasting of two shapes; throws if incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a}] and [${b}]`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Strides (elements) of a contiguous tensor of `shape` read as `outShape` (0 on broadcast dims). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const cs = contiguousStrides(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : cs[d - off]!));
}

/** Calls f(flatIndex, multiIndex) over every multi-index of shape in row-major order. */
export function forEachIndex(shape: readonly number[], f: (flat: number, idx: number[]) => void): void {
  const n = sizeOf(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    f(flat, idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

function offsetOf(idx: readonly number[], strides: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < idx.length; d++) o += idx[d]! * strides[d]!;
  return o;
}

/** out[i] = f(a[aOff + i·aStrides], b[bOff + i·bStrides]) over shape, out contiguous. */
export function stridedBinaryRef(
  op: number, a: ArrayLike<number>, b: ArrayLike<number>, shape: readonly number[],
  aStrides: readonly number[], bStrides: readonly number[], aOff = 0, bOff = 0,
): number[] {
  const out = new Array<number>(sizeOf(shape));
  forEachIndex(shape, (flat, idx) => {
    out[flat] = binaryRef(op, a[aOff + offsetOf(idx, aStrides)]!, b[bOff + offsetOf(idx, bStrides)]!);
  });
  return out;
}

/** Broadcast binary forward on contiguous operands: returns [out, outShape]. */
export function broadcastBinaryRef(op: number, a: ArrayLike<number>, aShape: readonly number[], b: ArrayLike<number>, bShape: readonly number[]): [number[], number[]] {
  const outShape = broadcastShapes(aShape, bShape);
  return [stridedBinaryRef(op, a, b, outShape, broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)), outShape];
}

/** Sums a gradient of outShape down to `shape` (the backward of broadcasting). */
export function unbroadcastRef(g: ArrayLike<number>, outShape: readonly number[], shape: readonly number[]): number[] {
  const out = new Array<number>(sizeOf(shape)).fill(0);
  const st = broadcastStrides(shape, outShape);
  forEachIndex(outShape, (flat, idx) => {
    out[offsetOf(idx, st)]! += g[flat]!;
  });
  return out;
}

/** Backward of the broadcast binary op: [dA, dB] for upstream gradient dOut. */
export function broadcastBinaryBackwardRef(
  op: number, a: ArrayLike<number>, aShape: readonly number[], b: ArrayLike<number>, bShape: readonly number[], dOut: ArrayLike<number>,
): [number[], number[]] {
  const outShape = broadcastShapes(aShape, bShape);
  const as = broadcastStrides(aShape, outShape), bs = broadcastStrides(bShape, outShape);
  const ga = new Array<number>(sizeOf(outShape)), gb = new Array<number>(sizeOf(outShape));
  forEachIndex(outShape, (flat, idx) => {
    const [da, db] = binaryGradRef(op, a[offsetOf(idx, as)]!, b[offsetOf(idx, bs)]!);
    ga[flat] = dOut[flat]! * da;
    gb[flat] = dOut[flat]! * db;
  });
  return [unbroadcastRef(ga, outShape, aShape), unbroadcastRef(gb, outShape, bShape)];
}

/** dst[dOff + i·dstStrides] = src[sOff + i·srcStrides] (or += when add), in place on dst. */
export function stridedCopyRef(
  src: ArrayLike<number>, dst: number[], shape: readonly number[], srcStrides: readonly number[], dstStrides: readonly number[],
  sOff = 0, dOff = 0, add = false,
): number[] {
  forEachIndex(shape, (_, idx) => {
    const d = dOff + offsetOf(idx, dstStrides);
    const v = src[sOff + offsetOf(idx, srcStrides)]!;
    dst[d] = add ? dst[d]! + v : v;
  });
  return dst;
}

export function axpyRef(alpha: number, x: ArrayLike<number>, y: ArrayLike<number>): number[] {
  return Array.from({ length: y.length }, (_, i) => y[i]! + alpha * x[i]!);
}

export function countNonFiniteRef(x: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) c++;
  return c;
}

// ---------------------------------------------------------------- finite differences

/**
 * Central-difference gradient of the scalar function L at x (float64), step h·max(1, |x_i|).
 * Returns the numerical gradient.
 */
export function numericGrad(L: (x: number[]) => number, x: readonly number[], h = 1e-6): number[] {
  const g = new Array<number>(x.length);
  const xp = x.slice();
  for (let i = 0; i < x.length; i++) {
    const step = h * Math.max(1, Math.abs(x[i]!));
    xp[i] = x[i]! + step;
    const fp = L(xp);
    xp[i] = x[i]! - step;
    const fm = L(xp);
    xp[i] = x[i]!;
    g[i] = (fp - fm) / (2 * step);
  }
  return g;
}

/** max_i |num_i − ana_i| / max(|ana_i|, floor): the "exact tier" relative error. */
export function gradError(num: readonly number[], ana: readonly number[], floor = 1e-3): number {
  let e = 0;
  for (let i = 0; i < num.length; i++) e = Math.max(e, Math.abs(num[i]! - ana[i]!) / Math.max(Math.abs(ana[i]!), floor));
  return e;
}
