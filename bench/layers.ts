// Forward + backward time of the CNN layers at the StdCNN shapes (batch 64), in ecgrad (SIMD build) and,
// when /usr/bin/python3 with torch is available, in PyTorch on one thread (OPENBLAS_NUM_THREADS=1,
// torch.set_num_threads(1)), with the ratio PyTorch / ecgrad (> 1: ecgrad is faster).
//   npx tsx bench/layers.ts [--iters N]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  initSync, randn, BatchNorm1d, MaxPool1d, AdaptiveAvgPool1d, Dropout, GELU, Module, type Tensor,
} from '../src/all.ts';

const iters = Number(process.argv[process.argv.indexOf('--iters') + 1]) || 200;

interface Case {
  label: string;
  shape: number[];
  /** PyTorch module expression. */
  torch: string;
  make(): Module;
}

const CASES: Case[] = [
  { label: 'BatchNorm1d(32)', shape: [64, 32, 187], torch: 'nn.BatchNorm1d(32)', make: () => new BatchNorm1d(32) },
  { label: 'BatchNorm1d(64)', shape: [64, 64, 93], torch: 'nn.BatchNorm1d(64)', make: () => new BatchNorm1d(64) },
  { label: 'BatchNorm1d(128)', shape: [64, 128, 46], torch: 'nn.BatchNorm1d(128)', make: () => new BatchNorm1d(128) },
  { label: 'MaxPool1d(2)', shape: [64, 32, 187], torch: 'nn.MaxPool1d(2)', make: () => new MaxPool1d(2) },
  { label: 'MaxPool1d(2)', shape: [64, 64, 93], torch: 'nn.MaxPool1d(2)', make: () => new MaxPool1d(2) },
  { label: 'AdaptiveAvgPool1d(1)', shape: [64, 128, 46], torch: 'nn.AdaptiveAvgPool1d(1)', make: () => new AdaptiveAvgPool1d(1) },
  { label: 'Dropout(0.5)', shape: [64, 64], torch: 'nn.Dropout(0.5)', make: () => new Dropout(0.5, { seed: 1 }) },
  { label: 'GELU', shape: [64, 64, 93], torch: 'nn.GELU()', make: () => new GELU() },
];

function timeEcgrad(c: Case): number {
  const m = c.make();
  const x = randn(c.shape, { seed: 1 }).keep().requiresGrad_(true);
  let g: Tensor | null = null;
  const step = () => {
    const y = m.forward(x);
    g ??= randn(y.shape, { seed: 2 }).keep();
    y.backward(g);
  };
  for (let i = 0; i < 20; i++) step();
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

function timeTorch(): number[] | null {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return null;
  const script = `
import time, json, torch, torch.nn as nn
torch.set_num_threads(1)
cases = ${JSON.stringify(CASES.map((c) => [c.torch, c.shape]))}
out = []
for expr, shape in cases:
    m = eval(expr); m.train()
    x = torch.randn(*shape, requires_grad=True)
    y = m(x); g = torch.randn(y.shape)
    def step():
        y = m(x); y.backward(g)
    for _ in range(20): step()
    ts = []
    for _ in range(${iters}):
        t0 = time.perf_counter(); step(); ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort(); out.append(ts[len(ts) // 2])
print(json.dumps(out))
`;
  const r = spawnSync(py, ['-c', script], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`(PyTorch comparison skipped: ${r.stderr.trim().split('\n').pop()})`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as number[];
}

initSync({ build: 'simd' });
const ours = CASES.map(timeEcgrad);
const theirs = timeTorch();
console.log(`forward + backward, median of ${iters} (ms)`);
console.log('| layer | input | ecgrad | PyTorch 1 thread | PyTorch / ecgrad |');
console.log('| --- | --- | ---: | ---: | ---: |');
CASES.forEach((c, i) => {
  const t = theirs?.[i];
  console.log(`| ${c.label} | [${c.shape.join(', ')}] | ${ours[i]!.toFixed(3)} | ${t === undefined ? '-' : t.toFixed(3)} | ${t === undefined ? '-' : (t / ours[i]!).toFixed(2)} |`);
});
