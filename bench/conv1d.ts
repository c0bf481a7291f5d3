// Conv1d kernels vs PyTorch (one thread) on the shapes of the ECG reference models at batch 64:
// forward (with bias), backward data, backward weight (+ bias gradient), median ms per call.
//
//   npx tsx bench/conv1d.ts [--build scalar] [--no-torch] [--reps N]
//
// PyTorch runs in the same invocation when /usr/bin/python3 can import torch (torch.set_num_threads(1),
// OPENBLAS_NUM_THREADS=1, MKL/OMP threads 1); its backward uses aten.convolution_backward with an output
// mask, so each pass is timed alone. The machine may be shared: each figure is the best of several rounds.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import '../src/wasm/full-kernels.ts';
import { instantiateSync, type BuildName } from '../src/wasm/backend.ts';
import { ReduceOp } from '../src/wasm/opcodes.ts';

const argv = process.argv.slice(2);
const build = (argv.includes('--build') ? argv[argv.indexOf('--build') + 1] : 'simd') as BuildName;
const reps = argv.includes('--reps') ? Number(argv[argv.indexOf('--reps') + 1]) : 15;

interface Shape { name: string; B: number; Cin: number; L: number; Cout: number; K: number; pad: number; groups: number }
const SHAPES: Shape[] = [
  { name: 'conv1 1->32 k5 L187', B: 64, Cin: 1, L: 187, Cout: 32, K: 5, pad: 2, groups: 1 },
  { name: 'conv2 32->64 k5 L93', B: 64, Cin: 32, L: 93, Cout: 64, K: 5, pad: 2, groups: 1 },
  { name: 'conv3 64->128 k3 L46', B: 64, Cin: 64, L: 46, Cout: 128, K: 3, pad: 1, groups: 1 },
  { name: 'dw 32 k5 L93', B: 64, Cin: 32, L: 93, Cout: 32, K: 5, pad: 2, groups: 32 },
  { name: 'dw 64 k3 L46', B: 64, Cin: 64, L: 46, Cout: 64, K: 3, pad: 1, groups: 64 },
  { name: 'pw 32->64 L93', B: 64, Cin: 32, L: 93, Cout: 64, K: 1, pad: 0, groups: 1 },
  { name: 'pw 64->128 L46', B: 64, Cin: 64, L: 46, Cout: 128, K: 1, pad: 0, groups: 1 },
];
const PASSES = ['fwd', 'bwd-data', 'bwd-weight'] as const;
type Pass = (typeof PASSES)[number];

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** Best (minimum) ms per call over `rounds` rounds of enough calls to last >= ~20 ms each: the machine may
 * be shared, and interference only ever adds time. */
function time(f: () => void, rounds = reps): number {
  for (let i = 0; i < 3; i++) f();
  const t0 = performance.now();
  f();
  const one = Math.max(performance.now() - t0, 1e-3);
  const n = Math.max(1, Math.min(200, Math.round(20 / one)));
  const res: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) f();
    res.push((performance.now() - t) / n);
  }
  return Math.min(...res);
}

function ecgrad(): Record<string, Record<Pass, number>> {
  const b = instantiateSync(build);
  const k = b.k;
  const out: Record<string, Record<Pass, number>> = {};
  for (const s of SHAPES) {
    const { B, Cin, L, Cout, K, pad, groups } = s;
    const Lout = L + 2 * pad - K + 1;
    const put = (a: Float32Array) => { const p = b.alloc(a.length * 4); b.f32(p, a.length).set(a); return p; };
    const x = put(random(B * Cin * L, 1)), w = put(random(Cout * (Cin / groups) * K, 2)), bias = put(random(Cout, 3));
    const y = b.alloc(B * Cout * Lout * 4), dy = put(random(B * Cout * Lout, 4)), dx = b.alloc(B * Cin * L * 4);
    const dw = b.alloc(Cout * (Cin / groups) * K * 4), db = b.alloc(Cout * 4), tmp = b.alloc(B * Cout * 4);
    const scratch = b.alloc(Math.max(64, k.conv1dScratchSize(B, Cin, L, Cout, K, 1, pad, 1, groups, Lout)));
    const args = [B, Cin, L, Cout, K, 1, pad, 1, groups, Lout, scratch] as const;
    out[s.name] = {
      fwd: time(() => k.conv1dForward(x, w, bias, y, ...args)),
      'bwd-data': time(() => k.conv1dBackwardData(dy, w, dx, ...args)),
      'bwd-weight': time(() => {
        k.conv1dBackwardWeight(x, dy, dw, ...args);
        k.reduce(ReduceOp.SUM, dy, tmp, B * Cout, Lout, 1);
        k.reduce(ReduceOp.SUM, tmp, db, 1, B, Cout);
      }),
    };
  }
  return out;
}

