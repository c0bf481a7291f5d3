// deploy/: the Kubernetes Indexed Job of a sharded compare and its merge Job. We cannot run a cluster
// here, so the test reads the manifests, checks them against each other and the CLI (SHARDS equals
// completions; every pod's command line is a valid compare invocation, shown by appending --plan; the
// shards together run every model once), then runs exactly the pods' command lines locally as separate
// processes (JOB_COMPLETION_INDEX 0..n-1, the manifests' env, with COMPARE_ARGS, the data and the runs
// volume replaced by a small configuration and local folders), then the merge Job's command line.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mitdbDir } from '../ecg/helpers.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = mitdbDir();

interface Container { command: string[]; env: { name: string; value: string }[]; workingDir: string; volumeMounts: { name: string; mountPath: string }[] }
interface Job { kind: string; spec: { completionMode?: string; completions: number; parallelism?: number; template: { spec: { restartPolicy: string; containers: Container[] } } } }

/** A manifest: JSON (which is YAML too) after its leading comment lines. */
function manifest(name: string): Job {
  const text = readFileSync(join(repo, 'deploy', name), 'utf8');
  return JSON.parse(text.split('\n').filter((l) => !l.startsWith('#')).join('\n')) as Job;
}
const container = (j: Job) => j.spec.template.spec.containers[0]!;
const envOf = (c: Container) => Object.fromEntries(c.env.map((e) => [e.name, e.value]));

/**
 * Runs a pod's command line (sh -c ...) from the repository folder, as the container's workingDir /app,
 * with the pod's environment only (a container inherits nothing from this test process; PATH and HOME
 * are a container's own).
 */
function runPod(c: Container, env: Record<string, string>, extra = ''): string {
  assert.equal(c.command.slice(0, 2), ['sh', '-c']);
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...(process.env.ECGRAD_CACHE ? { ECGRAD_CACHE: process.env.ECGRAD_CACHE } : {}) };
  return execFileSync('sh', ['-c', c.command[2]! + extra], { cwd: repo, env: { ...base, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const compareJob = manifest('compare-job.yaml');
const mergeJob = manifest('merge-job.yaml');

test('the Indexed Job and the merge Job agree with each other', () => {
  assert.is(compareJob.kind, 'Job');
  assert.is(compareJob.spec.completionMode, 'Indexed');
  const env = envOf(container(compareJob));
  assert.is(Number(env.SHARDS), compareJob.spec.completions, 'SHARDS equals completions');
  assert.ok((compareJob.spec.parallelism ?? 1) <= compareJob.spec.completions);
  for (const j of [compareJob, mergeJob]) {
    assert.is(j.spec.template.spec.restartPolicy, 'Never');
    assert.is(container(j).workingDir, '/app');
    assert.ok(container(j).volumeMounts.some((m) => m.mountPath === envOf(container(j)).RUNS), 'the runs volume is mounted where RUNS points');
  }
  assert.is(envOf(container(mergeJob)).RUN_ID, env.RUN_ID);
  assert.ok(container(compareJob).volumeMounts.some((m) => env.ECGRAD_DATA!.startsWith(m.mountPath)), 'the data volume holds ECGRAD_DATA');
  assert.match(container(compareJob).command[2]!, /--shard "\$i\/\$SHARDS"/);
});

test("every pod's command line is a valid compare run, and the shards run every model once", () => {
  const c = container(compareJob);
  const env = envOf(c);
  const plans = Array.from({ length: compareJob.spec.completions }, (_, k) =>
    JSON.parse(runPod(c, { ...env, JOB_COMPLETION_INDEX: String(k), ECGRAD_DATA: data, RUNS: join(tmpdir(), 'ecgrad-no-runs') }, ' --plan')) as {
      shard: { index: number; count: number }; runKey: string; models: string[]; allModels: string[];
    });
  plans.forEach((p, k) => assert.equal(p.shard, { index: k + 1, count: compareJob.spec.completions }));
  assert.is(new Set(plans.map((p) => p.runKey)).size, 1, 'one run');
  const ran = plans.flatMap((p) => p.models);
  assert.equal([...ran].sort(), [...plans[0]!.allModels].sort());
  assert.is(new Set(ran).size, ran.length);
  assert.ok(plans.every((p) => p.models.length > 0), 'no idle pod');
});

test("the pods' command lines, run as separate processes, then the merge's, give the run's report", () => {
  const runs = mkdtempSync(join(tmpdir(), 'ecgrad-deploy-'));
  try {
    const c = container(compareJob);
    const models = ['knn', 'decision-tree', 'logreg', 'naive-bayes'];
    const env: Record<string, string> = {
      ...envOf(c), ECGRAD_DATA: data, RUNS: runs, WORKERS: '1',
      COMPARE_ARGS: `--protocol intra --models ${models.join(',')} --train-beats 300 --val-beats 150 --test-beats 200`,
    };
    for (let k = 0; k < compareJob.spec.completions; k++) runPod(c, { ...env, JOB_COMPLETION_INDEX: String(k) });
    runPod(container(mergeJob), { ...envOf(container(mergeJob)), RUNS: runs });
    const out = join(runs, env.RUN_ID!, 'report');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.equal(report.rows.map((r: { name: string }) => r.name), models);
    for (const m of models) assert.ok(existsSync(join(out, `${m}.ecgc`)), m);
    assert.ok(report.notes.some((n: string) => n.includes(`the longest of ${compareJob.spec.completions} shards`)));
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
});

test.run();
