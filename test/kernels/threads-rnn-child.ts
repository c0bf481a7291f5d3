// Child process of test/kernels/threads-rnn.test.ts: initialises ecgrad with the thread count of argv[2] (the
// real thresholds, no splitAll) and prints one RNN_RESULT line of JSON: per case (LSTM and GRU, 2 layers,
// bidirectional, batch 1, 17 and 37, 40 steps: large enough that every sequence kernel call but batch 1's is
// split at 2 and 3 threads), the sha-256 of the output, h_n (and c_n), the input gradient and every parameter
// gradient of one backward pass; and the backend info.
import { createHash } from 'node:crypto';
import '../../src/node/index.ts';
import { initSync, backendInfo, randn, LSTM, GRU, type Tensor } from '../../src/all.ts';

const result: Record<string, unknown> = {};
try {
  initSync({ threads: Number(process.argv[2] ?? 2) });
  result.info = backendInfo();
  for (const kind of ['lstm', 'gru'] as const)
    for (const B of [1, 17, 37]) {
      const opts = { hiddenSize: 32, numLayers: 2, bidirectional: true, seed: 5 };
      const m = kind === 'lstm' ? new LSTM(3, opts) : new GRU(3, opts);
      const x = randn([B, 40, 3], { seed: 6, requiresGrad: true });
      const r = m.forwardWithState(x);
      const loss = r.output.mul(randn(r.output.shape, { seed: 7 })).sum().add(r.h.mul(randn(r.h.shape, { seed: 8 })).sum());
      (r.c ? loss.add(r.c.sum()) : loss).backward();
      const hash = createHash('sha256');
      const parts: Tensor[] = [r.output, r.h, ...(r.c ? [r.c] : []), x.grad!, ...m.parameters().map((p) => p.grad!)];
      for (const t of parts) hash.update(new Uint8Array(t.data().slice().buffer));
      result[`${kind} b${B}`] = hash.digest('hex');
    }
} catch (e) {
  result.error = (e as Error).stack ?? String(e);
}
console.log(`RNN_RESULT ${JSON.stringify(result)}`);
