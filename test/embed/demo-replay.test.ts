// The demo's "learn this wearer" with a replay bank, in headless Chromium (the set-up of browser.test.ts):
// the page loads the bank served beside the model (scripts/serve-demo.mjs serves <model>.replay.safetensors
// as model.replay.safetensors), personalises record 100's annotated beats of the first 2 minutes with its
// beats, and the re-classified labels equal personalize() in Node on the same beats, bank and seed; a bank
// made for another model, picked in the page, is refused with the error on the page (the loaded one stays);
// a model the bank does not fit drops it, and the step then says it ran without replay. Skipped (with the
// reason) without /usr/bin/chromium or playwright-core.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { initSync, loadClassifier, classifyRecordBatch } from '../../src/infer/index.ts';
import { personalize } from '../../src/train/personalize.ts';
import { encodeModel, modelFromBytes } from '../../src/nn/model-file.ts';
import { Rng } from '../../src/core/random.ts';
import { encodeReplayBank, replayBeatsOf, type ReplayBank } from '../../src/train/replay-bank.ts';
import { mitdbDir, mlii, readMitdb, smallModelBytes } from './helpers.ts';
import { projectRoot } from '../ecg/helpers.ts';

const CHROMIUM = process.env.ECGRAD_CHROMIUM ?? '/usr/bin/chromium';
/** Few steps and minutes keep the test short (the page's defaults are the documented 100 steps, 5 minutes). */
const STEPS = 5, MINUTES = 2;
const CLASSES = ['N', 'S', 'V', 'F', 'Q'];

// biome-ignore lint/suspicious/noExplicitAny: playwright-core's own types are not needed to typecheck the suite
type Playwright = { chromium: { launch(opts: Record<string, unknown>): Promise<any> } };
const PLAYWRIGHT = 'playwright-core';
const api = (m: unknown): Playwright => ((m as Playwright).chromium ? m : (m as { default: Playwright }).default) as Playwright;
async function playwright(): Promise<Playwright | null> {
  try {
    return api(await import(PLAYWRIGHT));
  } catch {
    const prefix = process.env.ECGRAD_PLAYWRIGHT_PREFIX;
    if (!prefix) return null;
    const req = createRequire(join(prefix, 'package.json'));
    return api(await import(pathToFileURL(req.resolve(PLAYWRIGHT)).href));
  }
}

/** The test model with the protocol a bank is matched against. */
function modelOf(protocol: string): Uint8Array {
  const { model, header } = modelFromBytes(smallModelBytes(), 'test model');
  return encodeModel(model, { arch: header.arch, config: header.config, meta: { ...header.meta, protocol } });
}

/** A bank of seeded beats (12 per class) for the test model: 1 x 187 windows, 6 beat features. */
function bankOf(protocol: string): ReplayBank {
  const rng = new Rng(3), n = 60;
  return {
    beats: {
      x: Float32Array.from({ length: n * 187 }, () => 0.3 * rng.normal()),
      rr: Float32Array.from({ length: n * 6 }, () => 0.5 + rng.uniform()),
      y: Int32Array.from({ length: n }, (_, i) => i % 5),
    },
    meta: {
      protocol, classes: CLASSES, window: 'kachuee', rrSet: 'local', leads: 'mlii', records: null, rrFeatures: ['pre', 'post', 'local', 'avg', 'ratio1', 'ratio2'],
      channels: 1, length: 187, seed: 0, count: n, minPerClass: 12,
    },
  };
}

