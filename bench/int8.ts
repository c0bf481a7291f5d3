// int8 vs float32 convolution and linear layers on shapes of the zoo (ArrhythmiNet V2 pointwise convs,
// FT-CNN's dense convs, a Linear), batch 256, both measured side by side in one run.
// Usage: npx tsx bench/int8.ts [--build simd|scalar]
import { initSync } from '../src/core/runtime.ts';
import { noGrad } from '../src/core/autograd.ts';
import { randn } from '../src/ops/creation.ts';
import { conv1d } from '../src/ops/conv1d.ts';
import { linear } from '../src/ops/matmul.ts';
import { conv1dInt8, linearInt8, Int8Weights } from '../src/quant/int8-ops.ts';
import { quantizeRows } from '../src/quant/calibrate.ts';

const build = process.argv.includes('--build') ? (process.argv[process.argv.indexOf('--build') + 1] as 'simd' | 'scalar') : 'simd';
initSync({ build });

function time(fn: () => void, minMs = 400): number {
  // noGrad(() => { fn(); }) frees the result at once (returning it would keep it until the next step).
  for (let i = 0; i < 3; i++) noGrad(() => { fn(); });
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    noGrad(() => { fn(); });
    n++;
  }
  return (performance.now() - t0) / n;
}

const B = 256;
const convs: [string, number, number, number, number, number][] = [
  // name, Cin, Cout, K, L, pad
  ['v2 pointwise 48->64', 48, 64, 1, 94, 0],
  ['v2 pointwise 96->120', 96, 120, 1, 24, 0],
  ['ft-cnn 48->64 k7', 48, 64, 7, 93, 3],
  ['ft-cnn 64->128 k3', 64, 128, 3, 23, 1],
];
console.log(`build ${build}, batch ${B}`);
for (const [name, Cin, Cout, K, L, pad] of convs) {
  const x = randn([B, Cin, L]).keep().relu().keep();
  const w = randn([Cout, Cin, K]).keep();
  const bias = randn([Cout]).keep();
  const { q, scale } = quantizeRows(w.data(), Cout, Cin * K);
  const wq = new Int8Weights(Cout, Cin * K, q, scale, 'pairs');
  const g = { Cin, Cout, K, stride: 1, padLeft: pad, padRight: pad, dilation: 1 };
  const tf = time(() => conv1d(x, w, bias, { padding: pad }));
  const tq = time(() => conv1dInt8(x, wq, bias, 0.03, g, name));
  const gmac = (B * L * Cout * Cin * K) / 1e9;
  console.log(`${name.padEnd(24)} float ${tf.toFixed(2)} ms (${(gmac / tf * 1e3).toFixed(1)} GMAC/s)  int8 ${tq.toFixed(2)} ms (${(gmac / tq * 1e3).toFixed(1)} GMAC/s)  int8/float speed ${(tf / tq).toFixed(2)}x`);
}
{
  const x = randn([B, 134]).keep(), w = randn([64, 134]).keep(), bias = randn([64]).keep();
  const { q, scale } = quantizeRows(w.data(), 64, 134);
  const wq = new Int8Weights(64, 134, q, scale);
  const tf = time(() => linear(x, w, bias)), tq = time(() => linearInt8(x, wq, bias, 0.03, 'fc'));
  console.log(`${'linear 134->64'.padEnd(24)} float ${tf.toFixed(3)} ms  int8 ${tq.toFixed(3)} ms  int8/float speed ${(tf / tq).toFixed(2)}x`);
}
