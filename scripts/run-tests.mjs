#!/usr/bin/env node
// Runs the whole uvu suite (test/**/*.test.ts) through tsx and ends with the plain summary line
// "N passed, N failed". Usage: node scripts/run-tests.mjs [pattern]   (pattern: a RegExp on file paths)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// uvu's "exports" map hides package.json; resolve its main entry (dist/index.js) and step up.
const uvuBin = join(dirname(require.resolve('uvu')), '..', 'bin.js');
// A given pattern narrows the test files; it never selects non-test files (fixtures, helpers).
const pattern = process.argv[2] ? `^(?=.*(?:${process.argv[2]})).*\\.test\\.ts$` : '\\.test\\.ts$';
const child = spawn(process.execPath, ['--import', 'tsx', uvuBin, 'test', pattern, '--color', 'false'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: '0' },
});
let out = '';
child.stdout.on('data', (d) => {
  out += d;
  process.stdout.write(d);
});
child.on('close', (code) => {
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0);
  if (Number.isNaN(total) || Number.isNaN(passed)) {
    console.log('\n0 passed, 1 failed');
    console.error('the test runner ended without a summary (a test file probably failed to load)');
    process.exit(code || 1);
  }
  const failed = total - passed - skipped;
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code !== 0 ? code : failed > 0 ? 1 : 0);
});
