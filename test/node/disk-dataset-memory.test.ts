// Out-of-core training with bounded memory: a synthetic dataset on disk four times larger than a memory
// cap (counted above the child process's resident memory before training) trains for an epoch in a
// child process whose resident memory, sampled after every batch, stays below the cap.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../ecg/helpers.ts';
import { writeSyntheticDisk } from './disk-dataset-helpers.ts';

const MiB = 2 ** 20;
const CAP = 80 * MiB;

test('an epoch from a disk dataset 4x the memory cap: resident memory stays under the cap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-disk-memory-'));
  try {
    // 82,000 training beats of 1 x 1024 samples (4 KiB each), 256 beats per chunk.
    const bytes = writeSyntheticDisk(dir, { train: 82_000, val: 512, test: 512 }, 1024, 256);
    assert.ok(bytes > 4 * CAP, `the dataset (${(bytes / MiB).toFixed(0)} MiB) is not 4x the cap`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/node/disk-dataset-memory-child.ts'), dir], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('DISK_MEMORY '));
    assert.ok(line, `child failed: ${r.stderr.slice(0, 3000)}`);
    const m = JSON.parse(line!.slice('DISK_MEMORY '.length)) as { baseline: number; peak: number; beats: number; batches: number; epochs: number };
    assert.equal([m.beats, m.batches, m.epochs], [82_000, Math.ceil(82_000 / 256), 1]);
    const above = m.peak - m.baseline;
    console.log(`  dataset ${(bytes / MiB).toFixed(0)} MiB; resident memory ${(m.baseline / MiB).toFixed(0)} MiB before training, at most ${(above / MiB).toFixed(1)} MiB above it during the epoch (cap ${CAP / MiB} MiB)`);
    assert.ok(above < CAP, `resident memory grew by ${(above / MiB).toFixed(1)} MiB, over the ${CAP / MiB} MiB cap`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
