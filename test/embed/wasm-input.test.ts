// Kernels handed over through init({ wasm }) / initSync({ wasm }) instead of the embedded bytes (src/wasm/input.ts):
// every kind of input, build choice and fallback, the errors, runtimes that refuse to compile bytes,
// runtimes without FinalizationRegistry, and the package's ecgrad/wasm/*.wasm files. Each case
// re-initialises ecgrad, so they run in a child process (test/embed/wasm-input-child.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { unpack } from '../../src/wasm/embedded.ts';
import * as full from '../../src/wasm/generated.ts';
import * as infer from '../../src/wasm/generated-infer.ts';
import { projectRoot } from '../ecg/helpers.ts';

type Result = Record<string, unknown>;

function child(mode: string): Result {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'test', 'embed', 'wasm-input-child.ts'), mode], { cwd: projectRoot, encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('WASM_INPUT_RESULT '));
  assert.ok(line, `child (${mode}) failed: ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(line!.slice('WASM_INPUT_RESULT '.length)) as Result;
}

test('ecgrad/wasm/*.wasm (package exports) resolve to dist/wasm, holding the embedded builds', () => {
  const require = createRequire(join(projectRoot, 'package.json'));
  const [fullSimd, fullScalar] = unpack(full.wasmPack);
  const [inferSimd, inferScalar] = unpack(infer.wasmPack);
  const builds = { 'ecgrad.simd': fullSimd!, 'ecgrad.scalar': fullScalar!, 'ecgrad-infer.simd': inferSimd!, 'ecgrad-infer.scalar': inferScalar! };
  for (const [name, bytes] of Object.entries(builds)) {
    const path = require.resolve(`ecgrad/wasm/${name}.wasm`);
    assert.is(path, join(projectRoot, 'dist', 'wasm', `${name}.wasm`));
    assert.ok(readFileSync(path).equals(bytes), `${name}.wasm is the embedded build`);
  }
});

const inf = child('infer');

test('init/initSync take a Module, bytes, a URL, a string, a Response or a Promise; SIMD first, scalar as fallback', () => {
  const c = inf.cases as Record<string, string>;
  assert.is(c['initSync bytes pair'], 'simd infer provided');
  assert.is(c['initSync Module'], 'scalar infer provided');
  assert.is(c['initSync ArrayBuffer'], 'simd infer provided');
  assert.is(c['initSync forced scalar of a pair'], 'scalar infer provided');
  assert.is(c['init bytes'], 'scalar infer provided');
  assert.is(c['init string URL (streaming)'], 'simd infer provided');
  assert.is(c.streamedAfterString, '1', 'application/wasm responses are compiled while streaming');
  assert.is(c['init URL object pair'], 'simd infer provided');
  assert.is(c['init fetch() promise, no content type'], 'scalar infer provided');
  assert.is(c.streamedAfterPlain, '2', 'a response without application/wasm is read whole, not streamed');
  assert.is(c['init Response'], 'simd infer provided');
  assert.is(c['init Promise of a Module'], 'scalar infer provided');
  assert.match(c['init bad SIMD bytes, good scalar']!, /^scalar infer provided \(fallback: WebAssembly\.compile\(\)/);
  assert.is(c['init the full kernels under ecgrad/infer'], 'simd full provided');
  assert.is(c['second init without force'], 'scalar infer provided', 'an initialised backend is kept');
  // The pair's scalar build was never fetched when SIMD worked.
  assert.is(c.hits, '/ecgrad-infer.simd.wasm /ecgrad-infer.simd.wasm /plain/ecgrad-infer.scalar.wasm /nothing.wasm');
});

test('given kernels classify exactly as the embedded ones', () => {
  const out = inf.outputs as Record<string, number[]>;
  assert.ok(Object.keys(out).length >= 14, Object.keys(out).join(', '));
  for (const [name, v] of Object.entries(out)) assert.equal(v, out['embedded simd'], name);
});

test('clear errors: wrong build, missing build, URL to initSync, HTTP errors, foreign modules, wrong types', () => {
  const c = inf.cases as Record<string, string>;
  assert.is(c['initSync build mismatch'], 'Error: ecgrad: the wasm option is the scalar build, not the simd build asked for');
  assert.is(c['initSync missing build'], 'TypeError: ecgrad: the wasm option has no simd build');
  assert.match(c['initSync URL']!, /^TypeError: initSync\(\): the wasm option must be a WebAssembly\.Module or the wasm bytes .* got string; a URL, string, Response or Promise needs await init\(\)/);
  assert.match(c['init 404']!, /^Error: init\(\): fetching the wasm option \(http:\/\/127\.0\.0\.1:\d+\/nothing\.wasm\) failed: HTTP 404$/);
  assert.match(c['init not a kernel module']!, /not an ecgrad kernel module of this version \(it has no 'heapBase' export\)/);
  assert.match(c['init a number']!, /^TypeError: init\(\): the wasm option must be .* got number$/);
});

test("'ecgrad' (training) refuses the inference kernels and runs on the full ones", () => {
  const r = child('full');
  assert.match(r.inferUnderFull as string, /wasm\.scalar holds the inference kernels .* pass ecgrad\/wasm\/ecgrad\.simd\.wasm/);
  assert.is(r.isInitialised, false);
  assert.is(r.info, 'simd full provided');
  assert.equal(r.grad, [true, true, true]);
});

test('a runtime that refuses to compile bytes (as workerd): the error says what to pass; compiled modules work', () => {
  const r = child('refused');
  for (const k of ['initSync', 'init'])
    assert.match(r[k] as string, /^Error: ecgrad: this runtime does not compile WebAssembly from bytes \(.*disallowed by embedder\).*init\(\{ wasm: \{ simd, scalar \} \}\) with ecgrad\/wasm\/ecgrad-infer\.simd\.wasm/);
  assert.is(r.info, 'simd infer provided');
  assert.is((r.classes as number[]).length, 4);
});

test('without FinalizationRegistry: training and inference loops keep memory flat; kept tensors stay until re-init', () => {
  const r = child('no-finalization');
  assert.is(r.gcFreesTensors, false);
  const flat = (v: number[]) => v.every((x) => x === v[0]);
  assert.ok(flat(r.trainLive as number[]) && flat(r.trainWasm as number[]), `training memory: ${r.trainLive} / ${r.trainWasm}`);
  assert.ok(flat(r.inferLive as number[]), `inference memory: ${r.inferLive}`);
  assert.ok((r.keptGrowth as number) >= 10 * 4000, `kept tensors are not freed without FinalizationRegistry (${r.keptGrowth} B)`);
  assert.ok((r.afterForce as number) < 1024, 'init with force starts from an empty memory');
});

test.run();
