// Replay banks (src/train/replay-bank.ts): the bank round-trips through its safetensors file bit for bit;
// decodeReplayBank refuses files that are not banks (not safetensors, another format or version, missing or
// misshapen tensors, bad metadata, labels out of range, non-finite beats) naming the file; checkReplayBank
// refuses a bank made for another model (protocol, classes, window, rrSet, leads, record lists, shape,
// feature count) naming the file and the mismatch; and a seeded, bounded fuzz of the reader: every
// mutant of a valid bank decodes to a consistent bank or is refused with a ReplayBankError naming the file.
// FUZZ_ROUNDS=n FUZZ_SEED=s node scripts/run-tests.mjs replay-bank searches deeper.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/random.ts';
import { writeSafetensors, readSafetensors } from '../../src/nn/safetensors.ts';
import {
  checkReplayBank, decodeReplayBank, encodeReplayBank, replayBankKeyOf, replayBeatsOf, ReplayBankError, REPLAY_BANK_FORMAT, type ReplayBank,
} from '../../src/train/replay-bank.ts';

const CLASSES = ['N', 'S', 'V', 'F', 'Q'];

/** A small bank of seeded beats for a 1 x L model with R features. */
function bank(n = 12, L = 16, R = 6, meta: Partial<ReplayBank['meta']> = {}): ReplayBank {
  const rng = new Rng(7);
  const x = Float32Array.from({ length: n * L }, () => rng.normal());
  const rr = Float32Array.from({ length: n * R }, () => rng.uniform());
  const y = Int32Array.from({ length: n }, (_, i) => i % CLASSES.length);
  return {
    beats: { x, rr, y },
    meta: {
      protocol: 'intra', classes: CLASSES, window: 'kachuee', rrSet: 'local', leads: 'mlii', records: null,
      rrFeatures: ['pre', 'post', 'local', 'avg', 'ratio1', 'ratio2'].slice(0, R), channels: 1, length: L, seed: 0, count: n, minPerClass: 50, ...meta,
    },
  };
}
const header = (meta: Record<string, unknown> = {}, config: Record<string, unknown> = {}) => ({
  meta: { protocol: 'intra', classes: CLASSES, rr: true, ...meta },
  config: { channels: 1, length: 16, classes: 5, rrFeatures: 6, ...config },
});

test('encode / decode round trip: the same beats and metadata; replayBeatsOf drops rr for a model without features', () => {
  const b = bank();
  const got = decodeReplayBank(encodeReplayBank(b), 'b.replay.safetensors');
  assert.equal(got.meta, b.meta);
  assert.equal(got.beats.x, b.beats.x);
  assert.equal(got.beats.rr, b.beats.rr);
  assert.equal(got.beats.y, b.beats.y);
  assert.is(readSafetensors(encodeReplayBank(b)).metadata.format, REPLAY_BANK_FORMAT);
  assert.is(replayBeatsOf(got, 0).rr, null);
  assert.is(replayBeatsOf(got, 6).rr, got.beats.rr);
  const causal = bank(3, 16, 0, { window: 'causal', leads: ['MLII', 'V1'], channels: 2, records: { train: ['101'], test: ['100'] }, rrFeatures: [] });
  causal.beats.x = new Float32Array(3 * 2 * 16);
  assert.equal(decodeReplayBank(encodeReplayBank(causal)).meta, causal.meta);
  checkReplayBank(got, header(), 'b.replay.safetensors');
});

test('encodeReplayBank refuses beats that do not fit the metadata', () => {
  const b = bank();
  assert.throws(() => encodeReplayBank({ ...b, meta: { ...b.meta, count: 5 } }), /meta\.count is 5, the beats are 12/);
  assert.throws(() => encodeReplayBank({ ...b, meta: { ...b.meta, length: 15 } }), /x holds 192 values, 12 beats x 1 x 15 = 180 expected/);
  assert.throws(() => encodeReplayBank({ ...b, beats: { ...b.beats, y: Int32Array.from(b.beats.y, () => 5) } }), /label 5 is not a class index/);
});

