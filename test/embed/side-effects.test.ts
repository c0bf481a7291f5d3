// package.json "sideEffects" lists the modules whose import does something (kernel and model-architecture
// registrations, the entry points that import them, workers, the CLI); bundlers drop every other module
// nothing uses. Checked here with esbuild: no entry point imports a module for its effect that the list
// calls pure (esbuild warns, ignored-bare-import), and bundles of the lean root and of ecgrad/infer still
// register their kernels and the zoo's architectures (they run).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { smallModelBytes } from './helpers.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const esbuild = join(root, 'node_modules', '.bin', 'esbuild');

/** Bundles `entry` (minified ESM, node: modules left external) into `out`; returns esbuild's warnings. */
function bundle(entry: string, out: string, platform: 'browser' | 'node'): string {
  const r = spawnSync(esbuild, [entry, '--bundle', '--minify', '--format=esm', `--platform=${platform}`, '--target=es2022', '--external:node:*',
    `--outfile=${out}`, '--log-level=warning', '--color=false'], { cwd: root, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return r.stderr;
}

test('no entry point imports a module for its effect that "sideEffects" calls pure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-side-effects-'));
  try {
    const entries: [string, 'browser' | 'node'][] = [
      ['src/index.ts', 'browser'], ['src/all.ts', 'browser'], ['src/ecg/index.ts', 'browser'], ['src/models/index.ts', 'browser'],
      ['src/entries/train.ts', 'browser'], ['src/classic/index.ts', 'browser'], ['src/explain/index.ts', 'browser'],
      ['src/quant/index.ts', 'browser'], ['src/export/index.ts', 'browser'], ['src/infer/index.ts', 'browser'], ['src/browser/kernel-threads.ts', 'browser'],
      ['src/node/index.ts', 'node'], ['src/node/train/worker.ts', 'node'], ['src/cli/main.ts', 'node'],
    ];
    for (const [entry, platform] of entries) {
      const warnings = bundle(join(root, entry), join(dir, 'out.js'), platform);
      assert.not.match(warnings, /ignored-bare-import|no side effects/, `${entry}: ${warnings}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bundles of { initSync, tensor } and of ecgrad/infer run: kernels and architectures are registered', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-side-effects-'));
  try {
    const src = (p: string) => JSON.stringify(join(root, p));
    writeFileSync(join(dir, 'lean.ts'), `import { initSync, tensor } from ${src('src/index.ts')};\ninitSync();\nconsole.log(JSON.stringify(Array.from(tensor([1, 2]).add(tensor([3, 4])).data())));\n`);
    bundle(join(dir, 'lean.ts'), join(dir, 'lean.js'), 'browser');
    assert.is(execFileSync(process.execPath, [join(dir, 'lean.js')], { encoding: 'utf8' }).trim(), '[4,6]');
    writeFileSync(join(dir, 'model.ecgm'), smallModelBytes({ arch: 'cnn' }));
    writeFileSync(join(dir, 'infer.ts'), `import { readFileSync } from 'node:fs';\nimport { initSync, loadClassifier } from ${src('src/infer/index.ts')};\n` +
      `initSync();\nconst c = loadClassifier(new Uint8Array(readFileSync(process.argv[2])));\n` +
      'const pred = c.classify(new Float32Array(2 * 187).fill(0.1), new Float32Array(2 * 6).fill(0.5)).pred;\n' +
      'console.log(JSON.stringify({ arch: c.info.arch, classes: c.info.classes.length, beats: pred.length }));\n');
    bundle(join(dir, 'infer.ts'), join(dir, 'infer.js'), 'browser');
    const out = JSON.parse(execFileSync(process.execPath, [join(dir, 'infer.js'), join(dir, 'model.ecgm')], { encoding: 'utf8' }).trim()) as { arch: string; classes: number; beats: number };
    assert.is(out.arch, 'cnn');
    assert.is(out.classes, 5);
    assert.is(out.beats, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
