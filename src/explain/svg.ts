// SVG figures of explanations, string-built (no plotting dependency, browser-safe):
//   beatSvg:         one beat (lead traces) with its attribution as a heat overlay behind the trace or a
//                    colour band under it, the true and predicted class, axes in ms from the R peak and in
//                    the signal's unit (mV, or "normalised" for min-max normalised Kachuee beats);
//   classAverageSvg: per class, the mean beat with the mean (per-beat max-normalised) attribution;
//   methodGridSvg:   beats (rows) x methods (columns) on the same beats.
// Colours: red = positive (evidence for the explained class), blue = negative, opacity ∝ |a| / max |a|
// of the panel (at most 0.6 behind the trace, 0.9 in the band). Every figure is a standalone, well-formed SVG 1.1 document.
// (primitives: src/svg/primitives.ts)
import { escapeXml, niceTicks, num, svgDocument } from '../svg/primitives.ts';

export { escapeXml, niceTicks } from '../svg/primitives.ts';

/**
 * A beat and its attribution to draw: signal and attribution (channels × length), sampling rate and R-peak
 * sample for the time axis, unit, labels and colouring.
 */
export interface BeatPanel {
  /** Beat values, channels x length. */
  signal: Float32Array;
  /** Attribution, channels x length (summed over leads for the colour). */
  attribution: Float32Array;
  channels?: number;
  /** Sampling rate (Hz) and R-peak sample, for the time axis in ms relative to the R peak. */
  fs: number;
  rIndex?: number;
  /** y-axis unit label (default 'normalised'). */
  unit?: string;
  title?: string;
  trueClass?: string;
  predictedClass?: string;
  /** Probability of the predicted class. */
  probability?: number;
  method?: string;
  /** 'overlay' (default): shaded columns behind the trace; 'band': a colour strip under the plot. */
  mode?: 'overlay' | 'band';
  /** Scale for the colours (default max |attribution| of this panel). */
  scale?: number;
  /** Draw the QRS / P / T region labels from a region mask (0 qrs, 1 p, 2 t, 3 other). */
  regions?: Uint8Array;
}

const POS = '#d7301f', NEG = '#2166ac', TRACE = '#111111', AXIS = '#444444', GRID = '#e4e4e4';
const LEAD_COLOURS = [TRACE, '#7a4f00', '#1b7837'];

function document(width: number, height: number, body: string): string {
  return svgDocument(width, height, body, 11);
}

function legend(x: number, y: number, scale: number): string {
  const w = 16;
  let s = `<g class="legend"><text x="${x}" y="${y - 4}" fill="${AXIS}">attribution</text>`;
  for (let k = -4; k <= 4; k++) {
    const v = k / 4;
    s += `<rect x="${x + (k + 4) * w}" y="${y}" width="${w}" height="10" fill="${v < 0 ? NEG : POS}" fill-opacity="${num(Math.abs(v) * 0.85)}" stroke="${GRID}" stroke-width="0.5"/>`;
  }
  s += `<text x="${x}" y="${y + 22}" fill="${AXIS}">${escapeXml((-scale).toPrecision(2))}</text>`;
  s += `<text x="${x + 4.5 * w}" y="${y + 22}" fill="${AXIS}" text-anchor="middle">0</text>`;
  s += `<text x="${x + 9 * w}" y="${y + 22}" fill="${AXIS}" text-anchor="end">${escapeXml(scale.toPrecision(2))}</text></g>\n`;
  return s;
}

