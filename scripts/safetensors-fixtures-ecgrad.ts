// Step 1 of scripts/make-safetensors-fixtures.py (run by it, development-time only): writes every zoo
// model with its deterministic test weights (test/export/zoo-cases.ts) as a safetensors file, plus the
// fixed input batch, into the folder given, for PyTorch to load.
//   node --import tsx scripts/safetensors-fixtures-ecgrad.ts <folder>
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from '../src/core/runtime.ts';
import '../src/wasm/full-kernels.ts';
import { modelToSafetensors } from '../src/nn/safetensors-state.ts';
import { buildCase, fixedBatch, zooCases } from '../test/export/zoo-cases.ts';

initSync();
const dir = process.argv[2];
if (!dir) throw new Error('usage: safetensors-fixtures-ecgrad.ts <folder>');
const { x, rr } = fixedBatch();
writeFileSync(join(dir, 'batch.json'), JSON.stringify({ x: [...x], rr: [...rr] }));
const cases: Record<string, unknown> = {};
for (const c of zooCases()) {
  const bytes = modelToSafetensors(buildCase(c), { arch: c.name, config: { ...c.input } });
  writeFileSync(join(dir, `${c.name}.safetensors`), bytes);
  cases[c.name] = c.input;
}
writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
console.log(`wrote ${Object.keys(cases).length} models to ${dir}`);
