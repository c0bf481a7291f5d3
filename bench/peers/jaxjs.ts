// jax-js (@jax-js/jax, a devDependency) as a peer of ecgrad in `npm run bench:train`: the reference models of
// ../shared/baselines/torch_bench.py (StdCNN, DSCNN, LSTMNet; the same layer shapes and parameter counts, 44229 /
// 20101 / 17477), a training step at batch 64 x 1 x 187 (cross-entropy, grad of it, Adam written in jax-js ops:
// jax-js has no optimiser of its own and @jax-js/optax is not on the npm registry), and StdCNN inference at batch
// 1 and 256 (eval mode: batch norm on running statistics), all on jax-js's wasm device, each step one jit-compiled
// function (the training step: forward, grad, Adam and the new parameters; jit fuses element-wise ops).
// Threads: jax-js's wasm device spreads a kernel over Web Workers when `Worker` and SharedArrayBuffer exist;
// Node 20 has no global Web `Worker`, so here it runs on one thread (the figure says so: `threads` in the output).
// Node 20 has no global `navigator` either, which jax-js reads at init and in its kernel tuner: this file sets a
// minimal one ({ userAgent: 'node', hardwareConcurrency }) before importing jax-js, which is why the bench runs it in
// its own process.
// Dropout(0.3) in training as in PyTorch (random.bernoulli with a fresh key per step); batch norm's running
// statistics are not updated in the jax-js training step (one extra element-wise update per layer; the step
// returns only parameters and Adam's moments).
// Convolutions use lax.convGeneralDilated, jax-js's own; on this machine it ran a [256,32,93] x [64,32,5] conv at
// about 0.14 GFLOP/s where its plain 256^3 matmul ran at about 3 (an im2col + matmul in jax-js, jit or eager, fused
// into one kernel and ran no faster), so the conv models' figures are set by that kernel.
// A step takes seconds, so timing is by budget (bench/peers/common.ts timeBudget: compile, then >= 3 repetitions).
//   node --import tsx bench/peers/jaxjs.ts [--only std,ds,lstm,infer] [--budget-ms 3000]   prints one JSON object
//     on stdout: {"peer": "jax-js", "version", "device", "threads", "notes", "results": {key: {samples_per_s, range}}}
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { packageVersion, timeBudget, type PeerResult } from './common.ts';

type Jax = typeof import('@jax-js/jax');
type JArray = import('@jax-js/jax').Array;
type Params = Record<string, JArray>;

/** The parameter shapes of torch_bench.py's models (PyTorch's layouts: conv [out, in/groups, k], linear [out, in]). */
export const JAX_MODEL_SHAPES: Record<'std' | 'ds' | 'lstm', Record<string, number[]>> = {
  std: {
    c1w: [32, 1, 5], c1b: [32], n1g: [32], n1b: [32],
    c2w: [64, 32, 5], c2b: [64], n2g: [64], n2b: [64],
    c3w: [128, 64, 3], c3b: [128], n3g: [128], n3b: [128],
    f1w: [64, 128], f1b: [64], f2w: [5, 64], f2b: [5],
  },
  ds: {
    c1w: [32, 1, 5], c1b: [32], n1g: [32], n1b: [32],
    d2w: [32, 1, 5], d2b: [32], p2w: [64, 32, 1], p2b: [64], n2g: [64], n2b: [64],
    d3w: [64, 1, 3], d3b: [64], p3w: [128, 64, 1], p3b: [128], n3g: [128], n3b: [128],
    f1w: [64, 128], f1b: [64], f2w: [5, 64], f2b: [5],
  },
  lstm: { wih: [256, 1], whh: [256, 64], bih: [256], bhh: [256], fw: [5, 64], fb: [5] },
};

export const parameterCount = (m: keyof typeof JAX_MODEL_SHAPES): number =>
  Object.values(JAX_MODEL_SHAPES[m]).reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);

