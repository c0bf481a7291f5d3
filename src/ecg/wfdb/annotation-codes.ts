// The standard WFDB annotation codes (ecgcodes.h) with their mnemonic symbols and descriptions, and the
// set of codes that denote beats (WFDB isqrs). Reference: WFDB Programmer's Guide, "Annotation Codes".
// Codes 15, 17 and 42-49 are unassigned; they read as "[15]" etc., as WFDB's annstr() prints them.

/** One WFDB annotation code: its number, symbol (as in rdann), mnemonic name and description. */
export interface AnnotationCode {
  code: number;
  symbol: string;
  name: string;
  description: string;
}

/** The standard WFDB annotation codes (ecgcodes.h) with their symbols, mnemonics and descriptions. */
export const ANNOTATION_CODES: readonly AnnotationCode[] = [
  { code: 0, symbol: ' ', name: 'NOTQRS', description: 'not-QRS (not a real annotation)' },
  { code: 1, symbol: 'N', name: 'NORMAL', description: 'normal beat' },
  { code: 2, symbol: 'L', name: 'LBBB', description: 'left bundle branch block beat' },
  { code: 3, symbol: 'R', name: 'RBBB', description: 'right bundle branch block beat' },
  { code: 4, symbol: 'a', name: 'ABERR', description: 'aberrated atrial premature beat' },
  { code: 5, symbol: 'V', name: 'PVC', description: 'premature ventricular contraction' },
  { code: 6, symbol: 'F', name: 'FUSION', description: 'fusion of ventricular and normal beat' },
  { code: 7, symbol: 'J', name: 'NPC', description: 'nodal (junctional) premature beat' },
  { code: 8, symbol: 'A', name: 'APC', description: 'atrial premature contraction' },
  { code: 9, symbol: 'S', name: 'SVPB', description: 'premature or ectopic supraventricular beat' },
  { code: 10, symbol: 'E', name: 'VESC', description: 'ventricular escape beat' },
  { code: 11, symbol: 'j', name: 'NESC', description: 'nodal (junctional) escape beat' },
  { code: 12, symbol: '/', name: 'PACE', description: 'paced beat' },
  { code: 13, symbol: 'Q', name: 'UNKNOWN', description: 'unclassifiable beat' },
  { code: 14, symbol: '~', name: 'NOISE', description: 'signal quality change' },
  { code: 16, symbol: '|', name: 'ARFCT', description: 'isolated QRS-like artifact' },
  { code: 18, symbol: 's', name: 'STCH', description: 'ST change' },
  { code: 19, symbol: 'T', name: 'TCH', description: 'T-wave change' },
  { code: 20, symbol: '*', name: 'SYSTOLE', description: 'systole' },
  { code: 21, symbol: 'D', name: 'DIASTOLE', description: 'diastole' },
  { code: 22, symbol: '"', name: 'NOTE', description: 'comment annotation' },
  { code: 23, symbol: '=', name: 'MEASURE', description: 'measurement annotation' },
  { code: 24, symbol: 'p', name: 'PWAVE', description: 'P-wave peak' },
  { code: 25, symbol: 'B', name: 'BBB', description: 'left or right bundle branch block' },
  { code: 26, symbol: '^', name: 'PACESP', description: 'non-conducted pacer spike' },
  { code: 27, symbol: 't', name: 'TWAVE', description: 'T-wave peak' },
  { code: 28, symbol: '+', name: 'RHYTHM', description: 'rhythm change' },
  { code: 29, symbol: 'u', name: 'UWAVE', description: 'U-wave peak' },
  { code: 30, symbol: '?', name: 'LEARN', description: 'learning' },
  { code: 31, symbol: '!', name: 'FLWAV', description: 'ventricular flutter wave' },
  { code: 32, symbol: '[', name: 'VFON', description: 'start of ventricular flutter/fibrillation' },
  { code: 33, symbol: ']', name: 'VFOFF', description: 'end of ventricular flutter/fibrillation' },
  { code: 34, symbol: 'e', name: 'AESC', description: 'atrial escape beat' },
  { code: 35, symbol: 'n', name: 'SVESC', description: 'supraventricular escape beat' },
  { code: 36, symbol: '@', name: 'LINK', description: 'link to external data (URL in aux)' },
  { code: 37, symbol: 'x', name: 'NAPC', description: 'non-conducted P-wave (blocked APB)' },
  { code: 38, symbol: 'f', name: 'PFUS', description: 'fusion of paced and normal beat' },
  { code: 39, symbol: '(', name: 'WFON', description: 'waveform onset' },
  { code: 40, symbol: ')', name: 'WFOFF', description: 'waveform end' },
  { code: 41, symbol: 'r', name: 'RONT', description: 'R-on-T premature ventricular contraction' },
];

/** Highest annotation code (ACMAX); codes 59-63 are pseudo-codes of the file format. */
export const ACMAX = 49;

const byCode = new Map<number, AnnotationCode>(ANNOTATION_CODES.map((c) => [c.code, c]));
const bySymbol = new Map<string, number>(ANNOTATION_CODES.map((c) => [c.symbol, c.code]));

/** The symbol of an annotation code ("N" for 1); unassigned codes read "[n]". */
export function codeToSymbol(code: number): string {
  return byCode.get(code)?.symbol ?? `[${code}]`;
}

/** The code of a symbol, or undefined if the symbol is not a standard one. */
export function symbolToCode(symbol: string): number | undefined {
  const c = bySymbol.get(symbol);
  if (c !== undefined) return c;
  const m = /^\[(\d+)\]$/.exec(symbol);
  if (m) {
    const n = Number(m[1]);
    if (n >= 0 && n <= ACMAX) return n;
  }
  return undefined;
}

/** Codes WFDB counts as beats (isqrs): N L R a V F J A S E j / Q B ? e n f r. */
export const BEAT_CODES: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 25, 30, 34, 35, 38, 41]);

/** Beat symbols (the symbols of BEAT_CODES). */
export const BEAT_SYMBOLS: ReadonlySet<string> = new Set([...BEAT_CODES].map(codeToSymbol));

/** True if the symbol denotes a beat (WFDB isqrs). */
export function isBeatSymbol(symbol: string): boolean {
  return BEAT_SYMBOLS.has(symbol);
}
