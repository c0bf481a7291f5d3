// Seeded, bounded fuzzing of ecgrad's container files (src/core/container.ts): truncations, byte flips
// (caught by the checksum), byte flips with the checksum fixed up (they reach the decoder's own checks)
// and edits of the JSON header's values with the checksum fixed up. A decoder passes when every mutant
// either decodes or throws the named error class with the file's name in its message: never an engine
// error (TypeError, RangeError, ...), never a hang (the rounds are bounded, each decode must be quick)
// and never more than a memory bound: the growth of the wasm heap plus JS array buffers across one decode.
import { writeFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { crc32 } from '../../src/core/container.ts';
import { isInitialised } from '../../src/core/runtime.ts';
import { memoryStats } from '../../src/core/memory.ts';
import { Rng } from '../../src/core/random.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The container with its JSON header replaced (padded like the original) and its CRC recomputed. */
export function withHeader(bytes: Uint8Array, header: unknown, align = 8): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const H = view.getUint32(8, true);
  const data = bytes.subarray(12 + H, bytes.length - 4);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (align - ((12 + json.length) % align)) % align;
  const out = new Uint8Array(12 + json.length + pad + data.length + 4);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, json.length + pad, true);
  out.set(json, 12);
  out.fill(0x20, 12 + json.length, 12 + json.length + pad);
  out.set(data, 12 + json.length + pad);
  return withCrc(out);
}

/** The bytes with their trailing CRC-32 recomputed. */
export function withCrc(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4), true);
  return bytes;
}

export function headerOf(bytes: Uint8Array): Json {
  const H = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + H)));
}

const HOSTILE: Json[] = [null, -1, 0, 1, 2.5, 1e9, 2 ** 31, -(2 ** 53), 1e308, '', 'x', true, [], [-1], [1e9, 1e9], {}, { name: 1 }];

/** Every path (list of keys) to a value inside a JSON value. */
export function paths(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((c, i) => out.push(...paths(c, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) out.push(...paths(c, [...prefix, k]));
  return out;
}

/** A copy of `root` with the value at `path` replaced (or deleted, for undefined). */
export function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const copy = structuredClone(root) as Record<string | number, Json>;
  let at = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(at)) at.splice(Number(last), 1);
    else delete at[last];
  } else at[last] = value;
  return copy as Json;
}

export interface FuzzOptions {
  seed?: number;
  /** Mutants per kind (default 60). */
  rounds?: number;
  /** The header alignment the format pads to (default 8: fine for 4-aligned formats too). */
  align?: number;
  /** Milliseconds one decode may take (default 2000). */
  slowMs?: number;
  /** Bytes one decode may add to the wasm heap and the JS array buffers (default 64 MiB). */
  memoryBound?: number;
}

/** What fuzzContainer saw: refusals and the largest memory growth of one decode, bytes. */
export interface FuzzResult {
  refused: number;
  memory: number;
}

/** The wasm heap plus the JS array buffers, bytes. */
const memoryInUse = () => process.memoryUsage().arrayBuffers + (isInitialised() ? memoryStats().wasmBytes : 0);

/**
 * Fuzzes `decode(bytes, source)` starting from a valid file: each mutant must decode or throw an
 * instance of `errorClass` whose message names `source`. Returns how many mutants were refused.
 */
export function fuzzContainer(valid: Uint8Array, decode: (bytes: Uint8Array, source: string) => unknown, errorClass: new (...a: never[]) => Error, opts: FuzzOptions = {}): FuzzResult {
  const rng = new Rng((opts.seed ?? 1) + (Number(process.env.FUZZ_SEED) || 0));
  // FUZZ_ROUNDS=n (and FUZZ_SEED=s) runs a deeper search locally; the suite's default stays quick.
  const rounds = Number(process.env.FUZZ_ROUNDS) || (opts.rounds ?? 60);
  const source = 'fuzzed.bin';
  const int = (n: number) => Math.floor(rng.uniform() * n);
  const mutants: [string, () => Uint8Array][] = [];
  for (let r = 0; r < rounds; r++) {
    mutants.push([`truncated ${r}`, () => valid.slice(0, int(valid.length))]);
    mutants.push([`flipped ${r}`, () => {
      const b = valid.slice();
      b[int(b.length)]! ^= 1 << int(8);
      return b;
    }]);
    mutants.push([`flipped, checksum fixed ${r}`, () => {
      const b = valid.slice();
      for (let k = 0; k <= int(4); k++) b[int(b.length - 4)]! ^= 1 << int(8);
      return withCrc(b);
    }]);
    mutants.push([`header edited ${r}`, () => {
      const h = headerOf(valid);
      const all = paths(h).filter((p) => p.length > 0);
      const path = all[int(all.length)]!;
      const value = rng.uniform() < 0.15 ? undefined : HOSTILE[int(HOSTILE.length)]!;
      return withHeader(valid, setAt(h, path, value), opts.align ?? 8);
    }]);
  }
  mutants.push(['empty', () => new Uint8Array(0)], ['magic only', () => valid.slice(0, 8)], ['no data', () => withHeader(valid.slice(0, 12 + new DataView(valid.buffer, valid.byteOffset).getUint32(8, true) + 4), headerOf(valid))]);
  let refused = 0, memory = 0;
  const bound = opts.memoryBound ?? 64 * 2 ** 20;
  const wrong = new Map<string, string>(); // message -> first mutant that gave it
  for (const [what, make] of mutants) {
    const bytes = make();
    const t = performance.now();
    const before = memoryInUse();
    const grown = () => {
      const m = memoryInUse() - before;
      memory = Math.max(memory, m);
      if (m > bound && !wrong.has(`memory: ${what}`)) wrong.set(`memory: ${what}`, `${(m / 2 ** 20).toFixed(1)} MiB more memory after one decode (bound ${(bound / 2 ** 20).toFixed(0)} MiB)`);
    };
    try {
      decode(bytes, source);
      grown();
    } catch (e) {
      grown();
      if (!(e instanceof errorClass) || !(e as Error).message.includes(source)) {
        const message = `${(e as Error)?.name}: ${(e as Error)?.message}`;
        if (!wrong.has(message)) wrong.set(message, `${what} [${(e as Error)?.stack?.split("\n").slice(1, 4).map((l) => l.trim()).join(" < ")}]`);
      }
      refused++;
    }
    const ms = performance.now() - t;
    if (process.env.FUZZ_DUMP && ms > (opts.slowMs ?? 2000)) writeFileSync(process.env.FUZZ_DUMP, bytes);
    assert.ok(ms < (opts.slowMs ?? 2000), `${what}: decoding took ${ms.toFixed(0)} ms`);
  }
  if (wrong.size)
    assert.unreachable(`expected only ${errorClass.name}s naming ${source}, each decode within its time and memory bounds; got:\n${[...wrong].slice(0, 8).map(([m, w]) => `  ${w}: ${m}`).join('\n')}`);
  return { refused, memory };
}