/** One beat panel at (x0, y0) of size w x h (axes inside). */
export function beatPanel(p: BeatPanel, x0: number, y0: number, w: number, h: number, opts: { compact?: boolean } = {}): string {
  const C = p.channels ?? 1;
  const L = p.signal.length / C;
  if (!Number.isInteger(L) || p.attribution.length !== p.signal.length)
    throw new RangeError(`beatPanel: signal (${p.signal.length}) and attribution (${p.attribution.length}) must both be channels x length`);
  const compact = opts.compact ?? false;
  const left = compact ? 34 : 52, right = 10, top = compact ? 16 : 26, bottom = compact ? 24 : 36 + (p.mode === 'band' ? 18 : 0);
  const pw = w - left - right, ph = h - top - bottom;
  const px = x0 + left, py = y0 + top;
  const rIndex = p.rIndex ?? 0;
  const tms = (i: number) => ((i - rIndex) / p.fs) * 1000;
  const t0 = tms(0), t1 = tms(L - 1);
  const X = (i: number) => px + ((tms(i) - t0) / (t1 - t0 || 1)) * pw;
  let lo = Infinity, hi = -Infinity;
  for (const v of p.signal) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  if (!(hi > lo)) (lo -= 0.5), (hi += 0.5);
  const padY = 0.06 * (hi - lo);
  lo -= padY;
  hi += padY;
  const Y = (v: number) => py + ph - ((v - lo) / (hi - lo)) * ph;
  const a = new Float64Array(L);
  for (let c = 0; c < C; c++) for (let t = 0; t < L; t++) a[t]! += p.attribution[c * L + t]!;
  let scale = p.scale ?? 0;
  if (!(scale > 0)) for (const v of a) scale = Math.max(scale, Math.abs(v));
  const colW = pw / Math.max(1, L - 1);
  let s = `<g class="beat">\n`;
  // Attribution.
  const bandY = py + ph + 22, bandH = 12;
  for (let t = 0; t < L; t++) {
    const v = scale > 0 ? a[t]! / scale : 0;
    const op = Math.min(1, Math.abs(v)) * (p.mode === 'band' ? 0.9 : 0.6);
    if (op < 0.01) continue;
    const xs = Math.max(px, X(t) - colW / 2), xe = Math.min(px + pw, X(t) + colW / 2);
    if (p.mode === 'band') s += `<rect x="${num(xs)}" y="${num(bandY)}" width="${num(xe - xs + 0.3)}" height="${bandH}" fill="${v < 0 ? NEG : POS}" fill-opacity="${num(op)}"/>`;
    else s += `<rect x="${num(xs)}" y="${num(py)}" width="${num(xe - xs + 0.3)}" height="${num(ph)}" fill="${v < 0 ? NEG : POS}" fill-opacity="${num(op)}"/>`;
  }
  s += '\n';
  if (p.mode === 'band') s += `<rect x="${num(px)}" y="${num(bandY)}" width="${num(pw)}" height="${bandH}" fill="none" stroke="${AXIS}" stroke-width="0.5"/>\n`;
  // Grid, axes and ticks.
  const xt = niceTicks(t0, t1, compact ? 4 : 8), yt = niceTicks(lo, hi, compact ? 3 : 5);
  for (const v of xt) {
    const xx = px + ((v - t0) / (t1 - t0 || 1)) * pw;
    s += `<line x1="${num(xx)}" y1="${num(py)}" x2="${num(xx)}" y2="${num(py + ph)}" stroke="${GRID}" stroke-width="0.5"/>`;
    s += `<text x="${num(xx)}" y="${num(py + ph + 12)}" text-anchor="middle" fill="${AXIS}" font-size="${compact ? 8 : 10}">${num(v)}</text>`;
  }
  for (const v of yt) {
    const yy = Y(v);
    s += `<line x1="${num(px)}" y1="${num(yy)}" x2="${num(px + pw)}" y2="${num(yy)}" stroke="${GRID}" stroke-width="0.5"/>`;
    s += `<text x="${num(px - 4)}" y="${num(yy + 3)}" text-anchor="end" fill="${AXIS}" font-size="${compact ? 8 : 10}">${escapeXml(String(Number(v.toPrecision(3))))}</text>`;
  }
  s += `\n<rect x="${num(px)}" y="${num(py)}" width="${num(pw)}" height="${num(ph)}" fill="none" stroke="${AXIS}" stroke-width="0.8"/>\n`;
  if (rIndex >= 0 && rIndex < L) s += `<line x1="${num(X(rIndex))}" y1="${num(py)}" x2="${num(X(rIndex))}" y2="${num(py + ph)}" stroke="${AXIS}" stroke-width="0.6" stroke-dasharray="3,3"/>\n`;
  if (p.regions && !compact) {
    const names = ['QRS', 'P', 'T'];
    for (let code = 0; code < 3; code++) {
      let t = 0;
      while (t < L) {
        if (p.regions[t] !== code) {
          t++;
          continue;
        }
        let e = t;
        while (e + 1 < L && p.regions[e + 1] === code) e++;
        s += `<line x1="${num(X(t))}" y1="${num(py + 3)}" x2="${num(X(e))}" y2="${num(py + 3)}" stroke="${AXIS}" stroke-width="1.5"/>`;
        s += `<text x="${num((X(t) + X(e)) / 2)}" y="${num(py + 13)}" text-anchor="middle" fill="${AXIS}" font-size="9">${names[code]}</text>`;
        t = e + 1;
      }
    }
    s += '\n';
  }
  // Traces.
  for (let c = 0; c < C; c++) {
    let d = '';
    for (let t = 0; t < L; t++) d += `${t ? 'L' : 'M'}${num(X(t))},${num(Y(p.signal[c * L + t]!))}`;
    s += `<path d="${d}" fill="none" stroke="${LEAD_COLOURS[c % LEAD_COLOURS.length]}" stroke-width="${compact ? 1 : 1.4}" stroke-linejoin="round"/>\n`;
  }
  // Labels.
  const parts: string[] = [];
  if (p.title) parts.push(p.title);
  if (p.method) parts.push(p.method);
  if (p.trueClass !== undefined) parts.push(`true ${p.trueClass}`);
  if (p.predictedClass !== undefined) parts.push(`predicted ${p.predictedClass}${p.probability !== undefined ? ` (p = ${p.probability.toFixed(2)})` : ''}`);
  s += `<text x="${num(px)}" y="${num(y0 + (compact ? 11 : 16))}" fill="${TRACE}" font-size="${compact ? 9 : 12}"${compact ? '' : ' font-weight="bold"'}>${escapeXml(parts.join(' · '))}</text>\n`;
  if (!compact) {
    s += `<text x="${num(px + pw / 2)}" y="${num(y0 + h - 4)}" text-anchor="middle" fill="${AXIS}">time from R peak (ms)</text>\n`;
    s += `<text x="${num(x0 + 12)}" y="${num(py + ph / 2)}" text-anchor="middle" fill="${AXIS}" transform="rotate(-90 ${num(x0 + 12)} ${num(py + ph / 2)})">${escapeXml(p.unit ?? 'normalised')}</text>\n`;
  }
  return `${s}</g>\n`;
}

