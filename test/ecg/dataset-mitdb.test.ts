// The three protocols on the real database: pinned per-class counts of every split (seed 0, default
// Kachuee windows), build time, the cache (fast reload, invalidated by options and source files).
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, copyFileSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classCounts, type BeatDataset } from '../../src/ecg/dataset/dataset.ts';
import { AAMI } from '../../src/ecg/dataset/labels.ts';
import { DS1, DS2, interValidationRecords } from '../../src/ecg/dataset/protocols.ts';
import { recordBeats } from '../../src/ecg/dataset/record-beats.ts';
import { rdann, rdrecord } from '../../src/node/wfdb-files.ts';
import { datasetCachePath, loadDataset } from '../../src/node/dataset.ts';
import { mitdbDir } from './helpers.ts';

const data = mitdbDir();
const cacheDir = mkdtempSync(join(tmpdir(), 'ecgrad-cache-'));
const counts = (ds: BeatDataset) => ({
  train: classCounts(ds, ds.split.train), val: classCounts(ds, ds.split.val), test: classCounts(ds, ds.split.test),
});

test('intra: all 109,494 beats in AAMI classes, stratified 70/10/20; `ecgrad dataset` builds it in at most 10 s (on a quiet machine), reloaded from the cache in under 2 s', () => {
  // The build is timed in a fresh process, as a user runs it: in this one, the heap that the earlier
  // test files leave behind slows it by up to half (7.0 s alone, 9.1 s after test/classic, 13.8 s in
  // the whole suite on the same machine). The cache it writes is then loaded here.
  const cli = join(import.meta.dirname, '..', '..', 'src', 'cli', 'run.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', cli, 'dataset', '--protocol', 'intra', '--data', data, '--json'], {
    env: { ...process.env, ECGRAD_CACHE: cacheDir }, encoding: 'utf8', maxBuffer: 1 << 24,
  });
  // 10 s of wall time on a quiet machine (7-9 s measured on 2 cores). The wall time also counts whatever
  // else the machine runs (11 s with a load average of 5 on 2 cores), so the bound scales with the load
  // beyond one process per core; the process's CPU time is no better a measure (V8's helper threads
  // count there: 9.8 s of CPU for a 7.9 s build).
  const built = JSON.parse(out) as { seconds: number; cpuSeconds: number; fromCache: boolean; beats: number };
  const load = loadavg()[0]! / cpus().length;
  const bound = 10 * Math.max(1, load);
  console.log(`  intra built in ${built.seconds} s (CPU ${built.cpuSeconds} s) by ecgrad dataset; bound ${bound.toFixed(1)} s at load ${load.toFixed(2)} per core`);
  assert.ok(!built.fromCache && built.beats === 109494);
  assert.ok(built.seconds <= bound, `${built.seconds} s (bound ${bound.toFixed(1)} s)`);
  const warm = loadDataset('intra', { data, cacheDir });
  console.log(`  intra from cache in ${warm.seconds} s`);
  assert.ok(warm.fromCache && warm.seconds < 2, `${warm.seconds} s`);
  const ds = warm.dataset;
  assert.equal([ds.y.length, ds.channels, ds.length, ds.fs], [109494, 1, 187, 125]);
  assert.equal(classCounts(ds), { N: 90631, S: 2781, V: 7236, F: 803, Q: 8043 });
  assert.equal(counts(ds), {
    train: { N: 63442, S: 1947, V: 5065, F: 562, Q: 5630 },
    val: { N: 9063, S: 278, V: 724, F: 80, Q: 804 },
    test: { N: 18126, S: 556, V: 1447, F: 161, Q: 1609 },
  });

  // Every row is a Kachuee beat: values in [0, 1], starting at the R peak.
  assert.ok(ds.x.every((v) => v >= 0 && v <= 1));
  assert.is(ds.records[ds.record[0]!], '100');
  assert.is(ds.sample[0], 77);
});

test('inter: de Chazal DS1 / DS2 counts (N 45,866 S 944 V 3,788 F 415 Q 8 / N 44,259 S 1,837 V 3,221 F 388 Q 7); validation = 4 DS1 records with S and V beats', () => {
  const ds = loadDataset('inter', { data, cacheDir, cache: false }).dataset;
  const c = counts(ds);
  const ds1 = Object.fromEntries(ds.classes.map((k) => [k, c.train[k]! + c.val[k]!]));
  assert.equal(ds1, { N: 45866, S: 944, V: 3788, F: 415, Q: 8 });
  assert.equal(c.test, { N: 44259, S: 1837, V: 3221, F: 388, Q: 7 });
  const names = (rows: Int32Array) => new Set(Array.from(rows, (i) => ds.records[ds.record[i]!]!));
  const val = [...names(ds.split.val)].sort();
  assert.is(val.length, 4);
  assert.equal(c.val, { N: 8592, S: 131, V: 883, F: 3, Q: 0 });
  assert.equal(c.train, { N: 37274, S: 813, V: 2905, F: 412, Q: 8 });
  assert.ok(c.val.S! >= 40 && c.val.V! >= 40 && c.val.S! <= 0.4 * ds1.S! && c.val.V! <= 0.4 * ds1.V! && c.val.F! <= 0.4 * ds1.F!);
  assert.equal(interValidationRecords(0).length, 4); // without counts: the first seeded draw
  assert.equal([...names(ds.split.val)].sort(), val);
  assert.equal([...names(ds.split.test)].sort(), DS2.slice().sort());
  assert.ok([...names(ds.split.train)].every((r) => DS1.includes(r) && !val.includes(r)));
});

