// End-to-end test of the demo in a real browser: serves demo/ on 127.0.0.1 (scripts/serve-demo.mjs with a
// model file written here), drives Debian's Chromium headless through playwright-core, loads MIT-BIH
// record 100 (with its annotations) through the page's file picker, waits for the classified beats and
// checks them against the Node pipeline (classifyRecordBatch) on the same model; then "learn this wearer"
// (personalised in the worker with a progress bar; the re-classified beats after minute 5 equal
// personalize() in Node on the same beats and seed), bad inputs, an attribution, the scalar build and a
// screenshot (ECGRAD_DEMO_SCREENSHOT=docs/demo.png). Skipped (with the reason) without /usr/bin/chromium or playwright-core.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { initSync, loadClassifier, classifyRecordBatch, parseAnnotations } from '../../src/infer/index.ts';
import { personalize } from '../../src/train/personalize.ts';
import { AAMI } from '../../src/ecg/dataset/labels.ts';
import { mitdbDir, mlii, readMitdb, smallModelBytes } from './helpers.ts';
import { projectRoot } from '../ecg/helpers.ts';

const CHROMIUM = process.env.ECGRAD_CHROMIUM ?? '/usr/bin/chromium';
/** Steps of the test's "learn this wearer" (the page's default is the documented 100; fewer keep the test short). */
const LEARN_STEPS = Number(process.env.ECGRAD_DEMO_LEARN_STEPS ?? 20);
/** A float .ecgm to serve instead of the random-weight test model (to measure the step with a trained one). */
const MODEL = process.env.ECGRAD_DEMO_MODEL;

// The part of playwright-core's API used here (its own types are not needed to typecheck the suite).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Playwright = { chromium: { launch(opts: Record<string, unknown>): Promise<any> } };
const PLAYWRIGHT = 'playwright-core';
// A CommonJS package imported dynamically: its API may sit on the namespace or on its default export.
const api = (m: unknown): Playwright => ((m as Playwright).chromium ? m : (m as { default: Playwright }).default) as Playwright;

async function playwright(): Promise<Playwright | null> {
  try {
    return api(await import(PLAYWRIGHT));
  } catch {
    // A private install (npm install --no-save --prefix DIR playwright-core): ECGRAD_PLAYWRIGHT_PREFIX=DIR.
    const prefix = process.env.ECGRAD_PLAYWRIGHT_PREFIX;
    if (!prefix) return null;
    const req = createRequire(join(prefix, 'package.json'));
    return api(await import(pathToFileURL(req.resolve(PLAYWRIGHT)).href));
  }
}

const pw = await playwright();
const why = !existsSync(CHROMIUM)
  ? `${CHROMIUM} not found (apt-get install chromium)`
  : !pw
    ? 'playwright-core is not installed (npm install; or set ECGRAD_PLAYWRIGHT_PREFIX)'
    : null;

