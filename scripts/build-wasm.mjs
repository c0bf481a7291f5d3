#!/usr/bin/env node
// Builds the kernel modules and embeds their bytes in generated TypeScript modules, so importing
// ecgrad needs no file path, fetch or bundler setup. Two kernel sets, each compiled three times
// (asconfig.json targets "relaxed" (SIMD + relaxed SIMD: f32x4.relaxed_madd, assembly/fma.ts), "simd" and
// "scalar"; the entry file is given here, asconfig.json has none):
//   full   assembly/index.ts -> build/ecgrad.{relaxed,simd,scalar}.wasm -> src/wasm/generated.ts (simd, scalar)
//                                                                     and src/wasm/generated-relaxed.ts (relaxed)
//   infer  assembly/infer.ts -> build/ecgrad-infer.{relaxed,simd,scalar}.wasm -> src/wasm/generated-infer.ts (simd, scalar)
// (the forward kernels only, for ecgrad/infer; see src/wasm/source.ts). A relaxed build costs about 30 KB
// (full set) gzip as embedded: with it the lean root { initSync, tensor } would exceed its 60 KB
// (test/embed/lean-root.test.ts), and the ecgrad/infer bundle would come near its 100 KB (scripts/size.mjs).
// So the full set's relaxed build sits in its own module, registered by src/wasm/relaxed-kernels.ts, which
// ecgrad/all, ecgrad/node and the CLI import and the lean root does not; the inference set's ships as the
// file ecgrad/wasm/ecgrad-infer.relaxed.wasm for init({ wasm: { relaxed, simd, scalar } }).
// The full set is also compiled twice more for the kernel thread pool (docs/kernels.md "Threads"): targets
// "relaxed-threads" and "simd-threads" (threads enabled, memory imported and shared, at most 4 GiB) ->
// build/ecgrad.{relaxed,simd}-threads.wasm -> src/wasm/generated-threads.ts, registered by
// src/wasm/threads-kernels.ts (ecgrad/node, ecgrad/all, the CLI; not the lean root or ecgrad/infer).
// Generated files are not committed.
// Each generated module exports one string, `wasmPack`: its builds in the text form of scripts/wasm-pack.mjs
// (decoded by src/wasm/embedded.ts), one character per frequent byte and the two builds interleaved
// function by function, which gzips to within a few percent of the two binaries together. Hex, used
// before, kept byte boundaries but cost 2 characters a byte (both full builds: 55.3 KB gzip as hex; base64,
// which breaks byte boundaries, is worse still). The constant is declared `: string`, so the emitted .d.ts
// says `string`, not the literal.
// The .wasm files are also copied to dist/wasm/ (every run), where package.json exports them as
// ecgrad/wasm/*.wasm for init({ wasm }) (docs/embedding.md).
// With --if-stale, the kernels are recompiled only when assembly/ or asconfig.json is newer than a
// .wasm file, and the generated modules rewritten only when a .wasm file or this script is newer than
// them (a change of the asc command line below needs a plain run).
// Usage: node scripts/build-wasm.mjs [--if-stale]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, existsSync, renameSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packWasm } from './wasm-pack.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build');
const targets = ['relaxed', 'simd', 'scalar'];
/** The threads builds (imported shared memory, atomics; src/wasm/threaded.ts): full set only. */
const threadTargets = ['relaxed-threads', 'simd-threads'];
const sets = [
  { entry: 'assembly/index.ts', wasm: 'ecgrad', targets: [...targets, ...threadTargets] },
  { entry: 'assembly/infer.ts', wasm: 'ecgrad-infer', targets },
];
/** The generated modules: which builds of which set each embeds. */
const modules = [
  { entry: 'assembly/index.ts', wasm: 'ecgrad', generated: join(root, 'src', 'wasm', 'generated.ts'), embed: ['simd', 'scalar'] },
  { entry: 'assembly/index.ts', wasm: 'ecgrad', generated: join(root, 'src', 'wasm', 'generated-relaxed.ts'), embed: ['relaxed'] },
  { entry: 'assembly/index.ts', wasm: 'ecgrad', generated: join(root, 'src', 'wasm', 'generated-threads.ts'), embed: threadTargets },
  { entry: 'assembly/infer.ts', wasm: 'ecgrad-infer', generated: join(root, 'src', 'wasm', 'generated-infer.ts'), embed: ['simd', 'scalar'] },
];
const wasmFiles = sets.flatMap((s) => s.targets.map((t) => join(out, `${s.wasm}.${t}.wasm`)));
const ifStale = process.argv.includes('--if-stale');

function newestSource(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newestSource(p) : s.mtimeMs);
  }
  return t;
}

/** Whether any of `outputs` is missing or older than the newest of `inputs` (mtimes). */
const stale = (outputs, inputs) => outputs.some((p) => !existsSync(p) || statSync(p).mtimeMs < Math.max(...inputs));

/** Written to a temporary file and renamed, so a concurrent reader never sees a half-written file. */
function writeAtomically(path, write) {
  const tmp = `${path}.${process.pid}.tmp`;
  write(tmp);
  renameSync(tmp, path);
}

const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
if (!ifStale || stale(wasmFiles, [newestSource(join(root, 'assembly')), statSync(join(root, 'asconfig.json')).mtimeMs])) {
  mkdirSync(out, { recursive: true });
  for (const set of sets)
    for (const target of set.targets) {
      const file = join(out, `${set.wasm}.${target}.wasm`);
      const tmp = `${file}.${process.pid}.tmp.wasm`;
      execFileSync(process.execPath, [asc, set.entry, '--config', 'asconfig.json', '--target', target, '-o', tmp], { cwd: root, stdio: 'inherit' });
      renameSync(tmp, file);
    }
}

const script = Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, statSync(join(root, 'scripts', 'wasm-pack.mjs')).mtimeMs);
for (const set of modules) {
  const files = set.embed.map((t) => join(out, `${set.wasm}.${t}.wasm`));
  if (ifStale && !stale([set.generated], [script, ...files.map((f) => statSync(f).mtimeMs)])) continue;
  const bytes = files.map((f) => readFileSync(f));
  mkdirSync(dirname(set.generated), { recursive: true });
  writeAtomically(set.generated, (tmp) =>
    writeFileSync(
      tmp,
      `// Generated by scripts/build-wasm.mjs from ${set.entry}. Do not edit; not committed.\n` +
        `// The ${set.embed.join(' and ')} build${set.embed.length > 1 ? 's' : ''}, in this order (scripts/wasm-pack.mjs; src/wasm/embedded.ts decodes it).\n` +
        `export const wasmPack: string = '${packWasm(bytes)}';\n`,
    ),
  );
  console.log(`built wasm (${set.entry}): ${set.embed.map((t, i) => `${t} ${bytes[i].length} B`).join(', ')} -> ${set.generated.slice(root.length + 1)}`);
}

const dist = join(root, 'dist', 'wasm');
mkdirSync(dist, { recursive: true });
for (const f of wasmFiles) writeAtomically(join(dist, f.slice(out.length + 1)), (tmp) => copyFileSync(f, tmp));
