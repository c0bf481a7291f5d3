// TensorFlow.js (@tensorflow/tfjs with @tensorflow/tfjs-backend-wasm, devDependencies; the .wasm files ship
// in the package) as a peer of ecgrad in `npm run bench:train`: torch_bench.py's StdCNN (same layer shapes,
// 44229 parameters; channels-last as TF.js's conv1d wants: input [B, L, 1], filters [k, C_in, C_out]) in
// inference at batch 1 and 256 (batch norm on running statistics), and an attempt at its training step (batch
// 64: cross-entropy and tf.train.adam(1e-3).minimize), whose error (the wasm backend registers no gradient
// kernel for its convolutions) becomes the row's entry instead of a figure. DSCNN and LSTMNet are not written
// for TF.js (issue 20 asks for StdCNN inference and a training attempt).
// Threads: the backend picks its threaded SIMD build only where the runtime is cross-origin isolated with
// Workers (a browser); under Node it runs its SIMD build on one thread (the output says which build).
//   node --import tsx bench/peers/tfjs.ts [--only std,infer] [--budget-ms 3000]   prints one JSON object on stdout
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { packageVersion, timeBudget, type PeerResult } from './common.ts';

type Tf = typeof import('@tensorflow/tfjs');
type T = import('@tensorflow/tfjs').Tensor;

/** StdCNN's parameters in TF.js layouts (conv filters [k, C_in, C_out], dense [in, out]). */
export const TF_STD_SHAPES: Record<string, number[]> = {
  c1w: [5, 1, 32], c1b: [32], n1g: [32], n1b: [32],
  c2w: [5, 32, 64], c2b: [64], n2g: [64], n2b: [64],
  c3w: [3, 64, 128], c3b: [128], n3g: [128], n3b: [128],
  f1w: [128, 64], f1b: [64], f2w: [64, 5], f2b: [5],
};

/** Loads TF.js core and the wasm backend, its .wasm files from the installed package. */
export async function loadTf(): Promise<{ tf: Tf; build: string }> {
  const require = createRequire(import.meta.url);
  // the union package: its node bundle registers the gradients (tfjs-core's own node bundle has none) on the same tfjs-core
  const tf = require('@tensorflow/tfjs') as Tf;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  wasm.setWasmPaths(`${join(dist, '')}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js did not start its wasm backend');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return { tf, build: `${simd ? 'SIMD' : 'scalar'}${mt ? ', threaded' : ', one thread'}` };
}

function params(tf: Tf): Record<string, import('@tensorflow/tfjs').Variable> {
  return Object.fromEntries(Object.entries(TF_STD_SHAPES).map(([k, sh], i) => {
    const v = /n\dg$/.test(k) ? tf.ones(sh) : /n\db$|b$/.test(k) && sh.length === 1 ? tf.zeros(sh) : tf.randomNormal(sh, 0, 1 / Math.sqrt(sh.slice(0, -1).reduce((a, b) => a * b, 1)), 'float32', i);
    return [k, tf.variable(v, true, k)];
  }));
}

function stdForward(tf: Tf, p: Record<string, T>, x: T, train: boolean): T {
  const bn = (h: T, g: T, b: T) => {
    if (train) {
      const { mean, variance } = tf.moments(h, [0, 1]);
      return tf.batchNorm(h, mean, variance, b, g, 1e-5);
    }
    const C = h.shape[2]!;
    return tf.batchNorm(h, tf.zeros([C]), tf.ones([C]), b, g, 1e-5);
  };
  const block = (h: T, w: T, b: T, g: T, beta: T, pad: number, pool: boolean) => {
    const padded = tf.pad(h, [[0, 0], [pad, pad], [0, 0]]) as T;
    let y = tf.relu(bn(tf.add(tf.conv1d(padded as import('@tensorflow/tfjs').Tensor3D, w as import('@tensorflow/tfjs').Tensor3D, 1, 'valid'), b), g, beta));
    if (pool) {
      const [B, L, C] = y.shape as [number, number, number];
      y = tf.reshape(tf.maxPool(tf.reshape(y, [B, 1, L, C]) as import('@tensorflow/tfjs').Tensor4D, [1, 2], [1, 2], 'valid'), [B, Math.floor(L / 2), C]);
    }
    return y;
  };
  let h = block(x, p.c1w!, p.c1b!, p.n1g!, p.n1b!, 2, true);
  h = block(h, p.c2w!, p.c2b!, p.n2g!, p.n2b!, 2, true);
  h = block(h, p.c3w!, p.c3b!, p.n3g!, p.n3b!, 1, false);
  let z = tf.relu(tf.add(tf.matMul(tf.mean(h, 1), p.f1w! as import('@tensorflow/tfjs').Tensor2D), p.f1b!));
  if (train) z = tf.dropout(z, 0.3);
  return tf.add(tf.matMul(z, p.f2w! as import('@tensorflow/tfjs').Tensor2D), p.f2b!);
}

export async function runTf(want: (w: string) => boolean, budgetMs = 3000, log: (...m: unknown[]) => void = console.error): Promise<PeerResult> {
  const { tf, build } = await loadTf();
  const out: PeerResult = {
    peer: 'TF.js wasm', version: packageVersion('@tensorflow/tfjs-backend-wasm', import.meta.url) ?? '?', device: `wasm (${build})`,
    threads: build.includes('threaded') ? 2 : 1, notes: [], results: {},
  };
  const p = params(tf);
  const rec = async (key: string, batch: number, run: () => unknown) => {
    try {
      const t0 = performance.now();
      const { calls, ...r } = await timeBudget(batch, run, budgetMs);
      out.results[key] = r;
      log(`TF.js ${key.padEnd(16)} ${r.samples_per_s} samples/s (range ${r.range[0]}-${r.range[1]}; ${calls} calls, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0]!;
      out.results[key] = { error: msg };
      log(`TF.js ${key}: ${msg}`);
    }
  };
  if (want('std')) {
    const x = tf.randomNormal([64, 187, 1], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: 64 }, (_, i) => i % 5), 'int32'), 5);
    const opt = tf.train.adam(1e-3);
    await rec('std_train_b64', 64, () => tf.tidy(() => {
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, stdForward(tf, p, x, true)) as import('@tensorflow/tfjs').Scalar, true);
      loss?.dataSync();
    }));
    tf.dispose([x, y]);
  }
  if (want('infer'))
    for (const B of [1, 256]) {
      const x = tf.randomNormal([B, 187, 1], 0, 1, 'float32', 2);
      await rec(`std_infer_b${B}`, B, () => tf.tidy(() => void stdForward(tf, p, x, false).dataSync()));
      x.dispose();
    }
  out.notes.push('StdCNN only (DSCNN and LSTMNet not written for TF.js)');
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const a = process.argv.slice(2);
  const oi = a.indexOf('--only');
  const only = new Set((oi >= 0 ? a[oi + 1] ?? '' : '').split(',').filter(Boolean));
  const bi = a.indexOf('--budget-ms');
  const res = await runTf((w) => only.size === 0 || only.has(w), bi >= 0 ? Number(a[bi + 1]) : 3000);
  console.log(JSON.stringify(res));
  process.exit(0);
}
