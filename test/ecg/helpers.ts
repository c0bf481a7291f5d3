// Shared test helpers: where the MIT-BIH database is, and an independent encoder for every WFDB
// signal format (written from signal(5), separately from the library's decoder) to generate bytes.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The MIT-BIH database directory: $ECGRAD_DATA, else ../shared/data/mitdb beside the project (as in CI),
 * else shared/data/mitdb beside a further ancestor (a git worktree nested one level deeper).
 */
export function mitdbDir(): string {
  if (process.env.ECGRAD_DATA) {
    const dir = resolve(process.env.ECGRAD_DATA);
    if (!existsSync(join(dir, '100.hea'))) throw new Error(`ECGRAD_DATA=${dir} does not hold the MIT-BIH database (no 100.hea)`);
    return dir;
  }
  const tried: string[] = [];
  for (let up = dirname(projectRoot); ; up = dirname(up)) {
    const dir = join(up, 'shared', 'data', 'mitdb');
    tried.push(dir);
    if (existsSync(join(dir, '100.hea'))) return dir;
    if (dirname(up) === up || tried.length >= 3) break;
  }
  throw new Error(`MIT-BIH database not found (tried ${tried.join(', ')}); set ECGRAD_DATA to the folder holding 100.hea`);
}

/** Encodes samples (file order) in any WFDB format, padding a final partial group as WFDB does. */
export function encodeFormat(fmt: number, s: number[]): Uint8Array {
  const out: number[] = [];
  const u16le = (v: number) => out.push(v & 0xff, (v >> 8) & 0xff);
  switch (fmt) {
    case 80: for (const v of s) out.push((v + 128) & 0xff); break;
    case 16: for (const v of s) u16le(v & 0xffff); break;
    case 61: for (const v of s) out.push((v >> 8) & 0xff, v & 0xff); break;
    case 160: for (const v of s) u16le((v + 32768) & 0xffff); break;
    case 24: for (const v of s) out.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff); break;
    case 32: for (const v of s) out.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff); break;
    case 212:
      for (let i = 0; i < s.length; i += 2) {
        const a = s[i]! & 0xfff, b = (s[i + 1] ?? 0) & 0xfff;
        out.push(a & 0xff, (a >> 8) | ((b >> 8) << 4));
        if (i + 1 < s.length) out.push(b & 0xff);
      }
      break;
    case 310:
      for (let i = 0; i < s.length; i += 3) {
        const a = s[i]! & 0x3ff, b = (s[i + 1] ?? 0) & 0x3ff, c = (s[i + 2] ?? 0) & 0x3ff;
        u16le((a << 1) | ((c & 0x1f) << 11));
        if (i + 1 < s.length) u16le((b << 1) | ((c >> 5) << 11));
      }
      break;
    case 311:
      for (let i = 0; i < s.length; i += 3) {
        const a = s[i]! & 0x3ff, b = (s[i + 1] ?? 0) & 0x3ff, c = (s[i + 2] ?? 0) & 0x3ff;
        const w = (a | (b << 10) | (c << 20)) >>> 0;
        const n = i + 2 < s.length ? 4 : i + 1 < s.length ? 3 : 2;
        for (let k = 0; k < n; k++) out.push((w >>> (8 * k)) & 0xff);
      }
      break;
    default: throw new Error(`no test encoder for format ${fmt}`);
  }
  return Uint8Array.from(out);
}

/** A FileSource over an in-memory map, failing like the Node reader does for a missing file. */
export function memoryFiles(files: Record<string, Uint8Array>) {
  return (name: string): Uint8Array => {
    const f = files[name];
    if (!f) throw new Error(`${name}: file not found`);
    return f;
  };
}
