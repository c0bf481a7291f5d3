// Float64 references for the pooling kernels (assembly/pool.ts). x is [rows, L] row-major; outputs
// [rows, Lout]. Windows: j·stride − padding + 0..kernel−1 clipped to [0, L).
type Arr = ArrayLike<number>;

export const poolLen = (L: number, k: number, s: number, p: number) => Math.floor((L + 2 * p - k) / s) + 1;

/** Max and its position (first maximum on ties; a NaN wins, the last NaN). */
export function maxPoolRef(x: Arr, rows: number, L: number, k: number, s: number, p: number): { out: number[]; idx: number[] } {
  const Lout = poolLen(L, k, s, p);
  const out: number[] = [], idx: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < Lout; j++) {
      const a = Math.max(0, j * s - p), e = Math.min(L, j * s - p + k);
      let m = -Infinity, mi = a;
      for (let i = a; i < e; i++) {
        const v = x[r * L + i]!;
        if (v > m || Number.isNaN(v)) {
          m = v;
          mi = i;
        }
      }
      out.push(m);
      idx.push(mi);
    }
  return { out, idx };
}

export function maxPoolBackwardRef(dy: Arr, idx: Arr, rows: number, L: number, Lout: number): number[] {
  const dx = new Array<number>(rows * L).fill(0);
  for (let r = 0; r < rows; r++) for (let j = 0; j < Lout; j++) dx[r * L + idx[r * Lout + j]!]! += dy[r * Lout + j]!;
  return dx;
}

const divisor = (j: number, L: number, k: number, s: number, p: number, cip: boolean) =>
  cip ? k : Math.min(L, j * s - p + k) - Math.max(0, j * s - p);

export function avgPoolRef(x: Arr, rows: number, L: number, k: number, s: number, p: number, cip: boolean): number[] {
  const Lout = poolLen(L, k, s, p);
  const out: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < Lout; j++) {
      let acc = 0;
      for (let i = Math.max(0, j * s - p); i < Math.min(L, j * s - p + k); i++) acc += x[r * L + i]!;
      out.push(acc / divisor(j, L, k, s, p, cip));
    }
  return out;
}

export function avgPoolBackwardRef(dy: Arr, rows: number, L: number, k: number, s: number, p: number, cip: boolean): number[] {
  const Lout = poolLen(L, k, s, p);
  const dx = new Array<number>(rows * L).fill(0);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < Lout; j++)
      for (let i = Math.max(0, j * s - p); i < Math.min(L, j * s - p + k); i++)
        dx[r * L + i]! += dy[r * Lout + j]! / divisor(j, L, k, s, p, cip);
  return dx;
}

const adaptiveWindow = (j: number, L: number, Lout: number) => [Math.floor((j * L) / Lout), Math.ceil(((j + 1) * L) / Lout)] as const;

export function adaptiveAvgRef(x: Arr, rows: number, L: number, Lout: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < Lout; j++) {
      const [a, e] = adaptiveWindow(j, L, Lout);
      let acc = 0;
      for (let i = a; i < e; i++) acc += x[r * L + i]!;
      out.push(acc / (e - a));
    }
  return out;
}

export function adaptiveAvgBackwardRef(dy: Arr, rows: number, L: number, Lout: number): number[] {
  const dx = new Array<number>(rows * L).fill(0);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < Lout; j++) {
      const [a, e] = adaptiveWindow(j, L, Lout);
      for (let i = a; i < e; i++) dx[r * L + i]! += dy[r * Lout + j]! / (e - a);
    }
  return dx;
}

/** Row max (NaN if any) and the first position holding it (the first NaN). */
export function globalMaxRef(x: Arr, rows: number, L: number): { out: number[]; idx: number[] } {
  const out: number[] = [], idx: number[] = [];
  for (let r = 0; r < rows; r++) {
    let m = -Infinity, mi = 0;
    for (let i = 0; i < L; i++) {
      const v = x[r * L + i]!;
      if (Number.isNaN(v)) {
        m = NaN;
        mi = i;
        break;
      }
      if (v > m) {
        m = v;
        mi = i;
      }
    }
    out.push(m);
    idx.push(mi);
  }
  return { out, idx };
}