test('checkReplayBank: a bank for another model is refused, naming the file and the mismatch', () => {
  const b = decodeReplayBank(encodeReplayBank(bank()), 'b.safetensors');
  const refuse = (h: ReturnType<typeof header>, pattern: RegExp) =>
    assert.throws(() => checkReplayBank(b, h, 'b.safetensors'), (e: Error) => e instanceof ReplayBankError && /^replay bank b\.safetensors: does not match the model/.test(e.message) && pattern.test(e.message));
  refuse(header({ protocol: 'inter' }), /the bank's protocol is "intra", the model's is "inter"/);
  refuse(header({ classes: ['N', 'L', 'R', 'A', 'V'] }), /the bank's classes is \["N","S","V","F","Q"\], the model's is \["N","L","R","A","V"\]/);
  refuse(header({ window: 'causal' }), /the bank's window is "kachuee", the model's is "causal"/);
  refuse(header({ rrSet: 'patient' }), /the bank's rrSet is "local", the model's is "patient"/);
  assert.throws(() => checkReplayBank(b, header({ rrSet: 'extended' }), 'b.safetensors'), /replay bank for the model: .*unknown rrSet "extended"/);
  refuse(header({ leads: 'both' }), /the bank's leads is "mlii", the model's is "both"/);
  refuse(header({ records: { train: ['101'], test: ['100'] } }), /the bank's records is null/);
  refuse(header({}, { length: 187 }), /the bank's length is 16, the model's is 187/);
  refuse(header({}, { channels: 2 }), /the bank's channels is 1, the model's is 2/);
  refuse(header({}, { rrFeatures: 4 }), /the bank's beat-feature count is 6, the model's is 4/);
  refuse(header({ protocol: 'inter' }), /make a bank for this model: ecgrad replay-bank --model-file/);
  // A model without features takes any feature count (rr is not used).
  checkReplayBank(b, header({}, { rrFeatures: 0 }), 'b.safetensors');
  assert.throws(() => checkReplayBank(b, { meta: { classes: CLASSES }, config: header().config }, 'b.safetensors'), /does not record the protocol it was trained on \(meta\.protocol\)/);
  assert.throws(() => replayBankKeyOf({ meta: { protocol: 'intra' }, config: header().config }, 'm.ecgm'), /replay bank for m\.ecgm: the model file does not name its classes/);
});

test('decodeReplayBank refuses what is not a replay bank, naming the file', () => {
  const good = encodeReplayBank(bank());
  const st = readSafetensors(good);
  const rewrite = (edit: (t: Map<string, { dtype: string; shape: number[]; data: Uint8Array }>, m: Record<string, string>) => void) => {
    const t = new Map([...st.tensors].map(([k, v]) => [k, { dtype: v.dtype as string, shape: [...v.shape], data: v.bytes.slice() }]));
    const m = { ...st.metadata };
    edit(t, m);
    return writeSafetensors([...t].map(([k, v]) => [k, { dtype: v.dtype as 'F32', shape: v.shape, data: v.data }] as const), m);
  };
  const refuse = (bytes: Uint8Array, pattern: RegExp) =>
    assert.throws(() => decodeReplayBank(bytes, 'x.safetensors'), (e: Error) => e instanceof ReplayBankError && e.message.startsWith('replay bank x.safetensors: ') && pattern.test(e.message));
  refuse(good.slice(0, 20), /is not a readable safetensors file: safetensors file x\.safetensors: truncated/);
  refuse(new TextEncoder().encode('ECGRADM1 not a bank'), /not a readable safetensors file/);
  refuse(writeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float32Array(1) } }), /metadata format is null, not "ecgrad-replay-bank" \(not a replay bank: make one with ecgrad replay-bank\)/);
  refuse(rewrite((_, m) => (m.version = '2')), /is version "2"; this ecgrad reads version "1"/);
  refuse(rewrite((_, m) => (m.classes = '[1, 2')), /metadata "classes" is not JSON/);
  refuse(rewrite((_, m) => (m.classes = '[]')), /"classes" is not a list of class names/);
  refuse(rewrite((_, m) => (m.window = 'centred')), /"window" is "centred", not "kachuee" or "causal"/);
  refuse(rewrite((_, m) => (m.leads = '3')), /"leads" is not "mlii", "both" or a list/);
  refuse(rewrite((_, m) => (m.records = '{"train": 1}')), /"records" is neither null nor/);
  refuse(rewrite((_, m) => (m.count = '-1')), /"count" is "-1", not an integer >= 1/);
  refuse(rewrite((_, m) => (m.count = '13')), /tensor x is F32 \[12, 1, 16\]; the metadata \(count 13, 1 x 16 windows, 6 features\) asks for F32 \[13, 1, 16\]/);
  refuse(rewrite((_, m) => delete m.protocol), /metadata has no "protocol"/);
  refuse(rewrite((t) => t.delete('rr')), /holds the tensors \[x, y\]; a replay bank holds exactly rr, x and y/);
  refuse(rewrite((t) => (t.get('y')!.dtype = 'F32')), /tensor y is F32 \[12\]; .* asks for I32 \[12\]/);
  refuse(rewrite((t) => new DataView(t.get('y')!.data.buffer).setInt32(8, 9, true)), /label y\[2\] = 9 is not a class index/);
  refuse(rewrite((t) => new DataView(t.get('x')!.data.buffer).setFloat32(12, Number.NaN, true)), /x\[3\] is NaN: replay beats must be finite/);
});

