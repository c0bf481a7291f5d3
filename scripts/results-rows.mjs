#!/usr/bin/env node
// Prints the rows of docs/results.md's tables from a compare run's report.json: accuracy, per-class F1,
// macro-F1, parameters, size, training time and inference time per beat (and, for the inter protocol,
// the AAMI gross Se / +P of S and V). Usage: node scripts/results-rows.mjs runs/<run>/report.json
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/results-rows.mjs <report.json>');
  process.exit(2);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const pct = (v) => (100 * v).toFixed(2);
const time = (s) => (s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);
const inter = r.rows.some((x) => x.metrics.aami);
const head = ['model', 'accuracy %', ...r.classes.map((c) => `F1 ${c}`), 'macro-F1', ...(inter ? ['S Se %', 'S +P %', 'V Se %', 'V +P %'] : []), 'params', 'KB', 'train', 'inference'];
console.log(`| ${head.join(' | ')} |`);
console.log(`| --- | ${head.slice(1).map(() => '---:').join(' | ')} |`);
const rows = r.rows.slice().sort((a, b) => b.metrics.macroF1 - a.metrics.macroF1);
for (const x of rows) {
  const m = x.metrics;
  const cells = [
    `${x.name}${x.kind === 'classic' ? ' (classic)' : ''}`, pct(m.accuracy), ...r.classes.map((c) => m.perClass[c].f1.toFixed(3)), m.macroF1.toFixed(3),
    ...(inter ? (m.aami ? ['S', 'V'].flatMap((c) => [pct(m.aami[c].se), pct(m.aami[c].ppv)]) : ['', '', '', '']) : []),
    x.kind === 'neural' ? x.params.toLocaleString('en-US') : '', x.kind === 'neural' ? x.sizeKB.toFixed(1) : '',
    time(x.trainSeconds), `${x.inferMsPerBeat.toFixed(3)} ms/beat`,
  ];
  console.log(`| ${cells.join(' | ')} |`);
}
console.log(`\nwall time ${time(r.wallSeconds)} on ${r.workers} worker thread(s); ${r.beats.test} test beats`);