/** A single beat with its attribution. */
export function beatSvg(p: BeatPanel, opts: { width?: number; height?: number } = {}): string {
  const w = opts.width ?? 720, h = opts.height ?? 300;
  let scale = p.scale ?? 0;
  if (!(scale > 0)) {
    const C = p.channels ?? 1, L = p.attribution.length / C;
    for (let t = 0; t < L; t++) {
      let v = 0;
      for (let c = 0; c < C; c++) v += p.attribution[c * L + t]!;
      scale = Math.max(scale, Math.abs(v));
    }
  }
  return document(w, h + 40, beatPanel({ ...p, scale }, 0, 0, w, h) + legend(w - 170, h + 8, scale || 1));
}

/** The mean beat and mean attribution of one class's beats, for classAverageSvg. */
export interface ClassAverage {
  className: string;
  beats: number;
  meanBeat: Float32Array;
  meanAttribution: Float32Array;
}

/** Mean beat and mean attribution (each beat's attribution divided by its max |a| first) per class. */
export function classAverages(x: Float32Array, values: Float32Array, labels: ArrayLike<number>, classes: string[], size: number): ClassAverage[] {
  const out: ClassAverage[] = [];
  for (let k = 0; k < classes.length; k++) {
    const mb = new Float32Array(size), ma = new Float32Array(size);
    let count = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== k) continue;
      count++;
      let m = 0;
      for (let j = 0; j < size; j++) m = Math.max(m, Math.abs(values[i * size + j]!));
      for (let j = 0; j < size; j++) {
        mb[j]! += x[i * size + j]!;
        ma[j]! += m > 0 ? values[i * size + j]! / m : 0;
      }
    }
    if (!count) continue;
    for (let j = 0; j < size; j++) (mb[j]! /= count), (ma[j]! /= count);
    out.push({ className: classes[k]!, beats: count, meanBeat: mb, meanAttribution: ma });
  }
  return out;
}

/** One panel per class: the class's mean beat with its mean attribution. */
export function classAverageSvg(avgs: ClassAverage[], geom: { fs: number; rIndex?: number; channels?: number; unit?: string; method?: string }, opts: { width?: number; panelHeight?: number } = {}): string {
  const w = opts.width ?? 720, ph = opts.panelHeight ?? 200;
  let body = `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(`Mean attribution per class${geom.method ? ` · ${geom.method}` : ''}`)}</text>\n`;
  avgs.forEach((a, r) => {
    body += beatPanel({
      signal: a.meanBeat, attribution: a.meanAttribution, channels: geom.channels, fs: geom.fs, rIndex: geom.rIndex, unit: geom.unit,
      title: `class ${a.className} (${a.beats} beat${a.beats === 1 ? '' : 's'})`, scale: 1,
    }, 0, 30 + r * ph, w, ph);
  });
  const h = 30 + avgs.length * ph;
  return document(w, h + 40, body + legend(w - 170, h + 8, 1));
}

/** One method's attribution of a beat in methodGridSvg. */
export interface GridCell {
  method: string;
  attribution: Float32Array;
}

/** One beat of methodGridSvg with its label and each method's attribution. */
export interface GridRow {
  signal: Float32Array;
  label: string;
  cells: GridCell[];
}

/** Beats (rows) x methods (columns). */
export function methodGridSvg(rows: GridRow[], geom: { fs: number; rIndex?: number; channels?: number; unit?: string }, opts: { cellWidth?: number; cellHeight?: number } = {}): string {
  const cw = opts.cellWidth ?? 240, ch = opts.cellHeight ?? 130;
  const cols = Math.max(1, ...rows.map((r) => r.cells.length));
  let body = '';
  rows.forEach((row, r) => {
    row.cells.forEach((cell, c) => {
      body += beatPanel({
        signal: row.signal, attribution: cell.attribution, channels: geom.channels, fs: geom.fs, rIndex: geom.rIndex, unit: geom.unit,
        title: r === 0 ? cell.method : undefined, method: undefined,
      }, c * cw, 24 + r * ch, cw, ch, { compact: true });
    });
    body += `<text x="${cols * cw + 6}" y="${24 + r * ch + ch / 2}" font-size="10" fill="${AXIS}">${escapeXml(row.label)}</text>\n`;
  });
  // Two lines so the title fits even a one-method grid.
  const title =
    `<text x="10" y="14" font-size="13" font-weight="bold">Methods compared on the same beats</text>\n` +
    `<text x="10" y="27" font-size="10" fill="${AXIS}">time from R peak in ms; ${escapeXml(geom.unit ?? 'normalised')}</text>\n`;
  return document(cols * cw + 200, 34 + rows.length * ch + 10, `<g transform="translate(0, 10)">${body}</g>\n` + title);
}