const PY = String.raw`
import json, sys, time, torch
torch.set_num_threads(1)
shapes = json.loads(sys.argv[1]); reps = int(sys.argv[2])
def timed(f):
    for _ in range(3): f()
    t0 = time.perf_counter(); f(); one = max(time.perf_counter() - t0, 1e-6)
    n = max(1, min(200, round(0.02 / one))); res = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(n): f()
        res.append((time.perf_counter() - t) / n * 1e3)
    return min(res)
out = {}
with torch.no_grad():
    for s in shapes:
        B, C, L, O, K, P, G = s['B'], s['Cin'], s['L'], s['Cout'], s['K'], s['pad'], s['groups']
        x = torch.randn(B, C, L); w = torch.randn(O, C // G, K); b = torch.randn(O)
        y = torch.nn.functional.conv1d(x, w, b, 1, P, 1, G); gy = torch.randn_like(y)
        cb = lambda m: torch.ops.aten.convolution_backward(gy, x, w, [O], [1], [P], [1], False, [0], G, m)
        out[s['name']] = {
            'fwd': timed(lambda: torch.nn.functional.conv1d(x, w, b, 1, P, 1, G)),
            'bwd-data': timed(lambda: cb([True, False, False])),
            'bwd-weight': timed(lambda: cb([False, True, True])),
        }
print(json.dumps({'torch': torch.__version__, 'res': out}))
`;

function pytorch(): { version: string; res: Record<string, Record<Pass, number>> } | null {
  if (argv.includes('--no-torch') || !existsSync('/usr/bin/python3')) return null;
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync('/usr/bin/python3', ['-c', PY, JSON.stringify(SHAPES), String(reps)], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    console.error(`(PyTorch not measured: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`);
    return null;
  }
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; res: Record<string, Record<Pass, number>> };
  return { version: j.torch, res: j.res };
}

const ours = ecgrad();
const torch = pytorch();
const pad = (s: string, n: number) => s.padEnd(n);
const num = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(3)).padStart(8);
console.log(`conv1d, batch 64, ecgrad ${build} build${torch ? ` vs PyTorch ${torch.version} (1 thread)` : ''}; best-of-rounds ms per call\n`);
console.log(`${pad('shape', 22)} ${pad('pass', 11)} ${'ecgrad'.padStart(8)} ${torch ? `${'torch'.padStart(8)} ${'torch/ecgrad'.padStart(12)}` : ''}`);
const totals = { ours: 0, torch: 0 };
for (const s of SHAPES) {
  for (const p of PASSES) {
    const a = ours[s.name]![p], t = torch?.res[s.name]?.[p];
    totals.ours += a;
    if (t !== undefined) totals.torch += t;
    console.log(`${pad(s.name, 22)} ${pad(p, 11)} ${num(a)} ${t !== undefined ? `${num(t)} ${(t / a).toFixed(2).padStart(12)}` : ''}`);
  }
}
console.log(`${pad('total', 22)} ${pad('', 11)} ${num(totals.ours)} ${torch ? `${num(totals.torch)} ${(totals.torch / totals.ours).toFixed(2).padStart(12)}` : ''}`);

// Per training step of the reference models (the first layer needs no input gradient).
const MODELS: Record<string, string[]> = {
  StdCNN: ['conv1 1->32 k5 L187', 'conv2 32->64 k5 L93', 'conv3 64->128 k3 L46'],
  DSCNN: ['conv1 1->32 k5 L187', 'dw 32 k5 L93', 'pw 32->64 L93', 'dw 64 k3 L46', 'pw 64->128 L46'],
};
console.log('\nconvolutions per training step (forward + backward, no input gradient for the first layer):');
for (const [model, names] of Object.entries(MODELS)) {
  const sum = (r: Record<string, Record<Pass, number>>) =>
    names.reduce((acc, n, i) => acc + PASSES.reduce((a, p) => a + (i === 0 && p === 'bwd-data' ? 0 : r[n]![p]), 0), 0);
  const a = sum(ours), t = torch ? sum(torch.res) : undefined;
  console.log(`${pad(model, 22)} ${pad('', 11)} ${num(a)} ${t !== undefined ? `${num(t)} ${(t / a).toFixed(2).padStart(12)}` : ''}`);
}
