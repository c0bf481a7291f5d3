// The README's op support table is generated (scripts/op-table.ts) and lists only ops that exist.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as ecgrad from '../../src/index.ts';
import { OP_TABLE, opTableMarkdown } from '../../scripts/op-table.ts';

test('README.md contains the generated op table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(opTableMarkdown()), 'README op table is stale: run `npx tsx scripts/op-table.ts` and paste it');
});

test('every op in the table is exported', () => {
  for (const row of OP_TABLE) for (const op of row.ops) assert.ok(op in ecgrad, `${op} is not exported by ecgrad`);
});

test.run();
