// The embedded kernel builds' text form (scripts/wasm-pack.mjs writes it, src/wasm/embedded.ts reads it):
// every generated module decodes to the build/ files it was made from, byte for byte; the text holds
// only printable ASCII without quotes, backslash, '<' or '$'; every byte value survives (random bytes,
// one and two builds); a damaged pack throws an error that says how to rebuild; and the packs gzip
// smaller than the same builds as hex.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { embeddedBuilds, unpack } from '../../src/wasm/embedded.ts';
import * as full from '../../src/wasm/generated.ts';
import * as infer from '../../src/wasm/generated-infer.ts';
import * as relaxed from '../../src/wasm/generated-relaxed.ts';
import * as threads from '../../src/wasm/generated-threads.ts';
import { projectRoot } from '../ecg/helpers.ts';

// The encoder, a plain .mjs script (no declarations): imported by a specifier TypeScript does not resolve.
const script: string = '../../scripts/wasm-pack.mjs';
const { packWasm: pack, unpackWasm: unpackJs } = (await import(script)) as { packWasm: (builds: Buffer[]) => string; unpackWasm: (p: string) => Buffer[] };
const file = (name: string) => readFileSync(join(projectRoot, 'build', `${name}.wasm`));
const modules: [string, string, string[]][] = [
  ['generated.ts', full.wasmPack, ['ecgrad.simd', 'ecgrad.scalar']],
  ['generated-relaxed.ts', relaxed.wasmPack, ['ecgrad.relaxed']],
  ['generated-threads.ts', threads.wasmPack, ['ecgrad.relaxed-threads', 'ecgrad.simd-threads']],
  ['generated-infer.ts', infer.wasmPack, ['ecgrad-infer.simd', 'ecgrad-infer.scalar']],
];

test('each generated module decodes to its build/ files, and the builds validate', () => {
  for (const [name, p, builds] of modules) {
    const got = unpack(p);
    assert.is(got.length, builds.length, name);
    builds.forEach((b, i) => {
      assert.ok(Buffer.from(got[i]!).equals(file(b)), `${name}: build ${i} is build/${b}.wasm`);
      assert.ok(WebAssembly.validate(got[i]! as BufferSource) || b.includes('relaxed'), `${b} validates`);
    });
    const lazy = embeddedBuilds(p);
    assert.is(lazy.length, builds.length);
    const first = lazy[0]!();
    assert.is(lazy[0]!(), first, 'decoded once, then the same bytes');
  }
});

test('the text is printable ASCII without " \' ` \\ < $, and gzips smaller than hex', () => {
  for (const [name, p, builds] of modules) {
    assert.ok(/^[ !#%&()*+,\-./0-9:;=>?@A-Z[\]^_a-z{|}~]*$/.test(p), `${name} holds a character outside the alphabet`);
    const hex = builds.map((b) => `'${file(b).toString('hex')}'`).join(',');
    const gz = (s: string) => gzipSync(Buffer.from(s), { level: 9 }).length;
    assert.ok(gz(p) < gz(hex), `${name}: ${gz(p)} B gzip, hex ${gz(hex)} B`);
  }
});

test('every byte value survives, in one- and two-build packs (TypeScript and JavaScript decoders agree)', () => {
  let seed = 7;
  const random = (n: number) => Buffer.from(Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255));
  // Not wasm: no code section, so the two builds are one run each.
  const a = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), random(5000)]), b = random(3000);
  for (const builds of [[a], [a, b], [b, Buffer.alloc(0)]]) {
    const p = pack(builds);
    const ts = unpack(p), js = unpackJs(p);
    builds.forEach((x, i) => {
      assert.ok(Buffer.from(ts[i]!).equals(x), `build ${i} of ${builds.length} (TypeScript decoder)`);
      assert.ok(js[i]!.equals(x), `build ${i} of ${builds.length} (JavaScript decoder)`);
    });
  }
});

test('a damaged pack throws an error that says to rebuild', () => {
  const p = full.wasmPack;
  const damaged = [p.slice(0, -1), `${p}a`, `${p.slice(0, 2000)}"${p.slice(2001)}`, `${p.slice(0, 2000)}\u00e9${p.slice(2001)}`, 'x'];
  for (const d of damaged) assert.throws(() => unpack(d), /embedded kernel builds are corrupt.*npm run build:wasm/);
});

test.run();
