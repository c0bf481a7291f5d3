// The demo page: sends files to the worker and draws what comes back. It never computes anything heavy
// itself. ?build=scalar (or simd) forces a kernel build.
import type { FromWorker, Learned, ModelSummary, ReplaySummary, ToWorker } from './protocol.ts';
import type { ClassCounts, Figures } from './learn.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusEl = $('status'), errorEl = $('error'), notesEl = $('notes');
const ecg = $<HTMLCanvasElement>('ecg'), beatCanvas = $<HTMLCanvasElement>('beat');
const scroll = $<HTMLInputElement>('scroll');
const PALETTE = ['#2b8a3e', '#e8590c', '#c92a2a', '#5f3dc4', '#1971c2', '#f08c00', '#0c8599', '#862e9c', '#495057', '#a61e4d', '#364fc7', '#2f9e44', '#e67700', '#5c940d', '#d9480f', '#1864ab'];
const VIEW_SECONDS = 10;

let model: ModelSummary | null = null;
let rec: Extract<FromWorker, { type: 'record' }> | null = null;
/** The loaded model's classes of the record's beats (rec.cls shows the personalised ones after learning). */
let globalCls: Int32Array | null = null;
let downloadUrl = '';
const learnButton = $<HTMLButtonElement>('learn'), learnBar = $<HTMLProgressElement>('learn-progress');
let selected = -1;
let busyTimer = 0;

