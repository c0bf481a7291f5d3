// What exchanging one StdCNN gradient costs (issue 18, point 4: the price of synchronous data-parallel
// training): the gradient's size, then the median round trip of that many float32 values (1) between two
// worker threads by postMessage (a structured-clone copy each way), (2) through a SharedArrayBuffer with
// Atomics hand-offs (no copy: what threads on one machine would use), and (3) over a loopback TCP socket
// (the floor of a machine-to-machine exchange: no network, only the kernel's TCP path).
// Usage: npx tsx scripts/gradient-exchange.ts [rounds=300]
import { createServer, connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { initSync } from '../src/index.ts';
import { getModel } from '../src/models/index.ts';

initSync();
const rounds = Number(process.argv[2] ?? 300);
const params = getModel('std-cnn').build({ length: 187, channels: 1, classes: 5, rrFeatures: 0, fs: 125, seed: 0 }).parameterCount();
const bytes = params * 4;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ms = (x: number) => `${x.toFixed(3)} ms`;

async function viaPostMessage(): Promise<number> {
  const w = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.on("message", (m) => parentPort.postMessage(m));', { eval: true });
  const g = new Float32Array(params).fill(1);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    await new Promise<void>((ok) => {
      w.once('message', () => ok());
      w.postMessage(g);
    });
    times.push(performance.now() - t);
  }
  await w.terminate();
  return median(times);
}

async function viaShared(): Promise<number> {
  const sab = new SharedArrayBuffer(bytes + 8);
  const flag = new Int32Array(sab, 0, 2);
  const w = new Worker(`const { workerData } = require('node:worker_threads');
    const flag = new Int32Array(workerData, 0, 2), g = new Float32Array(workerData, 8);
    for (;;) { Atomics.wait(flag, 0, 0); if (flag[1] === 1) break; for (let i = 0; i < g.length; i++) g[i] *= 0.5; Atomics.store(flag, 0, 0); Atomics.notify(flag, 0); }`, { eval: true, workerData: sab });
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    while (Atomics.load(flag, 0) !== 0) Atomics.wait(flag, 0, 1, 1);
    times.push(performance.now() - t);
  }
  Atomics.store(flag, 1, 1);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  await w.terminate();
  return median(times);
}

async function viaTcp(): Promise<number> {
  const server = createServer((s) => s.pipe(s)); // echo
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  const sock: Socket = await new Promise((ok) => { const s = connect(port, '127.0.0.1', () => ok(s)); });
  sock.setNoDelay(true);
  const payload = Buffer.alloc(bytes, 1);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    await new Promise<void>((ok) => {
      let got = 0;
      const on = (d: Buffer) => {
        got += d.length;
        if (got >= bytes) {
          sock.off('data', on);
          ok();
        }
      };
      sock.on('data', on);
      sock.write(payload);
    });
    times.push(performance.now() - t);
  }
  sock.destroy();
  server.close();
  return median(times);
}

console.log(`StdCNN: ${params} parameters, a gradient of ${(bytes / 1024).toFixed(1)} KiB (float32); median of ${rounds} round trips:`);
console.log(`  worker threads, postMessage (copied both ways): ${ms(await viaPostMessage())}`);
console.log(`  worker threads, SharedArrayBuffer + Atomics (no copy; the worker halves the values): ${ms(await viaShared())}`);
console.log(`  loopback TCP echo (${(bytes / 1024).toFixed(1)} KiB each way): ${ms(await viaTcp())}`);
