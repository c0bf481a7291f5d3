// Every symbol a public entry point exports has a doc comment (issue 17, point 5): the entry points are
// read from package.json `exports` (each subpath's `types`, ./dist/X.d.ts, is built from src/X.ts), the
// TypeScript compiler resolves each entry's exports through `export ... from` and `export *` to their
// declarations, and a declaration counts as documented when it carries a JSDoc comment (`/** ... */`)
// with text in it: for a class or interface that is the comment on the type itself, for a `const` the
// comment on its statement, for overloads any one of them. A line comment (`//`) does not count.
// `npm run docs` renders the same comments as the HTML reference (typedoc.json, docs/api/).
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** An exported symbol whose declaration has no doc comment. */
interface Undocumented {
  /** The package subpath that exports it ('.', './train', ...). */
  entry: string;
  /** The name it is exported under. */
  name: string;
  /** `file: declared name`, the same for every entry that exports it. */
  key: string;
  /** `file:line` of its first declaration. */
  where: string;
}

/** The subpath → source file of every entry point in package.json `exports` that has types. */
function entryPoints(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === 'object' && target !== null ? (target as { types?: unknown }).types : undefined;
    if (typeof types !== 'string') continue;
    entries.set(subpath, join(root, types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts')));
  }
  return entries;
}

/** True when the declaration carries a `/** ... *\/` comment with text (tags alone do not count). */
function hasDocComment(decl: ts.Declaration): boolean {
  return ts.getJSDocCommentsAndTags(decl).some((doc) => ts.isJSDoc(doc) && (ts.getTextOfJSDocComment(doc.comment) ?? '').trim() !== '');
}

/** The exports of each entry whose declarations have no doc comment, and the count of exports seen. */
function undocumentedExports(program: ts.Program, entries: Map<string, string>, base: string) {
  const checker = program.getTypeChecker();
  const missing: Undocumented[] = [];
  const symbols = new Map<ts.Symbol, boolean>();
  for (const [entry, file] of entries) {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`entry point ${entry}: ${file} is not in the program (or exports nothing)`);
    const exports = checker.getExportsOfModule(module);
    if (exports.length === 0) throw new Error(`entry point ${entry}: ${file} exports nothing`);
    for (const exported of exports) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const decls = symbol.declarations ?? [];
      const documented = decls.some(hasDocComment);
      symbols.set(symbol, documented);
      if (documented) continue;
      const first = decls[0];
      const sf = first?.getSourceFile();
      const path = sf ? relative(base, sf.fileName).split(sep).join('/') : '?';
      const line = sf && first ? sf.getLineAndCharacterOfPosition(first.getStart()).line + 1 : 0;
      missing.push({ entry, name: exported.name, key: `${path}: ${symbol.name}`, where: `${path}:${line}` });
    }
  }
  return { missing, exports: symbols.size, documented: [...symbols.values()].filter(Boolean).length };
}

const listing = (items: readonly Undocumented[]): string => items.map((u) => `  ${u.entry}: ${u.name} (${u.where})`).join('\n');

test('the check finds undocumented exports through re-exports (a tiny in-memory program)', () => {
  const files: Record<string, string> = {
    '/v/index.ts': "export { a, b as renamed, C, type I, type J } from './lib.ts';\nexport * from './more.ts';\n",
    '/v/lib.ts': [
      '/** Documented function. */ export function a(): void {}',
      '// a line comment is not a doc comment',
      'export function b(): void {}',
      '/** */ export class C {}',
      'export interface I {',
      '  /** A documented member does not document its interface. */',
      '  x: number;',
      '}',
      '/** @deprecated tags without text do not count */ export type J = number;',
    ].join('\n'),
    '/v/more.ts': '/** Documented through its statement. */\nexport const d = 1;\nexport const e = 2;\n',
  };
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true, noEmit: true, noLib: true, types: [] };
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (name, version) => (files[name] === undefined ? undefined : ts.createSourceFile(name, files[name]!, version));
  host.fileExists = (name) => files[name] !== undefined;
  host.readFile = (name) => files[name];
  host.directoryExists = (name) => name === '/v' || name === '/';
  host.getCurrentDirectory = () => '/v';
  const program = ts.createProgram(['/v/index.ts'], options, host);
  const { missing, exports, documented } = undocumentedExports(program, new Map([['.', '/v/index.ts']]), '/v');
  assert.equal(missing.map((u) => `${u.entry}: ${u.name} (${u.where})`).sort(), [
    '.: C (lib.ts:4)', '.: I (lib.ts:5)', '.: J (lib.ts:9)', '.: e (more.ts:3)', '.: renamed (lib.ts:3)',
  ]);
  assert.equal([exports, documented], [7, 2]);
});

test('every export of every public entry point has a doc comment', () => {
  const entries = entryPoints();
  assert.ok(entries.size >= 11, `${entries.size} entry points in package.json exports`);
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, ' ')); } });
  if (!config) throw new Error('tsconfig.json could not be read');
  // Resolving exports needs no type checking: leaving out the default libraries and @types keeps it fast.
  const program = ts.createProgram([...entries.values()], { ...config.options, noLib: true, types: [] });
  const { missing, exports, documented } = undocumentedExports(program, entries, root);
  assert.ok(missing.length === 0, `${missing.length} exports without a doc comment (write a /** ... */ comment on the declaration):\n${listing(missing)}`);
  assert.is(documented, exports);
});

test.run();
