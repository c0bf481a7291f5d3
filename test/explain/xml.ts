// A small XML well-formedness checker for the SVG tests: one root element, balanced and properly nested
// tags, quoted unique attributes, no stray '<' or bare '&' in text or attribute values.
export function checkWellFormed(xml: string): { root: string; elements: number } {
  let i = 0, elements = 0;
  const stack: string[] = [];
  let root = '';
  const name = /^[A-Za-z_][\w.:-]*/;
  const fail = (msg: string) => {
    throw new Error(`XML not well-formed at offset ${i}: ${msg} (near ${JSON.stringify(xml.slice(Math.max(0, i - 30), i + 30))})`);
  };
  const checkText = (t: string) => {
    if (t.includes('<')) fail('"<" in text');
    const amp = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(t);
    if (amp) fail('bare "&"');
  };
  if (xml.startsWith('<?xml')) {
    const e = xml.indexOf('?>');
    if (e < 0) fail('unterminated XML declaration');
    i = e + 2;
  }
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    checkText(text);
    if (!stack.length && text.trim()) fail('text outside the root element');
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const e = xml.indexOf('-->', i);
      if (e < 0) fail('unterminated comment');
      i = e + 3;
      continue;
    }
    const gt = xml.indexOf('>', i);
    if (gt < 0) fail('unterminated tag');
    const tag = xml.slice(i + 1, gt);
    if (tag.startsWith('/')) {
      const n = tag.slice(1).trim();
      if (stack.pop() !== n) fail(`closing </${n}> does not match`);
    } else {
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = name.exec(body);
      if (!m) fail('bad element name');
      const n = m![0];
      let rest = body.slice(n.length);
      const seen = new Set<string>();
      const attr = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/;
      for (;;) {
        const a = attr.exec(rest);
        if (!a) break;
        if (seen.has(a[1]!)) fail(`duplicate attribute ${a[1]}`);
        seen.add(a[1]!);
        checkText(a[3] ?? a[4] ?? '');
        rest = rest.slice(a[0].length);
      }
      if (rest.trim()) fail(`bad attribute syntax in <${n}>: ${JSON.stringify(rest.slice(0, 40))}`);
      if (!stack.length) {
        if (root) fail('second root element');
        root = n;
      }
      elements++;
      if (!selfClosing) stack.push(n);
    }
    i = gt + 1;
  }
  if (stack.length) fail(`unclosed <${stack[stack.length - 1]}>`);
  if (!root) fail('no root element');
  return { root, elements };
}
