// Seeded, bounded fuzzing of the safetensors reader and loader, in the style of test/helpers/fuzz.ts
// (safetensors has no magic and no checksum, so the mutants are its own): truncations, bit flips anywhere,
// bit flips inside the JSON header, edits of the header's values (any field, tensor entries and metadata
// included, set to hostile values or deleted) with the header length rewritten, edits of the 8-byte
// header length, and data bytes added or removed. Every mutant must load into the model and run a forward
// pass, or be refused with a SafetensorsError naming the file: never an engine error, each decode within
// 2 s and within 64 MiB of memory growth (wasm heap plus JS array buffers).
// FUZZ_ROUNDS=n FUZZ_SEED=s node scripts/run-tests.mjs safetensors-fuzz searches deeper.
import { test } from 'uvu';
import { type Json, paths, setAt } from '../helpers/fuzz.ts';
import * as assert from 'uvu/assert';
import { initSync } from '../../src/core/runtime.ts';
import '../../src/wasm/full-kernels.ts';
import { memoryStats } from '../../src/core/memory.ts';
import { Rng } from '../../src/core/random.ts';
import { randn } from '../../src/ops/creation.ts';
import { readSafetensors, SafetensorsError, writeSafetensors } from '../../src/nn/safetensors.ts';
import { loadSafetensors, modelToSafetensors } from '../../src/nn/safetensors-state.ts';
import { Sequential } from '../../src/nn/sequential.ts';
import { Conv1d } from '../../src/nn/conv.ts';
import { BatchNorm1d } from '../../src/nn/batchnorm.ts';
import { Linear } from '../../src/nn/linear.ts';
import { ReLU } from '../../src/nn/activations.ts';
import { GlobalAvgPool1d } from '../../src/nn/pool.ts';

initSync();

const HOSTILE: Json[] = [null, -1, 0, 1, 2.5, 7, 1e9, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, '', 'x', 'F16', 'I64', 'BOOL', true, [], [-1], [0, 0], [1e9, 1e9], [4, 2], {}, { dtype: 'F32' }];

const headerLength = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const headerOf = (b: Uint8Array): Json => JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + headerLength(b))));

/** The file with its header replaced (length rewritten) and the same data bytes. */
function withHeader(valid: Uint8Array, header: Json | string): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const data = valid.subarray(8 + headerLength(valid));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const memoryInUse = () => process.memoryUsage().arrayBuffers + memoryStats().wasmBytes;