test('fuzz: every mutant of a bank decodes consistently or is refused with a ReplayBankError naming the file', () => {
  const rounds = Number(process.env.FUZZ_ROUNDS ?? 400);
  const rng = new Rng(Number(process.env.FUZZ_SEED ?? 1));
  const valid = encodeReplayBank(bank(6, 8, 2));
  const N = new DataView(valid.buffer).getUint32(0, true);
  const t0 = performance.now();
  let refused = 0;
  for (let r = 0; r < rounds; r++) {
    let m = valid.slice();
    const kind = r % 4;
    if (kind === 0) m = m.slice(0, Math.floor(rng.uniform() * m.length));
    else if (kind === 1) m[Math.floor(rng.uniform() * m.length)]! ^= 1 << Math.floor(rng.uniform() * 8);
    else if (kind === 2) {
      // a byte of the JSON header (metadata and tensor entries) replaced by a printable character
      m[8 + Math.floor(rng.uniform() * N)] = 0x20 + Math.floor(rng.uniform() * 95);
    } else for (let k = 0; k < 4; k++) m[8 + N + Math.floor(rng.uniform() * (m.length - 8 - N))] = Math.floor(rng.uniform() * 256);
    const s = performance.now();
    try {
      const b = decodeReplayBank(m, 'fuzz.safetensors');
      const n = b.meta.count;
      assert.is(b.beats.x.length, n * b.meta.channels * b.meta.length);
      assert.is(b.beats.rr.length, n * b.meta.rrFeatures.length);
      assert.ok(b.beats.y.every((v) => v >= 0 && v < b.meta.classes.length));
      assert.ok(b.beats.x.every(Number.isFinite) && b.beats.rr.every(Number.isFinite));
    } catch (e) {
      if (!(e instanceof ReplayBankError) || !e.message.startsWith('replay bank fuzz.safetensors: ')) throw new Error(`round ${r}: ${(e as Error).stack}`);
      refused++;
    }
    assert.ok(performance.now() - s < 2000, `round ${r} took over 2 s`);
  }
  assert.ok(refused > rounds / 4, `only ${refused} of ${rounds} mutants refused`);
  assert.ok(performance.now() - t0 < 30_000, 'fuzz within 30 s');
});

test.run();
