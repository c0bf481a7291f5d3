// The RBF C-SVC solver (svm-rbf.ts) against scikit-learn's libsvm, and the Mondéjar-Guerra SVM ensemble
// (svm-ensemble.ts): one-vs-one decision values equal libsvm's to the solvers' stopping tolerance
// (fixtures: scripts/make-mondejar-fixtures.py, made once with Debian's python3-sklearn 1.2.1), the product
// rule, the untrained Q class, groups, saving and bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { initSync, matrix, createClassifier, encodeClassifier, decodeClassifier, type SvmEnsemble } from '../../src/all.ts';
import { solveBinarySvm, rowNorms } from '../../src/classic/svm-rbf.ts';
import { MONDEJAR_FEATURES } from '../../src/ecg/dataset/mondejar.ts';
import { WasmMatrix, rbfProductNT, rbfRowTerms } from '../../src/classic/wasm.ts';
import { blobs } from './helpers.ts';

initSync();

interface Case { d: number; K: number; C: number; weighted: boolean; x: number[]; y: number[]; test: number[]; decision: number[]; nSupport: number }
const { cases } = JSON.parse(readFileSync(new URL('../fixtures/mondejar/svm.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** libsvm's one-vs-one decision values of our solver: pairs (a, b), a < b, +1 for a. */
function ovoDecisions(c: Case, start: 'zero' | 'bound' = 'zero'): { decision: number[]; nSupport: number } {
  const n = c.y.length, x = Float32Array.from(c.x), gamma = 1 / c.d;
  const count = Array.from({ length: c.K }, (_, k) => c.y.filter((v) => v === k).length);
  const support = new Set<number>();
  const dec: number[][] = [];
  for (let a = 0; a < c.K; a++)
    for (let b = a + 1; b < c.K; b++) {
      const rows = c.y.flatMap((v, i) => (v === a || v === b ? [i] : []));
      const sub = new Float32Array(rows.length * c.d);
      rows.forEach((r, k) => sub.set(x.subarray(r * c.d, (r + 1) * c.d), k * c.d));
      const y = Int8Array.from(rows, (r) => (c.y[r] === a ? 1 : -1));
      const cb = Float64Array.from(rows, (r) => c.C * (c.weighted ? n / count[c.y[r]!]! : 1));
      const s = solveBinarySvm({ x: sub, n: rows.length, d: c.d, y, c: cb }, { gamma, tol: 1e-3, start });
      s.support.forEach((k) => support.add(rows[k]!));
      const t = Float32Array.from(c.test), T = t.length / c.d;
      dec.push(Array.from({ length: T }, (_, q) => {
        let f = -s.rho;
        s.support.forEach((k, j) => {
          let d2 = 0;
          for (let f2 = 0; f2 < c.d; f2++) d2 += (sub[k * c.d + f2]! - t[q * c.d + f2]!) ** 2;
          f += s.coef[j]! * Math.exp(-gamma * d2);
        });
        return f;
      }));
    }
  const T = c.test.length / c.d;
  return { decision: Array.from({ length: T }, (_, q) => dec.map((p) => p[q]!)).flat(), nSupport: support.size };
}

test('one-vs-one decision values equal scikit-learn / libsvm on every fixture case (C 0.001 to 10, weighted and not)', () => {
  for (const c of cases) {
    const ours = ovoDecisions(c);
    const scale = Math.max(...c.decision.map(Math.abs));
    let worst = 0;
    c.decision.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ours.decision[i]!))));
    // Both solvers stop at a KKT violation below 1e-3; the decision values agree to a small fraction of that.
    assert.ok(worst <= 2e-3 * Math.max(1, scale), `d ${c.d} K ${c.K} C ${c.C}: worst |Δf| ${worst} (scale ${scale})`);
    assert.ok(Math.abs(ours.nSupport - c.nSupport) <= Math.max(2, 0.02 * c.nSupport), `support vectors: ${ours.nSupport} vs libsvm ${c.nSupport}`);
  }
});

test("started at the bound (α = C, balanced weights) the solver reaches libsvm's optimum too (with free α, so that ρ is fixed)", () => {
  for (const c of cases.filter((k) => k.weighted && k.C >= 0.5)) {
    const ours = ovoDecisions(c, 'bound');
    const scale = Math.max(...c.decision.map(Math.abs));
    let worst = 0;
    c.decision.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ours.decision[i]!))));
    assert.ok(worst <= 2e-3 * Math.max(1, scale), `d ${c.d} K ${c.K} C ${c.C}: worst |Δf| ${worst}`);
  }
});

