// Reader for the Kaggle "ECG Heartbeat Categorization Dataset" CSVs (mitbih_train.csv, mitbih_test.csv;
// Fazeli 2018, from Kachuee et al. 2018): one beat per line, 187 amplitude values in [0, 1] followed by
// the class label 0-4 (N, S, V, F, Q), comma-separated, no header line.

/** The classes of the Kaggle heartbeat CSVs, by label 0-4: N, S, V, F, Q. */
export const KAGGLE_CLASSES: readonly string[] = ['N', 'S', 'V', 'F', 'Q'];

/**
 * Beats read from a Kaggle heartbeat CSV: x [beats, 187] (values in [0, 1]), labels y (0-4) and the class
 * names.
 */
export interface KaggleBeats {
  /** nBeats x 187 values. */
  x: Float32Array;
  y: Int32Array;
  length: number;
  classes: string[];
}

/** Parses CSV text; every row must have `length` values and an integer label 0-4. */
export function parseKaggleCsv(text: string, fileName = 'csv', length = 187): KaggleBeats {
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  const x = new Float32Array(lines.length * length);
  const y = new Int32Array(lines.length);
  for (let r = 0; r < lines.length; r++) {
    const f = lines[r]!.split(',');
    if (f.length !== length + 1) {
      throw new Error(`${fileName} line ${r + 1}: expected ${length + 1} comma-separated values (${length} samples and a label), got ${f.length}`);
    }
    for (let i = 0; i < length; i++) {
      const v = Number(f[i]);
      if (f[i]!.trim() === '' || !Number.isFinite(v)) throw new Error(`${fileName} line ${r + 1}, column ${i + 1}: expected a number, got "${f[i]}"`);
      x[r * length + i] = v;
    }
    const label = Number(f[length]);
    if (!Number.isInteger(label) || label < 0 || label >= KAGGLE_CLASSES.length) {
      throw new Error(`${fileName} line ${r + 1}: the label (column ${length + 1}) must be an integer 0-4, got "${f[length]}"`);
    }
    y[r] = label;
  }
  return { x, y, length, classes: KAGGLE_CLASSES.slice() };
}
