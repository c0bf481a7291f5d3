// Training throughput from a chunked on-disk dataset (ecgrad dataset --out; src/node/disk-dataset.ts)
// against the same dataset in memory, on MIT-BIH's intra training split, in interleaved rounds
// (memory, disk, memory, disk, ...) so both see the same machine load.
//
//   npx tsx bench/disk-dataset.ts [--model std-cnn] [--batches 60] [--rounds 3] [--data <dir>] [--json]
//
// Each round trains the model afresh (seed 0, its recipe's batch size) for --batches batches of the
// first epoch and reads the trainer's own samples/s (src/train/trainer.ts RunClock: every sample since
// the run started, so the disk round's first chunk reads count). The disk dataset is written once into
// a temporary folder (default chunks of 4096 beats, a shuffle buffer of 4 chunks) and removed at the end.
// Prints each round (wall-clock samples/s and samples per CPU second of the process), the medians and disk / memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendInfo, initSync } from '../src/all.ts';
import { loadDataset } from '../src/node/index.ts';
import { openDiskDataset, writeDiskDataset } from '../src/node/disk-dataset.ts';
import { modelSpec } from '../src/models/index.ts';
import { train, TrainInterrupted, type TrainData } from '../src/train/trainer.ts';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const model = flag('--model') ?? 'std-cnn';
const nBatches = Number(flag('--batches') ?? 60), rounds = Number(flag('--rounds') ?? 3);
const log = (m: string) => console.error(m);

initSync();
const { dataset: ds } = loadDataset('intra', { data: flag('--data'), seed: 0 });
const dir = join(mkdtempSync(join(tmpdir(), 'ecgrad-bench-disk-')), 'intra');
const t0 = performance.now();
const written = writeDiskDataset(dir, ds);
log(`intra: ${ds.split.train.length} training beats; disk dataset ${(written.bytes / 2 ** 20).toFixed(1)} MiB in ${written.files} files, written in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
  `${model}, ${nBatches} batches a round, ${backendInfo().build} build; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const disk = openDiskDataset(dir);
const evalDs = disk.evalDataset();
const spec = modelSpec(model);
const recipe = spec.recipe;
const input = { length: ds.length, channels: ds.channels, classes: ds.classes.length, rrFeatures: 0, fs: ds.fs, seed: 0 };

/** One round: wall-clock samples/s (the trainer's) and samples per CPU second of this process (less sensitive to other processes' load). */
function round(source: 'memory' | 'disk'): { wall: number; cpu: number } {
  const data: TrainData = source === 'memory'
    ? { dataset: ds, trainRows: ds.split.train, valRows: ds.split.val }
    : { dataset: evalDs, trainRows: new Int32Array(0), valRows: evalDs.split.val, trainStream: disk.trainStream() };
  let rate = 0, seen = 0, samples = 0, cpu = 0;
  const cpu0 = process.cpuUsage();
  try {
    train({ model, input, recipe, seed: 0, checkpointEvery: 0 }, data, {
      onEvent: (e) => {
        if (e.type !== 'batch') return;
        rate = e.samplesPerSec;
        samples = Math.min(e.batch * recipe.batchSize, data.trainStream?.beats ?? data.trainRows.length);
        const c = process.cpuUsage(cpu0);
        cpu = (c.user + c.system) / 1e6;
      },
      shouldStop: () => ++seen >= nBatches,
    });
  } catch (e) {
    if (!(e instanceof TrainInterrupted)) throw e;
  }
  return { wall: rate, cpu: samples / cpu };
}

const rates: Record<'memory' | 'disk', number[]> = { memory: [], disk: [] };
const cpuRates: Record<'memory' | 'disk', number[]> = { memory: [], disk: [] };
for (let r = 0; r < rounds; r++) {
  for (const source of ['memory', 'disk'] as const) {
    const v = round(source);
    rates[source].push(v.wall);
    cpuRates[source].push(v.cpu);
    log(`round ${r + 1} ${source.padEnd(6)} ${v.wall.toFixed(0)} samples/s, ${v.cpu.toFixed(0)} samples per CPU second`);
  }
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
const result = {
  model, batches: nBatches, rounds, batchSize: recipe.batchSize, memory: median(rates.memory), disk: median(rates.disk), ratio: median(rates.disk) / median(rates.memory),
  cpuMemory: median(cpuRates.memory), cpuDisk: median(cpuRates.disk), cpuRatio: median(cpuRates.disk) / median(cpuRates.memory),
  all: rates, allCpu: cpuRates, loadAverage: loadavg(), build: backendInfo().build, diskBytes: written.bytes, trainBeats: ds.split.train.length,
};
rmSync(join(dir, '..'), { recursive: true, force: true });
if (argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
else console.log(`${model}: memory ${result.memory.toFixed(0)} samples/s, disk ${result.disk.toFixed(0)} samples/s (medians of ${rounds}); disk / memory ${result.ratio.toFixed(3)} wall, ${result.cpuRatio.toFixed(3)} per CPU second; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
