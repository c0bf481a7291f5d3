// Recurrent layers: forward + backward time of LSTM(1, 64) and GRU(1, 64) on x [64, 187, 1]
// (the LSTMNet ECG-beat shape), ecgrad vs PyTorch on one thread in the same run, plus the whole
// LSTMNet training step (LSTM -> Linear(64, 5) on h_n[-1] -> cross-entropy -> backward -> Adam).
//
//   npx tsx bench/rnn.ts [--build simd|scalar] [--reps N] [--no-torch] [--profile]
//
// PyTorch runs through /usr/bin/python3 (when it exists and imports torch) with torch.set_num_threads(1)
// and OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1. Times are medians over --reps runs after
// warm-up; the machine may be shared, so repeat. --profile splits ecgrad's time into kernel phases.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  initSync, backendInfo, LSTM, GRU, Linear, Adam, randn, tensor, noGrad, logSoftmax,
} from '../src/all.ts';
import { backend } from '../src/core/runtime.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const build = opt('build', 'simd') as 'simd' | 'scalar';
const reps = Number(opt('reps', '15'));
const B = 64, T = 187, I = 1, H = 64, C = 5;

initSync({ build });
console.log(`ecgrad ${backendInfo().build} build; x [${B}, ${T}, ${I}], hidden ${H}; median of ${reps}`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void, n = reps, warm = 3): number {
  for (let i = 0; i < warm; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const x = randn([B, T, I], { seed: 1 }).keep();
const labels = Array.from({ length: B }, (_, i) => i % C);
const oneHot = tensor(Array.from({ length: B }, (_, i) => Array.from({ length: C }, (_, c) => (c === labels[i] ? 1 : 0)))).keep();

const results: Record<string, { ecgrad: number; torch?: number }> = {};

for (const kind of ['lstm', 'gru'] as const) {
  const make = () => (kind === 'lstm' ? new LSTM(I, { hiddenSize: H, seed: 2 }) : new GRU(I, { hiddenSize: H, seed: 2 }));
  const m = make();
  results[`${kind} forward (no grad)`] = { ecgrad: time(() => noGrad(() => void m.forward(x).data())) };
  // forward + backward of sum(output), like the PyTorch side
  results[`${kind} forward+backward`] = {
    ecgrad: time(() => {
      const y = m.forward(x);
      y.sum().backward();
    }),
  };
}

{
  // LSTMNet training step
  const lstm = new LSTM(I, { hiddenSize: H, returnSequences: false, seed: 3 });
  const fc = new Linear(H, C, { seed: 4 });
  const opt = new Adam([...lstm.parameters(), ...fc.parameters()], { lr: 1e-3 });
  const step = () => {
    opt.zeroGrad();
    const logits = fc.forward(lstm.forward(x));
    const loss = logSoftmax(logits, 1).mul(oneHot).sum().mul(-1 / B);
    loss.backward();
    opt.step();
  };
  results['LSTMNet train step'] = { ecgrad: time(step) };
}

if (argv.includes('--profile')) profile();

const py = '/usr/bin/python3';
if (!argv.includes('--no-torch') && existsSync(py)) {
  const script = `
import time, json, sys
try:
    import torch
except Exception:
    print('{}'); sys.exit(0)
torch.set_num_threads(1)
torch.manual_seed(0)
B, T, I, H, C, reps = ${B}, ${T}, ${I}, ${H}, ${C}, ${reps}
x = torch.randn(B, T, I)
def tm(fn, n=reps, warm=3):
    for _ in range(warm): fn()
    ts = []
    for _ in range(n):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    ts.sort(); return ts[len(ts)//2] * 1000
res = {}
for kind in ['lstm', 'gru']:
    m = (torch.nn.LSTM if kind == 'lstm' else torch.nn.GRU)(I, H, batch_first=True)
    def fwd():
        with torch.no_grad(): m(x)
    def fb():
        m.zero_grad(); y, _ = m(x); y.sum().backward()
    res[kind + ' forward (no grad)'] = tm(fwd)
    res[kind + ' forward+backward'] = tm(fb)
class LSTMNet(torch.nn.Module):
    def __init__(self):
        super().__init__(); self.lstm = torch.nn.LSTM(I, H, batch_first=True); self.fc = torch.nn.Linear(H, C)
    def forward(self, x):
        _, (h, _) = self.lstm(x); return self.fc(h[-1])
net = LSTMNet(); opt = torch.optim.Adam(net.parameters(), lr=1e-3)
y = torch.arange(B) % C
def step():
    opt.zero_grad(); loss = torch.nn.functional.cross_entropy(net(x), y); loss.backward(); opt.step()
res['LSTMNet train step'] = tm(step)
print(json.dumps(res))
`;
  try {
    const out = execFileSync(py, ['-c', script], {
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const t = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
    for (const [k, v] of Object.entries(t)) if (results[k]) results[k]!.torch = v;
  } catch (e) {
    console.log(`(PyTorch run failed: ${(e as Error).message.split('\n')[0]})`);
  }
}

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`\n${pad('', 28)}${pad('ecgrad ms', 12)}${pad('PyTorch ms', 12)}${pad('PyTorch/ecgrad', 16)}ecgrad samples/s`);
for (const [k, r] of Object.entries(results)) {
  const ratio = r.torch ? (r.torch / r.ecgrad).toFixed(2) + 'x' : '-';
  console.log(`${pad(k, 28)}${pad(r.ecgrad.toFixed(1), 12)}${pad(r.torch ? r.torch.toFixed(1) : '-', 12)}${pad(ratio, 16)}${((B / r.ecgrad) * 1000).toFixed(0)}`);
}
console.log('(PyTorch/ecgrad > 1 means ecgrad is faster)');

/** Where ecgrad's LSTM time goes: every kernel call of a forward+backward timed (wrapped exports). */
function profile(): void {
  const b = backend() as unknown as { k: Record<string, unknown> };
  const orig = b.k;
  const acc = new Map<string, number>();
  const wrapped: Record<string, unknown> = {};
  for (const name of Object.keys(orig)) {
    const f = orig[name];
    if (typeof f !== 'function') continue;
    wrapped[name] = (...a: number[]) => {
      const t0 = performance.now();
      const r = (f as (...x: number[]) => unknown)(...a);
      const key = name === 'gemm' ? `gemm ${a[0] ? 'T' : 'N'}${a[1] ? 'T' : 'N'} ${a[2]}x${a[3]}x${a[4]}` : name;
      acc.set(key, (acc.get(key) ?? 0) + performance.now() - t0);
      return r;
    };
  }
  Object.defineProperty(wrapped, 'memory', { get: () => orig.memory });
  b.k = wrapped;
  try {
    for (const [label, m] of [
      ['LSTM sequence output', new LSTM(I, { hiddenSize: H, seed: 2 })],
      ['LSTM last state (LSTMNet)', new LSTM(I, { hiddenSize: H, returnSequences: false, seed: 2 })],
      ['GRU sequence output', new GRU(I, { hiddenSize: H, seed: 2 })],
    ] as const) {
      const run = () => m.forward(x).sum().backward();
      for (let i = 0; i < 2; i++) run();
      acc.clear();
      const n = 5;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) run();
      const total = (performance.now() - t0) / n;
      const parts = [...acc].sort((p, q) => q[1] - p[1]).map(([k, v]) => `${k} ${(v / n).toFixed(1)}`);
      const kern = [...acc.values()].reduce((s, v) => s + v, 0) / n;
      console.log(`profile ${label}: ${total.toFixed(1)} ms per forward+backward; kernels ${kern.toFixed(1)} ms: ${parts.join(', ')}`);
    }
  } finally {
    b.k = orig;
  }
}
