// SVG writing primitives shared by every figure ecgrad draws (run reports in src/report, explanation
// figures in src/explain): the document wrapper, text, XML escaping, coordinate formatting and "nice"
// axis ticks. Plain strings in and out, browser-safe, importing nothing.

/** Escapes the five XML special characters. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A coordinate rounded to 2 decimals ("0" for non-finite values, so a figure never holds NaN). */
export function num(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 100) / 100) : '0';
}

/** A whole SVG document: white background, Helvetica at `fontSize`, then the body. */
export function svgDocument(width: number, height: number, body: string, fontSize = 12): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="Helvetica, Arial, sans-serif" font-size="${fontSize}">\n<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>\n${body}</svg>\n`;
}

/** A <text> element at (x, y) with escaped content and extra attributes. */
export function svgText(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${num(x)}" y="${num(y)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(s)}</text>`;
}

/** "Nice" tick values (steps of 1, 2, 2.5 or 5 x 10^k) covering [lo, hi] with about `target` ticks. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

/** Ticks at 1, 2 and 5 x 10^k inside [lo, hi] (lo > 0), for a log axis. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** p;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  return out;
}
