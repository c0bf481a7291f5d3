// The README's op support table is generated (scripts/op-table.ts) and complete both ways: every public
// function of src/ops is in a row (or named in NOT_IN_TABLE with its reason) and every src/ops file has a
// row; every row names ops that ecgrad exports from src/ops (optimizers: from src/optim) and kernels that
// the full kernel set exports.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as ecgrad from '../../src/all.ts';
import * as optim from '../../src/optim/index.ts';
import { backend } from '../../src/core/runtime.ts';
import { NOT_IN_TABLE, OP_TABLE, opTableMarkdown } from '../../scripts/op-table.ts';

ecgrad.initSync();

const opsDir = new URL('../../src/ops/', import.meta.url);
const opFiles = readdirSync(opsDir).filter((f) => f.endsWith('.ts')).sort();
/** src/ops file -> its exports. */
const opModules = new Map<string, Record<string, unknown>>();
for (const f of opFiles) opModules.set(f, (await import(new URL(f, opsDir).href)) as Record<string, unknown>);

const api = ecgrad as unknown as Record<string, unknown>;
/** The public functions of src/ops: exported by ecgrad as the very function a src/ops file defines. */
const publicOps = new Map<string, string>();
for (const [file, mod] of opModules)
  for (const [name, value] of Object.entries(mod)) if (typeof value === 'function' && api[name] === value) publicOps.set(name, file);

const tableOps = OP_TABLE.flatMap((r) => r.ops);

test('README.md contains the generated op table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(opTableMarkdown()), 'README op table is stale: run `npx tsx scripts/op-table.ts` and paste it');
});

test('no op is listed twice, nor both in the table and in NOT_IN_TABLE', () => {
  const seen = new Set<string>();
  for (const op of tableOps) {
    assert.not.ok(seen.has(op), `${op} is in two rows`);
    seen.add(op);
    assert.not.ok(op in NOT_IN_TABLE, `${op} is both in the table and in NOT_IN_TABLE`);
  }
});

test('every op in the table is exported by ecgrad from src/ops (the optimizers from src/optim)', () => {
  const optimExports = optim as unknown as Record<string, unknown>;
  for (const op of tableOps) {
    assert.ok(op in api, `${op} is not exported by ecgrad`);
    const fromOps = publicOps.has(op);
    const fromOptim = optimExports[op] !== undefined && api[op] === optimExports[op];
    assert.ok(fromOps || fromOptim, `${op} is exported by ecgrad but defined neither in src/ops nor in src/optim`);
  }
});

test('every public function of src/ops is in the table or in NOT_IN_TABLE', () => {
  const listed = new Set([...tableOps, ...Object.keys(NOT_IN_TABLE)]);
  const missing = [...publicOps].filter(([name]) => !listed.has(name)).map(([name, file]) => `${name} (src/ops/${file})`);
  assert.equal(missing, [], `add a row to scripts/op-table.ts for: ${missing.join(', ')}`);
  for (const name of Object.keys(NOT_IN_TABLE)) assert.ok(publicOps.has(name), `NOT_IN_TABLE names ${name}, which is no public function of src/ops`);
});

test('every src/ops file has a row', () => {
  const rowed = new Set(tableOps.map((op) => publicOps.get(op)));
  for (const file of opFiles) {
    const names = [...publicOps].filter(([, f]) => f === file).map(([name]) => name);
    // A file without a row passes only when all its public functions are in NOT_IN_TABLE (creation.ts).
    const exempt = names.length > 0 && names.every((n) => n in NOT_IN_TABLE);
    assert.ok(rowed.has(file) || exempt, `src/ops/${file} has no row in scripts/op-table.ts (public: ${names.join(', ') || 'none'})`);
  }
});

test('every `kernel` named in a row is exported by the full kernel set', () => {
  const k = backend().k as unknown as Record<string, unknown>;
  for (const r of OP_TABLE)
    for (const text of [r.forward, r.backward])
      for (const m of text.matchAll(/`([^`]+)`/g)) assert.type(k[m[1]!], 'function', `${r.ops.join(', ')}: kernel \`${m[1]}\` does not exist`);
});

test.run();
