// The Node side of test/embed/workerd.test.ts, in a child process (it initialises ecgrad/infer alone, on
// the embedded bytes, with each build in turn): job() on the same input, read from stdin. Prints one
// line "WORKERD_NODE_RESULT <json>": { simd, scalar }.
import { initSync } from 'ecgrad/infer';
import { decodeInput, job } from './job.ts';

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const input = decodeInput(new Uint8Array(Buffer.concat(chunks)));
initSync({ build: 'simd' });
const simd = job(input);
initSync({ build: 'scalar', force: true });
const scalar = job(input);
console.log(`WORKERD_NODE_RESULT ${JSON.stringify({ simd, scalar })}`);