/** Runs `rounds` mutants of each kind through `decode`; returns how many were refused. */
function fuzz(valid: Uint8Array, decode: (b: Uint8Array, source: string) => unknown, seed: number, rounds: number): { mutants: number; refused: number; memory: number } {
  const rng = new Rng(seed + (Number(process.env.FUZZ_SEED) || 0));
  const n = Number(process.env.FUZZ_ROUNDS) || rounds;
  const int = (k: number) => Math.floor(rng.uniform() * k);
  const H = headerLength(valid);
  const source = 'fuzzed.safetensors';
  const mutants: [string, () => Uint8Array][] = [];
  for (let r = 0; r < n; r++) {
    mutants.push([`truncated ${r}`, () => valid.slice(0, int(valid.length))]);
    mutants.push([`flipped ${r}`, () => {
      const b = valid.slice();
      for (let k = 0; k <= int(3); k++) b[int(b.length)]! ^= 1 << int(8);
      return b;
    }]);
    mutants.push([`header byte flipped ${r}`, () => {
      const b = valid.slice();
      b[8 + int(H)]! ^= 1 << int(8);
      return b;
    }]);
    mutants.push([`header edited ${r}`, () => {
      const h = headerOf(valid);
      const all = paths(h).filter((p) => p.length > 0);
      const value = rng.uniform() < 0.15 ? undefined : HOSTILE[int(HOSTILE.length)]!;
      return withHeader(valid, setAt(h, all[int(all.length)]!, value));
    }]);
    mutants.push([`length edited ${r}`, () => {
      const b = valid.slice();
      const v = new DataView(b.buffer);
      const choice = int(4);
      if (choice === 0) v.setUint32(0, H + int(17) - 8, true);
      else if (choice === 1) v.setUint32(0, int(2 ** 32), true);
      else if (choice === 2) v.setUint32(4, 1 + int(255), true);
      else v.setUint32(0, int(b.length + 16), true);
      return b;
    }]);
    mutants.push([`data resized ${r}`, () => {
      const k = int(16) + 1;
      if (rng.uniform() < 0.5) return valid.slice(0, valid.length - k);
      const b = new Uint8Array(valid.length + k);
      b.set(valid);
      return b;
    }]);
  }
  mutants.push(['empty', () => new Uint8Array(0)], ['length only', () => valid.slice(0, 8)], ['header only', () => valid.slice(0, 8 + H)],
    ['padded header', () => withHeader(valid, `${JSON.stringify(headerOf(valid))}${' '.repeat(13)}`)]);
  let refused = 0, memory = 0;
  const wrong = new Map<string, string>();
  for (const [what, make] of mutants) {
    const bytes = make();
    const before = memoryInUse();
    const t = performance.now();
    try {
      decode(bytes, source);
    } catch (e) {
      refused++;
      if (!(e instanceof SafetensorsError) || !e.message.includes(source)) {
        const message = `${(e as Error)?.name}: ${(e as Error)?.message}`;
        if (!wrong.has(message)) wrong.set(message, `${what} [${(e as Error)?.stack?.split('\n').slice(1, 4).map((l) => l.trim()).join(' < ')}]`);
      }
    }
    const ms = performance.now() - t;
    memory = Math.max(memory, memoryInUse() - before);
    assert.ok(ms < 2000, `${what}: decoding took ${ms.toFixed(0)} ms`);
    assert.ok(memoryInUse() - before < 64 * 2 ** 20, `${what}: ${((memoryInUse() - before) / 2 ** 20).toFixed(1)} MiB more memory after one decode`);
  }
  if (wrong.size) assert.unreachable(`expected only SafetensorsErrors naming ${source}; got:\n${[...wrong].slice(0, 8).map(([m, w]) => `  ${w}: ${m}`).join('\n')}`);
  return { mutants: mutants.length, refused, memory };
}

const make = () => new Sequential(new Conv1d(1, 4, 3, { seed: 1 }), new BatchNorm1d(4), new ReLU(), new GlobalAvgPool1d(), new Linear(4, 3, { seed: 2 }));

test('state dicts: every mutant loads into the model and runs, or is refused with a SafetensorsError naming the file', () => {
  const valid = modelToSafetensors(make(), { arch: 'fuzz', config: { classes: 3 } });
  const x = randn([2, 1, 9], { seed: 3 });
  const model = make().eval();
  const { mutants, refused, memory } = fuzz(valid, (b, source) => {
    loadSafetensors(model, b, { source });
    model.forward(x).data();
  }, 11, 150);
  assert.ok(mutants >= 900 && refused > 600, `${mutants} mutants, ${refused} refused`);
  console.log(`  state dict: ${mutants} mutants, ${refused} refused, largest memory growth of one decode ${(memory / 2 ** 20).toFixed(2)} MiB`);
});

test('raw files of every dtype: every mutant reads (and converts) or is refused naming the file', () => {
  const valid = writeSafetensors([
    ['f', { dtype: 'F32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }],
    ['i', { dtype: 'I64', shape: [], data: BigInt64Array.from([5n]) }],
    ['h', { dtype: 'F16', shape: [3], data: Uint16Array.from([1, 2, 3]) }],
    ['b', { dtype: 'BOOL', shape: [2], data: Uint8Array.from([0, 1]) }],
    ['z', { dtype: 'F64', shape: [0], data: new Float64Array(0) }],
  ], { format: 'pt', k: 'v' });
  const { mutants, refused, memory } = fuzz(valid, (b, source) => readSafetensors(b, source), 12, 60);
  assert.ok(mutants >= 360 && refused > 200, `${mutants} mutants, ${refused} refused`);
  console.log(`  raw: ${mutants} mutants, ${refused} refused, largest memory growth of one decode ${(memory / 2 ** 20).toFixed(2)} MiB`);
});

test.run();
