// SVG figures written by ecgrad itself (no plotting dependency), browser-safe strings:
//   confusionSvg:  a confusion matrix, cells shaded by the row-normalised rate (recall), count and % in each
//   curvesSvg:     training loss and validation macro-F1 per epoch, one line per model
//   tradeoffSvg:   test accuracy against model size (KB, log scale) and against training time (s, log scale)
// (primitives: src/svg/primitives.ts)
import { logTicks, niceTicks, num, svgDocument, svgText } from '../svg/primitives.ts';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function color(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

function doc(w: number, h: number, body: string[]): string {
  return svgDocument(w, h, `${body.join('\n')}\n`);
}

/**
 * A confusion matrix as an SVG document: rows true classes, columns predicted, each cell's count and share of
 * its row.
 */
export function confusionSvg(classes: string[], confusion: number[][], title: string): string {
  const C = classes.length, cell = 64, left = 90, top = 70;
  const w = left + C * cell + 30, h = top + C * cell + 60;
  const body: string[] = [svgText(w / 2, 24, title, 'text-anchor="middle" font-size="15" font-weight="bold"'),
    svgText(left + (C * cell) / 2, top - 34, 'predicted', 'text-anchor="middle" fill="#444"'),
    svgText(22, top + (C * cell) / 2, 'true', `text-anchor="middle" fill="#444" transform="rotate(-90 22 ${top + (C * cell) / 2})"`)];
  for (let j = 0; j < C; j++) body.push(svgText(left + j * cell + cell / 2, top - 10, classes[j]!, 'text-anchor="middle" font-weight="bold"'));
  for (let i = 0; i < C; i++) {
    const row = confusion[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    body.push(svgText(left - 12, top + i * cell + cell / 2 + 4, classes[i]!, 'text-anchor="end" font-weight="bold"'));
    for (let j = 0; j < C; j++) {
      const v = row[j] ?? 0, rate = total ? v / total : 0;
      const x = left + j * cell, y = top + i * cell;
      const shade = Math.round(255 - rate * 200);
      const fill = i === j ? `rgb(${shade},${Math.round(255 - rate * 120)},${shade})` : `rgb(255,${shade},${shade})`;
      const ink = rate > 0.6 ? 'white' : '#111';
      body.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#999"/>`);
      body.push(svgText(x + cell / 2, y + cell / 2 - 2, String(v), `text-anchor="middle" fill="${ink}" font-size="13"`));
      body.push(svgText(x + cell / 2, y + cell / 2 + 14, total ? `${(100 * rate).toFixed(1)}%` : '-', `text-anchor="middle" fill="${ink}" font-size="10"`));
    }
  }
  body.push(svgText(left, top + C * cell + 30, 'cells: beats, and % of the true class (row)', 'fill="#666" font-size="11"'));
  return doc(w, h, body);
}

interface Axis {
  min: number;
  max: number;
  log?: boolean;
}

function axisTicks(a: Axis, count = 5): number[] {
  return a.log ? logTicks(a.min, a.max) : niceTicks(a.min, a.max, count);
}

function fmtTick(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1000) return `${Math.round(v / 100) / 10}k`;
  return String(Number(v.toPrecision(3)));
}

interface Panel {
  x: number;
  y: number;
  w: number;
  h: number;
  xa: Axis;
  ya: Axis;
}

function sx(p: Panel, v: number): number {
  const t = p.xa.log ? (Math.log10(v) - Math.log10(p.xa.min)) / (Math.log10(p.xa.max) - Math.log10(p.xa.min)) : (v - p.xa.min) / (p.xa.max - p.xa.min || 1);
  return p.x + t * p.w;
}

function sy(p: Panel, v: number): number {
  const t = p.ya.log ? (Math.log10(v) - Math.log10(p.ya.min)) / (Math.log10(p.ya.max) - Math.log10(p.ya.min)) : (v - p.ya.min) / (p.ya.max - p.ya.min || 1);
  return p.y + p.h - t * p.h;
}

function axes(p: Panel, title: string, xLabel: string, yLabel: string): string[] {
  const out = [`<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" fill="none" stroke="#333"/>`,
    svgText(p.x + p.w / 2, p.y - 12, title, 'text-anchor="middle" font-size="14" font-weight="bold"'),
    svgText(p.x + p.w / 2, p.y + p.h + 38, xLabel, 'text-anchor="middle" fill="#333"'),
    svgText(p.x - 48, p.y + p.h / 2, yLabel, `text-anchor="middle" fill="#333" transform="rotate(-90 ${p.x - 48} ${p.y + p.h / 2})"`)];
  for (const t of axisTicks(p.xa)) {
    const x = sx(p, t);
    out.push(`<line x1="${num(x)}" y1="${p.y}" x2="${num(x)}" y2="${p.y + p.h}" stroke="#e5e5e5"/>`);
    out.push(svgText(x, p.y + p.h + 16, fmtTick(t), 'text-anchor="middle" font-size="11"'));
  }
  for (const t of axisTicks(p.ya)) {
    const y = sy(p, t);
    out.push(`<line x1="${p.x}" y1="${num(y)}" x2="${p.x + p.w}" y2="${num(y)}" stroke="#e5e5e5"/>`);
    out.push(svgText(p.x - 6, y + 4, fmtTick(t), 'text-anchor="end" font-size="11"'));
  }
  return out;
}

function range(values: number[], pad = 0.05, floor?: number): Axis {
  const finite = values.filter(Number.isFinite);
  let min = finite.length ? Math.min(...finite) : 0, max = finite.length ? Math.max(...finite) : 1;
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const d = (max - min) * pad;
  return { min: floor !== undefined ? Math.max(floor, min - d) : min - d, max: max + d };
}

function logRange(values: number[]): Axis {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = pos.length ? Math.min(...pos) : 1, hi = pos.length ? Math.max(...pos) : 10;
  return { min: 10 ** Math.floor(Math.log10(lo)), max: 10 ** Math.ceil(Math.log10(hi * 1.0001)), log: true };
}

/**
 * One model's training history for curvesSvg: per epoch, training and validation loss and validation
 * macro-F1.
 */
export interface CurveSeries {
  name: string;
  history: { epoch: number; trainLoss: number; valLoss: number; valMacroF1: number }[];
}

/**
 * Training curves as an SVG document: loss (training solid, validation dashed) and validation macro-F1
 * against the epoch, one colour per model.
 */
export function curvesSvg(series: CurveSeries[], title = 'Training curves'): string {
  const W = 900, H = 380;
  const maxEpoch = Math.max(1, ...series.flatMap((s) => s.history.map((h) => h.epoch)));
  const xa: Axis = { min: maxEpoch > 1 ? 1 : 0, max: maxEpoch };
  const loss: Panel = { x: 80, y: 50, w: 330, h: 250, xa, ya: range(series.flatMap((s) => s.history.flatMap((h) => [h.trainLoss, h.valLoss])), 0.08, 0) };
  const f1: Panel = { x: 530, y: 50, w: 330, h: 250, xa, ya: range(series.flatMap((s) => s.history.map((h) => h.valMacroF1)), 0.08, 0) };
  f1.ya.max = Math.min(1, f1.ya.max);
  const body = [svgText(W / 2, 20, title, 'text-anchor="middle" font-size="15" font-weight="bold"'),
    ...axes(loss, 'loss (solid: train, dashed: validation)', 'epoch', 'loss'), ...axes(f1, 'validation macro-F1', 'epoch', 'macro-F1')];
  const line = (p: Panel, pts: [number, number][], c: string, dash = '') =>
    pts.length === 1
      ? `<circle cx="${num(sx(p, pts[0]![0]))}" cy="${num(sy(p, pts[0]![1]))}" r="3.5" fill="${c}"/>`
      : `<polyline fill="none" stroke="${c}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${pts.map(([x, y]) => `${num(sx(p, x))},${num(sy(p, y))}`).join(' ')}"/>`;
  series.forEach((s, i) => {
    const c = color(i);
    body.push(line(loss, s.history.map((h) => [h.epoch, h.trainLoss]), c));
    body.push(line(loss, s.history.map((h) => [h.epoch, h.valLoss]), c, '5 4'));
    body.push(line(f1, s.history.map((h) => [h.epoch, h.valMacroF1]), c));
    for (const h of s.history) body.push(`<circle cx="${num(sx(f1, h.epoch))}" cy="${num(sy(f1, h.valMacroF1))}" r="2.5" fill="${c}"/>`);
    const lx = 80 + i * 150;
    body.push(`<line x1="${lx}" y1="${H - 22}" x2="${lx + 22}" y2="${H - 22}" stroke="${c}" stroke-width="3"/>`, svgText(lx + 28, H - 18, s.name));
  });
  return doc(W, H, body);
}

/** One model in tradeoffSvg: name, kind, size in KB, training seconds and test accuracy. */
export interface TradeoffPoint {
  name: string;
  kind: 'neural' | 'classic';
  sizeKB: number;
  trainSeconds: number;
  accuracy: number;
}

/**
 * Test accuracy against model size and against training time (log scales) as an SVG document, one point per
 * model.
 */
export function tradeoffSvg(points: TradeoffPoint[], title = 'Test accuracy against model size and training time'): string {
  const W = 900, H = 390;
  const ya = range(points.map((p) => 100 * p.accuracy), 0.15);
  ya.max = Math.min(100, ya.max);
  const size: Panel = { x: 80, y: 50, w: 330, h: 250, xa: logRange(points.map((p) => p.sizeKB)), ya };
  const time: Panel = { x: 530, y: 50, w: 330, h: 250, xa: logRange(points.map((p) => p.trainSeconds)), ya };
  const body = [svgText(W / 2, 20, title, 'text-anchor="middle" font-size="15" font-weight="bold"'),
    ...axes(size, 'accuracy vs size', 'model size (KB of float32 weights, log scale)', 'test accuracy (%)'),
    ...axes(time, 'accuracy vs training time', 'training time (s, log scale)', 'test accuracy (%)')];
  points.forEach((p, i) => {
    const c = color(i);
    for (const [panel, xv] of [[size, p.sizeKB], [time, p.trainSeconds]] as const) {
      if (!(xv > 0)) continue;
      const x = sx(panel, xv), y = sy(panel, 100 * p.accuracy);
      body.push(p.kind === 'classic'
        ? `<rect x="${num(x - 5)}" y="${num(y - 5)}" width="10" height="10" fill="${c}"/>`
        : `<circle cx="${num(x)}" cy="${num(y)}" r="6" fill="${c}"/>`);
      body.push(svgText(x + 8, y - 8, p.name, `fill="${c}" font-size="11"`));
    }
  });
  body.push(svgText(80, H - 14, 'circles: neural networks; squares: traditional classifiers', 'fill="#666" font-size="11"'));
  return doc(W, H, body);
}