/** Loads jax-js with the `navigator` it expects (see the header) and initialises its wasm device. */
export async function loadJax(): Promise<Jax> {
  const g = globalThis as { navigator?: unknown };
  g.navigator ??= { userAgent: 'node', hardwareConcurrency: availableParallelism() };
  const jax = await import('@jax-js/jax');
  const got = await jax.init('wasm');
  if (!got.includes('wasm')) throw new Error(`jax-js did not start its wasm device (devices: ${got.join(', ')})`);
  jax.defaultDevice('wasm');
  return jax;
}

/** Parameters with PyTorch-like fan-in scaling (the values do not matter for timing, only the shapes). */
export function initParams(jax: Jax, m: keyof typeof JAX_MODEL_SHAPES, seed = 0): Params {
  const { numpy: np, random } = jax;
  const shapes = JAX_MODEL_SHAPES[m];
  const keys = random.split(random.key(seed), Object.keys(shapes).length);
  const out: Params = {};
  Object.entries(shapes).forEach(([name, shape], i) => {
    const k = keys.ref.slice(i);
    if (/n\dg$/.test(name)) { k.dispose(); out[name] = np.ones(shape); return; }
    if (/n\db$/.test(name)) { k.dispose(); out[name] = np.zeros(shape); return; }
    const fanIn = shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : (shapes[name.replace(/b$/, 'w')]?.slice(1).reduce((a, b) => a * b, 1) ?? 64);
    out[name] = random.normal(k, shape).mul(1 / Math.sqrt(fanIn));
  });
  keys.dispose();
  return out;
}

/** The three models' forward passes, jax-js's ownership rules followed (every argument consumed once; `.ref` to reuse). */
function forwards(jax: Jax) {
  const { numpy: np, lax, nn, random } = jax;
  const conv = (x: JArray, w: JArray, b: JArray, pad: number, groups = 1) =>
    lax.convGeneralDilated(x, w, [1], [[pad, pad]], { featureGroupCount: groups }).add(b.reshape([1, -1, 1]));
  // BatchNorm1d: batch statistics in training, the running ones (0 and 1 at initialisation) in eval mode
  const bn = (x: JArray, g: JArray, b: JArray, train: boolean) => {
    let y: JArray;
    if (train) {
      const mean = x.ref.mean([0, 2], { keepdims: true });
      const c = x.sub(mean);
      const v = c.ref.mul(c.ref).mean([0, 2], { keepdims: true });
      y = c.mul(np.reciprocal(np.sqrt(v.add(1e-5))));
    } else y = x.mul(1 / Math.sqrt(1 + 1e-5));
    return y.mul(g.reshape([1, -1, 1])).add(b.reshape([1, -1, 1]));
  };
  const pool2 = (x: JArray) => {
    const [B, C, L] = x.shape as [number, number, number];
    const h = Math.floor(L / 2);
    return (L % 2 ? x.slice([], [], [0, 2 * h]) : x).reshape([B, C, h, 2]).max(3);
  };
  const linear = (x: JArray, w: JArray, b: JArray) => np.matmul(x, w.transpose()).add(b);
  const head = (h: JArray, p: Params, train: boolean, key: JArray | null) => {
    let z = nn.relu(linear(h.mean(2), p.f1w!, p.f1b!));
    if (train && key) z = z.ref.mul(random.bernoulli(key, 0.7, z.shape).astype(np.float32)).mul(1 / 0.7);
    return linear(z, p.f2w!, p.f2b!);
  };
  const std = (p: Params, x: JArray, train: boolean, key: JArray | null) => {
    let h = pool2(nn.relu(bn(conv(x, p.c1w!, p.c1b!, 2), p.n1g!, p.n1b!, train)));
    h = pool2(nn.relu(bn(conv(h, p.c2w!, p.c2b!, 2), p.n2g!, p.n2b!, train)));
    h = nn.relu(bn(conv(h, p.c3w!, p.c3b!, 1), p.n3g!, p.n3b!, train));
    return head(h, p, train, key);
  };
  const ds = (p: Params, x: JArray, train: boolean, key: JArray | null) => {
    let h = pool2(nn.relu(bn(conv(x, p.c1w!, p.c1b!, 2), p.n1g!, p.n1b!, train)));
    h = pool2(nn.relu(bn(conv(conv(h, p.d2w!, p.d2b!, 2, 32), p.p2w!, p.p2b!, 0), p.n2g!, p.n2b!, train)));
    h = nn.relu(bn(conv(conv(h, p.d3w!, p.d3b!, 1, 64), p.p3w!, p.p3b!, 0), p.n3g!, p.n3b!, train));
    return head(h, p, train, key);
  };
  // LSTM(1 -> 64), gates in PyTorch's order (i, f, g, o), unrolled over the 187 steps (jax-js has no scan)
  const lstm = (p: Params, x: JArray, _train: boolean, key: JArray | null) => {
    key?.dispose();
    const [B, , L] = x.shape as [number, number, number];
    const H = 64;
    // input projection of every step at once: [B, L, 1] * [256] + biases -> [B, L, 256]
    const xw = x.reshape([B, L, 1]).mul(p.wih!.reshape([1, 1, 4 * H])).add(p.bih!.add(p.bhh!).reshape([1, 1, 4 * H]));
    const whhT = p.whh!.transpose();
    let h = np.zeros([B, H]), c = np.zeros([B, H]);
    for (let t = 0; t < L; t++) {
      const gates = xw.ref.slice([], t).add(np.matmul(h, whhT.ref));
      const i = nn.sigmoid(gates.ref.slice([], [0, H]));
      const f = nn.sigmoid(gates.ref.slice([], [H, 2 * H]));
      const g = np.tanh(gates.ref.slice([], [2 * H, 3 * H]));
      const o = nn.sigmoid(gates.slice([], [3 * H, 4 * H]));
      c = f.mul(c).add(i.mul(g));
      h = o.mul(np.tanh(c.ref));
    }
    xw.dispose(); whhT.dispose(); c.dispose();
    return linear(h, p.fw!, p.fb!);
  };
  return { std, ds, lstm };
}

