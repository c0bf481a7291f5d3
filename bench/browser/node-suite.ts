// The Node half of npm run bench:browser (bench/browser/run.ts spawns it once per round): bench/browser/suite.ts
// on the configurations given, with Node's kernel threads (src/node/kernel-threads.ts) and relaxed SIMD
// enabled for this process (Node 20: --experimental-wasm-relaxed-simd, as bench/gemm.ts does).
//   node --import tsx bench/browser/node-suite.ts '<configs as JSON>' [groups,comma-separated]
// Prints the figures as JSON on stdout, progress on stderr.
import { setFlagsFromString } from 'node:v8';
import '../../src/node/kernel-threads.ts';
import { relaxedSimdSupported } from '../../src/wasm/backend.ts';
import { runSuite, type Config } from './suite.ts';

if (!relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');
const configs = JSON.parse(process.argv[2] ?? '[]') as Config[];
const only = (process.argv[3] ?? '').split(',').filter(Boolean);
const figures = await runSuite({ configs, only, log: (m) => console.error(`node ${m}`) });
console.log(JSON.stringify(figures));
