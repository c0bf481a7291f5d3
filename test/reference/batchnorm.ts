// Float64 references for the batch-norm kernels (assembly/batchnorm.ts). x is [B, C, L] row-major
// (element (b, c, l) at (b·C + c)·L + l); per-channel vectors are [C]. Plain TypeScript, float64.
type Arr = ArrayLike<number>;

export interface BnForwardRef {
  out: number[];
  /** Mean and 1/sqrt(var + eps) used for normalising. */
  mean: number[];
  invstd: number[];
  /** Running statistics after the update (training with running stats), else the inputs. */
  runMean: number[] | null;
  runVar: number[] | null;
}

const at = (b: number, c: number, l: number, C: number, L: number) => (b * C + c) * L + l;

export function bnForwardRef(
  x: Arr, B: number, C: number, L: number, gamma: Arr | null, beta: Arr | null, runMean: Arr | null, runVar: Arr | null,
  training: boolean, momentum: number, eps: number,
): BnForwardRef {
  const N = B * L;
  const out = new Array<number>(B * C * L);
  const mean: number[] = [], invstd: number[] = [];
  const rm = runMean ? Array.from(runMean) : null, rv = runVar ? Array.from(runVar) : null;
  for (let c = 0; c < C; c++) {
    let m: number, v: number;
    if (training) {
      m = 0;
      for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) m += x[at(b, c, l, C, L)]!;
      m /= N;
      v = 0;
      for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) v += (x[at(b, c, l, C, L)]! - m) ** 2;
      v /= N;
      if (rm && rv) {
        rm[c] = (1 - momentum) * rm[c]! + momentum * m;
        rv[c] = (1 - momentum) * rv[c]! + momentum * v * N / (N - 1);
      }
    } else {
      m = runMean![c]!;
      v = runVar![c]!;
    }
    const is = 1 / Math.sqrt(v + eps);
    mean.push(m);
    invstd.push(is);
    const g = gamma ? gamma[c]! : 1, bt = beta ? beta[c]! : 0;
    for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) out[at(b, c, l, C, L)] = (x[at(b, c, l, C, L)]! - m) * is * g + bt;
  }
  return { out, mean, invstd, runMean: rm, runVar: rv };
}

/** dx, dγ, dβ by the closed-form formulas (training: batch statistics; eval: fixed statistics). */
export function bnBackwardRef(
  x: Arr, dy: Arr, B: number, C: number, L: number, gamma: Arr | null, mean: Arr, invstd: Arr, training: boolean,
): { dx: number[]; dgamma: number[]; dbeta: number[] } {
  const N = B * L;
  const dx = new Array<number>(B * C * L);
  const dgamma: number[] = [], dbeta: number[] = [];
  for (let c = 0; c < C; c++) {
    const m = mean[c]!, is = invstd[c]!, g = gamma ? gamma[c]! : 1;
    let sdy = 0, sdyxh = 0;
    for (let b = 0; b < B; b++)
      for (let l = 0; l < L; l++) {
        const i = at(b, c, l, C, L);
        sdy += dy[i]!;
        sdyxh += dy[i]! * (x[i]! - m) * is;
      }
    dbeta.push(sdy);
    dgamma.push(sdyxh);
    for (let b = 0; b < B; b++)
      for (let l = 0; l < L; l++) {
        const i = at(b, c, l, C, L);
        const xh = (x[i]! - m) * is;
        dx[i] = training ? g * is * (dy[i]! - sdy / N - xh * sdyxh / N) : g * is * dy[i]!;
      }
  }
  return { dx, dgamma, dbeta };
}
