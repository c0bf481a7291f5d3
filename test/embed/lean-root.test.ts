// The lean root: a bundle of only { initSync, tensor } from 'ecgrad' holds the tensor core, the ops and
// the optimizers' kernels registration, and none of the workbench (ECG data, zoo, training, classifiers,
// explanations, quantisation, export); the subpaths (ecgrad/ecg, /models, /train, /classic, /explain,
// /quant, /export, /all) resolve through the package's exports to the built dist/ files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('a bundle of { initSync, tensor } from the root: no workbench module, within 60 KB gzip with both wasm builds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-lean-'));
  try {
    writeFileSync(join(dir, 'entry.ts'), `import { initSync, tensor } from ${JSON.stringify(join(root, 'src', 'index.ts'))};\ninitSync();\nconsole.log(tensor([1, 2], [2]).data());\n`);
    execFileSync(join(root, 'node_modules', '.bin', 'esbuild'), [join(dir, 'entry.ts'), '--bundle', '--minify', '--format=esm', '--platform=browser', '--target=es2022',
      `--outfile=${join(dir, 'out.js')}`, `--metafile=${join(dir, 'meta.json')}`, '--log-level=warning'], { cwd: root });
    const inputs = Object.keys(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).inputs);
    const workbench = inputs.filter((p) => /src\/(ecg|models|train|classic|explain|quant|export|report|metrics|stream|infer|node|cli)\//.test(p));
    assert.equal(workbench, [], 'workbench modules in the lean bundle');
    const code = readFileSync(join(dir, 'out.js'));
    const gzip = gzipSync(code, { level: 9 }).length;
    // The embedded builds: one pack literal (scripts/wasm-pack.mjs), whichever quote esbuild chose.
    const packs = code.toString('utf8').match(/(["'`])2;[0-9,]+;[0-9a-f]{512}[^"'`]*\1/g) ?? [];
    assert.is(packs.length, 1, 'one embedded pack (the SIMD and scalar builds)');
    const jsOnly = gzipSync(Buffer.from(code.toString('utf8').replace(packs[0]!, '""')), { level: 9 }).length;
    console.log(`  { initSync, tensor }: ${inputs.length} modules, ${(gzip / 1024).toFixed(1)} KB gzip (JS without the two embedded wasm builds: ${(jsOnly / 1024).toFixed(1)} KB)`);
    assert.ok(gzip <= 60 * 1024, `${gzip} B gzip`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every subpath resolves through the package exports (dist/) and carries its API', async () => {
  const expect: Record<string, string> = {
    'ecgrad/ecg': 'parseHeader', 'ecgrad/models': 'getModel', 'ecgrad/train': 'personalize', 'ecgrad/classic': 'runClassic',
    'ecgrad/explain': 'integratedGradients', 'ecgrad/quant': 'quantizeModel', 'ecgrad/export': 'exportOnnx', 'ecgrad/all': 'readRecord', ecgrad: 'tensor',
  };
  for (const [spec, name] of Object.entries(expect)) {
    const m = (await import(spec)) as Record<string, unknown>;
    assert.type(m[name], 'function', `${spec} exports ${name}`);
  }
  const lean = (await import('ecgrad')) as Record<string, unknown>;
  assert.is(lean.parseHeader, undefined, 'the root holds no ECG API');
});

test.run();