if (why) {
  // No test is registered (uvu's skipped tests upset scripts/run-tests.mjs's failure count).
  console.log(`  browser test skipped: ${why}`);
} else {
  let server: ChildProcess | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'ecgrad-browser-'));
  const stop = () => {
    if (server && server.exitCode === null) server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };

  async function serve(modelFile: string): Promise<string> {
    server = spawn(process.execPath, [join(projectRoot, 'scripts', 'serve-demo.mjs'), '--port', '0', '--model', modelFile], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    return await new Promise((resolve, reject) => {
      let out = '';
      // The server first recompiles the kernels when assembly/ changed (build-wasm --if-stale): minutes on a loaded machine.
      const t = setTimeout(() => reject(new Error(`the demo server did not start within 15 min: ${out}`)), 900_000);
      server!.stdout!.on('data', (d) => {
        out += d;
        const m = /demo: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
      server!.on('exit', (code) => {
        clearTimeout(t); // a pending timer would keep this process alive
        reject(new Error(`the demo server exited (${code}): ${out}`));
      });
    });
  }

  test('demo in headless Chromium: record 100 equals the Node pipeline; learn this wearer equals personalize() in Node; bad inputs; attribution; scalar build', async () => {
    const bytes = MODEL ? new Uint8Array(readFileSync(MODEL)) : smallModelBytes();
    initSync();
    const modelFile = join(dir, 'model.ecgm');
    writeFileSync(modelFile, bytes);
    let url: string;
    try {
      url = await serve(modelFile);
    } catch (e) {
      stop(); // a server left running would keep this process alive
      throw e;
    }
    const browser = await pw!.chromium
      .launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      })
      .catch((e: unknown) => {
        stop();
        throw e;
      });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (e: Error) => pageErrors.push(e.message));
      await page.goto(url);
      await page.waitForSelector('#model[data-classes]', { timeout: 60_000 });
      await page.waitForFunction(() => document.getElementById('model')!.textContent!.startsWith('served model'), null, { timeout: 60_000 });
      const build = await page.getAttribute('#backend', 'data-build');
      assert.is(build, 'simd');

      // Record 100 through the file picker, with its reference annotations.
      const data = mitdbDir();
      assert.ok(await page.isDisabled('#learn'), 'learn this wearer waits for a record');
      await page.setInputFiles('#record-files', [join(data, '100.hea'), join(data, '100.dat'), join(data, '100.atr')]);
      await page.waitForSelector('#status[data-state="done"]', { timeout: 180_000 });
      const got = JSON.parse((await page.textContent('#result'))!);
      const rec = readMitdb('100');
      const node = classifyRecordBatch(loadClassifier(bytes), mlii(rec), rec.fs);
      assert.is(got.beats, node.sample.length, 'beat count');
      assert.equal(got.samples, Array.from(node.sample), 'R peak positions');
      let differ = 0;
      for (let i = 0; i < node.pred.length; i++) if (got.classes[i] !== node.pred[i]) differ++;
      assert.is(differ, 0, 'classes equal the Node pipeline');
      const counts: Record<string, number> = {};
      for (const c of ['N', 'S', 'V', 'F', 'Q']) counts[c] = 0;
      for (const p of node.pred) counts[['N', 'S', 'V', 'F', 'Q'][p]!]!++;
      assert.equal(got.counts, counts);

      // Learn this wearer: the annotated beats of the first 5 minutes, personalised in the worker.
      assert.is(await page.inputValue('#learn-minutes'), '5', 'default minutes');
      assert.is(await page.inputValue('#learn-steps'), '100', 'default steps (docs/personalize.md)');
      assert.not.ok(await page.isDisabled('#learn'), `learn enabled: ${await page.textContent('#learn-why')}`);
      // A cut past the record's end is refused before any training.
      await page.fill('#learn-minutes', '40');
      await page.click('#learn');
      await page.waitForSelector('#status[data-state="error"]', { timeout: 60_000 });
      assert.match((await page.textContent('#error'))!, /Learn this wearer: no beat after minute 40/);
      await page.fill('#learn-minutes', '5');
      await page.fill('#learn-steps', String(LEARN_STEPS));
      const seen: number[] = [];
      await page.exposeFunction('reportProgress', (v: number) => void seen.push(v));
      await page.evaluate(() => {
        const bar = document.getElementById('learn-progress') as HTMLProgressElement;
        new MutationObserver(() => (window as unknown as { reportProgress(v: number): void }).reportProgress(bar.value)).observe(bar, { attributes: true });
      });
      const t0 = Date.now();
      await page.click('#learn');
      await page.waitForSelector('#status[data-state="learned"]', { timeout: 120_000 });
      const learnMs = Date.now() - t0;
      assert.is(await page.evaluate(() => (document.getElementById('learn-progress') as HTMLProgressElement).value), 100, 'progress bar at 100%');
      assert.ok(seen.some((v) => v > 0 && v < 100), `the bar moved through intermediate values: ${[...new Set(seen)].slice(0, 8).join(', ')}`);
      const learned = JSON.parse((await page.textContent('#learn-result'))!);
      // The page's labels: each detected beat the nearest AAMI-class annotation within 150 ms (computed here independently).
      const ann = parseAnnotations(new Uint8Array(readFileSync(join(data, '100.atr'))), '100.atr', '100', 'atr', { fs: rec.fs });
      const label = Array.from(node.sample, (s) => {
        let best = -1, d = Infinity;
        for (let k = 0; k < ann.sample.length; k++) {
          const dk = Math.abs(ann.sample[k]! - s);
          if (dk <= 0.15 * rec.fs && dk < d && AAMI.classOf(ann.symbol[k]!) >= 0) [best, d] = [AAMI.classOf(ann.symbol[k]!), dk];
        }
        return best;
      });
      const from = node.sample.findIndex((s) => s >= 5 * 60 * rec.fs);
      assert.is(learned.from, from, 'the cut at minute 5');
      const rows = [...Array(from).keys()].filter((i) => label[i]! >= 0);
      assert.equal(learned.learnSamples, rows.map((i) => node.sample[i]!), 'beats learned from');
      assert.equal(learned.learnLabels, rows.map((i) => label[i]!), 'their labels');
      assert.is(learned.steps, LEARN_STEPS);
      // personalize() in Node on the same beats (the batch pipeline's windows and RR features) and seed.
      const { info } = loadClassifier(bytes), L = info.length * info.channels, R = info.rrFeatures;
      const gather = (idx: number[]) => ({
        x: Float32Array.from(idx.flatMap((i) => Array.from(node.x.subarray(i * L, (i + 1) * L)))),
        rr: Float32Array.from(idx.flatMap((i) => Array.from(node.rr.subarray(i * 6, i * 6 + R)))),
      });
      const p = personalize(bytes, { ...gather(rows), y: Int32Array.from(rows, (i) => label[i]!) }, { seed: 0, steps: LEARN_STEPS });
      const restIdx = [...Array(node.sample.length - from).keys()].map((k) => from + k);
      const rest = gather(restIdx);
      const mine = loadClassifier(p.bytes).classify(rest.x, R ? rest.rr : null).pred;
      assert.equal(learned.classes, Array.from(mine), 'personalised labels equal personalize() in Node');
      let changed = 0, agreeBefore = 0, agreeAfter = 0, scored = 0;
      restIdx.forEach((i, k) => {
        if (mine[k] !== node.pred[i]) changed++;
        if (label[i]! < 0) return;
        scored++;
        if (label[i] === node.pred[i]) agreeBefore++;
        if (label[i] === mine[k]) agreeAfter++;
      });
      assert.is(learned.changed, changed, 'labels changed');
      assert.equal([learned.before.beats, learned.before.agree, learned.after.beats, learned.after.agree], [scored, agreeBefore, scored, agreeAfter], 'agreement before / after');
      const table = (await page.textContent('#learn-figures'))!;
      assert.match(table, /personalised/);
      assert.match(table, /S Se.*V \+P/);
      assert.ok(await page.isVisible('#learn-download'), 'the personalised model can be downloaded');
      const shown = JSON.parse((await page.textContent('#result'))!);
      assert.is(shown.beats, node.sample.length);
      // A beat after the cut is explained with the personalised copy (its label).
      await page.$eval('#scroll', (el: HTMLInputElement) => {
        el.value = '400';
        el.dispatchEvent(new Event('input'));
      });
      const late = node.sample.findIndex((s) => s > 402 * rec.fs);
      const ecgBox = (await page.locator('#ecg').boundingBox())!;
      await page.mouse.click(ecgBox.x + ((node.sample[late]! - 400 * rec.fs) / (10 * rec.fs)) * ecgBox.width, ecgBox.y + ecgBox.height / 2);
      await page.waitForSelector('#status[data-state="explained"]', { timeout: 60_000 });
      const title = (await page.textContent('#beat-title'))!;
      assert.is(title, `#${late}: predicted ${['N', 'S', 'V', 'F', 'Q'][mine[late - from]!]} (personalised)`);
      await page.$eval('#scroll', (el: HTMLInputElement) => {
        el.value = '0';
        el.dispatchEvent(new Event('input'));
      });
      console.log(`  learn this wearer in Chromium: ${rows.length} beats, ${LEARN_STEPS} steps, ${(learnMs / 1000).toFixed(1)} s (personalize() ${learned.seconds.toFixed(1)} s); ${changed} labels changed; agreement ${agreeBefore} -> ${agreeAfter} of ${scored}; S, V (tp/support/predicted) ${JSON.stringify(learned.before.perClass)} -> ${JSON.stringify(learned.after.perClass)}`);

      // Click a beat: an attribution over the waveform.
      const box = (await page.locator('#ecg').boundingBox())!;
      const first = node.sample.findIndex((s) => s > 2 * rec.fs);
      const xFrac = node.sample[first]! / (10 * rec.fs);
      await page.mouse.click(box.x + xFrac * box.width, box.y + box.height / 2);
      await page.waitForSelector('#status[data-state="explained"]', { timeout: 60_000 });
      // ECGRAD_DEMO_SCREENSHOT=docs/demo.png keeps the screenshot (the README's figure).
      await page.screenshot({ path: process.env.ECGRAD_DEMO_SCREENSHOT ?? join(dir, 'demo.png') });

      // Bad inputs give a message, and the page keeps working.
      const expectError = async (pattern: RegExp) => {
        await page.waitForSelector('#status[data-state="error"]', { timeout: 60_000 });
        const text = (await page.textContent('#error'))!;
        assert.ok(pattern.test(text), `error message "${text}" should match ${pattern}`);
      };
      writeFileSync(join(dir, 'two-lead.ecgm'), smallModelBytes({ channels: 2 }));
      await page.setInputFiles('#model-file', join(dir, 'two-lead.ecgm'));
      await expectError(/Model: two-lead\.ecgm takes 2 leads/);
      writeFileSync(join(dir, 'cut.ecgm'), bytes.slice(0, 100));
      await page.setInputFiles('#model-file', join(dir, 'cut.ecgm'));
      await expectError(/Model: model file cut\.ecgm: truncated/);
      writeFileSync(join(dir, 'bad.hea'), 'this is not a header\n');
      await page.setInputFiles('#record-files', join(dir, 'bad.hea'));
      await expectError(/Record: /);
      await page.setInputFiles('#record-files', join(data, '100.hea'));
      await expectError(/Record: .*100\.dat.*pick it too/);
      writeFileSync(join(dir, 'slow.hea'), 'slow 1 50 1000\nslow.dat 16 200 16 0 0 0 0 MLII\n');
      writeFileSync(join(dir, 'slow.dat'), new Uint8Array(2000));
      await page.setInputFiles('#record-files', [join(dir, 'slow.hea'), join(dir, 'slow.dat')]);
      await expectError(/50 Hz.*at least 60 Hz/);
      await page.click('#synthetic');
      await page.waitForSelector('#status[data-state="done"]', { timeout: 60_000 });
      const synthSimd = JSON.parse((await page.textContent('#result'))!);
      assert.ok(synthSimd.beats > 60, `synthetic beats ${synthSimd.beats}`);
      // Without annotations the control says why it is disabled.
      assert.ok(await page.isDisabled('#learn'));
      assert.match((await page.textContent('#learn-why'))!, /synthetic signal has no annotations/);

      // An int8 model file (.ecgq, ecgrad quantize) picked in the page classifies and explains too.
      await page.setInputFiles('#model-file', join(projectRoot, 'models', 'ft-cnn-intra-rr.ecgq'));
      await page.waitForFunction(() => document.getElementById('model')!.textContent!.startsWith('ft-cnn-intra-rr.ecgq: ft-cnn'), null, { timeout: 60_000 });
      await page.click('#synthetic');
      await page.waitForSelector('#status[data-state="done"]', { timeout: 60_000 });
      const synthInt8 = JSON.parse((await page.textContent('#result'))!);
      assert.match((await page.textContent('#learn-why'))!, /int8-quantised \(\.ecgq\), which cannot be trained/);
      assert.equal(synthInt8.samples, synthSimd.samples, 'same beats with the int8 model');
      await page.mouse.click(box.x + 0.3 * box.width, box.y + box.height / 2);
      await page.waitForSelector('#status[data-state="explained"]', { timeout: 60_000 });

      // The scalar build (as when SIMD is unavailable) gives the same beats.
      await page.goto(`${url}?build=scalar`);
      await page.waitForFunction(() => document.getElementById('model')!.textContent!.startsWith('served model'), null, { timeout: 60_000 });
      assert.is(await page.getAttribute('#backend', 'data-build'), 'scalar');
      await page.click('#synthetic');
      await page.waitForSelector('#status[data-state="done"]', { timeout: 60_000 });
      const synthScalar = JSON.parse((await page.textContent('#result'))!);
      assert.equal(synthScalar.samples, synthSimd.samples);
      assert.equal(synthScalar.counts, synthSimd.counts);
      assert.equal(pageErrors, [], 'no uncaught page errors');
    } finally {
      await browser.close();
      stop();
    }
  });
}

test.run();