export interface JaxStep {
  /** One call: a training step (parameters and Adam's state replaced) or an inference batch (resolves to the logits' shape). */
  run: () => Promise<number[] | undefined>;
  dispose: () => void;
}

/** A jit-compiled training step (cross-entropy, grad, Adam lr 1e-3) of model `m` at batch B x 1 x L. */
export function trainStep(jax: Jax, m: keyof typeof JAX_MODEL_SHAPES, B = 64, L = 187): JaxStep {
  const { numpy: np, nn, random, jit, grad, tree } = jax;
  const fwd = forwards(jax)[m];
  const loss = (p: Params, x: JArray, y1h: JArray, key: JArray) =>
    nn.logSoftmax(fwd(p, x, true, key), -1).mul(y1h).sum().mul(-1 / B);
  const b1 = 0.9, b2 = 0.999, eps = 1e-8, lr = 1e-3;
  // Adam with bias correction (PyTorch's defaults); t is the step number, bc1 = 1 - b1^t and bc2 = 1 - b2^t come in as arrays
  const step = jit((p: Params, mom: Params, vel: Params, x: JArray, y1h: JArray, key: JArray, bc1: JArray, bc2: JArray) => {
    const g = grad(loss)(tree.ref(p), x, y1h, key);
    const np1: Params = {}, nm: Params = {}, nv: Params = {};
    const names = Object.keys(p);
    names.forEach((k, i) => {
      const gk = g[k]!;
      const mk = mom[k]!.mul(b1).add(gk.ref.mul(1 - b1));
      const vk = vel[k]!.mul(b2).add(gk.ref.mul(gk).mul(1 - b2));
      const last = i === names.length - 1;
      const mHat = mk.ref.div(last ? bc1 : bc1.ref);
      const vHat = vk.ref.div(last ? bc2 : bc2.ref);
      np1[k] = p[k]!.sub(mHat.mul(lr).div(np.sqrt(vHat).add(eps)));
      nm[k] = mk; nv[k] = vk;
    });
    return [np1, nm, nv] as [Params, Params, Params];
  });
  let p = initParams(jax, m, 0);
  let mom: Params = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, np.zerosLike(v.ref)]));
  let vel: Params = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, np.zerosLike(v.ref)]));
  const x = random.normal(random.key(1), [B, 1, L]);
  const y1h = nn.oneHot(np.array(Int32Array.from({ length: B }, (_, i) => i % 5), { dtype: np.int32 }), 5);
  let key = random.key(2), t = 0;
  return {
    run: async () => {
      t++;
      const ks = random.split(key, 2);
      key = ks.ref.slice(0);
      [p, mom, vel] = step(p, mom, vel, x.ref, y1h.ref, ks.slice(1), np.array(1 - b1 ** t), np.array(1 - b2 ** t));
      await jax.blockUntilReady(p);
      return undefined;
    },
    dispose: () => { tree.dispose([p, mom, vel, x, y1h, key]); step.dispose(); },
  };
}

