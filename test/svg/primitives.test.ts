// The SVG primitives every figure is built from: escaping, coordinates, ticks, the document wrapper.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { escapeXml, logTicks, niceTicks, num, svgDocument, svgText } from '../../src/svg/primitives.ts';

test('escaping and coordinates: the five XML characters; 2 decimals; non-finite values become 0', () => {
  assert.is(escapeXml(`<a b="c">'&'</a>`), '&lt;a b=&quot;c&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  assert.equal([num(1.005), num(-2.345), num(3), num(NaN), num(Infinity)], ['1', '-2.35', '3', '0', '0']);
  assert.is(svgText(1.234, 5, 'a<b', 'fill="red"'), '<text x="1.23" y="5" fill="red">a&lt;b</text>');
  assert.is(svgText(0, 0, 'x'), '<text x="0" y="0">x</text>');
});

test('ticks: linear steps of 1, 2, 2.5, 5 x 10^k (no -0), log ticks at 1, 2, 5 x 10^k; empty ranges give one tick', () => {
  assert.equal(niceTicks(0, 1488, 8), [0, 200, 400, 600, 800, 1000, 1200, 1400]);
  assert.equal(niceTicks(-0.1, 1.1, 5), [0, 0.25, 0.5, 0.75, 1]);
  assert.equal(niceTicks(-1, 1, 4), [-1, -0.5, 0, 0.5, 1]);
  assert.ok(!niceTicks(-1, 1, 4).some((v) => Object.is(v, -0)));
  assert.equal(niceTicks(3, 3), [3]);
  assert.equal(logTicks(1, 100), [1, 2, 5, 10, 20, 50, 100]);
  assert.equal(logTicks(30, 300), [50, 100, 200]);
});

test('the document: a standalone SVG 1.1 with its size, a white background and the body', () => {
  const d = svgDocument(100, 50, '<circle r="1"/>\n', 11);
  assert.ok(d.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="100" height="50" viewBox="0 0 100 50"'));
  assert.ok(d.includes('font-size="11"') && d.includes('fill="#ffffff"') && d.endsWith('<circle r="1"/>\n</svg>\n'));
});

test.run();
