// The published declarations stay declarations: no embedded wasm (hex, base64) as string-literal types, no
// file of unreasonable size. npm test builds dist/ before it runs the tests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../ecg/helpers.ts';

const dist = join(projectRoot, 'dist');
const MAX_FILE = 32 * 1024; // the largest today is src/wasm/kernels.ts's, about 8 KB
const MAX_TOTAL = 1024 * 1024; // about 280 KB today; 700 KB when the embedded base64 was in it

function declarations(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) declarations(p, out);
    else if (name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

test('no dist .d.ts holds a long hex or base64 literal or is larger than 32 KB; all of them together under 1 MB', () => {
  assert.ok(existsSync(join(dist, 'index.d.ts')), 'dist/ is built (npm run build)');
  const files = declarations(dist);
  assert.ok(files.length > 50, `${files.length} declaration files`);
  let total = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    total += text.length;
    const name = relative(projectRoot, f);
    assert.ok(text.length <= MAX_FILE, `${name} is ${text.length} B (limit ${MAX_FILE})`);
    const long = /[A-Za-z0-9+/]{200,}={0,2}/.exec(text);
    assert.not.ok(long, `${name} holds a ${long?.[0].length}-character hex- or base64-like literal`);
    assert.not.match(text, /[12];[0-9,]+;[0-9a-f]{512}/, `${name} holds an embedded wasm pack (src/wasm/embedded.ts) as a literal`);
  }
  assert.ok(total <= MAX_TOTAL, `the declarations total ${total} B (limit ${MAX_TOTAL})`);
  // The embedded bytes are declared as strings.
  assert.match(readFileSync(join(dist, 'wasm', 'generated-infer.d.ts'), 'utf8'), /export declare const wasmPack: string;/);
});

test.run();