/** A jit-compiled StdCNN (eval mode) forward at batch B. */
export function inferStep(jax: Jax, B: number, L = 187): JaxStep {
  const { random, jit, tree } = jax;
  const fwd = forwards(jax).std;
  const f = jit((p: Params, x: JArray) => fwd(p, x, false, null));
  const p = initParams(jax, 'std', 0);
  const x = random.normal(random.key(2), [B, 1, L]);
  return {
    run: async () => {
      const y = f(tree.ref(p), x.ref);
      await y.blockUntilReady();
      const shape = y.shape;
      y.dispose();
      return shape;
    },
    dispose: () => { tree.dispose([p, x]); f.dispose(); },
  };
}

/** The workloads of bench/train-step.ts on jax-js: key -> samples/s (or the error it gave). */
export async function runJax(want: (w: string) => boolean, budgetMs = 3000, log: (...m: unknown[]) => void = console.error): Promise<PeerResult> {
  const jax = await loadJax();
  const version = packageVersion('@jax-js/jax', import.meta.url) ?? '?';
  const out: PeerResult = {
    peer: 'jax-js', version, device: 'wasm',
    threads: typeof (globalThis as { Worker?: unknown }).Worker === 'function' && typeof SharedArrayBuffer === 'function' ? availableParallelism() : 1,
    notes: ['Adam written in jax-js ops (no optimiser in jax-js core)', 'batch norm running statistics not updated in training'],
    results: {},
  };
  const rows: [string, string, number, () => JaxStep][] = [
    ['std', 'std_train_b64', 64, () => trainStep(jax, 'std')],
    ['ds', 'ds_train_b64', 64, () => trainStep(jax, 'ds')],
    ['lstm', 'lstm_train_b64', 64, () => trainStep(jax, 'lstm')],
    ['infer', 'std_infer_b1', 1, () => inferStep(jax, 1)],
    ['infer', 'std_infer_b256', 256, () => inferStep(jax, 256)],
  ];
  for (const [w, key, batch, make] of rows) {
    if (!want(w)) continue;
    try {
      const t0 = performance.now();
      const s = make();
      const { calls, ...r } = await timeBudget(batch, s.run, budgetMs);
      s.dispose();
      out.results[key] = r;
      log(`jax-js ${key.padEnd(16)} ${r.samples_per_s} samples/s (range ${r.range[0]}-${r.range[1]}; ${calls} calls, ${((performance.now() - t0) / 1000).toFixed(1)} s with compile and warm-up)`);
    } catch (e) {
      out.results[key] = { error: (e as Error).message.split('\n')[0]! };
      log(`jax-js ${key}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const a = process.argv.slice(2);
  const oi = a.indexOf('--only');
  const only = new Set((oi >= 0 ? a[oi + 1] ?? '' : '').split(',').filter(Boolean));
  const bi = a.indexOf('--budget-ms');
  const res = await runJax((w) => only.size === 0 || only.has(w), bi >= 0 ? Number(a[bi + 1]) : 3000);
  console.log(JSON.stringify(res));
  process.exit(0);
}
