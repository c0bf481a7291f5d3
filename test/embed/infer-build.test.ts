// The inference kernel builds (assembly/infer.ts, registered by ecgrad/infer alone): they export exactly
// the kernels src/wasm/kernels.ts lists as forward ones, every zoo architecture gives the same logits on
// them as on the full builds (simd and scalar), a training kernel missing from them throws a clear
// error, the streaming classifier runs on them, and the full set wins whatever the import order.
// Anything that switches kernel sets runs in a child process (test/embed/infer-build-child.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { KERNELS } from '../../src/wasm/kernels.ts';
import { unpack } from '../../src/wasm/embedded.ts';
import * as full from '../../src/wasm/generated.ts';
import * as infer from '../../src/wasm/generated-infer.ts';
import { projectRoot } from '../ecg/helpers.ts';

type Result = Record<string, unknown>;

function child(mode: string): Result {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'embed', 'infer-build-child.ts'), mode], { cwd: projectRoot, encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('INFER_BUILD_RESULT '));
  assert.ok(line, `child (${mode}) failed: ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(line!.slice('INFER_BUILD_RESULT '.length)) as Result;
}

const exportsOf = (bytes: Uint8Array) => WebAssembly.Module.exports(new WebAssembly.Module(bytes as BufferSource)).map((e) => e.name).filter((n) => n !== 'memory').sort();
const names = (kind?: 'forward') => Object.entries(KERNELS).filter(([, k]) => !kind || k === kind).map(([n]) => n).sort();

test('the inference builds export exactly the forward kernels; the full builds every kernel', () => {
  const [inferSimd, inferScalar] = unpack(infer.wasmPack) as [Uint8Array, Uint8Array];
  const [fullSimd, fullScalar] = unpack(full.wasmPack) as [Uint8Array, Uint8Array];
  for (const bytes of [inferSimd, inferScalar]) assert.equal(exportsOf(bytes), names('forward'));
  for (const bytes of [fullSimd, fullScalar]) assert.equal(exportsOf(bytes), names());
  assert.ok(inferSimd.length < 0.8 * fullSimd.length, 'the inference SIMD build is smaller');
  assert.ok(inferScalar.length < 0.8 * fullScalar.length, 'the inference scalar build is smaller');
});

const cmp = child('compare');

test('every zoo architecture, with and without RR features, gives identical logits on the inference builds', () => {
  const models = cmp.models as string[];
  assert.ok(models.length >= 16, `${models.length} models`);
  for (const name of ['ann', 'cnn', 'resnet', 'lstm', 'gru', 'ft-cnn', 'arrhythminet-v1', 'arrhythminet-v2'])
    for (const m of [name, `${name} rr`]) assert.ok(models.includes(m), `${m} compared`);
  const logits = cmp.logits as Record<string, number[][]>;
  for (const build of ['simd', 'scalar']) {
    const f = logits[`${build} full`]!, i = logits[`${build} infer`]!;
    assert.is(f.length, models.length);
    models.forEach((m, k) => {
      assert.is(f[k]!.length, 4 * 5, `${m}: [4, 5] logits`);
      assert.ok(f[k]!.every(Number.isFinite), `${m}: finite logits`);
      assert.equal(i[k], f[k], `${build} ${m}: inference build logits equal the full build's`);
    });
  }
  assert.not.equal(logits['simd full']![0], logits['simd full']![2], 'different models give different logits');
});

test('the inference builds pass the self-test; BackendInfo says which kernel set is in use', () => {
  for (const build of ['simd', 'scalar']) {
    assert.is(cmp[`${build} selfTest`], null);
    const info = cmp[`${build} info`] as Result;
    assert.is(info.build, build);
    assert.is(info.kernels, 'infer');
    assert.is(info.simdBuild, build === 'simd' ? 1 : 0);
  }
});

test('a training kernel is missing from the inference build and says so', () => {
  for (const build of ['simd', 'scalar']) {
    assert.match(cmp[`${build} missing`] as string, /the kernel 'conv1dBackwardData' is not in the inference build .*import 'ecgrad' \(the full build\) for training, gradients and explanations/);
    assert.match(cmp[`${build} backward`] as string, /the kernel 'unaryBackward' is not in the inference build/);
  }
});

test('the streaming classifier gives the same beats on the inference builds', () => {
  const s = cmp.streams as Record<string, number[][]>;
  assert.ok(s['simd full']!.length > 30, `${s['simd full']!.length} beats`);
  assert.equal(s['simd infer'], s['simd full']);
  assert.equal(s['scalar infer'], s['scalar full']);
});

test('kernel set registration: ecgrad/infer alone uses the inference set; the full set wins in either import order', () => {
  const a = child('infer-first');
  assert.is(a.first, 'infer');
  assert.match(a.before as string, /the kernel 'adamStep' is not in the inference build/);
  assert.match(a.after as string, /registered now, but ecgrad was initialised before/);
  assert.is(a.forced, 'full');
  assert.is(child('explain-first').first, 'full');
});

test.run();
