// SVG figures: well-formed XML, axes in ms, class labels, escaping.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { beatSvg, classAverageSvg, classAverages, methodGridSvg, niceTicks, escapeXml, regionMask } from '../../src/all.ts';
import { checkWellFormed } from './xml.ts';
import { bump } from './helpers.ts';

const L = 187;
const beat = bump(L, 3, 2);
const attr = Float32Array.from({ length: L }, (_, t) => (t < 10 ? 1 : t > 100 ? -0.3 : 0));

test('the checker rejects broken XML', () => {
  assert.throws(() => checkWellFormed('<svg><g></svg>'), /does not match/);
  assert.throws(() => checkWellFormed('<svg a="1" a="2"/>'), /duplicate attribute/);
  assert.throws(() => checkWellFormed('<svg>a & b</svg>'), /bare "&"/);
  assert.throws(() => checkWellFormed('<svg x=1/>'), /bad attribute syntax/);
  assert.is(checkWellFormed('<?xml version="1.0"?>\n<svg><g/><text>a &amp; b</text></svg>').elements, 3);
});

test('beat figure: well-formed, overlay and band modes, ms axis from the R peak, classes, escaped titles', () => {
  for (const mode of ['overlay', 'band'] as const) {
    const svg = beatSvg({
      signal: beat, attribution: attr, fs: 125, rIndex: 0, unit: 'normalised', mode, title: 'record 208 <#12> & more',
      trueClass: 'V', predictedClass: 'N', probability: 0.734, method: 'integrated-gradients', regions: regionMask({ fs: 125, rIndex: 0, length: L }, 0.8, 0.8),
    });
    const { root, elements } = checkWellFormed(svg);
    assert.is(root, 'svg');
    assert.ok(elements > 50);
    assert.match(svg, /true V · predicted N \(p = 0\.73\)/);
    assert.match(svg, /record 208 &lt;#12&gt; &amp; more/);
    assert.match(svg, /time from R peak \(ms\)/);
    assert.match(svg, />normalised</);
    assert.match(svg, />1400</); // 186 samples at 125 Hz = 1488 ms
    assert.match(svg, />QRS</);
    assert.match(svg, /fill="#2166ac"/); // negative attribution in blue
  }
  const centred = beatSvg({ signal: beat, attribution: attr, fs: 360, rIndex: 90, unit: 'mV' });
  checkWellFormed(centred);
  assert.match(centred, />-200</);
  assert.match(centred, />mV</);
});

test('class averages and the method grid are well-formed', () => {
  const x = new Float32Array(3 * L), v = new Float32Array(3 * L);
  for (let i = 0; i < 3; i++) (x.set(bump(L, 3 + i, 2), i * L), v.set(attr.map((a) => a * (i + 1)), i * L));
  const avgs = classAverages(x, v, [0, 0, 2], ['N', 'S', 'V'], L);
  assert.equal(avgs.map((a) => [a.className, a.beats]), [['N', 2], ['V', 1]]);
  assert.ok(Math.abs(avgs[0]!.meanAttribution[0]! - 1) < 1e-6); // max-normalised per beat
  checkWellFormed(classAverageSvg(avgs, { fs: 125, method: 'grad-cam' }));
  const grid = methodGridSvg([
    { signal: beat, label: 'beat 1 · true N · pred N', cells: [{ method: 'saliency', attribution: attr }, { method: 'grad-cam', attribution: attr }] },
    { signal: beat, label: 'beat 2', cells: [{ method: 'saliency', attribution: attr }, { method: 'grad-cam', attribution: new Float32Array(L) }] },
  ], { fs: 125 });
  assert.is(checkWellFormed(grid).root, 'svg');
  assert.match(grid, />grad-cam</);
});

test('niceTicks and escaping', () => {
  assert.equal(niceTicks(0, 1488, 8), [0, 200, 400, 600, 800, 1000, 1200, 1400]);
  assert.equal(niceTicks(-0.1, 1.1, 5), [0, 0.25, 0.5, 0.75, 1]);
  assert.is(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  assert.throws(() => beatSvg({ signal: beat, attribution: new Float32Array(3), fs: 125 }), /must both be channels x length/);
});

test.run();