test('the solver meets the KKT conditions it stops on, and respects the box and the equality constraint', () => {
  const { X, y } = blobs(30, 2, 3, 4);
  const ys = Int8Array.from(y, (v) => (v === 0 ? 1 : -1));
  const c = new Float64Array(y.length).fill(0.7);
  const s = solveBinarySvm({ x: X.data, n: X.rows, d: X.cols, y: ys, c }, { gamma: 0.5, tol: 1e-6 });
  let eq = 0;
  s.support.forEach((k, j) => {
    const a = s.coef[j]! * ys[k]!;
    assert.ok(a > 0 && a <= 0.7 + 1e-12, `α ${a}`);
    eq += s.coef[j]!;
  });
  assert.ok(Math.abs(eq) < 1e-9, `Σ y α = ${eq}`);
  // Every sample on the right side of its margin unless its α is at the bound.
  const norms = rowNorms(X.data, X.rows, X.cols);
  for (let i = 0; i < X.rows; i++) {
    let f = -s.rho;
    s.support.forEach((k, j) => {
      let dot = 0;
      for (let q = 0; q < X.cols; q++) dot += X.data[i * X.cols + q]! * X.data[k * X.cols + q]!;
      f += s.coef[j]! * Math.exp(-0.5 * Math.max(0, norms[i]! + norms[k]! - 2 * dot));
    });
    const j = Array.from(s.support).indexOf(i), alpha = j >= 0 ? s.coef[j]! * ys[i]! : 0;
    if (alpha === 0) assert.ok(ys[i]! * f >= 1 - 1e-4, `sample ${i}: y f = ${ys[i]! * f} with α = 0`);
    if (alpha >= 0.7) assert.ok(ys[i]! * f <= 1 + 1e-4, `sample ${i}: y f = ${ys[i]! * f} at the bound`);
  }
  assert.throws(() => solveBinarySvm({ x: X.data, n: X.rows, d: X.cols, y: ys, c }, { gamma: 0 }), /gamma must be > 0/);
});

test('the ensemble: groups from the column names, product rule, Q never trained nor predicted, saved and loaded exactly', () => {
  // 104 columns named as the 'mondejar' set: the class is visible in the RR group and in the LBP group.
  const n = 60, F = MONDEJAR_FEATURES.length, K = 5;
  const data = new Float32Array(n * F), y = new Int32Array(n);
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  for (let i = 0; i < n; i++) {
    y[i] = i % K;
    for (let j = 0; j < F; j++) data[i * F + j] = rnd() + (j === y[i]! % 8 || j === 41 + (y[i]! % 4) ? 3 : 0);
  }
  const X = matrix(data, n, F, MONDEJAR_FEATURES.map((f) => `rr.${f}`));
  const m = createClassifier('mondejar2019', { C: 1 }).fit(X, y) as SvmEnsemble;
  assert.equal(m.groups.map((g) => g.columns.length), [8, 23, 10, 59, 4]);
  assert.is(m.trained, 4);
  const proba = m.predictProba(X), pred = m.predict(X);
  for (let i = 0; i < n; i++) {
    assert.is(proba.data[i * K + 4], 0, 'Q has no score');
    assert.ok(pred[i]! < 4);
    if (y[i]! < 4) assert.is(pred[i], y[i], `row ${i}`);
  }
  const back = decodeClassifier(encodeClassifier(m), 'm.ecgc').model;
  assert.is(back.kind, 'mondejar2019');
  assert.equal(Array.from(back.predictProba!(X).data), Array.from(proba.data));
  // Unnamed columns: one group of all; explicit groups must cover the matrix.
  const plain = createClassifier('mondejar2019').fit(matrix(data, n, F), y) as SvmEnsemble;
  assert.is(plain.groups.length, 1);
  assert.throws(() => createClassifier('mondejar2019', { groups: [3, 4] }).fit(X, y), /cover 7 columns, the matrix has 104/);
  assert.throws(() => createClassifier('mondejar2019', { groups: [0] }), /positive column counts/);
  assert.throws(() => createClassifier('mondejar2019').fit(matrix(data.subarray(0, 4 * F), 4, F), Int32Array.from([0, 0, 2, 3]), { nClasses: 5 }), /class 1 has no training rows/);
});

interface PathCase { d: number; K: number; C: number; weighted: boolean; shrinking: boolean; x: number[]; y: number[]; iterations: number[]; rho: number[]; nSupport: number }
const pathCases = (JSON.parse(readFileSync(new URL('../fixtures/mondejar/libsvm-path.json', import.meta.url), 'utf8')) as { cases: PathCase[] }).cases;

