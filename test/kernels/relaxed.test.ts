// The relaxed-SIMD kernel build (f32x4.relaxed_madd in the GEMM micro-kernel and thin paths, the LSTM/GRU
// gate tiles and the direct convolution rows; assembly/fma.ts): its numbers against the float64 references
// and the SIMD build, its determinism, and how initialisation chooses it or falls back. Everything runs in
// child processes (test/kernels/relaxed-child.ts): Node 20 compiles relaxed SIMD only with
// --experimental-wasm-relaxed-simd, which this process does not have (and must not get: the other test
// files expect the SIMD build), and the selection checks re-initialise ecgrad.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { relaxedSimdSupported } from '../../src/wasm/backend.ts';
import { projectRoot } from '../ecg/helpers.ts';

interface Result {
  checks: Record<string, string | null>;
  stats: Record<string, unknown>;
}

const FLAG = '--experimental-wasm-relaxed-simd';

function child(mode: string, flag: boolean): Result {
  const args = [...(flag ? [FLAG] : []), '--import', 'tsx', join(projectRoot, 'test', 'kernels', 'relaxed-child.ts'), mode];
  const r = spawnSync(process.execPath, args, { cwd: projectRoot, encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RELAXED_RESULT '));
  if (!line) throw new Error(`child (${mode}) failed: ${r.stderr.slice(0, 3000)}`);
  return JSON.parse(line.slice('RELAXED_RESULT '.length)) as Result;
}

test('this test process runs without relaxed SIMD (Node 20 without the flag), so the other tests run the SIMD build', () => {
  if (Number(process.versions.node.split('.')[0]) < 22) assert.is(relaxedSimdSupported(), false);
});

const kernels = child('kernels', true);
test('the kernels child compiled relaxed SIMD', () => assert.is(kernels.stats.relaxedSimdSupported, true));
for (const [name, failure] of Object.entries(kernels.checks))
  test(`relaxed build: ${name}`, () => {
    if (failure) assert.unreachable(failure);
  });
test('relaxed build: it really differs from the SIMD build (fused multiply-add on this machine) in some elements', () => {
  const { elements, differFromSimd } = kernels.stats as { elements: number; differFromSimd: number };
  assert.ok(elements > 100_000, `${elements} elements compared`);
  // V8 emits vfmadd on x86 with FMA3 and fmla on ARM64; without FMA it may compute mul then add (then equal)
  assert.ok(differFromSimd > 0, 'relaxed_madd fused nowhere: a CPU without FMA?');
  console.log(`  relaxed vs SIMD: ${differFromSimd} of ${elements} elements differ; ${Object.entries(kernels.stats).filter(([k]) => k.startsWith('worst')).map(([k, v]) => `${k.slice(6)} ${v}`).join(', ')}`);
});

const select = child('select', true);
test('with relaxed SIMD: auto picks the relaxed build; simd, relaxed and given modules are chosen as asked', () => {
  const out = JSON.parse(select.stats.result as string);
  assert.is(select.stats.relaxedSimdSupported, true);
  assert.equal(out.auto, { build: 'relaxed', kernels: 'full', simdSupported: true, wasm: 'embedded', gcFreesTensors: true, threads: 1 });
  assert.is(out.forcedSimd.build, 'simd');
  assert.is(out.forcedRelaxed, '(no error)');
  assert.is(out.forcedRelaxedInfo.build, 'relaxed');
  for (const k of ['givenAll', 'givenAllAsync']) assert.equal(out[k], { build: 'relaxed', kernels: 'full', simdSupported: true, wasm: 'provided', gcFreesTensors: true, threads: 1 }, k);
  assert.is(out.givenRelaxedOnly, '(no error)');
  // the inference set embeds no relaxed build (size budget): auto takes SIMD without a fallback reason
  assert.equal(out.inferAuto, { build: 'simd', kernels: 'infer', simdSupported: true, wasm: 'embedded', gcFreesTensors: true, threads: 1 });
  assert.match(out.inferForcedRelaxed, /inference kernel set has no relaxed build registered: pass it as .*ecgrad-infer\.relaxed\.wasm/);
  assert.is(out.sum, 5);
});

const noflag = child('noflag', false);
test('without relaxed SIMD: auto falls back to SIMD and says why; forcing relaxed says how to enable it; the one-liner works', () => {
  const out = JSON.parse(noflag.stats.result as string);
  assert.is(noflag.stats.relaxedSimdSupported, false);
  assert.is(out.auto.build, 'simd');
  assert.match(out.auto.fallbackReason, /relaxed SIMD is not supported here \(Node 20: run node with --experimental-wasm-relaxed-simd\)/);
  assert.match(out.forcedRelaxed, /does not support WebAssembly relaxed SIMD.*--experimental-wasm-relaxed-simd/);
  assert.is(out.forcedRelaxedInfo.build, 'simd', 'the failed forced init left the previous backend');
  for (const k of ['givenAll', 'givenAllAsync']) {
    assert.is(out[k].build, 'simd', k);
    assert.match(out[k].fallbackReason, /relaxed/, k);
  }
  assert.match(out.givenRelaxedOnly, /does not support WebAssembly relaxed SIMD/);
  assert.equal(out.inferAuto, { build: 'simd', kernels: 'infer', simdSupported: true, wasm: 'embedded', gcFreesTensors: true, threads: 1 });
  assert.is(out.sum, 5);
  // v8.setFlagsFromString('--experimental-wasm-relaxed-simd') before init (docs/kernels.md)
  assert.equal(out.afterFlag, { build: 'relaxed', kernels: 'full', simdSupported: true, wasm: 'embedded', gcFreesTensors: true, threads: 1 });
});

test("the lean root 'ecgrad' alone: no relaxed build registered (bundle size), so SIMD without a fallback reason; the file given is chosen", () => {
  const r = child('lean', true);
  const out = JSON.parse(r.stats.result as string);
  assert.equal(out.auto, { build: 'simd', kernels: 'full', simdSupported: true, wasm: 'embedded', gcFreesTensors: true, threads: 1 });
  assert.match(out.forcedRelaxed, /full kernel set has no relaxed build registered: import 'ecgrad\/all' or 'ecgrad\/node'.*ecgrad\.relaxed\.wasm/);
  assert.equal(out.given, { build: 'relaxed', kernels: 'full', simdSupported: true, wasm: 'provided', gcFreesTensors: true, threads: 1 });
});

test('ecgrad/infer alone: SIMD embedded; the relaxed inference file given as a module is chosen', () => {
  const r = child('infer', true);
  const out = JSON.parse(r.stats.result as string);
  assert.equal(out.auto, { build: 'simd', kernels: 'infer', simdSupported: true, wasm: 'embedded', gcFreesTensors: true, threads: 1 });
  assert.match(out.forcedRelaxed, /has no relaxed build registered/);
  assert.equal(out.given, { build: 'relaxed', kernels: 'infer', simdSupported: true, wasm: 'provided', gcFreesTensors: true, threads: 1 });
});

test('the ecgrad CLI (bin/ecgrad.js) enables relaxed SIMD for itself unless ECGRAD_RELAXED_SIMD=0', () => {
  // a preload that reports, at exit, whether the process compiles relaxed SIMD by then
  // (the module of src/wasm/backend.ts's RELAXED_PROBE: one f32x4.relaxed_madd of three v128 constants)
  const probe = `data:text/javascript,${encodeURIComponent(
    'const v = [0xfd, 0x0c, ...new Array(16).fill(0)];' +
      'const m = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 0x0a, 0x3d, 1, 0x3b, 0, ...v, ...v, ...v, 0xfd, 0x85, 2, 0x0b]);' +
      "process.on('exit', () => console.log('RELAXED_AT_EXIT ' + WebAssembly.validate(m)));",
  )}`;
  const run = (env: Record<string, string>) => {
    const r = spawnSync(process.execPath, ['--import', probe, join(projectRoot, 'bin', 'ecgrad.js'), '--help'], {
      cwd: projectRoot, encoding: 'utf8', env: { ...process.env, ...env },
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RELAXED_AT_EXIT '));
    assert.ok(line, `no report: ${r.stderr.slice(0, 2000)}`);
    return line!.endsWith('true');
  };
  assert.is(run({}), true);
  if (Number(process.versions.node.split('.')[0]) < 22) assert.is(run({ ECGRAD_RELAXED_SIMD: '0' }), false);
});

test.run();
