// The layering of src/, read from the static imports of every src/**/*.ts file (`import ... from`,
// `import type ... from`, `import '...'`, `export ... from`; dynamic import() is not a dependency here):
//   - no import cycles (each strongly connected component of the import graph is one cycle to break);
//   - src/core and src/ops (the tensor library) never import the layers built on them;
//   - only src/node and src/cli import Node's built-in modules, so everything else runs in a browser.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The one allowed cycle (decided: kept, docs/architecture.md): the Tensor class's methods (x.add(y), x.reshape(s),
 * ...) delegate to src/ops, and the ops construct Tensors and record autograd nodes, so src/core/tensor.ts
 * and src/core/autograd.ts form one cycle with these ops. Breaking it means installing the methods from
 * outside core (which makes them depend on load order) or moving the Tensor class. The cycle is allowed
 * only with exactly these files: a file joining or leaving it fails the test.
 */
const KNOWN_TENSOR_METHOD_CYCLE: readonly string[] = [
  'src/core/autograd.ts', 'src/core/tensor.ts',
  'src/ops/creation.ts', 'src/ops/elementwise.ts', 'src/ops/matmul.ts', 'src/ops/reduce.ts', 'src/ops/shape-ops.ts', 'src/ops/softmax.ts',
];

/** Folders the tensor library (src/core, src/ops) must not import. */
const ABOVE_THE_TENSOR_LIBRARY = ['src/nn/', 'src/train/', 'src/node/', 'src/cli/'];
/** The only folders that may import Node's built-in modules. */
const NODE_ONLY = ['src/node/', 'src/cli/'];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

const rel = (p: string): string => relative(root, p).split(sep).join('/');

/** The module specifiers of a file's static import and export-from declarations. */
function specifiers(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const st of sf.statements)
    if ((ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier))
      out.push(st.moduleSpecifier.text);
  return out;
}

interface Graph {
  /** src-relative file → the src files it imports. */
  local: Map<string, string[]>;
  /** src-relative file → the bare (package or built-in) modules it imports. */
  external: Map<string, string[]>;
  unresolved: string[];
}

function importGraph(): Graph {
  const local = new Map<string, string[]>(), external = new Map<string, string[]>(), unresolved: string[] = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    const from = rel(file), deps: string[] = [], ext: string[] = [];
    for (const s of specifiers(file)) {
      if (!s.startsWith('.')) {
        ext.push(s);
        continue;
      }
      const base = resolve(dirname(file), s);
      const target = [base, `${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile());
      if (target) deps.push(rel(target));
      else unresolved.push(`${from}: '${s}'`);
    }
    local.set(from, [...new Set(deps)]);
    external.set(from, ext);
  }
  return { local, external, unresolved };
}

/** Strongly connected components with more than one file (or a file importing itself), Tarjan's algorithm. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>(), stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** One concrete cycle through the component's first file (breadth-first, so the shortest one). */
function exampleCycle(graph: Map<string, string[]>, scc: string[]): string[] {
  const members = new Set(scc), start = scc[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return scc;
}

const graph = importGraph();
const within = (file: string, folders: readonly string[]) => folders.some((f) => file.startsWith(f));

test('every relative import of src/ names an existing file', () => {
  assert.equal(graph.unresolved, []);
});

test('src/ has no import cycles', () => {
  const found = cycles(graph.local);
  const why = (scc: string[]): string | undefined =>
    scc.join() === [...KNOWN_TENSOR_METHOD_CYCLE].sort().join() ? 'KNOWN_TENSOR_METHOD_CYCLE' : undefined;
  const allowed = found.filter((scc) => why(scc));
  if (allowed.length)
    console.log(`architecture: ${allowed.length} allowed cycle(s):\n${allowed.map((s) => `  ${exampleCycle(graph.local, s).join(' → ')} (${s.length} files; ${why(s)})`).join('\n')}`);
  const failing = found.filter((scc) => !allowed.includes(scc))
    .map((scc) => `${exampleCycle(graph.local, scc).join(' → ')}${scc.length > 2 ? `\n    (cycle of ${scc.length} files: ${scc.join(', ')})` : ''}`);
  assert.ok(failing.length === 0, `import cycles:\n  ${failing.join('\n  ')}`);
});

test('src/core and src/ops import nothing from nn, train, node or cli', () => {
  const bad = [...graph.local].filter(([f]) => within(f, ['src/core/', 'src/ops/']))
    .flatMap(([f, deps]) => deps.filter((d) => within(d, ABOVE_THE_TENSOR_LIBRARY)).map((d) => `${f} → ${d}`));
  assert.equal(bad, []);
});

test('only src/node and src/cli import Node built-in modules', () => {
  const builtins = new Set(builtinModules);
  const bad = [...graph.external].filter(([f]) => !within(f, NODE_ONLY))
    .flatMap(([f, mods]) => mods.filter((m) => m.startsWith('node:') || builtins.has(m.split('/')[0]!)).map((m) => `${f} → ${m}`));
  assert.equal(bad, []);
});

test.run();