test("libsvm's path: from α = 0, with shrinking and each pair's samples grouped by class, the ensemble takes scikit-learn's steps and reaches its ρ", () => {
  // Fixture: scripts/make-libsvm-path-fixture.py (SVC n_iter_ and −intercept_ per pair, shrinking on and off).
  for (const c of pathCases) {
    const n = c.y.length;
    const X = matrix(Float32Array.from(c.x), n, c.d);
    const m = createClassifier('mondejar2019', { C: c.C, classWeight: c.weighted ? 'balanced' : 'none', start: 'zero', shrinking: c.shrinking, order: 'class', trainClasses: c.K }).fit(X, Int32Array.from(c.y)) as SvmEnsemble;
    const what = `d ${c.d} K ${c.K} C ${c.C} shrinking ${c.shrinking}`;
    assert.equal(m.iterations, c.iterations, `${what}: solver steps`);
    const rho = Array.from(m.groups[0]!.rho);
    rho.forEach((r, q) => assert.ok(Math.abs(r - c.rho[q]!) <= 1e-9 * Math.max(1, Math.abs(c.rho[q]!)), `${what}, pair ${q}: ρ ${r} vs libsvm ${c.rho[q]}`));
    assert.is(m.groups[0]!.sv.length / c.d, c.nSupport, `${what}: support vectors`);
  }
  // Without the class grouping the steps differ (ties break elsewhere), though the optimum is the same.
  const c = pathCases.find((k) => k.C === 10 && k.shrinking)!;
  const rows = createClassifier('mondejar2019', { C: c.C, classWeight: 'none', start: 'zero', shrinking: true, trainClasses: c.K }).fit(matrix(Float32Array.from(c.x), c.y.length, c.d), Int32Array.from(c.y)) as SvmEnsemble;
  assert.not.equal(rows.iterations, c.iterations);
});

test('at C = 0.001 nearly every α ends at its bound: started there (the default) the solver stops at once, and where no α is free its ρ (the midpoint) is not libsvm\'s', () => {
  const c = pathCases.find((k) => k.C === 0.001)!;
  const X = matrix(Float32Array.from(c.x), c.y.length, c.d), y = Int32Array.from(c.y);
  const bound = createClassifier('mondejar2019', { C: c.C, trainClasses: c.K }).fit(X, y) as SvmEnsemble;
  assert.ok(bound.iterations.every((v) => v === 0), `steps from α = C: ${bound.iterations}`);
  const gap = Array.from(bound.groups[0]!.rho, (r, q) => Math.abs(r - c.rho[q]!));
  assert.ok(Math.max(...gap) > 0.5, `the largest |Δρ| against libsvm: ${Math.max(...gap)}`);
  assert.throws(() => createClassifier('mondejar2019', { order: 'grouped' }), /order must be 'rows' or 'class', got grouped/);
  assert.throws(() => createClassifier('mondejar2019', { shrinking: 1 }), /shrinking must be true or false, got 1/);
});

test('rbfProductNT: RBF kernel blocks times Wᵀ on the wasm kernels match a float64 reference (odd shapes, far and equal rows)', () => {
  let s = 7;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  for (const [aRows, n, d, P] of [[1, 1, 1, 1], [3, 17, 5, 2], [37, 261, 23, 6], [5, 1000, 59, 1]] as const) {
    const gamma = 1 / d;
    const x = Float32Array.from({ length: n * d }, rnd), w = Float32Array.from({ length: P * n }, rnd);
    const a = Float32Array.from({ length: aRows * d }, rnd);
    a.set(x.subarray(0, d)); // a row equal to a support vector: distance 0, kernel 1
    if (aRows > 1) a.fill(40, d, 2 * d); // a far row: every kernel value underflows to 0
    const got = rbfProductNT(a, aRows, new WasmMatrix({ data: x, rows: n, cols: d }), rbfRowTerms(x, n, d, gamma), new WasmMatrix({ data: w, rows: P, cols: n }), gamma);
    assert.is(got.length, aRows * P);
    for (let r = 0; r < aRows; r++)
      for (let q = 0; q < P; q++) {
        let ref = 0, mag = 0;
        for (let k = 0; k < n; k++) {
          let d2 = 0;
          for (let j = 0; j < d; j++) d2 += (a[r * d + j]! - x[k * d + j]!) ** 2;
          const term = w[q * n + k]! * Math.exp(-gamma * d2);
          ref += term;
          mag += Math.abs(term);
        }
        const err = Math.abs(got[r * P + q]! - ref);
        assert.ok(err <= 2e-6 * Math.max(mag, 1e-30) + 1e-30, `aRows ${aRows} n ${n} d ${d} P ${P} [${r}, ${q}]: ${got[r * P + q]} vs ${ref}`);
      }
  }
  const X = new WasmMatrix({ data: new Float32Array(6), rows: 3, cols: 2 });
  assert.throws(() => rbfProductNT(new Float32Array(3), 1, X, rbfRowTerms(new Float32Array(6), 3, 2, 1), X, 1), /A has 3 values, expected 1 x 2/);
});

test.run();
