// Beat label schemes. AAMI EC57 (ANSI/AAMI EC57:1998/2012, as used by de Chazal et al. 2004) groups the
// MIT-BIH beat symbols into five classes: N (N L R e j), S (A a J S), V (V E), F (F) and Q (/ f Q).
// ArrhythmiNet uses five beat types directly: N, L, R, A, V. Other symbols are not part of a scheme.

/**
 * Maps MIT-BIH beat symbols to class indices; symbols outside the scheme map to −1 and are left out of
 * datasets.
 */
export interface LabelScheme {
  name: string;
  classes: readonly string[];
  /** Class index of a beat symbol, or -1 if the scheme leaves the symbol out. */
  classOf(symbol: string): number;
}

function scheme(name: string, groups: Record<string, string[]>): LabelScheme {
  const classes = Object.keys(groups);
  const map = new Map<string, number>();
  classes.forEach((c, i) => groups[c]!.forEach((s) => map.set(s, i)));
  return { name, classes, classOf: (s) => map.get(s) ?? -1 };
}

/**
 * The AAMI EC57 scheme: N (N L R e j), S (A a J S), V (V E), F (F) and Q (/ f Q); other symbols are left out.
 */
export const AAMI: LabelScheme = scheme('aami', {
  N: ['N', 'L', 'R', 'e', 'j'],
  S: ['A', 'a', 'J', 'S'],
  V: ['V', 'E'],
  F: ['F'],
  Q: ['/', 'f', 'Q'],
});

/** The five beat types of ArrhythmiNet as classes: N, L, R, A, V; other symbols are left out. */
export const ARRHYTHMINET: LabelScheme = scheme('arrhythminet', {
  N: ['N'],
  L: ['L'],
  R: ['R'],
  A: ['A'],
  V: ['V'],
});
