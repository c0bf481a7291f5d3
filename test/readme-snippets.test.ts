// The README's code examples, type-checked as written against the package's own exports (dist/, built
// by npm test before the tests) under `tsc --strict`: a snippet that calls an API with a wrong signature,
// imports a name that no entry point exports, or does not compile under strict null checks fails here.
// Two kinds of diagnostic are the snippets' own and allowed: names left for the reader to supply
// (TS2304, e.g. `myBatches`), and imports of .wasm files, which a bundler or workerd resolves (TS2307).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

test('every README code example with imports type-checks under --strict (placeholders apart)', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```(ts|js)\n([\s\S]*?)```/g)].map((m) => m[2]!).filter((b) => /^import /m.test(b));
  assert.ok(blocks.length >= 8, `${blocks.length} snippets`);
  // Inside the package folder, so 'ecgrad' and its subpaths resolve to this package (self-reference).
  const dir = join(root, '.cache', 'readme-snippets');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const files = blocks.map((b, i) => {
      const f = join(dir, `snippet-${i}.ts`);
      writeFileSync(f, `${b}\nexport {};\n`);
      return f;
    });
    const program = ts.createProgram(files, {
      strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: ['node'],
    });
    const problems = ts.getPreEmitDiagnostics(program)
      .filter((d) => !(d.code === 2304 || (d.code === 2307 && /\.wasm['"]/.test(ts.flattenDiagnosticMessageText(d.messageText, ' ')))))
      .map((d) => {
        const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        const i = d.file ? files.indexOf(d.file.fileName) : -1;
        return `README snippet ${i + 1} (${blocks[i]?.split('\n')[0]?.slice(0, 60)}...) line ${(where?.line ?? 0) + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      });
    assert.equal(problems, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
