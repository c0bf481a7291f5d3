#!/usr/bin/env node
// Bundles the inference entry (src/infer/index.ts) with esbuild (from node_modules/.bin, the one tsx
// brings), minified, for the browser, and reports its size raw and gzipped (node:zlib, level 9): the
// whole bundle, the JS without the embedded wasm, and each embedded wasm build (labelled by asking the
// module itself: simdBuild(), and whether it has the training kernels, i.e. full or inference set). It
// also checks the import graph: no optimizer, trainer, CLI, node helper, explanation or classic-classifier
// module, no full kernel set (src/wasm/generated.ts) and no node: import may be part of it (exit 1
// otherwise), and that the bundle stays within the budget.
// Usage: node scripts/size.mjs [--json] [--entry src/infer/index.ts] [--budget-kb 100]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unpackWasm } from './wasm-pack.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : d;
};
const json = args.includes('--json');
const entry = opt('--entry', 'src/infer/index.ts');
const budgetKB = Number(opt('--budget-kb', '100'));
const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
/** An embedded pack (scripts/wasm-pack.mjs) as a string literal, whichever quote the minifier chose. */
const PACK_LITERAL = /(["'`])([12];[0-9,]+;[0-9a-f]{512}[^"'`]*)\1/g;
if (!existsSync(esbuild)) {
  console.error('esbuild not found in node_modules/.bin (it comes with tsx): run npm ci');
  process.exit(2);
}
execFileSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });

/**
 * "simd-infer", "scalar-full", "relaxed-full", ...: what the module says it is (simdBuild(): 2 relaxed SIMD,
 * 1 SIMD, 0 scalar) and whether it has the training kernels. A module this Node cannot compile is the
 * relaxed build (Node 20 without --experimental-wasm-relaxed-simd).
 */
function label(bytes) {
  const set = bytes.includes(Buffer.from('adamStep')) ? 'full' : 'infer';
  if (!WebAssembly.validate(bytes)) return `relaxed-${set}`;
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { abort() {} } });
  return `${['scalar', 'simd', 'relaxed'][exports.simdBuild()]}-${set}`;
}

const dir = mkdtempSync(join(tmpdir(), 'ecgrad-size-'));
try {
  const out = join(dir, 'bundle.js'), meta = join(dir, 'meta.json');
  execFileSync(esbuild, [entry, '--bundle', '--minify', '--format=esm', '--platform=browser', '--target=es2022', `--outfile=${out}`, `--metafile=${meta}`, '--log-level=warning'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const code = readFileSync(out);
  const inputs = Object.keys(JSON.parse(readFileSync(meta, 'utf8')).inputs);
  const forbidden = [/src\/optim\//, /src\/train\//, /src\/cli\//, /src\/node\//, /src\/explain\//, /src\/classic\//, /src\/report\//, /^node:/, /nn\/losses/, /src\/wasm\/generated\.ts$/, /src\/wasm\/full-kernels\.ts$/];
  const leaks = inputs.filter((p) => forbidden.some((r) => r.test(p)));
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  // The embedded wasm: the pack string literals in the bundle (scripts/wasm-pack.mjs; each holds one or two builds).
  const text = code.toString('utf8');
  const wasm = {};
  const packs = [];
  for (const m of text.matchAll(PACK_LITERAL)) {
    const builds = unpackWasm(m[2]);
    for (const b of builds) wasm[label(b)] = { bytes: b.length, gzipBinary: gz(b) };
    packs.push({ builds: builds.map(label), embeddedBytes: m[2].length, gzipEmbedded: gz(Buffer.from(m[2])), gzipBinaries: builds.reduce((s, b) => s + gz(b), 0) });
  }
  const jsOnly = Buffer.from(text.replace(PACK_LITERAL, '""'));
  const report = {
    entry,
    modules: inputs.length,
    bundle: { bytes: code.length, gzip: gz(code) },
    js: { bytes: jsOnly.length, gzip: gz(jsOnly) },
    wasm,
    packs,
    budgetKB,
    withinBudget: gz(code) <= budgetKB * 1024,
    forbiddenModules: leaks,
  };
  if (json) console.log(JSON.stringify(report, null, 2));
  else {
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    console.log(`${entry}: ${inputs.length} modules bundled (esbuild --minify, ESM, browser)`);
    console.log(`  bundle             ${kb(report.bundle.bytes).padStart(9)}  gzip ${kb(report.bundle.gzip)}`);
    console.log(`  JS only            ${kb(report.js.bytes).padStart(9)}  gzip ${kb(report.js.gzip)}`);
    for (const [k, w] of Object.entries(wasm)) console.log(`  wasm ${k.padEnd(12)}  ${kb(w.bytes).padStart(9)}  gzip ${kb(w.gzipBinary)}`);
    for (const p of packs)
      console.log(`  embedded ${p.builds.join(' + ')}: ${kb(p.embeddedBytes)}, gzip ${kb(p.gzipEmbedded)} (the binaries gzipped one by one: ${kb(p.gzipBinaries)})`);
    console.log(`  budget ${budgetKB} KB gzip: ${report.withinBudget ? 'within' : 'EXCEEDED'}`);
    if (leaks.length) console.log(`  forbidden modules in the bundle: ${leaks.join(', ')}`);
  }
  process.exit(leaks.length || !report.withinBudget ? 1 : 0);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