const pw = await playwright();
const why = !existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get install chromium)` : !pw ? 'playwright-core is not installed (npm install; or set ECGRAD_PLAYWRIGHT_PREFIX)' : null;

if (why) {
  console.log(`  demo replay test skipped: ${why}`);
} else {
  let server: ChildProcess | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-demo-replay-'));
  const stop = () => {
    if (server && server.exitCode === null) server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  async function serve(modelFile: string): Promise<string> {
    server = spawn(process.execPath, [join(projectRoot, 'scripts', 'serve-demo.mjs'), '--port', '0', '--model', modelFile], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    return await new Promise((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error(`the demo server did not start within 15 min: ${out}`)), 900_000);
      server!.stdout!.on('data', (d) => {
        out += d;
        const m = /demo: (http:\/\/127\.0\.0\.1:\d+\/).*replay bank/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
      server!.on('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`the demo server exited (${code}): ${out}`));
      });
    });
  }

  test('demo in headless Chromium: learn this wearer with the served replay bank equals personalize() in Node; a mismatched bank is refused on the page; without a bank it says so', async () => {
    initSync();
    const bytes = modelOf('intra'), bank = bankOf('intra');
    writeFileSync(join(dir, 'model.ecgm'), bytes);
    writeFileSync(join(dir, 'model.replay.safetensors'), encodeReplayBank(bank));
    writeFileSync(join(dir, 'inter.replay.safetensors'), encodeReplayBank(bankOf('inter')));
    writeFileSync(join(dir, 'inter.ecgm'), modelOf('inter'));
    let url: string;
    try {
      url = await serve(join(dir, 'model.ecgm'));
    } catch (e) {
      stop();
      throw e;
    }
    const browser = await pw!.chromium
      .launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
      .catch((e: unknown) => {
        stop();
        throw e;
      });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (e: Error) => pageErrors.push(e.message));
      await page.goto(url);
      await page.waitForSelector('#replay[data-count="60"]', { timeout: 60_000 });
      assert.match((await page.textContent('#replay'))!, /replay bank served replay bank: 60 beats of the intra training split \(N 12, S 12, V 12, F 12, Q 12\), seed 0/);

      const data = mitdbDir();
      const classifyRecord = async () => {
        await page.setInputFiles('#record-files', []); // the same files again fire no change event otherwise
        await page.setInputFiles('#record-files', [join(data, '100.hea'), join(data, '100.dat'), join(data, '100.atr')]);
        await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 180_000 });
        assert.is(await page.getAttribute('#status', 'data-state'), 'done', `record 100: ${await page.textContent('#status')} ${await page.textContent('#error')}`);
      };
      const learn = async () => {
        await page.fill('#learn-minutes', String(MINUTES));
        await page.fill('#learn-steps', String(STEPS));
        await page.click('#learn');
        await page.waitForSelector('#status[data-state="learned"]', { timeout: 120_000 });
        return JSON.parse((await page.textContent('#learn-result'))!);
      };
      await classifyRecord();
      const learned = await learn();
      assert.equal(learned.replay, { name: 'served replay bank', protocol: 'intra', count: 60, counts: { N: 12, S: 12, V: 12, F: 12, Q: 12 }, seed: 0 });
      assert.is(learned.options.replayBeats, 60);
      assert.match((await page.textContent('#learn-text'))!, /with replay: 16 per step of the 60 beats of served replay bank/);

      // personalize() in Node on the same beats (the batch pipeline's windows and RR features), bank and seed.
      const rec = readMitdb('100');
      const node = classifyRecordBatch(loadClassifier(bytes), mlii(rec), rec.fs);
      const index = new Map(Array.from(node.sample, (s, i) => [s, i]));
      const rows = (learned.learnSamples as number[]).map((s) => index.get(s)!);
      assert.ok(rows.every((i) => i !== undefined), 'the page learned from beats the Node pipeline finds');
      const L = 187, R = 6;
      const gather = (idx: number[]) => ({
        x: Float32Array.from(idx.flatMap((i) => Array.from(node.x.subarray(i * L, (i + 1) * L)))),
        rr: Float32Array.from(idx.flatMap((i) => Array.from(node.rr.subarray(i * 6, i * 6 + R)))),
      });
      const p = personalize(bytes, { ...gather(rows), y: Int32Array.from(learned.learnLabels as number[]) }, { seed: 0, steps: STEPS, replay: replayBeatsOf(bank, R) });
      assert.is(p.report.replayBeats, 60);
      const restIdx = [...Array(node.sample.length - learned.from).keys()].map((k) => learned.from + k);
      const mine = loadClassifier(p.bytes).classify(gather(restIdx).x, gather(restIdx).rr).pred;
      assert.equal(learned.classes, Array.from(mine), 'personalised labels (with replay) equal personalize() in Node');

      // A bank made for another model is refused, naming the file and the mismatch; the loaded one stays.
      await page.setInputFiles('#replay-file', join(dir, 'inter.replay.safetensors'));
      await page.waitForSelector('#status[data-state="error"]', { timeout: 60_000 });
      assert.match((await page.textContent('#error'))!, /^Replay bank: replay bank inter\.replay\.safetensors: does not match the model: the bank's protocol is "inter", the model's is "intra"/);
      assert.is(await page.getAttribute('#replay', 'data-count'), '60');
      writeFileSync(join(dir, 'junk.safetensors'), new Uint8Array(40));
      await page.setInputFiles('#replay-file', join(dir, 'junk.safetensors'));
      await page.waitForFunction(() => /junk\.safetensors: is not a readable safetensors file/.test(document.getElementById('error')!.textContent!), null, { timeout: 60_000 });

      // A model the bank does not fit drops it; the step then runs, and says it ran, without replay.
      await page.setInputFiles('#model-file', join(dir, 'inter.ecgm'));
      await page.waitForSelector('#replay[data-count="0"]', { timeout: 60_000 });
      assert.match((await page.textContent('#replay'))!, /no replay bank: learns without replay \(replay bank served replay bank: does not match the model: the bank's protocol is "intra", the model's is "inter"/);
      await classifyRecord();
      const plain = await learn();
      assert.is(plain.replay, null);
      assert.is(plain.options.replayBeats, 0);
      assert.match((await page.textContent('#learn-text'))!, /without replay \(no replay bank loaded\)/);
      assert.equal(pageErrors, [], 'no uncaught page errors');
      console.log(`  learn this wearer with a replay bank in Chromium: ${rows.length} beats + 60 replay beats, ${STEPS} steps, personalize() ${learned.seconds.toFixed(1)} s in the page`);
    } finally {
      await browser.close();
      stop();
    }
  });
}

test.run();