test('arrhythminet: N/L/R/A/V beats, stratified 70/10/20', () => {
  const ds = loadDataset('arrhythminet', { data, cacheDir, cache: false }).dataset;
  assert.equal(counts(ds), {
    train: { N: 52536, L: 5653, R: 5081, A: 1782, V: 4991 },
    val: { N: 7505, L: 808, R: 726, A: 255, V: 713 },
    test: { N: 15011, L: 1614, R: 1452, A: 509, V: 1426 },
  });
});

test('the cache file changes with the options, the seed and the size or mtime of any source file', () => {
  const base = datasetCachePath('intra', { data, cacheDir });
  assert.is(datasetCachePath('intra', { data, cacheDir }), base);
  assert.is(datasetCachePath('intra', { data, cacheDir, window: 'kachuee', leads: 'mlii', peaks: 'reference', rrSet: 'local' }), base); // defaults spelled out
  assert.is.not(datasetCachePath('intra', { data, cacheDir, seed: 1 }), base);
  assert.is.not(datasetCachePath('intra', { data, cacheDir, leads: 'both' }), base);
  const mirror = mkdtempSync(join(tmpdir(), 'ecgrad-mirror-'));
  for (const f of readdirSync(data)) if (/^\d+\.(hea|dat|atr)$/.test(f) && f !== '100.atr') symlinkSync(join(data, f), join(mirror, f));
  copyFileSync(join(data, '100.atr'), join(mirror, '100.atr'));
  utimesSync(join(mirror, '100.atr'), new Date(0), new Date(0));
  const a = datasetCachePath('intra', { data: mirror, cacheDir });
  utimesSync(join(mirror, '100.atr'), new Date(1e12), new Date(1e12));
  assert.is.not(datasetCachePath('intra', { data: mirror, cacheDir }), a);
  rmSync(mirror, { recursive: true, force: true });
});

test('a damaged or foreign cache file is rebuilt (with a warning), never trusted or fatal', () => {
  const opts = { data, cacheDir, records: { train: ['100', '101', '103', '105', '106'], test: ['119'] } };
  const built = loadDataset('inter', opts);
  assert.ok(!built.fromCache);
  const path = built.cachePath!;
  const good = readFileSync(path);
  const warn = console.warn;
  const warned: string[] = [];
  console.warn = (m: string) => warned.push(m);
  try {
    for (const damage of [(b: Buffer) => { b[b.length >> 1]! ^= 0x10; }, (b: Buffer) => b.write('NOTECGRD', 0, 'latin1')]) {
      const bad = Buffer.from(good);
      damage(bad);
      writeFileSync(path, bad);
      const again = loadDataset('inter', opts);
      assert.ok(!again.fromCache);
      assert.equal(again.dataset.y, built.dataset.y);
      assert.ok(loadDataset('inter', opts).fromCache, 'the rebuilt file is written back');
    }
  } finally {
    console.warn = warn;
  }
  assert.is(warned.length, 2);
  assert.match(warned[0]!, /dataset file .*\.bin: checksum mismatch .*; rebuilding it/);
  assert.match(warned[1]!, /not an ecgrad dataset file/);
});

test('R-centred windows at 360 Hz on both leads, from detected peaks (records 100 and 114, whose MLII is signal 1)', () => {
  for (const name of ['100', '114']) {
    const record = rdrecord(join(data, name)), annotations = rdann(join(data, name), 'atr');
    const b = recordBeats(record, annotations, AAMI, { window: { before: 90, after: 126 }, leads: 'both', peaks: 'detected' });
    assert.equal([b.channels, b.length, b.fs, b.leads[0]], [2, 216, 360, 'MLII']);
    const ref = recordBeats(record, annotations, AAMI, { window: { before: 90, after: 126 } });
    // Detected beats take the label of the reference beat within 150 ms; nearly all are found.
    assert.ok(b.y.length >= ref.y.length - 10 && b.y.length <= ref.y.length, `${name}: ${b.y.length} of ${ref.y.length}`);
    // The window's sample 90 is the R peak: baseline-free MLII peaks stand out from the window mean.
    const row = ref.x.subarray(0, 216);
    assert.ok(Math.abs(row[90]!) > 0.3, `${name}: R amplitude ${row[90]}`);
  }
});

test.after(() => rmSync(cacheDir, { recursive: true, force: true }));
test.run();
