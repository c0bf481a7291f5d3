// The data type of the classical classifiers: a row-major float32 matrix (rows = samples, cols =
// features), plus input checks shared by every classifier. Errors name the classifier, the row and the
// column (and the feature's name when the matrix carries names).

/**
 * The input of the classical classifiers: a row-major float32 matrix, rows = samples and cols = features,
 * with optional feature names for error messages.
 */
export interface Matrix {
  /** Row-major values, rows x cols. */
  data: Float32Array;
  rows: number;
  cols: number;
  /** Optional feature names (length cols), used in error messages. */
  names?: string[];
}

/** A matrix from flat row-major data (length must be rows x cols), or from nested rows. */
export function matrix(data: Float32Array | ArrayLike<number>, rows: number, cols: number, names?: string[]): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0)
    throw new RangeError(`matrix: rows and cols must be non-negative integers, got ${rows} x ${cols}`);
  if (data.length !== rows * cols) throw new RangeError(`matrix: got ${data.length} values for ${rows} x ${cols}, which needs ${rows * cols}`);
  if (names && names.length !== cols) throw new RangeError(`matrix: ${names.length} feature names for ${cols} columns`);
  const d = data instanceof Float32Array ? data : Float32Array.from(data);
  return names ? { data: d, rows, cols, names } : { data: d, rows, cols };
}

/** A matrix from an array of equal-length rows. */
export function matrixFromRows(rows: ArrayLike<ArrayLike<number>>, names?: string[]): Matrix {
  const n = rows.length;
  const d = n ? rows[0]!.length : 0;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (r.length !== d) throw new RangeError(`matrixFromRows: row ${i} has ${r.length} values, row 0 has ${d}`);
    for (let j = 0; j < d; j++) out[i * d + j] = r[j]!;
  }
  return matrix(out, n, d, names);
}

/** The rows `idx` of m, as a new matrix. */
export function takeRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Float32Array(idx.length * m.cols);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    if (!(r >= 0 && r < m.rows)) throw new RangeError(`takeRows: row ${r} is out of range (0..${m.rows - 1})`);
    out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
  }
  return m.names ? { data: out, rows: idx.length, cols: m.cols, names: m.names } : { data: out, rows: idx.length, cols: m.cols };
}

function colName(m: Matrix, j: number): string {
  return m.names?.[j] !== undefined ? `column ${j} (${m.names[j]})` : `column ${j}`;
}

/** Checks that X is a well-formed Matrix with finite values; `who` prefixes the messages. */
export function checkMatrix(X: Matrix, who: string, what = 'X'): void {
  if (!X || !(X.data instanceof Float32Array)) throw new TypeError(`${who}: ${what} must be a Matrix { data: Float32Array, rows, cols }`);
  if (!Number.isInteger(X.rows) || !Number.isInteger(X.cols) || X.rows < 0 || X.cols < 0 || X.data.length !== X.rows * X.cols)
    throw new RangeError(`${who}: ${what} claims ${X.rows} x ${X.cols} but holds ${X.data.length} values`);
  const d = X.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) {
      const r = Math.floor(i / X.cols), c = i - r * X.cols;
      throw new RangeError(`${who}: ${what} row ${r}, ${colName(X, c)} is ${v} (features must be finite)`);
    }
  }
}

/** Checks X and y for fit(); returns the number of classes (options.nClasses, else max(y) + 1). */
export function checkFit(X: Matrix, y: Int32Array, who: string, nClasses?: number): number {
  checkMatrix(X, who);
  if (!(y instanceof Int32Array)) throw new TypeError(`${who}: y must be an Int32Array of class indices`);
  if (y.length !== X.rows) throw new RangeError(`${who}: X has ${X.rows} rows but y has ${y.length} labels`);
  if (X.rows === 0) throw new RangeError(`${who}: cannot fit on an empty training set`);
  if (X.cols === 0) throw new RangeError(`${who}: X has no feature columns`);
  let max = -1;
  for (let i = 0; i < y.length; i++) {
    const c = y[i]!;
    if (c < 0) throw new RangeError(`${who}: y[${i}] = ${c} is not a class index (must be >= 0)`);
    if (c > max) max = c;
  }
  const K = nClasses ?? max + 1;
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`${who}: nClasses must be a positive integer, got ${K}`);
  if (max >= K) throw new RangeError(`${who}: y holds class ${max} but nClasses is ${K}`);
  return K;
}

/** Per-class counts of y. */
export function classCountsOf(y: Int32Array, K: number): number[] {
  const n = new Array<number>(K).fill(0);
  for (let i = 0; i < y.length; i++) n[y[i]!]!++;
  return n;
}

/** Throws when some class in 0..K-1 has no training example (for classifiers that need every class). */
export function requireEveryClass(y: Int32Array, K: number, who: string): number[] {
  const counts = classCountsOf(y, K);
  const empty = counts.flatMap((c, k) => (c === 0 ? [k] : []));
  if (empty.length)
    throw new RangeError(
      `${who}: class${empty.length > 1 ? 'es' : ''} ${empty.join(', ')} of ${K} ha${empty.length > 1 ? 've' : 's'} no training examples; ` +
        'this classifier needs at least one per class (pass a smaller nClasses or add examples)',
    );
  return counts;
}

/** Checks X for predict(): fitted model, matching feature count, finite values. */
export function checkPredict(X: Matrix, who: string, nFeatures: number): void {
  if (nFeatures < 0) throw new Error(`${who}: the classifier is not fitted; call fit(X, y) or load one first`);
  checkMatrix(X, who);
  if (X.cols !== nFeatures) throw new RangeError(`${who}: X has ${X.cols} columns but the classifier was fitted on ${nFeatures}`);
}

/** Row-wise softmax of raw class scores (rows x K) into a float32 probability Matrix (max-subtracted). */
export function softmaxRows(F: ArrayLike<number>, rows: number, K: number): Matrix {
  const out = new Float32Array(rows * K);
  for (let i = 0; i < rows; i++) {
    let m = -Infinity, s = 0;
    for (let k = 0; k < K; k++) m = Math.max(m, F[i * K + k]!);
    for (let k = 0; k < K; k++) s += Math.exp(F[i * K + k]! - m);
    for (let k = 0; k < K; k++) out[i * K + k] = Math.exp(F[i * K + k]! - m) / s;
  }
  return { data: out, rows, cols: K };
}

/** Row-wise argmax of a rows x K matrix (the first of equal maxima). */
export function argmaxRows(p: ArrayLike<number>, rows: number, K: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0, bv = p[i * K]!;
    for (let k = 1; k < K; k++) if (p[i * K + k]! > bv) { bv = p[i * K + k]!; best = k; }
    out[i] = best;
  }
  return out;
}

/** Positive integer check for hyperparameters. */
export function checkInt(v: number, name: string, who: string, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${who}: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

export function checkPositive(v: number, name: string, who: string, allowZero = false): number {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0))
    throw new RangeError(`${who}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${v}`);
  return v;
}