const worker = new Worker('./worker.js', { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

function setStatus(text: string, state: string): void {
  statusEl.textContent = text;
  statusEl.dataset.state = state;
}
function showError(text: string): void {
  errorEl.textContent = text;
  errorEl.style.display = text ? 'block' : 'none';
}
/** The "learn this wearer" control: enabled with no reason, disabled showing why. */
function learnState(why: string | null): void {
  learnButton.disabled = why !== null;
  const el = $('learn-why');
  el.textContent = why === null ? '' : `Unavailable: ${why}.`;
  el.dataset.reason = why ?? '';
}
function resetLearn(): void {
  learnBar.value = 0;
  $('learn-text').textContent = '';
  $('learn-figures').innerHTML = '';
  $('learn-result').textContent = '';
  const a = $<HTMLAnchorElement>('learn-download');
  a.hidden = true;
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = '';
}

/** The replay bank line of the learn box (data-count: the bank's beats, 0 without one). */
function showReplay(r: ReplaySummary | null, note = ''): void {
  const el = $('replay');
  el.textContent = r
    ? `replay bank ${r.name}: ${r.count} beats of the ${r.protocol} training split (${Object.entries(r.counts).map(([c, n]) => `${c} ${n}`).join(', ')}), seed ${r.seed}`
    : `no replay bank: learns without replay${note ? ` (${note})` : ''}`;
  el.dataset.count = String(r ? r.count : 0);
}

function busy(text: string): void {
  showError('');
  setStatus(text, 'busy');
  clearTimeout(busyTimer);
  busyTimer = window.setTimeout(() => {
    if (statusEl.dataset.state === 'busy') setStatus(`${text} (still working…)`, 'busy');
  }, 5000);
}

worker.onerror = (e) => {
  showError(`The worker failed: ${e.message || 'it could not start (is WebAssembly available?)'}`);
  setStatus('Error.', 'error');
};
worker.onmessageerror = () => showError('A message from the worker could not be read.');

worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  const m = ev.data;
  if (m.type === 'ready') {
    $('backend').textContent = `Kernels: ${m.build} build${m.simdSupported ? '' : ' (WebAssembly SIMD unavailable)'}${m.fallbackReason ? ` — ${m.fallbackReason}` : ''}`;
    $('backend').dataset.build = m.build;
    // A model served beside the page (npm run demo -- --model file.ecgm) replaces the built-in one.
    fetch('./model.ecgm').then(async (r) => {
      if (r.ok) {
        busy('Loading the served model…');
        send({ type: 'model', bytes: await r.arrayBuffer(), name: 'served model' });
        // Its replay bank, when served beside it (npm run demo -- --model f.ecgm --replay f.replay.safetensors).
        const b = await fetch('./model.replay.safetensors').catch(() => null);
        if (b?.ok) send({ type: 'replay', bytes: await b.arrayBuffer(), name: 'served replay bank' });
      } else setStatus('Ready. Load a record.', 'ready');
    }, () => setStatus('Ready. Load a record.', 'ready'));
  } else if (m.type === 'model') {
    model = m.model;
    rec = null;
    globalCls = null;
    selected = -1;
    resetLearn();
    learnState('classify a record (with its .atr annotations) first');
    $('model').textContent = `${m.model.name}: ${m.model.arch}, ${m.model.length} samples at ${m.model.fs} Hz${m.model.rrFeatures ? ' + RR features' : ''}, classes ${m.model.classes.join(' ')} (${m.model.parameters} parameters)${m.note ? ` — ${m.note}` : ''}`;
    $('model').dataset.classes = m.model.classes.join(',');
    $('legend').innerHTML = m.model.classes.map((c, i) => `<span><i style="background:${PALETTE[i % PALETTE.length]}"></i>${escapeHtml(c)}</span>`).join('');
    setStatus('Model ready. Load a record.', 'ready');
    draw();
  } else if (m.type === 'progress') {
    setStatus(`Classifying… ${Math.round((100 * m.done) / m.total)}%`, 'busy');
  } else if (m.type === 'record') {
    rec = m;
    globalCls = m.cls.slice();
    selected = -1;
    resetLearn();
    learnState(m.learnBlocked);
    const seconds = m.signal.length / m.fs;
    scroll.max = String(Math.max(0, Math.floor(seconds - VIEW_SECONDS)));
    scroll.value = '0';
    notesEl.textContent = m.notes.join('; ');
    $('counts').innerHTML = `<tr><th>class</th>${Object.keys(m.counts).map((c) => `<th>${escapeHtml(c)}</th>`).join('')}<th>total</th></tr>` +
      `<tr><td>beats</td>${Object.values(m.counts).map((n) => `<td>${n}</td>`).join('')}<td>${m.sample.length}</td></tr>`;
    $('latency').textContent = `compute per beat: p50 ${m.msPerBeat.p50.toFixed(2)} ms, p99 ${m.msPerBeat.p99.toFixed(2)} ms`;
    const result = $('result');
    result.textContent = JSON.stringify({ record: m.name, fs: m.fs, beats: m.sample.length, counts: m.counts, samples: Array.from(m.sample), classes: Array.from(m.cls) });
    setStatus(`${m.name}: ${m.sample.length} beats in ${seconds.toFixed(0)} s of ${m.lead} at ${m.fs} Hz. Click a beat to see why.`, 'done');
    draw();
  } else if (m.type === 'learn-progress') {
    learnBar.value = (100 * m.step) / m.steps;
    $('learn-text').textContent = `step ${m.step} / ${m.steps}, loss ${m.loss.toFixed(3)}`;
    setStatus(`Learning this wearer… ${Math.round((100 * m.step) / m.steps)}%`, 'busy');
  } else if (m.type === 'replay') {
    showReplay(m.replay, m.note);
  } else if (m.type === 'learned') {
    showLearned(m);
  } else if (m.type === 'explain') {
    setStatus(`Beat ${m.index}: ${m.label} (${m.method === 'ig' ? 'Integrated Gradients' : 'Grad-CAM'}).`, 'explained');
    $('beat-title').textContent = `#${m.index}: predicted ${m.label}`;
    drawBeat(m.window, m.values, PALETTE[m.cls % PALETTE.length]!);
  } else if (m.type === 'error') {
    showError(`${({ model: 'Model', record: 'Record', synthetic: 'Synthetic signal', explain: 'Attribution', learn: 'Learn this wearer', replay: 'Replay bank', init: 'Start-up' } as Record<string, string>)[m.stage] ?? m.stage}: ${m.message}`);
    setStatus('Error (see above).', 'error');
    if (m.stage === 'learn') learnState(null);
  }
};

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}% (${a}/${b})` : '—');
const seP = (c: ClassCounts | undefined) => (c ? `<td>${pct(c.tp, c.support)}</td><td>${pct(c.tp, c.predicted)}</td>` : '<td>—</td><td>—</td>');

function showLearned(m: Learned): void {
  if (!rec || !globalCls || !model) return;
  rec.cls.set(globalCls);
  rec.cls.set(m.cls, m.from);
  const rows = (name: string, f: Figures, changed: string) =>
    `<tr><td style="text-align:left">${name}</td><td>${f.beats}</td><td>${pct(f.agree, f.beats)}</td>${seP(f.perClass.S)}${seP(f.perClass.V)}<td>${changed}</td></tr>`;
  $('learn-figures').innerHTML =
    `<tr><th></th><th colspan="6" style="text-align:left">beats after minute ${m.minutes} (${rec.sample.length - m.from}), against the annotations</th></tr>` +
    '<tr><th>model</th><th>annotated</th><th>agreement</th><th>S Se</th><th>S +P</th><th>V Se</th><th>V +P</th><th>labels changed</th></tr>' +
    rows('global', m.before, '') + rows('personalised', m.after, String(m.changed));
  const counts = Object.entries(m.counts).map(([c, n]) => `${c} ${n}`).join(', ');
  $('learn-text').textContent = `learned from ${m.learnLabels.length} beats (${counts}${m.absentClasses.length ? `; kept from the global model: ${m.absentClasses.join(' ')}` : ''}), ${m.steps} steps in ${m.seconds.toFixed(1)} s, loss ${m.lossFirst.toFixed(3)} → ${m.lossLast.toFixed(3)}, ${m.replay ? `with replay: ${String(m.options.replayBatch)} per step of the ${m.replay.count} beats of ${m.replay.name}` : 'without replay (no replay bank loaded)'}`;
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([m.bytes], { type: 'application/octet-stream' }));
  const a = $<HTMLAnchorElement>('learn-download');
  a.href = downloadUrl;
  a.download = `${rec.name.replace(/[^\w.-]+/g, '_')}-personalised.ecgm`;
  a.hidden = false;
  $('learn-result').textContent = JSON.stringify({
    minutes: m.minutes, from: m.from, learnSamples: Array.from(m.learnSamples), learnLabels: Array.from(m.learnLabels),
    classes: Array.from(m.cls), before: m.before, after: m.after, changed: m.changed, steps: m.steps, seconds: m.seconds, options: m.options, replay: m.replay,
  });
  learnBar.value = 100;
  learnState(null);
  setStatus(`${rec.name}: personalised on the first ${m.minutes} min; ${m.changed} of the ${rec.sample.length - m.from} beats after it changed label.`, 'learned');
  draw();
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function draw(): void {
  const ctx = ecg.getContext('2d')!;
  const W = ecg.width, H = ecg.height;
  ctx.clearRect(0, 0, W, H);
  if (!rec) return;
  const fs = rec.fs, x = rec.signal;
  const start = Math.round(Number(scroll.value) * fs), end = Math.min(x.length, start + VIEW_SECONDS * fs);
  let lo = Infinity, hi = -Infinity;
  for (let i = start; i < end; i++) { lo = Math.min(lo, x[i]!); hi = Math.max(hi, x[i]!); }
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  const px = (i: number) => ((i - start) / (VIEW_SECONDS * fs)) * W;
  const py = (v: number) => H - 10 - ((v - lo) / (hi - lo)) * (H - 30);
  ctx.strokeStyle = '#333';
  ctx.lineWidth = 1;
  ctx.beginPath();
  const step = Math.max(1, Math.floor((end - start) / (2 * W)));
  for (let i = start; i < end; i += step) (i === start ? ctx.moveTo : ctx.lineTo).call(ctx, px(i), py(x[i]!));
  ctx.stroke();
  $('where').textContent = `${(start / fs).toFixed(0)}–${(end / fs).toFixed(0)} s`;
  for (let b = 0; b < rec.sample.length; b++) {
    const s = rec.sample[b]!;
    if (s < start || s >= end) continue;
    const c = rec.cls[b]!;
    ctx.fillStyle = PALETTE[c % PALETTE.length]!;
    ctx.beginPath();
    ctx.arc(px(s), 12, b === selected ? 7 : 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.font = '11px sans-serif';
    ctx.fillText(model?.classes[c] ?? String(c), px(s) + 7, 16);
    ctx.globalAlpha = 0.15;
    ctx.fillRect(px(s) - 1, 20, 2, H - 20);
    ctx.globalAlpha = 1;
  }
}

function drawBeat(w: Float32Array, a: Float32Array, colour: string): void {
  const ctx = beatCanvas.getContext('2d')!;
  const W = beatCanvas.width, H = beatCanvas.height, L = w.length;
  ctx.clearRect(0, 0, W, H);
  let amax = 0;
  for (const v of a) amax = Math.max(amax, Math.abs(v));
  const bw = W / L;
  for (let i = 0; i < L; i++) {
    const v = amax > 0 ? a[i]! / amax : 0;
    ctx.fillStyle = v >= 0 ? `rgba(230, 60, 30, ${Math.abs(v) * 0.8})` : `rgba(30, 90, 230, ${Math.abs(v) * 0.8})`;
    ctx.fillRect(i * bw, 0, bw + 0.5, H);
  }
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let i = 0; i < L; i++) (i ? ctx.lineTo : ctx.moveTo).call(ctx, (i + 0.5) * bw, H - 8 - w[i]! * (H - 16));
  ctx.stroke();
}

ecg.addEventListener('click', (ev) => {
  if (!rec) return;
  const r = ecg.getBoundingClientRect();
  const fs = rec.fs, start = Math.round(Number(scroll.value) * fs);
  const at = start + ((ev.clientX - r.left) / r.width) * VIEW_SECONDS * fs;
  let best = -1, dist = Infinity;
  for (let b = 0; b < rec.sample.length; b++) {
    const d = Math.abs(rec.sample[b]! - at);
    if (d < dist) { dist = d; best = b; }
  }
  if (best < 0 || dist > 0.4 * fs) return;
  selected = best;
  draw();
  busy(`Explaining beat ${best}…`);
  send({ type: 'explain', index: best, method: $<HTMLSelectElement>('method').value as 'gradcam' | 'ig' });
});
scroll.addEventListener('input', draw);

$<HTMLInputElement>('model-file').addEventListener('change', async (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (!f) return;
  busy(`Loading ${f.name}…`);
  const bytes = await f.arrayBuffer();
  send({ type: 'model', bytes, name: f.name }, [bytes]);
});
$<HTMLInputElement>('record-files').addEventListener('change', async (ev) => {
  const list = Array.from((ev.target as HTMLInputElement).files ?? []);
  if (!list.length) return;
  busy(`Reading ${list.map((f) => f.name).join(', ')}…`);
  const files = await Promise.all(list.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
  send({ type: 'record', files }, files.map((f) => f.bytes));
});
$<HTMLInputElement>('replay-file').addEventListener('change', async (ev) => {
  const input = ev.target as HTMLInputElement, f = input.files?.[0];
  if (!f) return;
  showError('');
  const bytes = await f.arrayBuffer();
  input.value = ''; // picking the same file again (e.g. after a refusal) fires a change event again
  send({ type: 'replay', bytes, name: f.name }, [bytes]);
});
learnButton.addEventListener('click', () => {
  const minutes = Number($<HTMLInputElement>('learn-minutes').value), steps = Number($<HTMLInputElement>('learn-steps').value);
  resetLearn();
  learnButton.disabled = true;
  busy(`Learning this wearer: the first ${minutes} minutes, ${steps} steps…`);
  send({ type: 'learn', minutes, steps });
});
$('synthetic').addEventListener('click', () => {
  busy('Generating and classifying the synthetic signal…');
  send({ type: 'synthetic' });
});

const build = new URLSearchParams(location.search).get('build');
send({ type: 'init', build: build === 'scalar' || build === 'simd' ? build : 'auto' });
