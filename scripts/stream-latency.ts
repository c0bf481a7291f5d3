// Streaming latency: feeds a whole MIT-BIH record (its MLII lead) to BeatStream in chunks, as a device
// would, and times every push() with performance.now(). It runs on ecgrad/infer, i.e. the inference
// kernel builds (the node modules it uses for files register no kernels).
// Usage: npx tsx scripts/stream-latency.ts [--record 208] [--model models/ft-cnn-intra-rr.ecgm]
//          [--chunk 36] [--build simd|scalar] [--warmup 300] [--data <dir>] [--json]
//   (npm run latency -- <options>). The data folder: --data, else $ECGRAD_DATA, else ../shared/data/mitdb
//   if it exists, else ./data/mitdb (as the CLI). Runs with chunks of --chunk samples, then of 1 sample.
//
// What is measured, per run (one fresh BeatStream over the whole record, push() per chunk, then end()):
//   compute per beat  each call to push() (or the final end()) that returns k >= 1 beats has its wall time
//                     t (performance.now() just before and after the call) split evenly: each of its k
//                     beats gets t / k. p50 / p99 / max over all beats (nearest rank). Calls that return
//                     no beats (the detector and resampler running on the samples) are not in this figure;
//                     they are in the throughput.
//   signal delay      (emittedAt - sample) / fs of each beat: signal time from its R peak to the end of the
//                     chunk whose push() emitted it (the whole record for beats emitted by end()), in ms.
//                     p50 / p99 / max (nearest rank).
// The window construction is the one the model file names (meta.window: 'kachuee' when absent, or
// 'causal', src/ecg/dataset/causal-window.ts); the report says which.
//   throughput        beats / (sum of the wall times of every push() and end() call), and the signal
//                     duration over that time (the real-time factor).
// Warm-up first: the first --warmup seconds of the record (default 300) go through a separate stream with
// the same chunking, and are discarded.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync, backendInfo, loadClassifier, BeatStream, type StreamBeat, type BuildChoice } from '../src/infer/index.ts';
import { windowKindOf } from '../src/stream/index.ts';
import { rdrecord } from '../src/node/wfdb-files.ts';
import { resolveDataDir } from '../src/node/data-path.ts';

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, d: string) => {
    const i = args.indexOf(name);
    if (i < 0) return d;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const positive = (name: string, d: string) => {
    const v = Number(opt(name, d));
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${opt(name, d)}`);
    return v;
  };
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const json = args.includes('--json');
  const recordName = opt('--record', '208');
  const modelPath = args.includes('--model') ? resolve(opt('--model', '')) : join(root, 'models', 'ft-cnn-intra-rr.ecgm');
  const chunk = positive('--chunk', '36');
  const warmupSeconds = Number(opt('--warmup', '300'));
  if (!(warmupSeconds >= 0)) throw new Error(`--warmup must be a number of seconds >= 0, got ${opt('--warmup', '300')}`);
  const build = opt('--build', 'auto') as BuildChoice;
  if (!['auto', 'simd', 'scalar'].includes(build)) throw new Error(`--build must be simd or scalar, got ${build}`);

  initSync({ build });
  const clf = loadClassifier(new Uint8Array(readFileSync(modelPath)), modelPath);
  const dataDir = resolveDataDir(args.includes('--data') ? opt('--data', '') : undefined);
  const rec = rdrecord(join(dataDir, recordName));
  const lead = Math.max(0, rec.sigName.indexOf('MLII'));
  const signal = rec.pSignal[lead]!;
  const fs = rec.fs;

  /** Nearest-rank percentile of sorted values. */
  const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

  function stream(sig: Float32Array, size: number) {
    const s = new BeatStream(clf, { fs });
    const perBeat: number[] = [];
    const beats: StreamBeat[] = [];
    let total = 0, calls = 0;
    const timed = (f: () => StreamBeat[]) => {
      const t0 = performance.now();
      const out = f();
      const t = performance.now() - t0;
      total += t;
      calls++;
      for (const b of out) {
        perBeat.push(t / out.length);
        beats.push(b);
      }
    };
    for (let p = 0; p < sig.length; p += size) timed(() => s.push(sig.subarray(p, p + size)));
    timed(() => s.end());
    return { perBeat, beats, total, calls };
  }

  const runs = [];
  for (const size of [...new Set([chunk, 1])]) {
    stream(signal.subarray(0, Math.min(signal.length, Math.round(warmupSeconds * fs))), size);
    const r = stream(signal, size);
    const perBeat = r.perBeat.slice().sort((a, b) => a - b);
    const delay = r.beats.map((b) => ((b.emittedAt - b.sample) / fs) * 1000).sort((a, b) => a - b);
    runs.push({
      chunkSamples: size,
      chunkMs: (size / fs) * 1000,
      beats: r.beats.length,
      calls: r.calls,
      computePerBeatMs: { p50: pct(perBeat, 50), p99: pct(perBeat, 99), max: perBeat[perBeat.length - 1]! },
      signalDelayMs: { p50: pct(delay, 50), p99: pct(delay, 99), max: delay[delay.length - 1]! },
      totalComputeMs: r.total,
      beatsPerSecond: r.beats.length / (r.total / 1000),
      realTime: signal.length / fs / (r.total / 1000),
    });
  }

  const info = backendInfo();
  const report = {
    record: recordName, dataDir, lead: rec.sigName[lead], fs, samples: signal.length, signalSeconds: signal.length / fs,
    model: modelPath, arch: clf.info.arch, parameters: clf.info.parameters, rrFeatures: clf.info.rrFeatures, window: windowKindOf(clf),
    build: info.build, kernels: info.kernels, node: process.version, warmupSeconds, runs,
  };
  if (json) console.log(JSON.stringify(report, null, 2));
  else {
    const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
    const n = (v: number) => Math.round(v).toLocaleString('en-US');
    console.log(`record ${recordName} (${rec.sigName[lead]}, ${n(signal.length)} samples at ${fs} Hz, ${(signal.length / fs / 60).toFixed(1)} min); ` +
      `${modelPath.startsWith(root) ? modelPath.slice(root.length + 1) : modelPath} (${clf.info.arch}, ${n(clf.info.parameters)} parameters${clf.info.rrFeatures ? `, ${clf.info.rrFeatures} beat features` : ''}, ${report.window} window); ` +
      `${info.build} build, ${info.kernels} kernels, node ${process.version}; warm-up ${warmupSeconds} s of signal`);
    for (const r of runs) {
      console.log(`chunks of ${r.chunkSamples} sample${r.chunkSamples > 1 ? 's' : ''} (${ms(r.chunkMs)} ms of signal): ${n(r.beats)} beats, ${n(r.calls)} push()/end() calls`);
      console.log(`  compute per beat (emitting call's time / its beats)  p50 ${ms(r.computePerBeatMs.p50)} ms  p99 ${ms(r.computePerBeatMs.p99)} ms  max ${ms(r.computePerBeatMs.max)} ms`);
      console.log(`  signal delay (R peak to emission, signal time)       p50 ${n(r.signalDelayMs.p50)} ms  p99 ${n(r.signalDelayMs.p99)} ms  max ${n(r.signalDelayMs.max)} ms`);
      console.log(`  throughput                                            ${n(r.beatsPerSecond)} beats/s; ${(r.totalComputeMs / 1000).toFixed(2)} s for the record (${n(r.realTime)}x real time)`);
    }
  }
}

try {
  main();
} catch (e) {
  console.error(`stream-latency: ${(e as Error).message}`);
  process.exit(1);
}
