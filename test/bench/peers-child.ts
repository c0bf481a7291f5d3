// Child process of test/bench/peers.test.ts: loads jax-js (which needs a global `navigator`, so never in the
// suite's own process), builds the three peer models' parameters and runs one StdCNN inference batch.
// Prints "PEERS_RESULT <json>": {"sizes": {std, ds, lstm}, "inferShape": [...]} or {"skip": reason}.
import { packageVersion } from '../../bench/peers/common.ts';

if (!packageVersion('@jax-js/jax', import.meta.url)) {
  console.log(`PEERS_RESULT ${JSON.stringify({ skip: '@jax-js/jax is not installed (npm ci installs the devDependencies)' })}`);
  process.exit(0);
}
const { loadJax, initParams, inferStep } = await import('../../bench/peers/jaxjs.ts');
const jax = await loadJax();
const sizes: Record<string, number> = {};
for (const m of ['std', 'ds', 'lstm'] as const) {
  const p = initParams(jax, m, 0);
  sizes[m] = Object.values(p).reduce((s, a) => s + a.size, 0);
  jax.tree.dispose(p);
}
const s = inferStep(jax, 1);
const out = await s.run();
s.dispose();
console.log(`PEERS_RESULT ${JSON.stringify({ sizes, inferShape: out })}`);
process.exit(0);
