// Fused plans on every kernel build (child processes, test/nn/fused-plan-child.ts): the SIMD and scalar
// builds give the same logits bit for bit (the fused kernels keep the unfused kernels' summation order,
// which is the same in both builds); the relaxed-SIMD build (fused multiply-add in the convolutions and
// GEMMs) within rounding of them; on every build the plan is within the fold's tolerance of the unfused
// forward of the same build.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../ecg/helpers.ts';

type Out = Record<string, { fused: number[]; unfused: number[] }>;
function child(build: string): Out {
  const flags = build === 'relaxed' ? ['--experimental-wasm-relaxed-simd'] : [];
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', join(projectRoot, 'test', 'nn', 'fused-plan-child.ts'), build], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('FUSED_RESULT '));
  if (!line) throw new Error(`child (${build}) failed: ${r.stderr.slice(0, 3000)}`);
  const res = JSON.parse(line.slice('FUSED_RESULT '.length)) as { build: string; out: Out };
  assert.is(res.build, build);
  return res.out;
}

const worst = (a: number[], b: number[]) => a.reduce((w, v, i) => Math.max(w, Math.abs(v - b[i]!) / (1 + Math.abs(b[i]!))), 0);
const builds = { simd: child('simd'), scalar: child('scalar'), relaxed: child('relaxed') };

test('fused plans: SIMD and scalar builds agree bit for bit on every model', () => {
  for (const [name, r] of Object.entries(builds.simd)) assert.equal(builds.scalar[name]!.fused, r.fused, name);
});

// relaxed vs SIMD: one rounding instead of two per multiply-add; measured worst printed (the bound is 1e-6 relative, ~20x the measured 4.9e-8)
test('fused plans: the relaxed build within 1e-6 (relative to 1 + |logit|) of the SIMD build', () => {
  for (const [name, r] of Object.entries(builds.simd)) {
    const w = worst(builds.relaxed[name]!.fused, r.fused);
    console.log(`  ${name}: relaxed vs SIMD worst ${w.toExponential(2)}`);
    assert.ok(w <= 1e-6, `${name}: ${w}`);
  }
});

test('fused plans: on every build within the fold tolerance (1e-6) of the same build\'s unfused forward', () => {
  for (const [build, out] of Object.entries(builds))
    for (const [name, r] of Object.entries(out)) assert.ok(worst(r.fused, r.unfused) <= 1e-6, `${build} ${name}: ${worst(r.fused, r.unfused)}`);
});

test.run();
